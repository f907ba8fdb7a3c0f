/* Shared between the peers view's kernel side (bpf/peers_work.h, folded
 * into the syscalls family's sys_exit program) and user/collect/peers_view.c. */
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
	__u64 file;		/* struct file pointer of the last call on fd */
	__u64 inode;		/* its inode pointer once resolved, 0 when the
				 * peer is to be resolved again (a freed and
				 * reused struct file has another inode) */
	__u64 peer;		/* peer id */
	__s32 fd;
	__u32 last_dir;		/* PEER_DIR_* of the last call on this file */
	__u32 sidx;		/* peer_table index of (process, peer) ... */
	__u32 sepoch;		/* ... in epoch sepoch - 1 (0: none) */
	__u32 req;		/* REQ_FD_* (include/requests.h): whether the
				 * file is a server connection */
	__u32 pad;
};

#define PEER_DIR_NONE 0
#define PEER_DIR_IN 1
#define PEER_DIR_OUT 2

/* Per thread, in task storage: its recent fds, direct-mapped by fd; and
 * the request it serves (the requests view): the server connection (fd)
 * and that request's number on it (rq_seq, 0: none), whose downstream
 * calls are counted on it. */
struct peer_thread {
	struct peer_cache_slot cache[PEER_CACHE_SLOTS];
	__s32 rq_fd;
	__u32 rq_seq;
};

/* Key of peer_index, (process, peer, epoch parity) -> peer_table index:
 * like syscall_key, the epoch's parity in the top bit of slot sends each
 * interval's calls to their own entries. */
struct peer_key {
	__u64 peer;		/* peer id */
	__u64 pstart;
	__u32 tgid;
	__u32 slot;		/* 0 or PEER_KEY_SLOT */
};
#define PEER_KEY_SLOT 0x80000000u

/* One interval of one (process, peer): an element of the peer_table
 * array (mmap'd by the frontend). calls is the histogram's sum. */
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
