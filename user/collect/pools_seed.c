#include <stdlib.h>
#include <sys/syscall.h>
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
