/* The requests view's collector: reads the per-(process, listener,
 * client) entries the syscalls family's sys_exit made
 * (bpf/requests_work.h) for the interval that ended, sums each listener's
 * from its clients', deletes them, and lists the requests open now from
 * the server connections' entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/requests_row.h"
#include "collect/requests_seed.h"
#include "collect/requests_view.h"
#include "collect/peers_name.h"
#include "collect/pools_shared.h"
#include "lib/hashmap.h"
#include "lib/procfs.h"
#include "syscalls.h"
#include "peers.h"
#include "requests.h"
#include "syscalls.skel.h"

#define INFLIGHT_MIN_NS 100000000ULL	/* open at least 100 ms, like blocked calls */
#define REQ_RT_TOP 16	/* downstream peers per listener, most round trips first */

struct requests {
	struct syscalls_bpf *skel;
	struct map_reader clients, conns, accepts, rts;
	struct req_rt_key *rdel;	/* round-trip keys to delete */
	size_t rdel_cap;
	struct hashmap *names;	/* peer id -> name */
	struct req_key *adel;	/* accept-queue keys to delete */
	size_t adel_cap;
	/* /proc/net/netstat's ListenOverflows and ListenDrops when last read
	 * (have: read once) */
	__u64 overflows, drops;
	bool have_listen;
	/* of the rows made this interval, by row: the listener, and its
	 * figures summed over its clients (2.4 KiB each) */
	struct req_key *keys;
	struct req_stats *acc;
	size_t keys_cap, acc_cap;
	struct req_client_key *del;	/* keys to delete */
	size_t del_cap;
	__u64 full_seen;
};

static void listen_counters(struct requests *r, struct snapshot *s);

void requests_share_threads(struct syscalls_bpf *skel, const struct options *o)
{
	if (!o->requests || !o->probes[FAM_POOLS])
		return;
	pools_shared_table_fd = bpf_map__fd(skel->maps.thread_table);
	pools_shared_slots_fd = bpf_map__fd(skel->maps.thread_slots);
}

void requests_configure(struct syscalls_bpf *skel, const struct options *o)
{
	bool on = o->requests;
	/* the pools family's thread states, for the split of request time */
	__u32 threads = on && o->probes[FAM_POOLS] ? pools_thread_map_size(o) : 1;

	bpf_map__set_max_entries(skel->maps.thread_table, threads);
	bpf_map__set_max_entries(skel->maps.thread_slots, threads);
	skel->rodata->requests_on = on;
	if (on)
		return;
	bpf_map__set_max_entries(skel->maps.req_ports, 1);
	bpf_map__set_max_entries(skel->maps.req_conns, 64);
	bpf_map__set_max_entries(skel->maps.req_clients, 1);
	bpf_map__set_max_entries(skel->maps.req_accepts, 1);
	bpf_map__set_max_entries(skel->maps.req_queued, 1);
	bpf_map__set_max_entries(skel->maps.req_roundtrips, 1);
	bpf_program__set_autoload(skel->progs.req_handshake, false);
}

struct requests *requests_new(struct syscalls_bpf *skel)
{
	struct requests *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->skel = skel;
	map_reader_init(&r->clients, bpf_map__fd(skel->maps.req_clients),
			sizeof(struct req_client_key), sizeof(struct req_stats));
	map_reader_init(&r->conns, bpf_map__fd(skel->maps.req_conns),
			sizeof(struct req_conn_key), sizeof(struct req_conn));
	map_reader_init(&r->accepts, bpf_map__fd(skel->maps.req_accepts),
			sizeof(struct req_key), sizeof(struct req_accept_stats));
	map_reader_init(&r->rts, bpf_map__fd(skel->maps.req_roundtrips),
			sizeof(struct req_rt_key), sizeof(struct req_rt_stats));
	listen_counters(r, NULL);
	requests_seed(bpf_map__fd(skel->maps.req_ports));
	return r;
}

static int reserve(void **a, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n <= *cap)
		return 0;
	p = realloc(*a, n * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	*cap = n;
	return 0;
}

/* Deletes the n keys (of size ksize each) at keys from map fd. */
static void delete_keys(int fd, const void *keys, size_t ksize, size_t n)
{
	__u32 count = (__u32)n;

	if (!n || bpf_map_delete_batch(fd, keys, &count, NULL) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, (const char *)keys + i * ksize);
}

static bool same_listener(const struct req_key *a, __u32 tgid, __u64 pstart,
			  const struct req_listener *l)
{
	return a->tgid == tgid && a->pstart == pstart && !memcmp(&a->l, l, sizeof(*l));
}

/* The row made this interval for (tgid, pstart, l), or -1. */
static long row_of(struct requests *r, struct snapshot *s, size_t first, __u32 tgid,
		   __u64 pstart, const struct req_listener *l)
{
	for (size_t i = first; i < s->requests.len; i++)
		if (same_listener(&r->keys[i - first], tgid, pstart, l))
			return (long)i;
	return -1;
}

/* A row for listener k, its key remembered and its figures zeroed (filled
 * by fill_rows once its clients are summed). */
static int push_row(struct requests *r, struct snapshot *s, size_t first,
		    const struct req_key *k)
{
	struct snap_request *row;
	size_t n = s->requests.len - first;
	int err;

	if ((err = reserve((void **)&r->keys, &r->keys_cap, n + 1, sizeof(*r->keys))) ||
	    (err = reserve((void **)&r->acc, &r->acc_cap, n + 1, sizeof(*r->acc))))
		return err;
	row = vec_push(&s->requests);
	if (!row)
		return -ENOMEM;
	snap_row_init(snap_section_named("requests"), row);
	r->keys[n] = *k;
	memset(&r->acc[n], 0, sizeof(r->acc[n]));
	return 0;
}

/* The rows from rows [first, ...) and their summed figures. */
static int fill_rows(struct requests *r, struct snapshot *s, size_t first)
{
	for (size_t i = first; i < s->requests.len; i++) {
		struct snap_request *row = vec_at(&s->requests, struct snap_request, i);
		int err = req_row_fill(row, &r->keys[i - first], &r->acc[i - first]);

		if (err)
			return err;
		s->truncated.requests += req_clients_cut(row, REQ_CLIENTS_TOP);
	}
	return 0;
}

/* The ended parity's entries: a client row each, summed into its
 * listener's row; their keys go. */
static int collect_clients(struct requests *r, struct snapshot *s, size_t first, __u32 slot)
{
	size_t ndel = 0;
	int err = map_reader_read(&r->clients);

	if (!err)
		err = reserve((void **)&r->del, &r->del_cap, r->clients.len, sizeof(*r->del));
	for (size_t i = 0; !err && i < r->clients.len; i++) {
		const struct req_client_key *k =
			(const void *)((char *)r->clients.keys + i * sizeof(*k));
		const struct req_stats *st =
			(const void *)((char *)r->clients.values + i * sizeof(*st));
		long row;

		if (k->k.slot != slot)
			continue;
		r->del[ndel++] = *k;
		row = row_of(r, s, first, k->k.tgid, k->k.pstart, &k->k.l);
		if (row < 0 && !(err = push_row(r, s, first, &k->k)))
			row = (long)s->requests.len - 1;
		if (err)
			break;
		req_stats_add(&r->acc[row - (long)first], st);
		err = req_client_add(vec_at(&s->requests, struct snap_request, row), k, st);
	}
	delete_keys(r->clients.fd, r->del, sizeof(*r->del), ndel);
	return err ? err : fill_rows(r, s, first);
}

/* The requests open now: counted on their listener's row (made, empty,
 * when none ended in the interval) and listed when open 100 ms or more. */
static int collect_open(struct requests *r, struct snapshot *s, size_t first)
{
	__u64 now = mono_ns();
	int err = map_reader_read(&r->conns);

	for (size_t i = 0; !err && i < r->conns.len; i++) {
		const struct req_conn_key *ck = (const void *)((char *)r->conns.keys + i * sizeof(*ck));
		const struct req_conn *c = (const void *)((char *)r->conns.values + i * sizeof(*c));
		struct snap_inflight_request tmp = { 0 }, *fr;
		long row;

		if (c->state != REQ_RECEIVING)
			continue;
		row = row_of(r, s, first, ck->tgid, c->pstart, &c->l);
		if (row < 0) {
			struct req_key k = { .pstart = c->pstart, .tgid = ck->tgid, .l = c->l };
			size_t n = s->requests.len - first;

			if ((err = push_row(r, s, first, &k)))
				break;
			row = (long)s->requests.len - 1;
			memcpy(r->acc[n].comm, c->comm, sizeof(c->comm));
			err = req_row_fill(vec_at(&s->requests, struct snap_request, row), &k,
					   &r->acc[n]);
			if (err)
				break;
		}
		vec_at(&s->requests, struct snap_request, row)->inflight++;
		if (!req_inflight_fill(&tmp, ck->tgid, c, now, INFLIGHT_MIN_NS))
			continue;
		fr = vec_push(&s->inflight_requests);
		if (!fr)
			return -ENOMEM;
		*fr = tmp;
	}
	return err;
}

/* The ended parity's round trips per (listener, downstream peer): on their
 * listener's row (made this interval, rows [first, ...)); their keys go. */
static int collect_rts(struct requests *r, struct snapshot *s, size_t first, __u32 slot)
{
	int names_fd = bpf_map__fd(r->skel->maps.peer_names);
	size_t ndel = 0;
	int err = map_reader_read(&r->rts);

	if (!err)
		err = reserve((void **)&r->rdel, &r->rdel_cap, r->rts.len, sizeof(*r->rdel));
	for (size_t i = 0; !err && i < r->rts.len; i++) {
		const struct req_rt_key *k = (const void *)((char *)r->rts.keys + i * sizeof(*k));
		const struct req_rt_stats *st =
			(const void *)((char *)r->rts.values + i * sizeof(*st));
		const char *name;
		long row;

		if (k->k.slot != slot)
			continue;
		r->rdel[ndel++] = *k;
		row = row_of(r, s, first, k->k.tgid, k->k.pstart, &k->k.l);
		if (row < 0)
			continue;	/* its requests were not recorded (a full map) */
		name = peer_name_cached(&r->names, 4096, names_fd, k->peer);
		err = req_rt_add(vec_at(&s->requests, struct snap_request, row),
				 name ? name : "?", st);
	}
	delete_keys(r->rts.fd, r->rdel, sizeof(*r->rdel), ndel);
	for (size_t i = first; !err && i < s->requests.len; i++)
		s->truncated.requests +=
			req_rt_cut(vec_at(&s->requests, struct snap_request, i), REQ_RT_TOP);
	return err;
}

/* The ended parity's accept queues: a listeners row each; their keys go. */
static int collect_accepts(struct requests *r, struct snapshot *s, __u32 slot)
{
	size_t ndel = 0;
	int err = map_reader_read(&r->accepts);

	if (!err)
		err = reserve((void **)&r->adel, &r->adel_cap, r->accepts.len, sizeof(*r->adel));
	for (size_t i = 0; !err && i < r->accepts.len; i++) {
		const struct req_key *k = (const void *)((char *)r->accepts.keys + i * sizeof(*k));
		const struct req_accept_stats *st =
			(const void *)((char *)r->accepts.values + i * sizeof(*st));
		struct snap_listener *row;

		if (k->slot != slot)
			continue;
		r->adel[ndel++] = *k;
		row = vec_push(&s->listeners);
		err = row ? req_listener_fill(row, k, st) : -ENOMEM;
	}
	delete_keys(r->accepts.fd, r->adel, sizeof(*r->adel), ndel);
	return err;
}

/* The host's listen overflows and drops since the last call, into s (NULL:
 * only remember them). A namespace without the counters gives none. */
static void listen_counters(struct requests *r, struct snapshot *s)
{
	__u64 v[2];

	if (procfs_netstat("TcpExt", (const char *const[]){ "ListenOverflows", "ListenDrops" },
			   2, v))
		return;
	if (s && r->have_listen) {
		s->listen.overflows += v[0] > r->overflows ? v[0] - r->overflows : 0;
		s->listen.drops += v[1] > r->drops ? v[1] - r->drops : 0;
	}
	r->overflows = v[0];
	r->drops = v[1];
	r->have_listen = true;
}

int requests_collect(struct requests *r, struct snapshot *s, __u32 ended)
{
	__u32 slot = (ended & 1) ? REQ_KEY_SLOT : 0;
	size_t first = s->requests.len;
	int err, e2;

	err = collect_clients(r, s, first, slot);
	e2 = collect_rts(r, s, first, slot);
	err = err ? err : e2;
	e2 = collect_open(r, s, first);
	err = err ? err : e2;
	e2 = collect_accepts(r, s, slot);
	err = err ? err : e2;
	listen_counters(r, s);
	s->dropped.map_full += counter_since(&r->skel->bss->req_drop_full, &r->full_seen);
	return err;
}

void requests_free(struct requests *r)
{
	if (!r)
		return;
	map_reader_free(&r->clients);
	map_reader_free(&r->conns);
	map_reader_free(&r->accepts);
	map_reader_free(&r->rts);
	free(r->adel);
	free(r->rdel);
	hashmap_free(r->names, free);
	free(r->keys);
	free(r->acc);
	free(r->del);
	free(r);
}
