/* sysload: makes syscalls whose latency it knows, and prints that truth.
 *
 *   sysload [--sleep N:MIN_US:MAX_US] [--pipe N:DELAY_US] [--enoent N]
 *           [--block MS]
 *
 * Prints {"pid":P,"blocker_tid":T} at once, then waits for a line on stdin
 * (so a tracer can attach first), then runs the phases in order:
 *   --sleep   N nanosleep(2) calls, lengths spread evenly over MIN..MAX us
 *   --pipe    N read(2) calls on a pipe, each answered by a writer thread
 *             after DELAY_US
 *   --enoent  N openat(2) calls on a missing file (each fails: ENOENT)
 *   --block   one readv(2) on a pipe by the blocker thread, answered after
 *             MS (readv, so it is told apart from the --pipe reads)
 * and prints one JSON line of what it measured itself around each call:
 * count, total, p50/p90/p99/max (nearest rank) per phase.
 * Syscalls are made with syscall(2) so that libc cannot substitute others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void sleep_us(unsigned long long us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	while (syscall(SYS_nanosleep, &ts, &ts) && errno == EINTR)
		;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static unsigned long long rank_of(const unsigned long long *v, int n, double q)
{
	int r = (int)(q * n);

	if (r < q * n)
		r++;
	if (r < 1)
		r = 1;
	return v[r - 1];
}

static void print_stats(const char *name, unsigned long long *v, int n, int errors, int *first)
{
	unsigned long long total = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp);
	for (int i = 0; i < n; i++)
		total += v[i];
	printf("%s\"%s\":{\"count\":%d,\"errors\":%d,\"total_ns\":%llu", *first ? "" : ",", name,
	       n, errors, total);
	if (n)
		printf(",\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"p999_ns\":%llu,\"max_ns\":%llu",
		       rank_of(v, n, 0.5), rank_of(v, n, 0.9), rank_of(v, n, 0.99),
		       rank_of(v, n, 0.999), v[n - 1]);
	printf("}");
	*first = 0;
}

struct writer {
	int fd, n;
	unsigned long long delay_us;
};

/* The writer waits with clock_nanosleep, not nanosleep: the --sleep phase
 * owns the nanosleep counts. */
static void *pipe_writer(void *arg)
{
	struct writer *w = arg;

	for (int i = 0; i < w->n; i++) {
		struct timespec ts = { (time_t)(w->delay_us / 1000000),
				       (long)(w->delay_us % 1000000) * 1000 };

		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
		if (syscall(SYS_write, w->fd, "x", 1) != 1)
			break;
	}
	return NULL;
}

/* The blocker thread: its tid is announced before the start, and it sits in
 * one read until the main thread writes. */
static int block_pipe[2];
static int blocker_tid;
static unsigned long long block_ns;
static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int go;

static void *blocker(void *arg)
{
	char c;
	struct iovec iov = { &c, 1 };
	unsigned long long t0;

	pthread_mutex_lock(&ready_mu);
	blocker_tid = (int)syscall(SYS_gettid);
	pthread_cond_broadcast(&ready_cv);
	while (go < 2)
		pthread_cond_wait(&ready_cv, &ready_mu);
	pthread_mutex_unlock(&ready_mu);
	t0 = now_ns();
	if (syscall(SYS_readv, block_pipe[0], &iov, 1) != 1)
		return NULL;
	block_ns = now_ns() - t0;
	return NULL;
}

static int parse3(const char *s, int *n, unsigned long long *a, unsigned long long *b)
{
	return sscanf(s, "%d:%llu:%llu", n, a, b);
}

int main(int argc, char **argv)
{
	int sleep_n = 0, pipe_n = 0, enoent_n = 0, first = 1;
	unsigned long long smin = 0, smax = 0, pdelay = 0, block_ms = 0, dummy;
	unsigned long long *v;
	pthread_t bt;
	char line[64];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : "";
		int n;

		if (!strcmp(a, "--sleep") && parse3(val, &sleep_n, &smin, &smax) == 3)
			i++;
		else if (!strcmp(a, "--pipe") && parse3(val, &pipe_n, &pdelay, &dummy) >= 2)
			i++;
		else if (!strcmp(a, "--enoent") && sscanf(val, "%d", &enoent_n) == 1)
			i++;
		else if (!strcmp(a, "--block") && sscanf(val, "%llu", &block_ms) == 1)
			i++;
		else {
			fprintf(stderr, "sysload: bad argument '%s' (see the comment at the top of tools/sysload.c)\n", a);
			return 2;
		}
		(void)n;
	}
	if (pipe(block_pipe))
		return 1;
	pthread_create(&bt, NULL, blocker, NULL);
	pthread_mutex_lock(&ready_mu);
	while (!blocker_tid)
		pthread_cond_wait(&ready_cv, &ready_mu);
	pthread_mutex_unlock(&ready_mu);
	printf("{\"pid\":%d,\"blocker_tid\":%d}\n", getpid(), blocker_tid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;

	v = calloc((size_t)(sleep_n + pipe_n + enoent_n + 1), sizeof(*v));
	printf("{");
	if (sleep_n) {
		for (int i = 0; i < sleep_n; i++) {
			unsigned long long us = smin + (sleep_n > 1 ? (smax - smin) * (unsigned long long)i /
								      (unsigned long long)(sleep_n - 1) : 0);
			unsigned long long t0 = now_ns();

			sleep_us(us);
			v[i] = now_ns() - t0;
		}
		print_stats("sleep", v, sleep_n, 0, &first);
	}
	if (pipe_n) {
		int p[2];
		struct writer w;
		pthread_t wt;
		char c;

		if (pipe(p))
			return 1;
		w = (struct writer){ p[1], pipe_n, pdelay };
		pthread_create(&wt, NULL, pipe_writer, &w);
		for (int i = 0; i < pipe_n; i++) {
			unsigned long long t0 = now_ns();

			if (syscall(SYS_read, p[0], &c, 1) != 1)
				return 1;
			v[i] = now_ns() - t0;
		}
		pthread_join(wt, NULL);
		print_stats("pipe", v, pipe_n, 0, &first);
	}
	if (enoent_n) {
		int errors = 0;

		for (int i = 0; i < enoent_n; i++) {
			unsigned long long t0 = now_ns();

			if (syscall(SYS_openat, AT_FDCWD, "/nonexistent/latscope-sysload", O_RDONLY) < 0)
				errors++;
			v[i] = now_ns() - t0;
		}
		print_stats("enoent", v, enoent_n, errors, &first);
	}
	pthread_mutex_lock(&ready_mu);
	go = 2;
	pthread_cond_broadcast(&ready_cv);
	pthread_mutex_unlock(&ready_mu);
	if (block_ms) {
		sleep_us(block_ms * 1000);
		if (syscall(SYS_write, block_pipe[1], "x", 1) != 1)
			return 1;
	} else {
		close(block_pipe[1]);
	}
	pthread_join(bt, NULL);
	if (block_ms)
		printf("%s\"block\":{\"count\":1,\"max_ns\":%llu}", first ? "" : ",", block_ns);
	printf("}\n");
	free(v);
	return 0;
}
