#ifndef LATSCOPE_REPLAY_H
#define LATSCOPE_REPLAY_H
#include "options.h"
/* latscope replay FILE: a recording as a source. Returns the exit status. */
int replay_main(const struct options *o);

struct replay_nav;
struct sink;
/* Shows nav through an interactive sink (the TUI) until it stops: plays
 * at the recorded pace unless paused, moves on its runctl requests. Exit
 * status. */
int replay_drive_sink(struct replay_nav *nav, struct sink *k);
#endif
