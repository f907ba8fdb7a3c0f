/* The requests view's rows from its kernel figures: counts from the
 * histogram, percentiles from it, the lock-free max never below its top
 * bucket, clients sorted and cut, in-flight rows only for requests open
 * long enough; and the listening sockets read from /proc/net/tcp{,6}. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "collect/requests_row.h"
#include "collect/requests_seed.h"
#include "snapshot/histo.h"

static struct req_key key_v4(const char *addr, __u16 port)
{
	struct req_key k = { .tgid = 42, .pstart = 7 };

	assert_int_equal(inet_pton(AF_INET, addr, k.l.addr), 1);
	k.l.port = port;
	return k;
}

static struct snap_request *new_row(void)
{
	struct snap_request *row = calloc(1, sizeof(*row));

	assert_non_null(row);
	snap_row_init(snap_section_named("requests"), row);
	return row;
}

static void free_row(struct snap_request *row)
{
	snap_row_release(snap_section_named("requests"), row);
	free(row);
}

static void test_row_counts_and_percentiles(void **state)
{
	static struct req_stats st;
	struct req_key k = key_v4("127.0.0.1", 8080);
	struct snap_request *row = new_row();
	__u32 fast = hist_bucket(1000000), slow = hist_bucket(30000000);

	memset(&st, 0, sizeof(st));
	st.hist[fast] = 98;
	st.hist[slow] = 2;
	st.total_ns = 98ULL * 1000000 + 2ULL * 30000000;
	st.max_ns = 30000000;
	st.bytes_in = 6400;
	st.accepted = 3;
	memcpy(st.comm, "srv", 4);
	assert_int_equal(req_row_fill(row, &k, &st), 0);
	assert_int_equal(row->pid, 42);
	assert_string_equal(row->comm, "srv");
	assert_string_equal(row->laddr, "127.0.0.1");
	assert_int_equal(row->port, 8080);
	assert_int_equal(row->requests, 100);
	assert_int_equal(row->bytes_in, 6400);
	assert_int_equal(row->accepted, 3);
	/* p50 in the fast bucket, p99 in the slow one */
	assert_true(row->p50_ns >= hist_bucket_lo(fast) && row->p50_ns <= hist_bucket_hi(fast));
	assert_true(row->p99_ns >= hist_bucket_lo(slow) && row->p99_ns <= 30000000);
	assert_int_equal(row->max_ns, 30000000);
	assert_non_null(row->hist);
	assert_int_equal(row->hist[fast], 98);
	free_row(row);
}

static void test_max_not_below_top_bucket(void **state)
{
	static struct req_stats st;
	struct req_key k = key_v4("0.0.0.0", 80);
	struct snap_request *row = new_row();
	__u32 b = hist_bucket(5000000);

	memset(&st, 0, sizeof(st));
	st.hist[b] = 1;
	st.max_ns = 10;		/* a racing update lost in the kernel */
	assert_int_equal(req_row_fill(row, &k, &st), 0);
	assert_int_equal(row->max_ns, hist_bucket_lo(b));
	assert_string_equal(row->laddr, "0.0.0.0");
	free_row(row);
}

static void test_clients_sorted_and_cut(void **state)
{
	static struct req_stats cs;
	struct snap_request *row = new_row();
	struct req_client_key ck = { 0 };

	memset(&cs, 0, sizeof(cs));
	for (int i = 0; i < 20; i++) {
		ck.caddr[0] = 10;
		ck.caddr[3] = (__u8)(i + 1);
		cs.total_ns = (__u64)(i + 1) * 1000;
		cs.hist[hist_bucket(1000)] = (__u32)(i + 1);
		cs.max_ns = 1000;
		assert_int_equal(req_client_add(row, &ck, &cs), 0);
	}
	assert_int_equal(req_clients_cut(row, REQ_CLIENTS_TOP), 20 - REQ_CLIENTS_TOP);
	assert_int_equal(row->clients.len, REQ_CLIENTS_TOP);
	struct snap_request_client *c = vec_at(&row->clients, struct snap_request_client, 0);

	assert_string_equal(c->client, "10.0.0.20");
	assert_int_equal(c->requests, 20);
	assert_int_equal(c->total_ns, 20000);
	assert_true(c->p99_ns <= 1000 && c->p99_ns >= hist_bucket_lo(hist_bucket(1000)));
	c = vec_at(&row->clients, struct snap_request_client, REQ_CLIENTS_TOP - 1);
	assert_string_equal(c->client, "10.0.0.5");
	free_row(row);
}

static void test_v6_client(void **state)
{
	static struct req_stats cs;
	struct snap_request *row = new_row();
	struct req_client_key ck = { .cv6 = 1 };

	memset(&cs, 0, sizeof(cs));
	assert_int_equal(inet_pton(AF_INET6, "fd00::7", ck.caddr), 1);
	assert_int_equal(req_client_add(row, &ck, &cs), 0);
	assert_string_equal(vec_at(&row->clients, struct snap_request_client, 0)->client, "fd00::7");
	assert_int_equal(vec_at(&row->clients, struct snap_request_client, 0)->requests, 0);
	free_row(row);
}

/* A listener's figures are its clients' summed: counts, bytes, histograms
 * bucket by bucket; maxima kept; the first name. */
static void test_stats_add(void **state)
{
	static struct req_stats acc, a, b;
	__u32 x = hist_bucket(1000), y = hist_bucket(9000000);

	memset(&acc, 0, sizeof(acc));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.hist[x] = 3;
	a.total_ns = 3000;
	a.max_ns = 1000;
	a.bytes_in = 10;
	a.accepted = 1;
	memcpy(a.comm, "srv", 4);
	b.hist[x] = 1;
	b.hist[y] = 2;
	b.total_ns = 18001000;
	b.max_ns = 9000000;
	b.ttfb_max_ns = 5;
	b.bytes_in = 20;
	b.closed = 2;
	memcpy(b.comm, "other", 6);
	req_stats_add(&acc, &a);
	req_stats_add(&acc, &b);
	assert_int_equal(acc.hist[x], 4);
	assert_int_equal(acc.hist[y], 2);
	assert_int_equal(acc.total_ns, 18004000);
	assert_int_equal(acc.max_ns, 9000000);
	assert_int_equal(acc.ttfb_max_ns, 5);
	assert_int_equal(acc.bytes_in, 30);
	assert_int_equal(acc.accepted, 1);
	assert_int_equal(acc.closed, 2);
	assert_string_equal(acc.comm, "srv");
}

static void test_inflight_only_when_open_long_enough(void **state)
{
	struct snap_inflight_request r = { 0 };
	struct req_conn c = { .state = REQ_RECEIVING, .start_ns = 1000000000ULL, .tid = 77 };

	inet_pton(AF_INET, "127.0.0.2", c.caddr);
	inet_pton(AF_INET, "127.0.0.1", c.l.addr);
	c.l.port = 9000;
	memcpy(c.comm, "srv", 4);
	assert_int_equal(req_inflight_fill(&r, 42, &c, 1050000000ULL, 100000000ULL), 0);
	assert_int_equal(r.pid, 0);
	assert_int_equal(req_inflight_fill(&r, 42, &c, 1300000000ULL, 100000000ULL), 1);
	assert_int_equal(r.pid, 42);
	assert_int_equal(r.tid, 77);
	assert_string_equal(r.client, "127.0.0.2");
	assert_string_equal(r.laddr, "127.0.0.1");
	assert_int_equal(r.port, 9000);
	assert_int_equal(r.elapsed_ns, 300000000ULL);
	/* answered already (or idle): not in flight; a clock behind: not either */
	c.state = REQ_RESPONDING;
	assert_int_equal(req_inflight_fill(&r, 42, &c, 1300000000ULL, 100000000ULL), 0);
	c.state = REQ_RECEIVING;
	assert_int_equal(req_inflight_fill(&r, 42, &c, 10, 100000000ULL), 0);
}

static void test_seed_parses_listeners(void **state)
{
	struct req_listener l;
	unsigned long ino = 0;
	__u8 a[16] = { 0 };

	assert_int_equal(req_seed_parse("  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
					"00:00000000 00000000     0        0 123456 1 0000000000000000 "
					"100 0 0 10 0", false, &l, &ino), 1);
	assert_int_equal(ino, 123456);
	assert_int_equal(l.port, 8080);
	assert_int_equal(l.v6, 0);
	inet_pton(AF_INET, "127.0.0.1", a);
	assert_memory_equal(l.addr, a, 16);
	/* established: not a listener; the header line neither */
	assert_int_equal(req_seed_parse("  1: 0100007F:1F90 0200007F:C350 01 00000000:00000000 "
					"00:00000000 00000000     0        0 123457 1", false, &l, &ino), 0);
	assert_int_equal(req_seed_parse("  sl  local_address rem_address   st tx_queue rx_queue",
					false, &l, &ino), 0);
	/* tcp6: :: (any), and a v4-mapped address as IPv4 */
	assert_int_equal(req_seed_parse("   0: 00000000000000000000000000000000:0050 "
					"00000000000000000000000000000000:0000 0A 00000000:00000000 "
					"00:00000000 00000000     0        0 99 1", true, &l, &ino), 1);
	assert_int_equal(l.v6, 1);
	assert_int_equal(l.port, 80);
	memset(a, 0, sizeof(a));
	assert_memory_equal(l.addr, a, 16);
	assert_int_equal(req_seed_parse("   0: 0000000000000000FFFF00000100007F:0050 "
					"00000000000000000000000000000000:0000 0A 00000000:00000000 "
					"00:00000000 00000000     0        0 98 1", true, &l, &ino), 1);
	assert_int_equal(l.v6, 0);
	inet_pton(AF_INET, "127.0.0.1", a);
	assert_memory_equal(l.addr, a, 16);
	/* ::1 */
	assert_int_equal(req_seed_parse("   0: 00000000000000000000000001000000:0050 "
					"00000000000000000000000000000000:0000 0A 00000000:00000000 "
					"00:00000000 00000000     0        0 97 1", true, &l, &ino), 1);
	inet_pton(AF_INET6, "::1", a);
	assert_memory_equal(l.addr, a, 16);
	assert_int_equal(l.v6, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_counts_and_percentiles),
		cmocka_unit_test(test_max_not_below_top_bucket),
		cmocka_unit_test(test_clients_sorted_and_cut),
		cmocka_unit_test(test_v6_client),
		cmocka_unit_test(test_stats_add),
		cmocka_unit_test(test_inflight_only_when_open_long_enough),
		cmocka_unit_test(test_seed_parses_listeners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
