/* Log-linear latency histogram shared by the BPF programs and the frontend.
 *
 * Values below HIST_SUB are exact buckets; above, each power of two is split
 * into HIST_SUB linear sub-buckets, so a bucket is at most 1/16 = 6.25% of its
 * lower bound wide and a percentile reported at the bucket's midpoint is
 * within 3.2% of the true value. Values past 2^HIST_MAX_POW ns (~18 min) land
 * in the last bucket; max_ns is tracked exactly elsewhere.
 *
 * No includes on purpose: the BPF side gets __u64 from vmlinux.h, the user
 * side from <linux/types.h>.
 */
#ifndef LATSCOPE_HIST_H
#define LATSCOPE_HIST_H

#define HIST_SUB_BITS 4
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_MAX_POW 39
#define HIST_NBUCKETS ((HIST_MAX_POW - HIST_SUB_BITS + 2) * HIST_SUB)

/* floor(log2(v)) for v > 0, by shifts: clang 14's BPF backend crashes on
 * __builtin_clzll, and this is branch-free for the verifier. */
static inline __u32 hist_log2(__u64 v)
{
	__u32 r, s;

	r = (v > 0xFFFFFFFFULL) << 5; v >>= r;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

/* Bucket index of a value, always < HIST_NBUCKETS. */
static inline __u32 hist_bucket(__u64 v)
{
	__u32 p, idx;

	if (v < HIST_SUB)
		return (__u32)v;
	p = hist_log2(v);
	if (p > HIST_MAX_POW)
		return HIST_NBUCKETS - 1;
	idx = ((p - HIST_SUB_BITS + 1) << HIST_SUB_BITS) |
	      (__u32)((v >> (p - HIST_SUB_BITS)) & (HIST_SUB - 1));
	return idx < HIST_NBUCKETS ? idx : HIST_NBUCKETS - 1;
}

#endif
