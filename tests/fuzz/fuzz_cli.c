/* libFuzzer target for the command line: the input is split into argv at
 * NUL and newline bytes, and options_parse must return 0, 1 or 2 with a
 * consistent result, whatever the arguments. Run it with -close_fd_mask=3:
 * usage and error lines are expected. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *args[MAX_ARGS + 2];
	struct options o;
	int argc = 1, r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	args[0] = "latscope";
	for (size_t i = 0, start = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i == size || buf[i] == 0 || buf[i] == '\n') {
			buf[i] = 0;
			args[argc++] = buf + start;
			start = i + 1;
		}
	}
	args[argc] = NULL;
	r = options_parse(&o, argc, args);
	if (r != 0 && r != 1 && r != 2)
		abort();
	if (r == 0) {
		if (!o.interval_ns || o.npids > FILTER_MAX_PIDS || !o.top)
			abort();
		if (o.replay && !o.replay_file)
			abort();
	}
	free(buf);
	return 0;
}
