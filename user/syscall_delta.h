/* From cumulative kernel stats to one interval's row: pure, unit-tested. */
#ifndef LATSCOPE_SYSCALL_DELTA_H
#define LATSCOPE_SYSCALL_DELTA_H

#include <linux/types.h>
#include "hist.h"
#include "syscalls.h"
#include "snapshot.h"

/* What the frontend last saw of one key. */
struct syscall_prev {
	__u64 errors, total_ns;
	__u32 hist[HIST_NBUCKETS];
};

/* Fills row's counts, percentiles, max and hist (HIST_NBUCKETS, caller's)
 * with now - prev (prev NULL: a new key); ended is the epoch that the
 * interval ran in. Histogram counts are differenced modulo 2^32. */
void syscall_delta(const struct syscall_stats *now, const struct syscall_prev *prev,
		   __u32 ended, struct snap_syscall *row, __u64 *hist);
void syscall_prev_update(struct syscall_prev *prev, const struct syscall_stats *now);

#endif
