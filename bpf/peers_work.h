/* The peers view's kernel side, folded into the syscalls family's sys_exit
 * program (bpf/syscalls.bpf.c includes this file): per-(process, peer)
 * calls, bytes, blocked time and round trips of the fd-based I/O syscalls,
 * the fd resolved in the kernel to what it talks to (a TCP/UDP remote, a
 * unix socket, a pipe, a file).
 *
 * Everything happens at sys_exit, where the syscalls family has already
 * read the clock and knows the call's number: x86-64 keeps the arguments in
 * the saved registers (only ax takes the return value), so the fd is read
 * there too. No second program pair, no second clock read, no per-call
 * state at entry. Off (one branch on a read-only flag) unless peers_on. */
#ifndef LATSCOPE_PEERS_WORK_H
#define LATSCOPE_PEERS_WORK_H

#include "peer_resolve.h"

const volatile bool peers_on = false;

__u64 peer_drop_map_full = 0;	/* peer stats map full */
__u64 peer_unresolved = 0;	/* an fd that could not be read through */

struct peer_stats peer_zero_stats = {};

/* Per thread: which peer each of its recent fds is, and the direction of
 * the last call on it (for round trips). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct peer_thread);
} peer_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);	/* sized by the frontend */
	__type(key, struct peer_key);
	__type(value, struct peer_stats);
} peer_stats SEC(".maps");

/* x86-64 syscall numbers of the calls that take one fd (or a poll of one). */
enum {
	NR_read = 0, NR_write = 1, NR_poll = 7, NR_pread64 = 17, NR_pwrite64 = 18,
	NR_readv = 19, NR_writev = 20, NR_connect = 42,
	NR_sendto = 44, NR_recvfrom = 45, NR_sendmsg = 46, NR_recvmsg = 47,
	NR_ppoll = 271, NR_preadv = 295, NR_pwritev = 296,
	NR_recvmmsg = 299, NR_sendmmsg = 307, NR_preadv2 = 327, NR_pwritev2 = 328,
};

/* accept is not a peer's call: it waits for any client (pools count it as
 * idle), and the connection it returns is resolved at its first I/O. */
enum call_class { C_NONE, C_IN, C_OUT, C_IN_MSGS, C_OUT_MSGS, C_CONNECT, C_POLL };

static __always_inline int classify(long nr)
{
	switch (nr) {
	case NR_read: case NR_pread64: case NR_readv: case NR_recvfrom:
	case NR_recvmsg: case NR_preadv: case NR_preadv2:
		return C_IN;
	case NR_write: case NR_pwrite64: case NR_writev: case NR_sendto:
	case NR_sendmsg: case NR_pwritev: case NR_pwritev2:
		return C_OUT;
	case NR_recvmmsg:
		return C_IN_MSGS;	/* returns messages, not bytes */
	case NR_sendmmsg:
		return C_OUT_MSGS;
	case NR_connect:
		return C_CONNECT;
	case NR_poll: case NR_ppoll:
		return C_POLL;
	}
	return C_NONE;
}

/* The peer a connect(fd, addr) asked for (peer_resolve.h), named. */
static __always_inline __u64 connect_peer(struct task_struct *task, struct pt_regs *regs, int fd)
{
	struct peer_desc *d = peer_scratch();

	if (!d || !connect_desc(fd_file(task, fd), (void *)BPF_CORE_READ(regs, si), d))
		return 0;
	return peer_name(d);
}

/* The peer id of fd for this thread: from its cache when the fd still holds
 * the same file (same struct file, same inode: a freed and reused struct
 * file, SLAB_TYPESAFE_BY_RCU, has another inode), else resolved and
 * remembered. cs is the fd's cache slot. Returns 0 when fd is no peer. */
static __always_inline __u64 fd_peer(struct task_struct *task, struct peer_cache_slot *cs,
				     int fd)
{
	struct peer_desc *d;
	struct inode *inode;
	struct file *f;
	__u64 id;
	int r;

	f = fd_file(task, fd);
	if (!f)
		return 0;	/* a bad fd: the call failed, nobody was talked to */
	inode = BPF_CORE_READ(f, f_inode);
	if (inode && cs->fd == fd && cs->file == (__u64)f && cs->inode == (__u64)inode)
		return cs->peer;

	if (cs->fd != fd || cs->file != (__u64)f)
		cs->last_dir = PEER_DIR_NONE;	/* another file: no turn yet */
	cs->fd = fd;
	cs->file = (__u64)f;
	cs->inode = 0;			/* not a hit until resolved */
	cs->peer = 0;
	d = peer_scratch();
	if (!d)
		return 0;
	r = file_desc(f, inode, d);
	if (r < 0)
		__sync_fetch_and_add(&peer_unresolved, 1);
	if (r <= 0)
		return 0;
	id = peer_name(d);
	cs->peer = id;
	/* An unconnected inet socket (port 0) gets its remote later: resolve
	 * it again next time (an unnamed unix socket that connects does so in
	 * connect, which resolves afresh) */
	if (!((d->kind == PEER_TCP || d->kind == PEER_UDP) && !d->port))
		cs->inode = (__u64)inode;
	return id;
}

/* poll/ppoll on exactly one descriptor: a read with a timeout on that fd. */
static __always_inline int poll_fd(struct pt_regs *regs)
{
	struct pollfd_ { int fd; short events, revents; } pfd;
	unsigned long nfds = BPF_CORE_READ(regs, si);
	void *ufds = (void *)BPF_CORE_READ(regs, di);

	if (nfds != 1 || bpf_probe_read_user(&pfd, sizeof(pfd), ufds))
		return -1;
	return pfd.fd;
}

/* At sys_exit of syscall nr of the current thread, delta ns after its
 * entry, returning ret: records it on its peer when it is an fd call on
 * one. pstart and slot are the syscalls family's key parts. */
static __always_inline void peers_exit(struct task_struct *task, struct pt_regs *regs,
				       __u32 nr, long ret, __u64 delta, __u64 pstart,
				       __u32 slot)
{
	struct peer_cache_slot *cs;
	struct peer_key key = {};
	struct peer_thread *pt;
	struct peer_stats *st;
	int cls = classify(nr), fd;
	__u32 idx;
	__u64 peer;

	if (cls == C_NONE)
		return;
	if (cls == C_POLL) {
		fd = poll_fd(regs);
		if (fd < 0)
			return;
	} else {
		fd = (int)BPF_CORE_READ(regs, di);
	}
	pt = bpf_task_storage_get(&peer_threads, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!pt) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return;
	}
	cs = &pt->cache[(__u32)fd & (PEER_CACHE_SLOTS - 1)];
	if (cls == C_CONNECT) {
		/* the remote the call asked for, whether it was reached or
		 * not (the same id the socket gives once connected); the fd's
		 * peer changes: forget what the cache knew */
		cs->fd = -1;
		cs->file = 0;
		cs->last_dir = PEER_DIR_NONE;
		peer = connect_peer(task, regs, fd);
	} else {
		peer = fd_peer(task, cs, fd);
	}
	if (!peer)
		return;

	key.peer = peer;
	key.pstart = pstart;
	key.tgid = task->tgid;
	key.slot = slot;
	st = stats_entry(&peer_stats, &key, &peer_zero_stats, &peer_drop_map_full,
			 offsetof(struct peer_stats, comm));
	if (!st)
		return;
	__sync_fetch_and_add(&st->wait_ns, delta);
	idx = hist_bucket(delta);
	asm volatile("" : "+r"(idx));
	if (idx < HIST_NBUCKETS)
		__sync_fetch_and_add(&st->hist[idx], 1);
	if (delta > st->max_ns)
		st->max_ns = delta;
	if (ret <= 0)
		return;

	/* bytes from the return value (mmsg calls return messages: calls
	 * only); a send-then-receive turn on one fd of this thread is a round
	 * trip */
	if (cls == C_IN || cls == C_IN_MSGS) {
		if (cls == C_IN)
			__sync_fetch_and_add(&st->bytes_in, ret);
		if (cs->last_dir == PEER_DIR_OUT)
			__sync_fetch_and_add(&st->roundtrips, 1);
		cs->last_dir = PEER_DIR_IN;
	} else if (cls == C_OUT || cls == C_OUT_MSGS) {
		if (cls == C_OUT)
			__sync_fetch_and_add(&st->bytes_out, ret);
		cs->last_dir = PEER_DIR_OUT;
	}
}

#endif
