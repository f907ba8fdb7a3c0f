#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "collect/pools_seed.h"
#include "pools.h"

int pool_seed_parse(const char *text, long *nr, unsigned long long args[6])
{
	char *end;

	*nr = strtol(text, &end, 10);
	if (end == text || *nr < 0)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *s = end;

		args[i] = strtoull(s, &end, 16);
		if (end == s)
			return -1;
	}
	return 0;
}

__u8 pool_seed_state(long nr, const unsigned long long args[6], bool *accept, bool *check_fds)
{
	*accept = *check_fds = false;
	if (nr == SYS_accept || nr == SYS_accept4) {
		*accept = true;
		return PST_IDLE;
	}
	if (nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == SYS_rt_sigtimedwait ||
	    nr == SYS_pause
#ifdef SYS_epoll_pwait2
	    || nr == SYS_epoll_pwait2
#endif
#ifdef SYS_futex_waitv
	    || nr == SYS_futex_waitv
#endif
	)
		return PST_IDLE;
	if (nr == SYS_futex) {
		unsigned op = (unsigned)args[1] & ~(128u | 256u);

		if (op == 0)	/* FUTEX_WAIT: 2 is the contended-mutex value */
			return (unsigned)args[2] == 2 ? PST_LOCK : PST_IDLE;
		if (op == 6 || op == 11 || op == 13)	/* LOCK_PI, WAIT_REQUEUE_PI, LOCK_PI2 */
			return PST_LOCK;
		return op == 9 ? PST_IDLE : PST_IO;	/* WAIT_BITSET: a condition wait */
	}
	if (nr == SYS_io_uring_enter)
		return args[3] & 1 ? PST_IDLE : PST_IO;	/* IORING_ENTER_GETEVENTS */
	if (nr == SYS_poll || nr == SYS_ppoll) {
		if (args[1] > 8)
			return PST_IDLE;
		*check_fds = args[1] > 0;
		return PST_IO;
	}
	/* select's sets are not looked at here: taken as the common case, a
	 * timed read, until the thread's next sleep is seen by the kernel */
	return PST_IO;
}

/* Whether socket inode ino of process tgid listens: state 0A in
 * /proc/net/tcp*, or ACCEPTCON in /proc/net/unix. */
static bool sock_listening(__u32 tgid, unsigned long ino)
{
	static const char *tabs[] = { "tcp", "tcp6", "unix" };

	for (int i = 0; i < 3; i++) {
		char path[64], line[512];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%u/net/%s", tgid, tabs[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *tok[12] = {}, *save = NULL, *s = line;
			int k = 0;

			for (; k < 12 && (tok[k] = strtok_r(s, " \t\n", &save)); k++)
				s = NULL;
			if (i < 2 && k >= 10 && strtoul(tok[9], NULL, 10) == ino) {
				fclose(f);
				return !strcmp(tok[3], "0A");
			}
			if (i == 2 && k >= 7 && strtoul(tok[6], NULL, 10) == ino) {
				fclose(f);
				return strtoul(tok[3], NULL, 16) & 0x10000;
			}
		}
		fclose(f);
	}
	return false;
}

/* Whether descriptor fd of process tgid is one a worker waits on for work:
 * an eventfd, timerfd, signalfd or epoll, or a listening socket. */
static bool fd_waits_for_work(__u32 tgid, long fd)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%ld", tgid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = 0;
	if (!strncmp(link, "anon_inode:[eventfd", 19) || !strncmp(link, "anon_inode:[timerfd", 19) ||
	    !strncmp(link, "anon_inode:[signalfd", 20) || !strncmp(link, "anon_inode:[eventpoll", 21))
		return true;
	if (!strncmp(link, "socket:[", 8))
		return sock_listening(tgid, strtoul(link + 8, NULL, 10));
	return false;
}

__u8 pool_seed_classify(__u32 tgid, const char *text, bool *accept)
{
	unsigned long long a[6];
	bool check_fds;
	long nr;
	__u8 st;

	*accept = false;
	if (pool_seed_parse(text, &nr, a))
		return PST_IO;
	st = pool_seed_state(nr, a, accept, &check_fds);
	if (check_fds) {
		/* the descriptors are in the traced process's memory: read them */
		struct { int fd; short ev, rev; } pf[8];
		char path[64];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/%u/mem", tgid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return st;
		n = pread(fd, pf, a[1] * sizeof(pf[0]), (off_t)a[0]);
		close(fd);
		for (int i = 0; n > 0 && i < (int)(n / (ssize_t)sizeof(pf[0])); i++)
			if (pf[i].fd >= 0 && fd_waits_for_work(tgid, pf[i].fd))
				return PST_IDLE;
	}
	return st;
}
