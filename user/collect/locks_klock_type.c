#include <string.h>
#include "collect/locks_klock_type.h"

/* The flag bits of include/trace/events/lock.h. */
#define F_SPIN   (1U << 0)
#define F_READ   (1U << 1)
#define F_WRITE  (1U << 2)
#define F_RT     (1U << 3)
#define F_PERCPU (1U << 4)
#define F_MUTEX  (1U << 5)

const char *klock_type_name(unsigned int flags)
{
	switch (flags & (F_SPIN | F_READ | F_WRITE | F_RT | F_PERCPU | F_MUTEX)) {
	case F_SPIN:			return "spinlock";
	case F_SPIN | F_READ:		return "rwlock-read";
	case F_SPIN | F_WRITE:		return "rwlock-write";
	case F_READ:			return "rwsem-read";
	case F_WRITE:			return "rwsem-write";
	case F_RT:			return "rt-mutex";
	case F_RT | F_READ:		return "rwlock-rt-read";
	case F_RT | F_WRITE:		return "rwlock-rt-write";
	case F_PERCPU | F_READ:		return "percpu-rwsem-read";
	case F_PERCPU | F_WRITE:	return "percpu-rwsem-write";
	case F_MUTEX:			return "mutex";
	case F_MUTEX | F_SPIN:		return "mutex-spin";
	case 0:				return "rwsem";	/* rwsem writer without R/W bit on old kernels */
	default:			return "other";
	}
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

bool klock_frame_is_tracing(const char *name)
{
	static const char *const pre[] = {
		"bpf_", "__bpf_", "___bpf_", "__traceiter_", "trace_contention", "bpf_trace_run",
		"perf_trace_", "__trace_", NULL,
	};

	for (int i = 0; pre[i]; i++)
		if (has_prefix(name, pre[i]))
			return true;
	return false;
}

bool klock_frame_is_locking(const char *name)
{
	/* Substrings of the kernel's lock implementation functions:
	 * queued_spin_lock_slowpath, _raw_spin_lock_irqsave, __mutex_lock,
	 * mutex_lock_killable, rwsem_down_write_slowpath, down_read, up_write,
	 * percpu_down_write, rt_mutex_slowlock, osq_lock, ... */
	static const char *const sub[] = {
		"spin_lock", "spin_trylock", "read_lock", "write_lock", "_raw_",
		"queued_", "native_queued", "pv_queued", "mutex_lock", "__mutex",
		"mutex_optimistic", "rwsem", "down_read", "down_write", "percpu_down",
		"__percpu_", "rt_mutex", "rt_spin", "osq_", "lock_acquire", "__lock_",
		"_raw_read", "_raw_write", "rwbase_", "ww_mutex", "rq_lock", "lockref_",
		"contention_", NULL,
	};

	if (klock_frame_is_tracing(name))
		return true;
	for (int i = 0; sub[i]; i++)
		if (strstr(name, sub[i]))
			return true;
	/* plain down(), the semaphore */
	return has_prefix(name, "down+") || !strcmp(name, "down") ||
	       has_prefix(name, "__down");
}
