/* From one interval's kernel entry to a snapshot row: pure, unit-tested. */
#ifndef LATSCOPE_SYSCALL_ROW_H
#define LATSCOPE_SYSCALL_ROW_H

#include <linux/types.h>
#include "hist.h"
#include "syscalls.h"
#include "snapshot/snapshot.h"

/* Fills row's count, errors, total, max, percentiles and hist
 * (HIST_NBUCKETS counts, the caller's buffer) from st. */
void syscall_row(const struct syscall_stats *st, struct snap_syscall *row, __u64 *hist);

/* Adds b's figures into a (two entries of one row, e.g. the two epochs'
 * entries of a key read together at the first snapshot after a stall). */
void syscall_stats_add(struct syscall_stats *a, const struct syscall_stats *b);

#endif
