/* The TUI's text: units, counts, fields cut and padded to columns, hostile
 * names made harmless, every view's columns within 80 columns, headings
 * with the sort mark, header and headline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sink/tui/model.h"

static const char *dur(__u64 ns)
{
	static char buf[32];

	return tui_fmt_dur(ns, buf, sizeof(buf));
}

static const char *num(__u64 v)
{
	static char buf[32];

	return tui_fmt_num(v, buf, sizeof(buf));
}

static void test_durations(void **state)
{
	assert_string_equal(dur(0), "0ns");
	assert_string_equal(dur(850), "850ns");
	assert_string_equal(dur(999), "999ns");
	assert_string_equal(dur(1000), "1.0us");
	assert_string_equal(dur(35000), "35us");
	assert_string_equal(dur(35400), "35us");
	assert_string_equal(dur(1200000), "1.2ms");
	assert_string_equal(dur(9960000), "10ms");	/* never "10.0ms" */
	assert_string_equal(dur(120000000), "120ms");
	assert_string_equal(dur(999600000), "1.0s");	/* never "1000ms" */
	assert_string_equal(dur(2100000000ULL), "2.1s");
	assert_string_equal(dur(59000000000ULL), "59s");
	assert_string_equal(dur(182000000000ULL), "3m02s");
	assert_string_equal(dur(750ULL * 1000000000ULL), "12m");
	assert_string_equal(dur(3900ULL * 1000000000ULL), "1h05m");
	assert_string_equal(dur(500ULL * 3600 * 1000000000ULL), "500h");
	assert_string_equal(dur(11ULL * 3600 * 1000000000ULL), "11h");
	/* at most 5 columns for anything up to 99 hours */
	for (__u64 v = 1; v < 99ULL * 3600 * 1000000000ULL; v = v * 3 / 2 + 1)
		assert_true(strlen(dur(v)) <= 5);
}

static void test_counts(void **state)
{
	assert_string_equal(num(0), "0");
	assert_string_equal(num(99999), "99999");
	assert_string_equal(num(100000), "100k");
	assert_string_equal(num(123456), "123k");
	assert_string_equal(num(999499), "999k");
	assert_string_equal(num(999500), "1.0M");
	assert_string_equal(num(1234567), "1.2M");
	assert_string_equal(num(45000000), "45M");
	assert_string_equal(num(1200000000ULL), "1.2G");
	for (__u64 v = 1; v < (1ULL << 62); v = v * 3 / 2 + 1)
		assert_true(strlen(num(v)) <= 5);
}

static void test_field_pad_cut_align(void **state)
{
	char out[64];

	assert_int_equal(tui_put_field(out, sizeof(out), "abc", 6, false), 6);
	assert_string_equal(out, "abc   ");
	tui_put_field(out, sizeof(out), "abc", 6, true);
	assert_string_equal(out, "   abc");
	tui_put_field(out, sizeof(out), "abcdefgh", 4, false);
	assert_string_equal(out, "abcd");
	tui_put_field(out, sizeof(out), NULL, 2, false);
	assert_string_equal(out, "  ");
	/* one code point, one column: a UTF-8 name is cut between characters */
	tui_put_field(out, sizeof(out), "h\xc3\xa9llo", 3, false);
	assert_string_equal(out, "h\xc3\xa9l");
	/* small buffer: never overflows, always terminated */
	tui_put_field(out, 4, "abcdefgh", 10, false);
	assert_string_equal(out, "abc");
}

static void test_hostile_names_are_harmless(void **state)
{
	char out[128];

	/* ESC [2J, BEL, OSC and a C1 CSI: none reach the terminal */
	tui_put_field(out, sizeof(out), "\x1b[2J\x07x\x1b]0;t\x07\xc2\x9b" "1m", 20, false);
	for (const char *p = out; *p; p++) {
		assert_true((unsigned char)*p >= 0x20);
		assert_true((unsigned char)*p != 0x7f);
		assert_false((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] < 0xa0);
	}
	assert_int_equal(strlen(out), 20);
	/* invalid UTF-8 is '?' */
	tui_put_field(out, sizeof(out), "a\xff\xfe", 3, false);
	assert_string_equal(out, "a??");
	/* in a non-UTF-8 locale every non-ASCII byte is one '?' */
	tui_ascii_only = true;
	tui_put_field(out, sizeof(out), "h\xc3\xa9", 4, false);
	assert_string_equal(out, "h?? ");
	tui_ascii_only = false;
}

static void test_views_fit_80_columns(void **state)
{
	for (int v = 0; v < TV_TABLES; v++) {
		int n, sort, w = 0;
		const struct tui_col *c = tui_view_cols((enum tui_view)v, &n, &sort);

		assert_true(n > 0 && n <= TUI_MAXCOLS);
		assert_true(sort >= 0 && sort < n);
		for (int i = 0; i < n; i++) {
			w += c[i].width + (i > 0);
			/* a title fits its column, with room for the sort mark */
			assert_true((int)strlen(c[i].title) <= c[i].width);
		}
		if (w > 80)
			fail_msg("view %s is %d columns wide", tui_view_names[v], w);
	}
	assert_int_equal(tui_col_index(TV_SYSCALLS, "P99"), 7);
	assert_int_equal(tui_col_index(TV_SYSCALLS, "nope"), -1);
	assert_string_equal(tui_view_names[0], "Overview");
	assert_string_equal(tui_view_names[5], "Peers");
	assert_string_equal(tui_view_names[6], "Requests");
	assert_int_equal(tui_col_index(TV_REQUESTS, "P99"), 6);
}

static struct snapshot *one_row_snapshot(const char *comm)
{
	struct snapshot *s = snapshot_new();
	struct snap_syscall *r = vec_push(&s->syscalls);

	strcpy(s->host, "web-3");
	strcpy(s->kernel, "6.18.44");
	s->interval_ns = 2000000000ULL;
	s->ts_ns = 1700000000ULL * 1000000000ULL;
	strcpy(s->probes[FAM_SYSCALLS], "on");
	strcpy(s->probes[FAM_TCP], "unavailable: no tracepoint tcp:tcp_retransmit_skb");
	r->pid = 4242;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	strcpy(r->syscall, "read");
	r->count = 3000;
	r->errors = 12;
	r->total_ns = 1500000000ULL;
	r->p50_ns = 35000;
	r->p99_ns = 250000000;
	r->max_ns = 2100000000ULL;
	return s;
}

static void test_row_and_heading_layout(void **state)
{
	struct snapshot *s = one_row_snapshot("nginx");
	struct tui_table t;
	char line[512], head[512];

	tui_table_init(&t);
	assert_int_equal(tui_table_build(&t, TV_SYSCALLS, s), 0);
	tui_table_apply(&t, NULL, 0, 5, true);
	tui_fmt_row(&t, tui_table_shown(&t, 0), line, sizeof(line), 80);
	assert_string_equal(line,
			    "   4242 nginx           read             3000    12   1.5s   35us  250ms   2.1s");
	tui_fmt_heading(&t, 5, true, head, sizeof(head), 80);
	assert_string_equal(head,
			    "    PID COMM            SYSCALL         COUNT   ERR TOTALv    P50    P99    MAX");
	tui_fmt_heading(&t, 1, false, head, sizeof(head), 80);
	assert_non_null(strstr(head, "COMM^"));
	/* a narrow screen cuts, never wraps */
	tui_fmt_row(&t, tui_table_shown(&t, 0), line, sizeof(line), 30);
	assert_int_equal(strlen(line), 30);
	/* clicks map to columns */
	assert_int_equal(tui_col_at(&t, 0, 80), 0);
	assert_int_equal(tui_col_at(&t, 10, 80), 1);
	assert_int_equal(tui_col_at(&t, 79, 80), 8);
	assert_int_equal(tui_col_at(&t, 200, 80), -1);
	tui_table_free(&t);
	snapshot_free(s);
}

static void test_hostile_comm_in_rows_header(void **state)
{
	struct snapshot *s = one_row_snapshot("\x1b[31mevil\x07");
	struct tui_table t;
	char line[512];

	strcpy(s->host, "h\x1b]0;x\x07");
	tui_table_init(&t);
	for (int v = 0; v < TV_NR; v++) {
		assert_int_equal(tui_table_build(&t, (enum tui_view)v, s), 0);
		tui_table_apply(&t, NULL, 0, 0, true);
		for (size_t i = 0; i < t.nshown; i++) {
			tui_fmt_row(&t, tui_table_shown(&t, i), line, sizeof(line), 200);
			assert_null(strchr(line, 0x1b));
			assert_null(strchr(line, 0x07));
			assert_non_null(strstr(line, "?[31mevil?"));
		}
	}
	tui_fmt_header(s, s->interval_ns, false, line, sizeof(line), 200);
	assert_null(strchr(line, 0x1b));
	tui_fmt_headline(s, line, sizeof(line), 200);
	assert_null(strchr(line, 0x1b));
	tui_table_free(&t);
	snapshot_free(s);
}

static void test_header_and_headline(void **state)
{
	struct snapshot *s = one_row_snapshot("nginx");
	char line[512];

	tui_fmt_header(s, 2000000000ULL, true, line, sizeof(line), 200);
	assert_non_null(strstr(line, "latscope web-3"));
	assert_non_null(strstr(line, "every 2.0s PAUSED"));
	assert_non_null(strstr(line, "syscalls:on"));
	assert_non_null(strstr(line, "tcp:n/a"));
	assert_non_null(strstr(line, "6.18.44"));
	tui_fmt_header(s, 2000000000ULL, false, line, sizeof(line), 80);
	assert_int_equal(strlen(line), 80);
	/* 3000 calls in 2 s */
	tui_fmt_headline(s, line, sizeof(line), 200);
	assert_non_null(strstr(line, "sys/s 1500 "));
	assert_non_null(strstr(line, "worst p99 250ms read"));
	assert_non_null(strstr(line, "sat.pools 0"));
	/* the usual values fit 80 columns (the rest is padding) */
	size_t len = strlen(line);
	while (len && line[len - 1] == ' ')
		len--;
	assert_true(len <= 80);
	tui_fmt_headline(NULL, line, sizeof(line), 80);
	assert_non_null(strstr(line, "waiting"));
	tui_fmt_header(NULL, 1000000000ULL, false, line, sizeof(line), 80);
	assert_non_null(strstr(line, "latscope"));
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_field_pad_cut_align),
		cmocka_unit_test(test_hostile_names_are_harmless),
		cmocka_unit_test(test_views_fit_80_columns),
		cmocka_unit_test(test_row_and_heading_layout),
		cmocka_unit_test(test_hostile_comm_in_rows_header),
		cmocka_unit_test(test_header_and_headline),
	};

	return cmocka_run_group_tests_name("tui_format", tests, NULL, NULL);
}
