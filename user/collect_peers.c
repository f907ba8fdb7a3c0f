/* The peers view's collector: reads the per-(process, peer) entries the
 * syscalls family's sys_exit made (bpf/peers_work.h) for the interval that
 * ended, names each peer id once (the kernel's peer_names map, cached
 * here), and makes the snapshot's peers rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_util.h"
#include "collect_peers.h"
#include "hashmap.h"
#include "histo.h"
#include "peer_name.h"
#include "syscalls.h"
#include "peers.h"
#include "syscalls.skel.h"

/* Names kept by the frontend: past this many, the cache starts over (the
 * names of peers still in use are read again from the kernel). */
#define NAME_CACHE_MAX 65536

struct peers {
	struct syscalls_bpf *skel;
	struct map_reader stats;
	struct hashmap *names;	/* peer id -> char * */
	struct peer_key *del;
	size_t del_cap;
	__u64 full_seen, unresolved_seen;
};

void peers_configure(struct syscalls_bpf *skel, bool on, long procs)
{
	long n = procs * 8 * 2;

	skel->rodata->peers_on = on;
	/* (process, peer) pairs of two intervals: room for 8 peers per process
	 * now running, 8192 to 16384 entries (2.5 KiB each, preallocated: 20 to
	 * 40 MiB of kernel memory); a full map is counted as a drop. Off, the
	 * maps are made as small as they can be. */
	bpf_map__set_max_entries(skel->maps.peer_stats,
				 !on ? 1 : (__u32)(n < 8192 ? 8192 : n > 16384 ? 16384 : n));
	if (!on)
		bpf_map__set_max_entries(skel->maps.peer_names, 64);
}

struct peers *peers_new(struct syscalls_bpf *skel)
{
	struct peers *p = calloc(1, sizeof(*p));

	if (!p) {
		return NULL;
	}
	p->skel = skel;
	map_reader_init(&p->stats, bpf_map__fd(skel->maps.peer_stats),
			sizeof(struct peer_key), sizeof(struct peer_stats));
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
	if (bpf_map_delete_batch(p->stats.fd, p->del, &count, NULL) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(p->stats.fd, &p->del[i]);
}

int peers_collect(struct peers *p, struct snapshot *s, __u32 ended)
{
	__u32 slot = (ended & 1) ? PEER_KEY_SLOT : 0;
	struct syscalls_bpf__bss *bss = p->skel->bss;
	__u64 drops, unres;
	size_t ndel = 0;
	int err = map_reader_read(&p->stats);

	if (!err && p->del_cap < p->stats.len) {
		void *n = realloc(p->del, p->stats.len * sizeof(*p->del));

		if (!n)
			err = -ENOMEM;
		else {
			p->del = n;
			p->del_cap = p->stats.len;
		}
	}
	for (size_t i = 0; !err && i < p->stats.len; i++) {
		const struct peer_key *k =
			(const void *)((char *)p->stats.keys + i * sizeof(*k));
		const struct peer_stats *st =
			(const void *)((char *)p->stats.values + i * sizeof(*st));

		if (k->slot != slot)
			continue;
		p->del[ndel++] = *k;
		err = add_row(p, s, k, st);
	}
	delete_read(p, ndel);

	drops = __atomic_load_n(&bss->peer_drop_map_full, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->full_seen;
	p->full_seen = drops;
	unres = __atomic_load_n(&bss->peer_unresolved, __ATOMIC_RELAXED);
	s->dropped.peers_unresolved += unres - p->unresolved_seen;
	p->unresolved_seen = unres;
	return err;
}

void peers_free(struct peers *p)
{
	if (!p)
		return;
	map_reader_free(&p->stats);
	hashmap_free(p->names, free);
	free(p->del);
	free(p);
}
