/* The requests view's rows (requests_row.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect/requests_row.h"
#include "snapshot/histo.h"

const char *req_addr_str(const __u8 addr[16], int v6, char *buf, size_t n)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

/* A dense copy of a kernel histogram; its count and top bucket. */
static __u64 *hist_copy(const __u32 *src, __u64 *count, int *top)
{
	__u64 *h = calloc(HIST_NBUCKETS, sizeof(*h));

	*count = 0;
	*top = -1;
	for (__u32 i = 0; h && i < HIST_NBUCKETS; i++) {
		h[i] = src[i];
		*count += h[i];
		if (h[i])
			*top = (int)i;
	}
	return h;
}

/* max is kept without a lock in the kernel: never below the top bucket */
static __u64 max_fix(__u64 max, int top)
{
	if (top >= 0 && max < hist_bucket_lo((__u32)top))
		return hist_bucket_lo((__u32)top);
	return max;
}

/* A listener row's process name (from the kernel's 16 bytes) and address. */
static void listener_names(char *comm, size_t commsz, char *laddr, size_t laddrsz,
			   const struct req_key *k, const char kcomm[16])
{
	char buf[SNAP_ADDR_LEN];

	snap_strcpy(comm, commsz, kcomm, 16);
	snprintf(laddr, laddrsz, "%s", req_addr_str(k->l.addr, k->l.v6, buf, sizeof(buf)));
}

int req_row_fill(struct snap_request *row, const struct req_key *k, const struct req_stats *st)
{
	static const double qs[] = { 0.50, 0.90, 0.99, 0.999 };
	__u64 out[4], count;
	int top;

	row->hist = hist_copy(st->hist, &count, &top);
	if (!row->hist)
		return -ENOMEM;
	row->pid = k->tgid;
	listener_names(row->comm, sizeof(row->comm), row->laddr, sizeof(row->laddr), k, st->comm);
	row->port = k->l.port;
	row->requests = count;
	row->total_ns = st->total_ns;
	row->max_ns = max_fix(st->max_ns, top);
	hist_percentiles(row->hist, count, qs, 4, row->max_ns, out);
	row->p50_ns = out[0];
	row->p90_ns = out[1];
	row->p99_ns = out[2];
	row->p999_ns = out[3];
	row->ttfb_total_ns = st->ttfb_total_ns;
	row->ttfb_max_ns = st->ttfb_max_ns;
	row->bytes_in = st->bytes_in;
	row->bytes_out = st->bytes_out;
	row->accepted = st->accepted;
	row->closed = st->closed;
	row->not_attributable = st->shared;
	row->why_requests = st->why_requests;
	row->why_oncpu_ns = st->why_ns[REQ_WHY_ONCPU];
	row->why_runq_ns = st->why_ns[REQ_WHY_RUNQ];
	row->why_lock_ns = st->why_ns[REQ_WHY_LOCK];
	row->why_io_ns = st->why_ns[REQ_WHY_IO];
	return 0;
}

void req_stats_add(struct req_stats *acc, const struct req_stats *st)
{
	acc->total_ns += st->total_ns;
	acc->ttfb_total_ns += st->ttfb_total_ns;
	acc->bytes_in += st->bytes_in;
	acc->bytes_out += st->bytes_out;
	acc->accepted += st->accepted;
	acc->closed += st->closed;
	acc->shared += st->shared;
	acc->why_requests += st->why_requests;
	for (int i = 0; i < REQ_WHY_NR; i++)
		acc->why_ns[i] += st->why_ns[i];
	if (st->max_ns > acc->max_ns)
		acc->max_ns = st->max_ns;
	if (st->ttfb_max_ns > acc->ttfb_max_ns)
		acc->ttfb_max_ns = st->ttfb_max_ns;
	if (!acc->comm[0])
		memcpy(acc->comm, st->comm, sizeof(acc->comm));
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		acc->hist[i] += st->hist[i];
}

int req_client_add(struct snap_request *row, const struct req_client_key *k,
		   const struct req_stats *st)
{
	static const double q99 = 0.99;
	struct snap_request_client *c;
	__u64 count, *h;
	int top;

	h = hist_copy(st->hist, &count, &top);
	c = h ? vec_push(&row->clients) : NULL;
	if (!c) {
		free(h);
		return -ENOMEM;
	}
	req_addr_str(k->caddr, k->cv6, c->client, sizeof(c->client));
	c->requests = count;
	c->total_ns = st->total_ns;
	c->max_ns = max_fix(st->max_ns, top);
	hist_percentiles(h, count, &q99, 1, c->max_ns, &c->p99_ns);
	free(h);
	return 0;
}

static int cmp_client(const void *a, const void *b)
{
	const struct snap_request_client *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->client, y->client);
}

/* v sorted by cmp, cut to top rows; the number cut */
static size_t sort_cut(struct vec *v, int (*cmp)(const void *, const void *), size_t top)
{
	size_t cut = 0;

	if (v->len > 1)
		qsort(v->data, v->len, v->elem, cmp);
	if (v->len > top) {
		cut = v->len - top;
		v->len = top;
	}
	return cut;
}

size_t req_clients_cut(struct snap_request *row, size_t top)
{
	return sort_cut(&row->clients, cmp_client, top);
}

int req_inflight_fill(struct snap_inflight_request *row, __u32 tgid, const struct req_conn *c,
		      __u64 now, __u64 min_ns)
{
	char buf[SNAP_ADDR_LEN];

	if (c->state != REQ_RECEIVING || now < c->start_ns || now - c->start_ns < min_ns)
		return 0;
	row->pid = tgid;
	row->tid = c->tid;
	snap_strcpy(row->comm, sizeof(row->comm), c->comm, sizeof(c->comm));
	snprintf(row->laddr, sizeof(row->laddr), "%s", req_addr_str(c->l.addr, c->l.v6, buf, sizeof(buf)));
	row->port = c->l.port;
	req_addr_str(c->caddr, c->cv6, row->client, sizeof(row->client));
	row->elapsed_ns = now - c->start_ns;
	return 1;
}

int req_listener_fill(struct snap_listener *row, const struct req_key *k,
		      const struct req_accept_stats *st)
{
	static const double qs[] = { 0.50, 0.99 };
	__u64 out[2], count;
	int top;

	row->hist = hist_copy(st->hist, &count, &top);
	if (!row->hist)
		return -ENOMEM;
	row->pid = k->tgid;
	listener_names(row->comm, sizeof(row->comm), row->laddr, sizeof(row->laddr), k, st->comm);
	row->port = k->l.port;
	row->accepted = st->accepted;
	row->waits = count;
	row->total_ns = st->total_ns;
	row->max_ns = max_fix(st->max_ns, top);
	hist_percentiles(row->hist, count, qs, 2, row->max_ns, out);
	row->p50_ns = out[0];
	row->p99_ns = out[1];
	row->queue_max = st->queue_max;
	row->backlog = st->backlog;
	row->full = st->full;
	return 0;
}

/* The smallest count with at least q of the n requests at or below it,
 * from the exact buckets (the last one: that many or more, up to max). */
static __u64 rt_rank(const __u32 *hist, __u64 n, double q, __u64 max)
{
	__u64 want = (__u64)(q * (double)n + 0.999999), seen = 0;

	if (!want)
		want = 1;
	for (__u32 i = 0; i < REQ_RT_BUCKETS; i++) {
		seen += hist[i];
		if (seen >= want)
			return i == REQ_RT_BUCKETS - 1 ? max : i;
	}
	return max;
}

int req_rt_add(struct snap_request *row, const char *peer, const struct req_rt_stats *st)
{
	struct snap_request_rt *r = vec_push(&row->roundtrips);
	__u64 n = 0;

	if (!r)
		return -ENOMEM;
	for (__u32 i = 0; i < REQ_RT_BUCKETS; i++)
		n += st->hist[i];
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	r->requests = st->requests;
	r->roundtrips = st->turns;
	r->max = st->max_turns;
	r->p50 = rt_rank(st->hist, n, 0.50, r->max);
	r->p99 = rt_rank(st->hist, n, 0.99, r->max);
	r->io_ns = st->io_ns;
	return 0;
}

static int cmp_rt(const void *a, const void *b)
{
	const struct snap_request_rt *x = a, *y = b;

	if (x->roundtrips != y->roundtrips)
		return x->roundtrips < y->roundtrips ? 1 : -1;
	if (x->io_ns != y->io_ns)
		return x->io_ns < y->io_ns ? 1 : -1;
	return strcmp(x->peer, y->peer);
}

size_t req_rt_cut(struct snap_request *row, size_t top)
{
	return sort_cut(&row->roundtrips, cmp_rt, top);
}
