// SPDX-License-Identifier: GPL-2.0
/* peers: per-(process, peer) calls, bytes, blocked time and round trips of
 * the fd-based I/O syscalls, the fd resolved in the kernel to what it talks
 * to (a TCP/UDP remote, a unix socket, a pipe, a file). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "hist.h"
#include "syscalls.h"
#include "peers.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[FILTER_MAX_PIDS] = {};

__u32 epoch = 0;

/* Whatever could not be recorded: shown to the user, never silent. */
__u64 drop_map_full = 0;	/* stats map full */
__u64 drop_no_state = 0;	/* task storage could not be created */
__u64 unresolved = 0;		/* an fd that could not be read through */

struct peer_stats zero_stats = {};

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

/* Written on every resolution that missed the cache: the peers in use stay
 * recent; the frontend keeps its own copy of every name it has read. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct peer_desc);
} peer_names SEC(".maps");

/* Scratch for a resolution: too large for the stack next to the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct peer_desc);
} desc_scratch SEC(".maps");

#include "peer_resolve.h"

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

static __always_inline bool pid_wanted(__u32 tgid)
{
	__u32 i, n = filter_npids;

	for (i = 0; i < FILTER_MAX_PIDS; i++) {
		if (i >= n)
			break;
		if (filter_pids[i] == tgid)
			return true;
	}
	return false;
}

/* The peer id of fd for this thread: from its cache when the fd still holds
 * the same file (same pointer, same inode), else resolved and remembered.
 * Sets *slotp to the fd's cache slot. Returns 0 when fd is not a peer. */
static __always_inline __u64 fd_peer(struct task_struct *task, struct peer_thread *pt,
				     int fd, bool invalidate)
{
	struct peer_cache_slot *cs;
	struct peer_desc *d;
	struct inode *inode;
	struct file *f;
	__u32 zero = 0, slot = (__u32)fd & (PEER_CACHE_SLOTS - 1);
	__u64 ino, id;
	int r;

	f = fd_file(task, fd);
	if (!f)
		return 0;	/* a bad fd: the call fails, nobody is talked to */
	inode = BPF_CORE_READ(f, f_inode);
	ino = BPF_CORE_READ(inode, i_ino);
	cs = &pt->cache[slot];
	pt->slot = slot;
	if (!invalidate && cs->fd == fd && cs->file == (__u64)f && cs->ino == ino)
		return cs->peer;

	d = bpf_map_lookup_elem(&desc_scratch, &zero);
	if (!d)
		return 0;
	__builtin_memset(d, 0, sizeof(*d));
	r = file_desc(f, inode, d);
	if (r < 0)
		__sync_fetch_and_add(&unresolved, 1);
	if (r <= 0) {
		cs->file = 0;
		cs->peer = 0;
		return 0;
	}
	id = desc_id(d);
	bpf_map_update_elem(&peer_names, &id, d, BPF_ANY);
	if (cs->fd != fd || cs->file != (__u64)f || cs->ino != ino)
		cs->last_dir = PEER_DIR_NONE;
	cs->fd = fd;
	cs->ino = ino;
	cs->peer = id;
	/* An unconnected inet socket (port 0) gets its remote later: resolve
	 * it again next time. (An unnamed unix socket that connects does so in
	 * connect, which resolves afresh.) */
	if ((d->kind == PEER_TCP || d->kind == PEER_UDP) && !d->port)
		cs->file = 0;
	else
		cs->file = (__u64)f;
	return id;
}

/* The peer a TCP/UDP connect(fd, addr) goes to, from the user's sockaddr:
 * the same descriptor (so the same id) the socket gives once connected.
 * 0 for other families or when something cannot be read. */
static __always_inline __u64 connect_peer(struct task_struct *task, struct pt_regs *regs, int fd)
{
	struct sa_ { __u16 family; __be16 port; __u32 v4_or_flow; __u8 v6[16]; } sa;
	struct file *f = fd_file(task, fd);
	struct peer_desc *d;
	struct socket *sock;
	struct sock *sk;
	__u32 zero = 0;
	__u16 type;
	__u64 id;

	if (!f)
		return 0;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || bpf_probe_read_user(&sa, sizeof(sa), (void *)BPF_CORE_READ(regs, si)))
		return 0;
	type = BPF_CORE_READ(sk, sk_type);
	if ((sa.family != AF_INET && sa.family != AF_INET6) ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM))
		return 0;
	d = bpf_map_lookup_elem(&desc_scratch, &zero);
	if (!d)
		return 0;
	__builtin_memset(d, 0, sizeof(*d));
	d->kind = type == SOCK_STREAM ? PEER_TCP : PEER_UDP;
	d->port = __builtin_bswap16(sa.port);
	if (sa.family == AF_INET) {
		__builtin_memcpy(d->addr, &sa.v4_or_flow, 4);
	} else if (((__u64 *)sa.v6)[0] == 0 && ((__u32 *)sa.v6)[2] == 0xffff0000u) {
		__builtin_memcpy(d->addr, &sa.v6[12], 4);
	} else {
		__builtin_memcpy(d->addr, sa.v6, 16);
		d->v6 = 1;
	}
	id = desc_id(d);
	bpf_map_update_elem(&peer_names, &id, d, BPF_ANY);
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

/* At entry of a syscall of class cls (not C_NONE): resolves its fd and
 * fills pt. Returns true when the call is to be recorded at its exit. No
 * clock read: the caller keeps the entry time. */
static __always_inline bool peers_begin(struct task_struct *task, struct peer_thread *pt,
					struct pt_regs *regs, int cls)
{
	int fd;

	if (!pt->pstart)
		pt->pstart = BPF_CORE_READ(task, group_leader, start_boottime) | 1;
	pt->flags = 0;
	pt->cur_peer = 0;
	switch (cls) {
	case C_IN: case C_IN_MSGS:
		pt->dir = PEER_DIR_IN;
		break;
	case C_OUT: case C_OUT_MSGS:
		pt->dir = PEER_DIR_OUT;
		break;
	default:
		pt->dir = PEER_DIR_NONE;
	}
	if (cls == C_IN_MSGS || cls == C_OUT_MSGS)
		pt->flags = PEER_T_NO_BYTES;	/* returns messages, not bytes */
	if (cls == C_POLL) {
		fd = poll_fd(regs);
		if (fd < 0)
			return false;
	} else {
		fd = (int)BPF_CORE_READ(regs, di);
	}
	if (cls == C_CONNECT) {
		/* the remote is set by the call: resolve after it */
		pt->flags = PEER_T_RESOLVE_AT_EXIT | PEER_T_INVALIDATE;
		pt->slot = (__u32)fd;
		/* but a thread blocked in connect is blocked on that remote:
		 * named now from the address it asked for (for pools) */
		pt->cur_peer = connect_peer(task, regs, fd);
		return true;
	}
	pt->cur_peer = fd_peer(task, pt, fd, false);
	return pt->cur_peer != 0;
}

static __always_inline struct peer_stats *stats_lookup(struct peer_key *key)
{
	struct task_struct *task;
	struct peer_stats *st;
	long err;

	st = bpf_map_lookup_elem(&peer_stats, key);
	if (st)
		return st;
	err = bpf_map_update_elem(&peer_stats, key, &zero_stats, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: another CPU made it */) {
		__sync_fetch_and_add(&drop_map_full, 1);
		return 0;
	}
	st = bpf_map_lookup_elem(&peer_stats, key);
	if (st && !err) {
		task = bpf_get_current_task_btf();
		bpf_probe_read_kernel_str(st->comm, sizeof(st->comm),
					  BPF_CORE_READ(task, group_leader, comm));
	}
	return st;
}

/* At exit of a call peers_begin() chose to record, delta ns after entry. */
static __always_inline void peers_end(struct task_struct *task, struct peer_thread *pt,
				      long ret, __u64 delta)
{
	struct peer_cache_slot *cs;
	struct peer_key key = {};
	struct peer_stats *st;
	__u64 peer;
	__u32 idx, slot;

	peer = pt->cur_peer;
	pt->cur_peer = 0;
	if (pt->flags & PEER_T_RESOLVE_AT_EXIT) {
		int fd = (int)pt->slot;

		peer = fd_peer(task, pt, fd, true);
	}
	if (!peer)
		return;

	key.peer = peer;
	key.pstart = pt->pstart;
	key.tgid = task->tgid;
	key.slot = (epoch & 1) ? PEER_KEY_SLOT : 0;
	st = stats_lookup(&key);
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

	/* bytes from the return value; a send-then-receive turn on one fd of
	 * this thread is a round trip */
	slot = pt->slot & (PEER_CACHE_SLOTS - 1);
	cs = &pt->cache[slot];
	if (pt->dir == PEER_DIR_IN) {
		if (!(pt->flags & PEER_T_NO_BYTES))
			__sync_fetch_and_add(&st->bytes_in, ret);
		if (cs->last_dir == PEER_DIR_OUT)
			__sync_fetch_and_add(&st->roundtrips, 1);
		cs->last_dir = PEER_DIR_IN;
	} else if (pt->dir == PEER_DIR_OUT) {
		if (!(pt->flags & PEER_T_NO_BYTES))
			__sync_fetch_and_add(&st->bytes_out, ret);
		cs->last_dir = PEER_DIR_OUT;
	}
}

/* tools/bench/fold.bpf.c includes this file for its functions and maps only,
 * to measure the same work folded into the syscalls family's programs. */
#ifndef PEERS_NO_PROGS
SEC("raw_tracepoint/sys_enter")
int peers_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct peer_thread *pt;
	int cls = classify((long)ctx->args[1]);

	if (cls == C_NONE)
		return 0;
	if (filter_npids && !pid_wanted(task->tgid))
		return 0;
	pt = bpf_task_storage_get(&peer_threads, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!pt) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return 0;
	}
	pt->start_ns = peers_begin(task, pt, (void *)ctx->args[0], cls) ? bpf_ktime_get_ns() : 0;
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int peers_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct peer_thread *pt;
	__u64 delta;

	pt = bpf_task_storage_get(&peer_threads, task, 0, 0);
	if (!pt || !pt->start_ns)
		return 0;
	delta = bpf_ktime_get_ns() - pt->start_ns;
	pt->start_ns = 0;
	peers_end(task, pt, (long)ctx->args[1], delta);
	return 0;
}
#endif
