/* From cumulative kernel values to one interval: deltas, 32-bit wrap of
 * histogram counts, the epoch-slotted maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "histo.h"
#include "syscall_delta.h"

static struct syscall_stats st;
static struct syscall_prev pv;
static __u64 hist[HIST_NBUCKETS];

static void record(__u64 ns, __u32 epoch, bool error)
{
	__u32 slot = epoch & 1;

	st.total_ns += ns;
	st.errors += error;
	st.hist[hist_bucket(ns)]++;
	if (st.max_epoch[slot] != epoch) {
		st.max_epoch[slot] = epoch;
		st.max_ns[slot] = ns;
	} else if (ns > st.max_ns[slot]) {
		st.max_ns[slot] = ns;
	}
}

static int reset(void **state)
{
	memset(&st, 0, sizeof(st));
	memset(&pv, 0, sizeof(pv));
	return 0;
}

static void test_first_interval_is_everything(void **state)
{
	struct snap_syscall row = { 0 };

	record(1000, 0, false);
	record(3000, 0, true);
	syscall_delta(&st, NULL, 0, &row, hist);
	assert_int_equal(row.count, 2);
	assert_int_equal(row.errors, 1);
	assert_int_equal(row.total_ns, 4000);
	assert_int_equal(row.max_ns, 3000);
	assert_int_equal(row.p99_ns, 3000);
}

static void test_second_interval_is_the_difference(void **state)
{
	struct snap_syscall row = { 0 };

	for (int i = 0; i < 100; i++)
		record(5000000, 0, false);
	syscall_prev_update(&pv, &st);
	record(1000, 1, false);
	record(2000, 1, true);
	syscall_delta(&st, &pv, 1, &row, hist);
	assert_int_equal(row.count, 2);
	assert_int_equal(row.errors, 1);
	assert_int_equal(row.total_ns, 3000);
	/* the 5 ms calls of the last interval are not this one's maximum */
	assert_int_equal(row.max_ns, 2000);
	assert_int_equal(hist_total(hist), 2);
	assert_in_range(row.p50_ns, 1000 * 0.96, 1000 * 1.04);
}

/* A 32-bit bucket count that wrapped still gives the right difference. */
static void test_hist_wraps_modulo_2_32(void **state)
{
	struct snap_syscall row = { 0 };
	__u32 b = hist_bucket(700);

	st.hist[b] = 0xFFFFFFF0u;
	syscall_prev_update(&pv, &st);
	for (int i = 0; i < 32; i++)
		record(700, 4, false);
	assert_true(st.hist[b] < 0x20);
	syscall_delta(&st, &pv, 4, &row, hist);
	assert_int_equal(hist[b], 32);
	assert_int_equal(row.count, 32);
}

/* A stale max slot (from two epochs ago) is not taken; the histogram's
 * top bucket bounds the maximum from below instead. */
static void test_stale_max_slot_ignored(void **state)
{
	struct snap_syscall row = { 0 };

	record(9000000, 2, false);	/* slot 0, epoch 2 */
	syscall_prev_update(&pv, &st);
	/* counted in epoch 4, max lost in a race */
	st.hist[hist_bucket(4000)]++;
	syscall_delta(&st, &pv, 4, &row, hist);
	assert_int_equal(row.count, 1);
	assert_in_range(row.max_ns, hist_bucket_lo(hist_bucket(4000)), 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_interval_is_everything, reset),
		cmocka_unit_test_setup(test_second_interval_is_the_difference, reset),
		cmocka_unit_test_setup(test_hist_wraps_modulo_2_32, reset),
		cmocka_unit_test_setup(test_stale_max_slot_ignored, reset),
	};

	return cmocka_run_group_tests_name("syscall_delta", tests, NULL, NULL);
}
