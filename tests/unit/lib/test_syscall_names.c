/* Syscall names come from generated tables of both architectures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/syscall_names.h"

static void test_x86_64(void **state)
{
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 0), "read");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 1), "write");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 35), "nanosleep");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 59), "execve");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 202), "futex");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 231), "exit_group");
	assert_string_equal(syscall_name_arch(SC_ARCH_X86_64, 281), "epoll_pwait");
	assert_null(syscall_name_arch(SC_ARCH_X86_64, 100000));
}

static void test_aarch64(void **state)
{
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 63), "read");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 64), "write");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 98), "futex");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 101), "nanosleep");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 221), "execve");
	/* 64-bit names of the __NR3264_ aliases */
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 79), "newfstatat");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 222), "mmap");
	assert_string_equal(syscall_name_arch(SC_ARCH_AARCH64, 25), "fcntl");
}

static void test_host_and_unknown(void **state)
{
	char buf[32];

	assert_int_equal(syscall_nr("read"), syscall_nr("read"));
	assert_string_equal(syscall_name((unsigned)syscall_nr("futex"), buf, sizeof(buf)), "futex");
	assert_string_equal(syscall_name(1023, buf, sizeof(buf)), "sys_1023");
	assert_int_equal(syscall_nr("sys_1023"), 1023);
	assert_int_equal(syscall_nr("no_such_call"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64),
		cmocka_unit_test(test_aarch64),
		cmocka_unit_test(test_host_and_unknown),
	};

	return cmocka_run_group_tests_name("syscall_names", tests, NULL, NULL);
}
