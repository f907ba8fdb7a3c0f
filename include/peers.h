/* Shared between bpf/peers.bpf.c and user/collect_peers.c: who a thread's
 * fd-based I/O syscalls talk to (SPEC "peers").
 *
 * The peers programs run with the syscalls family (its own raw_tp
 * sys_enter/sys_exit pair, own skeleton): they load only with --peers.
 *
 * For other families (pools' blocked_on): the peer a thread is blocked on.
 *   - peer_threads (BPF_MAP_TYPE_TASK_STORAGE, value struct peer_thread):
 *     cur_peer is the peer id of the fd syscall the thread is in now: set at
 *     sys_enter once the fd is resolved, 0 when the thread is outside such a
 *     call (cleared at sys_exit) or the fd is not a peer (tty, eventfd...).
 *   - peer_names (LRU hash, peer id -> struct peer_desc): what an id names.
 *     The frontend turns a desc into the SPEC's text with peer_format()
 *     (user/peer_name.h).
 * To use them from another skeleton, declare maps of the same type, key and
 * value in that .bpf.c (no pinning needed) and, after this skeleton is
 * loaded and before the other one is, point them at these maps:
 *     bpf_map__reuse_fd(other->maps.peer_threads,
 *                       peers_map_fd(p, PEERS_MAP_THREADS));
 *     bpf_map__reuse_fd(other->maps.peer_names,
 *                       peers_map_fd(p, PEERS_MAP_NAMES));
 * (peers_current() and peers_map_fd() in user/collect_peers.h; the syscalls
 * collector opens peers, and collectors open in collector_table order, so
 * it is there when pools opens, or NULL when syscalls or peers is off: then
 * blocked_on stays empty.) Then in, e.g., sched_switch:
 *     pt = bpf_task_storage_get(&peer_threads, prev, 0, 0);
 *     id = pt ? pt->cur_peer : 0;
 * Read cur_peer only; never create entries (flags 0), never write. The
 * frontend names an id with peers_name(peers_current(), id). cur_peer is set
 * for read/write-like calls, poll/ppoll on one fd and connect (named from
 * the address asked for); not for accept (idle) or fds that are no peer.
 */
#ifndef LATSCOPE_PEERS_H
#define LATSCOPE_PEERS_H

#define PEER_NAME_LEN 108	/* sun_path; file basenames are cut there */
#define PEER_CACHE_SLOTS 8	/* per-thread fd -> peer cache, direct-mapped */

enum peer_kind {
	PEER_NONE = 0,
	PEER_TCP,		/* addr/port: the remote end */
	PEER_UDP,
	PEER_UNIX_PATH,		/* name: path (name_len bytes) */
	PEER_UNIX_ABSTRACT,	/* name: the abstract name without its NUL */
	PEER_UNIX_INO,		/* ino: the socket's inode (unnamed socket) */
	PEER_PIPE,
	PEER_FILE,		/* name: the file's basename */
};

/* What a peer id names. Zeroed before it is filled, so the bytes not used
 * are 0 and the id (a hash of the whole struct) is stable. */
struct peer_desc {
	__u8 kind;		/* enum peer_kind */
	__u8 v6;		/* addr is IPv6 (16 bytes), else IPv4 (4 bytes) */
	__u16 port;		/* host order */
	__u16 name_len;
	__u16 pad;
	__u8 addr[16];
	__u64 ino;
	char name[PEER_NAME_LEN];
	__u32 pad2;
};

struct peer_cache_slot {
	__u64 file;		/* struct file pointer the entry was made for */
	__u64 ino;		/* and its inode number: a freed and reused file
				 * (SLAB_TYPESAFE_BY_RCU) has another inode */
	__u64 peer;		/* peer id */
	__s32 fd;
	__u32 last_dir;		/* PEER_DIR_* of the last call on this fd */
};

#define PEER_DIR_NONE 0
#define PEER_DIR_IN 1
#define PEER_DIR_OUT 2

/* Per thread, in task storage. */
struct peer_thread {
	__u64 start_ns;		/* entry of the current fd syscall, 0 outside */
	__u64 cur_peer;		/* peer id of that call, 0 if none (read by others) */
	__u64 pstart;		/* process start (boottime ns): tells reused pids apart */
	__u32 dir;		/* PEER_DIR_* of the current call */
	__u32 slot;		/* cache slot of the current call's fd */
	__u32 flags;		/* PEER_T_* */
	__u32 pad;
	struct peer_cache_slot cache[PEER_CACHE_SLOTS];
};
#define PEER_T_RESOLVE_AT_EXIT 1	/* connect: the remote is known after */
#define PEER_T_INVALIDATE 2		/* connect: the fd's peer changes */
#define PEER_T_NO_BYTES 4		/* recvmmsg/sendmmsg: ret counts messages */

/* Stats key: like syscall_key, the epoch's parity in the top bit of slot
 * sends each interval's calls to their own entries. */
struct peer_key {
	__u64 peer;		/* peer id */
	__u64 pstart;
	__u32 tgid;
	__u32 slot;		/* 0 or PEER_KEY_SLOT */
};
#define PEER_KEY_SLOT 0x80000000u

/* One interval of one (process, peer). calls is the histogram's sum. */
struct peer_stats {
	__u64 bytes_in;
	__u64 bytes_out;
	__u64 roundtrips;
	__u64 wait_ns;
	__u64 max_ns;
	char comm[16];
	__u32 hist[HIST_NBUCKETS];
};

#endif
