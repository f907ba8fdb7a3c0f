#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/tcp_by_peer.h"

struct peer_key {
	char daddr[SNAP_ADDR_LEN];
	__u16 dport;
};

struct peer_acc {
	struct snap_tcp_peer row;
	__u64 *hist;		/* merged connect histogram, or NULL */
	__u64 max_ns;
	__u64 row_p99;		/* largest p99 of a row without a histogram */
};

static struct peer_acc *peer_get(struct hashmap *m, const char *daddr, __u16 dport)
{
	struct peer_key k;
	struct peer_acc *a;

	memset(&k, 0, sizeof(k));
	snap_strcpy(k.daddr, sizeof(k.daddr), daddr, SNAP_ADDR_LEN);
	k.dport = dport;
	a = hashmap_get(m, &k);
	if (a)
		return a;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	memcpy(a->row.daddr, k.daddr, sizeof(k.daddr));
	a->row.dport = dport;
	if (hashmap_put(m, &k, a)) {
		free(a);
		return NULL;
	}
	return a;
}

static void acc_free(void *v)
{
	struct peer_acc *a = v;

	free(a->hist);
	free(a);
}

int tcp_peers_build(struct snapshot *s)
{
	struct hashmap *m = hashmap_new(sizeof(struct peer_key));
	struct hm_entry *it;
	struct peer_acc *a;
	size_t b, i;
	int err = -ENOMEM;

	if (!m)
		return -ENOMEM;
	s->tcp_peers.len = 0;
	for (i = 0; i < s->tcp_retrans.len; i++) {
		const struct snap_tcp_retrans *r = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		if (!(a = peer_get(m, r->daddr, r->dport)))
			goto out;
		a->row.retransmits += r->count;
	}
	for (i = 0; i < s->tcp_resets.len; i++) {
		const struct snap_tcp_reset *r = vec_at(&s->tcp_resets, struct snap_tcp_reset, i);

		if (!(a = peer_get(m, r->daddr, r->dport)))
			goto out;
		a->row.resets += r->count;
	}
	for (i = 0; i < s->tcp_connect.len; i++) {
		const struct snap_tcp_connect *r = vec_at(&s->tcp_connect, struct snap_tcp_connect, i);

		if (!(a = peer_get(m, r->daddr, r->dport)))
			goto out;
		a->row.connects += r->count;
		a->row.connect_failed += r->failed;
		if (r->max_ns > a->max_ns)
			a->max_ns = r->max_ns;
		if (r->hist) {
			if (!a->hist && !(a->hist = calloc(HIST_NBUCKETS, sizeof(*a->hist))))
				goto out;
			for (__u32 j = 0; j < HIST_NBUCKETS; j++)
				a->hist[j] += r->hist[j];
		} else if (r->p99_ns > a->row_p99) {
			a->row_p99 = r->p99_ns;
		}
	}
	for (b = 0, it = NULL; (it = hashmap_next(m, it, &b));) {
		struct snap_tcp_peer *row = vec_push(&s->tcp_peers);

		a = it->value;
		if (!row)
			goto out;
		*row = a->row;
		row->connect_p99_ns = a->hist ? hist_percentile(a->hist, 0.99, a->max_ns) : 0;
		if (a->row_p99 > row->connect_p99_ns)
			row->connect_p99_ns = a->row_p99;
	}
	err = 0;
out:
	hashmap_free(m, acc_free);
	return err;
}
