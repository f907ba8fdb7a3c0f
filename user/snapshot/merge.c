#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "snapshot/pool_blocked.h"
#include "snapshot/merge.h"

#define KEY_LEN 400

/* What the merger knows of one merged row beyond the row itself. */
struct meta {
	size_t idx;		/* in its vec: rows move when the vec grows */
	bool nohist;		/* some part came without a histogram */
	double busy_acc, sat_acc, weight;	/* pools: time-weighted */
};

enum list { L_SYS, L_INFL, L_RETR, L_RST, L_CONN, L_TPEER, L_KLOCK, L_ULOCK, L_POOL,
	    L_PEER, L_NR };

struct merger {
	struct snapshot *out;
	struct hashmap *idx[L_NR];
	size_t n;
	__u64 first_start, last_ts;
	__u64 probes_ts;
};

struct merger *merger_new(void)
{
	struct merger *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->out = snapshot_new();
	for (int i = 0; m->out && i < L_NR; i++)
		if (!(m->idx[i] = hashmap_new(KEY_LEN)))
			goto fail;
	if (!m->out)
		goto fail;
	return m;
fail:
	merger_free(m);
	return NULL;
}

void merger_free(struct merger *m)
{
	if (!m)
		return;
	for (int i = 0; i < L_NR; i++)
		if (m->idx[i])
			hashmap_free(m->idx[i], free);
	snapshot_free(m->out);
	free(m);
}

size_t merger_count(const struct merger *m)
{
	return m->n;
}

/* The key of a row: its identifying fields joined by a unit separator. */
static void make_key(char *key, const char *fmt, ...)
{
	va_list ap;

	memset(key, 0, KEY_LEN);
	va_start(ap, fmt);
	vsnprintf(key, KEY_LEN, fmt, ap);
	va_end(ap);
}

/* The merged row for key in list l: found, or pushed zeroed (*fresh). */
static void *row_for(struct merger *m, enum list l, struct vec *v, const char *key,
		     bool *fresh, struct meta **mt)
{
	struct meta *x = hashmap_get(m->idx[l], key);

	*fresh = false;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || !vec_push(v)) {
			free(x);
			return NULL;
		}
		x->idx = v->len - 1;
		if (hashmap_put(m->idx[l], key, x)) {
			v->len--;
			free(x);
			return NULL;
		}
		*fresh = true;
	}
	*mt = x;
	return (char *)v->data + x->idx * v->elem;
}

static __u64 max64(__u64 a, __u64 b) { return a > b ? a : b; }

static int merge_hist(__u64 **dst, const __u64 *src, __u64 src_count, struct meta *mt)
{
	if (!src) {
		if (src_count)
			mt->nohist = true;
		return 0;
	}
	if (!*dst && !(*dst = calloc(HIST_NBUCKETS, sizeof(**dst))))
		return -ENOMEM;
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		(*dst)[i] += src[i];
	return 0;
}

static int copy_stack(char ***dst, size_t *nd, char *const *src, size_t ns)
{
	if (*nd || !ns)
		return 0;
	*dst = calloc(ns, sizeof(char *));
	if (!*dst)
		return -ENOMEM;
	for (size_t i = 0; i < ns; i++) {
		(*dst)[i] = strdup(src[i] ? src[i] : "");
		if (!(*dst)[i])
			return -ENOMEM;
		(*nd)++;
	}
	return 0;
}

#define FOR_ROWS(vec, type, r) \
	for (size_t _i = 0; _i < (vec)->len; _i++) \
		for (const type *r = vec_at(vec, type, _i); r; r = NULL)

static int add_syscalls(struct merger *m, const struct snapshot *s)
{
	char key[KEY_LEN];
	struct meta *mt;
	bool fresh;

	FOR_ROWS(&s->syscalls, struct snap_syscall, r) {
		struct snap_syscall *d;

		make_key(key, "%u\x1f%s\x1f%u\x1f%s", r->pid, r->comm, r->nr, r->syscall);
		d = row_for(m, L_SYS, &m->out->syscalls, key, &fresh, &mt);
		if (!d)
			return -ENOMEM;
		if (fresh) {
			d->pid = r->pid;
			d->nr = r->nr;
			memcpy(d->comm, r->comm, sizeof(d->comm));
			memcpy(d->syscall, r->syscall, sizeof(d->syscall));
		}
		d->count += r->count;
		d->errors += r->errors;
		d->total_ns += r->total_ns;
		d->p50_ns = max64(d->p50_ns, r->p50_ns);
		d->p90_ns = max64(d->p90_ns, r->p90_ns);
		d->p99_ns = max64(d->p99_ns, r->p99_ns);
		d->p999_ns = max64(d->p999_ns, r->p999_ns);
		d->max_ns = max64(d->max_ns, r->max_ns);
		if (merge_hist(&d->hist, r->hist, r->count, mt))
			return -ENOMEM;
	}
	/* still blocked: the longest wait seen for each thread and call */
	FOR_ROWS(&s->inflight, struct snap_inflight, r) {
		struct snap_inflight *d;

		make_key(key, "%u\x1f%u\x1f%u", r->pid, r->tid, r->nr);
		d = row_for(m, L_INFL, &m->out->inflight, key, &fresh, &mt);
		if (!d)
			return -ENOMEM;
		if (r->elapsed_ns >= d->elapsed_ns)
			*d = *r;
	}
	return 0;
}

static int add_tcp(struct merger *m, const struct snapshot *s)
{
	char key[KEY_LEN];
	struct meta *mt;
	bool fresh;

	FOR_ROWS(&s->tcp_retrans, struct snap_tcp_retrans, r) {
		struct snap_tcp_retrans *d;

		make_key(key, "%u\x1f%s\x1f%s\x1f%u\x1f%s\x1f%u\x1f%s", r->pid, r->comm, r->saddr,
			 r->sport, r->daddr, r->dport, r->state);
		if (!(d = row_for(m, L_RETR, &m->out->tcp_retrans, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			*d = *r;
			d->count = 0;
		}
		d->count += r->count;
	}
	FOR_ROWS(&s->tcp_resets, struct snap_tcp_reset, r) {
		struct snap_tcp_reset *d;

		make_key(key, "%u\x1f%s\x1f%s\x1f%u\x1f%s\x1f%u\x1f%s", r->pid, r->comm, r->saddr,
			 r->sport, r->daddr, r->dport, r->direction);
		if (!(d = row_for(m, L_RST, &m->out->tcp_resets, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			*d = *r;
			d->count = 0;
		}
		d->count += r->count;
	}
	FOR_ROWS(&s->tcp_connect, struct snap_tcp_connect, r) {
		struct snap_tcp_connect *d;

		make_key(key, "%u\x1f%s\x1f%s\x1f%u", r->pid, r->comm, r->daddr, r->dport);
		if (!(d = row_for(m, L_CONN, &m->out->tcp_connect, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			*d = *r;
			d->count = d->failed = d->p50_ns = d->p99_ns = d->max_ns = 0;
			d->hist = NULL;
		}
		d->count += r->count;
		d->failed += r->failed;
		d->p50_ns = max64(d->p50_ns, r->p50_ns);
		d->p99_ns = max64(d->p99_ns, r->p99_ns);
		d->max_ns = max64(d->max_ns, r->max_ns);
		if (merge_hist(&d->hist, r->hist, r->count, mt))
			return -ENOMEM;
	}
	FOR_ROWS(&s->tcp_peers, struct snap_tcp_peer, r) {
		struct snap_tcp_peer *d;

		make_key(key, "%s\x1f%u", r->daddr, r->dport);
		if (!(d = row_for(m, L_TPEER, &m->out->tcp_peers, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			memcpy(d->daddr, r->daddr, sizeof(d->daddr));
			d->dport = r->dport;
		}
		d->retransmits += r->retransmits;
		d->resets += r->resets;
		d->connects += r->connects;
		d->connect_failed += r->connect_failed;
		d->connect_p99_ns = max64(d->connect_p99_ns, r->connect_p99_ns);
	}
	return 0;
}

static int add_locks(struct merger *m, const struct snapshot *s)
{
	char key[KEY_LEN];
	struct meta *mt;
	bool fresh;

	FOR_ROWS(&s->kernel_locks, struct snap_kernel_lock, r) {
		struct snap_kernel_lock *d;

		make_key(key, "%s\x1f%s\x1f%s", r->lock, r->symbol, r->type);
		if (!(d = row_for(m, L_KLOCK, &m->out->kernel_locks, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			memcpy(d->lock, r->lock, sizeof(d->lock));
			memcpy(d->symbol, r->symbol, sizeof(d->symbol));
			memcpy(d->type, r->type, sizeof(d->type));
		}
		d->count += r->count;
		d->total_ns += r->total_ns;
		d->p99_ns = max64(d->p99_ns, r->p99_ns);
		d->max_ns = max64(d->max_ns, r->max_ns);
		if (merge_hist(&d->hist, r->hist, r->count, mt) ||
		    copy_stack(&d->stack, &d->nstack, r->stack, r->nstack))
			return -ENOMEM;
	}
	FOR_ROWS(&s->user_locks, struct snap_user_lock, r) {
		struct snap_user_lock *d;

		make_key(key, "%u\x1f%s\x1f%s\x1f%s", r->pid, r->comm, r->uaddr, r->kind);
		if (!(d = row_for(m, L_ULOCK, &m->out->user_locks, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			d->pid = r->pid;
			memcpy(d->comm, r->comm, sizeof(d->comm));
			memcpy(d->uaddr, r->uaddr, sizeof(d->uaddr));
			memcpy(d->kind, r->kind, sizeof(d->kind));
		}
		d->count += r->count;
		d->total_ns += r->total_ns;
		d->p99_ns = max64(d->p99_ns, r->p99_ns);
		d->max_ns = max64(d->max_ns, r->max_ns);
		if (merge_hist(&d->hist, r->hist, r->count, mt) ||
		    copy_stack(&d->stack, &d->nstack, r->stack, r->nstack))
			return -ENOMEM;
	}
	return 0;
}

static int add_pool(struct snap_pool *d, struct meta *mt, const struct snap_pool *r,
		    __u64 interval_ns)
{
	double w = interval_ns ? (double)interval_ns : 1.0;

	if (r->threads > d->threads)
		d->threads = r->threads;
	mt->busy_acc += r->busy_pct * w;
	mt->sat_acc += r->saturated_pct * w;
	mt->weight += w;
	d->oncpu_ns += r->oncpu_ns;
	d->runq_ns += r->runq_ns;
	d->lock_ns += r->lock_ns;
	d->io_ns += r->io_ns;
	d->idle_ns += r->idle_ns;
	d->runq_p99_ns = max64(d->runq_p99_ns, r->runq_p99_ns);
	for (size_t i = 0; i < r->blocked_on.len; i++) {
		const struct snap_pool_blocked *b = vec_at(&r->blocked_on, struct snap_pool_blocked, i);

		if (pool_blocked_add(&d->blocked_on, b->peer, b->io_ns))
			return -ENOMEM;
	}
	for (size_t i = 0; i < r->others.len; i++) {
		const struct snap_pool_other *o = vec_at(&r->others, struct snap_pool_other, i);
		bool seen = false;

		for (size_t j = 0; j < d->others.len && !seen; j++)
			seen = vec_at(&d->others, struct snap_pool_other, j)->tid == o->tid;
		if (!seen) {
			struct snap_pool_other *x = vec_push(&d->others);

			if (!x)
				return -ENOMEM;
			*x = *o;
		}
	}
	for (size_t i = 0; i < r->thread_rows.len; i++) {
		const struct snap_pool_thread *t = vec_at(&r->thread_rows, struct snap_pool_thread, i);
		struct snap_pool_thread *x = NULL;

		for (size_t j = 0; j < d->thread_rows.len && !x; j++)
			if (vec_at(&d->thread_rows, struct snap_pool_thread, j)->tid == t->tid)
				x = vec_at(&d->thread_rows, struct snap_pool_thread, j);
		if (!x) {
			if (!(x = vec_push(&d->thread_rows)))
				return -ENOMEM;
			x->tid = t->tid;
			memcpy(x->comm, t->comm, sizeof(x->comm));
		}
		x->oncpu_ns += t->oncpu_ns;
		x->runq_ns += t->runq_ns;
		x->lock_ns += t->lock_ns;
		x->io_ns += t->io_ns;
		x->idle_ns += t->idle_ns;
	}
	return 0;
}

static int add_pools_peers(struct merger *m, const struct snapshot *s)
{
	char key[KEY_LEN];
	struct meta *mt;
	bool fresh;

	FOR_ROWS(&s->pools, struct snap_pool, r) {
		struct snap_pool *d;

		make_key(key, "%u\x1f%s\x1f%s", r->pid, r->comm, r->pool);
		if (!(d = row_for(m, L_POOL, &m->out->pools, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			d->pid = r->pid;
			memcpy(d->comm, r->comm, sizeof(d->comm));
			memcpy(d->pool, r->pool, sizeof(d->pool));
			vec_init(&d->blocked_on, sizeof(struct snap_pool_blocked));
			vec_init(&d->others, sizeof(struct snap_pool_other));
			vec_init(&d->thread_rows, sizeof(struct snap_pool_thread));
		}
		if (add_pool(d, mt, r, s->interval_ns))
			return -ENOMEM;
	}
	FOR_ROWS(&s->peers, struct snap_peer, r) {
		struct snap_peer *d;

		make_key(key, "%u\x1f%s\x1f%s", r->pid, r->comm, r->peer);
		if (!(d = row_for(m, L_PEER, &m->out->peers, key, &fresh, &mt)))
			return -ENOMEM;
		if (fresh) {
			d->pid = r->pid;
			memcpy(d->comm, r->comm, sizeof(d->comm));
			memcpy(d->peer, r->peer, sizeof(d->peer));
		}
		d->calls += r->calls;
		d->bytes_in += r->bytes_in;
		d->bytes_out += r->bytes_out;
		d->roundtrips += r->roundtrips;
		d->wait_ns += r->wait_ns;
		d->p99_ns = max64(d->p99_ns, r->p99_ns);
		d->max_ns = max64(d->max_ns, r->max_ns);
		if (merge_hist(&d->hist, r->hist, r->calls, mt))
			return -ENOMEM;
	}
	return 0;
}

/* "host" of the merge: every host once, comma-separated, as room allows. */
static void add_host(struct snapshot *out, const char *host)
{
	size_t n = strlen(host), len = strlen(out->host);
	const char *p = out->host;

	if (!n)
		return;
	while ((p = strstr(p, host))) {
		if ((p == out->host || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return;
		p += n;
	}
	if (len + (len ? 1 : 0) + n + 1 > sizeof(out->host))
		return;
	snprintf(out->host + len, sizeof(out->host) - len, "%s%s", len ? "," : "", host);
}

int merger_add(struct merger *m, const struct snapshot *s)
{
	struct snapshot *o = m->out;
	__u64 start = s->ts_ns > s->interval_ns ? s->ts_ns - s->interval_ns : 0;
	int err;

	if (!m->n || start < m->first_start)
		m->first_start = start;
	if (!m->n || s->ts_ns > m->last_ts)
		m->last_ts = s->ts_ns;
	add_host(o, s->host);
	if (!o->kernel[0])
		memcpy(o->kernel, s->kernel, sizeof(o->kernel));
	/* what the probes were doing at the latest point */
	if (!m->n || s->ts_ns >= m->probes_ts) {
		memcpy(o->probes, s->probes, sizeof(o->probes));
		m->probes_ts = s->ts_ns;
	}
	if ((err = add_syscalls(m, s)) || (err = add_tcp(m, s)) || (err = add_locks(m, s)) ||
	    (err = add_pools_peers(m, s)))
		return err;
	o->truncated.syscalls += s->truncated.syscalls;
	o->truncated.tcp += s->truncated.tcp;
	o->truncated.locks += s->truncated.locks;
	o->truncated.pools += s->truncated.pools;
	o->truncated.peers += s->truncated.peers;
	o->dropped.events += s->dropped.events;
	o->dropped.map_full += s->dropped.map_full;
	o->dropped.peers_unresolved += s->dropped.peers_unresolved;
	m->n++;
	return 0;
}

/* meta of every row of list l, indexed like its vec */
static struct meta **metas(struct merger *m, enum list l, size_t len)
{
	struct meta **a = calloc(len ? len : 1, sizeof(*a));
	struct hm_entry *it = NULL;
	size_t b = 0;

	if (!a)
		return NULL;
	while ((it = hashmap_next(m->idx[l], it, &b))) {
		struct meta *x = it->value;

		if (x->idx < len)
			a[x->idx] = x;
	}
	return a;
}

struct snapshot *merger_finish(struct merger *m, size_t top)
{
	struct snapshot *o = m->out;
	struct meta **mt;

	if (!m->n)
		return NULL;
	o->ts_ns = m->last_ts;
	o->interval_ns = m->last_ts - m->first_start;

	if (!(mt = metas(m, L_SYS, o->syscalls.len)))
		return NULL;
	for (size_t i = 0; i < o->syscalls.len; i++) {
		struct snap_syscall *r = vec_at(&o->syscalls, struct snap_syscall, i);

		if (!r->hist || (mt[i] && mt[i]->nohist))
			continue;
		r->p50_ns = hist_percentile(r->hist, 0.50, r->max_ns);
		r->p90_ns = hist_percentile(r->hist, 0.90, r->max_ns);
		r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
		r->p999_ns = hist_percentile(r->hist, 0.999, r->max_ns);
	}
	free(mt);

	if (!(mt = metas(m, L_CONN, o->tcp_connect.len)))
		return NULL;
	for (size_t i = 0; i < o->tcp_connect.len; i++) {
		struct snap_tcp_connect *r = vec_at(&o->tcp_connect, struct snap_tcp_connect, i);

		if (!r->hist || (mt[i] && mt[i]->nohist))
			continue;
		r->p50_ns = hist_percentile(r->hist, 0.50, r->max_ns);
		r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
	}
	/* a peer's connect p99 from the merged connect histograms to it, when
	 * every one of them has its histogram */
	for (size_t p = 0; p < o->tcp_peers.len; p++) {
		struct snap_tcp_peer *tp = vec_at(&o->tcp_peers, struct snap_tcp_peer, p);
		__u64 *h = calloc(HIST_NBUCKETS, sizeof(*h)), max = 0;
		bool ok = h != NULL, any = false;

		for (size_t i = 0; ok && i < o->tcp_connect.len; i++) {
			struct snap_tcp_connect *r = vec_at(&o->tcp_connect, struct snap_tcp_connect, i);

			if (r->dport != tp->dport || strcmp(r->daddr, tp->daddr) || !r->count)
				continue;
			if (!r->hist || (mt[i] && mt[i]->nohist)) {
				ok = false;
				break;
			}
			for (__u32 b = 0; b < HIST_NBUCKETS; b++)
				h[b] += r->hist[b];
			max = max64(max, r->max_ns);
			any = true;
		}
		if (ok && any)
			tp->connect_p99_ns = hist_percentile(h, 0.99, max);
		free(h);
	}
	free(mt);

	if (!(mt = metas(m, L_KLOCK, o->kernel_locks.len)))
		return NULL;
	for (size_t i = 0; i < o->kernel_locks.len; i++) {
		struct snap_kernel_lock *r = vec_at(&o->kernel_locks, struct snap_kernel_lock, i);

		if (r->hist && !(mt[i] && mt[i]->nohist))
			r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
	}
	free(mt);
	if (!(mt = metas(m, L_ULOCK, o->user_locks.len)))
		return NULL;
	for (size_t i = 0; i < o->user_locks.len; i++) {
		struct snap_user_lock *r = vec_at(&o->user_locks, struct snap_user_lock, i);

		if (r->hist && !(mt[i] && mt[i]->nohist))
			r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
	}
	free(mt);
	if (!(mt = metas(m, L_PEER, o->peers.len)))
		return NULL;
	for (size_t i = 0; i < o->peers.len; i++) {
		struct snap_peer *r = vec_at(&o->peers, struct snap_peer, i);

		if (r->hist && !(mt[i] && mt[i]->nohist))
			r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
	}
	free(mt);
	if (!(mt = metas(m, L_POOL, o->pools.len)))
		return NULL;
	for (size_t i = 0; i < o->pools.len; i++) {
		struct snap_pool *r = vec_at(&o->pools, struct snap_pool, i);

		if (mt[i] && mt[i]->weight > 0) {
			r->busy_pct = mt[i]->busy_acc / mt[i]->weight;
			r->saturated_pct = mt[i]->sat_acc / mt[i]->weight;
		}
		pool_blocked_finish(&r->blocked_on, POOL_BLOCKED_TOP);
	}
	free(mt);

	/* what the inputs had cut stays counted, plus what the cut cuts now
	 * (snapshot_sort_truncate adds to it) */
	snapshot_sort_truncate(o, top);
	m->out = NULL;
	return o;
}
