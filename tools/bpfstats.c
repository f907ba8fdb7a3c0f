/* bpfstats: runs a command with the kernel's run-time statistics of BPF
 * programs on (run_cnt and run_time_ns, what bpftool prog show prints) for
 * as long as it runs, through BPF_ENABLE_STATS: unlike the sysctl
 * kernel.bpf_stats_enabled, nothing global is changed that another user
 * of the statistics relies on; they go off when the last holder exits.
 *
 *   bpfstats CMD [ARGS...]
 *
 * SIGTERM and SIGINT are passed on to CMD. Exit status: CMD's; 1 when the
 * statistics cannot be turned on. */
#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	int fd, status;

	if (argc < 2) {
		fprintf(stderr, "usage: bpfstats CMD [ARGS...]\n");
		return 2;
	}
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		fprintf(stderr, "bpfstats: BPF_ENABLE_STATS: %s\n", strerror(-fd));
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("bpfstats: fork");
		return 1;
	}
	if (child == 0) {
		close(fd);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "bpfstats: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	signal(SIGTERM, pass_on);
	signal(SIGINT, pass_on);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
