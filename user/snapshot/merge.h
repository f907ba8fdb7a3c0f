/* Merging snapshots into one (replay --summary): rows with the same key are
 * added up, histograms merged bucket by bucket, and every percentile is
 * recomputed from the merged histogram (percentiles cannot be averaged).
 * A row that came without a histogram in some snapshot keeps the largest
 * percentile it was reported with: an upper bound, never an average.
 * Snapshots of several hosts merge the same way; "host" lists them. */
#ifndef LATSCOPE_SNAPSHOT_MERGE_H
#define LATSCOPE_SNAPSHOT_MERGE_H

#include "snapshot/snapshot.h"

struct merger;

struct merger *merger_new(void);
/* Adds s (copied; s stays the caller's). 0 or -ENOMEM. */
int merger_add(struct merger *m, const struct snapshot *s);
/* How many snapshots were added. */
size_t merger_count(const struct merger *m);
/* The merged snapshot, sorted and cut to top rows per list; the caller
 * frees it with snapshot_free. The merger is spent (free it). NULL on
 * ENOMEM or when nothing was added. ts_ns is the latest end of interval,
 * interval_ns the span from the earliest start. */
struct snapshot *merger_finish(struct merger *m, size_t top);
void merger_free(struct merger *m);

#endif
