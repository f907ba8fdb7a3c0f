#include <stdio.h>
#include "replay.h"

int replay_main(const struct options *o)
{
	fprintf(stderr, "latscope: replay of '%s' is not available in this build yet\n",
		o->replay_file);
	return 1;
}
