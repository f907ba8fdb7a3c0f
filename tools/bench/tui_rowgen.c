/* tui_rowgen: many (process, syscall) rows for the TUI benchmark.
 *
 *   tui_rowgen PROCS     forks PROCS children, each making 9 kinds of cheap
 *                        syscalls every 100 ms (9 rows per child), until
 *                        killed (SIGTERM to the parent ends them all).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 222;

	if (n <= 0 || n > 4000) {
		fprintf(stderr, "usage: tui_rowgen PROCS (1..4000)\n");
		return 2;
	}
	setpgid(0, 0);
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			char name[16];
			struct timespec ts = { 0, 100000000L };

			prctl(PR_SET_PDEATHSIG, SIGTERM);
			snprintf(name, sizeof(name), "rowgen-%d", i);
			prctl(PR_SET_NAME, name, 0, 0, 0);
			for (;;) {
				syscall(SYS_getpid);
				syscall(SYS_getppid);
				syscall(SYS_getuid);
				syscall(SYS_getgid);
				syscall(SYS_geteuid);
				syscall(SYS_getegid);
				syscall(SYS_gettid);
				syscall(SYS_sched_yield);
				syscall(SYS_nanosleep, &ts, NULL);
			}
		}
	}
	printf("{\"pid\":%d,\"procs\":%d}\n", (int)getpid(), n);
	fflush(stdout);
	for (;;)
		pause();
}
