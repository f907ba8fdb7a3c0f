/* Shared between bpf/pools.bpf.c and user/collect/pools.c.
 *
 * The kernel keeps, per thread, the time it spent in each state (cumulative,
 * closed at every transition) and a run-queue wait histogram; the frontend
 * takes deltas and groups threads into pools. Idle-ness changes and role
 * changes also go through a ring buffer, in time order per thread, so the
 * frontend can compute saturation (no worker idle) exactly. */
#ifndef LATSCOPE_POOLS_H
#define LATSCOPE_POOLS_H

#define POOLS_MAX_PIDS 64	/* same as FILTER_MAX_PIDS */
#define POOLS_COMM_LEN 16

enum pool_state {
	PST_UNKNOWN = 0,	/* not seen since attach */
	PST_ONCPU,
	PST_RUNQ,
	PST_LOCK,
	PST_IO,
	PST_IDLE,
	PST_NR,
};

/* Run-queue waits: log-linear, 8 sub-buckets per power of two from 2^10 ns
 * (a bucket is at most 12.5% of its lower bound wide, the SPEC's bound);
 * waits under 1 us share 8 linear buckets of 128 ns. */
#define PH_SUB_BITS 3
#define PH_SUB (1 << PH_SUB_BITS)
#define PH_MIN_POW 10
#define PH_MAX_POW 36
#define PH_NBUCKETS ((PH_MAX_POW - PH_MIN_POW + 2) * PH_SUB)

#ifdef LATSCOPE_HIST_H	/* needs hist_log2: include hist.h first */
/* Bucket of a run-queue wait, always < PH_NBUCKETS. */
static inline __u32 ph_bucket(__u64 v)
{
	__u32 p, idx;

	if (v < (1ULL << PH_MIN_POW))
		return (__u32)(v >> (PH_MIN_POW - PH_SUB_BITS));
	p = hist_log2(v);
	if (p > PH_MAX_POW)
		return PH_NBUCKETS - 1;
	idx = ((p - PH_MIN_POW + 1) << PH_SUB_BITS) |
	      (__u32)((v >> (p - PH_SUB_BITS)) & (PH_SUB - 1));
	return idx < PH_NBUCKETS ? idx : PH_NBUCKETS - 1;
}
#endif

/* One thread: an element of the thread_table array (its slot), found by
 * tid through thread_slots. tid 0: a free slot. */
struct pool_thread {
	__u32 tid;
	__u32 pad;
	__u64 since;		/* start of the current state (ktime ns) */
	__u64 first_ns;		/* when the entry was made */
	__u64 ns[PST_NR];	/* closed time per state, cumulative */
	__u64 runq_count;
	__u32 tgid;
	__u8 state;		/* enum pool_state */
	__u8 exited;		/* sched_process_exit seen: remove once read */
	__u8 acceptor;		/* role as the kernel saw it last (events carry changes) */
	__u8 in_klock;		/* between lock:contention_begin and _end */
	char comm[POOLS_COMM_LEN];
	__u32 runq_hist[PH_NBUCKETS];
	/* blocked_on: the peer of the io sleep under way (0: none or not a
	 * peer), and the last descriptor resolved (struct file, its inode
	 * number, its peer id): a thread blocking on the same socket again
	 * costs a compare, not a resolution */
	__u64 io_peer;
	__u64 pc_file, pc_ino, pc_peer;
};

/* blocked_on: io time per (thread, peer), cumulative like ns[] (closed
 * sleeps only: the frontend adds the open one from io_peer and since).
 * The values of the peer ids are in the pools object's peer_names map
 * (id -> struct peer_desc, include/peers.h). */
struct pool_blocked_key {
	__u64 peer;
	__u32 tid;
	__u32 tgid;
};

enum pool_event_kind {
	PEV_IDLE_ENTER = 1,	/* went to sleep in a wait-for-work call */
	PEV_IDLE_LEAVE,		/* woken from such a wait */
	PEV_WAKE_UNKNOWN,	/* woken from a sleep begun before attach */
	PEV_EXIT,		/* thread exited */
	PEV_ACCEPTOR,		/* another thread did I/O on a socket it accepted */
	PEV_WORKER,		/* it did I/O on a socket it accepted itself */
	PEV_MAIN_NAME,		/* a main thread (tid == tgid) was renamed */
	PEV_MAIN_EXIT,		/* a main thread exited */
};

struct pool_event {
	__u64 ts;
	__u32 tid;
	__u32 tgid;
	__u32 kind;		/* enum pool_event_kind */
	__u32 nr;		/* syscall slept in (IDLE_ENTER) */
	char comm[POOLS_COMM_LEN];	/* the thread's name, which keys its pool */
};

/* Syscall sleep classes, for the table in the BPF object. */
enum pool_wait {
	PW_IO = 0,		/* default: busy, blocked */
	PW_IDLE,
	PW_LOCK,
	PW_FUTEX,		/* decided from the op and value */
	PW_POLL,		/* poll/ppoll: decided from the descriptors */
	PW_SELECT,		/* select/pselect6: same */
	PW_URING,		/* io_uring_enter: idle when waiting for completions */
};

#endif
