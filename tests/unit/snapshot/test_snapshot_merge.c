/* replay --summary's merge: counts add up, histograms merge, and the
 * percentiles are those of the merged histogram, checked against a direct
 * computation over every value (never an average of percentiles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/histo.h"
#include "snapshot/merge.h"

static __u64 rng = 88172645463325252ULL;

static __u64 xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* A syscall row of n values drawn in [lo, lo*span), as a collector makes. */
static void fill_row(struct snap_syscall *r, __u64 *vals, size_t n, __u64 lo, __u64 span)
{
	r->pid = 42;
	strcpy(r->comm, "db");
	strcpy(r->syscall, "read");
	r->hist = calloc(HIST_NBUCKETS, sizeof(__u64));
	for (size_t i = 0; i < n; i++) {
		__u64 v = lo + xorshift() % (lo * span);

		vals[i] = v;
		r->hist[hist_bucket(v)]++;
		r->count++;
		r->total_ns += v;
		if (v > r->max_ns)
			r->max_ns = v;
	}
	r->p50_ns = hist_percentile(r->hist, 0.5, r->max_ns);
	r->p90_ns = hist_percentile(r->hist, 0.9, r->max_ns);
	r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
	r->p999_ns = hist_percentile(r->hist, 0.999, r->max_ns);
}

static struct snapshot *snap(const char *host, __u64 ts, __u64 iv)
{
	struct snapshot *s = snapshot_new();

	strcpy(s->host, host);
	s->ts_ns = ts;
	s->interval_ns = iv;
	strcpy(s->probes[FAM_SYSCALLS], "on");
	return s;
}

/* The true q-quantile of sorted values: the ceil(q*n)-th. */
static __u64 exact(const __u64 *sorted, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	return sorted[(k ? k : 1) - 1];
}

static void test_percentiles_from_merged_histogram(void **state)
{
	enum { N1 = 9000, N2 = 900, N3 = 100 };
	static __u64 all[N1 + N2 + N3];
	struct snapshot *s[3];
	struct merger *m = merger_new();
	__u64 direct[HIST_NBUCKETS] = {}, max = 0;

	/* fast, medium and slow intervals: their percentiles averaged would
	 * say nothing about the window */
	s[0] = snap("a", 1000000000000ULL, 1000000000ULL);
	fill_row(vec_push(&s[0]->syscalls), all, N1, 2000, 4);
	s[1] = snap("a", 1001000000000ULL, 1000000000ULL);
	fill_row(vec_push(&s[1]->syscalls), all + N1, N2, 200000, 5);
	s[2] = snap("a", 1002000000000ULL, 1000000000ULL);
	fill_row(vec_push(&s[2]->syscalls), all + N1 + N2, N3, 30000000, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(merger_add(m, s[i]), 0);
	assert_int_equal(merger_count(m), 3);
	struct snapshot *o = merger_finish(m, 1000);

	for (size_t i = 0; i < N1 + N2 + N3; i++) {
		direct[hist_bucket(all[i])]++;
		if (all[i] > max)
			max = all[i];
	}
	qsort(all, N1 + N2 + N3, sizeof(__u64), cmp_u64);
	assert_int_equal(o->syscalls.len, 1);
	struct snap_syscall *r = vec_at(&o->syscalls, struct snap_syscall, 0);
	assert_int_equal(r->count, N1 + N2 + N3);
	assert_int_equal(r->max_ns, max);
	assert_memory_equal(r->hist, direct, sizeof(direct));
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	const __u64 got[] = { r->p50_ns, r->p90_ns, r->p99_ns, r->p999_ns };
	for (int i = 0; i < 4; i++) {
		__u64 want = hist_percentile(direct, qs[i], max), truth = exact(all, N1 + N2 + N3, qs[i]);
		double err = (double)(got[i] > truth ? got[i] - truth : truth - got[i]) / (double)truth;

		assert_int_equal(got[i], want);
		if (err > 0.0625)
			fail_msg("p%g: %llu vs true %llu (%.1f%%)", qs[i] * 100,
				 (unsigned long long)got[i], (unsigned long long)truth, err * 100);
	}
	/* p90 of the window is in the medium band, nowhere near the mean of
	 * the three p90s */
	__u64 mean_p90 = 0;
	for (int i = 0; i < 3; i++)
		mean_p90 += vec_at(&s[i]->syscalls, struct snap_syscall, 0)->p90_ns / 3;
	assert_true(r->p90_ns < mean_p90 / 4);
	assert_int_equal(o->ts_ns, 1002000000000ULL);
	assert_int_equal(o->interval_ns, 3000000000ULL);
	for (int i = 0; i < 3; i++)
		snapshot_free(s[i]);
	snapshot_free(o);
	merger_free(m);
}

/* Several hosts, every section adds up; a row without its histogram keeps
 * the largest percentile it came with; pools are weighted by time. */
static void test_sections_and_hosts(void **state)
{
	struct snapshot *a = snap("web-1", 10000000000ULL, 1000000000ULL);
	struct snapshot *b = snap("web-2", 12000000000ULL, 3000000000ULL);
	struct snapshot *c = snap("web-1", 13000000000ULL, 1000000000ULL);
	struct merger *m = merger_new();
	struct snapshot *in[] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		struct snapshot *s = in[i];
		struct snap_tcp_retrans *rt = vec_push(&s->tcp_retrans);
		struct snap_peer *pe = vec_push(&s->peers);
		struct snap_user_lock *ul = vec_push(&s->user_locks);
		struct snap_pool *pl = vec_push(&s->pools);
		struct snap_inflight *fl = vec_push(&s->inflight);

		strcpy(rt->daddr, "10.0.0.2");
		rt->dport = 5432;
		rt->count = 10 + i;
		pe->pid = 5;
		strcpy(pe->peer, "tcp:10.0.0.2:5432");
		pe->calls = 100;
		pe->wait_ns = 1000;
		pe->p99_ns = 50 * (i + 1);	/* no histogram */
		pe->max_ns = 60 * (i + 1);
		ul->pid = 5;
		strcpy(ul->kind, "mutex");
		ul->count = 1;
		ul->total_ns = 7;
		pl->pid = 5;
		strcpy(pl->pool, "worker");
		pl->threads = 4 + i;
		pl->busy_pct = i == 1 ? 0 : 100;
		pl->idle_ns = 10;
		vec_init(&pl->blocked_on, sizeof(struct snap_pool_blocked));
		vec_init(&pl->others, sizeof(struct snap_pool_other));
		vec_init(&pl->thread_list, sizeof(struct snap_pool_thread));
		struct snap_pool_blocked *bo = vec_push(&pl->blocked_on);
		strcpy(bo->peer, i == 2 ? "pipe" : "tcp:10.0.0.2:5432");
		bo->io_ns = 5;
		fl->pid = 5;
		fl->tid = 6;
		fl->elapsed_ns = i == 1 ? 900 : 100;
		s->dropped.events = 1;
		s->truncated.syscalls = 2;
		assert_int_equal(merger_add(m, s), 0);
	}
	struct snapshot *o = merger_finish(m, 1000);

	assert_string_equal(o->host, "web-1,web-2");
	assert_int_equal(o->interval_ns, 13000000000ULL - 9000000000ULL);
	assert_int_equal(o->tcp_retrans.len, 1);
	assert_int_equal(vec_at(&o->tcp_retrans, struct snap_tcp_retrans, 0)->count, 33);
	struct snap_peer *pe = vec_at(&o->peers, struct snap_peer, 0);
	assert_int_equal(o->peers.len, 1);
	assert_int_equal(pe->calls, 300);
	assert_int_equal(pe->wait_ns, 3000);
	assert_int_equal(pe->p99_ns, 150);
	assert_int_equal(pe->max_ns, 180);
	assert_int_equal(vec_at(&o->user_locks, struct snap_user_lock, 0)->total_ns, 21);
	struct snap_pool *pl = vec_at(&o->pools, struct snap_pool, 0);
	assert_int_equal(pl->threads, 6);
	assert_int_equal(pl->idle_ns, 30);
	/* busy 100% for 1 s, 0% for 3 s, 100% for 1 s: 40% */
	assert_true(pl->busy_pct > 39.99 && pl->busy_pct < 40.01);
	assert_int_equal(pl->blocked_on.len, 2);
	/* merged by name, the most io first */
	assert_string_equal(vec_at(&pl->blocked_on, struct snap_pool_blocked, 0)->peer,
			    "tcp:10.0.0.2:5432");
	assert_int_equal(vec_at(&pl->blocked_on, struct snap_pool_blocked, 0)->io_ns, 10);
	assert_int_equal(vec_at(&pl->blocked_on, struct snap_pool_blocked, 1)->io_ns, 5);
	assert_int_equal(o->inflight.len, 1);
	assert_int_equal(vec_at(&o->inflight, struct snap_inflight, 0)->elapsed_ns, 900);
	assert_int_equal(o->dropped.events, 3);
	assert_int_equal(o->truncated.syscalls, 6);
	for (int i = 0; i < 3; i++)
		snapshot_free(in[i]);
	snapshot_free(o);
	merger_free(m);
}

/* Listeners merged by (pid, comm, laddr, port): counts summed, histograms
 * bucket by bucket with the percentiles from the sum, clients by address. */
static void test_requests_merge(void **state)
{
	struct snapshot *in[2] = { snap("web-1", 10000000000ULL, 1000000000ULL),
				   snap("web-1", 11000000000ULL, 1000000000ULL) };
	struct merger *m = merger_new();
	__u32 fast = hist_bucket(1000000), slow = hist_bucket(50000000);

	for (int i = 0; i < 2; i++) {
		struct snap_request *r = vec_push(&in[i]->requests);
		struct snap_request_client *c;

		r->pid = 5;
		strcpy(r->laddr, "0.0.0.0");
		r->port = 8080;
		r->hist = calloc(HIST_NBUCKETS, sizeof(*r->hist));
		/* 99 fast ones in the first, 2 slow ones in the second: merged,
		 * p99 is slow although neither input's p99 decides it */
		r->hist[i ? slow : fast] = i ? 2 : 99;
		r->requests = i ? 2 : 99;
		r->max_ns = i ? 50000000 : 1000000;
		r->p99_ns = r->max_ns;
		r->p50_ns = r->max_ns;
		r->accepted = 1;
		vec_init(&r->clients, sizeof(struct snap_request_client));
		c = vec_push(&r->clients);
		strcpy(c->client, "127.0.0.2");
		c->requests = r->requests;
		c->total_ns = 10;
		c->p99_ns = r->p99_ns;
		c = vec_push(&r->clients);
		strcpy(c->client, i ? "127.0.0.4" : "127.0.0.3");
		c->requests = 1;
		assert_int_equal(merger_add(m, in[i]), 0);
	}
	struct snapshot *o = merger_finish(m, 1000);
	struct snap_request *r = vec_at(&o->requests, struct snap_request, 0);

	assert_int_equal(o->requests.len, 1);
	assert_int_equal(r->requests, 101);
	assert_int_equal(r->accepted, 2);
	assert_int_equal(r->hist[fast], 99);
	assert_int_equal(r->hist[slow], 2);
	assert_true(r->p50_ns <= 1000000);
	assert_true(r->p99_ns > 40000000);
	assert_int_equal(r->max_ns, 50000000);
	assert_int_equal(r->clients.len, 3);
	struct snap_request_client *c = vec_at(&r->clients, struct snap_request_client, 0);

	assert_string_equal(c->client, "127.0.0.2");
	assert_int_equal(c->requests, 101);
	assert_int_equal(c->total_ns, 20);
	assert_int_equal(c->p99_ns, 50000000);
	for (int i = 0; i < 2; i++)
		snapshot_free(in[i]);
	snapshot_free(o);
	merger_free(m);
}

static void test_empty_merge(void **state)
{
	struct merger *m = merger_new();

	assert_null(merger_finish(m, 10));
	merger_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_from_merged_histogram),
		cmocka_unit_test(test_sections_and_hosts),
		cmocka_unit_test(test_requests_merge),
		cmocka_unit_test(test_empty_merge),
	};

	return cmocka_run_group_tests_name("snapshot_merge", tests, NULL, NULL);
}
