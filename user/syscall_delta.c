#include <string.h>
#include "histo.h"
#include "syscall_delta.h"

/* Interval maximum of one entry: the slot of the epoch that just ended. */
static __u64 interval_max(const struct syscall_stats *st, __u32 ended, const __u64 *hist)
{
	__u32 slot = ended & 1;
	__u64 max = st->max_epoch[slot] == ended ? st->max_ns[slot] : 0;
	int top;

	/* An event racing the epoch flip may be counted here but its maximum
	 * in the next slot: never report a max below the histogram's top. */
	for (top = HIST_NBUCKETS - 1; top >= 0 && !hist[top]; top--)
		;
	if (top >= 0 && max < hist_bucket_lo((__u32)top))
		max = hist_bucket_lo((__u32)top);
	return max;
}

void syscall_delta(const struct syscall_stats *st, const struct syscall_prev *pv,
		   __u32 ended, struct snap_syscall *row, __u64 *hist)
{
	__u64 count = 0;

	for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
		hist[i] = (__u32)(st->hist[i] - (pv ? pv->hist[i] : 0));
		count += hist[i];
	}
	row->hist = hist;
	row->count = count;
	row->errors = st->errors - (pv ? pv->errors : 0);
	row->total_ns = st->total_ns - (pv ? pv->total_ns : 0);
	row->max_ns = interval_max(st, ended, hist);
	row->p50_ns = hist_percentile(hist, 0.50, row->max_ns);
	row->p90_ns = hist_percentile(hist, 0.90, row->max_ns);
	row->p99_ns = hist_percentile(hist, 0.99, row->max_ns);
	row->p999_ns = hist_percentile(hist, 0.999, row->max_ns);
}

void syscall_prev_update(struct syscall_prev *pv, const struct syscall_stats *st)
{
	pv->errors = st->errors;
	pv->total_ns = st->total_ns;
	memcpy(pv->hist, st->hist, sizeof(pv->hist));
}
