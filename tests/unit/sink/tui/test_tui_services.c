/* Services in the TUI: the Overview's service column (it grows with the
 * screen), the Overview grouped by service (its sums, worst p99, saturated
 * pools), the filter matching services in every view with per-process
 * rows, and the keys: g groups, Enter lists a service's processes, Esc goes
 * back. The fixture's services: web.service (nginx 100, java 300) and
 * db.service (postgres 200). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_tui_fixture.h"
#include "sink/tui/tui_int.h"

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

static const struct tui_row *row_named2(const char *name2)
{
	for (size_t i = 0; i < tab.nshown; i++)
		if (!strcmp(tui_table_shown(&tab, i)->name2, name2))
			return tui_table_shown(&tab, i);
	fail_msg("no row %s", name2);
	return NULL;
}

static void cell(const struct tui_row *r, int col, char *buf, size_t n)
{
	tui_fmt_cell(&tab.cols[col], r, col, buf, n);
}

static void test_overview_has_service_column(void **state)
{
	int c = tui_col_index(TV_OVERVIEW, "SERVICE");
	char b[64], line[512];

	assert_true(c > 0);
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);	/* by pid: 100 200 300 */
	cell(tui_table_shown(&tab, 0), c, b, sizeof(b));
	assert_string_equal(b, "web.service");
	cell(tui_table_shown(&tab, 1), c, b, sizeof(b));
	assert_string_equal(b, "db.service");
	/* 80 columns cut the service; a wider screen shows it whole */
	tui_fmt_row(&tab, tui_table_shown(&tab, 0), line, sizeof(line), 80);
	assert_true(strlen(line) <= 80);
	assert_null(strstr(line, "web.service"));
	tui_fmt_row(&tab, tui_table_shown(&tab, 0), line, sizeof(line), 120);
	assert_non_null(strstr(line, "web.service"));
	tui_fmt_heading(&tab, 0, false, line, sizeof(line), 120);
	assert_non_null(strstr(line, "SERVICE"));
	/* a click right of the last column's own width is still on it */
	assert_int_equal(tui_col_at(&tab, 100, 120), c);
	assert_int_equal(tui_col_at(&tab, 100, 80), -1);
}

/* A growing column takes at most TUI_GROW_MAX more; the Overview's COMM
 * grows to the kernel's 15, then WORST to 15, before SERVICE gets the
 * rest. */
static void test_growing_columns(void **state)
{
	int comm = tui_col_index(TV_OVERVIEW, "COMM"), svc = tui_col_index(TV_OVERVIEW, "SERVICE");
	char line[512];

	for (int v = 0; v < TV_TABLES; v++) {
		int n;
		const struct tui_col *c = tui_view_cols((enum tui_view)v, &n, NULL);

		for (int i = 0; i < n; i++)
			assert_true(c[i].grow_max >= 0 && c[i].grow_max <= TUI_GROW_MAX);
	}
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	tui_fmt_heading(&tab, -1, false, line, sizeof(line), 80);
	assert_ptr_equal(strstr(line, "COMM"), line + 8);
	assert_ptr_equal(strstr(line, "WORST"), line + 8 + 9);
	assert_ptr_equal(strstr(line, "SERVICE"), line + 80 - 7);
	tui_fmt_heading(&tab, -1, false, line, sizeof(line), 84);	/* COMM 12 */
	assert_ptr_equal(strstr(line, "WORST"), line + 8 + 13);
	assert_ptr_equal(strstr(line, "SERVICE"), line + 84 - 7);
	tui_fmt_heading(&tab, -1, false, line, sizeof(line), 100);	/* 15, 15, SERVICE 12 */
	assert_ptr_equal(strstr(line, "WORST"), line + 8 + 16);
	assert_ptr_equal(strstr(line, "P99"), line + 8 + 16 + 16 + 2);
	assert_ptr_equal(strstr(line, "SERVICE"), line + 100 - 12);
	assert_int_equal(tui_col_at(&tab, 8 + 14, 100), comm);
	assert_int_equal(tui_col_at(&tab, 8 + 16 + 14, 100), comm + 1);
	assert_int_equal(tui_col_at(&tab, 99, 100), svc);
	/* wide: SERVICE at most TUI_GROW_MAX more */
	tui_fmt_heading(&tab, -1, false, line, sizeof(line), 200);
	assert_ptr_equal(strstr(line, "SERVICE"), line + 80 - 7 + 7 + 8);
	assert_true(strlen(line) <= 80 + 7 + 8 + TUI_GROW_MAX);
	assert_int_equal(tui_col_at(&tab, 90, 80), -1);
}

static void test_grouped_sums_per_service(void **state)
{
	const struct tui_row *r;
	char b[64];

	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	tui_table_apply(&tab, NULL, 0, tui_col_index(TV_SERVICES, "P99"), true);
	assert_int_equal(tab.nshown, 2);
	r = tui_table_shown(&tab, 0);
	assert_int_equal(r->src_kind, TS_SERVICE);
	assert_string_equal(r->service, "web.service");
	cell(r, tui_col_index(TV_SERVICES, "PROCS"), b, sizeof(b));
	assert_string_equal(b, "2");
	cell(r, tui_col_index(TV_SERVICES, "WORST"), b, sizeof(b));
	assert_string_equal(b, "epoll_wait");	/* nginx's 300ms over java's 5ms */
	cell(r, tui_col_index(TV_SERVICES, "P99"), b, sizeof(b));
	assert_string_equal(b, "300ms");
	cell(r, tui_col_index(TV_SERVICES, "SYS"), b, sizeof(b));
	assert_string_equal(b, "3.9s");		/* 40 + 900 + 3000 ms */
	cell(r, tui_col_index(TV_SERVICES, "LOCK"), b, sizeof(b));
	assert_string_equal(b, "450ms");	/* java's mutex, not its condvar */
	cell(r, tui_col_index(TV_SERVICES, "RETR"), b, sizeof(b));
	assert_string_equal(b, "7");
	cell(r, tui_col_index(TV_SERVICES, "SATPOOLS"), b, sizeof(b));
	assert_string_equal(b, "1");
	assert_true(r->hot);

	r = row_named2("db.service");
	cell(r, tui_col_index(TV_SERVICES, "PROCS"), b, sizeof(b));
	assert_string_equal(b, "1");
	cell(r, tui_col_index(TV_SERVICES, "WORST"), b, sizeof(b));
	assert_string_equal(b, "fsync");
	cell(r, tui_col_index(TV_SERVICES, "SATPOOLS"), b, sizeof(b));
	assert_string_equal(b, "0");
	assert_false(r->hot);
}

/* A request row of the fixture's web.service: n requests, 98% of them at
 * base, 2% at three times it. */
static void web_requests(struct snapshot *s, __u32 pid, __u16 port, __u64 n, __u64 base)
{
	struct snap_request *q = vec_push(&s->requests);
	__u64 v[2] = { base, 3 * base }, c[2] = { n - n / 50, n / 50 };

	q->pid = pid;
	snprintf(q->service, sizeof(q->service), "web.service");
	q->port = port;
	q->requests = n;
	q->max_ns = 3 * base;
	q->p99_ns = 3 * base;
	q->hist = fixture_hist(v, c, 2);
}

/* REQS and REQP99 of the grouped Overview: a service's listeners merged,
 * its p99 over all its requests (not the worst listener's p99); a
 * service without requests shows 0 and "-". */
static void test_grouped_request_p99_merged(void **state)
{
	const struct tui_row *r;
	char b[64];

	/* nginx: 1000 requests of 2 ms (20 of 6 ms); java: 100 of 20 ms
	 * (2 of 60 ms). Over the 1100: the slowest 1% (11) are java's 2 at
	 * 60 ms and 9 of its 20 ms ones: p99 20 ms; java's own p99 60 ms. */
	web_requests(snap, 100, 80, 1000, 2 * MS);
	web_requests(snap, 300, 8080, 100, 20 * MS);
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	r = row_named2("web.service");
	cell(r, tui_col_index(TV_SERVICES, "REQS"), b, sizeof(b));
	assert_string_equal(b, "1100");
	assert_int_equal(hist_bucket(((const struct tui_service *)r->src)->reqs.p99_ns),
			 hist_bucket(20 * MS));
	cell(r, tui_col_index(TV_SERVICES, "REQP99"), b, sizeof(b));
	assert_int_equal(strncmp(b, "20", 2), 0);
	r = row_named2("db.service");
	cell(r, tui_col_index(TV_SERVICES, "REQS"), b, sizeof(b));
	assert_string_equal(b, "0");
	cell(r, tui_col_index(TV_SERVICES, "REQP99"), b, sizeof(b));
	assert_string_equal(b, "-");
	/* built again (each snapshot): the sums start over */
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	cell(row_named2("web.service"), tui_col_index(TV_SERVICES, "REQS"), b, sizeof(b));
	assert_string_equal(b, "1100");
}

/* REQ/S and RQP99 of the Overview: a process's listeners merged, its p99
 * over all its requests (not the worst listener's p99), its requests per
 * second of the snapshot's interval; "-" for a process without requests. */
static void test_overview_requests_per_process(void **state)
{
	int rate = tui_col_index(TV_OVERVIEW, "REQ/S"), p99 = tui_col_index(TV_OVERVIEW, "RQP99");
	const struct tui_row *r;
	char b[64], line[512];

	assert_true(rate > 0 && p99 > 0);
	/* java's two listeners: 1000 requests of 2 ms (20 of 6 ms) and 100
	 * of 20 ms (2 of 60 ms): p99 over the 1100 is 20 ms, the second
	 * listener's own p99 60 ms */
	web_requests(snap, 300, 8080, 1000, 2 * MS);
	web_requests(snap, 300, 8081, 100, 20 * MS);
	snap->interval_ns = 2000000000ULL;
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_apply(&tab, NULL, 0, rate, true);
	assert_int_equal(tab.nshown, 3);
	r = tui_table_shown(&tab, 0);	/* the one serving requests first */
	assert_int_equal(r->pid, 300);
	cell(r, rate, b, sizeof(b));
	assert_string_equal(b, "550");	/* 1100 in 2 s */
	assert_int_equal(hist_bucket(((const struct tui_proc *)r->src)->reqs.p99_ns),
			 hist_bucket(20 * MS));
	cell(r, p99, b, sizeof(b));
	assert_int_equal(strncmp(b, "20", 2), 0);
	/* every view fits 80 columns: the Overview with its request cells too */
	tui_fmt_row(&tab, r, line, sizeof(line), 80);
	assert_true(strlen(line) <= 80);
	assert_non_null(strstr(line, " 550 "));
	tui_fmt_heading(&tab, rate, true, line, sizeof(line), 80);
	assert_true(strlen(line) <= 80);
	assert_non_null(strstr(line, "RQP99"));
	/* nginx and postgres serve none */
	for (size_t i = 1; i < tab.nshown; i++) {
		cell(tui_table_shown(&tab, i), rate, b, sizeof(b));
		assert_string_equal(b, "-");
		cell(tui_table_shown(&tab, i), p99, b, sizeof(b));
		assert_string_equal(b, "-");
	}
	/* a process seen only by its requests has a row; a slow rate keeps a
	 * decimal */
	web_requests(snap, 400, 80, 5, 1 * MS);
	snap->interval_ns = 10000000000ULL;
	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_apply(&tab, NULL, 400, rate, true);
	assert_int_equal(tab.nshown, 1);
	cell(tui_table_shown(&tab, 0), rate, b, sizeof(b));
	assert_string_equal(b, "0.5");
	/* the grouped Overview merges the same histograms per service */
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	cell(row_named2("web.service"), tui_col_index(TV_SERVICES, "REQS"), b, sizeof(b));
	assert_string_equal(b, "1105");
}

static void test_many_processes_few_services(void **state)
{
	struct snapshot *s = snapshot_new();
	char name[32];

	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "proc-%d", i);
		fixture_syscall(s, (__u32)(1000 + i), name, "read", 2, 1000, 500, 900);
		snprintf(vec_at(&s->syscalls, struct snap_syscall, i)->service, SNAP_SERVICE_LEN,
			 "svc-%d.service", i % 7);
	}
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, s), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	assert_int_equal(tab.nshown, 7);
	for (size_t i = 0; i < tab.nshown; i++)
		assert_int_equal(((const struct tui_service *)tui_table_shown(&tab, i)->src)->procs,
				 i < 3000 % 7 ? 3000 / 7 + 1 : 3000 / 7);
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	snapshot_free(s);
}

/* A recording made before services were recorded: one group, shown as "-". */
static void test_no_service_recorded(void **state)
{
	struct snapshot *s = snapshot_new();
	char b[64];

	fixture_syscall(s, 1, "a", "read", 2, 1000, 500, 900);
	fixture_syscall(s, 2, "b", "read", 2, 1000, 500, 900);
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, s), 0);
	tui_table_apply(&tab, NULL, 0, 0, false);
	assert_int_equal(tab.nshown, 1);
	cell(tui_table_shown(&tab, 0), 0, b, sizeof(b));
	assert_string_equal(b, "-");
	cell(tui_table_shown(&tab, 0), 1, b, sizeof(b));
	assert_string_equal(b, "2");
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	snapshot_free(s);
}

static void test_filter_matches_service_in_every_view(void **state)
{
	/* rows of processes in db.service (postgres, pid 200) per view */
	static const size_t want[TV_TABLES] = { 1, 1, 0, 0, 0, 0, 0, 1 };

	for (int v = 0; v < TV_TABLES; v++) {
		assert_int_equal(tui_table_build(&tab, (enum tui_view)v, snap), 0);
		tui_table_apply(&tab, "DB.serv", 0, 0, true);
		if (tab.nshown != want[v])
			fail_msg("%s: %zu rows, want %zu", tui_view_names[v], tab.nshown, want[v]);
	}
	/* web.service: nginx and java, wherever they have rows */
	assert_int_equal(tui_table_build(&tab, TV_SYSCALLS, snap), 0);
	tui_table_apply(&tab, "web.", 0, 0, true);
	assert_int_equal(tab.nshown, 3);
	assert_int_equal(tui_table_build(&tab, TV_TCP, snap), 0);
	tui_table_apply(&tab, "web.", 0, 0, true);
	assert_int_equal(tab.nshown, 3);
	assert_int_equal(tui_table_build(&tab, TV_LOCKS, snap), 0);
	tui_table_apply(&tab, "web.", 0, 0, true);
	assert_int_equal(tab.nshown, 2);	/* java's user locks, not the kernel's */
	assert_int_equal(tui_table_build(&tab, TV_POOLS, snap), 0);
	tui_table_apply(&tab, "web.", 0, 0, true);
	assert_int_equal(tab.nshown, 1);
	assert_int_equal(tui_table_build(&tab, TV_PEERS, snap), 0);
	tui_table_apply(&tab, "web.", 0, 0, true);
	assert_int_equal(tab.nshown, 1);
}

static void test_service_filter_is_exact(void **state)
{
	struct tui_filter f = { .service = "web.service" };

	assert_int_equal(tui_table_build(&tab, TV_OVERVIEW, snap), 0);
	tui_table_select(&tab, &f, 0, false);
	assert_int_equal(tab.nshown, 2);
	assert_int_equal(tui_table_shown(&tab, 0)->pid, 100);
	assert_int_equal(tui_table_shown(&tab, 1)->pid, 300);
	f.service = "web";	/* not a prefix match */
	tui_table_select(&tab, &f, 0, false);
	assert_int_equal(tab.nshown, 0);
	f.service = "";
	tui_table_select(&tab, &f, 0, false);
	assert_int_equal(tab.nshown, 3);
	/* with the text filter as well */
	f = (struct tui_filter){ .text = "java", .service = "web.service" };
	tui_table_select(&tab, &f, 0, false);
	assert_int_equal(tab.nshown, 1);
	/* rows without a service (kernel locks) are not in any service */
	assert_false(tui_match(&(struct tui_filter){ .service = "web.service" }, 0, "[kernel]",
			       "rtnl_mutex", NULL));
	assert_true(tui_match(&(struct tui_filter){ .text = "web" }, 0, "x", "y", "web.service"));
}

static void test_hostile_service_is_sanitized(void **state)
{
	char line[512];

	snprintf(vec_at(&snap->syscalls, struct snap_syscall, 0)->service, SNAP_SERVICE_LEN,
		 "\x1b[31mevil\x07.service");
	assert_int_equal(tui_table_build(&tab, TV_SERVICES, snap), 0);
	tui_table_apply(&tab, NULL, 0, 0, true);
	for (size_t i = 0; i < tab.nshown; i++) {
		tui_fmt_row(&tab, tui_table_shown(&tab, i), line, sizeof(line), 200);
		assert_null(strchr(line, 0x1b));
		assert_null(strchr(line, 0x07));
	}
}

/* ---- the keys, on a UI state without a terminal ---- */

static void ui_setup(struct tui *t)
{
	memset(t, 0, sizeof(*t));
	t->rows = 40;
	t->cols = 120;
	t->snap = snap;
	for (int v = 0; v < TV_TABLES; v++) {
		tui_view_cols((enum tui_view)v, NULL, &t->sort_col[v]);
		t->sort_desc[v] = true;
	}
	tui_table_init(&t->table);
	tui_rebuild(t);
}

static void key(struct tui *t, int ch)
{
	struct runctl ctl = { 0 };

	tui_key_handle(t, ch, &ctl);
}

static void test_keys_group_drill_back(void **state)
{
	struct tui t;

	ui_setup(&t);
	assert_int_equal(t.table.nshown, 3);		/* processes */
	key(&t, 'g');
	assert_true(t.nav.grouped);
	assert_int_equal(tui_table_of(&t), TV_SERVICES);
	assert_int_equal(t.table.nshown, 2);		/* services */
	/* the selection on db.service (worst p99 first: web, db) */
	key(&t, 'j');
	assert_string_equal(tui_table_shown(&t.table, t.sel)->service, "db.service");
	key(&t, '\n');
	assert_false(t.nav.grouped);
	assert_string_equal(t.nav.service, "db.service");
	assert_int_equal(t.nav.view, TV_OVERVIEW);
	assert_int_equal(t.table.nshown, 1);
	assert_int_equal(tui_table_shown(&t.table, 0)->pid, 200);
	/* Enter on the process: its syscalls, still of that service */
	key(&t, '\n');
	assert_int_equal(t.nav.view, TV_SYSCALLS);
	assert_int_equal(t.table.nshown, 1);
	key(&t, 27);
	key(&t, 27);
	assert_true(t.nav.grouped);
	assert_string_equal(t.nav.service, "");
	assert_int_equal(t.table.nshown, 2);
	/* the grouping stays over other views and back */
	key(&t, '2');
	assert_int_equal(tui_table_of(&t), TV_SYSCALLS);
	key(&t, '1');
	assert_int_equal(tui_table_of(&t), TV_SERVICES);
	key(&t, 'g');
	assert_false(t.nav.grouped);
	assert_int_equal(t.table.nshown, 3);
	/* g from another view: the Overview by service */
	key(&t, '4');
	key(&t, 'g');
	assert_int_equal(t.nav.view, TV_OVERVIEW);
	assert_true(t.nav.grouped);
	tui_table_free(&t.table);
	tui_lines_free(&t.detail);
}

static void test_keys_filter_and_clear(void **state)
{
	struct tui t;

	ui_setup(&t);
	key(&t, 'g');
	key(&t, '\n');		/* web.service: nginx and java */
	assert_int_equal(t.table.nshown, 2);
	key(&t, '/');
	key(&t, 'j');
	key(&t, 'a');
	key(&t, '\n');
	assert_int_equal(t.table.nshown, 1);
	key(&t, '\\');		/* clears the text and the service */
	assert_string_equal(t.nav.service, "");
	assert_int_equal(t.table.nshown, 3);
	tui_table_free(&t.table);
	tui_lines_free(&t.detail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overview_has_service_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growing_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouped_sums_per_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouped_request_p99_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overview_requests_per_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_processes_few_services, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_service_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_matches_service_in_every_view, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_service_filter_is_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_service_is_sanitized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_group_drill_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_filter_and_clear, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
