#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/pool_blocked.h"

int pool_blocked_add(struct vec *v, const char *peer, __u64 io_ns)
{
	struct snap_pool_blocked *b;
	char cut[SNAP_PEER_LEN];

	/* compared as it is stored: a name past the field is cut */
	snap_strcpy(cut, sizeof(cut), peer, SNAP_PEER_LEN);
	for (size_t i = 0; i < v->len; i++) {
		b = vec_at(v, struct snap_pool_blocked, i);
		if (!strcmp(b->peer, cut)) {
			b->io_ns += io_ns;
			return 0;
		}
	}
	b = vec_push(v);
	if (!b)
		return -ENOMEM;
	memcpy(b->peer, cut, sizeof(b->peer));
	b->io_ns = io_ns;
	return 0;
}

static int cmp_blocked(const void *a, const void *b)
{
	const struct snap_pool_blocked *x = a, *y = b;

	if (x->io_ns != y->io_ns)
		return x->io_ns < y->io_ns ? 1 : -1;
	return strncmp(x->peer, y->peer, sizeof(x->peer));
}

void pool_blocked_finish(struct vec *v, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < v->len; i++) {
		struct snap_pool_blocked *b = vec_at(v, struct snap_pool_blocked, i);

		if (b->io_ns)
			*vec_at(v, struct snap_pool_blocked, n++) = *b;
	}
	v->len = n;
	if (n > 1)
		qsort(v->data, n, sizeof(struct snap_pool_blocked), cmp_blocked);
	if (v->len > max)
		v->len = max;
}
