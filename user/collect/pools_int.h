/* The pools family's collector, inside: what its files share.
 *   pools.c          the lifecycle (setup, open, close) and one snapshot's
 *                    steps, in order
 *   pools_threads.c  what the frontend knows of each thread: the events of
 *                    the ring buffer, the kernel's thread table, the idle
 *                    count of each group of same-named threads (saturation),
 *                    the threads found asleep at start (seeded)
 *   pools_group.c    threads grouped into pools, and the pools' rows
 *   pools_blocked.c  blocked_on: the io time of a pool's workers per peer
 * The lock: p->lock is held by whoever touches the threads and groups (the
 * ring buffer's poller, a snapshot, the seeding at start). */
#ifndef LATSCOPE_COLLECT_POOLS_INT_H
#define LATSCOPE_COLLECT_POOLS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "collect/bpf_util.h"
#include "pools.h"

struct hashmap;
struct options;
struct ring_buffer;
struct snapshot;
struct snap_pool;

/* What the frontend knows of one thread. Every snapshot walks all of them
 * (10,000s on a big host): what each walk reads comes first, in the first
 * cache lines, and the run-queue histogram last. */
struct pthr {
	__u32 tid, tgid;
	bool in_kernel;		/* has had a kernel entry */
	bool seeded;		/* state read from /proc at start */
	__u8 seed_state;	/* enum pool_state */
	bool idle;		/* as of the last event */
	bool acceptor;		/* sticky role */
	bool gone;		/* exited: dropped after this interval */
	bool counted;		/* counted in og->idle (an idle worker) */
	bool active;
	__u32 slot;		/* its thread_table slot + 1, once seen there */
	unsigned stamp;		/* the snapshot (gen) its figures below are of */
	struct ogroup *og;	/* its group, as of the last event */
	/* this interval's figures, filled at collect (its run-queue waits go
	 * straight into its group's histogram) */
	__u64 d_ns[PST_NR];
	__u64 exist_a, exist_b;
	char comm[POOLS_COMM_LEN];
	__u64 prev_ns[PST_NR];	/* state times already reported */
	__u64 prev_runq;	/* run-queue waits already reported: sum of prev_hist */
	__u32 prev_hist[PH_NBUCKETS];
};

/* The key of a group of threads: the process and the normalized name. */
struct group_key {
	__u32 tgid;
	char name[POOLS_COMM_LEN];
};

/* A group of same-named threads followed event by event: how many of its
 * workers are idle, and since when none is. */
struct ogroup {
	__u32 tgid;
	char name[POOLS_COMM_LEN];
	int idle;
	unsigned refs;		/* threads pointing here */
	__u64 sat_since;	/* start of the current no-idle stretch */
	__u64 sat_ns;		/* no-idle time in this interval, closed */
	bool has_runq;		/* runq_hist has counts of this interval */
	struct group *grp;	/* its group in this snapshot's grouping, once found */
	__u64 runq_hist[PH_NBUCKETS];	/* its workers' run-queue waits, this interval */
};

/* This snapshot's group of the threads with one key: a pool when two or
 * more of them are workers. */
struct group {
	struct group_key key;
	struct pthr **m;	/* members with this key, workers and others */
	size_t n, cap;
};

struct pool_priv {
	struct pools_bpf *skel;
	struct ring_buffer *rb;
	int table_fd, slots_fd, free_fd;	/* thread_table, thread_slots, free_slots */
	size_t table_size;
	struct pthr **by_slot;		/* thread_table slot -> its thread, once seen */
	struct hashmap *thr;		/* tid -> struct pthr */
	struct hashmap *ogroups;	/* struct ogroup (tgid, name) -> itself */
	pthread_t poller;
	pthread_mutex_t lock;
	volatile bool stop;
	bool poller_on;
	struct hashmap *mains;		/* tgid -> struct mainc, with task_rename */
	unsigned gen;			/* snapshots taken */
	__u64 mains_lost;		/* drop_events when mains was last trusted */
	bool sys_exit_failed;
	/* pools_switch / pools_sys_exit run from the syscalls family's
	 * programs (collect/hooks.h) rather than attached on their own */
	bool switch_hooked, sys_exit_hooked;
	__u64 t0;			/* start of the current interval */
	__u64 drops_seen, events_seen;
	/* blocked_on (pools_blocked.c) */
	struct map_reader blocked;	/* (tid, peer) -> io ns, cumulative */
	struct hashmap *bacc;		/* struct pool_blocked_key -> struct bacc */
	struct hashmap *bthr;		/* tid -> struct bthr: this interval's */
	struct hashmap *bnames;		/* peer id -> name (peer_name_cached) */
	__u64 bdrops_seen;
};

/* pools.c */
/* The syscall exit hook that finds acceptors, attached once needed. */
void pools_attach_sys_exit(struct pool_priv *p);

/* pools_threads.c */
struct pthr *pthr_get(struct pool_priv *p, __u32 tid, __u32 tgid);
/* Makes t's contribution to its group's idle count match its state. */
void pthr_recount(struct pool_priv *p, struct pthr *t, __u64 ts);
/* The ring buffer's callback: one idle or role change (p->lock held). */
int pools_on_event(void *ctx, void *data, size_t size);
/* Every thread of the kernel's table: this interval's figures up to t1. */
int pools_threads_read(struct pool_priv *p, __u64 t1);
/* A thread's figures start over for the interval ending at t1, the first
 * time this snapshot touches it. */
void pools_thread_reset(struct pool_priv *p, struct pthr *t, __u64 t1);
/* The gone threads of tids[0..n) are forgotten; the groups' interval
 * figures start over at t1 and the groups no thread is in go. */
void pools_threads_forget(struct pool_priv *p, const __u32 *tids, size_t n, __u64 t1);
void pools_ogroups_roll(struct pool_priv *p, __u64 t1);
/* Threads asleep since before attach, from /proc (-p's processes, else
 * all); takes p->lock itself. */
void pools_seed_all(struct pool_priv *p, const struct options *o);

/* pools_group.c */
/* One walk over the threads: those the kernel's table did not have are
 * reset, the gone ones added to (*gone, *ngone), the active ones put in
 * groups (struct group_key -> struct group). 0, or -ENOMEM with the walk
 * cut short. */
int pools_group(struct pool_priv *p, struct hashmap *groups, __u64 t1, __u32 **gone,
		size_t *ngone);
/* The gone threads, found by a walk of their own. */
void pools_gone(struct pool_priv *p, __u32 **gone, size_t *ngone);
/* A row in s for each group that is a pool. */
int pools_rows(struct pool_priv *p, struct snapshot *s, struct hashmap *groups, __u64 t1);
void pools_group_free(void *v);
/* Forgets the main threads' names no pool used in this snapshot; all of
 * them when events were lost (a rename or an exit may be among them). */
void pools_mains_prune(struct pool_priv *p);

/* pools_blocked.c */
int pools_blocked_init(struct pool_priv *p);
void pools_blocked_free(struct pool_priv *p);
/* The closed sleeps, read before the thread entries. */
void pools_blocked_read(struct pool_priv *p);
/* An io sleep on a peer under way (thread entry v) counts up to t1. */
void pools_blocked_open(struct pool_priv *p, const struct pool_thread *v, __u64 t1);
/* This interval's io per (thread, peer), after the thread entries. */
void pools_blocked_deltas(struct pool_priv *p, __u64 t1);
/* The pool's blocked_on list from its workers' io. */
int pools_blocked_fill(struct pool_priv *p, struct snap_pool *row, const struct group *g);

#endif
