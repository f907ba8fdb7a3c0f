/* Each section's fields, described once. One X(type, name, merge) line per
 * field, in the order the JSON has them; from these lists come the row
 * structs (snapshot.h), the JSON writer and reader, the merger and the row
 * cleanup (fields.c drives them from the tables these lists make).
 *
 * Adding a field to a section is one line here plus its tests: the name is
 * the C member and the JSON key (docs/json.md says what it means).
 *
 * cgroup and service (every per-process row) are not filled by the
 * collectors but afterwards, from /proc/PID/cgroup (collect/cgroup_attr.c):
 * a process moved between cgroups in an interval is named by where it was
 * at the snapshot. Merged: the first row's.
 *
 * type: U16, U32, U64, F1 (a double written with 1 decimal), a string of
 *   S_COMM, S_NAME, S_ADDR, S_PEER, S_SYM, S_CGROUP, S_SVC, S_24, S_16, S_12
 *   bytes, HIST (a
 *   histogram, written when present), HIST_ALL (written always, [] when
 *   none), STACK (strings; also declares n<name>), VEC (rows of the section
 *   snap_sec_<name>), VEC_OPT (the same, written only when not empty).
 * merge (replay --summary, several files): KEY (identifies the row), FIRST
 *   (the first row's value), SUM, MAX, P50/P90/P99/P999 (the max of the
 *   inputs, then recomputed from the merged histogram when every input had
 *   one), MEAN (weighted by each snapshot's interval), HIST (summed),
 *   STACK (the first non-empty), ROWS (the sub-rows merged by their own
 *   KEY fields), CUSTOM (the sub-section's own add function).
 */
#ifndef LATSCOPE_SNAPSHOT_FIELDS_H
#define LATSCOPE_SNAPSHOT_FIELDS_H

#define SNAP_SYSCALL_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_NAME, syscall, KEY) \
	X(U32, nr, KEY) \
	X(U64, count, SUM) \
	X(U64, errors, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p50_ns, P50) \
	X(U64, p90_ns, P90) \
	X(U64, p99_ns, P99) \
	X(U64, p999_ns, P999) \
	X(U64, max_ns, MAX) \
	X(HIST_ALL, hist, HIST)

/* calls in flight at the end of the interval; merged: each thread's
 * longest */
#define SNAP_INFLIGHT_FIELDS(X) \
	X(U32, pid, KEY) \
	X(U32, tid, KEY) \
	X(S_COMM, comm, FIRST) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_NAME, syscall, FIRST) \
	X(U32, nr, KEY) \
	X(U64, elapsed_ns, LONGEST)

#define SNAP_TCP_RETRANS_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, saddr, KEY) \
	X(U16, sport, KEY) \
	X(S_ADDR, daddr, KEY) \
	X(U16, dport, KEY) \
	X(S_24, state, KEY) \
	X(U64, count, SUM)

#define SNAP_TCP_RESET_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, saddr, KEY) \
	X(U16, sport, KEY) \
	X(S_ADDR, daddr, KEY) \
	X(U16, dport, KEY) \
	X(S_12, direction, KEY)	/* "sent" | "received" */ \
	X(U64, count, SUM)

#define SNAP_TCP_CONNECT_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, daddr, KEY) \
	X(U16, dport, KEY) \
	X(U64, count, SUM) \
	X(U64, failed, SUM) \
	X(U64, p50_ns, P50) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX) \
	X(HIST, hist, HIST)

/* connect_p99_ns merged: from the merged connect histograms to the peer
 * (merge.c) */
#define SNAP_TCP_PEER_FIELDS(X) \
	X(S_ADDR, daddr, KEY) \
	X(U16, dport, KEY) \
	X(U64, retransmits, SUM) \
	X(U64, resets, SUM) \
	X(U64, connects, SUM) \
	X(U64, connect_failed, SUM) \
	X(U64, connect_p99_ns, MAX)

#define SNAP_KERNEL_LOCK_FIELDS(X) \
	X(S_24, lock, KEY)	/* "0xffff..." */ \
	X(S_SYM, symbol, KEY) \
	X(S_NAME, type, KEY) \
	X(U64, count, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX) \
	X(STACK, stack, STACK) \
	X(HIST, hist, HIST)

#define SNAP_USER_LOCK_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_24, uaddr, KEY) \
	X(S_16, kind, KEY)	/* mutex|rwlock|semaphore|condvar|futex */ \
	X(U64, count, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX) \
	X(STACK, stack, STACK) \
	X(S_12, unwind, FIRST)	/* how stack was taken: "fp" | "dwarf"; "": no stack */ \
	X(HIST, hist, HIST)

/* pools[].blocked_on: merged by pool_blocked_add (most io first, cut) */
#define SNAP_POOL_BLOCKED_FIELDS(X) \
	X(S_PEER, peer, KEY) \
	X(U64, io_ns, SUM)

/* pools[].others: threads of the process that are not workers */
#define SNAP_POOL_OTHER_FIELDS(X) \
	X(U32, tid, KEY) \
	X(S_12, role, FIRST)	/* "main" | "acceptor" */

/* pools[].thread_list: the drill-down; extra to the SPEC's fields */
#define SNAP_POOL_THREAD_FIELDS(X) \
	X(U32, tid, KEY) \
	X(S_COMM, comm, FIRST) \
	X(U64, oncpu_ns, SUM) \
	X(U64, runq_ns, SUM) \
	X(U64, lock_ns, SUM) \
	X(U64, io_ns, SUM) \
	X(U64, idle_ns, SUM)

#define SNAP_POOL_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_COMM, pool, KEY) \
	X(U32, threads, MAX) \
	X(F1, busy_pct, MEAN) \
	X(F1, saturated_pct, MEAN) \
	X(U64, oncpu_ns, SUM) \
	X(U64, runq_ns, SUM) \
	X(U64, lock_ns, SUM) \
	X(U64, io_ns, SUM) \
	X(U64, idle_ns, SUM) \
	X(U64, runq_p99_ns, MAX) \
	X(VEC, blocked_on, CUSTOM) \
	X(VEC, others, ROWS) \
	X(VEC_OPT, thread_list, ROWS)

#define SNAP_PEER_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_PEER, peer, KEY) \
	X(U64, calls, SUM) \
	X(U64, bytes_in, SUM) \
	X(U64, bytes_out, SUM) \
	X(U64, roundtrips, SUM) \
	X(U64, wait_ns, SUM) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX) \
	X(HIST, hist, HIST)

/* requests[].clients: per client address of the listener, by total
 * request time; p99 merged: the max of the inputs */
#define SNAP_REQUEST_CLIENT_FIELDS(X) \
	X(S_ADDR, client, KEY) \
	X(U64, requests, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX)

/* requests[].roundtrips: per downstream peer the listener's requests
 * called (those attributable to their thread), the requests that did, the
 * round trips they made (a receive after a send on one connection) in all,
 * and per request: p50, p99 and max (exact counts up to 126; merged: the
 * max of the inputs); io_ns, their time in calls on it */
#define SNAP_REQUEST_RT_FIELDS(X) \
	X(S_PEER, peer, KEY) \
	X(U64, requests, SUM) \
	X(U64, roundtrips, SUM) \
	X(U64, p50, MAX) \
	X(U64, p99, MAX) \
	X(U64, max, MAX) \
	X(U64, io_ns, SUM)

/* Per (process, listener): the requests that ended in the interval */
#define SNAP_REQUEST_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, laddr, KEY) \
	X(U16, port, KEY) \
	X(U64, requests, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p50_ns, P50) \
	X(U64, p90_ns, P90) \
	X(U64, p99_ns, P99) \
	X(U64, p999_ns, P999) \
	X(U64, max_ns, MAX) \
	X(U64, ttfb_total_ns, SUM) \
	X(U64, ttfb_max_ns, MAX) \
	X(U64, bytes_in, SUM) \
	X(U64, bytes_out, SUM) \
	X(U64, accepted, SUM) \
	X(U64, closed, SUM) \
	X(U32, inflight, MAX) \
	X(U64, not_attributable, SUM) \
	X(U64, why_requests, SUM) \
	X(U64, why_oncpu_ns, SUM) \
	X(U64, why_runq_ns, SUM) \
	X(U64, why_lock_ns, SUM) \
	X(U64, why_io_ns, SUM) \
	X(HIST, hist, HIST) \
	X(VEC, clients, ROWS) \
	X(VEC, roundtrips, ROWS)

/* Per (process, listener): its accept queue in the interval. waits counts
 * the accepted connections whose handshake latscope saw (those queued
 * before it started have no wait); total/p50/p99/max_ns are of those waits
 * (handshake done to accept's return) */
#define SNAP_LISTENER_FIELDS(X) \
	X(U32, pid, KEY) \
	X(S_COMM, comm, KEY) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, laddr, KEY) \
	X(U16, port, KEY) \
	X(U64, accepted, SUM) \
	X(U64, waits, SUM) \
	X(U64, total_ns, SUM) \
	X(U64, p50_ns, P50) \
	X(U64, p99_ns, P99) \
	X(U64, max_ns, MAX) \
	X(U32, queue_max, MAX) \
	X(U32, backlog, MAX) \
	X(U64, full, SUM) \
	X(HIST, hist, HIST)

/* requests open at the snapshot for at least 100 ms; merged: each
 * thread's longest */
#define SNAP_INFLIGHT_REQUEST_FIELDS(X) \
	X(U32, pid, KEY) \
	X(U32, tid, KEY) \
	X(S_COMM, comm, FIRST) \
	X(S_CGROUP, cgroup, FIRST) \
	X(S_SVC, service, FIRST) \
	X(S_ADDR, laddr, FIRST) \
	X(U16, port, KEY) \
	X(S_ADDR, client, KEY) \
	X(U64, elapsed_ns, LONGEST)

/* The snapshot's lists: S(group, json name, member, row struct, its fields,
 * the field that counts what a histogram counts). A group is the JSON
 * object the list sits in ("tcp", "locks"), top for the top level; none:
 * no histogram. In JSON order. */
#define SNAP_SECTIONS(S) \
	S(top, syscalls, syscalls, snap_syscall, SNAP_SYSCALL_FIELDS, count) \
	S(top, inflight, inflight, snap_inflight, SNAP_INFLIGHT_FIELDS, none) \
	S(tcp, retransmits, tcp_retrans, snap_tcp_retrans, SNAP_TCP_RETRANS_FIELDS, none) \
	S(tcp, resets, tcp_resets, snap_tcp_reset, SNAP_TCP_RESET_FIELDS, none) \
	S(tcp, connect, tcp_connect, snap_tcp_connect, SNAP_TCP_CONNECT_FIELDS, count) \
	S(tcp, by_peer, tcp_peers, snap_tcp_peer, SNAP_TCP_PEER_FIELDS, none) \
	S(locks, kernel, kernel_locks, snap_kernel_lock, SNAP_KERNEL_LOCK_FIELDS, count) \
	S(locks, user, user_locks, snap_user_lock, SNAP_USER_LOCK_FIELDS, count) \
	S(top, pools, pools, snap_pool, SNAP_POOL_FIELDS, none) \
	S(top, peers, peers, snap_peer, SNAP_PEER_FIELDS, calls) \
	S(top, requests, requests, snap_request, SNAP_REQUEST_FIELDS, requests) \
	S(top, inflight_requests, inflight_requests, snap_inflight_request, \
	  SNAP_INFLIGHT_REQUEST_FIELDS, none) \
	S(top, listeners, listeners, snap_listener, SNAP_LISTENER_FIELDS, waits)

/* Sub-lists of a row (VEC fields): the same, without a group. */
#define SNAP_SUBSECTIONS(S) \
	S(blocked_on, snap_pool_blocked, SNAP_POOL_BLOCKED_FIELDS) \
	S(others, snap_pool_other, SNAP_POOL_OTHER_FIELDS) \
	S(thread_list, snap_pool_thread, SNAP_POOL_THREAD_FIELDS) \
	S(clients, snap_request_client, SNAP_REQUEST_CLIENT_FIELDS) \
	S(roundtrips, snap_request_rt, SNAP_REQUEST_RT_FIELDS)

/* "truncated" (rows cut by --top, per family) and "dropped" (events the
 * kernel side could not record), summed when merged */
#define SNAP_TRUNCATED_FIELDS(X) X(syscalls) X(tcp) X(locks) X(pools) X(peers) X(requests)
/* "listen": the host's (latscope's network namespace's) listen queue
 * overflows and drops in the interval, /proc/net/netstat's ListenOverflows
 * and ListenDrops deltas, while the requests view is on; summed when
 * merged */
#define SNAP_LISTEN_FIELDS(X) X(overflows) X(drops)
#define SNAP_DROPPED_FIELDS(X) \
	X(events) X(map_full) \
	X(peers_unresolved)	/* fds of I/O calls that could not be read \
				 * through to a peer (not guessed) */

/* The C declaration of each type */
#define SNAP_DECL_U16(n) __u16 n;
#define SNAP_DECL_U32(n) __u32 n;
#define SNAP_DECL_U64(n) __u64 n;
#define SNAP_DECL_F1(n) double n;
#define SNAP_DECL_S_COMM(n) char n[SNAP_COMM_LEN];
#define SNAP_DECL_S_NAME(n) char n[SNAP_NAME_LEN];
#define SNAP_DECL_S_ADDR(n) char n[SNAP_ADDR_LEN];
#define SNAP_DECL_S_PEER(n) char n[SNAP_PEER_LEN];
#define SNAP_DECL_S_SYM(n) char n[SNAP_SYM_LEN];
#define SNAP_DECL_S_CGROUP(n) char n[SNAP_CGROUP_LEN];
#define SNAP_DECL_S_SVC(n) char n[SNAP_SERVICE_LEN];
#define SNAP_DECL_S_24(n) char n[24];
#define SNAP_DECL_S_16(n) char n[16];
#define SNAP_DECL_S_12(n) char n[12];
#define SNAP_DECL_HIST(n) __u64 *n;	/* HIST_NBUCKETS counts, owned, may be NULL */
#define SNAP_DECL_HIST_ALL(n) __u64 *n;
#define SNAP_DECL_STACK(f) char **f; size_t n##f;	/* n<name> strings, owned */
#define SNAP_DECL_VEC(n) struct vec n;
#define SNAP_DECL_VEC_OPT(n) struct vec n;
#define SNAP_DECL_FIELD(type, name, merge) SNAP_DECL_##type(name)

/* The lists as data (fields.c), for the code that walks every field. */
enum snap_ftype { SFT_U16, SFT_U32, SFT_U64, SFT_F1, SFT_STR, SFT_HIST, SFT_HIST_ALL,
		  SFT_STACK, SFT_VEC, SFT_VEC_OPT };
enum snap_fmerge { SFM_KEY, SFM_FIRST, SFM_SUM, SFM_MAX, SFM_LONGEST, SFM_P50, SFM_P90,
		   SFM_P99, SFM_P999, SFM_MEAN, SFM_HIST, SFM_STACK, SFM_ROWS, SFM_CUSTOM };

struct vec;
struct snap_section;

struct snap_field {
	const char *name;		/* C member and JSON key */
	enum snap_ftype type;
	enum snap_fmerge merge;
	size_t off, size;		/* in the row */
	size_t n_off;			/* STACK: the count's offset */
	const struct snap_section *sub;	/* VEC: the sub-rows' section */
};

struct snap_section {
	const char *group;		/* JSON object it sits in, NULL: top level */
	const char *name;		/* JSON key */
	size_t vec_off;			/* of its struct vec in struct snapshot */
	size_t elem;			/* sizeof a row */
	const struct snap_field *fields;
	size_t nfields;
	const char *weight;		/* merging a histogram: the field of the
					 * calls it counts, NULL: none */
	/* CUSTOM sub-lists: how a row is merged in, and the list finished */
	int (*merge_add)(struct vec *dst, const void *row);
	void (*merge_finish)(struct vec *v);
};

extern const struct snap_section snap_sections[];
extern const size_t snap_nsections;

/* the section whose JSON name is name, NULL if none */
const struct snap_section *snap_section_named(const char *name);
/* the field of sec named name, NULL if none */
const struct snap_field *snap_field_find(const struct snap_section *sec, const char *name);
/* the row's field f, as an integer (U16, U32, U64) */
__u64 snap_field_u64(const struct snap_field *f, const void *row);
void snap_field_set_u64(const struct snap_field *f, void *row, __u64 v);
#define snap_section_vec(s, sec) ((struct vec *)((char *)(s) + (sec)->vec_off))
#define SNAP_FIELD_PTR(f, row) ((void *)((char *)(row) + (f)->off))
/* Releases what a row owns (histograms, stacks, sub-rows). */
void snap_row_release(const struct snap_section *sec, void *row);
/* Sets up the sub-lists of a zeroed row (their element sizes). */
void snap_row_init(const struct snap_section *sec, void *row);

#endif
