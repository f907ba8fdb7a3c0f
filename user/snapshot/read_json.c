/* JSON -> struct snapshot, field for field what write_json.c writes. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/histo.h"
#include "snapshot/write_json.h"
#include "snapshot/read_json.h"

/* Numbers are cut to [0, INT64_MAX]: what JSON readers (jansson too) take
 * as integers, so that a replayed snapshot written out reads back. */
static __u64 num_u64(const json_t *v)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		return i < 0 ? 0 : (__u64)i;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!(d > 0))	/* also NaN */
			return 0;
		return d >= 9223372036854775807.0 ? INT64_MAX : (__u64)d;
	}
	return 0;
}

static __u64 get_u64(const json_t *o, const char *key)
{
	return num_u64(json_object_get(o, key));
}

static __u32 get_u32(const json_t *o, const char *key)
{
	__u64 v = get_u64(o, key);

	return v > UINT32_MAX ? UINT32_MAX : (__u32)v;
}

static __u16 get_u16(const json_t *o, const char *key)
{
	__u64 v = get_u64(o, key);

	return v > UINT16_MAX ? UINT16_MAX : (__u16)v;
}

static double get_double(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* A string field cut to dst's size; "" when missing or not a string. */
static void get_str(const json_t *o, const char *key, char *dst, size_t dstsz)
{
	const json_t *v = json_object_get(o, key);

	size_t n;

	if (!dstsz)
		return;
	dst[0] = 0;
	if (!json_is_string(v))
		return;
	/* jansson's strings are valid UTF-8: cut between characters so
	 * they stay valid (and write out the same again) */
	n = json_string_length(v);
	if (n >= dstsz) {
		const unsigned char *p = (const unsigned char *)json_string_value(v);

		n = dstsz - 1;
		while (n && (p[n] & 0xC0) == 0x80)
			n--;
	}
	snap_strcpy(dst, dstsz, json_string_value(v), n);
}

#define GET_STR(o, key, field) get_str(o, key, field, sizeof(field))

/* "hist": [[upper bound, count], ...] -> dense counts; NULL when absent.
 * Any bound maps to a valid bucket (the one holding that value), so a
 * hostile file cannot index out of range. */
static int get_hist(const json_t *o, __u64 **out)
{
	const json_t *h = json_object_get(o, "hist"), *pair;
	size_t i;
	__u64 *hist;

	*out = NULL;
	if (!json_is_array(h))
		return 0;
	hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	if (!hist)
		return -1;
	json_array_foreach(h, i, pair) {
		__u64 c;

		if (!json_is_array(pair) || json_array_size(pair) != 2)
			continue;
		c = num_u64(json_array_get(pair, 1));
		if (!c)
			continue;
		__u32 b = hist_bucket(num_u64(json_array_get(pair, 0)));

		hist[b] = hist[b] + c > INT64_MAX ? INT64_MAX : hist[b] + c;
	}
	*out = hist;
	return 0;
}

static int get_stack(const json_t *o, char ***stack, size_t *n)
{
	const json_t *a = json_object_get(o, "stack"), *f;
	size_t i;

	*stack = NULL;
	*n = 0;
	if (!json_is_array(a) || !json_array_size(a))
		return 0;
	*stack = calloc(json_array_size(a), sizeof(char *));
	if (!*stack)
		return -1;
	json_array_foreach(a, i, f) {
		if (!json_is_string(f))
			continue;
		(*stack)[*n] = strndup(json_string_value(f), json_string_length(f));
		if (!(*stack)[*n])
			return -1;
		(*n)++;
	}
	return 0;
}

/* Each reader fills one row from one JSON object; -1 only on ENOMEM. */

static int read_syscall(const json_t *o, void *row)
{
	struct snap_syscall *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "syscall", r->syscall);
	r->nr = get_u32(o, "nr");
	r->count = get_u64(o, "count");
	r->errors = get_u64(o, "errors");
	r->total_ns = get_u64(o, "total_ns");
	r->p50_ns = get_u64(o, "p50_ns");
	r->p90_ns = get_u64(o, "p90_ns");
	r->p99_ns = get_u64(o, "p99_ns");
	r->p999_ns = get_u64(o, "p999_ns");
	r->max_ns = get_u64(o, "max_ns");
	return get_hist(o, &r->hist);
}

static int read_inflight(const json_t *o, void *row)
{
	struct snap_inflight *r = row;

	r->pid = get_u32(o, "pid");
	r->tid = get_u32(o, "tid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "syscall", r->syscall);
	r->nr = get_u32(o, "nr");
	r->elapsed_ns = get_u64(o, "elapsed_ns");
	return 0;
}

static int read_retrans(const json_t *o, void *row)
{
	struct snap_tcp_retrans *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "saddr", r->saddr);
	r->sport = get_u16(o, "sport");
	GET_STR(o, "daddr", r->daddr);
	r->dport = get_u16(o, "dport");
	GET_STR(o, "state", r->state);
	r->count = get_u64(o, "count");
	return 0;
}

static int read_reset(const json_t *o, void *row)
{
	struct snap_tcp_reset *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "saddr", r->saddr);
	r->sport = get_u16(o, "sport");
	GET_STR(o, "daddr", r->daddr);
	r->dport = get_u16(o, "dport");
	GET_STR(o, "direction", r->direction);
	r->count = get_u64(o, "count");
	return 0;
}

static int read_connect(const json_t *o, void *row)
{
	struct snap_tcp_connect *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "daddr", r->daddr);
	r->dport = get_u16(o, "dport");
	r->count = get_u64(o, "count");
	r->failed = get_u64(o, "failed");
	r->p50_ns = get_u64(o, "p50_ns");
	r->p99_ns = get_u64(o, "p99_ns");
	r->max_ns = get_u64(o, "max_ns");
	return get_hist(o, &r->hist);
}

static int read_tcp_peer(const json_t *o, void *row)
{
	struct snap_tcp_peer *r = row;

	GET_STR(o, "daddr", r->daddr);
	r->dport = get_u16(o, "dport");
	r->retransmits = get_u64(o, "retransmits");
	r->resets = get_u64(o, "resets");
	r->connects = get_u64(o, "connects");
	r->connect_failed = get_u64(o, "connect_failed");
	r->connect_p99_ns = get_u64(o, "connect_p99_ns");
	return 0;
}

static int read_kernel_lock(const json_t *o, void *row)
{
	struct snap_kernel_lock *r = row;

	GET_STR(o, "lock", r->lock);
	GET_STR(o, "symbol", r->symbol);
	GET_STR(o, "type", r->type);
	r->count = get_u64(o, "count");
	r->total_ns = get_u64(o, "total_ns");
	r->p99_ns = get_u64(o, "p99_ns");
	r->max_ns = get_u64(o, "max_ns");
	if (get_stack(o, &r->stack, &r->nstack))
		return -1;
	return get_hist(o, &r->hist);
}

static int read_user_lock(const json_t *o, void *row)
{
	struct snap_user_lock *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "uaddr", r->uaddr);
	GET_STR(o, "kind", r->kind);
	r->count = get_u64(o, "count");
	r->total_ns = get_u64(o, "total_ns");
	r->p99_ns = get_u64(o, "p99_ns");
	r->max_ns = get_u64(o, "max_ns");
	if (get_stack(o, &r->stack, &r->nstack))
		return -1;
	return get_hist(o, &r->hist);
}

static int read_blocked(const json_t *o, void *row)
{
	struct snap_pool_blocked *r = row;

	GET_STR(o, "peer", r->peer);
	r->io_ns = get_u64(o, "io_ns");
	return 0;
}

static int read_other(const json_t *o, void *row)
{
	struct snap_pool_other *r = row;

	r->tid = get_u32(o, "tid");
	GET_STR(o, "role", r->role);
	return 0;
}

static int read_pool_thread(const json_t *o, void *row)
{
	struct snap_pool_thread *r = row;

	r->tid = get_u32(o, "tid");
	GET_STR(o, "comm", r->comm);
	r->oncpu_ns = get_u64(o, "oncpu_ns");
	r->runq_ns = get_u64(o, "runq_ns");
	r->lock_ns = get_u64(o, "lock_ns");
	r->io_ns = get_u64(o, "io_ns");
	r->idle_ns = get_u64(o, "idle_ns");
	return 0;
}

static int read_rows(const json_t *arr, struct vec *v, int (*fn)(const json_t *, void *));

static int read_pool(const json_t *o, void *row)
{
	struct snap_pool *r = row;

	/* the row was zeroed by vec_push: set the element sizes first, so
	 * snapshot_free can release what is read even on failure */
	vec_init(&r->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&r->others, sizeof(struct snap_pool_other));
	vec_init(&r->thread_rows, sizeof(struct snap_pool_thread));
	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "pool", r->pool);
	r->threads = get_u32(o, "threads");
	r->busy_pct = get_double(o, "busy_pct");
	r->saturated_pct = get_double(o, "saturated_pct");
	r->oncpu_ns = get_u64(o, "oncpu_ns");
	r->runq_ns = get_u64(o, "runq_ns");
	r->lock_ns = get_u64(o, "lock_ns");
	r->io_ns = get_u64(o, "io_ns");
	r->idle_ns = get_u64(o, "idle_ns");
	r->runq_p99_ns = get_u64(o, "runq_p99_ns");
	if (read_rows(json_object_get(o, "blocked_on"), &r->blocked_on, read_blocked) ||
	    read_rows(json_object_get(o, "others"), &r->others, read_other) ||
	    read_rows(json_object_get(o, "thread_list"), &r->thread_rows, read_pool_thread))
		return -1;
	return 0;
}

static int read_peer(const json_t *o, void *row)
{
	struct snap_peer *r = row;

	r->pid = get_u32(o, "pid");
	GET_STR(o, "comm", r->comm);
	GET_STR(o, "peer", r->peer);
	r->calls = get_u64(o, "calls");
	r->bytes_in = get_u64(o, "bytes_in");
	r->bytes_out = get_u64(o, "bytes_out");
	r->roundtrips = get_u64(o, "roundtrips");
	r->wait_ns = get_u64(o, "wait_ns");
	r->p99_ns = get_u64(o, "p99_ns");
	r->max_ns = get_u64(o, "max_ns");
	return get_hist(o, &r->hist);
}

/* Every object of arr as one row of v; elements that are not objects are
 * skipped. -1 on ENOMEM. */
static int read_rows(const json_t *arr, struct vec *v, int (*fn)(const json_t *, void *))
{
	const json_t *o;
	size_t i;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, o) {
		void *row;

		if (!json_is_object(o))
			continue;
		row = vec_push(v);
		if (!row || fn(o, row))
			return -1;
	}
	return 0;
}

static struct snapshot *from_root(const json_t *root, char *err, size_t errsz)
{
	const json_t *schema = json_object_get(root, "schema"), *o;
	struct snapshot *s;

	if (!json_is_object(root) || !json_is_string(schema) ||
	    strncmp(json_string_value(schema), "latscope/", 9)) {
		snprintf(err, errsz, "not a latscope snapshot (no \"schema\": \"%s\")", SCHEMA_NAME);
		return NULL;
	}
	if (strcmp(json_string_value(schema), SCHEMA_NAME)) {
		snprintf(err, errsz, "schema '%.40s' is not %s, the one this latscope reads",
			 json_string_value(schema), SCHEMA_NAME);
		return NULL;
	}
	if (!json_is_integer(json_object_get(root, "ts_ns"))) {
		snprintf(err, errsz, "not a latscope snapshot (no integer \"ts_ns\")");
		return NULL;
	}
	s = snapshot_new();
	if (!s)
		goto oom;
	GET_STR(root, "host", s->host);
	GET_STR(root, "kernel", s->kernel);
	s->ts_ns = get_u64(root, "ts_ns");
	s->interval_ns = get_u64(root, "interval_ns");
	o = json_object_get(root, "probes");
	for (int f = 0; f < FAM_NR; f++) {
		if (json_is_string(json_object_get(o, family_names[f])))
			GET_STR(o, family_names[f], s->probes[f]);
	}
	if (read_rows(json_object_get(root, "syscalls"), &s->syscalls, read_syscall) ||
	    read_rows(json_object_get(root, "inflight"), &s->inflight, read_inflight))
		goto oom;
	o = json_object_get(root, "tcp");
	if (read_rows(json_object_get(o, "retransmits"), &s->tcp_retrans, read_retrans) ||
	    read_rows(json_object_get(o, "resets"), &s->tcp_resets, read_reset) ||
	    read_rows(json_object_get(o, "connect"), &s->tcp_connect, read_connect) ||
	    read_rows(json_object_get(o, "by_peer"), &s->tcp_peers, read_tcp_peer))
		goto oom;
	o = json_object_get(root, "locks");
	if (read_rows(json_object_get(o, "kernel"), &s->kernel_locks, read_kernel_lock) ||
	    read_rows(json_object_get(o, "user"), &s->user_locks, read_user_lock))
		goto oom;
	if (read_rows(json_object_get(root, "pools"), &s->pools, read_pool) ||
	    read_rows(json_object_get(root, "peers"), &s->peers, read_peer))
		goto oom;
	o = json_object_get(root, "truncated");
	s->truncated.syscalls = get_u64(o, "syscalls");
	s->truncated.tcp = get_u64(o, "tcp");
	s->truncated.locks = get_u64(o, "locks");
	s->truncated.pools = get_u64(o, "pools");
	s->truncated.peers = get_u64(o, "peers");
	o = json_object_get(root, "dropped");
	s->dropped.events = get_u64(o, "events");
	s->dropped.map_full = get_u64(o, "map_full");
	s->dropped.peers_unresolved = get_u64(o, "peers_unresolved");
	return s;
oom:
	snapshot_free(s);
	snprintf(err, errsz, "out of memory");
	return NULL;
}

struct snapshot *snapshot_read_json(const char *buf, size_t len, char *err, size_t errsz)
{
	json_error_t jerr;
	struct snapshot *s;
	json_t *root;

	/* JSON_REJECT_DUPLICATES: one meaning per key; no embedded NULs */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errsz, "not JSON (%s at column %d)", jerr.text, jerr.column);
		return NULL;
	}
	s = from_root(root, err, errsz);
	json_decref(root);
	return s;
}
