/* The requests view's kernel side, folded into the syscalls family's
 * sys_exit program with the peers view (bpf/peers_work.h calls it once it
 * has resolved an fd): server connections, their requests (a receive of
 * data after a response starts one; the last send before the next receive
 * of data, or the close, ends it) and per (process, listener, client)
 * figures for each interval.
 *
 * Cost: a syscall that is not accept, listen, close, sendfile or an fd I/O
 * call pays a switch on its number; an I/O call on a file, pipe or client
 * socket pays a load of its fd cache slot's verdict (peers_work.h resolves
 * the fd anyway); only calls on server connections touch these maps. Off
 * (one branch on a read-only flag) unless requests_on. */
#ifndef LATSCOPE_REQUESTS_WORK_H
#define LATSCOPE_REQUESTS_WORK_H

#include "requests.h"
#include "pools.h"

const volatile bool requests_on = false;

__u64 req_drop_full = 0;	/* a requests map was full: not recorded */

struct req_stats req_zero = {};

/* The ports each process listens on (seen at listen or accept, or seeded by
 * the frontend from /proc at start). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct req_port_key);
	__type(value, struct req_listener);
} req_ports SEC(".maps");

/* Server connections. LRU: a process that exits closes its sockets without
 * a close(2), and its entries age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct req_conn_key);
	__type(value, struct req_conn);
} req_conns SEC(".maps");

/* This and the last interval's figures per (process, listener, client),
 * the epoch parity in the key; the frontend reads and deletes the ended
 * parity's and sums a listener's from its clients' (histograms bucket by
 * bucket): one map entry per request, not two. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, struct req_client_key);
	__type(value, struct req_stats);
} req_clients SEC(".maps");

/* The pools family's threads (its thread_table and thread_slots, the same
 * maps: collect/pools_shared.h), read for the split of request time.
 * Sized by the frontend; 1 when the pools family does not run. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pool_thread);
} thread_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);		/* tid */
	__type(value, __u32);		/* slot */
} thread_slots SEC(".maps");

/* This and the last interval's accept queue per (process, listener), the
 * epoch parity in the key (req_key.slot): read and deleted like
 * req_clients. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2048);
	__type(key, struct req_key);
	__type(value, struct req_accept_stats);
} req_accepts SEC(".maps");

/* When each server-side connection finished its handshake (the time it
 * joined its listener's accept queue), by struct sock; taken at accept.
 * LRU: the connections of listeners nobody traced accepts age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} req_queued SEC(".maps");

struct req_accept_stats req_accept_zero = {};

/* This and the last interval's round trips per request per (process,
 * listener, downstream peer), the epoch parity in the key: read and
 * deleted like req_clients. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct req_rt_key);
	__type(value, struct req_rt_stats);
} req_roundtrips SEC(".maps");

struct req_rt_stats req_rt_zero = {};

/* Keys and a new connection's entry: too large for the stack next to the
 * syscalls family's own. */
struct req_scratch {
	struct req_conn c;
	struct req_client_key ck;
	struct req_key ak;
	struct req_rt_key rk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct req_scratch);
} req_scratch SEC(".maps");

static __always_inline struct req_scratch *req_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&req_scratch, &zero);
}

enum { NR_close = 3, NR_sendfile = 40, NR_accept = 43, NR_listen = 50, NR_accept4 = 288 };

/* The sock of f when f is a TCP (v4 or v6) socket, else 0. */
static __always_inline struct sock *req_tcp_sock(struct file *f)
{
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	return BPF_CORE_READ(sk, sk_type) == SOCK_STREAM ? sk : 0;
}

/* A v6 address into addr (16 bytes), a v4-mapped one as that IPv4 address;
 * returns whether it is IPv6. */
static __always_inline __u8 req_addr6(__u8 *addr, const void *src)
{
	if (bpf_probe_read_kernel(addr, 16, src))
		return 0;
	if (((__u64 *)addr)[0] == 0 && ((__u32 *)addr)[2] == 0xffff0000u) {
		__u32 a = ((__u32 *)addr)[3];

		__builtin_memset(addr, 0, 16);
		__builtin_memcpy(addr, &a, 4);
		return 0;
	}
	return 1;
}

/* sk's local end into l. */
static __always_inline void req_local(struct sock *sk, struct req_listener *l)
{
	__builtin_memset(l, 0, sizeof(*l));
	l->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(l->addr, &a, 4);
	} else {
		l->v6 = req_addr6(l->addr, &sk->__sk_common.skc_v6_rcv_saddr);
	}
}

/* sk's remote address into c (the client of a server connection). */
static __always_inline void req_remote(struct sock *sk, struct req_conn *c)
{
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(c->caddr, &a, 4);
	} else {
		c->cv6 = req_addr6(c->caddr, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline void req_key_of(struct req_key *k, const struct req_conn *c,
				       __u32 tgid, __u32 ep)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->pstart = c->pstart;
	k->tgid = tgid;
	k->slot = (ep & 1) ? REQ_KEY_SLOT : 0;
	k->l = c->l;
}

/* The entry of c's client at c's listener in this interval, made (with
 * the process's name) when missing. */
static __always_inline struct req_stats *req_entry(const struct req_conn *c, __u32 tgid,
						  __u32 ep)
{
	struct req_scratch *sc = req_scratch_get();
	struct req_client_key *k;

	if (!sc)
		return 0;
	k = &sc->ck;
	__builtin_memset(k, 0, sizeof(*k));
	req_key_of(&k->k, c, tgid, ep);
	__builtin_memcpy(k->caddr, c->caddr, 16);
	k->cv6 = c->cv6;
	return stats_entry(&req_clients, k, &req_zero, &req_drop_full,
			   __builtin_offsetof(struct req_stats, comm), 0);
}

/* The downstream calls of c's request (attributable) into its listener's
 * round trips per peer. */
static __always_inline void req_down_finish(struct req_conn *c, __u32 tgid, __u32 ep)
{
	struct req_scratch *sc = req_scratch_get();
	struct req_rt_stats *st;

	if (!sc)
		return;
	for (int i = 0; i < REQ_PEERS; i++) {
		struct req_peer_calls *d = &c->down[i];
		__u32 b;

		if (!d->peer)
			break;
		req_key_of(&sc->rk.k, c, tgid, ep);
		sc->rk.peer = d->peer;
		st = stats_entry(&req_roundtrips, &sc->rk, &req_rt_zero, &req_drop_full,
				 __builtin_offsetof(struct req_rt_stats, comm), 0);
		if (!st)
			continue;
		b = d->turns < REQ_RT_BUCKETS ? d->turns : REQ_RT_BUCKETS - 1;
		asm volatile("" : "+r"(b));
		if (b < REQ_RT_BUCKETS)
			__sync_fetch_and_add(&st->hist[b], 1);
		__sync_fetch_and_add(&st->requests, 1);
		__sync_fetch_and_add(&st->turns, d->turns);
		__sync_fetch_and_add(&st->io_ns, d->io_ns);
		if (d->turns > st->max_turns)
			st->max_turns = d->turns;
	}
}

/* The request open on c ends at end: into this interval's figures. A
 * global BPF function: the verifier checks it once, on its own, rather
 * than again on every path of its callers (seconds of load time). */
__noinline int req_finish(struct req_conn *c, __u32 tgid, __u64 end, __u32 ep)
{
	struct req_stats *st;
	__u64 lat;
	__u32 idx;

	if (!c)
		return 0;
	lat = end > c->start_ns ? end - c->start_ns : 0;
	idx = hist_bucket(lat);
	c->state = REQ_IDLE;
	st = req_entry(c, tgid, ep);
	asm volatile("" : "+r"(idx));
	if (st && idx < HIST_NBUCKETS) {
		__sync_fetch_and_add(&st->hist[idx], 1);
		__sync_fetch_and_add(&st->total_ns, lat);
		if (lat > st->max_ns)
			st->max_ns = lat;
		if (c->first_send_ns) {
			__u64 t = c->first_send_ns - c->start_ns;

			__sync_fetch_and_add(&st->ttfb_total_ns, t);
			if (t > st->ttfb_max_ns)
				st->ttfb_max_ns = t;
		}
		__sync_fetch_and_add(&st->bytes_in, c->bytes_in);
		__sync_fetch_and_add(&st->bytes_out, c->bytes_out);
		if (c->shared)
			__sync_fetch_and_add(&st->shared, 1);
		if (!c->shared && c->split_ok && c->first_send_ns) {
			__sync_fetch_and_add(&st->why_requests, 1);
			for (int i = 0; i < REQ_WHY_NR; i++)
				__sync_fetch_and_add(&st->why_ns[i], c->split[i]);
		}
	}
	if (!c->shared)
		req_down_finish(c, tgid, ep);
	__builtin_memset(c->down, 0, sizeof(c->down));
	return 0;
}

/* A request's end when it is known to be over at now: its last send, or
 * now when it sent nothing. */
static __always_inline void req_end_open(struct req_conn *c, __u32 tgid, __u64 now, __u32 ep)
{
	if (c->state != REQ_IDLE)
		req_finish(c, tgid, c->state == REQ_RESPONDING ? c->last_send_ns : now, ep);
}

/* A new entry for the server connection sk on fd (file f) of listener l. */
static __always_inline struct req_conn *req_conn_new(struct task_struct *task, int fd,
						     struct file *f, struct sock *sk,
						     const struct req_listener *l,
						     __u64 pstart, bool accepted)
{
	struct req_conn_key ck = { .tgid = task->tgid, .fd = fd };
	struct req_scratch *sc = req_scratch_get();
	struct req_conn *c;

	if (!sc)
		return 0;
	c = &sc->c;
	__builtin_memset(c, 0, sizeof(*c));
	c->file = (__u64)f;
	c->pstart = pstart;
	c->l = *l;
	c->accepted = accepted;
	req_remote(sk, c);
	leader_comm(c->comm);
	if (bpf_map_update_elem(&req_conns, &ck, c, BPF_ANY)) {
		__sync_fetch_and_add(&req_drop_full, 1);
		return 0;
	}
	return bpf_map_lookup_elem(&req_conns, &ck);
}

/* accept returned connection sk (of server connection c) from listener
 * lsk at now: its wait in the queue (when its handshake was seen), the
 * queue's length as accept found it and its limit. A global function:
 * verified once, on its own. */
__noinline int req_accept_queue(struct req_conn *c, __u64 lsk_, __u64 sk_, __u32 tgid, __u32 ep)
{
	struct sock *lsk = (struct sock *)lsk_;
	struct req_scratch *sc = req_scratch_get();
	struct req_accept_stats *st;
	__u64 key = sk_, *queued, now = bpf_ktime_get_ns(), wait;
	__u32 qlen, limit, idx;

	if (!c || !sc)
		return 0;
	req_key_of(&sc->ak, c, tgid, ep);
	st = stats_entry(&req_accepts, &sc->ak, &req_accept_zero, &req_drop_full,
			 __builtin_offsetof(struct req_accept_stats, comm), 0);
	if (!st)
		return 0;
	/* accept has taken sk off the queue: it found one more */
	qlen = BPF_CORE_READ(lsk, sk_ack_backlog) + 1;
	limit = BPF_CORE_READ(lsk, sk_max_ack_backlog);
	__sync_fetch_and_add(&st->accepted, 1);
	if (qlen > limit)
		__sync_fetch_and_add(&st->full, 1);
	if (qlen > st->queue_max)
		st->queue_max = qlen;
	st->backlog = limit;
	queued = bpf_map_lookup_elem(&req_queued, &key);
	if (!queued)
		return 0;
	wait = now > *queued ? now - *queued : 0;
	bpf_map_delete_elem(&req_queued, &key);
	idx = hist_bucket(wait);
	asm volatile("" : "+r"(idx));
	if (idx < HIST_NBUCKETS)
		__sync_fetch_and_add(&st->hist[idx], 1);
	__sync_fetch_and_add(&st->total_ns, wait);
	if (wait > st->max_ns)
		st->max_ns = wait;
	return 0;
}

/* accept/accept4 returned fd ret for listening fd lfd: a server
 * connection, and the port known as listened on. */
static __always_inline void req_accept(struct task_struct *task, int lfd, int fd,
				       __u64 pstart, __u32 ep)
{
	struct req_port_key pk = {};
	struct req_listener l;
	struct req_conn *c;
	struct req_stats *st;
	struct sock *lsk, *sk;
	struct file *f;

	lsk = req_tcp_sock(fd_file(task, lfd));
	f = fd_file(task, fd);
	sk = req_tcp_sock(f);
	if (!lsk || !sk)
		return;
	req_local(lsk, &l);
	pk.tgid = task->tgid;
	pk.port = l.port;
	bpf_map_update_elem(&req_ports, &pk, &l, BPF_ANY);
	c = req_conn_new(task, fd, f, sk, &l, pstart, true);
	if (c && (st = req_entry(c, task->tgid, ep)))
		__sync_fetch_and_add(&st->accepted, 1);
	req_accept_queue(c, (__u64)lsk, (__u64)sk, task->tgid, ep);
}

/* listen(fd) succeeded: its port is one the process listens on. */
static __always_inline void req_listen(struct task_struct *task, int fd)
{
	struct sock *sk = req_tcp_sock(fd_file(task, fd));
	struct req_port_key pk = {};
	struct req_listener l;

	if (!sk)
		return;
	req_local(sk, &l);
	pk.tgid = task->tgid;
	pk.port = l.port;
	bpf_map_update_elem(&req_ports, &pk, &l, BPF_ANY);
}

/* A socket f was closed on fd (close returned 0): its connection ends. */
static __always_inline void req_close(struct task_struct *task, int fd, __u64 f, __u64 now,
				      __u32 ep)
{
	struct req_conn_key ck = { .tgid = task->tgid, .fd = fd };
	struct req_conn *c = bpf_map_lookup_elem(&req_conns, &ck);
	struct req_stats *st;

	if (!c || c->file != f)
		return;
	req_end_open(c, ck.tgid, now, ep);
	if ((st = req_entry(c, ck.tgid, ep)))
		__sync_fetch_and_add(&st->closed, 1);
	bpf_map_delete_elem(&req_conns, &ck);
}

/* Whether fd (file cs->file) is a server connection: one made at accept,
 * or a connected TCP socket on a port the process (or its parent) listens
 * on (connections older than latscope, or accepted by the parent). An
 * entry left by a connection whose close was not seen (another file now)
 * has its request ended. */
static __noinline __u32 req_classify(struct task_struct *task, struct peer_cache_slot *cs,
				     int fd, __u64 now)
{
	__u64 pstart = task->group_leader->start_boottime | 1;
	__u32 ep = epoch;
	struct req_conn_key ck = { .tgid = task->tgid, .fd = fd };
	struct req_port_key pk = {};
	struct req_listener *l;
	struct req_conn *c;
	struct file *f = (struct file *)cs->file;
	struct sock *sk = req_tcp_sock(f);

	if (!sk)
		return REQ_FD_OTHER;
	c = bpf_map_lookup_elem(&req_conns, &ck);
	if (c && c->file == cs->file)
		return REQ_FD_SERVER;
	if (c) {
		req_end_open(c, ck.tgid, now, ep);
		bpf_map_delete_elem(&req_conns, &ck);
	}
	pk.tgid = ck.tgid;
	pk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	l = bpf_map_lookup_elem(&req_ports, &pk);
	if (!l) {
		/* a child forked to serve a connection its parent accepted
		 * (PostgreSQL's backends, inetd's services): never listened
		 * or accepted itself, it serves on its parent's port */
		pk.tgid = BPF_CORE_READ(task, real_parent, tgid);
		l = bpf_map_lookup_elem(&req_ports, &pk);
	}
	if (!l || !req_conn_new(task, fd, f, sk, l, pstart, false))
		return REQ_FD_OTHER;
	return REQ_FD_SERVER;
}

/* Thread tid's time per state (REQ_WHY_*) until now, as the pools family
 * keeps it (closed states, and the open one's time so far): into c->st0 at
 * the request's start, else its difference from st0 into c->split. false
 * when the pools family does not follow the thread (yet). */
static __always_inline bool req_split(struct req_conn *c, __u32 tid, __u64 now, bool start)
{
	__u32 *slot = bpf_map_lookup_elem(&thread_slots, &tid);
	struct pool_thread *t;

	if (!slot)
		return false;
	t = bpf_map_lookup_elem(&thread_table, slot);
	if (!t || t->tid != tid || t->state == PST_UNKNOWN || t->state >= PST_NR)
		return false;
	for (int i = 0; i < REQ_WHY_NR; i++) {
		__u32 st = PST_ONCPU + i;	/* ONCPU, RUNQ, LOCK, IO in order */
		bool open = t->state == st || (st == PST_IO && t->state == PST_IDLE);
		__u64 x = t->ns[st];

		if (st == PST_IO)
			x += t->ns[PST_IDLE];
		if (open && now > t->since)
			x += now - t->since;
		if (start)
			c->st0[i] = x;
		else
			c->split[i] = x > c->st0[i] ? x - c->st0[i] : 0;
	}
	return true;
}

/* Whether thread pt serves c's request now (its number on the thread). */
static __always_inline bool req_mine(const struct peer_thread *pt, const struct req_conn *c, int fd)
{
	return pt->rq_fd == fd && pt->rq_seq == c->seq;
}

/* Request c (on fd) starts on thread pt: the thread serves it. A thread
 * that was still receiving another request serves two at once (an event
 * loop): neither one's downstream calls are attributable. */
static __always_inline void req_take(struct peer_thread *pt, struct req_conn *c, __u32 tgid,
				     int fd, __u64 now)
{
	struct req_conn_key ok = { .tgid = tgid, .fd = pt->rq_fd };
	struct req_conn *o;

	c->shared = 0;
	if (pt->rq_seq && pt->rq_fd != fd && (o = bpf_map_lookup_elem(&req_conns, &ok)) &&
	    o->seq == pt->rq_seq && o->state == REQ_RECEIVING) {
		o->shared = 1;
		c->shared = 1;
	}
	c->seq = c->seq + 1 ? c->seq + 1 : 1;
	__builtin_memset(c->down, 0, sizeof(c->down));
	__builtin_memset(c->split, 0, sizeof(c->split));
	c->split_ok = req_split(c, c->tid, now, true);
	pt->rq_fd = fd;
	pt->rq_seq = c->seq;
}

/* An I/O call of class cls (peers_work.h) on fd returned ret at now;
 * cs is the fd's cache slot, resolved for this file, in the current
 * thread's pt. A function of its own (a BPF call has 5 arguments: fd and
 * cls share one, the task and the epoch are read again): verified once,
 * not once per caller's path. */
static __noinline void req_io_call(struct peer_thread *pt, struct peer_cache_slot *cs,
				   __u64 fd_cls, long ret, __u64 now)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int fd = (int)(fd_cls >> 32), cls = (int)(__u32)fd_cls;
	struct req_conn_key ck = { .tgid = task->tgid, .fd = fd };
	bool in = cls == C_IN || cls == C_IN_MSGS;
	__u32 ep = epoch;
	struct req_conn *c;

	if (cs->req == REQ_FD_OTHER || ret < 0)
		return;
	if (cs->req == REQ_FD_UNKNOWN)
		cs->req = req_classify(task, cs, fd, now);
	if (cs->req != REQ_FD_SERVER)
		return;
	c = bpf_map_lookup_elem(&req_conns, &ck);
	if (!c || c->file != cs->file) {
		cs->req = REQ_FD_UNKNOWN;	/* aged out or replaced: look again */
		return;
	}
	if (in) {
		/* the client is done (end of file), or sends its next request */
		if (ret == 0 || c->state == REQ_RESPONDING)
			req_end_open(c, ck.tgid, now, ep);
		if (ret == 0)
			return;
		if (c->state == REQ_IDLE) {
			c->start_ns = now;
			c->first_send_ns = 0;
			c->last_send_ns = 0;
			c->bytes_in = 0;
			c->bytes_out = 0;
			c->tid = task->pid;
			c->state = REQ_RECEIVING;
			req_take(pt, c, ck.tgid, fd, now);
		} else if (!req_mine(pt, c, fd)) {
			c->shared = 1;	/* more of it read by another thread */
		}
		if (cls == C_IN)
			c->bytes_in += ret;
		return;
	}
	if (ret == 0 || c->state == REQ_IDLE)
		return;		/* nothing sent, or not an answer to a request */
	if (!req_mine(pt, c, fd))
		c->shared = 1;		/* answered by another thread, or by one
					 * that has taken up another request */
	else if (c->split_ok)
		c->split_ok = req_split(c, task->pid, now, false);
	if (!c->first_send_ns)
		c->first_send_ns = now;
	c->last_send_ns = now;
	if (cls == C_OUT)
		c->bytes_out += ret;
	c->state = REQ_RESPONDING;
}

/* A call on downstream peer (an fd that is no server connection) by
 * thread pt, delta ns long, turn: it was a round trip's receive. Counted
 * on the request the thread serves, if any. */
static __noinline void req_downstream(struct peer_thread *pt, __u64 peer, __u64 delta, bool turn)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct req_conn_key ck = { .tgid = task->tgid, .fd = pt->rq_fd };
	struct req_conn *c = bpf_map_lookup_elem(&req_conns, &ck);

	if (!c || c->seq != pt->rq_seq || c->state == REQ_IDLE) {
		pt->rq_seq = 0;		/* its request is over */
		return;
	}
	for (int i = 0; i < REQ_PEERS; i++) {
		struct req_peer_calls *d = &c->down[i];

		if (d->peer && d->peer != peer)
			continue;
		d->peer = peer;
		d->io_ns += delta;
		d->calls++;
		if (turn)
			d->turns++;
		return;
	}
}

/* The calls that are no peer's I/O (peers_work.h's C_NONE) but matter
 * here: accept and listen (sendfile's writes to its out_fd go through
 * peers_exit's path, for this view only). */
static __always_inline void requests_other(struct task_struct *task, struct pt_regs *regs,
					   __u32 nr, long ret, __u64 pstart, __u32 ep)
{
	if (ret < 0)
		return;
	if (nr == NR_accept || nr == NR_accept4)
		req_accept(task, (int)regs_arg1((__u64)regs), (int)ret, pstart, ep);
	else if (nr == NR_listen)
		req_listen(task, (int)regs_arg1((__u64)regs));
}

/* req_io_call, called. */
static __always_inline void req_io(struct peer_thread *pt, struct peer_cache_slot *cs,
				   int fd, int cls, long ret, __u64 now)
{
	if (cs->req == REQ_FD_OTHER || ret < 0)
		return;		/* the common case stays inline */
	req_io_call(pt, cs, ((__u64)(__u32)fd << 32) | (__u32)cls, ret, now);
}

#endif
