/* pools[].blocked_on lists: merged by peer name, the most io first, cut. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "snapshot/pool_blocked.h"

static const struct snap_pool_blocked *at(struct vec *v, size_t i)
{
	return vec_at(v, struct snap_pool_blocked, i);
}

static void test_add_merges_by_name(void **state)
{
	struct vec v;

	vec_init(&v, sizeof(struct snap_pool_blocked));
	assert_int_equal(pool_blocked_add(&v, "tcp:10.0.0.5:5432", 100), 0);
	assert_int_equal(pool_blocked_add(&v, "tcp:10.0.0.6:6379", 7), 0);
	assert_int_equal(pool_blocked_add(&v, "tcp:10.0.0.5:5432", 50), 0);
	assert_int_equal(v.len, 2);
	assert_string_equal(at(&v, 0)->peer, "tcp:10.0.0.5:5432");
	assert_int_equal(at(&v, 0)->io_ns, 150);
	assert_int_equal(at(&v, 1)->io_ns, 7);
	vec_free(&v);
}

static void test_finish_sorts_drops_zero_and_cuts(void **state)
{
	struct vec v;
	char name[32];

	vec_init(&v, sizeof(struct snap_pool_blocked));
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "tcp:10.0.0.%d:80", i);
		assert_int_equal(pool_blocked_add(&v, name, (__u64)(i % 6) * 10), 0);
	}
	pool_blocked_add(&v, "pipe", 50);	/* ties with .5 and .11: by name */
	pool_blocked_finish(&v, POOL_BLOCKED_TOP);
	assert_int_equal(v.len, POOL_BLOCKED_TOP);
	assert_string_equal(at(&v, 0)->peer, "pipe");
	assert_string_equal(at(&v, 1)->peer, "tcp:10.0.0.11:80");
	assert_string_equal(at(&v, 2)->peer, "tcp:10.0.0.5:80");
	for (size_t i = 1; i < v.len; i++)
		assert_true(at(&v, i - 1)->io_ns >= at(&v, i)->io_ns);
	for (size_t i = 0; i < v.len; i++)
		assert_true(at(&v, i)->io_ns > 0);
	vec_free(&v);

	/* only zeros: an empty list */
	vec_init(&v, sizeof(struct snap_pool_blocked));
	pool_blocked_add(&v, "pipe", 0);
	pool_blocked_finish(&v, POOL_BLOCKED_TOP);
	assert_int_equal(v.len, 0);
	vec_free(&v);
}

static void test_long_name_is_cut(void **state)
{
	struct vec v;
	char name[300];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	memcpy(name, "unix:/", 6);
	vec_init(&v, sizeof(struct snap_pool_blocked));
	assert_int_equal(pool_blocked_add(&v, name, 1), 0);
	assert_int_equal(pool_blocked_add(&v, name, 1), 0);
	assert_int_equal(v.len, 1);
	assert_int_equal(strlen(at(&v, 0)->peer), SNAP_PEER_LEN - 1);
	assert_int_equal(at(&v, 0)->io_ns, 2);
	vec_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merges_by_name),
		cmocka_unit_test(test_finish_sorts_drops_zero_and_cuts),
		cmocka_unit_test(test_long_name_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
