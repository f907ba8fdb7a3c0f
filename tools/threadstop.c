/* threadstop: holds one thread of a process stopped while the others run,
 * for tests of what a process does when one of its threads is stuck (a
 * collector that takes longer than its interval, while the HTTP thread
 * keeps serving). SIGSTOP would stop every thread; ptrace stops one.
 *
 *   threadstop TID MS
 *
 * Seizes TID (PTRACE_SEIZE, no signal sent), interrupts it, prints
 * "stopped" once it is stopped, waits MS milliseconds, lets it go and
 * exits 0. One line on stderr and exit 1 if it cannot. SIGTERM or SIGINT
 * let the thread go early (ptrace detaches as the tracer exits). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	int status;
	long ms;
	pid_t tid;

	if (argc != 3 || (tid = (pid_t)atoi(argv[1])) <= 0 || (ms = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: threadstop TID MS\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) || ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		fprintf(stderr, "threadstop: %d: %s\n", tid, strerror(errno));
		return 1;
	}
	/* the thread's stop, reported to its tracer (a thread other than the
	 * group leader is waited for with __WALL) */
	if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status)) {
		fprintf(stderr, "threadstop: %d did not stop\n", tid);
		return 1;
	}
	printf("stopped\n");
	fflush(stdout);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	if (ptrace(PTRACE_DETACH, tid, NULL, NULL)) {
		fprintf(stderr, "threadstop: detach %d: %s\n", tid, strerror(errno));
		return 1;
	}
	return 0;
}
