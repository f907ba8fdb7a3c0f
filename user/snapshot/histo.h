/* Frontend side of the log-linear histogram (include/hist.h). */
#ifndef LATSCOPE_HISTO_H
#define LATSCOPE_HISTO_H

#include <linux/types.h>
#include "hist.h"

/* Smallest value that falls in bucket idx. */
__u64 hist_bucket_lo(__u32 idx);
/* Largest value that falls in bucket idx (inclusive upper bound). */
__u64 hist_bucket_hi(__u32 idx);
/* The q-quantile (0 < q <= 1) of a dense histogram: the midpoint of the
 * bucket holding the ceil(q*n)-th value, never above max_ns when max_ns is
 * known (non-zero). 0 for an empty histogram. */
__u64 hist_percentile(const __u64 *counts, double q, __u64 max_ns);
/* Several percentiles in one pass: qs ascending, n the histogram's total;
 * out[k] is what hist_percentile(counts, qs[k], max_ns) gives. */
void hist_percentiles(const __u64 *counts, __u64 n, const double *qs, int nq,
		      __u64 max_ns, __u64 *out);
__u64 hist_total(const __u64 *counts);

#endif
