/* One interval's kernel entry to a row: the count from the histogram, the
 * percentiles, the maximum guarded by the histogram's top bucket. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/histo.h"
#include "collect/syscalls_row.h"

static struct syscall_stats st;
static __u64 hist[HIST_NBUCKETS];

/* what bpf/syscalls.bpf.c's sys_exit does with one call */
static void record(struct syscall_stats *s, __u64 ns, bool error)
{
	s->total_ns += ns;
	s->errors += error;
	s->hist[hist_bucket(ns)]++;
	if (ns > s->max_ns)
		s->max_ns = ns;
}

static int reset(void **state)
{
	memset(&st, 0, sizeof(st));
	memset(hist, 0, sizeof(hist));
	return 0;
}

static void test_counts_and_errors(void **state)
{
	struct snap_syscall row = { 0 };

	record(&st, 1000, false);
	record(&st, 3000, true);
	record(&st, 2000, true);
	syscall_row(&st, &row, hist);
	assert_int_equal(row.count, 3);
	assert_int_equal(row.errors, 2);
	assert_int_equal(row.total_ns, 6000);
	assert_int_equal(row.max_ns, 3000);
	assert_ptr_equal(row.hist, hist);
	assert_int_equal(hist[hist_bucket(2000)], 1);
}

/* 99 fast calls and one slow: p50 within the bucket bound of the fast
 * value, p99 still fast, p99.9 the slow one, max exact. */
static void test_percentiles(void **state)
{
	struct snap_syscall row = { 0 };

	for (int i = 0; i < 99; i++)
		record(&st, 1000, false);
	record(&st, 5000000, false);
	syscall_row(&st, &row, hist);
	assert_int_equal(row.count, 100);
	assert_in_range(row.p50_ns, 1000 * 0.968, 1000 * 1.032);
	assert_in_range(row.p99_ns, 1000 * 0.968, 1000 * 1.032);
	assert_in_range(row.p999_ns, 5000000 * 0.968, 5000000);
	assert_int_equal(row.max_ns, 5000000);
}

/* A larger value lost to a race on max_ns: the max is not below the
 * histogram's top bucket. */
static void test_max_not_below_top_bucket(void **state)
{
	struct snap_syscall row = { 0 };

	record(&st, 1000, false);
	st.hist[hist_bucket(4000)]++;	/* counted, its max store lost */
	syscall_row(&st, &row, hist);
	assert_int_equal(row.count, 2);
	assert_in_range(row.max_ns, hist_bucket_lo(hist_bucket(4000)), 4000);
	assert_true(row.p99_ns <= 4000);
}

static void test_stats_add(void **state)
{
	struct syscall_stats b = { 0 };
	struct snap_syscall row = { 0 };

	record(&st, 1000, false);
	record(&b, 7000, true);
	record(&b, 500, false);
	syscall_stats_add(&st, &b);
	syscall_row(&st, &row, hist);
	assert_int_equal(row.count, 3);
	assert_int_equal(row.errors, 1);
	assert_int_equal(row.total_ns, 8500);
	assert_int_equal(row.max_ns, 7000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_counts_and_errors, reset),
		cmocka_unit_test_setup(test_percentiles, reset),
		cmocka_unit_test_setup(test_max_not_below_top_bucket, reset),
		cmocka_unit_test_setup(test_stats_add, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
