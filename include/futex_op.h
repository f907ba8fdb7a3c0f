/* Futex operations (include/uapi/linux/futex.h): stable ABI values, kept
 * here so that the BPF side and the frontend need no kernel headers. */
#ifndef LATSCOPE_FUTEX_OP_H
#define LATSCOPE_FUTEX_OP_H

#define LS_FUTEX_WAIT			0
#define LS_FUTEX_WAKE			1
#define LS_FUTEX_LOCK_PI		6
#define LS_FUTEX_UNLOCK_PI		7
#define LS_FUTEX_WAIT_BITSET		9
#define LS_FUTEX_WAIT_REQUEUE_PI	11
#define LS_FUTEX_LOCK_PI2		13
#define LS_FUTEX_PRIVATE_FLAG		128
#define LS_FUTEX_CLOCK_REALTIME		256
#define LS_FUTEX_CMD(op)	((op) & ~(LS_FUTEX_PRIVATE_FLAG | LS_FUTEX_CLOCK_REALTIME))

/* The ops in which a thread waits. */
static inline int ls_futex_is_wait(unsigned int op)
{
	unsigned int cmd = LS_FUTEX_CMD(op);

	return cmd == LS_FUTEX_WAIT || cmd == LS_FUTEX_WAIT_BITSET ||
	       cmd == LS_FUTEX_LOCK_PI || cmd == LS_FUTEX_LOCK_PI2 ||
	       cmd == LS_FUTEX_WAIT_REQUEUE_PI;
}

#endif
