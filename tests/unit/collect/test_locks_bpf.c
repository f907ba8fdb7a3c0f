/* bpf/locks.bpf.c loaded for real (root only; skipped otherwise), on
 * futex waits of this very process: a wait is counted once per call,
 * EAGAIN is not a wait, and a full user stack map is counted as a drop
 * while the wait itself is still recorded. Built with frame pointers, so
 * that its two call sites make two stacks. */
#pragma GCC optimize("no-omit-frame-pointer")
#include <errno.h>
#include <linux/futex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "locks.h"
#include "locks.skel.h"

static int word;
static volatile int five = 5;

/* Two call sites, so two different user stacks. */
__attribute__((noinline)) static void wait_here_a(void)
{
	struct timespec ts = { 0, 200000 };

	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) static void wait_here_b(void)
{
	struct timespec ts = { 0, 200000 };

	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	asm volatile("" ::: "memory");
}

static struct locks_bpf *load(void)
{
	struct locks_bpf *skel;

	if (geteuid())
		return NULL;
	skel = locks_bpf__open();
	if (!skel)
		return NULL;
	skel->rodata->filter_npids = 1;
	skel->rodata->filter_pids[0] = (__u32)getpid();
	bpf_map__set_max_entries(skel->maps.ustacks, 1);	/* one stack fits */
	bpf_program__set_autoload(skel->progs.mutex_lock_enter, false);
	bpf_program__set_autoload(skel->progs.mutex_lock_exit, false);
	bpf_program__set_autoattach(skel->progs.mutex_lock_enter, false);
	bpf_program__set_autoattach(skel->progs.mutex_lock_exit, false);
	if (locks_bpf__load(skel) || locks_bpf__attach(skel)) {
		locks_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Sum of counts of this process's entries on &word; how many had no stack. */
static __u64 count_waits(struct locks_bpf *skel, __u64 *nostack)
{
	int fd = bpf_map__fd(skel->maps.ulock_stats);
	struct ulock_key k, *prev = NULL;
	struct lock_stats st;
	__u64 n = 0;

	*nostack = 0;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (!bpf_map_lookup_elem(fd, &k, &st) && k.uaddr == (uintptr_t)&word &&
		    k.tgid == (__u32)getpid()) {
			n += st.count;
			if (!k.stack)
				*nostack += st.count;
		}
		prev = &k;
	}
	return n;
}

static void test_full_stack_map_is_a_drop(void **state)
{
	struct locks_bpf *skel = load();
	__u64 nostack;

	if (!skel)
		skip();
	/* a count the compiler cannot unroll into more call sites */
	for (int i = 0; i < five; i++)
		wait_here_a();
	for (int i = 0; i < five; i++)
		wait_here_b();
	/* every timed-out wait counted once, whatever happened to its stack */
	assert_int_equal(count_waits(skel, &nostack), 10);
	/* the second stack did not fit: each of its waits is a drop */
	assert_int_equal(nostack, 5);
	assert_true(skel->bss->drop_ustack >= 5);	/* and any other wait of ours */
	locks_bpf__destroy(skel);
}

static void test_eagain_is_not_a_wait(void **state)
{
	struct locks_bpf *skel = load();
	__u64 nostack;
	int one = 1;

	if (!skel)
		skip();
	/* the word is not the expected value: returns EAGAIN at once */
	for (int i = 0; i < 20; i++)
		syscall(SYS_futex, &one, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	wait_here_a();
	assert_int_equal(count_waits(skel, &nostack), 1);
	locks_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_stack_map_is_a_drop),
		cmocka_unit_test(test_eagain_is_not_a_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
