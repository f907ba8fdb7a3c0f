/* Recordings as a source of snapshots: one or more files (several hosts'),
 * merged in time order, cut to a window on ts_ns. Every file is checked to
 * be a latscope recording when opened, before anything is replayed. */
#ifndef LATSCOPE_REPLAY_SOURCE_H
#define LATSCOPE_REPLAY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "snapshot/snapshot.h"

struct replay_source;

/* from_ns/to_ns: keep snapshots with from_ns <= ts_ns <= to_ns (0: open).
 * NULL after one error line on stderr (missing file, not a recording). */
struct replay_source *replay_source_open(const char *const *paths, size_t n, __u64 from_ns,
					 __u64 to_ns);
/* The next snapshot in time order (the caller frees it): 1, or 0 at the
 * end, or -1 on ENOMEM. Damage found on the way (a recording cut off
 * mid-snapshot, a corrupt line) gets one warning line on stderr. */
int replay_source_next(struct replay_source *rs, struct snapshot **out);
/* Whether a warning was printed: replay then exits 1. */
bool replay_source_damaged(const struct replay_source *rs);
/* Snapshots handed out so far. */
size_t replay_source_count(const struct replay_source *rs);
void replay_source_close(struct replay_source *rs);

#endif
