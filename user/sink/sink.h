/* A consumer of snapshots: JSON, text, TUI, Prometheus. A sink never reads
 * a BPF map; it only sees the snapshot. */
#ifndef LATSCOPE_SINK_H
#define LATSCOPE_SINK_H

#include <stdbool.h>
#include <stdio.h>
#include "snapshot/snapshot.h"

/* What a sink may change in the run: the TUI's keys stop it, pause it and
 * change its interval. */
struct runctl {
	bool stop;
	bool paused;		/* snapshots are still taken; the sink holds its view */
	__u64 interval_ns;
	/* Replay (latscope replay FILE): the snapshots come from a recording,
	 * paused stops playing it, and the TUI's navigation keys ask for a
	 * move here; the replay loop does it and clears the request. */
	bool replay;
	int step;		/* -1: previous snapshot, +1: next, 0: none */
	__u64 jump_ns;		/* go to this CLOCK_REALTIME time; 0: none */
};

struct sink {
	const char *name;
	/* For sinks that read input (the TUI): a descriptor the main loop
	 * polls, and what to do when it is readable. -1/NULL otherwise. */
	int input_fd;
	void (*on_input)(struct sink *k, struct runctl *ctl);
	/* Consume one snapshot; 0 or a negative errno (the run stops). */
	int (*write)(struct sink *k, const struct snapshot *s);
	void (*close)(struct sink *k);
	void *priv;
};

/* NDJSON to path (NULL: stdout), gzip when it ends in .gz. NULL + errno. */
struct sink *sink_json_new(const char *path);
/* With -o: rotate the file past max_bytes, keeping keep old ones. */
void sink_json_set_rotation(struct sink *k, unsigned long long max_bytes, unsigned keep);
/* Prometheus text format to path, replaced atomically each interval.
 * NULL + errno (also when path's directory is not writable). */
struct sink *sink_prom_new(const char *path, unsigned buckets);
/* The HTTP endpoint of --listen (sink/http.c): /metrics, /snapshot, /.
 * NULL + errno (EADDRINUSE, EACCES, ...: the address cannot be bound). */
struct netaddr;
struct sink *sink_http_new(const struct netaddr *a, unsigned buckets);
/* A plain text table per interval, for terminals and pipes. */
struct sink *sink_text_new(FILE *f);

void sink_close(struct sink *k);

#endif
