/* A snapshot with rows in every list of schema latscope/1, every field
 * set, hostile bytes in names: for the reader's and the sinks' tests. */
#ifndef TEST_SNAPSHOT_FIXTURE_H
#define TEST_SNAPSHOT_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "snapshot/histo.h"
#include "snapshot/snapshot.h"

static __u64 *hist_of(__u64 seed)
{
	__u64 *h = calloc(HIST_NBUCKETS, sizeof(*h));

	h[0] = seed;				/* exact small bucket */
	h[100 + seed % 50] = 7 + seed;
	h[HIST_NBUCKETS - 1] = 1;		/* the open last bucket */
	return h;
}

static char **stack_of(size_t *n)
{
	char **st = calloc(2, sizeof(char *));

	st[0] = strdup("pthread_mutex_lock");
	st[1] = strdup("worker_loop+0x1a");
	*n = 2;
	return st;
}

/* A snapshot with at least one row in every list, every field non-zero,
 * and hostile bytes in names. */
static struct snapshot *full_snapshot(void)
{
	struct snapshot *s = snapshot_new();

	strcpy(s->host, "web-3");
	strcpy(s->kernel, "6.18.44");
	s->ts_ns = 1796150000123456789ULL;
	s->interval_ns = 1000000000ULL;
	strcpy(s->probes[FAM_SYSCALLS], "on");
	strcpy(s->probes[FAM_TCP], "on");
	strcpy(s->probes[FAM_LOCKS], "off");
	strcpy(s->probes[FAM_POOLS], "unavailable: no BTF for \"sched\"");

	struct snap_syscall *sc = vec_push(&s->syscalls);
	*sc = (struct snap_syscall){ .pid = 4242, .nr = 0, .count = 1200, .errors = 3,
		.total_ns = 99999, .p50_ns = 10, .p90_ns = 20, .p99_ns = 30, .p999_ns = 40,
		.max_ns = 50 };
	strcpy(sc->comm, "ngi\"nx\\\t");
	strcpy(sc->syscall, "read");
	sc->hist = hist_of(3);
	sc = vec_push(&s->syscalls);
	sc->pid = 1;
	strcpy(sc->comm, "init");
	strcpy(sc->syscall, "epoll_wait");
	sc->nr = 232;
	sc->count = 1;
	sc->hist = hist_of(1);

	struct snap_inflight *in = vec_push(&s->inflight);
	*in = (struct snap_inflight){ .pid = 4242, .tid = 4250, .nr = 0, .elapsed_ns = 30000000000ULL };
	strcpy(in->comm, "nginx");
	strcpy(in->syscall, "read");

	struct snap_tcp_retrans *rt = vec_push(&s->tcp_retrans);
	*rt = (struct snap_tcp_retrans){ .pid = 7, .sport = 43210, .dport = 5432, .count = 7 };
	strcpy(rt->comm, "psql");
	strcpy(rt->saddr, "10.0.0.1");
	strcpy(rt->daddr, "10.0.0.2");
	strcpy(rt->state, "ESTABLISHED");

	struct snap_tcp_reset *rs = vec_push(&s->tcp_resets);
	*rs = (struct snap_tcp_reset){ .pid = 8, .sport = 1, .dport = 2, .count = 1 };
	strcpy(rs->comm, "curl");
	strcpy(rs->saddr, "::1");
	strcpy(rs->daddr, "fe80::1");
	strcpy(rs->direction, "received");

	struct snap_tcp_connect *cn = vec_push(&s->tcp_connect);
	*cn = (struct snap_tcp_connect){ .pid = 9, .dport = 443, .count = 5, .failed = 2,
		.p50_ns = 1000, .p99_ns = 2000, .max_ns = 3000 };
	strcpy(cn->comm, "curl");
	strcpy(cn->daddr, "192.0.2.1");
	cn->hist = hist_of(5);
	cn = vec_push(&s->tcp_connect);		/* one without a histogram */
	cn->pid = 10;
	strcpy(cn->daddr, "192.0.2.2");
	cn->count = 1;

	struct snap_tcp_peer *tp = vec_push(&s->tcp_peers);
	*tp = (struct snap_tcp_peer){ .dport = 5432, .retransmits = 7, .resets = 1, .connects = 5,
		.connect_failed = 2, .connect_p99_ns = 2000 };
	strcpy(tp->daddr, "10.0.0.2");

	struct snap_kernel_lock *kl = vec_push(&s->kernel_locks);
	*kl = (struct snap_kernel_lock){ .count = 11, .total_ns = 12, .p99_ns = 13, .max_ns = 14 };
	strcpy(kl->lock, "0xffff888012345678");
	strcpy(kl->symbol, "rtnl_mutex");
	strcpy(kl->type, "mutex");
	kl->stack = stack_of(&kl->nstack);
	kl->hist = hist_of(11);

	struct snap_user_lock *ul = vec_push(&s->user_locks);
	*ul = (struct snap_user_lock){ .pid = 77, .count = 21, .total_ns = 22, .p99_ns = 23,
		.max_ns = 24 };
	strcpy(ul->comm, "postgres");
	strcpy(ul->uaddr, "0x7f0012345678");
	strcpy(ul->kind, "semaphore");
	ul->stack = stack_of(&ul->nstack);

	struct snap_pool *pl = vec_push(&s->pools);
	*pl = (struct snap_pool){ .pid = 300, .threads = 8, .busy_pct = 87.5, .saturated_pct = 12.3,
		.oncpu_ns = 1, .runq_ns = 2, .lock_ns = 3, .io_ns = 4, .idle_ns = 5, .runq_p99_ns = 6 };
	strcpy(pl->comm, "apache2");
	strcpy(pl->pool, "apache2");
	vec_init(&pl->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&pl->others, sizeof(struct snap_pool_other));
	vec_init(&pl->thread_list, sizeof(struct snap_pool_thread));
	struct snap_pool_blocked *b = vec_push(&pl->blocked_on);
	strcpy(b->peer, "tcp:10.0.0.5:5432");
	b->io_ns = 444;
	struct snap_pool_other *ot = vec_push(&pl->others);
	ot->tid = 300;
	strcpy(ot->role, "main");
	ot = vec_push(&pl->others);
	ot->tid = 301;
	strcpy(ot->role, "acceptor");
	struct snap_pool_thread *th = vec_push(&pl->thread_list);
	*th = (struct snap_pool_thread){ .tid = 302, .oncpu_ns = 1, .runq_ns = 2, .lock_ns = 3,
		.io_ns = 4, .idle_ns = 5 };
	strcpy(th->comm, "apache2");

	struct snap_peer *pe = vec_push(&s->peers);
	*pe = (struct snap_peer){ .pid = 300, .calls = 31, .bytes_in = 32, .bytes_out = 33,
		.roundtrips = 34, .wait_ns = 35, .p99_ns = 36, .max_ns = 37 };
	strcpy(pe->comm, "apache2");
	strcpy(pe->peer, "unix:@/tmp/x");
	pe->hist = hist_of(31);

	struct snap_request *rq = vec_push(&s->requests);
	*rq = (struct snap_request){ .pid = 300, .port = 443, .requests = 41, .total_ns = 42,
		.p50_ns = 43, .p90_ns = 44, .p99_ns = 45, .p999_ns = 46, .max_ns = 47,
		.ttfb_total_ns = 48, .ttfb_max_ns = 49, .bytes_in = 50, .bytes_out = 51,
		.accepted = 52, .closed = 53, .inflight = 54 };
	strcpy(rq->comm, "apache2");
	strcpy(rq->cgroup, "/system.slice/apache2.service");
	strcpy(rq->service, "apache2.service");
	strcpy(rq->laddr, "::");
	rq->hist = hist_of(41);
	vec_init(&rq->clients, sizeof(struct snap_request_client));
	struct snap_request_client *rc = vec_push(&rq->clients);
	*rc = (struct snap_request_client){ .requests = 41, .total_ns = 42, .p99_ns = 45,
		.max_ns = 47 };
	strcpy(rc->client, "2001:db8::5");
	rq->not_attributable = 55;
	rq->why_requests = 40;
	rq->why_oncpu_ns = 56;
	rq->why_runq_ns = 57;
	rq->why_lock_ns = 58;
	rq->why_io_ns = 59;
	vec_init(&rq->roundtrips, sizeof(struct snap_request_rt));
	struct snap_request_rt *rrt = vec_push(&rq->roundtrips);
	*rrt = (struct snap_request_rt){ .requests = 40, .roundtrips = 71, .p50 = 1, .p99 = 5,
		.max = 6, .io_ns = 72 };
	strcpy(rrt->peer, "tcp:10.0.0.5:5432");

	struct snap_inflight_request *ir = vec_push(&s->inflight_requests);
	*ir = (struct snap_inflight_request){ .pid = 300, .tid = 305, .port = 443,
		.elapsed_ns = 250000000ULL };
	strcpy(ir->comm, "apache2");
	strcpy(ir->laddr, "::");
	strcpy(ir->client, "2001:db8::5");

	struct snap_listener *li = vec_push(&s->listeners);
	*li = (struct snap_listener){ .pid = 300, .port = 443, .accepted = 61, .waits = 60,
		.total_ns = 62, .p50_ns = 63, .p99_ns = 64, .max_ns = 65, .queue_max = 66,
		.backlog = 511, .full = 67 };
	strcpy(li->comm, "apache2");
	strcpy(li->service, "apache2.service");
	strcpy(li->laddr, "::");
	li->hist = hist_of(60);

	s->listen.overflows = 68;
	s->listen.drops = 69;
	s->truncated.syscalls = 1;
	s->truncated.tcp = 2;
	s->truncated.locks = 3;
	s->truncated.pools = 4;
	s->truncated.peers = 5;
	s->truncated.requests = 9;
	s->dropped.events = 6;
	s->dropped.map_full = 7;
	s->dropped.peers_unresolved = 8;
	return s;
}

#endif
