/* The histogram's bucket math at its edges, and percentile extraction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/histo.h"

static void test_log2_matches_loop(void **state)
{
	for (int b = 0; b < 64; b++) {
		__u64 v = 1ULL << b;

		assert_int_equal(hist_log2(v), b);
		assert_int_equal(hist_log2(v | (v >> 1)), b);
		if (b > 0)
			assert_int_equal(hist_log2(v - 1), b - 1);
	}
	assert_int_equal(hist_log2(~0ULL), 63);
}

static void test_small_values_exact(void **state)
{
	for (__u64 v = 0; v < HIST_SUB; v++) {
		assert_int_equal(hist_bucket(v), v);
		assert_int_equal(hist_bucket_lo((__u32)v), v);
		assert_int_equal(hist_bucket_hi((__u32)v), v);
	}
	/* the first log-linear buckets are still one value wide */
	assert_int_equal(hist_bucket(16), 16);
	assert_int_equal(hist_bucket(31), 31);
	assert_int_equal(hist_bucket(32), 32);
	assert_int_equal(hist_bucket(33), 32);
	assert_int_equal(hist_bucket(34), 33);
}

/* Every bucket's bounds map back to it, the next value to the next bucket,
 * and no bucket is wider than 1/16 of its lower bound. */
static void test_bucket_edges(void **state)
{
	for (__u32 i = 0; i < HIST_NBUCKETS - 1; i++) {
		__u64 lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);

		assert_true(lo <= hi);
		assert_int_equal(hist_bucket(lo), i);
		assert_int_equal(hist_bucket(hi), i);
		assert_int_equal(hist_bucket(hi + 1), i + 1);
		if (lo >= HIST_SUB)
			assert_true((hi - lo + 1) * HIST_SUB <= lo);
	}
}

static void test_clamp_to_last_bucket(void **state)
{
	assert_int_equal(hist_bucket(1ULL << (HIST_MAX_POW + 1)), HIST_NBUCKETS - 1);
	assert_int_equal(hist_bucket(~0ULL), HIST_NBUCKETS - 1);
	assert_true(hist_bucket((1ULL << (HIST_MAX_POW + 1)) - 1) == HIST_NBUCKETS - 1);
	assert_true(hist_bucket(1ULL << HIST_MAX_POW) < HIST_NBUCKETS);
}

static void test_percentile_empty_and_single(void **state)
{
	__u64 h[HIST_NBUCKETS] = { 0 };

	assert_int_equal(hist_percentile(h, 0.5, 0), 0);
	h[hist_bucket(1000000)] = 1;
	/* a single value is the maximum, known exactly */
	assert_int_equal(hist_percentile(h, 0.5, 1000123), 1000123);
	assert_int_equal(hist_percentile(h, 0.99, 1000123), 1000123);
}

/* Ranks: 100 values 1..100 us; p50 is the 50th, p90 the 90th, p99 the
 * 99th, each within the bucket error; p999 of 100 values is the max. */
static void test_percentile_ranks(void **state)
{
	__u64 h[HIST_NBUCKETS] = { 0 };

	for (__u64 v = 1; v <= 100; v++)
		h[hist_bucket(v * 1000)]++;
	assert_in_range(hist_percentile(h, 0.50, 100000), 50000 * 0.968, 50000 * 1.032);
	assert_in_range(hist_percentile(h, 0.90, 100000), 90000 * 0.968, 90000 * 1.032);
	assert_in_range(hist_percentile(h, 0.99, 100000), 99000 * 0.968, 99000 * 1.032);
	assert_int_equal(hist_percentile(h, 0.999, 100000), 100000);
}

/* Random values over 9 decades: every percentile is within 1/32 (half a
 * bucket) of the exact order statistic. */
static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void test_percentile_error_bound(void **state)
{
	static __u64 h[HIST_NBUCKETS], vals[10000];
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	unsigned seed = 12345;

	for (int i = 0; i < 10000; i++) {
		double e = (double)rand_r(&seed) / RAND_MAX * 9.0;
		__u64 v = (__u64)(100.0 * __builtin_pow(10.0, e));

		vals[i] = v;
		h[hist_bucket(v)]++;
	}
	qsort(vals, 10000, sizeof(vals[0]), cmp_u64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t rank = (size_t)(qs[k] * 10000 + 0.999999);
		double truth = (double)vals[rank - 1];
		double got = (double)hist_percentile(h, qs[k], vals[9999]);

		assert_true(got >= truth * (1 - 1.0 / 32) && got <= truth * (1 + 1.0 / 32));
	}
}

/* The one-pass form gives what one call per percentile gives, on the same
 * random histograms, including empty and one-value ones. */
static void test_percentiles_one_pass(void **state)
{
	static __u64 h[HIST_NBUCKETS];
	const double qs[] = { 0.001, 0.5, 0.9, 0.99, 0.999, 1.0 };
	unsigned seed = 777;

	for (int round = 0; round < 50; round++) {
		__u64 out[6], n = 0, max = 0;
		int vals = round % 7 == 0 ? 0 : round % 5 == 0 ? 1 : rand_r(&seed) % 3000;

		memset(h, 0, sizeof(h));
		for (int i = 0; i < vals; i++) {
			__u64 v = (__u64)rand_r(&seed) * (__u64)(rand_r(&seed) % 1000 + 1);

			h[hist_bucket(v)]++;
			n++;
			if (v > max)
				max = v;
		}
		hist_percentiles(h, n, qs, 6, max, out);
		for (int k = 0; k < 6; k++)
			assert_int_equal(out[k], hist_percentile(h, qs[k], max));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_matches_loop),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_clamp_to_last_bucket),
		cmocka_unit_test(test_percentile_empty_and_single),
		cmocka_unit_test(test_percentile_ranks),
		cmocka_unit_test(test_percentile_error_bound),
		cmocka_unit_test(test_percentiles_one_pass),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
