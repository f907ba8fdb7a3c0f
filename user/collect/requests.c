/* The requests view's collector: reads the per-(process, listener) and
 * per-client entries the syscalls family's sys_exit made
 * (bpf/requests_work.h) for the interval that ended, deletes them, and
 * lists the requests open now from the server connections' entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/requests_row.h"
#include "collect/requests_seed.h"
#include "collect/requests_view.h"
#include "syscalls.h"
#include "peers.h"
#include "requests.h"
#include "syscalls.skel.h"

#define INFLIGHT_MIN_NS 100000000ULL	/* open at least 100 ms, like blocked calls */

struct requests {
	struct syscalls_bpf *skel;
	struct map_reader stats, clients, conns;
	struct req_key *keys;	/* of the rows made this interval, by row */
	size_t keys_cap;
	void *del;		/* keys to delete (the larger key size) */
	size_t del_cap;
	__u64 full_seen;
};

void requests_configure(struct syscalls_bpf *skel, bool on)
{
	skel->rodata->requests_on = on;
	if (on)
		return;
	bpf_map__set_max_entries(skel->maps.req_ports, 1);
	bpf_map__set_max_entries(skel->maps.req_conns, 64);
	bpf_map__set_max_entries(skel->maps.req_stats, 1);
	bpf_map__set_max_entries(skel->maps.req_clients, 1);
}

struct requests *requests_new(struct syscalls_bpf *skel)
{
	struct requests *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->skel = skel;
	map_reader_init(&r->stats, bpf_map__fd(skel->maps.req_stats),
			sizeof(struct req_key), sizeof(struct req_stats));
	map_reader_init(&r->clients, bpf_map__fd(skel->maps.req_clients),
			sizeof(struct req_client_key), sizeof(struct req_client_stats));
	map_reader_init(&r->conns, bpf_map__fd(skel->maps.req_conns),
			sizeof(struct req_conn_key), sizeof(struct req_conn));
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

/* Deletes n keys of key_size at r->del from map fd. */
static void delete_keys(struct requests *r, int fd, size_t n, size_t key_size)
{
	__u32 count = (__u32)n;

	if (!n || bpf_map_delete_batch(fd, r->del, &count, NULL) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, (char *)r->del + i * key_size);
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

/* A row for key k (made from st), its key remembered. */
static int push_row(struct requests *r, struct snapshot *s, size_t first,
		    const struct req_key *k, const struct req_stats *st)
{
	struct snap_request *row;
	size_t n = s->requests.len - first;
	int err;

	if ((err = reserve((void **)&r->keys, &r->keys_cap, n + 1, sizeof(*r->keys))))
		return err;
	row = vec_push(&s->requests);
	if (!row)
		return -ENOMEM;
	snap_row_init(snap_section_named("requests"), row);
	r->keys[n] = *k;
	if ((err = req_row_fill(row, k, st))) {
		s->requests.len--;
		return err;
	}
	return 0;
}

/* The ended parity's listener entries become rows; their keys go. */
static int collect_listeners(struct requests *r, struct snapshot *s, size_t first, __u32 slot)
{
	size_t ndel = 0;
	int err = map_reader_read(&r->stats);

	if (!err)
		err = reserve(&r->del, &r->del_cap, r->stats.len, sizeof(struct req_client_key));
	for (size_t i = 0; !err && i < r->stats.len; i++) {
		const struct req_key *k = (const void *)((char *)r->stats.keys + i * sizeof(*k));
		const struct req_stats *st =
			(const void *)((char *)r->stats.values + i * sizeof(*st));

		if (k->slot != slot)
			continue;
		((struct req_key *)r->del)[ndel++] = *k;
		err = push_row(r, s, first, k, st);
	}
	delete_keys(r, r->stats.fd, ndel, sizeof(struct req_key));
	return err;
}

/* The ended parity's client entries go to their listener's row. */
static int collect_clients(struct requests *r, struct snapshot *s, size_t first, __u32 slot)
{
	size_t ndel = 0;
	int err = map_reader_read(&r->clients);

	if (!err)
		err = reserve(&r->del, &r->del_cap, r->clients.len, sizeof(struct req_client_key));
	for (size_t i = 0; !err && i < r->clients.len; i++) {
		const struct req_client_key *k =
			(const void *)((char *)r->clients.keys + i * sizeof(*k));
		const struct req_client_stats *st =
			(const void *)((char *)r->clients.values + i * sizeof(*st));
		long row;

		if (k->k.slot != slot)
			continue;
		((struct req_client_key *)r->del)[ndel++] = *k;
		row = row_of(r, s, first, k->k.tgid, k->k.pstart, &k->k.l);
		if (row >= 0)
			err = req_client_add(vec_at(&s->requests, struct snap_request, row), k, st);
	}
	delete_keys(r, r->clients.fd, ndel, sizeof(struct req_client_key));
	for (size_t i = first; i < s->requests.len; i++)
		s->truncated.requests +=
			req_clients_cut(vec_at(&s->requests, struct snap_request, i), REQ_CLIENTS_TOP);
	return err;
}

/* The requests open now: counted on their listener's row (made, empty,
 * when none ended in the interval) and listed when open 100 ms or more. */
static int collect_open(struct requests *r, struct snapshot *s, size_t first)
{
	static const struct req_stats none;
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

			if ((err = push_row(r, s, first, &k, &none)))
				break;
			row = (long)s->requests.len - 1;
			snap_strcpy(vec_at(&s->requests, struct snap_request, row)->comm,
				    SNAP_COMM_LEN, c->comm, sizeof(c->comm));
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

int requests_collect(struct requests *r, struct snapshot *s, __u32 ended)
{
	__u32 slot = (ended & 1) ? REQ_KEY_SLOT : 0;
	size_t first = s->requests.len;
	int err, e2;

	err = collect_listeners(r, s, first, slot);
	e2 = collect_clients(r, s, first, slot);
	err = err ? err : e2;
	e2 = collect_open(r, s, first);
	err = err ? err : e2;
	s->dropped.map_full += counter_since(&r->skel->bss->req_drop_full, &r->full_seen);
	return err;
}

void requests_free(struct requests *r)
{
	if (!r)
		return;
	map_reader_free(&r->stats);
	map_reader_free(&r->clients);
	map_reader_free(&r->conns);
	free(r->keys);
	free(r->del);
	free(r);
}
