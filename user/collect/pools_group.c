/* The pools family's grouping (pools_int.h): each snapshot, the threads
 * active in the interval are put in groups by process and normalized name
 * (SPEC: workers of one process whose names are equal once normalized; the
 * main thread and acceptors kept apart), and a group of two workers or
 * more is a pool: its row sums their state times, with its saturation,
 * run-queue p99, blocked_on and a drill-down row per worker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "collect/pools_int.h"
#include "collect/pools_name.h"
#include "lib/hashmap.h"
#include "lib/procfs.h"
#include "snapshot/snapshot.h"
#include "pools.skel.h"

/* The name of a pool's main thread, as /proc gave it, kept while the kernel
 * says no rename (pools_rename) and no exit of that thread. */
struct mainc {
	unsigned gen;			/* last snapshot that used it */
	char comm[SNAP_COMM_LEN];
};

/* The name of process tgid's main thread (0), or -1 if it is gone. Kept
 * from one snapshot to the next when the kernel reports renames: no read of
 * /proc/PID/stat per pool per interval. */
static int main_comm(struct pool_priv *p, __u32 tgid, char *buf, size_t n)
{
	struct mainc *m;

	if (!p->mains)
		return procfs_comm(tgid, 0, buf, n);
	m = hashmap_get(p->mains, &tgid);
	if (!m) {
		if (procfs_comm(tgid, 0, buf, n))
			return -1;
		m = malloc(sizeof(*m));
		if (!m)
			return 0;
		snap_strcpy(m->comm, sizeof(m->comm), buf, n);
		if (hashmap_put(p->mains, &tgid, m)) {
			free(m);
			return 0;
		}
	}
	m->gen = p->gen;
	snprintf(buf, n, "%s", m->comm);
	return 0;
}

void pools_mains_prune(struct pool_priv *p)
{
	__u64 lost = __atomic_load_n(&p->skel->bss->drop_events, __ATOMIC_RELAXED);
	struct hm_entry *it;
	__u32 *old = NULL;
	size_t n = 0, cap = 0, b;

	if (!p->mains)
		return;
	for (it = NULL; (it = hashmap_next(p->mains, it, &b));) {
		struct mainc *m = it->value;

		if (m->gen == p->gen && lost == p->mains_lost)
			continue;
		if (n == cap) {
			__u32 *o = realloc(old, (cap = cap ? cap * 2 : 64) * sizeof(*o));

			if (!o)
				break;
			old = o;
		}
		old[n++] = *(const __u32 *)it->key;
	}
	for (size_t i = 0; i < n; i++)
		free(hashmap_del(p->mains, &old[i]));
	free(old);
	p->mains_lost = lost;
}

static int group_add(struct hashmap *groups, struct pthr *t)
{
	struct group_key k = { .tgid = t->tgid };
	struct group *g = t->og ? t->og->grp : NULL;

	/* same-named threads share an ogroup (same key): looked up once */
	if (!g) {
		pool_name_key(t->comm, k.name, sizeof(k.name));
		g = hashmap_get(groups, &k);
		if (!g) {
			g = calloc(1, sizeof(*g));
			if (!g || hashmap_put(groups, &k, g)) {
				free(g);
				return -ENOMEM;
			}
			g->key = k;
		}
		if (t->og && t->og->tgid == k.tgid && !memcmp(t->og->name, k.name, sizeof(k.name)))
			t->og->grp = g;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct pthr **m = realloc(g->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		g->m = m;
		g->cap = cap;
	}
	g->m[g->n++] = t;
	return 0;
}

void pools_group_free(void *v)
{
	struct group *g = v;

	free(g->m);
	free(g);
}

static int dead_add(__u32 **dead, size_t *n, __u32 tid)
{
	__u32 *d = realloc(*dead, (*n + 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	*dead = d;
	d[(*n)++] = tid;
	return 0;
}

int pools_group(struct pool_priv *p, struct hashmap *groups, __u64 t1, __u32 **gone,
		size_t *ngone)
{
	struct hm_entry *it;
	size_t b;
	int err = 0;

	for (it = NULL; (it = hashmap_next(p->thr, it, &b));) {
		struct pthr *t = it->value;

		if (t->stamp != p->gen)
			pools_thread_reset(p, t, t1);
		if (t->gone && dead_add(gone, ngone, t->tid))
			err = -ENOMEM;
		if (!err && t->active && t->comm[0])
			err = group_add(groups, t);
		if (err)
			return err;
	}
	return 0;
}

void pools_gone(struct pool_priv *p, __u32 **gone, size_t *ngone)
{
	struct hm_entry *it;
	size_t b;

	*ngone = 0;
	for (it = NULL; (it = hashmap_next(p->thr, it, &b));)
		if (((struct pthr *)it->value)->gone)
			dead_add(gone, ngone, ((struct pthr *)it->value)->tid);
}

/* Drill-down rows, busiest first (non-idle time), then by tid. */
static int cmp_thread_row(const void *a, const void *b)
{
	const struct snap_pool_thread *x = a, *y = b;
	__u64 bx = x->oncpu_ns + x->runq_ns + x->lock_ns + x->io_ns;
	__u64 by = y->oncpu_ns + y->runq_ns + y->lock_ns + y->io_ns;

	if (bx != by)
		return bx < by ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int add_other(struct snap_pool *row, __u32 tid, const char *role)
{
	struct snap_pool_other *o = vec_push(&row->others);

	if (!o)
		return -ENOMEM;
	o->tid = tid;
	strcpy(o->role, role);
	return 0;
}

/* The pool's process name (row->comm) from its main thread, which is
 * listed apart when it carries the pool's name. */
static int pool_main(struct pool_priv *p, struct snap_pool *row, const struct group *g)
{
	char comm[SNAP_COMM_LEN], key[POOLS_COMM_LEN];

	if (main_comm(p, g->key.tgid, comm, sizeof(comm)))
		return 0;
	pool_name_key(comm, key, sizeof(key));
	snap_strcpy(row->comm, sizeof(row->comm), comm, sizeof(comm));
	if (!strcmp(key, g->key.name))
		return add_other(row, g->key.tgid, "main");
	return 0;
}

/* What a pool's workers span: when the first was born and the last exited
 * (within the interval), and the one name they share, if they do. */
struct span {
	__u64 lo, hi;
	const char *first;
	bool same_name;
};

/* One worker's figures into the pool's row and a drill-down row. */
static int pool_worker(struct snap_pool *row, const struct pthr *t, struct span *sp)
{
	struct snap_pool_thread *tr;

	if (!sp->first)
		sp->first = t->comm;
	else if (strncmp(sp->first, t->comm, POOLS_COMM_LEN))
		sp->same_name = false;
	row->oncpu_ns += t->d_ns[PST_ONCPU];
	row->runq_ns += t->d_ns[PST_RUNQ];
	row->lock_ns += t->d_ns[PST_LOCK];
	row->io_ns += t->d_ns[PST_IO];
	row->idle_ns += t->d_ns[PST_IDLE];
	if (t->exist_a < sp->lo)
		sp->lo = t->exist_a;
	if (t->exist_b > sp->hi)
		sp->hi = t->exist_b;
	tr = vec_push(&row->thread_list);
	if (!tr)
		return -ENOMEM;
	tr->tid = t->tid;
	snap_strcpy(tr->comm, sizeof(tr->comm), t->comm, sizeof(t->comm));
	tr->oncpu_ns = t->d_ns[PST_ONCPU];
	tr->runq_ns = t->d_ns[PST_RUNQ];
	tr->lock_ns = t->d_ns[PST_LOCK];
	tr->io_ns = t->d_ns[PST_IO];
	tr->idle_ns = t->d_ns[PST_IDLE];
	return 0;
}

/* The share of the workers' lifetime [lo, hi) in which none of them was
 * idle: before the first was born and after the last exited, none was idle
 * either, so that is cut. */
static double pool_saturation(const struct pool_priv *p, const struct ogroup *og, __u64 lo,
			      __u64 hi, __u64 t1)
{
	__u64 sat = og->sat_ns, cut;

	if (og->idle == 0 && t1 > og->sat_since)
		sat += t1 - (og->sat_since > p->t0 ? og->sat_since : p->t0);
	cut = (lo - p->t0) + (t1 - hi);
	sat = sat > cut ? sat - cut : 0;
	if (sat > hi - lo)
		sat = hi - lo;
	return 100.0 * (double)sat / (double)(hi - lo);
}

/* The row's figures once its workers are in. */
static int pool_finish(struct pool_priv *p, struct snap_pool *row, const struct group *g,
		       const struct span *sp, __u64 t1)
{
	struct ogroup *og = hashmap_get(p->ogroups, &g->key);
	__u64 busy, all;

	snap_strcpy(row->pool, sizeof(row->pool),
		    sp->same_name && sp->first ? sp->first : g->key.name, POOLS_COMM_LEN);
	if (!row->comm[0])
		snap_strcpy(row->comm, sizeof(row->comm), row->pool, sizeof(row->pool));
	busy = row->oncpu_ns + row->runq_ns + row->lock_ns + row->io_ns;
	all = busy + row->idle_ns;
	/* per worker-time that existed: the SPEC's workers x interval when
	 * every worker lived through the interval */
	row->busy_pct = all ? 100.0 * (double)busy / (double)all : 0;
	if (og && sp->hi > sp->lo)
		row->saturated_pct = pool_saturation(p, og, sp->lo, sp->hi, t1);
	if (og && og->has_runq)
		row->runq_p99_ns = ph_percentile(og->runq_hist, 0.99);
	if (pools_blocked_fill(p, row, g))
		return -ENOMEM;
	if (row->thread_list.len > 1)
		qsort(row->thread_list.data, row->thread_list.len, row->thread_list.elem,
		      cmp_thread_row);
	return 0;
}

static int make_pool(struct pool_priv *p, struct snapshot *s, struct group *g, __u64 t1)
{
	struct span sp = { .lo = t1, .hi = p->t0, .same_name = true };
	struct snap_pool *row;
	size_t workers = 0;
	int err;

	for (size_t i = 0; i < g->n; i++)
		if (!g->m[i]->acceptor)
			workers++;
	if (workers < 2)
		return 0;
	row = vec_push(&s->pools);
	if (!row)
		return -ENOMEM;
	vec_init(&row->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&row->others, sizeof(struct snap_pool_other));
	vec_init(&row->thread_list, sizeof(struct snap_pool_thread));
	row->pid = g->key.tgid;
	row->threads = (__u32)workers;
	/* the main thread carries the pool's name: listed apart */
	if ((err = pool_main(p, row, g)))
		return err;
	for (size_t i = 0; i < g->n; i++) {
		const struct pthr *t = g->m[i];

		err = t->acceptor ? add_other(row, t->tid, "acceptor") : pool_worker(row, t, &sp);
		if (err)
			return err;
	}
	return pool_finish(p, row, g, &sp, t1);
}

int pools_rows(struct pool_priv *p, struct snapshot *s, struct hashmap *groups, __u64 t1)
{
	struct hm_entry *it;
	size_t b;
	int err;

	for (it = NULL; (it = hashmap_next(groups, it, &b));)
		if ((err = make_pool(p, s, it->value, t1)))
			return err;
	return 0;
}
