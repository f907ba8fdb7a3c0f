/* Pool keys and the arithmetic of pools, apart from any BPF map: the
 * normalized thread name and percentiles of the pools' run-queue histogram
 * (include/pools.h). */
#ifndef LATSCOPE_POOL_NAME_H
#define LATSCOPE_POOL_NAME_H

#include <stddef.h>
#include <linux/types.h>

/* The SPEC's key of a thread name: trailing digits and the separators
 * "-_.:#/ " just before them removed ("worker-3" -> "worker",
 * "pool-1-thread-7" -> "pool-1-thread"). A name that would become empty
 * stays as it is. */
void pool_name_key(const char *comm, char *out, size_t n);

/* Bounds of run-queue histogram bucket idx (ph_bucket in bpf/pools.bpf.c). */
__u64 ph_bucket_lo(__u32 idx);
__u64 ph_bucket_hi(__u32 idx);
/* The q-quantile of a PH_NBUCKETS histogram: the midpoint of its bucket. */
__u64 ph_percentile(const __u64 *counts, double q);

#endif
