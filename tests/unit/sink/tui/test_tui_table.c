/* The TUI's rows from a snapshot of every family: the Overview's per
 * process aggregates, each view's rows, sorting by any column, filtering by
 * name or pid, the threshold marks, and finding a row again by identity
 * in the next snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_tui_fixture.h"
#include "sink/tui/model.h"

static struct snapshot *snap;
static struct tui_table tab;

static int setup(void **state)
{
	snap = fixture_snapshot();
	tui_table_init(&tab);
	return 0;
}

static int teardown(void **state)
{
	tui_table_free(&tab);
	snapshot_free(snap);
	return 0;
}

static const struct tui_row *row_of_pid(__u32 pid)
{
	for (size_t i = 0; i < tab.nshown; i++)
		if (tui_table_shown(&tab, i)->pid == pid)
			return tui_table_shown(&tab, i);
	fail_msg("no row of pid %u", pid);
	return NULL;
}

static void cell(const struct tui_row *r, int col, char *buf, size_t n)
{
	tui_fmt_cell(&tab.cols[col], r, col, buf, n);
}

static void test_overview_aggregates_per_process(void **state)
{
	const struct tui_row *r;
	char b[64];

	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_apply(&tab, NULL, 0, 3, true);
	assert_int_equal(tab.nshown, 3);	/* nginx, postgres, java */
	/* worst p99 first: nginx's epoll_wait */
	r = tui_table_shown(&tab, 0);
	assert_int_equal(r->pid, 100);
	cell(r, 2, b, sizeof(b));
	assert_string_equal(b, "epoll_wait");
	cell(r, 4, b, sizeof(b));
	assert_string_equal(b, "940ms");	/* time in syscalls: 40 + 900 */
	cell(r, 6, b, sizeof(b));
	assert_string_equal(b, "7");		/* retransmits */
	assert_true(r->hot);
	cell(r, 7, b, sizeof(b));
	assert_string_equal(b, "-");		/* no pool */

	r = row_of_pid(300);
	cell(r, 5, b, sizeof(b));
	assert_string_equal(b, "450ms");	/* the mutex, not the condvar */
	cell(r, 7, b, sizeof(b));
	assert_string_equal(b, "95.0");
	assert_true(r->hot);			/* pool above 90% */

	r = row_of_pid(200);
	cell(r, 8, b, sizeof(b));
	assert_string_equal(b, "30s");		/* blocked in flight */
	assert_false(r->hot);
}

static void test_views_have_their_rows(void **state)
{
	static const size_t want[TV_NR] = { 3, 4, 3, 3, 1, 1 };

	for (int v = 0; v < TV_NR; v++) {
		assert_int_equal(tui_table_build(&tab, (enum tui_view)v, snap), 0);
		tui_table_apply(&tab, NULL, 0, 0, true);
		if (tab.nshown != want[v])
			fail_msg("%s: %zu rows, want %zu", tui_view_names[v], tab.nshown, want[v]);
	}
	/* no snapshot yet: no rows, no crash */
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, NULL), 0);
	tui_table_apply(&tab, "x", 0, 0, true);
	assert_int_equal(tab.nshown, 0);
	assert_null(tui_table_shown(&tab, 0));
}

static void test_tcp_rows(void **state)
{
	char line[256];

	assert_int_equal(tui_table_build(&tab, TV_TCP, snap), 0);
	tui_table_apply(&tab, NULL, 0, 5, true);
	tui_fmt_row(&tab, tui_table_shown(&tab, 0), line, sizeof(line), 80);
	assert_string_equal(line, "    100 nginx         connect    10.0.0.2:5432         FAILED          10 150ms");
	tui_fmt_row(&tab, tui_table_shown(&tab, 1), line, sizeof(line), 80);
	assert_string_equal(line, "    100 nginx         retransmit 10.0.0.2:5432         ESTABLISHED      7     -");
	assert_true(tui_table_shown(&tab, 1)->hot);
	tui_fmt_row(&tab, tui_table_shown(&tab, 2), line, sizeof(line), 80);
	/* IPv6 in brackets */
	assert_non_null(strstr(line, "reset-recv [fe80::1]:8080"));
}

static void test_locks_and_pools_rows(void **state)
{
	char line[256];

	assert_int_equal(tui_table_build(&tab, TV_LOCKS, snap), 0);
	tui_table_apply(&tab, NULL, 0, 5, true);
	/* by total: condvar 5s, kernel 800ms, mutex 450ms */
	tui_fmt_row(&tab, tui_table_shown(&tab, 1), line, sizeof(line), 80);
	assert_string_equal(line, "      - [kernel]      rtnl_mutex          mutex          40  800ms 120ms 130ms");
	assert_true(tui_table_shown(&tab, 1)->hot);
	/* a waiting-for-work condvar is never red, however long */
	assert_false(tui_table_shown(&tab, 0)->hot);
	tui_fmt_row(&tab, tui_table_shown(&tab, 2), line, sizeof(line), 80);
	assert_non_null(strstr(line, "pthread_mutex_lock"));

	assert_int_equal(tui_table_build(&tab, TV_POOLS, snap), 0);
	tui_table_apply(&tab, NULL, 0, 5, true);
	tui_fmt_row(&tab, tui_table_shown(&tab, 0), line, sizeof(line), 80);
	assert_string_equal(line, "    300 java          pool-1-thread    2  97.5  95.0 CCCCRLLIIIIIIIIII.  3.0ms");
	assert_true(tui_table_shown(&tab, 0)->hot);
}

static void test_sort_any_column_both_ways(void **state)
{
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, snap), 0);
	for (int c = 0; c < tab.ncols; c++) {
		for (int d = 0; d < 2; d++) {
			tui_table_apply(&tab, NULL, 0, c, d);
			assert_int_equal(tab.nshown, 4);
			for (size_t i = 1; i < tab.nshown; i++) {
				const union tui_val *a = &tui_table_shown(&tab, i - 1)->v[c];
				const union tui_val *b = &tui_table_shown(&tab, i)->v[c];
				int cmp = tab.cols[c].kind == TC_STR ? strcmp(a->s, b->s) :
					  (a->u > b->u) - (a->u < b->u);

				if (d ? cmp < 0 : cmp > 0)
					fail_msg("column %s %s: rows %zu and %zu out of order",
						 tab.cols[c].title, d ? "desc" : "asc", i - 1, i);
			}
		}
	}
	tui_table_apply(&tab, NULL, 0, 7, true);	/* P99 */
	assert_string_equal(tui_table_shown(&tab, 0)->name2, "epoll_wait");
	tui_table_apply(&tab, NULL, 0, 2, false);	/* SYSCALL a..z */
	assert_string_equal(tui_table_shown(&tab, 0)->name2, "epoll_wait");
	assert_string_equal(tui_table_shown(&tab, 3)->name2, "read");
	/* out of range column: the first one, no crash */
	tui_table_apply(&tab, NULL, 0, 99, true);
	assert_int_equal(tab.nshown, 4);
}

static void test_filter_by_name_or_pid(void **state)
{
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, snap), 0);
	tui_table_apply(&tab, "NGINX", 0, 0, true);	/* any case */
	assert_int_equal(tab.nshown, 2);
	tui_table_apply(&tab, "fsync", 0, 0, true);	/* the syscall's name */
	assert_int_equal(tab.nshown, 1);
	assert_int_equal(tui_table_shown(&tab, 0)->pid, 200);
	tui_table_apply(&tab, "300", 0, 0, true);	/* a pid */
	assert_int_equal(tab.nshown, 1);
	assert_string_equal(tui_table_shown(&tab, 0)->name, "java");
	tui_table_apply(&tab, "nothing-like-it", 0, 0, true);
	assert_int_equal(tab.nshown, 0);
	tui_table_apply(&tab, "", 100, 0, true);	/* the Overview's drill-down */
	assert_int_equal(tab.nshown, 2);
	tui_table_apply(&tab, "read", 100, 0, true);
	assert_int_equal(tab.nshown, 1);
	tui_table_apply(&tab, NULL, 0, 0, true);
	assert_int_equal(tab.nshown, 4);
}

static void test_row_found_again_in_next_snapshot(void **state)
{
	struct snapshot *next = fixture_snapshot();
	struct tui_key k;
	long i;

	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, snap), 0);
	tui_table_apply(&tab, NULL, 0, 5, true);
	tui_row_key(tui_table_shown(&tab, 2), &k);
	assert_true(k.set);
	/* the next snapshot sorts differently: found by identity */
	vec_at(&next->syscalls, struct snap_syscall, 2)->total_ns = 99000 * MS;
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, next), 0);
	tui_table_apply(&tab, NULL, 0, 5, true);
	i = tui_table_find(&tab, &k);
	assert_true(i >= 0);
	assert_string_equal(tui_table_shown(&tab, (size_t)i)->name2, k.name2);
	assert_int_equal(tui_table_shown(&tab, (size_t)i)->pid, k.pid);
	/* hidden by the filter: not among the shown rows, still found for a
	 * drill-down that is open on it */
	tui_table_apply(&tab, "no-such-name", 0, 5, true);
	assert_int_equal(tui_table_find(&tab, &k), -1);
	assert_non_null(tui_table_find_any(&tab, &k));
	assert_string_equal(tui_table_find_any(&tab, &k)->name2, k.name2);
	/* a row that is gone is not found */
	strcpy(k.name2, "gone");
	assert_int_equal(tui_table_find(&tab, &k), -1);
	assert_null(tui_table_find_any(&tab, &k));
	tui_row_key(NULL, &k);
	assert_int_equal(tui_table_find(&tab, &k), -1);
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, snap), 0);
	snapshot_free(next);
}

/* 10,000 rows: built, sorted and filtered without trouble (the timing is
 * a benchmark, tools/bench/tui_redraw). */
static void test_many_rows(void **state)
{
	struct snapshot *s = snapshot_new();
	char name[32];

	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "proc-%d", i % 977);
		fixture_syscall(s, (__u32)(1000 + i % 977), name, i % 2 ? "read" : "write",
				(__u64)(i + 2), (__u64)i * 1000, (__u64)(i % 1000) * 1000,
				(__u64)(i % 1000) * 2000);
	}
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, s), 0);
	tui_table_apply(&tab, "proc-9", 0, 7, true);
	assert_true(tab.nshown > 0 && tab.nshown < 10000);
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, s), 0);
	tui_table_apply(&tab, NULL, 0, 3, true);
	assert_int_equal(tab.nshown, 977);
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	snapshot_free(s);
}

/* The TUI keeps a snapshot past the main loop's release: one more owner. */
static void test_snapshot_hold(void **state)
{
	struct snapshot *s = fixture_snapshot();

	assert_ptr_equal(snapshot_hold(s), s);
	assert_ptr_equal(snapshot_hold(s), s);
	snapshot_free(s);
	snapshot_free(s);
	/* still owned once: its rows are intact */
	assert_int_equal(s->syscalls.len, 4);
	assert_int_equal(s->holds, 0);
	snapshot_free(s);	/* freed (valgrind/ASan see a leak otherwise) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overview_aggregates_per_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_have_their_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locks_and_pools_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_any_column_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_by_name_or_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_found_again_in_next_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
		cmocka_unit_test(test_snapshot_hold),
	};

	return cmocka_run_group_tests_name("tui_table", tests, NULL, NULL);
}
