/* Shared between bpf/syscalls.bpf.c and user/collect/syscalls.c. */
#ifndef LATSCOPE_SYSCALLS_H
#define LATSCOPE_SYSCALLS_H

#define SYSCALLS_MAX_NR 1024	/* syscall numbers at or above are ignored */
#define FILTER_MAX_PIDS 64	/* -p list, checked in rodata before any map */
#define TASK_COMM_LEN 16

#define CPU_CALL_CACHE 16	/* per-CPU cache slots of stats elements (a power of 2) */

/* The syscall a CPU's current thread is in (per-CPU array), and the stats
 * elements this CPU used last, by syscall number modulo CPU_CALL_CACHE. */
struct cpu_call {
	__u64 start_ns;		/* entry time; 0: none */
	__u32 tid;
	__u32 nr;
	__u32 cache[CPU_CALL_CACHE];	/* syscall_table index + 1; 0: none */
	__u64 close_file;	/* a close(2) of a socket: its struct file (the
				 * requests view; set only at close's entry) */
};

/* A thread switched out inside a syscall, kept in task storage. */
struct thread_state {
	__u64 start_ns;		/* entry time of the current syscall, 0 when outside */
	__u32 nr;		/* current syscall number */
	__u32 slot;		/* its inflight_table slot + 1 (0: none yet) */
	__u64 close_file;	/* cpu_call's, for a close switched out */
};

/* nr carries the epoch's parity in its top bit: each interval's calls go to
 * their own elements (syscall_table, one half per parity), which the
 * frontend reads after the epoch moved on. So an element is one interval's
 * figures (no deltas, no copies of earlier values in the frontend) and the
 * table holds only what is active. */
struct syscall_key {
	__u32 tgid;
	__u32 nr;		/* syscall number | SYSCALL_KEY_SLOT for odd epochs */
	__u64 pstart;
};
#define SYSCALL_KEY_SLOT 0x80000000u

/* One interval of one (process, syscall): an element of syscall_table. There is no count: it is the sum
 * of the histogram, one atomic less per syscall. max_ns is updated without
 * a lock: a larger value racing on another CPU may be lost (the frontend
 * never reports a max below the histogram's top bucket). */
struct syscall_stats {
	struct syscall_key key;	/* key.tgid 0: an element not in use */
	__u32 epoch;		/* the epoch it is of, + 1 */
	__u32 pad;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
	char comm[TASK_COMM_LEN];	/* the process's (group leader's) name */
	__u32 hist[HIST_NBUCKETS];
};

/* A thread's slot of inflight_table: the syscall it slept in, written at
 * the first context switch inside it; start_ns goes back to 0 when the call
 * returns, tid when the thread exits (the slot is then free). */
struct inflight_val {
	__u64 start_ns;		/* 0: not in a call that slept */
	__u32 tgid;
	__u32 tid;
	__u32 nr;
	__u32 pad;
	char comm[TASK_COMM_LEN];
};

#endif
