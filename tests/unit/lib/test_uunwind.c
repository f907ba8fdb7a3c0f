/* Unwinding by CFI (libdwfl) on this very test process, built -O2 without
 * frame pointers: registers and a stack copy taken the way the BPF side
 * takes them, in a thread (its stack mapping holds the 8 KiB copied). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
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
#include "lib/usyms.h"
#include "lib/uunwind.h"

#define COPY 8192

static unsigned char stack_copy[COPY];
static struct uunwind_sample sample;

/* The copy reads the frames above ours, redzones and all: not for ASan.
 * It stops at the top of the thread's stack, as the BPF side's copy does
 * at the end of the mapping: a thread's first frames sit a few KiB under
 * it, and what lies above is another mapping or none (a SIGSEGV). */
__attribute__((no_sanitize("address"), noinline)) static size_t copy_up(const unsigned char *sp)
{
	pthread_attr_t a;
	void *lo = NULL;
	size_t size = 0, n = COPY;

	if (!pthread_getattr_np(pthread_self(), &a)) {
		if (!pthread_attr_getstack(&a, &lo, &size) &&
		    (uintptr_t)lo + size > (uintptr_t)sp &&
		    (uintptr_t)lo + size - (uintptr_t)sp < n)
			n = (uintptr_t)lo + size - (uintptr_t)sp;
		pthread_attr_destroy(&a);
	}
	memset(stack_copy, 0, sizeof(stack_copy));
	for (size_t i = 0; i < n; i++)
		stack_copy[i] = ((const volatile unsigned char *)sp)[i];
	return n;
}

__attribute__((noinline)) int uw_test_capture(void)
{
	__u64 ip, sp, bp;

	/* one statement: the three agree with the CFI at that instruction */
	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(ip), "=r"(sp), "=r"(bp));
	size_t n = copy_up((const unsigned char *)(uintptr_t)sp);

	sample = (struct uunwind_sample){ ip, sp, bp, stack_copy, n };
	asm volatile("" ::: "memory");
	return 1;
}

__attribute__((noinline)) int uw_test_level2(int x)
{
	int r = uw_test_capture() + x;

	asm volatile("" ::: "memory");	/* no tail call */
	return r;
}

__attribute__((noinline)) int uw_test_level1(int x)
{
	int r = uw_test_level2(x * 2) + 1;

	asm volatile("" ::: "memory");
	return r;
}

static void *capture_thread(void *arg)
{
	(void)arg;
	uw_test_level1(3);
	return NULL;
}

static void take_sample(void)
{
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 1 << 20);
	assert_int_equal(pthread_create(&t, &a, capture_thread, NULL), 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&a);
}

static bool has_frame(struct usyms *s, const __u64 *ips, int n, const char *fn)
{
	char buf[256];

	for (int i = 0; i < n; i++) {
		usyms_resolve(s, (__u32)getpid(), 0, ips[i], buf, sizeof(buf));
		if (!strncmp(buf, fn, strlen(fn)) && buf[strlen(fn)] == '+')
			return true;
	}
	return false;
}

/* Under ASan this binary's own frames are not what the unwinder meets in
 * the field (fewer than 4 frames come back): the tests that unwind them
 * are skipped there; the ASan build of latscope unwinds uninstrumented
 * workloads in locks_dwarf.bats. */
#ifdef __SANITIZE_ADDRESS__
#define SKIP_UNDER_ASAN() skip()
#else
#define SKIP_UNDER_ASAN() do { } while (0)
#endif

static void test_unwinds_own_stack(void **state)
{
	SKIP_UNDER_ASAN();
	struct uunwind *u = uunwind_new();
	struct usyms *s = usyms_new();
	__u64 ips[64];
	int n;

	take_sample();
	n = uunwind_stack(u, (__u32)getpid(), 0, &sample, ips, 64);
	assert_true(n >= 4);
	assert_int_equal(ips[0], sample.ip);
	assert_true(has_frame(s, ips, n, "uw_test_capture"));
	assert_true(has_frame(s, ips, n, "uw_test_level2"));
	assert_true(has_frame(s, ips, n, "uw_test_level1"));
	assert_true(has_frame(s, ips, n, "capture_thread"));
	/* again, from the cached Dwfl: the same frames */
	{
		__u64 again[64];

		assert_int_equal(uunwind_stack(u, (__u32)getpid(), 0, &sample, again, 64), n);
		assert_memory_equal(again, ips, (size_t)n * sizeof(*ips));
	}
	/* a copy cut short ends the unwinding early, without a fault */
	size_t whole = sample.size;

	sample.size = 16;
	{
		int cut = uunwind_stack(u, (__u32)getpid(), 0, &sample, ips, 64);

		assert_true(cut >= 1 && cut < n);
	}
	/* at most n frames */
	sample.size = whole;
	assert_int_equal(uunwind_stack(u, (__u32)getpid(), 0, &sample, ips, 2), 2);
	usyms_free(s);
	uunwind_free(u);
}

static void test_unknown_ip_and_gone_process(void **state)
{
	struct uunwind *u = uunwind_new();
	struct uunwind_sample bad = { 0x10, 0, 0, stack_copy, COPY };
	__u64 ips[8];

	/* no module holds the address: no frame beyond it */
	assert_true(uunwind_stack(u, (__u32)getpid(), 0, &bad, ips, 8) <= 1);
	/* no such process (pid_max is at most 2^22) */
	assert_int_equal(uunwind_stack(u, 0x7ffffff0u, 0, &sample, ips, 8), -ESRCH);
	uunwind_forget(u, (__u32)getpid(), 0);
	uunwind_free(u);
}

static void test_maps_key(void **state)
{
	const char *a =
		"55d0c000-55d0d000 r-xp 00001000 fd:01 1234    /usr/bin/postgres\n"
		"55d0e000-55d2f000 rw-p 00000000 00:00 0          [heap]\n"
		"7f20-7f30 r-xp 00000000 fd:01 99 /lib/libc.so.6\n";
	/* a forked sibling: its heap has grown, the files are the same */
	const char *b =
		"55d0c000-55d0d000 r-xp 00001000 fd:01 1234    /usr/bin/postgres\n"
		"55d0e000-55d9f000 rw-p 00000000 00:00 0          [heap]\n"
		"7f20-7f30 r-xp 00000000 fd:01 99 /lib/libc.so.6\n";
	/* another process of the binary: libc elsewhere (ASLR) */
	const char *c =
		"55d0c000-55d0d000 r-xp 00001000 fd:01 1234    /usr/bin/postgres\n"
		"7f40-7f50 r-xp 00000000 fd:01 99 /lib/libc.so.6\n";

	assert_int_equal(uunwind_maps_key(a, 1, 2), uunwind_maps_key(b, 1, 2));
	assert_true(uunwind_maps_key(a, 1, 2) != uunwind_maps_key(c, 1, 2));
	/* the same paths below another root (a container) are other files */
	assert_true(uunwind_maps_key(a, 1, 2) != uunwind_maps_key(a, 1, 3));
	assert_true(uunwind_maps_key("", 0, 0) != 0);
}

static void test_decode_calls(void **state)
{
	/* call rel32 -0xb13 returning to 0x1b52: to 0x1040 */
	const unsigned char direct[6] = { 0x90, 0xe8, 0xee, 0xf4, 0xff, 0xff };
	/* call *0x2fc2(%rip) returning to 0x2000: the slot at 0x4fc2 */
	const unsigned char indirect[6] = { 0xff, 0x15, 0xc2, 0x2f, 0x00, 0x00 };
	const unsigned char none[6] = { 0x48, 0x89, 0xc7, 0x48, 0x89, 0xc7 };
	/* jmp *0x2fc2(%rip) at 0x1040: the slot at 0x4008 */
	const unsigned char plt[16] = { 0xff, 0x25, 0xc2, 0x2f, 0, 0, 0x68, 1, 0, 0, 0 };
	/* endbr64; bnd jmp *0x10(%rip) at 0x2000 (.plt.sec): 0x2000 + 11 + 0x10 */
	const unsigned char plt_sec[16] = { 0xf3, 0x0f, 0x1e, 0xfa, 0xf2, 0xff, 0x25, 0x10, 0, 0, 0 };
	const unsigned char code[16] = { 0x55, 0x48, 0x89, 0xe5 };
	__u64 a = 0;

	assert_int_equal(uunwind_decode_call(direct, 0x1b52, &a), 1);
	assert_int_equal(a, 0x1040);
	assert_int_equal(uunwind_decode_call(indirect, 0x2000, &a), 2);
	assert_int_equal(a, 0x4fc2);
	assert_int_equal(uunwind_decode_call(none, 0x2000, &a), 0);
	assert_int_equal(uunwind_decode_plt(plt, 0x1040), 0x4008);
	assert_int_equal(uunwind_decode_plt(plt_sec, 0x2000), 0x2000 + 11 + 0x10);
	assert_int_equal(uunwind_decode_plt(code, 0x3000), 0);
}

__attribute__((noinline)) static int call_through_plt(void)
{
	/* a call into libc: through this PIE's PLT (or GOT, -fno-plt) */
	int r = getpid();

	asm volatile("" ::: "memory");
	return r;
}

static void test_callee_of_live_call(void **state)
{
	/* the return address of the call to getpid() is right after it:
	 * found as the first address past a call whose callee is getpid */
	void *fn = (void *)&getpid;
	const unsigned char *p = (const unsigned char *)&call_through_plt;
	bool found = false;

	call_through_plt();
	for (int i = 6; i < 64 && !found; i++)
		found = uunwind_callee((__u32)getpid(), (__u64)(uintptr_t)(p + i)) ==
			(__u64)(uintptr_t)fn;
	assert_true(found);
	/* no such process: nothing is read */
	assert_int_equal(uunwind_callee(0x7ffffff0u, (__u64)(uintptr_t)p + 6), 0);
}

static void test_parse_maps(void **state)
{
	const char *maps =
		"5600-5601 r--p 00000000 fd:01 1234   /usr/bin/postgres\n"
		"5601-5609 r-xp 00001000 fd:01 1234   /usr/bin/postgres\n"
		"5609-560a rw-p 00009000 fd:01 1234   /usr/bin/postgres\n"
		"560a-560f rw-p 00000000 00:00 0      [heap]\n"
		"7f00-7f10 r--s 00002000 fd:01 77     /dev/shm/mid-file\n"
		"7f20-7f21 r--p 00000000 fd:01 99     /lib/libc.so.6\n"
		"7f21-7f30 r-xp 00028000 fd:01 99     /lib/libc.so.6\n"
		"7f30-7f31 rw-p 00000000 00:00 0 \n"
		"7f31-7f32 rw-p 00200000 fd:01 99     /lib/libc.so.6\n"
		"7fff0-7fff1 r-xp 00000000 00:00 0    [vdso]";
	struct uunwind_file f[4];

	assert_int_equal(uunwind_parse_maps(maps, f, 4), 2);
	/* a binary's segments make one file, from its first to its last */
	assert_int_equal(f[0].start, 0x5600);
	assert_int_equal(f[0].end, 0x560a);
	assert_int_equal(f[0].dev, (0xfdULL << 32) | 1);
	assert_int_equal(f[0].ino, 1234);
	assert_int_equal(f[0].path_len, strlen("/usr/bin/postgres"));
	assert_memory_equal(f[0].path, "/usr/bin/postgres", f[0].path_len);
	/* across an anonymous mapping (its .bss) too; not mapped from its
	 * start (offset 0): no binary; anonymous and [vdso]: none */
	assert_int_equal(f[1].start, 0x7f20);
	assert_int_equal(f[1].end, 0x7f32);
	assert_int_equal(f[1].ino, 99);
	assert_int_equal(uunwind_parse_maps(maps, f, 1), 1);
	assert_int_equal(uunwind_parse_maps("", f, 4), 0);
	assert_int_equal(uunwind_parse_maps("garbage\n\n-", f, 4), 0);
}

/* A process of this test's binary started on its own (exec: its own
 * ASLR): its sample on stdout, then alive until stdin closes. */
struct child_sample {
	__u64 ip, sp, bp, size;
	unsigned char stack[COPY];
};

static int child_main(void)
{
	static struct child_sample c;
	char b;

	take_sample();
	c.ip = sample.ip, c.sp = sample.sp, c.bp = sample.bp, c.size = sample.size;
	memcpy(c.stack, stack_copy, COPY);
	if (fwrite(&c, sizeof(c), 1, stdout) != 1 || fflush(stdout))
		return 1;
	while (read(0, &b, 1) > 0)
		;
	return 0;
}

static pid_t spawn_child(struct child_sample *c, int *hold)
{
	int in[2], out[2];
	pid_t pid;
	FILE *f;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		setenv("UW_TEST_CHILD", "1", 1);
		execl("/proc/self/exe", "test_uunwind", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*hold = in[1];
	f = fdopen(out[0], "r");
	assert_non_null(f);
	assert_int_equal(fread(c, sizeof(*c), 1, f), 1);
	fclose(f);
	return pid;
}

static void test_new_process_of_seen_binary(void **state)
{
	SKIP_UNDER_ASAN();
	struct uunwind *u = uunwind_new();
	static struct child_sample c;
	__u64 own[64], ips[64], spaces0, bins0, spaces, bins;
	int n, hold;

	take_sample();
	n = uunwind_stack(u, (__u32)getpid(), 0, &sample, own, 64);
	assert_true(n >= 4);
	uunwind_counts(u, &spaces0, &bins0);
	assert_true(bins0 >= 2);	/* this test and libc at least */
	for (int k = 0; k < 3; k++) {
		pid_t pid = spawn_child(&c, &hold);
		struct uunwind_sample s = { c.ip, c.sp, c.bp, c.stack, c.size };

		assert_true(c.ip != sample.ip);	/* mapped elsewhere */
		assert_int_equal(uunwind_stack(u, (__u32)pid, 0, &s, ips, 64), n);
		/* its addresses, at the same places in the same code as ours
		 * (this test's 4 frames; libc moved on its own) */
		for (int i = 0; i < 4; i++)
			assert_int_equal(ips[i] - c.ip, own[i] - sample.ip);
		/* the callees: read from the first child, then kept (by
		 * binary, not address) for the next ones, and right there */
		for (int i = 1; i < n; i++)
			assert_int_equal(uunwind_callee_of(u, (__u32)pid, ips[i]),
					 uunwind_callee(pid, ips[i]));
		assert_true(uunwind_callee_of(u, (__u32)pid, ips[1]) != 0);
		close(hold);
		waitpid(pid, NULL, 0);
	}
	/* three spaces more, no binary opened again */
	uunwind_counts(u, &spaces, &bins);
	assert_int_equal(spaces, spaces0 + 3);
	assert_int_equal(bins, bins0);
	uunwind_free(u);
}

static void test_binaries_bounded(void **state)
{
	SKIP_UNDER_ASAN();
	struct uunwind *u = uunwind_new();
	__u64 ips[64], again[64], spaces, bins0, bins;
	int n;

	take_sample();
	n = uunwind_stack(u, (__u32)getpid(), 0, &sample, ips, 64);
	uunwind_counts(u, &spaces, &bins0);
	/* fewer kept than this process maps: a new space opens some again
	 * (the least recently used went; the unwinding stops at a binary no
	 * longer kept), and nothing breaks */
	uunwind_set_max_bins(u, 2);
	for (int k = 0; k < 3; k++)
		assert_true(uunwind_stack(u, (__u32)getpid(), 0, &sample, again, 64) >= 0);
	uunwind_counts(u, &spaces, &bins);
	assert_true(bins > bins0);
	/* room again: the same frames */
	uunwind_set_max_bins(u, 128);
	assert_int_equal(uunwind_stack(u, (__u32)getpid(), 0, &sample, again, 64), n);
	assert_memory_equal(again, ips, (size_t)n * sizeof(*ips));
	uunwind_free(u);
}

int main(void)
{
	if (getenv("UW_TEST_CHILD"))
		return child_main();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwinds_own_stack),
		cmocka_unit_test(test_unknown_ip_and_gone_process),
		cmocka_unit_test(test_maps_key),
		cmocka_unit_test(test_parse_maps),
		cmocka_unit_test(test_new_process_of_seen_binary),
		cmocka_unit_test(test_binaries_bounded),
		cmocka_unit_test(test_decode_calls),
		cmocka_unit_test(test_callee_of_live_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
