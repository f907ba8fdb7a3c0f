#include <string.h>
#include "snapshot/histo.h"
#include "collect/pools_name.h"
#include "pools.h"

static int is_sep(char c)
{
	return c && strchr("-_.:#/ ", c) != NULL;
}

void pool_name_key(const char *comm, char *out, size_t n)
{
	size_t len = strnlen(comm, POOLS_COMM_LEN * 4), i = len;

	if (!n)
		return;
	while (i > 0 && comm[i - 1] >= '0' && comm[i - 1] <= '9')
		i--;
	if (i < len)
		while (i > 0 && is_sep(comm[i - 1]))
			i--;
	if (i == 0)
		i = len;
	if (i >= n)
		i = n - 1;
	memcpy(out, comm, i);
	out[i] = 0;
}

__u64 ph_bucket_lo(__u32 idx)
{
	__u32 p, sub = idx & (PH_SUB - 1);

	if (idx < PH_SUB)
		return (__u64)idx << (PH_MIN_POW - PH_SUB_BITS);
	p = (idx >> PH_SUB_BITS) + PH_MIN_POW - 1;
	return (1ULL << p) + ((__u64)sub << (p - PH_SUB_BITS));
}

__u64 ph_bucket_hi(__u32 idx)
{
	return idx + 1 >= PH_NBUCKETS ? ph_bucket_lo(idx) * 2 : ph_bucket_lo(idx + 1) - 1;
}

__u64 ph_percentile(const __u64 *counts, double q)
{
	__u64 n = 0, rank, seen = 0;
	__u32 i;

	for (i = 0; i < PH_NBUCKETS; i++)
		n += counts[i];
	if (!n)
		return 0;
	rank = (__u64)(q * (double)n);
	if ((double)rank < q * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < PH_NBUCKETS - 1; i++) {
		seen += counts[i];
		if (seen >= rank)
			break;
	}
	return ph_bucket_lo(i) + (ph_bucket_hi(i) - ph_bucket_lo(i)) / 2;
}
