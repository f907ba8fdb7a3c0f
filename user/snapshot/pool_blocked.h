/* pools[].blocked_on: a pool's io time per peer, as a short list. */
#ifndef LATSCOPE_POOL_BLOCKED_H
#define LATSCOPE_POOL_BLOCKED_H

#include <stddef.h>
#include <linux/types.h>
#include "snapshot/snapshot.h"

#define POOL_BLOCKED_TOP 8	/* peers listed per pool, the most io first */

/* Adds io_ns to the entry of v (struct snap_pool_blocked) named peer,
 * made if missing. 0 or -ENOMEM. */
int pool_blocked_add(struct vec *v, const char *peer, __u64 io_ns);

/* Sorts v by io_ns, most first (ties: by name), drops entries with no io
 * time, and keeps the first max. */
void pool_blocked_finish(struct vec *v, size_t max);

#endif
