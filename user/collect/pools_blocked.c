/* blocked_on, for the pools family (pools_int.h): the kernel charges each
 * io sleep on a peer to (thread, peer), cumulative; like the state times, a
 * sleep still under way is counted up to the snapshot from the thread's
 * entry (io_peer, since), and the rest when it ends. Per pool: the sum over
 * its workers, the most io first. */
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/peers_name.h"
#include "collect/pools_int.h"
#include "lib/hashmap.h"
#include "snapshot/pool_blocked.h"
#include "snapshot/snapshot.h"
#include "pools.skel.h"

struct bacc {			/* one (thread, peer) */
	__u64 prev;		/* reported so far */
	__u64 cum;		/* as of this snapshot */
};

struct bpeer {
	__u64 peer, ns;
};

struct bthr {			/* one thread's io per peer, this interval */
	size_t n, cap;
	struct bpeer *e;
};

#define BNAMES_MAX 4096		/* names kept before the cache starts over */

static struct bacc *bacc_get(struct pool_priv *p, const struct pool_blocked_key *k)
{
	struct bacc *a = hashmap_get(p->bacc, k);

	if (a)
		return a;
	a = calloc(1, sizeof(*a));
	if (a && hashmap_put(p->bacc, k, a)) {
		free(a);
		a = NULL;
	}
	return a;
}

static void bthr_free(void *v)
{
	struct bthr *b = v;

	free(b->e);
	free(b);
}

static void bthr_add(struct pool_priv *p, __u32 tid, __u64 peer, __u64 ns)
{
	struct bthr *b = hashmap_get(p->bthr, &tid);

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b || hashmap_put(p->bthr, &tid, b)) {
			free(b);
			return;
		}
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		struct bpeer *e = realloc(b->e, cap * sizeof(*e));

		if (!e)
			return;
		b->e = e;
		b->cap = cap;
	}
	b->e[b->n++] = (struct bpeer){ peer, ns };
}

/* The closed sleeps, read before the thread entries: a sleep that ends in
 * between is counted at the next snapshot, never twice. */
void pools_blocked_read(struct pool_priv *p)
{
	struct hm_entry *it;
	size_t b;

	for (it = NULL; (it = hashmap_next(p->bacc, it, &b));)
		((struct bacc *)it->value)->cum = 0;
	if (map_reader_read(&p->blocked))
		return;
	for (size_t i = 0; i < p->blocked.len; i++) {
		const struct pool_blocked_key *k =
			(const void *)((char *)p->blocked.keys + i * sizeof(*k));
		struct bacc *a = bacc_get(p, k);

		if (a)
			a->cum = ((const __u64 *)p->blocked.values)[i];
	}
}

/* An io sleep on a peer under way (thread entry v) counts up to t1. */
void pools_blocked_open(struct pool_priv *p, const struct pool_thread *v, __u64 t1)
{
	struct pool_blocked_key k = { .peer = v->io_peer, .tid = v->tid, .tgid = v->tgid };
	struct bacc *a;

	if (v->exited || v->state != PST_IO || !v->io_peer || t1 <= v->since)
		return;
	a = bacc_get(p, &k);
	if (a)
		a->cum += t1 - v->since;
}

/* After the thread entries are read (pools_threads_read: the open sleeps added)
 * and the threads that exited marked gone: this interval's io per (thread,
 * peer) into p->bthr;
 * the entries of gone threads and idle pairs are dropped here and in the
 * kernel, so the map holds the pairs of about one interval. */
void pools_blocked_deltas(struct pool_priv *p, __u64 t1)
{
	struct pool_blocked_key *dead = NULL;
	size_t ndead = 0, b;
	struct hm_entry *it;

	hashmap_free(p->bthr, bthr_free);
	p->bthr = hashmap_new(sizeof(__u32));
	for (it = NULL; (it = hashmap_next(p->bacc, it, &b));) {
		struct pool_blocked_key k;
		struct bacc *a = it->value;
		struct pthr *t;
		__u64 d = 0;

		memcpy(&k, it->key, sizeof(k));
		t = hashmap_get(p->thr, &k.tid);
		/* less than reported: an open sleep ended before its charge was
		 * read; nothing until it catches up */
		if (a->cum > a->prev) {
			d = a->cum - a->prev;
			a->prev = a->cum;
		}
		if (d && t && t->tgid == k.tgid && p->bthr)
			bthr_add(p, k.tid, k.peer, d);
		/* gone threads, and peers a thread no longer waited on in a whole
		 * interval (a server's clients come and go): the kernel's entry
		 * starts again from 0 if it is charged again */
		if (!t || t->gone || t->tgid != k.tgid || (!d && a->cum <= a->prev)) {
			struct pool_blocked_key *x = realloc(dead, (ndead + 1) * sizeof(*x));

			if (x) {
				dead = x;
				dead[ndead++] = k;
			}
		}
	}
	for (size_t i = 0; i < ndead; i++) {
		struct bacc *a = hashmap_get(p->bacc, &dead[i]);
		const struct pthr *t = hashmap_get(p->thr, &dead[i].tid);
		__u64 now;

		/* an idle pair charged since it was read: kept */
		if (a && t && !t->gone && t->tgid == dead[i].tgid &&
		    !bpf_map_lookup_elem(p->blocked.fd, &dead[i], &now) && now != a->cum)
			continue;
		bpf_map_delete_elem(p->blocked.fd, &dead[i]);
		free(hashmap_del(p->bacc, &dead[i]));
	}
	free(dead);
}

/* The SPEC's text for a peer id, from the kernel's peer_names. */
static const char *blocked_name(struct pool_priv *p, __u64 id)
{
	const char *n = peer_name_cached(&p->bnames, BNAMES_MAX,
					 bpf_map__fd(p->skel->maps.peer_names), id);

	return n ? n : "unknown";
}

int pools_blocked_fill(struct pool_priv *p, struct snap_pool *row, const struct group *g)
{
	for (size_t i = 0; p->bthr && i < g->n; i++) {
		const struct pthr *t = g->m[i];
		const struct bthr *b;

		if (t->acceptor || !(b = hashmap_get(p->bthr, &t->tid)))
			continue;
		for (size_t j = 0; j < b->n; j++)
			if (pool_blocked_add(&row->blocked_on, blocked_name(p, b->e[j].peer),
					     b->e[j].ns))
				return -ENOMEM;
	}
	pool_blocked_finish(&row->blocked_on, POOL_BLOCKED_TOP);
	return 0;
}

void pools_blocked_free(struct pool_priv *p)
{
	map_reader_free(&p->blocked);
	hashmap_free(p->bacc, free);
	hashmap_free(p->bthr, bthr_free);
	hashmap_free(p->bnames, free);
}
