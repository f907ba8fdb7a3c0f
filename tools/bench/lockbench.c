/* lockbench: the micro-benchmarks of the locks family's overhead.
 *
 *   lockbench syscall N         N getppid(2): ns per call
 *   lockbench futex N           N FUTEX_WAIT that return at once (EAGAIN):
 *                               ns per call (not a wait: latscope skips it)
 *   lockbench futex-sleep N     N FUTEX_WAIT that sleep until a 1 us timeout:
 *                               ns per call (latscope's whole futex path)
 *   lockbench lock N            N uncontended pthread_mutex_lock/unlock
 *                               pairs: ns per pair
 *   lockbench mutex THREADS MS [IN OUT]
 *                               THREADS threads fight over one mutex for MS,
 *                               IN increments inside the critical section and
 *                               OUT outside (default 2000 each): acquisitions
 *                               per second
 * With --wait it prints its pid and waits for a line on stdin first (so a
 * tracer can attach to it). Prints one number on the last line.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop;
static int cs_iters = 2000, out_iters = 2000;
static volatile unsigned long long shared_counter;

static void *fighter(void *arg)
{
	unsigned long long n = 0;

	while (!stop) {
		volatile unsigned long long local = 0;

		pthread_mutex_lock(&m);
		for (int i = 0; i < cs_iters; i++)	/* inside */
			shared_counter++;
		pthread_mutex_unlock(&m);
		for (int i = 0; i < out_iters; i++)	/* and outside */
			local++;
		n++;
	}
	*(unsigned long long *)arg = n;
	return NULL;
}

int main(int argc, char **argv)
{
	int wait = 0;
	char line[16];

	if (argc > 1 && !strcmp(argv[argc - 1], "--wait")) {
		wait = 1;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: lockbench syscall|futex|lock N | mutex THREADS MS [--wait]\n");
		return 2;
	}
	if (wait) {
		printf("%d\n", getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	long n = atol(argv[2]);
	unsigned long long t0 = now_ns(), t;

	if (!strcmp(argv[1], "syscall")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (!strcmp(argv[1], "futex")) {
		int word = 1;

		for (long i = 0; i < n; i++)
			syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	} else if (!strcmp(argv[1], "futex-sleep")) {
		struct timespec ts = { 0, 1000 };
		int word = 0;

		for (long i = 0; i < n; i++)
			syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	} else if (!strcmp(argv[1], "lock")) {
		for (long i = 0; i < n; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
	} else if (!strcmp(argv[1], "mutex") && argc >= 4) {
		int threads = atoi(argv[2]), ms = atoi(argv[3]);

		if (argc >= 6) {
			cs_iters = atoi(argv[4]);
			out_iters = atoi(argv[5]);
		}
		pthread_t th[64];
		unsigned long long counts[64] = { 0 }, total = 0;

		if (threads < 1 || threads > 64)
			return 2;
		for (int i = 0; i < threads; i++)
			pthread_create(&th[i], NULL, fighter, &counts[i]);
		usleep((useconds_t)ms * 1000);
		stop = 1;
		for (int i = 0; i < threads; i++) {
			pthread_join(th[i], NULL);
			total += counts[i];
		}
		t = now_ns() - t0;
		printf("%.0f\n", total * 1e9 / (double)t);
		return 0;
	} else {
		return 2;
	}
	t = now_ns() - t0;
	printf("%.1f\n", (double)t / (double)n);
	return 0;
}
