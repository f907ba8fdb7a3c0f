/* Shared between bpf/locks.bpf.c and user/collect/locks.c. */
#ifndef LATSCOPE_LOCKS_H
#define LATSCOPE_LOCKS_H

#define LOCKS_MAX_PIDS 64	/* -p list, checked in rodata first */
#define LOCKS_COMM_LEN 16
#define LOCKS_STACK_DEPTH 32	/* frames kept per stack */
/* --ustack-bytes: the most of the user stack copied for unwinding with the
 * binaries' unwind tables (DWARF CFI) in the frontend; the default */
#define LOCKS_USTACK_MAX 16384
#define LOCKS_USTACK_DEFAULT 8192

/* lock:contention_begin flags (include/trace/events/lock.h) */
#define LCB_F_SPIN	(1U << 0)
#define LCB_F_READ	(1U << 1)
#define LCB_F_WRITE	(1U << 2)
#define LCB_F_RT	(1U << 3)
#define LCB_F_PERCPU	(1U << 4)
#define LCB_F_MUTEX	(1U << 5)

/* A kernel lock wait, keyed by lock, type and the waiter's stack. */
struct klock_key {
	__u64 lock;		/* address of the lock object */
	__u64 stack;		/* kernel stack (its hash, the key of kstacks); 0: none */
	__u32 flags;		/* LCB_F_* of the wait (the sleeping kind when it spun first) */
	__u32 pad;
};

/* A stack as stored: return addresses, innermost first, 0-padded. Keyed by
 * a 64-bit hash of itself, so that two stacks never share a slot (a stack
 * trace map's buckets do, and then one of them is lost). */
struct lock_stack {
	__u64 ips[LOCKS_STACK_DEPTH];
};

/* Cumulative since the entry was made; the frontend takes deltas. The
 * interval maximum is kept per epoch, as for syscalls. */
struct lock_stats {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns[2];
	__u32 max_epoch[2];
	char comm[LOCKS_COMM_LEN];	/* process (group leader) that made the entry */
	__u32 hist[HIST_NBUCKETS];
};

/* A user-space wait: a futex wait syscall, or (--uprobe-locks) one
 * contended pthread_mutex_lock call. */
struct ulock_key {
	__u64 uaddr;		/* futex word / pthread_mutex_t address */
	__u64 pstart;		/* process start (boottime ns): tells reused pids apart */
	__u64 stack;		/* user stack (key of ustacks); 0: none */
	__u32 tgid;
	__u32 op;		/* futex op (raw, with its flags) */
	__u32 flags;		/* ULOCK_F_* */
	__u32 pad;
};
#define ULOCK_F_VAL2	1	/* FUTEX_WAIT expected 2: glibc's contended-lock value */
#define ULOCK_F_UPROBE	2	/* measured by the pthread_mutex_lock uprobes */

/* Per-thread scratch in task storage. */
struct lock_thread {
	__u64 klock;		/* lock of the pending sleeping kernel wait, 0: none */
	__u64 kstart;
	__u32 kflags;
	__u32 pad;
	__u64 kstack;		/* its stack, taken when it began */
	__u64 pstart;		/* process start time, learnt once per thread */
	__u32 fop;		/* futex op of the pending wait */
	__u64 fstart;		/* 0: not in a futex wait */
	__u64 fuaddr;
	__u32 fval;
	__u32 ucontended;	/* a futex wait happened inside pthread_mutex_lock */
	__u64 ustart;		/* pthread_mutex_lock entry, 0: not inside */
	__u64 umutex;
	__u64 ustack_end;	/* top of the mapping of the thread's user stack, 0: not known */
};

/* Pending spinning kernel wait of one CPU (spinners do not sleep). */
struct lock_cpu {
	__u64 lock;
	__u64 start;
	__u64 stack;
	__u32 flags;
	__u32 pad;
};

/* Sent once per process that waits in user space, so the frontend reads
 * its memory map while the process is still alive. */
struct lock_proc_event {
	__u64 pstart;		/* tells a reused pid apart */
	__u32 tgid;
	__u32 pad;
};

/* Sent once per new (process, frame-pointer stack): the registers and the
 * top of the user stack at that wait, for the frontend to unwind by the
 * binaries' CFI (the frame-pointer walk loses the callers of code built
 * without frame pointers). */
struct lock_ustack_sample {
	__u64 stack;		/* the frame-pointer stack's key in ustacks */
	__u64 pstart;
	__u32 tgid;
	__u32 size;		/* bytes of data, copied from sp up */
	__u64 ip, sp, bp;	/* the user registers where the task entered the kernel */
	__u8 data[LOCKS_USTACK_MAX];
};

#endif
