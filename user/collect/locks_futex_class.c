#include <string.h>
#include "collect/locks_futex_class.h"
#include "futex_op.h"

const char *futex_kind_by_op(unsigned int op, bool val2)
{
	switch (LS_FUTEX_CMD(op)) {
	case LS_FUTEX_LOCK_PI:
	case LS_FUTEX_LOCK_PI2:
	case LS_FUTEX_WAIT_REQUEUE_PI:
		return "mutex";
	case LS_FUTEX_WAIT_BITSET:
		return "condvar";
	case LS_FUTEX_WAIT:
		return val2 ? "mutex" : "futex";
	default:
		return "futex";
	}
}

/* Does the frame's function name (before "+0x") start with p? Leading
 * underscores are ignored: glibc's internal names (__pthread_mutex_lock,
 * __new_sem_wait_slow64, __pthread_cond_wait_common) say the same. */
static bool fn_prefix(const char *frame, const char *p)
{
	while (*frame == '_')
		frame++;
	return !strncmp(frame, p, strlen(p));
}

const char *futex_kind_by_symbol(const char *f)
{
	if (fn_prefix(f, "pthread_mutex_") && strstr(f, "lock") &&
	    !fn_prefix(f, "pthread_mutex_unlock"))
		return "mutex";
	if (fn_prefix(f, "lll_lock_wait") || fn_prefix(f, "pthread_mutex_cond_lock"))
		return "mutex";
	if (fn_prefix(f, "pthread_rwlock_"))
		return "rwlock";
	if (fn_prefix(f, "sem_") && strstr(f, "wait"))
		return "semaphore";
	if (fn_prefix(f, "new_sem_wait") || fn_prefix(f, "old_sem_wait"))
		return "semaphore";
	if (fn_prefix(f, "pthread_cond_") && strstr(f, "wait"))
		return "condvar";
	return NULL;
}

const char *futex_kind(unsigned int op, bool val2, char *const *stack, char *const *callees,
		       size_t nstack)
{
	for (size_t i = 0; i < nstack; i++) {
		/* the function frame i called comes between frames i-1 and i */
		const char *k = callees && callees[i] ? futex_kind_by_symbol(callees[i]) : NULL;

		if (k || (k = futex_kind_by_symbol(stack[i])))
			return k;
	}
	return futex_kind_by_op(op, val2);
}
