// SPDX-License-Identifier: GPL-2.0
/* tcp family: retransmits, resets and connect latency per connection, with
 * the owning process learnt in process context. Raw tracepoints only. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "hist.h"
#include "tcp.h"
#include "cgroup_wanted.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define SOCK_STREAM 1
#define PF_KTHREAD 0x00200000
#define EEXIST 17

/* Set through skel->rodata before load. */
const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[TCP_FILTER_MAX_PIDS] = {};

/* Bumped by the frontend at each snapshot; events go to slot epoch & 1. */
__u32 epoch = 0;

/* Programs writing each slot now. A writer counts itself in, then reads
 * epoch again: the frontend flips epoch, then waits for the old slot's
 * count to fall to zero before it reads and empties that slot. Whichever
 * comes first, the writer's count or the flip, one of them sees the other
 * (both are full barriers), so no event lands in a slot already read,
 * however long the writer was held up (an interrupt's softirq work, a
 * preempted vCPU). Events are rare here (retransmits, resets, connects):
 * two atomics each. */
__s64 slot_writers[2] = {};

/* Whatever could not be recorded: shown to the user, never silent. */
__u64 drop_events_full = 0;	/* event or connect map full */
__u64 drop_owner_evicted = 0;	/* an owner pushed out of the full LRU map */
__u64 drop_listen_full = 0;	/* listener map full: children unowned */
/* Live entries of sock_owners (inserted - deleted): the map's real size. */
__s64 owners_live = 0;

struct tcp_connect_val zero_connect = {};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TCP_OWNERS_MAX);
	__type(key, __u64);		/* struct sock * */
	__type(value, struct tcp_owner);
} sock_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TCP_LISTENERS_MAX);
	__type(key, struct tcp_listen_key);
	__type(value, struct tcp_listen_val);
} listen_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCP_EVENTS_MAX);
	__type(key, struct tcp_event_key);
	__type(value, struct tcp_event_val);
} tcp_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TCP_CONNECTS_MAX);
	__type(key, struct tcp_connect_key);
	__type(value, struct tcp_connect_val);
} tcp_connects SEC(".maps");

static __always_inline bool pid_wanted(__u32 tgid)
{
	__u32 i, n = filter_npids;

	if (!n)
		return true;
	for (i = 0; i < TCP_FILTER_MAX_PIDS; i++) {
		if (i >= n)
			break;
		if (filter_pids[i] == tgid)
			return true;
	}
	return false;
}

/* The current task as an owner; false for kernel threads (kernel sockets
 * of NFS, iSCSI...: nobody in user space to blame) and unwanted pids. */
static __always_inline bool current_owner(struct tcp_owner *o)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct___tcp *t = (void *)task;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return false;
	if (!pid_wanted(tgid) || !CGROUP_OK_CURRENT())
		return false;
	o->tgid = tgid;
	bpf_probe_read_kernel_str(o->comm, sizeof(o->comm),
				  BPF_CORE_READ(task, group_leader, comm));
	return true;
}

static __always_inline void owner_insert(__u64 sk, struct tcp_owner *o)
{
	if (bpf_map_update_elem(&sock_owners, &sk, o, BPF_NOEXIST) == 0) {
		/* a new entry in a full LRU map pushed an old one out */
		if (owners_live >= TCP_OWNERS_MAX)
			__sync_fetch_and_add(&drop_owner_evicted, 1);
		else
			__sync_fetch_and_add(&owners_live, 1);
		return;
	}
	bpf_map_update_elem(&sock_owners, &sk, o, BPF_EXIST);
}

static __always_inline void owner_delete(__u64 sk)
{
	if (bpf_map_delete_elem(&sock_owners, &sk) == 0)
		__sync_fetch_and_sub(&owners_live, 1);
}

static __always_inline bool is_tcp_inet(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return false;
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP &&
	       BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type) == SOCK_STREAM;
}

static __always_inline void v4mapped(__u8 *dst, __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

static __always_inline __u16 bswap16(__u16 v)
{
	return (__u16)((v >> 8) | (v << 8));
}

/* The 4-tuple of any socket kind (full, request, timewait): all start
 * with sock_common. */
static __always_inline void tuple_of(struct sock_common *skc, struct tcp_tuple *t)
{
	if (BPF_CORE_READ(skc, skc_family) == AF_INET6) {
		bpf_core_read(t->saddr, sizeof(t->saddr), &skc->skc_v6_rcv_saddr);
		bpf_core_read(t->daddr, sizeof(t->daddr), &skc->skc_v6_daddr);
	} else {
		v4mapped(t->saddr, BPF_CORE_READ(skc, skc_rcv_saddr));
		v4mapped(t->daddr, BPF_CORE_READ(skc, skc_daddr));
	}
	t->sport = BPF_CORE_READ(skc, skc_num);
	t->dport = bswap16(BPF_CORE_READ(skc, skc_dport));
}

/* The inode of a full socket's file, 0 if it has none (orphaned after
 * close(), or a request/timewait socket, which has no sk_socket). */
static __always_inline __u64 sock_ino(struct sock *sk)
{
	__u8 state;

	if (!sk)
		return 0;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == TCPS_TIME_WAIT || state == TCPS_NEW_SYN_RECV)
		return 0;
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

/* sk: the full socket of the event, or NULL */
/* Adds d to the writers of slot, in the fetch form of the atomic: a full
 * barrier on every architecture, so the epoch read after it is fresh. */
static __always_inline void slot_count(__u8 slot, __s64 d)
{
	__s64 was = __sync_fetch_and_add(&slot_writers[slot & 1], d);

	asm volatile("" : : "r"(was));
}

/* The slot to write, counted in; slot_leave() when done with it. */
static __always_inline __u8 slot_enter(void)
{
	__u32 ep = *(volatile __u32 *)&epoch, now;
	__u8 slot = ep & 1;

	slot_count(slot, 1);
	now = *(volatile __u32 *)&epoch;
	if (now != ep) {
		/* flipped meanwhile: the frontend may be reading that slot.
		 * The next flip is an interval away and waits for this one. */
		slot_count(slot, -1);
		slot = now & 1;
		slot_count(slot, 1);
	}
	return slot;
}

static __always_inline void slot_leave(__u8 slot)
{
	slot_count(slot, -1);
}

static __always_inline void event_add(struct tcp_event_key *k, struct tcp_owner *o,
				      struct sock *sk, __u64 n)
{
	struct tcp_event_val *v, zero = {};
	long err;

	if (o) {
		k->tgid = o->tgid;
		__builtin_memcpy(zero.comm, o->comm, sizeof(zero.comm));
	} else {
		zero.ino = sock_ino(sk);
		/* -p given: only sockets of those processes; one whose owner
		 * is unknown goes on only if the frontend can find it */
		if ((filter_npids || filter_ncgroups) && !zero.ino)
			return;
	}
	k->slot = slot_enter();
	v = bpf_map_lookup_elem(&tcp_events, k);
	if (!v) {
		err = bpf_map_update_elem(&tcp_events, k, &zero, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&drop_events_full, 1);
			goto out;
		}
		v = bpf_map_lookup_elem(&tcp_events, k);
		if (!v)
			goto out;
	}
	__sync_fetch_and_add(&v->count, n);
out:
	slot_leave(k->slot);
}

static __always_inline struct tcp_owner *owner_of(const void *sk)
{
	__u64 key = (__u64)sk;

	return bpf_map_lookup_elem(&sock_owners, &key);
}

/* ---- owners: learnt where current is the process that uses the socket */

static __always_inline void learn(struct sock *sk)
{
	struct tcp_owner o = {}, *cur;
	__u64 key = (__u64)sk;

	__u16 family;

	if (!sk)
		return;
	/* unix and netlink sockets leave after one read */
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	cur = bpf_map_lookup_elem(&sock_owners, &key);
	/* the fast path: the same process as last time, nothing to write */
	if (cur && cur->tgid == bpf_get_current_pid_tgid() >> 32)
		return;
	if (!cur && !is_tcp_inet(sk))
		return;
	if (!current_owner(&o))
		return;
	if (cur) {
		o.connect_start_ns = cur->connect_start_ns;
		bpf_map_update_elem(&sock_owners, &key, &o, BPF_EXIST);
		return;
	}
	owner_insert(key, &o);
}

SEC("raw_tracepoint/sock_send_length")
int tcp_send_len(struct bpf_raw_tracepoint_args *ctx)
{
	learn((struct sock *)ctx->args[0]);
	return 0;
}

SEC("raw_tracepoint/sock_recv_length")
int tcp_recv_len(struct bpf_raw_tracepoint_args *ctx)
{
	learn((struct sock *)ctx->args[0]);
	return 0;
}

static __always_inline void connect_done(struct sock *sk, struct tcp_owner *o, bool ok)
{
	struct tcp_connect_key k = {};
	struct tcp_connect_val *v;
	struct tcp_tuple t = {};
	__u64 delta = bpf_ktime_get_ns() - o->connect_start_ns;
	__u32 idx;
	long err;

	o->connect_start_ns = 0;
	tuple_of(&sk->__sk_common, &t);
	__builtin_memcpy(k.daddr, t.daddr, sizeof(k.daddr));
	k.dport = t.dport;
	k.tgid = o->tgid;
	k.slot = slot_enter();
	v = bpf_map_lookup_elem(&tcp_connects, &k);
	if (!v) {
		err = bpf_map_update_elem(&tcp_connects, &k, &zero_connect, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&drop_events_full, 1);
			goto out;
		}
		v = bpf_map_lookup_elem(&tcp_connects, &k);
		if (!v)
			goto out;
		if (!err)
			__builtin_memcpy(v->comm, o->comm, sizeof(v->comm));
	}
	if (!ok) {
		__sync_fetch_and_add(&v->failed, 1);
		goto out;
	}
	__sync_fetch_and_add(&v->count, 1);
	idx = hist_bucket(delta);
	asm volatile("" : "+r"(idx));
	if (idx < HIST_NBUCKETS)
		__sync_fetch_and_add(&v->hist[idx], 1);
	/* racy between CPUs like every BPF max; one connection's two ends
	 * never race here */
	if (delta > v->max_ns)
		v->max_ns = delta;
out:
	slot_leave(k.slot);
}

SEC("raw_tracepoint/inet_sock_set_state")
int tcp_set_state(struct bpf_raw_tracepoint_args *ctx)
{
	struct sock *sk = (struct sock *)ctx->args[0];
	int oldstate = (int)ctx->args[1], newstate = (int)ctx->args[2];
	struct tcp_listen_key lk = {};
	struct tcp_listen_val *lv;
	struct tcp_owner o = {}, *cur;
	__u64 key = (__u64)sk;

	/* most transitions (FIN_WAIT1, TIME_WAIT, ...) need nothing here:
	 * leave before reading the socket */
	if (newstate != TCPS_SYN_SENT && newstate != TCPS_LISTEN && newstate != TCPS_SYN_RECV &&
	    oldstate != TCPS_SYN_SENT && oldstate != TCPS_LISTEN)
		return 0;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;

	switch (newstate) {
	case TCPS_SYN_SENT:
		/* connect(): in the process's own context */
		if (!current_owner(&o))
			return 0;
		o.connect_start_ns = bpf_ktime_get_ns();
		owner_insert(key, &o);
		return 0;
	case TCPS_LISTEN: {
		struct tcp_listen_val v = {};

		if (!current_owner(&o))
			return 0;
		owner_insert(key, &o);
		lk.net = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
		lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
		v.owner = o;
		v.sk = key;
		if (bpf_map_update_elem(&listen_owners, &lk, &v, BPF_ANY))
			__sync_fetch_and_add(&drop_listen_full, 1);
		return 0;
	}
	case TCPS_SYN_RECV:
		/* a child made from a listener, in softirq: until its own
		 * process does I/O on it, it belongs to the listener's */
		if (oldstate != TCPS_LISTEN)
			return 0;
		lk.net = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
		lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
		lv = bpf_map_lookup_elem(&listen_owners, &lk);
		if (lv) {
			o = lv->owner;
			owner_insert(key, &o);
		}
		return 0;
	}

	if (oldstate == TCPS_SYN_SENT) {
		cur = bpf_map_lookup_elem(&sock_owners, &key);
		if (cur && cur->connect_start_ns)
			connect_done(sk, cur, newstate == TCPS_ESTABLISHED);
	} else if (oldstate == TCPS_LISTEN && newstate == TCPS_CLOSE) {
		lk.net = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
		lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
		lv = bpf_map_lookup_elem(&listen_owners, &lk);
		if (lv && lv->sk == key)
			bpf_map_delete_elem(&listen_owners, &lk);
	}
	return 0;
}

/* The socket is freed: its owner entry goes (this keeps sock_owners as
 * large as the number of live sockets seen, whatever the churn). */
SEC("raw_tracepoint/tcp_destroy_sock")
int tcp_destroy(struct bpf_raw_tracepoint_args *ctx)
{
	owner_delete(ctx->args[0]);
	return 0;
}

/* ---- retransmits */

static __always_inline int retransmit(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_event_key k = {};
	__u16 segs = 0;

	/* count segments, as the kernel's RetransSegs does: one retransmit
	 * of a GSO skb resends tcp_gso_segs of them */
	if (skb)
		bpf_probe_read_kernel(&segs, sizeof(segs),
				      (void *)skb + bpf_core_field_offset(struct sk_buff, cb) +
				      bpf_core_field_offset(struct tcp_skb_cb, tcp_gso_segs));
	if (!segs)
		segs = 1;
	tuple_of(&sk->__sk_common, &k.t);
	k.kind = TCP_EV_RETRANS;
	k.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	event_add(&k, owner_of(sk), sk, segs);
	return 0;
}

/* Since 6.14 the tracepoint also fires for retransmits that failed, with
 * their error as a third argument; only those sent count. The frontend
 * loads this one or the two-argument one from the kernel's BTF. */
SEC("raw_tracepoint/tcp_retransmit_skb")
int tcp_retrans_err(struct bpf_raw_tracepoint_args *ctx)
{
	if ((int)ctx->args[2] != 0)
		return 0;
	return retransmit((struct sock *)ctx->args[0], (struct sk_buff *)ctx->args[1]);
}

SEC("raw_tracepoint/tcp_retransmit_skb")
int tcp_retrans(struct bpf_raw_tracepoint_args *ctx)
{
	return retransmit((struct sock *)ctx->args[0], (struct sk_buff *)ctx->args[1]);
}

/* A SYN-ACK resent by a listener: the connection is the request's, the
 * owner the listener's. */
SEC("raw_tracepoint/tcp_retransmit_synack")
int tcp_retrans_synack(struct bpf_raw_tracepoint_args *ctx)
{
	struct sock *sk = (struct sock *)ctx->args[0];
	struct request_sock *req = (struct request_sock *)ctx->args[1];
	struct tcp_event_key k = {};

	tuple_of(&req->__req_common, &k.t);
	k.kind = TCP_EV_RETRANS;
	k.state = TCPS_SYN_RECV;
	event_add(&k, owner_of(sk), sk, 1);
	return 0;
}

/* ---- resets */

/* A reset answering a packet no socket wanted (sk NULL): the tuple comes
 * from the packet, reversed so that the local end is the source. Wire
 * offsets are fixed by RFC 791 / RFC 8200 / RFC 9293. */
static __always_inline int tuple_from_skb(struct sk_buff *skb, struct tcp_tuple *t)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	unsigned char *nh = head + BPF_CORE_READ(skb, network_header);
	unsigned char *th = head + BPF_CORE_READ(skb, transport_header);
	__u8 ver = 0;
	__be32 a;
	__u16 ports[2];

	if (bpf_probe_read_kernel(&ver, 1, nh))
		return -1;
	if ((ver >> 4) == 4) {
		bpf_probe_read_kernel(&a, 4, nh + 16);
		v4mapped(t->saddr, a);
		bpf_probe_read_kernel(&a, 4, nh + 12);
		v4mapped(t->daddr, a);
	} else if ((ver >> 4) == 6) {
		bpf_probe_read_kernel(t->saddr, 16, nh + 24);
		bpf_probe_read_kernel(t->daddr, 16, nh + 8);
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(ports, sizeof(ports), th))
		return -1;
	t->sport = bswap16(ports[1]);
	t->dport = bswap16(ports[0]);
	return 0;
}

SEC("raw_tracepoint/tcp_send_reset")
int tcp_send_rst(struct bpf_raw_tracepoint_args *ctx)
{
	struct sock *sk = (struct sock *)ctx->args[0];
	struct sk_buff *skb = (struct sk_buff *)ctx->args[1];
	struct tcp_event_key k = {};

	k.kind = TCP_EV_RESET_SENT;
	/* a listener answering a stray segment: its own tuple has no remote */
	if (sk && skb && BPF_CORE_READ(sk, __sk_common.skc_state) == TCPS_LISTEN) {
		if (tuple_from_skb(skb, &k.t) == 0)
			event_add(&k, owner_of(sk), sk, 1);
	} else if (sk) {
		__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

		tuple_of(&sk->__sk_common, &k.t);
		/* close() with SO_LINGER 0 frees the port (skc_num = 0)
		 * before the reset goes out; a full socket still knows it */
		if (!k.t.sport && state != TCPS_TIME_WAIT && state != TCPS_NEW_SYN_RECV)
			k.t.sport = bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
		event_add(&k, owner_of(sk), sk, 1);
	} else if (skb && tuple_from_skb(skb, &k.t) == 0) {
		event_add(&k, 0, 0, 1);
	}
	return 0;
}

SEC("raw_tracepoint/tcp_receive_reset")
int tcp_recv_rst(struct bpf_raw_tracepoint_args *ctx)
{
	struct sock *sk = (struct sock *)ctx->args[0];
	struct tcp_event_key k = {};

	tuple_of(&sk->__sk_common, &k.t);
	k.kind = TCP_EV_RESET_RECV;
	event_add(&k, owner_of(sk), sk, 1);
	return 0;
}
