/* /proc/PID/stat parsing with names built to confuse it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/procfs.h"

static void test_hostile_comm(void **state)
{
	const char *stat = "42 (a) (b) 7 8) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			   "123456 1000 10 18446744073709551615";
	unsigned long long start = 0;
	char comm[32];

	assert_int_equal(procfs_parse_stat(stat, comm, sizeof(comm), &start), 0);
	assert_string_equal(comm, "a) (b) 7 8");
	assert_int_equal(start, 123456);
}

static void test_truncated_stat(void **state)
{
	unsigned long long start;
	char comm[32];

	assert_int_equal(procfs_parse_stat("42 (x) S 1 2", comm, sizeof(comm), &start), -1);
	assert_int_equal(procfs_parse_stat("garbage", comm, sizeof(comm), &start), -1);
}

static void test_self_alive(void **state)
{
	char comm[64];

	assert_int_equal(procfs_comm((__u32)getpid(), 0, comm, sizeof(comm)), 0);
	assert_true(strlen(comm) > 0);
	assert_true(procfs_alive((__u32)getpid(), 0));
	/* the right pid with another start time is another process */
	assert_false(procfs_alive((__u32)getpid(), 1ULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_truncated_stat),
		cmocka_unit_test(test_self_alive),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
