#include "histo.h"

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

__u64 hist_percentile(const __u64 *counts, double q, __u64 max_ns)
{
	__u64 n = hist_total(counts), rank, seen = 0, lo, hi, v;
	__u32 i;

	if (!n)
		return 0;
	rank = (__u64)(q * (double)n);
	if ((double)rank < q * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	/* the largest value is known exactly */
	if (rank >= n && max_ns)
		return max_ns;
	for (i = 0; i < HIST_NBUCKETS; i++) {
		seen += counts[i];
		if (seen >= rank)
			break;
	}
	if (i >= HIST_NBUCKETS)
		i = HIST_NBUCKETS - 1;
	lo = hist_bucket_lo(i);
	if (i == HIST_NBUCKETS - 1)
		return max_ns > lo ? max_ns : lo;
	hi = hist_bucket_hi(i);
	v = lo + (hi - lo) / 2;
	if (max_ns && v > max_ns && max_ns >= lo)
		v = max_ns;
	return v;
}
