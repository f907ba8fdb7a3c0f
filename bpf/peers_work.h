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
 * state at entry. Off (one branch on a read-only flag) unless peers_on or
 * the requests view (requests_work.h, which shares the fd resolution) is
 * on. */
#ifndef LATSCOPE_PEERS_WORK_H
#define LATSCOPE_PEERS_WORK_H

#include "peer_resolve.h"

const volatile bool peers_on = false;

__u64 peer_drop_map_full = 0;	/* peer stats map full */
__u64 peer_unresolved = 0;	/* an fd that could not be read through */

/* Per thread: which peer each of its recent fds is, the direction of the
 * last call on it (for round trips), and where this interval's entry of
 * (process, peer) is. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct peer_thread);
} peer_threads SEC(".maps");

/* The per-(process, peer) figures live in an array, each epoch parity in
 * its own half of peer_half entries, handed out in order (peer_next); the
 * hash peer_index says which element a (process, peer, parity) has. A
 * thread's cache remembers the element for the epoch, so a call on a known
 * fd costs an array lookup (inlined by the verifier), not a hash lookup.
 * The frontend reads the ended parity's elements through an mmap, zeroes
 * them, deletes their index entries and resets that half's counter. Sizes
 * are set by the frontend. */
const volatile __u32 peer_half = 1;
__u32 peer_next[2] = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct peer_stats);
} peer_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct peer_key);
	__type(value, __u32);
} peer_index SEC(".maps");

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

	if (!d || !connect_desc(fd_file(task, fd), (void *)regs_arg2((__u64)regs), d))
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

	f = fd_file(task, fd);
	if (!f)
		return 0;	/* a bad fd: the call failed, nobody was talked to */
	inode = file_inode(f);
	if (inode && cs->fd == fd && cs->file == (__u64)f && cs->inode == (__u64)inode)
		return cs->peer;

	if (cs->fd != fd || cs->file != (__u64)f)
		cs->last_dir = PEER_DIR_NONE;	/* another file: no turn yet */
	cs->fd = fd;
	cs->file = (__u64)f;
	cs->inode = 0;			/* not a hit until resolved */
	cs->peer = 0;
	cs->sepoch = 0;			/* nor its entry known */
	cs->req = 0;			/* nor what it is to the requests view */
	id = file_peer(f, inode, &peer_unresolved, &d);
	if (!id)
		return 0;
	cs->peer = id;
	/* An unconnected inet socket (port 0) gets its remote later: resolve
	 * it again next time (an unnamed unix socket that connects does so in
	 * connect, which resolves afresh) */
	if (!((d->kind == PEER_TCP || d->kind == PEER_UDP) && !d->port))
		cs->inode = (__u64)inode;
	return id;
}

#include "requests_work.h"

/* poll/ppoll on exactly one descriptor: a read with a timeout on that fd. */
static __always_inline int poll_fd(struct pt_regs *regs)
{
	struct pollfd_ { int fd; short events, revents; } pfd;
	unsigned long nfds = regs_arg2((__u64)regs);
	void *ufds = (void *)regs_arg1((__u64)regs);

	if (nfds != 1 || bpf_probe_read_user(&pfd, sizeof(pfd), ufds))
		return -1;
	return pfd.fd;
}

/* The peer_table element of (this process, peer) in epoch ep: from the
 * thread's cache slot cs when it has it for this epoch, else from
 * peer_index, else a new one (named after the process). The cache slot
 * (NULL: none) is told where it is. */
static __always_inline struct peer_stats *peer_entry(struct peer_cache_slot *cs,
						    struct task_struct *task, __u64 peer,
						    __u64 pstart, __u32 ep)
{
	struct peer_key key = {};
	struct peer_stats *st;
	__u32 par = ep & 1, idx, *pi;

	if (cs && cs->sepoch == ep + 1) {
		idx = cs->sidx;
		return bpf_map_lookup_elem(&peer_table, &idx);
	}
	key.peer = peer;
	key.pstart = pstart;
	key.tgid = task->tgid;
	key.slot = par ? PEER_KEY_SLOT : 0;
	pi = bpf_map_lookup_elem(&peer_index, &key);
	if (pi) {
		idx = *pi;
		st = bpf_map_lookup_elem(&peer_table, &idx);
	} else {
		idx = __sync_fetch_and_add(&peer_next[par], 1);
		if (idx >= peer_half) {
			__sync_fetch_and_add(&peer_drop_map_full, 1);
			return 0;
		}
		idx += par ? peer_half : 0;
		if (bpf_map_update_elem(&peer_index, &key, &idx, BPF_NOEXIST)) {
			/* another CPU made it first (the element taken here
			 * stays unused and zero), or the index is full */
			pi = bpf_map_lookup_elem(&peer_index, &key);
			if (!pi) {
				__sync_fetch_and_add(&peer_drop_map_full, 1);
				return 0;
			}
			idx = *pi;
			st = bpf_map_lookup_elem(&peer_table, &idx);
		} else {
			st = bpf_map_lookup_elem(&peer_table, &idx);
			if (st)
				leader_comm(st->comm);
		}
	}
	if (st && cs) {
		cs->sidx = idx;
		cs->sepoch = ep + 1;
	}
	return st;
}

/* At sys_exit of syscall nr of the current thread, delta ns after its
 * entry (histogram bucket idx), returning ret: records it on its peer when
 * it is an fd call on one (rec_peers: peers_on, and the call was timed),
 * and gives it to the requests view (requests_work.h). pstart is the
 * syscalls family's key part and ep the epoch it read. */
static __always_inline void peers_exit(struct task_struct *task, struct pt_regs *regs,
				       __u32 nr, long ret, __u64 delta, __u32 idx,
				       __u64 pstart, __u32 ep, __u64 now, bool rec_peers)
{
	struct peer_cache_slot *cs;
	struct peer_thread *pt;
	struct peer_stats *st;
	int cls = classify(nr), fd;
	bool turn = false;
	__u64 peer;

	/* sendfile writes to its out_fd: a server's answer, no peer's call */
	if (cls == C_NONE && requests_on && nr == NR_sendfile) {
		cls = C_OUT;
		rec_peers = false;
	}
	if (cls == C_NONE) {
		if (requests_on)
			requests_other(task, regs, nr, ret, pstart, ep);
		return;
	}
	if (cls == C_POLL && !rec_peers)
		return;
	if (cls == C_POLL) {
		fd = poll_fd(regs);
		if (fd < 0)
			return;
	} else {
		fd = (int)regs_arg1((__u64)regs);
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
		cs->sepoch = 0;
		if (!rec_peers)
			return;
		peer = connect_peer(task, regs, fd);
		if (!peer)
			return;
		st = peer_entry(0, task, peer, pstart, ep);
	} else {
		peer = fd_peer(task, cs, fd);
		if (!peer)
			return;
		if (requests_on && cls != C_POLL)
			req_io(pt, cs, fd, cls, ret, now);
		if (!rec_peers)
			return;
		st = peer_entry(cs, task, peer, pstart, ep);
	}
	if (!st)
		return;
	__sync_fetch_and_add(&st->wait_ns, delta);
	asm volatile("" : "+r"(idx));
	if (idx < HIST_NBUCKETS)
		__sync_fetch_and_add(&st->hist[idx], 1);
	if (delta > st->max_ns)
		st->max_ns = delta;
	if (ret > 0) {
		/* bytes from the return value (mmsg calls return messages:
		 * calls only); a send-then-receive turn on one fd of this
		 * thread is a round trip */
		if (cls == C_IN || cls == C_IN_MSGS) {
			if (cls == C_IN)
				__sync_fetch_and_add(&st->bytes_in, ret);
			turn = cs->last_dir == PEER_DIR_OUT;
			if (turn)
				__sync_fetch_and_add(&st->roundtrips, 1);
			cs->last_dir = PEER_DIR_IN;
		} else if (cls == C_OUT || cls == C_OUT_MSGS) {
			if (cls == C_OUT)
				__sync_fetch_and_add(&st->bytes_out, ret);
			cs->last_dir = PEER_DIR_OUT;
		}
	}
	/* a downstream call of a thread serving a request (requests_work.h) */
	if (requests_on && pt->rq_seq && cls != C_POLL && cls != C_CONNECT &&
	    cs->req != REQ_FD_SERVER)
		req_downstream(pt, peer, delta, turn);
}

#endif
