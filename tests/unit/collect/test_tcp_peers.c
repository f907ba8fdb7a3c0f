/* The per-peer roll-up: rows of several processes and connections to one
 * remote add up; connect p99 comes from the merged histograms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/histo.h"
#include "collect/tcp_by_peer.h"

static void retrans(struct snapshot *s, const char *daddr, __u16 dport, __u64 n)
{
	struct snap_tcp_retrans *r = vec_push(&s->tcp_retrans);

	strcpy(r->daddr, daddr);
	r->dport = dport;
	r->count = n;
}

static void reset(struct snapshot *s, const char *daddr, __u16 dport, __u64 n)
{
	struct snap_tcp_reset *r = vec_push(&s->tcp_resets);

	strcpy(r->daddr, daddr);
	r->dport = dport;
	r->count = n;
}

/* n connects of ns each, plus failed ones */
static void connects(struct snapshot *s, const char *daddr, __u16 dport, __u64 n, __u64 ns,
		     __u64 failed)
{
	struct snap_tcp_connect *r = vec_push(&s->tcp_connect);

	strcpy(r->daddr, daddr);
	r->dport = dport;
	r->count = n;
	r->failed = failed;
	r->hist = calloc(HIST_NBUCKETS, sizeof(*r->hist));
	if (n) {
		r->hist[hist_bucket(ns)] = n;
		r->max_ns = ns;
	}
}

static const struct snap_tcp_peer *find(const struct snapshot *s, const char *daddr, __u16 dport)
{
	for (size_t i = 0; i < s->tcp_peers.len; i++) {
		const struct snap_tcp_peer *p = vec_at(&s->tcp_peers, struct snap_tcp_peer, i);

		if (!strcmp(p->daddr, daddr) && p->dport == dport)
			return p;
	}
	return NULL;
}

static void test_rollup_adds_up(void **state)
{
	struct snapshot *s = snapshot_new();
	const struct snap_tcp_peer *p;

	retrans(s, "10.0.0.5", 5432, 7);
	retrans(s, "10.0.0.5", 5432, 3);	/* another connection */
	retrans(s, "10.0.0.5", 6379, 1);	/* same host, other port */
	reset(s, "10.0.0.5", 5432, 2);
	connects(s, "10.0.0.5", 5432, 10, 1000000, 1);	/* two processes */
	connects(s, "10.0.0.5", 5432, 0, 0, 4);
	connects(s, "fd00::1", 443, 5, 2000, 0);
	assert_int_equal(tcp_peers_build(s), 0);
	assert_int_equal(s->tcp_peers.len, 3);

	p = find(s, "10.0.0.5", 5432);
	assert_non_null(p);
	assert_int_equal(p->retransmits, 10);
	assert_int_equal(p->resets, 2);
	assert_int_equal(p->connects, 10);
	assert_int_equal(p->connect_failed, 5);
	assert_int_equal(p->connect_p99_ns, 1000000);	/* the exact max caps it */
	p = find(s, "10.0.0.5", 6379);
	assert_non_null(p);
	assert_int_equal(p->retransmits, 1);
	assert_int_equal(p->connects, 0);
	assert_int_equal(p->connect_p99_ns, 0);
	p = find(s, "fd00::1", 443);
	assert_non_null(p);
	assert_int_equal(p->connects, 5);
	snapshot_free(s);
}

static void test_p99_from_merged_histograms(void **state)
{
	struct snapshot *s = snapshot_new();
	const struct snap_tcp_peer *p;
	__u64 lo = hist_bucket_lo(hist_bucket(1000000000));

	/* 99 fast connects by one process, 2 slow (lost SYN) by another: the
	 * peer's p99 is slow although neither row alone says how often */
	connects(s, "10.0.0.9", 80, 99, 200000, 0);
	connects(s, "10.0.0.9", 80, 2, 1000000000, 0);
	assert_int_equal(tcp_peers_build(s), 0);
	p = find(s, "10.0.0.9", 80);
	assert_non_null(p);
	assert_int_equal(p->connects, 101);
	assert_true(p->connect_p99_ns >= lo && p->connect_p99_ns <= 1000000000);
	/* building again replaces, not appends */
	assert_int_equal(tcp_peers_build(s), 0);
	assert_int_equal(s->tcp_peers.len, 1);
	snapshot_free(s);
}

static void test_empty(void **state)
{
	struct snapshot *s = snapshot_new();

	assert_int_equal(tcp_peers_build(s), 0);
	assert_int_equal(s->tcp_peers.len, 0);
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup_adds_up),
		cmocka_unit_test(test_p99_from_merged_histograms),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("tcp_peers", tests, NULL, NULL);
}
