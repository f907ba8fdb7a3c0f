#include <string.h>
#include "snapshot/histo.h"
#include "collect/syscalls_row.h"

void syscall_row(const struct syscall_stats *st, struct snap_syscall *row, __u64 *hist)
{
	static const double qs[4] = { 0.50, 0.90, 0.99, 0.999 };
	__u64 count = 0, max = st->max_ns, p[4];
	int top = -1;

	for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
		hist[i] = st->hist[i];
		count += hist[i];
		if (hist[i])
			top = (int)i;
	}
	/* The maximum is kept without a lock: never report one below the
	 * histogram's top bucket, where a lost larger value must have been. */
	if (top >= 0 && max < hist_bucket_lo((__u32)top))
		max = hist_bucket_lo((__u32)top);
	row->hist = hist;
	row->count = count;
	row->errors = st->errors;
	row->total_ns = st->total_ns;
	row->max_ns = max;
	hist_percentiles(hist, count, qs, 4, max, p);
	row->p50_ns = p[0];
	row->p90_ns = p[1];
	row->p99_ns = p[2];
	row->p999_ns = p[3];
}

void syscall_stats_add(struct syscall_stats *a, const struct syscall_stats *b)
{
	a->errors += b->errors;
	a->total_ns += b->total_ns;
	if (b->max_ns > a->max_ns)
		a->max_ns = b->max_ns;
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		a->hist[i] += b->hist[i];
}
