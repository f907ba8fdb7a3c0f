/* Drill-downs: the histogram as bars with its percentiles marked on the
 * right lines, the stack of a lock, the threads of a pool with their
 * states, the connections to a peer; the pool state bar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_tui_fixture.h"
#include "sink/tui/model.h"

static struct tui_lines L;

static int teardown(void **state)
{
	tui_lines_free(&L);
	return 0;
}

/* The index of the first line containing s, or -1. */
static long find_line(const char *s)
{
	for (size_t i = 0; i < L.len; i++)
		if (strstr(L.v[i].text, s))
			return (long)i;
	return -1;
}

static void test_histogram_bars_and_marks(void **state)
{
	/* 900 x 1ms, 90 x 10ms, 9 x 100ms, 1 x 1s */
	__u64 v[4] = { 1 * MS, 10 * MS, 100 * MS, 1000 * MS }, c[4] = { 900, 90, 9, 1 };
	__u64 *h = fixture_hist(v, c, 4);
	long p50, p99, p999, mx;

	assert_int_equal(tui_hist_lines(h, 1000 * MS, 80, 200, &L), 0);
	/* one line per bucket from the first to the last non-empty one */
	assert_int_equal(L.len, hist_bucket(1000 * MS) - hist_bucket(1 * MS) + 1);
	p50 = find_line(" p50");
	p99 = find_line(" p99");
	p999 = find_line(" p99.9");
	mx = find_line(" max");
	assert_true(p50 == 0);
	assert_non_null(strstr(L.v[p50].text, "p90"));	/* 1ms holds p50 and p90 */
	assert_true(p99 > p50 && p999 > p99 && mx == (long)L.len - 1);
	/* p99 is the 990th value (10ms), p99.9 the 999th (100ms) */
	assert_non_null(strstr(L.v[p99].text, "|     90   9.0%"));
	assert_non_null(strstr(L.v[p999].text, "|      9   0.9%"));
	assert_true(p999 < mx);
	/* the tallest bar is full width, the smallest still shows */
	assert_non_null(strstr(L.v[0].text, "|#######################|"));
	assert_non_null(strstr(L.v[mx].text, "|#                      |"));
	assert_non_null(strstr(L.v[0].text, "90.0%"));
	assert_int_equal(L.v[0].style, TL_MARK);
	for (size_t i = 0; i < L.len; i++)
		assert_true(strlen(L.v[i].text) <= 80);
	/* a very wide screen: the bar stops growing, the marks stay */
	tui_lines_clear(&L);
	assert_int_equal(tui_hist_lines(h, 1000 * MS, 400, 200, &L), 0);
	assert_non_null(strstr(L.v[L.len - 1].text, " max"));
	assert_true(strlen(L.v[0].text) < 200);
	free(h);
}

static void test_histogram_grouped_to_fit(void **state)
{
	__u64 v[3] = { 1000, 1 * MS, 1000 * MS }, c[3] = { 10, 10, 10 };
	__u64 *h = fixture_hist(v, c, 3);
	__u64 sum = 0;

	assert_int_equal(tui_hist_lines(h, 1000 * MS, 100, 12, &L), 0);
	assert_true(L.len <= 12 && L.len >= 6);
	/* nothing lost in grouping: the counts add up to 30 */
	for (size_t i = 0; i < L.len; i++) {
		char *bar = strrchr(L.v[i].text, '|');

		sum += strtoull(bar + 1, NULL, 10);
	}
	assert_int_equal(sum, 30);
	assert_true(find_line(" max") == (long)L.len - 1);
	free(h);

	tui_lines_clear(&L);
	h = calloc(HIST_NBUCKETS, sizeof(*h));
	assert_int_equal(tui_hist_lines(h, 0, 80, 10, &L), 0);
	assert_int_equal(L.len, 1);
	assert_non_null(strstr(L.v[0].text, "nothing recorded"));
	free(h);
	tui_lines_clear(&L);
	assert_int_equal(tui_hist_lines(NULL, 0, 80, 10, &L), 0);
	assert_non_null(strstr(L.v[0].text, "no histogram"));
}

static void test_state_bar(void **state)
{
	char bar[64];

	tui_state_bar(1, 1, 1, 1, 1, bar, 10);
	assert_string_equal(bar, "CCRRLLII..");
	tui_state_bar(0, 0, 0, 100, 0, bar, 8);
	assert_string_equal(bar, "IIIIIIII");
	/* a sliver of idle still shows: that is the difference from saturated */
	tui_state_bar(0, 0, 0, 1000, 1, bar, 8);
	assert_string_equal(bar, "IIIIIII.");
	tui_state_bar(0, 0, 0, 0, 0, bar, 4);
	assert_string_equal(bar, "    ");
	tui_state_bar(5, 5, 5, 5, 5, bar, 3);
	assert_int_equal(strlen(bar), 3);
}

static struct tui_table tab;

static const struct tui_row *first_row(struct snapshot *s, enum tui_view v, enum tui_src k)
{
	assert_int_equal(tui_table_build(&tab, v, s), 0);
	tui_table_apply(&tab, NULL, 0, 0, true);
	for (size_t i = 0; i < tab.nshown; i++)
		if (tui_table_shown(&tab, i)->src_kind == k)
			return tui_table_shown(&tab, i);
	fail_msg("no row of kind %d", k);
	return NULL;
}

static void test_details_of_every_kind(void **state)
{
	struct snapshot *s = fixture_snapshot();
	const struct tui_row *r;

	tui_table_init(&tab);
	r = first_row(s, TV_SYSCALLS, TS_SYSCALL);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("latency histogram") == 0);
	assert_true(find_line("p99.9") > 0);
	assert_true(find_line("|") > 1);

	r = first_row(s, TV_LOCKS, TS_KLOCK);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Stack") > 0);
	assert_true(find_line("#0  __mutex_lock+0x1a") > find_line("Stack"));
	assert_true(find_line("#1  rtnl_lock+0x15") > 0);

	r = first_row(s, TV_LOCKS, TS_ULOCK);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("pthread_mutex_lock") > 0);
	/* how the user stack was taken */
	assert_true(find_line("Stack (innermost first, unwound by CFI)") > 0);

	r = first_row(s, TV_POOLS, TS_POOL);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Threads") > 0);
	/* thread 301 never idle: marked; 302 had some idle */
	assert_int_equal(L.v[find_line("pool-1-thread-1")].style, TL_HOT);
	assert_int_equal(L.v[find_line("pool-1-thread-2")].style, TL_TEXT);
	assert_true(find_line("(main, not a worker)") > 0);
	assert_true(find_line("tcp:10.0.0.2:5432") > find_line("Blocked on"));

	r = first_row(s, TV_PEERS, TS_PEER);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Connections to tcp:10.0.0.2:5432") > 0);
	assert_true(find_line("retransmits 7") > 0);
	assert_true(find_line("connects 10 failed 1") > 0);
	assert_true(find_line("pool pool-1-thread blocked on it") > 0);

	r = first_row(s, TV_TCP, TS_CONNECT);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Peer tcp:10.0.0.2:5432") == 0);
	assert_true(find_line("Connect latency") > 0);

	r = first_row(s, TV_TCP, TS_RESET);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Connections to tcp:[fe80::1]:8080") >= 0);
	assert_true(find_line("resets received 2") > 0);

	/* a listener: its clients and its requests in flight */
	struct snap_request *rq = vec_push(&s->requests);

	rq->pid = 300;
	strcpy(rq->comm, "srv");
	strcpy(rq->laddr, "0.0.0.0");
	rq->port = 8080;
	rq->requests = 12;
	rq->p99_ns = 2000000;
	vec_init(&rq->clients, sizeof(struct snap_request_client));
	struct snap_request_client *rc = vec_push(&rq->clients);

	strcpy(rc->client, "10.1.2.3");
	rc->requests = 12;
	/* why: 10 of them split, 2 shared; 52 round trips to the database at p99 */
	rq->not_attributable = 2;
	rq->why_requests = 10;
	rq->why_oncpu_ns = 1000000;
	rq->why_io_ns = 3000000;
	vec_init(&rq->roundtrips, sizeof(struct snap_request_rt));
	struct snap_request_rt *rt = vec_push(&rq->roundtrips);

	strcpy(rt->peer, "tcp:10.0.0.5:5432");
	*rt = (struct snap_request_rt){ .requests = 10, .roundtrips = 90, .p50 = 4, .p99 = 52,
					.max = 52, .io_ns = 2500000 };
	strcpy(rt->peer, "tcp:10.0.0.5:5432");
	/* the accept queue of its listener */
	struct snap_listener *li = vec_push(&s->listeners);

	*li = (struct snap_listener){ .pid = 300, .port = 8080, .accepted = 3, .waits = 3,
				      .p99_ns = 4000000, .queue_max = 129, .backlog = 128, .full = 1 };
	strcpy(li->laddr, "0.0.0.0");
	s->listen.overflows = 5;
	struct snap_inflight_request *fr = vec_push(&s->inflight_requests);

	*fr = (struct snap_inflight_request){ .pid = 300, .tid = 301, .port = 8080,
					      .elapsed_ns = 250000000 };
	strcpy(fr->laddr, "0.0.0.0");
	strcpy(fr->client, "10.1.2.4");
	r = first_row(s, TV_REQUESTS, TS_REQUEST);
	assert_int_equal(r->aux, 8080);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	assert_true(find_line("Requests to 0.0.0.0:8080 of 300 srv") == 0);
	assert_true(find_line("10.1.2.3") > find_line("Clients"));
	assert_true(find_line("tid 301") > find_line("In flight"));
	assert_true(find_line("10.1.2.4") > 0);
	/* why: the split of the 10, the round trips (hot at p99 52), the queue */
	assert_true(find_line("10 requests: oncpu ") > find_line("Why"));
	assert_true(find_line("2 not attributable") > 0);
	int rtl = find_line("tcp:10.0.0.5:5432");

	assert_true(rtl > find_line("Round trips per request"));
	assert_non_null(strstr(L.v[rtl].text, "p99 52"));
	assert_int_equal(L.v[rtl].style, TL_HOT);
	assert_true(find_line("longest queue found 129 of 129, full") > find_line("Accept queue"));
	assert_true(find_line("5 overflows") > 0);
	assert_int_equal(r->v[9].u, 4000000);	/* AQ99 */

	/* the row is gone from the snapshot */
	assert_int_equal(tui_detail(NULL, s, 80, 20, &L), 0);
	assert_int_equal(L.len, 1);
	tui_table_free(&tab);
	snapshot_free(s);
}

static void test_detail_sanitizes(void **state)
{
	struct snapshot *s = fixture_snapshot();
	const struct tui_row *r;
	struct snap_kernel_lock *kl = vec_at(&s->kernel_locks, struct snap_kernel_lock, 0);

	free(kl->stack[0]);
	kl->stack[0] = strdup("\x1b[2Jbad\x07");
	tui_table_init(&tab);
	r = first_row(s, TV_LOCKS, TS_KLOCK);
	assert_int_equal(tui_detail(r, s, 80, 20, &L), 0);
	for (size_t i = 0; i < L.len; i++) {
		assert_null(strchr(L.v[i].text, 0x1b));
		assert_null(strchr(L.v[i].text, 0x07));
	}
	assert_true(find_line("?[2Jbad?") > 0);
	tui_table_free(&tab);
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_histogram_bars_and_marks, teardown),
		cmocka_unit_test_teardown(test_histogram_grouped_to_fit, teardown),
		cmocka_unit_test(test_state_bar),
		cmocka_unit_test_teardown(test_details_of_every_kind, teardown),
		cmocka_unit_test_teardown(test_detail_sanitizes, teardown),
	};

	return cmocka_run_group_tests_name("tui_detail", tests, NULL, NULL);
}
