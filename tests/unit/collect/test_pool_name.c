/* Pool keys (the SPEC's normalized thread names) and the run-queue
 * histogram's buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/histo.h"
#include "collect/pools_name.h"
#include "pools.h"

static void key_is(const char *comm, const char *want)
{
	char out[32];

	pool_name_key(comm, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_pool_keys(void **state)
{
	key_is("worker-3", "worker");
	key_is("worker-12", "worker");
	key_is("pool-1-thread-7", "pool-1-thread");
	key_is("apache2", "apache");	/* the pool's name stays apache2: see the collector */
	key_is("tokio-rt-worker", "tokio-rt-worker");
	key_is("php_fpm:12", "php_fpm");
	key_is("w#3", "w");
	key_is("a.b/4", "a.b");
	key_is("io wq 5", "io wq");
	key_is("worker-", "worker-");	/* no digits: nothing removed */
	key_is("1234", "1234");		/* would be empty: kept */
	key_is("--7", "--7");
	key_is("", "");
}

static void test_key_truncates(void **state)
{
	char out[4];

	pool_name_key("abcdef-1", out, sizeof(out));
	assert_string_equal(out, "abc");
}

/* Every bucket's bounds map back to it and no bucket is wider than 1/8 of
 * its lower bound above 1 us (the SPEC's 12.5%). */
static void test_runq_buckets(void **state)
{
	for (__u32 i = 0; i < PH_NBUCKETS - 1; i++) {
		__u64 lo = ph_bucket_lo(i), hi = ph_bucket_hi(i);

		assert_int_equal(ph_bucket(lo), i);
		assert_int_equal(ph_bucket(hi), i);
		assert_int_equal(ph_bucket(hi + 1), i + 1);
		if (lo >= 1024)
			assert_true((hi - lo + 1) * 8 <= lo);
	}
	assert_int_equal(ph_bucket(~0ULL), PH_NBUCKETS - 1);
	assert_int_equal(ph_bucket(0), 0);
}

static void test_runq_percentile(void **state)
{
	__u64 h[PH_NBUCKETS] = {};
	__u64 p;

	assert_int_equal(ph_percentile(h, 0.99), 0);
	h[ph_bucket(50000)] = 99;	/* 50 us */
	h[ph_bucket(3000000)] = 1;	/* 3 ms */
	p = ph_percentile(h, 0.99);
	assert_true(p > 50000 * 0.9 && p < 50000 * 1.1);
	p = ph_percentile(h, 1.0);
	assert_true(p > 3000000 * 0.9 && p < 3000000 * 1.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_keys),
		cmocka_unit_test(test_key_truncates),
		cmocka_unit_test(test_runq_buckets),
		cmocka_unit_test(test_runq_percentile),
	};

	return cmocka_run_group_tests_name("pool_name", tests, NULL, NULL);
}
