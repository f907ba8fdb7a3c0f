/* The peers view's collector: reads the per-(process, peer) entries the
 * syscalls family's sys_exit made (bpf/peers_work.h) for the interval that
 * ended (the peer_index map says which elements of the peer_table array
 * they are; the part of the array in use is mmap'd while it is read), names each peer id once (the kernel's peer_names map, cached
 * here), makes the snapshot's peers rows, and hands the elements back. */
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/peers_view.h"
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/peers_name.h"
#include "syscalls.h"
#include "peers.h"
#include "requests.h"
#include "syscalls.skel.h"

/* Names kept by the frontend: past this many, the cache starts over (the
 * names of peers still in use are read again from the kernel). */
#define NAME_CACHE_MAX 65536

/* The array's element stride is the value size rounded up to 8. */
_Static_assert(sizeof(struct peer_stats) % 8 == 0, "peer_table stride");

struct peers {
	struct syscalls_bpf *skel;
	struct map_reader index;	/* peer_key -> peer_table element */
	size_t half;			/* elements per epoch parity */
	size_t top;			/* --top: rows made */
	struct hashmap *names;	/* peer id -> char * */
	struct peer_key *del;
	struct pick_peer { __u64 wait_ns; __u32 elem; __u32 key; } *pick;
	size_t del_cap;
	__u64 full_seen, unresolved_seen;
};

void peers_configure(struct syscalls_bpf *skel, bool on, long procs)
{
	long n = procs * 8 * 2;

	skel->rodata->peers_on = on;
	/* (process, peer) pairs of two intervals: room for 8 peers per process
	 * now running, 8192 to 16384 elements (2.4 KiB each: 20 to 40 MiB of
	 * kernel memory), half for each epoch parity; a full half is counted
	 * as a drop. Off, the maps are made as small as they can be. */
	n = !on ? 2 : n < 8192 ? 8192 : n > 16384 ? 16384 : n;
	skel->rodata->peer_half = (__u32)(n / 2);
	bpf_map__set_max_entries(skel->maps.peer_table, (__u32)n);
	bpf_map__set_max_entries(skel->maps.peer_index, (__u32)n);
	if (!on)
		bpf_map__set_max_entries(skel->maps.peer_names, 64);
}

struct peers *peers_new(struct syscalls_bpf *skel, size_t top)
{
	struct peers *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->skel = skel;
	p->top = top;
	p->half = bpf_map__max_entries(skel->maps.peer_table) / 2;
	map_reader_init(&p->index, bpf_map__fd(skel->maps.peer_index),
			sizeof(struct peer_key), sizeof(__u32));
	return p;
}

static int add_row(struct peers *p, struct snapshot *s, const struct peer_key *k,
		   const struct peer_stats *st)
{
	static const double q99 = 0.99;
	const char *name = peer_name_cached(&p->names, NAME_CACHE_MAX,
					    bpf_map__fd(p->skel->maps.peer_names), k->peer);
	struct snap_peer *row;
	__u64 *hist, count = 0, max = st->max_ns;
	int top = -1;

	hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	row = hist ? vec_push(&s->peers) : NULL;
	if (!row) {
		free(hist);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
		hist[i] = st->hist[i];
		count += hist[i];
		if (hist[i])
			top = (int)i;
	}
	/* max is kept without a lock in the kernel: never below the top bucket */
	if (top >= 0 && max < hist_bucket_lo((__u32)top))
		max = hist_bucket_lo((__u32)top);
	row->pid = k->tgid;
	snap_strcpy(row->comm, sizeof(row->comm), st->comm, sizeof(st->comm));
	/* the kernel forgot the name (LRU) before it was read: say so */
	snprintf(row->peer, sizeof(row->peer), "%s", name ? name : "unknown");
	row->calls = count;
	row->bytes_in = st->bytes_in;
	row->bytes_out = st->bytes_out;
	row->roundtrips = st->roundtrips;
	row->wait_ns = st->wait_ns;
	row->max_ns = max;
	hist_percentiles(hist, count, &q99, 1, max, &row->p99_ns);
	row->hist = hist;
	return 0;
}

static void delete_read(struct peers *p, size_t n)
{
	__u32 count = (__u32)n;

	if (!n)
		return;
	if (bpf_map_delete_batch(p->index.fd, p->del, &count, NULL) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(p->index.fd, &p->del[i]);
}

static int cmp_pick(const void *a, const void *b)
{
	const struct pick_peer *x = a, *y = b;

	return x->wait_ns < y->wait_ns ? 1 : x->wait_ns > y->wait_ns ? -1 : 0;
}

/* Room for n keys to delete and n picks. */
static int reserve_picks(struct peers *p, size_t n)
{
	void *d = p->del, *k = p->pick;
	int err = pair_reserve(&d, sizeof(*p->del), &k, sizeof(*p->pick), &p->del_cap, n);

	p->del = d;
	p->pick = k;
	return err;
}

/* The index entries of the ended epoch (slot) go to p->del (*ndel of
 * them); those of the half's elements in use, elems (first + [0, used)),
 * are picked by their blocked time. Returns the picks. */
static size_t gather_picks(struct peers *p, const struct peer_stats *elems, size_t first,
			   size_t used, __u32 slot, size_t *ndel)
{
	size_t npick = 0;

	for (size_t i = 0; i < p->index.len; i++) {
		const struct peer_key *k =
			(const void *)((char *)p->index.keys + i * sizeof(*k));
		__u32 elem = ((const __u32 *)p->index.values)[i];

		if (k->slot != slot)
			continue;
		p->del[*ndel] = *k;
		/* outside the half's elements in use: cannot happen, the
		 * kernel hands them out in order */
		if (elem >= first && elem < first + used) {
			p->pick[npick].wait_ns = elems[elem - first].wait_ns;
			p->pick[npick].elem = elem;
			p->pick[npick++].key = (__u32)*ndel;
		}
		(*ndel)++;
	}
	return npick;
}

static void count_drops(struct peers *p, struct snapshot *s)
{
	struct syscalls_bpf__bss *bss = p->skel->bss;

	s->dropped.map_full += counter_since(&bss->peer_drop_map_full, &p->full_seen);
	s->dropped.peers_unresolved += counter_since(&bss->peer_unresolved, &p->unresolved_seen);
}

/* The rows of the epoch that ended (ended: its number). Only the --top
 * entries of most blocked time become rows (the snapshot keeps no more, by
 * the same key: a row carries a 4.8 KiB histogram); the rest are counted
 * as truncated. Every element read is zeroed and its index entry deleted,
 * then the half is handed back to the kernel for the epoch after next. */
int peers_collect(struct peers *p, struct snapshot *s, __u32 ended)
{
	__u32 slot = (ended & 1) ? PEER_KEY_SLOT : 0;
	struct syscalls_bpf__bss *bss = p->skel->bss;
	size_t first = (ended & 1) * p->half, used, ndel = 0, n = 0;
	struct peer_stats *elems = NULL;
	struct map_window win = { 0 };
	int err;

	/* handed out in order: the ended half's elements in use are the first
	 * peer_next (which counts on past the half when it is full) */
	used = __atomic_load_n(&bss->peer_next[ended & 1], __ATOMIC_RELAXED);
	if (used > p->half)
		used = p->half;
	err = map_reader_read(&p->index);
	if (!err && used &&
	    !(elems = map_window_open(&win, bpf_map__fd(p->skel->maps.peer_table),
				      sizeof(*elems), first, used)))
		err = -errno;
	if (!err)
		err = reserve_picks(p, p->index.len);
	if (!err)
		n = gather_picks(p, elems, first, used, slot, &ndel);
	if (p->top && n > p->top) {
		qsort(p->pick, n, sizeof(*p->pick), cmp_pick);
		s->truncated.peers += n - p->top;
		n = p->top;
	}
	for (size_t j = 0; j < n && !err; j++)
		err = add_row(p, s, &p->del[p->pick[j].key], &elems[p->pick[j].elem - first]);
	/* the next use of this half starts from zero (elements handed out
	 * but never indexed, when two CPUs raced to make one entry, too) */
	if (elems) {
		memset(elems, 0, used * sizeof(*elems));
		map_window_close(&win);
	}
	delete_read(p, ndel);
	/* after a failure the half stays taken (new entries are counted as
	 * drops) rather than summed into stale figures */
	if (!err && (elems || !used))
		__atomic_store_n(&bss->peer_next[ended & 1], 0, __ATOMIC_SEQ_CST);
	count_drops(p, s);
	return err;
}

void peers_free(struct peers *p)
{
	if (!p)
		return;
	map_reader_free(&p->index);
	hashmap_free(p->names, free);
	free(p->del);
	free(p->pick);
	free(p);
}
