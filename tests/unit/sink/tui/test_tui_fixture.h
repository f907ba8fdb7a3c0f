/* A hand-made snapshot with rows of every family, for the TUI's unit
 * tests: the families other than syscalls are built in parallel, so their
 * views are pinned here against the structs of user/snapshot/snapshot.h. */
#ifndef TEST_TUI_FIXTURE_H
#define TEST_TUI_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/histo.h"
#include "snapshot/snapshot.h"

#define MS 1000000ULL

static __u64 *fixture_hist(const __u64 *vals, const __u64 *counts, int n)
{
	__u64 *h = calloc(HIST_NBUCKETS, sizeof(*h));

	for (int i = 0; i < n; i++)
		h[hist_bucket(vals[i])] += counts[i];
	return h;
}

static void fixture_syscall(struct snapshot *s, __u32 pid, const char *comm, const char *name,
			    __u64 count, __u64 total, __u64 p99, __u64 max)
{
	struct snap_syscall *r = vec_push(&s->syscalls);
	__u64 v[2] = { p99 / 2, max }, c[2] = { count - 1, 1 };

	r->pid = pid;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	snprintf(r->syscall, sizeof(r->syscall), "%s", name);
	r->count = count;
	r->total_ns = total;
	r->p50_ns = p99 / 2;
	r->p90_ns = p99 / 2;
	r->p99_ns = p99;
	r->p999_ns = max;
	r->max_ns = max;
	r->hist = fixture_hist(v, c, 2);
}

/* The service of a fixture process: nginx (100) and java (300) are one
 * service, postgres (200) another. */
static const char *fixture_service_of(__u32 pid)
{
	return pid == 200 ? "db.service" : "web.service";
}

#define FIXTURE_SET_SERVICE(vec, type)                                             \
	for (size_t i_ = 0; i_ < (vec).len; i_++) {                               \
		type *r_ = vec_at(&(vec), type, i_);                               \
		snprintf(r_->service, sizeof(r_->service), "%s", fixture_service_of(r_->pid)); \
	}

static void fixture_services(struct snapshot *s)
{
	FIXTURE_SET_SERVICE(s->syscalls, struct snap_syscall)
	FIXTURE_SET_SERVICE(s->inflight, struct snap_inflight)
	FIXTURE_SET_SERVICE(s->tcp_retrans, struct snap_tcp_retrans)
	FIXTURE_SET_SERVICE(s->tcp_resets, struct snap_tcp_reset)
	FIXTURE_SET_SERVICE(s->tcp_connect, struct snap_tcp_connect)
	FIXTURE_SET_SERVICE(s->user_locks, struct snap_user_lock)
	FIXTURE_SET_SERVICE(s->pools, struct snap_pool)
	FIXTURE_SET_SERVICE(s->peers, struct snap_peer)
}

static struct snapshot *fixture_snapshot(void)
{
	struct snapshot *s = snapshot_new();

	strcpy(s->host, "web-3");
	strcpy(s->kernel, "6.18.44");
	s->interval_ns = 1000000000ULL;
	s->ts_ns = 1700000000ULL * 1000000000ULL;
	for (int f = 0; f < FAM_NR; f++)
		strcpy(s->probes[f], "on");

	fixture_syscall(s, 100, "nginx", "read", 500, 40 * MS, 2 * MS, 9 * MS);
	fixture_syscall(s, 100, "nginx", "epoll_wait", 20, 900 * MS, 300 * MS, 400 * MS);
	fixture_syscall(s, 200, "postgres", "fsync", 10, 50 * MS, 20 * MS, 25 * MS);
	fixture_syscall(s, 300, "java", "futex", 1000, 3000 * MS, 5 * MS, 50 * MS);

	struct snap_inflight *in = vec_push(&s->inflight);
	in->pid = 200;
	in->tid = 201;
	strcpy(in->comm, "postgres");
	strcpy(in->syscall, "read");
	in->elapsed_ns = 30000 * MS;

	struct snap_tcp_retrans *rt = vec_push(&s->tcp_retrans);
	rt->pid = 100;
	strcpy(rt->comm, "nginx");
	strcpy(rt->saddr, "10.0.0.1");
	rt->sport = 43210;
	strcpy(rt->daddr, "10.0.0.2");
	rt->dport = 5432;
	strcpy(rt->state, "ESTABLISHED");
	rt->count = 7;

	struct snap_tcp_reset *rs = vec_push(&s->tcp_resets);
	rs->pid = 300;
	strcpy(rs->comm, "java");
	strcpy(rs->saddr, "10.0.0.1");
	strcpy(rs->daddr, "fe80::1");
	rs->dport = 8080;
	strcpy(rs->direction, "received");
	rs->count = 2;

	struct snap_tcp_connect *cn = vec_push(&s->tcp_connect);
	__u64 cv[2] = { 1 * MS, 150 * MS }, cc[2] = { 9, 1 };
	cn->pid = 100;
	strcpy(cn->comm, "nginx");
	strcpy(cn->daddr, "10.0.0.2");
	cn->dport = 5432;
	cn->count = 10;
	cn->failed = 1;
	cn->p50_ns = 1 * MS;
	cn->p99_ns = 150 * MS;
	cn->max_ns = 150 * MS;
	cn->hist = fixture_hist(cv, cc, 2);

	struct snap_tcp_peer *tp = vec_push(&s->tcp_peers);
	strcpy(tp->daddr, "10.0.0.2");
	tp->dport = 5432;
	tp->retransmits = 7;
	tp->connects = 10;
	tp->connect_failed = 1;
	tp->connect_p99_ns = 150 * MS;

	struct snap_kernel_lock *kl = vec_push(&s->kernel_locks);
	strcpy(kl->lock, "0xffff888012345678");
	strcpy(kl->symbol, "rtnl_mutex");
	strcpy(kl->type, "mutex");
	kl->count = 40;
	kl->total_ns = 800 * MS;
	kl->p99_ns = 120 * MS;
	kl->max_ns = 130 * MS;
	kl->nstack = 2;
	kl->stack = calloc(2, sizeof(char *));
	kl->stack[0] = strdup("__mutex_lock+0x1a");
	kl->stack[1] = strdup("rtnl_lock+0x15");

	struct snap_user_lock *ul = vec_push(&s->user_locks);
	ul->pid = 300;
	strcpy(ul->comm, "java");
	strcpy(ul->uaddr, "0x7f0000001000");
	strcpy(ul->kind, "mutex");
	ul->count = 90;
	ul->total_ns = 450 * MS;
	ul->p99_ns = 40 * MS;
	ul->max_ns = 60 * MS;
	ul->nstack = 1;
	ul->stack = calloc(1, sizeof(char *));
	ul->stack[0] = strdup("pthread_mutex_lock");
	strcpy(ul->unwind, "dwarf");

	struct snap_user_lock *cv2 = vec_push(&s->user_locks);
	cv2->pid = 300;
	strcpy(cv2->comm, "java");
	strcpy(cv2->uaddr, "0x7f0000002000");
	strcpy(cv2->kind, "condvar");
	cv2->count = 5;
	cv2->total_ns = 5000 * MS;	/* waiting for work: not lock wait */
	cv2->p99_ns = 1000 * MS;

	struct snap_pool *pl = vec_push(&s->pools);
	vec_init(&pl->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&pl->others, sizeof(struct snap_pool_other));
	vec_init(&pl->thread_list, sizeof(struct snap_pool_thread));
	pl->pid = 300;
	strcpy(pl->comm, "java");
	strcpy(pl->pool, "pool-1-thread");
	pl->threads = 2;
	pl->busy_pct = 97.5;
	pl->saturated_pct = 95.0;
	pl->oncpu_ns = 500 * MS;
	pl->runq_ns = 100 * MS;
	pl->lock_ns = 200 * MS;
	pl->io_ns = 1150 * MS;
	pl->idle_ns = 50 * MS;
	pl->runq_p99_ns = 3 * MS;
	struct snap_pool_blocked *bo = vec_push(&pl->blocked_on);
	strcpy(bo->peer, "tcp:10.0.0.2:5432");
	bo->io_ns = 1150 * MS;
	struct snap_pool_other *ot = vec_push(&pl->others);
	ot->tid = 300;
	strcpy(ot->role, "main");
	for (int i = 0; i < 2; i++) {
		struct snap_pool_thread *th = vec_push(&pl->thread_list);

		th->tid = 301 + i;
		snprintf(th->comm, sizeof(th->comm), "pool-1-thread-%d", i + 1);
		th->oncpu_ns = 250 * MS;
		th->io_ns = 575 * MS;
		th->idle_ns = i ? 50 * MS : 0;
	}

	struct snap_peer *pe = vec_push(&s->peers);
	__u64 pv[2] = { 2 * MS, 80 * MS }, pc[2] = { 99, 1 };
	pe->pid = 300;
	strcpy(pe->comm, "java");
	strcpy(pe->peer, "tcp:10.0.0.2:5432");
	pe->calls = 100;
	pe->roundtrips = 50;
	pe->wait_ns = 1150 * MS;
	pe->p99_ns = 80 * MS;
	pe->max_ns = 80 * MS;
	pe->hist = fixture_hist(pv, pc, 2);
	fixture_services(s);
	return s;
}

#endif
