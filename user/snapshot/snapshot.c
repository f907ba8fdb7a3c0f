#include <stdlib.h>
#include <string.h>
#include "snapshot/snapshot.h"

const char *const family_names[FAM_NR] = { "syscalls", "tcp", "locks", "pools" };

void vec_init(struct vec *v, size_t elem)
{
	memset(v, 0, sizeof(*v));
	v->elem = elem;
}

void *vec_push(struct vec *v)
{
	void *row;

	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *nd = realloc(v->data, cap * v->elem);

		if (!nd)
			return NULL;
		v->data = nd;
		v->cap = cap;
	}
	row = (char *)v->data + v->len * v->elem;
	memset(row, 0, v->elem);
	v->len++;
	return row;
}

void vec_free(struct vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

struct snapshot *snapshot_new(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	for (size_t i = 0; i < snap_nsections; i++)
		vec_init(snap_section_vec(s, &snap_sections[i]), snap_sections[i].elem);
	for (int f = 0; f < FAM_NR; f++)
		strcpy(s->probes[f], "off");
	return s;
}

/* The section whose list v is, NULL if none. */
static const struct snap_section *section_of(struct snapshot *s, const struct vec *v)
{
	for (size_t i = 0; i < snap_nsections; i++)
		if (snap_section_vec(s, &snap_sections[i]) == v)
			return &snap_sections[i];
	return NULL;
}

/* Release what rows own, from index from to the end. */
static void free_rows(struct snapshot *s, struct vec *v, size_t from)
{
	const struct snap_section *sec = section_of(s, v);

	for (size_t i = from; sec && i < v->len; i++)
		snap_row_release(sec, (char *)v->data + i * v->elem);
}

void snapshot_free(struct snapshot *s)
{
	struct vec *v;

	if (!s)
		return;
	/* owners may be on two threads (the TUI draws in its own) */
	if (__atomic_fetch_sub(&s->holds, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (size_t i = 0; i < snap_nsections; i++) {
		v = snap_section_vec(s, &snap_sections[i]);
		free_rows(s, v, 0);
		vec_free(v);
	}
	free(s);
}

struct snapshot *snapshot_hold(const struct snapshot *s)
{
	struct snapshot *m = (struct snapshot *)s;

	__atomic_fetch_add(&m->holds, 1, __ATOMIC_RELAXED);
	return m;
}

#define CMP_DESC(name, type, field)                                   \
	static int name(const void *a, const void *b)                 \
	{                                                             \
		const type *x = a, *y = b;                            \
		return x->field < y->field ? 1 : x->field > y->field ? -1 : 0; \
	}

CMP_DESC(cmp_syscall, struct snap_syscall, total_ns)
CMP_DESC(cmp_inflight, struct snap_inflight, elapsed_ns)
CMP_DESC(cmp_retrans, struct snap_tcp_retrans, count)
CMP_DESC(cmp_reset, struct snap_tcp_reset, count)
CMP_DESC(cmp_connect_fail, struct snap_tcp_connect, failed)
CMP_DESC(cmp_klock, struct snap_kernel_lock, total_ns)
CMP_DESC(cmp_ulock, struct snap_user_lock, total_ns)
CMP_DESC(cmp_pool, struct snap_pool, saturated_pct)
CMP_DESC(cmp_peer, struct snap_peer, wait_ns)
CMP_DESC(cmp_request, struct snap_request, total_ns)
CMP_DESC(cmp_inflight_request, struct snap_inflight_request, elapsed_ns)

static int cmp_connect(const void *a, const void *b)
{
	const struct snap_tcp_connect *x = a, *y = b;

	if (x->failed != y->failed)
		return cmp_connect_fail(a, b);
	return x->p99_ns < y->p99_ns ? 1 : x->p99_ns > y->p99_ns ? -1 : 0;
}

static int cmp_tcp_peer(const void *a, const void *b)
{
	const struct snap_tcp_peer *x = a, *y = b;
	__u64 cx = x->retransmits + x->resets + x->connect_failed;
	__u64 cy = y->retransmits + y->resets + y->connect_failed;

	if (cx != cy)
		return cx < cy ? 1 : -1;
	return x->connect_p99_ns < y->connect_p99_ns ? 1 :
	       x->connect_p99_ns > y->connect_p99_ns ? -1 : 0;
}

static int cmp_pool_full(const void *a, const void *b)
{
	const struct snap_pool *x = a, *y = b;

	if (x->saturated_pct != y->saturated_pct)
		return cmp_pool(a, b);
	return x->busy_pct < y->busy_pct ? 1 : x->busy_pct > y->busy_pct ? -1 : 0;
}

/* Sort v and keep at most top rows; returns how many were cut. */
static __u64 sort_cut(struct snapshot *s, struct vec *v, int (*cmp)(const void *, const void *),
		      size_t top)
{
	__u64 cut = 0;

	if (v->len > 1)
		qsort(v->data, v->len, v->elem, cmp);
	if (v->len > top) {
		cut = v->len - top;
		free_rows(s, v, top);
		v->len = top;
	}
	return cut;
}

void snapshot_sort_truncate(struct snapshot *s, size_t top)
{
	/* added to what a collector already left out (see collect/syscalls.c) */
	s->truncated.syscalls += sort_cut(s, &s->syscalls, cmp_syscall, top) +
				 sort_cut(s, &s->inflight, cmp_inflight, top);
	s->truncated.tcp += sort_cut(s, &s->tcp_retrans, cmp_retrans, top) +
			    sort_cut(s, &s->tcp_resets, cmp_reset, top) +
			    sort_cut(s, &s->tcp_connect, cmp_connect, top) +
			    sort_cut(s, &s->tcp_peers, cmp_tcp_peer, top);
	s->truncated.locks += sort_cut(s, &s->kernel_locks, cmp_klock, top) +
			      sort_cut(s, &s->user_locks, cmp_ulock, top);
	s->truncated.pools += sort_cut(s, &s->pools, cmp_pool_full, top);
	s->truncated.peers += sort_cut(s, &s->peers, cmp_peer, top);
	s->truncated.requests += sort_cut(s, &s->requests, cmp_request, top) +
				 sort_cut(s, &s->inflight_requests, cmp_inflight_request, top);
}

void snap_strcpy(char *dst, size_t dstsz, const char *src, size_t n)
{
	size_t i;

	if (!dstsz)
		return;
	for (i = 0; i < n && i + 1 < dstsz && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}
