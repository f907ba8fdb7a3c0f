#ifndef LATSCOPE_REPLAY_H
#define LATSCOPE_REPLAY_H
#include "options.h"
/* latscope replay FILE: a recording as a source. Returns the exit status. */
int replay_main(const struct options *o);
#endif
