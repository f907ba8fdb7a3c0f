#include "snapshot/histo.h"

__u64 hist_bucket_lo(__u32 idx)
{
	__u32 p, sub;

	if (idx < HIST_SUB)
		return idx;
	p = (idx >> HIST_SUB_BITS) + HIST_SUB_BITS - 1;
	sub = idx & (HIST_SUB - 1);
	return (__u64)(HIST_SUB + sub) << (p - HIST_SUB_BITS);
}

__u64 hist_bucket_hi(__u32 idx)
{
	if (idx >= HIST_NBUCKETS - 1)
		return ~0ULL;
	return hist_bucket_lo(idx + 1) - 1;
}

__u64 hist_total(const __u64 *counts)
{
	__u64 n = 0;

	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		n += counts[i];
	return n;
}

/* The value reported for the bucket holding a rank: its midpoint, clamped
 * to the exact maximum; the last (open) bucket reports the maximum. */
static __u64 bucket_value(__u32 i, __u64 max_ns)
{
	__u64 lo = hist_bucket_lo(i), hi, v;

	if (i >= HIST_NBUCKETS - 1)
		return max_ns > lo ? max_ns : lo;
	hi = hist_bucket_hi(i);
	v = lo + (hi - lo) / 2;
	if (max_ns && v > max_ns && max_ns >= lo)
		v = max_ns;
	return v;
}

static __u64 rank_of(double q, __u64 n)
{
	__u64 rank = (__u64)(q * (double)n);

	if ((double)rank < q * (double)n)
		rank++;
	return rank < 1 ? 1 : rank;
}

void hist_percentiles(const __u64 *counts, __u64 n, const double *qs, int nq,
		      __u64 max_ns, __u64 *out)
{
	__u64 seen = 0;
	__u32 i = 0;

	for (int k = 0; k < nq; k++) {
		__u64 rank;

		if (!n) {
			out[k] = 0;
			continue;
		}
		rank = rank_of(qs[k], n);
		/* the largest value is known exactly */
		if (rank >= n && max_ns) {
			out[k] = max_ns;
			continue;
		}
		/* qs ascend: carry on from the bucket where the last rank was */
		while (i < HIST_NBUCKETS && seen + counts[i] < rank)
			seen += counts[i++];
		out[k] = bucket_value(i < HIST_NBUCKETS ? i : HIST_NBUCKETS - 1, max_ns);
	}
}

__u64 hist_percentile(const __u64 *counts, double q, __u64 max_ns)
{
	__u64 v;

	hist_percentiles(counts, hist_total(counts), &q, 1, max_ns, &v);
	return v;
}
