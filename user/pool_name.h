/* Pool keys and the arithmetic of pools, apart from any BPF map: the
 * normalized thread name, the exact length of a union of idle intervals,
 * percentiles of the pools' run-queue histogram (include/pools.h). */
#ifndef LATSCOPE_POOL_NAME_H
#define LATSCOPE_POOL_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The SPEC's key of a thread name: trailing digits and the separators
 * "-_.:#/ " just before them removed ("worker-3" -> "worker",
 * "pool-1-thread-7" -> "pool-1-thread"). A name that would become empty
 * stays as it is. */
void pool_name_key(const char *comm, char *out, size_t n);

struct idle_iv {
	__u64 a, b;		/* [a, b), ns */
};

/* Length of the union of the intervals clipped to [lo, hi); sorts iv. */
__u64 idle_union_ns(struct idle_iv *iv, size_t n, __u64 lo, __u64 hi);

/* Bounds of run-queue histogram bucket idx (ph_bucket in bpf/pools.bpf.c). */
__u64 ph_bucket_lo(__u32 idx);
__u64 ph_bucket_hi(__u32 idx);
/* The q-quantile of a PH_NBUCKETS histogram: the midpoint of its bucket. */
__u64 ph_percentile(const __u64 *counts, double q);

#endif
