/* scaleload: many processes and threads, for soak and scale runs.
 *
 *   scaleload [--procs P] [--threads T] [--churn PER_SEC] [--period MS]
 *             [--lock-every MS] [--seconds S]
 *
 * Forks P processes (default 100) of T threads each (default 10). Every
 * thread loops: a few cheap syscalls (getppid, an open of a missing file),
 * then a nanosleep of --period ms (default 100), so the host sees steady
 * syscall and context-switch traffic from P*T threads without being
 * saturated. With --churn N, each process replaces about N of its threads
 * per second: threads exit and new ones start, so a tracer sees thousands
 * of threads come and go. With --lock-every MS, each thread also takes
 * its process's one pthread mutex about every MS ms (all of a process's
 * threads at the same ticks, each process at its own phase) and holds it
 * 200 us asleep, inside
 * scale_contend(): every process has futex waits, and so new user stacks
 * for a tracer to unwind. Stops after --seconds (default: until SIGTERM or
 * SIGINT), killing its children. Prints {"pid":..., "procs":P, "threads":P*T}
 * once everything runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nprocs = 100, nthreads = 10, churn, period_ms = 100, seconds, lock_every_ms;
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static long lock_phase_ms;	/* this process's ticks, apart from the others' */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The process's threads meet here at the same ticks: all but one wait. */
__attribute__((noinline)) static void scale_contend(void)
{
	struct timespec hold = { 0, 200000 };

	pthread_mutex_lock(&proc_lock);
	nanosleep(&hold, NULL);
	pthread_mutex_unlock(&proc_lock);
	asm volatile("" ::: "memory");	/* no tail call */
}

struct worker {
	pthread_t th;
	volatile int quit;
	volatile int done;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	long next_lock = 0;
	char name[16];

	snprintf(name, sizeof(name), "scale-wk");
	prctl(PR_SET_NAME, name);
	while (!w->quit && !stop) {
		if (lock_every_ms && now_ms() >= next_lock) {
			if (next_lock)
				scale_contend();
			next_lock = ((now_ms() - lock_phase_ms) / lock_every_ms + 1) * lock_every_ms +
				    lock_phase_ms;
		}
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		int fd = open("/nonexistent/scaleload", O_RDONLY);

		if (fd >= 0)
			close(fd);
		sleep_ms(period_ms);
	}
	w->done = 1;
	return NULL;
}

static int start(struct worker *w)
{
	pthread_attr_t a;
	int err;

	memset(w, 0, sizeof(*w));
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	err = pthread_create(&w->th, &a, work, w);
	pthread_attr_destroy(&a);
	return err;
}

static pid_t parent;

static void child(int idx)
{
	struct worker *ws = calloc((size_t)nthreads, sizeof(*ws));
	long tick = 0;

	if (!ws)
		_exit(1);
	if (lock_every_ms)
		lock_phase_ms = (long)(((unsigned long)idx * 7919u) % (unsigned long)lock_every_ms);
	/* gone with the parent however it ends (a parent that died before
	 * this line sends no signal: the loop below sees it too) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	for (int i = 0; i < nthreads; i++)
		if (start(&ws[i]))
			_exit(1);
	while (!stop && getppid() == parent) {
		sleep_ms(100);
		tick++;
		if (!churn)
			continue;
		/* replace churn/10 threads per 100 ms tick (at least one a second) */
		int n = churn / 10;

		if (!n && tick % 10 == 0)
			n = 1;
		for (int k = 0; k < n; k++) {
			struct worker *w = &ws[(unsigned)(tick * 7 + (unsigned)k + (unsigned)idx) % (unsigned)nthreads];

			w->quit = 1;
			pthread_join(w->th, NULL);
			if (start(w))
				_exit(1);
		}
	}
	for (int i = 0; i < nthreads; i++) {
		ws[i].quit = 1;
		pthread_join(ws[i].th, NULL);
	}
	_exit(0);
}

static int num(const char *s, int lo, int hi, const char *opt)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "scaleload: bad value for %s: '%s'\n", opt, s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	pid_t *kids;
	time_t t0 = time(NULL);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--procs"))
			nprocs = num(v, 1, 100000, a), i++;
		else if (!strcmp(a, "--threads"))
			nthreads = num(v, 1, 10000, a), i++;
		else if (!strcmp(a, "--churn"))
			churn = num(v, 0, 100000, a), i++;
		else if (!strcmp(a, "--period"))
			period_ms = num(v, 1, 100000, a), i++;
		else if (!strcmp(a, "--lock-every"))
			lock_every_ms = num(v, 1, 1000000, a), i++;
		else if (!strcmp(a, "--seconds"))
			seconds = num(v, 1, 1000000, a), i++;
		else {
			fprintf(stderr, "usage: scaleload [--procs P] [--threads T] [--churn N] "
					"[--period MS] [--lock-every MS] [--seconds S]\n");
			return 2;
		}
	}
	kids = calloc((size_t)nprocs, sizeof(*kids));
	if (!kids)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	parent = getpid();
	for (int i = 0; i < nprocs && !stop; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			fprintf(stderr, "scaleload: fork: %s\n", strerror(errno));
			stop = 1;
			break;
		}
		if (kids[i] == 0) {
			prctl(PR_SET_NAME, "scaleload");
			child(i);
		}
	}
	printf("{\"pid\":%d,\"procs\":%d,\"threads\":%d}\n", getpid(), nprocs,
	       nprocs * nthreads);
	fflush(stdout);
	while (!stop && (!seconds || time(NULL) - t0 < seconds))
		sleep_ms(200);
	for (int i = 0; i < nprocs; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (int i = 0; i < nprocs; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
	return 0;
}
