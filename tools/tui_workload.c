/* tui_workload: a process for the TUI's tests, with a name that tries to
 * drive the terminal and syscalls slow enough to be marked.
 *
 *   tui_workload [--name NAME] [--sleep-ms N]
 *
 * Names every thread NAME (default: ESC "[31mtuiwl" BEL "x", a colour
 * escape and a bell) with prctl(PR_SET_NAME); "\e" and "\a" in NAME are
 * turned into ESC and BEL. Prints {"pid":P,"blocker_tid":T} and then, until
 * killed: the main thread calls nanosleep(2) for N ms (default 200: a p99
 * above the UI's 100 ms threshold) over and over, and a second thread sits
 * in read(2) on a pipe that the main thread writes to every 3 s (an
 * in-flight call that starts again soon after a tracer attaches).
 * Syscalls go through syscall(2) so that libc cannot substitute others. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static volatile pid_t blocker_tid;

static void *blocker(void *arg)
{
	char c;

	blocker_tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		if (syscall(SYS_read, pipefd[0], &c, 1) < 0 && errno != EINTR)
			break;
	return NULL;
}

/* "\e" -> ESC, "\a" -> BEL, "\\" -> backslash. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'e' ? '\033' : *s == 'a' ? '\a' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

int main(int argc, char **argv)
{
	char name[64] = "\033[31mtuiwl\ax";
	long ms = 200;
	pthread_t th;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			snprintf(name, sizeof(name), "%s", argv[++i]);
			unescape(name);
		} else if (!strcmp(argv[i], "--sleep-ms") && i + 1 < argc) {
			ms = strtol(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: tui_workload [--name NAME] [--sleep-ms N]\n");
			return 2;
		}
	}
	if (ms <= 0 || pipe(pipefd)) {
		fprintf(stderr, "tui_workload: bad --sleep-ms or no pipe\n");
		return 1;
	}
	/* before the thread starts: it inherits the name */
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (pthread_create(&th, NULL, blocker, NULL)) {
		fprintf(stderr, "tui_workload: pthread_create failed\n");
		return 1;
	}
	while (!blocker_tid)
		usleep(1000);
	printf("{\"pid\":%d,\"blocker_tid\":%d}\n", (int)getpid(), (int)blocker_tid);
	fflush(stdout);
	for (unsigned long long slept = 0;; slept += (unsigned long long)ms) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		while (syscall(SYS_nanosleep, &ts, &ts) && errno == EINTR)
			;
		if (slept >= 3000) {
			slept = 0;
			if (syscall(SYS_write, pipefd[1], "x", 1) < 0)
				return 1;
		}
	}
}
