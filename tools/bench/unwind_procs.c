/* The first unwinding of a new process of a binary already seen (issue
 * 22): N processes of this program, each exec'd on its own (so each has
 * its own ASLR layout, as separately started servers do), copy their
 * registers and 8 KiB of a thread's stack, 4 frames deep, as the BPF side
 * does, and wait; this process unwinds each one's stack once with
 * lib/uunwind.c, as the locks family does. Prints the first process's
 * time (nothing cached), the mean and the slowest of the others', and
 * this process's RSS before and after.
 *
 *   unwind_procs [N]      (default 20)
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/uunwind.h"

#define COPY 8192

struct sample {
	__u64 ip, sp, bp;
	unsigned char stack[COPY];
};

static struct sample smp;

__attribute__((noinline)) static void capture(void)
{
	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(smp.ip), "=r"(smp.sp), "=r"(smp.bp));
	memcpy(smp.stack, (void *)(uintptr_t)smp.sp, COPY);
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) static void level2(void)
{
	capture();
	asm volatile("" ::: "memory");	/* no tail call */
}

__attribute__((noinline)) static void *level1(void *a)
{
	level2();
	asm volatile("" ::: "memory");
	return a;
}

/* The child: its sample to stdout, then alive until stdin closes. */
static int child(void)
{
	pthread_t t;
	char c;

	pthread_create(&t, NULL, level1, NULL);
	pthread_join(t, NULL);
	if (fwrite(&smp, sizeof(smp), 1, stdout) != 1 || fflush(stdout))
		return 1;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

/* Child i started by exec, its pid, its sample read from the pipe; *hold
 * is the write end of its stdin (closing it ends the child). */
static pid_t spawn(const char *self, struct sample *out, int *hold)
{
	int in[2], res[2];
	pid_t pid;

	if (pipe(in) || pipe(res))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		close(in[1]);
		close(res[0]);
		execl(self, self, "--child", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	*hold = in[1];
	FILE *f = fdopen(res[0], "r");

	if (!f || fread(out, sizeof(*out), 1, f) != 1)
		pid = -1;
	if (f)
		fclose(f);
	return pid;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20, frames0 = 0, bad = 0;
	double first = 0, sum = 0, worst = 0;
	struct uunwind *u;
	long rss0, rss1;

	if (argc > 1 && !strcmp(argv[1], "--child"))
		return child();
	if (n < 2 || n > 1000) {
		fprintf(stderr, "usage: unwind_procs [N: 2..1000]\n");
		return 2;
	}
	u = uunwind_new();
	rss0 = rss_kib();
	for (int i = 0; i < n; i++) {
		static struct sample s;
		__u64 ips[64];
		int hold, got;
		pid_t pid = spawn("/proc/self/exe", &s, &hold);

		if (pid < 0) {
			fprintf(stderr, "unwind_procs: a child failed\n");
			return 1;
		}
		struct uunwind_sample us = { s.ip, s.sp, s.bp, s.stack, COPY };
		double t0 = now_us();

		got = uunwind_stack(u, (__u32)pid, 0, &us, ips, 64);
		double dt = now_us() - t0;

		close(hold);
		waitpid(pid, NULL, 0);
		if (i == 0) {
			first = dt;
			frames0 = got;
			continue;
		}
		bad += got != frames0;
		sum += dt;
		worst = dt > worst ? dt : worst;
	}
	rss1 = rss_kib();
	__u64 spaces, bins;

	uunwind_counts(u, &spaces, &bins);
	printf("unwind: first stack of a new process: %.0f us (binary new, %d frames), "
	       "%.0f us mean / %.0f us max (binary seen, %d processes); RSS %.1f -> %.1f MiB; "
	       "%llu address spaces read, %llu binaries opened\n", first, frames0, sum / (n - 1), worst, n - 1,
	       rss0 / 1024.0, rss1 / 1024.0, (unsigned long long)spaces, (unsigned long long)bins);
	uunwind_free(u);
	if (bad || frames0 < 4) {
		fprintf(stderr, "unwind_procs: %d processes unwound to a different depth\n", bad);
		return 1;
	}
	return 0;
}
