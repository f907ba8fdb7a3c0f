/* The state of a thread found asleep at start, from its /proc syscall line:
 * the SPEC's futex rules, wait-for-work calls, acceptors, polls to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include "collect/pools_seed.h"
#include "pools.h"

static __u8 state_of(long nr, unsigned long long a1, unsigned long long a2,
		     unsigned long long a3, bool *accept, bool *fds)
{
	unsigned long long a[6] = { 0x7f0000001000ULL, a1, a2, a3, 0, 0 };

	return pool_seed_state(nr, a, accept, fds);
}

static void test_parse(void **state)
{
	unsigned long long a[6];
	long nr;

	assert_int_equal(pool_seed_parse("202 0x7f12 0x189 0x0 0x0 0x0 0xffffffff 0x7ffd 0x7f00\n",
					 &nr, a), 0);
	assert_int_equal(nr, 202);
	assert_int_equal(a[1], 0x189);
	assert_int_equal(a[5], 0xffffffff);
	assert_int_equal(pool_seed_parse("running\n", &nr, a), -1);
	assert_int_equal(pool_seed_parse("-1 0x7ffd 0x7f00\n", &nr, a), -1);
	assert_int_equal(pool_seed_parse("0 0x3\n", &nr, a), -1);	/* truncated */
	assert_int_equal(pool_seed_parse("", &nr, a), -1);
}

static void test_futex_rules(void **state)
{
	bool acc, fds;

	/* FUTEX_WAIT(_PRIVATE) on value 2: a contended mutex */
	assert_int_equal(state_of(SYS_futex, 128, 2, 0, &acc, &fds), PST_LOCK);
	assert_int_equal(state_of(SYS_futex, 0, 2, 0, &acc, &fds), PST_LOCK);
	/* any other FUTEX_WAIT: parked, idle */
	assert_int_equal(state_of(SYS_futex, 128, 0, 0, &acc, &fds), PST_IDLE);
	/* glibc 2.36's condition wait: WAIT_BITSET|PRIVATE|CLOCK_REALTIME */
	assert_int_equal(state_of(SYS_futex, 393, 7, 0, &acc, &fds), PST_IDLE);
	/* PI locks */
	assert_int_equal(state_of(SYS_futex, 6 | 128, 0, 0, &acc, &fds), PST_LOCK);
	assert_int_equal(state_of(SYS_futex, 11, 0, 0, &acc, &fds), PST_LOCK);
	assert_int_equal(state_of(SYS_futex, 13, 0, 0, &acc, &fds), PST_LOCK);
	assert_false(acc);
}

static void test_wait_for_work(void **state)
{
	bool acc, fds;

	assert_int_equal(state_of(SYS_epoll_wait, 0, 0, 0, &acc, &fds), PST_IDLE);
	assert_int_equal(state_of(SYS_epoll_pwait, 0, 0, 0, &acc, &fds), PST_IDLE);
	assert_int_equal(state_of(SYS_rt_sigtimedwait, 0, 0, 0, &acc, &fds), PST_IDLE);
	assert_int_equal(state_of(SYS_accept4, 0, 0, 0, &acc, &fds), PST_IDLE);
	assert_true(acc);
	assert_int_equal(state_of(SYS_accept, 0, 0, 0, &acc, &fds), PST_IDLE);
	assert_true(acc);
	/* io_uring_enter waiting for completions, or only submitting */
	assert_int_equal(state_of(SYS_io_uring_enter, 1, 1, 1, &acc, &fds), PST_IDLE);
	assert_int_equal(state_of(SYS_io_uring_enter, 1, 0, 0, &acc, &fds), PST_IO);
}

static void test_io_and_polls(void **state)
{
	bool acc, fds;

	assert_int_equal(state_of(SYS_read, 3, 0, 0, &acc, &fds), PST_IO);
	assert_false(acc);
	assert_false(fds);
	assert_int_equal(state_of(SYS_nanosleep, 0, 0, 0, &acc, &fds), PST_IO);
	/* more than 8 descriptors: idle without looking */
	assert_int_equal(state_of(SYS_poll, 9, 1000, 0, &acc, &fds), PST_IDLE);
	assert_false(fds);
	/* a few: io unless the descriptors say otherwise */
	assert_int_equal(state_of(SYS_ppoll, 2, 0, 0, &acc, &fds), PST_IO);
	assert_true(fds);
	assert_int_equal(state_of(SYS_poll, 0, 1000, 0, &acc, &fds), PST_IO);
	assert_false(fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_futex_rules),
		cmocka_unit_test(test_wait_for_work),
		cmocka_unit_test(test_io_and_polls),
	};

	return cmocka_run_group_tests_name("pool_seed", tests, NULL, NULL);
}
