/* The snapshot: what every source (live collectors, the replay reader)
 * produces and every sink (TUI, JSON, Prometheus) consumes. Plain data, no
 * I/O, no BPF. One snapshot describes the window [ts_ns - interval_ns, ts_ns].
 * Field meanings are those of shared/SPEC.md (schema latscope/1).
 */
#ifndef LATSCOPE_SNAPSHOT_H
#define LATSCOPE_SNAPSHOT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define SNAP_COMM_LEN 64	/* 15 kernel bytes; room for replayed escapes */
#define SNAP_NAME_LEN 64	/* syscall, lock type, state names */
#define SNAP_ADDR_LEN 48	/* an IPv6 address in text */
#define SNAP_PEER_LEN 128	/* "tcp:[v6]:port", "unix:PATH", "file:NAME" */
#define SNAP_SYM_LEN 128

enum family { FAM_SYSCALLS, FAM_TCP, FAM_LOCKS, FAM_POOLS, FAM_NR };
extern const char *const family_names[FAM_NR];

/* A growable array of rows of one type. */
struct vec {
	void *data;
	size_t len, cap, elem;
};

struct snap_syscall {
	__u32 pid;
	__u32 nr;
	char comm[SNAP_COMM_LEN];
	char syscall[SNAP_NAME_LEN];
	__u64 count, errors, total_ns;
	__u64 p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
	__u64 *hist;		/* HIST_NBUCKETS counts, owned */
};

struct snap_inflight {
	__u32 pid, tid, nr;
	char comm[SNAP_COMM_LEN];
	char syscall[SNAP_NAME_LEN];
	__u64 elapsed_ns;
};

struct snap_tcp_retrans {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char saddr[SNAP_ADDR_LEN], daddr[SNAP_ADDR_LEN];
	__u16 sport, dport;
	char state[24];
	__u64 count;
};

struct snap_tcp_reset {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char saddr[SNAP_ADDR_LEN], daddr[SNAP_ADDR_LEN];
	__u16 sport, dport;
	char direction[12];	/* "sent" | "received" */
	__u64 count;
};

struct snap_tcp_connect {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char daddr[SNAP_ADDR_LEN];
	__u16 dport;
	__u64 count, failed;
	__u64 p50_ns, p99_ns, max_ns;
	__u64 *hist;		/* HIST_NBUCKETS, owned, may be NULL */
};

struct snap_tcp_peer {
	char daddr[SNAP_ADDR_LEN];
	__u16 dport;
	__u64 retransmits, resets, connects, connect_failed, connect_p99_ns;
};

struct snap_kernel_lock {
	char lock[24];		/* "0xffff..." */
	char symbol[SNAP_SYM_LEN];
	char type[SNAP_NAME_LEN];
	__u64 count, total_ns, p99_ns, max_ns;
	__u64 *hist;		/* may be NULL */
	char **stack;		/* nstack strings, owned */
	size_t nstack;
};

struct snap_user_lock {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char uaddr[24];
	char kind[16];		/* mutex|rwlock|semaphore|condvar|futex */
	__u64 count, total_ns, p99_ns, max_ns;
	__u64 *hist;
	char **stack;
	size_t nstack;
};

struct snap_pool_blocked {
	char peer[SNAP_PEER_LEN];
	__u64 io_ns;
};

struct snap_pool_other {
	__u32 tid;
	char role[12];		/* "main" | "acceptor" */
};

struct snap_pool_thread {	/* drill-down; extra to the SPEC's fields */
	__u32 tid;
	char comm[SNAP_COMM_LEN];
	__u64 oncpu_ns, runq_ns, lock_ns, io_ns, idle_ns;
};

struct snap_pool {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char pool[SNAP_COMM_LEN];
	__u32 threads;
	double busy_pct, saturated_pct;
	__u64 oncpu_ns, runq_ns, lock_ns, io_ns, idle_ns, runq_p99_ns;
	struct vec blocked_on;	/* struct snap_pool_blocked */
	struct vec others;	/* struct snap_pool_other */
	struct vec thread_rows;	/* struct snap_pool_thread */
};

struct snap_peer {
	__u32 pid;
	char comm[SNAP_COMM_LEN];
	char peer[SNAP_PEER_LEN];
	__u64 calls, bytes_in, bytes_out, roundtrips, wait_ns, p99_ns, max_ns;
	__u64 *hist;
};

struct snapshot {
	char host[256];
	char kernel[128];
	__u64 ts_ns;		/* CLOCK_REALTIME at the end of the interval */
	__u64 interval_ns;	/* measured length of the interval */
	char probes[FAM_NR][160];	/* "on", "off", "unavailable: why" */

	struct vec syscalls;	/* struct snap_syscall */
	struct vec inflight;	/* struct snap_inflight */
	struct vec tcp_retrans, tcp_resets, tcp_connect, tcp_peers;
	struct vec kernel_locks, user_locks;
	struct vec pools;
	struct vec peers;

	struct {
		__u64 syscalls, tcp, locks, pools, peers;
	} truncated;
	struct {
		__u64 events, map_full;
		__u64 peers_unresolved;	/* fds of I/O calls that could not be
					 * read through to a peer (not guessed) */
	} dropped;
	int holds;		/* extra owners (snapshot_hold); 0: one owner; atomic */
};

/* snapshot.c */
void vec_init(struct vec *v, size_t elem);
void *vec_push(struct vec *v);	/* a zeroed new row, NULL on ENOMEM */
void vec_free(struct vec *v);
#define vec_at(v, type, i) (&((type *)(v)->data)[i])

struct snapshot *snapshot_new(void);
/* Drops one owner; the last one frees. Thread-safe with snapshot_hold. */
void snapshot_free(struct snapshot *s);
/* One more owner: a sink that keeps a snapshot past its write (the TUI
 * redraws from it until the next one) holds it instead of copying it. */
struct snapshot *snapshot_hold(const struct snapshot *s);
/* Sort every list by its main cost and cut each to top rows; the rows cut
 * are added to s->truncated (a collector may have left some out already). */
void snapshot_sort_truncate(struct snapshot *s, size_t top);
/* Copy a possibly hostile kernel string (not NUL-terminated past n). */
void snap_strcpy(char *dst, size_t dstsz, const char *src, size_t n);

#endif
