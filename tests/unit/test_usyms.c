/* User symbols with libelf, on this very test process (a PIE) and the
 * libc it maps, and on a child process after it has exited. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "usyms.h"

__attribute__((noinline)) int usyms_test_marker(int x)
{
	return x * 3 + 1;
}

static void test_own_function(void **state)
{
	struct usyms *u = usyms_new();
	char buf[256];
	__u64 a = (__u64)(uintptr_t)&usyms_test_marker;

	assert_non_null(u);
	assert_string_equal(usyms_resolve(u, (__u32)getpid(), 0, a, buf, sizeof(buf)),
			    "usyms_test_marker+0x0");
	usyms_resolve(u, (__u32)getpid(), 0, a + 3, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x3");
	usyms_free(u);
}

static void test_shared_library(void **state)
{
	struct usyms *u = usyms_new();
	void *fn = dlsym(RTLD_DEFAULT, "pthread_mutex_lock");
	char buf[256];

	assert_non_null(fn);
	usyms_resolve(u, (__u32)getpid(), 0, (__u64)(uintptr_t)fn + 1, buf, sizeof(buf));
	/* glibc names it pthread_mutex_lock or __pthread_mutex_lock */
	assert_non_null(strstr(buf, "pthread_mutex_lock+0x1"));
	/* an address in no mapping */
	usyms_resolve(u, (__u32)getpid(), 0, 0x10, buf, sizeof(buf));
	assert_string_equal(buf, "0x10");
	usyms_free(u);
}

static void test_cached_by_inode(void **state)
{
	struct usyms *u = usyms_new();
	size_t n;

	assert_int_equal(usyms_prepare(u, (__u32)getpid(), 0), 0);
	n = usyms_nbinaries(u);
	assert_true(n >= 2);	/* this test and libc at least */
	assert_int_equal(usyms_prepare(u, (__u32)getpid(), 0), 0);
	assert_int_equal(usyms_nbinaries(u), n);
	usyms_free(u);
}

static void test_after_exit(void **state)
{
	struct usyms *u = usyms_new();
	__u64 a = (__u64)(uintptr_t)&usyms_test_marker;
	int fds[2], st;
	char buf[256], c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (!pid) {
		close(fds[1]);
		(void)!read(fds[0], &c, 1);	/* until the parent has its map */
		_exit(usyms_test_marker(1) == 4 ? 0 : 1);
	}
	close(fds[0]);
	assert_int_equal(usyms_prepare(u, (__u32)pid, 7), 0);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* the same addresses in the child (fork): resolved from the kept map */
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x2");
	/* an earlier process that had the pid: not read through this map */
	usyms_resolve(u, (__u32)pid, 3, a + 2, buf, sizeof(buf));
	assert_true(buf[0] == '0' && buf[1] == 'x');
	/* forgetting the earlier one keeps the later one's map */
	usyms_forget(u, (__u32)pid, 3);
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x2");
	usyms_forget(u, (__u32)pid, 7);
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_true(buf[0] == '0' && buf[1] == 'x');
	usyms_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_shared_library),
		cmocka_unit_test(test_cached_by_inode),
		cmocka_unit_test(test_after_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
