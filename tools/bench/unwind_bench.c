/* The two unwinders of Debian on the stacks latscope unwinds by CFI
 * (issue 22): registers and an 8 KiB copy of a thread's stack, 7 frames
 * deep in code built -O2 without frame pointers, unwound in the same
 * "remote" way as the locks family does, by libdwfl (lib/uunwind.c, what
 * latscope uses) and by libunwind (unw_create_addr_space with our
 * accessors over the copy; its ptrace helper only finds the unwind tables,
 * whose memory is read from the live process). Prints the first unwinding
 * (tables loaded) and the mean of the next 2000, and whether both found
 * the same frames. */
#include <libunwind.h>
#include <libunwind-ptrace.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "lib/uunwind.h"

#define COPY 8192
#define RUNS 2000

static unsigned char copy[COPY];
static struct uunwind_sample s;
static void *upt;	/* libunwind-ptrace's tables of this process */

/* The registers and the stack copy, as the BPF side takes them. */
__attribute__((noinline)) static void capture(void)
{
	__u64 ip, sp, bp;

	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(ip), "=r"(sp), "=r"(bp));
	memcpy(copy, (void *)(uintptr_t)sp, COPY);
	s = (struct uunwind_sample){ ip, sp, bp, copy, COPY };
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) static void level3(void)
{
	capture();
	asm volatile("" ::: "memory");	/* no tail call */
}

__attribute__((noinline)) static void level2(void)
{
	level3();
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) static void level1(void)
{
	level2();
	asm volatile("" ::: "memory");
}

static void *thread(void *a)
{
	level1();
	return a;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int find_pi(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need, void *arg)
{
	return _UPT_find_proc_info(as, ip, pi, need, upt);
}

static void put_ui(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	_UPT_put_unwind_info(as, pi, upt);
}

static int get_dil(unw_addr_space_t as, unw_word_t *d, void *arg)
{
	return -UNW_ENOINFO;
}

/* The stack from the copy; the unwind tables from the live process. */
static int acc_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	struct iovec l = { val, 8 }, r = { (void *)addr, 8 };

	if (write)
		return -UNW_EINVAL;
	if (addr >= s.sp && addr + 8 <= s.sp + s.size) {
		memcpy(val, copy + (addr - s.sp), 8);
		return 0;
	}
	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == 8 ? 0 : -UNW_EINVAL;
}

static int acc_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	if (write)
		return -UNW_EINVAL;
	switch (reg) {
	case UNW_X86_64_RIP:
		*val = s.ip;
		return 0;
	case UNW_X86_64_RSP:
		*val = s.sp;
		return 0;
	case UNW_X86_64_RBP:
		*val = s.bp;
		return 0;
	}
	return -UNW_EBADREG;
}

static int acc_fpreg(unw_addr_space_t as, unw_regnum_t r, unw_fpreg_t *v, int w, void *a)
{
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *a)
{
	return -UNW_EINVAL;
}

static int proc_name(unw_addr_space_t as, unw_word_t a, char *b, size_t n, unw_word_t *o,
		     void *arg)
{
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	find_pi, put_ui, get_dil, acc_mem, acc_reg, acc_fpreg, resume, proc_name,
};

static int by_libunwind(unw_addr_space_t as, __u64 *ips, int max)
{
	unw_cursor_t c;
	unw_word_t ip;
	int n = 0;

	if (unw_init_remote(&c, as, NULL))
		return -1;
	do {
		unw_get_reg(&c, UNW_REG_IP, &ip);
		ips[n++] = ip;
	} while (n < max && unw_step(&c) > 0);
	return n;
}

int main(void)
{
	__u64 a[64], b[64];
	double t0, t1, t2, t3, t4, t5;
	struct uunwind *u = uunwind_new();
	unw_addr_space_t as;
	pthread_t t;
	int na, nb;

	pthread_create(&t, NULL, thread, NULL);
	pthread_join(t, NULL);
	upt = _UPT_create(getpid());
	t0 = now_us();
	as = unw_create_addr_space(&accessors, 0);
	unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	na = by_libunwind(as, a, 64);
	t1 = now_us();
	for (int i = 0; i < RUNS; i++)
		by_libunwind(as, a, 64);
	t2 = now_us();
	nb = uunwind_stack(u, (__u32)getpid(), 0, &s, b, 64);
	t3 = now_us();
	for (int i = 0; i < RUNS; i++)
		uunwind_stack(u, (__u32)getpid(), 0, &s, b, 64);
	t4 = now_us();
	t5 = t3 - t2;
	printf("libunwind: %d frames, first %.0f us, then %.2f us/stack\n", na, t1 - t0,
	       (t2 - t1) / RUNS);
	printf("libdwfl:   %d frames, first %.0f us, then %.2f us/stack\n", nb, t5,
	       (t4 - t3) / RUNS);
	printf("same frames: %s\n", na == nb && !memcmp(a, b, (size_t)na * 8) ? "yes" : "no");
	return na == nb && !memcmp(a, b, (size_t)na * 8) ? 0 : 1;
}
