/* Shared between bpf/syscalls.bpf.c and user/collect_syscalls.c. */
#ifndef LATSCOPE_SYSCALLS_H
#define LATSCOPE_SYSCALLS_H

#define SYSCALLS_MAX_NR 1024	/* syscall numbers at or above are ignored */
#define FILTER_MAX_PIDS 64	/* -p list, checked in rodata before any map */
#define TASK_COMM_LEN 16

/* Per-thread scratch, kept in task storage (also read by other families). */
struct thread_state {
	__u64 start_ns;		/* entry time of the current syscall, 0 when outside */
	__u64 pstart;		/* process start (boottime ns): tells reused pids apart */
	__u32 nr;		/* current syscall number */
	__u32 flags;		/* THREAD_* */
};
#define THREAD_INFLIGHT 1	/* listed in the inflight map */

struct syscall_key {
	__u32 tgid;
	__u32 nr;
	__u64 pstart;
};

/* Cumulative since the entry was made; the frontend takes deltas. The
 * interval maximum is kept per epoch (the frontend bumps the epoch each
 * snapshot) because a maximum cannot be differenced. Histogram counts are
 * 32-bit and differenced modulo 2^32. There is no count: the interval's
 * count is the sum of its histogram, one atomic less per syscall. */
struct syscall_stats {
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns[2];
	__u32 max_epoch[2];
	char comm[TASK_COMM_LEN];	/* the process's (group leader's) name */
	__u32 hist[HIST_NBUCKETS];
};

/* A syscall that slept: written at the first context switch inside it,
 * removed when it returns. */
struct inflight_val {
	__u64 start_ns;
	__u32 tgid;
	__u32 nr;
	char comm[TASK_COMM_LEN];
};

#endif
