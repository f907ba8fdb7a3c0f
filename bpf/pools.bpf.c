// SPDX-License-Identifier: GPL-2.0
/* pools family: a per-thread state machine (oncpu, runq, lock, io, idle)
 * from the scheduler's tracepoints.
 *
 * What a sleeping thread waits on is read at the moment it goes to sleep,
 * from its own saved user registers (bpf_task_pt_regs: orig_ax is the
 * syscall number, -1 outside a syscall), so no syscall entry hook is needed
 * on the hot path. The main thread of a process (tid == pid) is never a
 * worker (SPEC), so it and every single-threaded process and kernel thread
 * are skipped at the first comparison. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "hist.h"
#include "pools.h"
#include "slots.h"
#include "cgroup_wanted.h"
#define PEER_NAMES_MAX 4096	/* blocked_on names only what pools wait on */
#include "peer_resolve.h"	/* fd_file, file_desc, peer_name: blocked_on */

char LICENSE[] SEC("license") = "GPL";

#define NR_MAX 1024		/* syscall numbers at or above: "io" */
#define SF_CLASS 0x07		/* enum pool_wait */
#define SF_IOFD 0x10		/* first argument is a descriptor read or written */
#define SF_ACCEPT 0x20		/* returns an accepted connection */
#define SF_SETNAME 0x40		/* prctl: the thread may have renamed itself */
#define SF_PEERFD 0x08		/* blocked_on: first argument names the peer */
#define SF_CONNECT 0x80		/* blocked_on: connect, named from its sockaddr */

/* S_IFMT, S_IFSOCK: peer_resolve.h */
#define TCP_LISTEN 10
#define TASK_DEAD 0x80		/* prev_state of a thread's last switch */

/* Set through skel->rodata before load. */
const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[POOLS_MAX_PIDS] = {};
const volatile __u8 sys_flags[NR_MAX] = {};	/* SF_* per syscall number */

/* Whatever could not be recorded: shown to the user, never silent. */
__u64 drop_map_full = 0;	/* thread table full: thread not followed */
__u64 drop_events = 0;		/* ring buffer full: idle/role change lost */
__u64 accepts_seen = 0;		/* a non-main thread slept in accept(2) */
__u32 main_names = 0;		/* the frontend keeps main threads' names (task_rename on) */

struct pool_thread zero_thread = {};

/* The threads followed: each an element (slot) of an mmap-able array the
 * frontend reads in place every snapshot (no copy of 1 KiB per thread
 * through a map batch read), found by tid through the hash thread_slots.
 * Slots are handed out from free_slots (those the frontend freed after it
 * read an exited thread), else never used ones in order (slot_next): the
 * frontend reads [0, slot_next). Sizes are set by the frontend. */
const volatile __u32 table_size = 1;
__u32 slot_next = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pool_thread);
} thread_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);		/* tid */
	__type(value, __u32);		/* slot */
} thread_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16384);
	__type(value, __u32);
} free_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Connections accepted by a (non-main) thread, until the first I/O on them
 * tells who serves them. Keyed by struct file; the inode number guards
 * against a file struct reused for something else. */
struct accepted_val {
	__u64 ino;
	__u32 tid, tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct accepted_val);
} accepted SEC(".maps");

/* Processes in which a non-main thread accepted a connection: only their
 * reads and writes are looked at. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tgid */
	__type(value, __u8);
} accept_procs SEC(".maps");

static __always_inline bool pid_wanted(__u32 tgid)
{
	__u32 i, n = filter_npids;

	if (!n)
		return true;
	for (i = 0; i < POOLS_MAX_PIDS; i++) {
		if (i >= n)
			break;
		if (filter_pids[i] == tgid)
			return true;
	}
	return false;
}

/* No wakeup per event: the frontend drains the buffer on a timer, which
 * keeps both sides cheap when idle transitions are many. */
static __always_inline void emit(__u64 ts, __u32 tid, __u32 tgid, __u32 kind, __u32 nr,
				 const char *comm)
{
	struct pool_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&drop_events, 1);
		return;
	}
	e->ts = ts;
	e->tid = tid;
	e->tgid = tgid;
	e->kind = kind;
	e->nr = nr;
	__builtin_memcpy(e->comm, comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* The thread's entry, or NULL. */
static __always_inline struct pool_thread *thread_find(__u32 tid)
{
	__u32 *slot = bpf_map_lookup_elem(&thread_slots, &tid);

	return slot ? bpf_map_lookup_elem(&thread_table, slot) : 0;
}

/* The thread's entry; made (state unknown) if it has none. */
static __always_inline struct pool_thread *thread_get(__u32 tid, __u32 tgid,
						      struct task_struct *t, __u64 now)
{
	struct pool_thread *pt = thread_find(tid);
	long s;
	__u32 slot;

	if (pt)
		return pt;
	s = slot_take(&free_slots, &slot_next, table_size);
	if (s < 0) {
		__sync_fetch_and_add(&drop_map_full, 1);
		return 0;
	}
	slot = (__u32)s;
	pt = bpf_map_lookup_elem(&thread_table, &slot);
	if (!pt)
		return 0;
	bpf_probe_read_kernel(pt, sizeof(*pt), &zero_thread);
	pt->tgid = tgid;
	pt->first_ns = now;
	pt->since = now;
	BPF_CORE_READ_STR_INTO(&pt->comm, t, comm);
	pt->tid = tid;
	if (bpf_map_update_elem(&thread_slots, &tid, &slot, BPF_NOEXIST)) {
		/* made on another CPU (or the index is full): the slot goes back */
		pt->tid = 0;
		bpf_map_push_elem(&free_slots, &slot, 0);
		pt = thread_find(tid);
		if (!pt)
			__sync_fetch_and_add(&drop_map_full, 1);
	}
	return pt;
}

/* --- what a sleeping thread waits on ------------------------------------ */

/* The struct file of descriptor fd of the current task, or NULL. */
static __always_inline struct file___pools *pools_fd_file(struct fdtable___pools *fdt, long fd)
{
	struct file___pools **arr, *f = 0;
	unsigned int max;

	if (fd < 0 || !fdt)
		return 0;
	max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		return 0;
	arr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline struct fdtable___pools *current_fdt(void)
{
	struct task_struct___pools *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, files, fdt);
}

/* A descriptor whose readiness means "work arrived": a listening socket,
 * an eventfd, timerfd, signalfd or epoll descriptor (SPEC). A subprogram
 * of its own, checked once by the verifier. */
static __noinline bool fd_is_wait_for_work(struct fdtable___pools *fdt, long fd)
{
	struct file___pools *f = pools_fd_file(fdt, fd);
	const unsigned char *name;
	char head[4] = {};
	umode_t mode;

	if (!f)
		return false;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) == S_IFSOCK) {
		struct socket___pools *sock = BPF_CORE_READ(f, private_data);

		return BPF_CORE_READ(sock, sk, __sk_common.skc_state) == TCP_LISTEN;
	}
	/* anonymous-inode files are named "[eventfd]", "[timerfd]",
	 * "[signalfd]", "[eventpoll]" */
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel(head, sizeof(head), name);
	if (head[0] != '[')
		return false;
	return (head[1] == 'e' && head[2] == 'v' && head[3] == 'e') ||
	       (head[1] == 't' && head[2] == 'i' && head[3] == 'm') ||
	       (head[1] == 's' && head[2] == 'i' && head[3] == 'g');
}

struct pollfd___user {
	int fd;
	short events, revents;
};

struct poll_ctx {
	struct pollfd___user pf[8];
	struct fdtable___pools *fdt;
	__u64 nfds;
	bool idle;
};

/* The loops run through bpf_loop: their bodies are verified once. */
static long poll_one(__u32 i, struct poll_ctx *c)
{
	if (i >= 8 || i >= c->nfds)
		return 1;
	if (fd_is_wait_for_work(c->fdt, c->pf[i].fd)) {
		c->idle = true;
		return 1;
	}
	return 0;
}

static __always_inline __u8 classify_poll(const void *ufds, __u64 nfds)
{
	struct poll_ctx c = {};

	if (nfds > 8)
		return PST_IDLE;
	if (!nfds || bpf_probe_read_user(c.pf, (nfds & 15) * sizeof(c.pf[0]) & 0x7f, ufds))
		return PST_IO;
	c.fdt = current_fdt();
	c.nfds = nfds;
	bpf_loop(8, poll_one, &c, 0);
	return c.idle ? PST_IDLE : PST_IO;
}

struct select_ctx {
	const __u64 *set[3];
	struct fdtable___pools *fdt;
	__u64 bits;
	long nfds;
	__u32 words, w, base, count;
	bool idle;
};

/* Each turn either loads the next word of the three sets or takes one
 * watched descriptor out of it; a ninth descriptor means idle. */
static long select_one(__u32 k, struct select_ctx *c)
{
	__u64 word;

	if (!c->bits) {
		if (c->w >= c->words || c->w >= 16)
			return 1;
		for (int j = 0; j < 3; j++)
			if (c->set[j] && !bpf_probe_read_user(&word, 8, c->set[j] + c->w))
				c->bits |= word;
		if (c->w == c->words - 1 && (c->nfds & 63) && c->nfds <= 1024)
			c->bits &= (1ULL << (c->nfds & 63)) - 1;
		c->base = c->w * 64;
		c->w++;
		return 0;
	}
	if (++c->count > 8 || fd_is_wait_for_work(c->fdt, c->base + hist_log2(c->bits & -c->bits))) {
		c->idle = true;
		return 1;
	}
	c->bits &= c->bits - 1;
	return 0;
}

static __always_inline __u8 classify_select(long nfds, const __u64 *in, const __u64 *out,
					    const __u64 *ex)
{
	struct select_ctx c = {};

	if (nfds <= 0)
		return PST_IO;
	c.words = nfds > 1024 ? 16 : (__u32)(((__u64)nfds + 63) >> 6);
	c.nfds = nfds;
	c.set[0] = in;
	c.set[1] = out;
	c.set[2] = ex;
	c.fdt = current_fdt();
	bpf_loop(16 + 9, select_one, &c, 0);
	return c.idle ? PST_IDLE : PST_IO;
}

/* The state of the current task, which is going to sleep. */
static __always_inline __u8 classify_sleep(long *nrp)
{
	struct pt_regs___pools *regs;
	long nr;
	__u32 op, val;

	regs = (void *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = regs->orig_ax;
	*nrp = nr;
	if (nr < 0 || nr >= NR_MAX)
		return PST_IO;	/* asleep in the kernel outside a syscall */
	switch (sys_flags[nr] & SF_CLASS) {
	case PW_IDLE:
		/* a thread of a pool waits in accept: the frontend attaches
		 * sys_exit, which tells acceptors from workers, only now */
		if ((sys_flags[nr] & SF_ACCEPT) && !accepts_seen)
			accepts_seen = 1;
		return PST_IDLE;
	case PW_LOCK:
		return PST_LOCK;
	case PW_FUTEX:
		op = (__u32)regs->si & ~(128u | 256u);
		val = (__u32)regs->dx;
		switch (op) {
		case 0:		/* FUTEX_WAIT: 2 is glibc's and Rust's contended mutex */
			return val == 2 ? PST_LOCK : PST_IDLE;
		case 6:		/* FUTEX_LOCK_PI */
		case 11:	/* FUTEX_WAIT_REQUEUE_PI */
		case 13:	/* FUTEX_LOCK_PI2 */
			return PST_LOCK;
		case 9:		/* FUTEX_WAIT_BITSET: a condition wait */
			return PST_IDLE;
		default:
			return PST_IO;
		}
	case PW_POLL:
		return classify_poll((const void *)regs->di,
				     regs->si);
	case PW_SELECT:
		return classify_select((long)regs->di,
				       (const __u64 *)regs->si,
				       (const __u64 *)regs->dx,
				       (const __u64 *)regs->r10);
	case PW_URING:
		/* io_uring_enter(fd, to_submit, min_complete, flags): waiting
		 * for completions (IORING_ENTER_GETEVENTS) is waiting for work */
		return regs->r10 & 1 ? PST_IDLE : PST_IO;
	default:
		return PST_IO;
	}
}

/* --- blocked_on: the peer an io sleep waits on ----------------------------- */

/* Resolved when a thread goes to sleep in io in a call that names a peer
 * (read/write-like calls on an fd, poll/ppoll on one fd, connect), kept in
 * the thread's entry (io_peer) and charged with the sleep's length when it
 * ends (close_state). Independent of the peers family (--peers). */

__u64 blocked_unresolved = 0;	/* a peer's descriptor could not be read */
__u64 drop_blocked_full = 0;	/* blocked map full: io time not attributed */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);	/* resized by the frontend before load */
	__type(key, struct pool_blocked_key);
	__type(value, __u64);		/* io ns, cumulative */
} blocked SEC(".maps");

/* connect(fd, addr, len): the remote asked for (peer_resolve.h). */
static __always_inline __u64 connect_peer_id(struct task_struct *task,
					     struct pt_regs___pools *regs)
{
	struct file *f = fd_file(task, (int)regs->di);
	struct peer_desc *d = peer_scratch();

	if (!d || !connect_desc(f, (void *)regs->si, d))
		return 0;
	return peer_name(d);
}

/* The peer the current thread, going to sleep in io in syscall nr, waits
 * on; 0 if the call names none. A subprogram of its own: verified once, and
 * the sched_switch path pays only the call when the sleep is not io. */
static __noinline __u64 blocked_resolve(struct pool_thread *pt, long nr)
{
	struct pt_regs___pools *regs;
	struct task_struct *task;
	struct peer_desc *d;
	struct inode *inode;
	struct file *f;
	__u64 ino, id;
	long fd;
	__u8 fl;

	if (nr < 0 || nr >= NR_MAX || !pt)
		return 0;
	fl = sys_flags[nr];
	if (!(fl & (SF_PEERFD | SF_CONNECT)) && (fl & SF_CLASS) != PW_POLL)
		return 0;	/* nanosleep, a futex op, ...: no peer */
	task = bpf_get_current_task_btf();
	regs = (void *)bpf_task_pt_regs(task);
	if (fl & SF_PEERFD) {
		fd = (long)regs->di;
	} else if ((fl & SF_CLASS) == PW_POLL) {
		struct pollfd___user pf;

		/* poll/ppoll on exactly one descriptor: a read with a timeout */
		if (regs->si != 1 ||
		    bpf_probe_read_user(&pf, sizeof(pf), (void *)regs->di))
			return 0;
		fd = pf.fd;
	} else if (fl & SF_CONNECT) {
		return connect_peer_id(task, regs);
	} else {
		return 0;
	}
	f = fd_file(task, (int)fd);
	if (!f)
		return 0;
	inode = file_inode(f);
	ino = BPF_CORE_READ(inode, i_ino);
	if (pt->pc_file == (__u64)f && pt->pc_ino == ino)
		return pt->pc_peer;
	id = file_peer(f, inode, &blocked_unresolved, &d);
	if (!id)
		return 0;	/* not cached: a socket may get its peer later */
	pt->pc_file = (__u64)f;
	pt->pc_ino = ino;
	pt->pc_peer = id;
	return id;
}

/* An io sleep on a peer ended after d ns. */
static __always_inline void blocked_charge(struct pool_thread *pt, __u32 tid, __u64 d)
{
	struct pool_blocked_key k = { .peer = pt->io_peer, .tid = tid, .tgid = pt->tgid };
	__u64 *v = bpf_map_lookup_elem(&blocked, &k);
	long err;

	if (v) {
		__sync_fetch_and_add(v, d);
		return;
	}
	err = bpf_map_update_elem(&blocked, &k, &d, BPF_NOEXIST);
	if (err == -17 /* EEXIST: made on another CPU */) {
		v = bpf_map_lookup_elem(&blocked, &k);
		if (v)
			__sync_fetch_and_add(v, d);
	} else if (err) {
		__sync_fetch_and_add(&drop_blocked_full, 1);
	}
}

/* Closes the current state of thread tid at now. */
static __always_inline void close_state(struct pool_thread *pt, __u32 tid, __u64 now)
{
	__u64 d = now > pt->since ? now - pt->since : 0;
	__u32 s = pt->state;

	/* ns[PST_UNKNOWN] collects time in no known state; never reported */
	if (s < PST_NR)
		pt->ns[s] += d;
	pt->since = now;
	if (s == PST_IO && pt->io_peer) {
		blocked_charge(pt, tid, d);
		pt->io_peer = 0;
	}
}

/* --- the scheduler's tracepoints ----------------------------------------- */

/* TP_PROTO(bool preempt, struct task_struct *prev, struct task_struct *next,
 *          unsigned int prev_state); prev is current. */
SEC("raw_tracepoint/sched_switch")
int pools_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *next = (void *)ctx->args[2];
	unsigned int prev_state = (unsigned int)ctx->args[3];
	__u64 id = bpf_get_current_pid_tgid(), now = 0;
	__u32 tid = (__u32)id, tgid = id >> 32, ntid, ntgid;
	struct pool_thread *pt;

	/* a dead thread's last switch: its entry went at sched_process_exit
	 * (and may be handed back already); nothing to make again */
	if (tid != tgid && !(prev_state & TASK_DEAD) && pid_wanted(tgid) &&
	    CGROUP_OK_CURRENT()) {
		now = bpf_ktime_get_ns();
		pt = thread_get(tid, tgid, (void *)ctx->args[1], now);
		if (pt && !pt->exited) {
			__u8 st;
			long nr = -1;

			/* first seen running: not idle, whatever /proc said */
			if (pt->state == PST_UNKNOWN)
				emit(now, tid, tgid, PEV_WAKE_UNKNOWN, 0, pt->comm);
			close_state(pt, tid, now);
			/* preempted: 0, or only TASK_REPORT_MAX (0x100) */
			if (!(prev_state & 0xff)) {
				st = PST_RUNQ;
			} else if (pt->in_klock) {
				st = PST_LOCK;	/* asleep on a contended kernel lock */
			} else {
				st = classify_sleep(&nr);
				if (st == PST_IO)
					pt->io_peer = blocked_resolve(pt, nr);
				bpf_get_current_comm(pt->comm, sizeof(pt->comm));
				if (st == PST_IDLE)
					emit(now, tid, tgid, PEV_IDLE_ENTER, (__u32)nr, pt->comm);
			}
			pt->state = st;
		}
	}

	ntid = BPF_CORE_READ(next, pid);
	ntgid = BPF_CORE_READ(next, tgid);
	if (ntid == ntgid || !pid_wanted(ntgid) || !CGROUP_OK_TASK(next))
		return 0;
	if (!now)
		now = bpf_ktime_get_ns();
	pt = thread_get(ntid, ntgid, next, now);
	if (!pt || pt->exited)
		return 0;
	if (pt->state == PST_RUNQ) {
		__u64 wait = now > pt->since ? now - pt->since : 0;
		__u32 idx = ph_bucket(wait);

		asm volatile("" : "+r"(idx));
		if (idx < PH_NBUCKETS)
			pt->runq_hist[idx]++;
		pt->runq_count++;
	} else if (pt->state == PST_IDLE || pt->state == PST_UNKNOWN) {
		/* its wakeup was missed (or came before attach): not idle now */
		emit(now, ntid, ntgid, pt->state == PST_IDLE ? PEV_IDLE_LEAVE : PEV_WAKE_UNKNOWN,
		     0, pt->comm);
	}
	close_state(pt, ntid, now);
	pt->state = PST_ONCPU;
	return 0;
}

static __always_inline int on_wakeup(struct task_struct *p, bool new)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	struct pool_thread *pt;
	__u64 now;

	if (tid == tgid || !pid_wanted(tgid) || !CGROUP_OK_TASK(p))
		return 0;
	now = bpf_ktime_get_ns();
	pt = thread_get(tid, tgid, p, now);
	if (!pt || pt->exited)
		return 0;
	switch (pt->state) {
	case PST_UNKNOWN:
		if (!new)	/* asleep since before attach: in what, the frontend knows */
			emit(now, tid, tgid, PEV_WAKE_UNKNOWN, 0, pt->comm);
		break;
	case PST_IDLE:
		emit(now, tid, tgid, PEV_IDLE_LEAVE, 0, pt->comm);
		break;
	case PST_LOCK:
	case PST_IO:
		break;
	default:
		return 0;	/* woken before it slept: still running */
	}
	close_state(pt, tid, now);
	pt->state = PST_RUNQ;
	return 0;
}

/* TP_PROTO(struct task_struct *p) */
SEC("raw_tracepoint/sched_wakeup")
int pools_wakeup(struct bpf_raw_tracepoint_args *ctx)
{
	return on_wakeup((void *)ctx->args[0], false);
}

SEC("raw_tracepoint/sched_wakeup_new")
int pools_wakeup_new(struct bpf_raw_tracepoint_args *ctx)
{
	return on_wakeup((void *)ctx->args[0], true);
}

/* TP_PROTO(struct task_struct *p, ...): p is current. Its entry stays, frozen,
 * until the frontend has read it. */
SEC("raw_tracepoint/sched_process_exit")
int pools_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct pool_thread *pt;

	if (!pid_wanted(tgid) || !CGROUP_OK_CURRENT())
		return 0;
	now = bpf_ktime_get_ns();
	if (tid == tgid) {
		/* the frontend forgets the name it keeps of the process */
		if (main_names)
			emit(now, tid, tgid, PEV_MAIN_EXIT, 0, zero_thread.comm);
		return 0;
	}
	pt = thread_get(tid, tgid, (void *)ctx->args[0], now);
	if (!pt || pt->exited)
		return 0;
	close_state(pt, tid, now);
	pt->exited = 1;
	emit(now, tid, tgid, PEV_EXIT, 0, pt->comm);
	return 0;
}

/* TP_PROTO(struct task_struct *task, const char *comm): prctl(PR_SET_NAME),
 * exec and writes to /proc/PID/comm. The frontend shows each pool's main
 * thread's name and keeps it instead of reading /proc every interval: a
 * main thread's rename tells it to read it again. Attached by the frontend
 * (main_names set first); without it, it reads /proc each time. */
SEC("raw_tracepoint/task_rename")
int pools_rename(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *t = (void *)ctx->args[0];
	__u32 tid = BPF_CORE_READ(t, pid), tgid = BPF_CORE_READ(t, tgid);

	if (tid != tgid || !pid_wanted(tgid) || !CGROUP_OK_TASK(t))
		return 0;
	emit(bpf_ktime_get_ns(), tid, tgid, PEV_MAIN_NAME, 0, zero_thread.comm);
	return 0;
}

/* --- roles: acceptors and workers that accept ----------------------------- */

static __always_inline void set_role(__u32 tid, __u32 tgid, bool acceptor, __u64 now)
{
	struct pool_thread *pt = thread_find(tid);

	if (!pt || pt->acceptor == acceptor)
		return;
	pt->acceptor = acceptor;
	emit(now, tid, tgid, acceptor ? PEV_ACCEPTOR : PEV_WORKER, 0, pt->comm);
}

/* TP_PROTO(struct pt_regs *regs, long ret). Only accept(2) and the first
 * read or write on an accepted socket do work here; prctl refreshes the
 * name a thread gave itself. Attached by the frontend only once a non-main
 * thread was seen asleep in accept (accepts_seen), so hosts and processes
 * without such threads pay nothing per syscall. */
SEC("raw_tracepoint/sys_exit")
int pools_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	long ret = (long)ctx->args[1], nr;
	struct accepted_val *av, nv = {};
	struct file___pools *f;
	__u8 fl;

	if (!pid_wanted(tgid) || !CGROUP_OK_CURRENT())
		return 0;
	nr = regs_nr(ctx->args[0]);
	if (nr < 0 || nr >= NR_MAX)
		return 0;
	fl = sys_flags[nr];
	if (!(fl & (SF_IOFD | SF_ACCEPT | SF_SETNAME)))
		return 0;
	if (fl & SF_SETNAME) {
		struct pool_thread *pt = thread_find(tid);

		if (pt)
			bpf_get_current_comm(pt->comm, sizeof(pt->comm));
		return 0;
	}
	if (fl & SF_ACCEPT) {
		if (ret < 0 || tid == tgid)
			return 0;
		f = pools_fd_file(current_fdt(), ret);
		if (!f)
			return 0;
		nv.ino = BPF_CORE_READ(f, f_inode, i_ino);
		nv.tid = tid;
		nv.tgid = tgid;
		__u64 key = (__u64)f;
		bpf_map_update_elem(&accepted, &key, &nv, BPF_ANY);
		if (!bpf_map_lookup_elem(&accept_procs, &tgid)) {
			__u8 one = 1;

			bpf_map_update_elem(&accept_procs, &tgid, &one, BPF_ANY);
		}
		return 0;
	}
	if (ret < 0 || !bpf_map_lookup_elem(&accept_procs, &tgid))
		return 0;
	f = pools_fd_file(current_fdt(), (long)regs_arg1(ctx->args[0]));
	if (!f)
		return 0;
	__u64 key = (__u64)f;
	av = bpf_map_lookup_elem(&accepted, &key);
	if (!av)
		return 0;
	nv = *av;
	bpf_map_delete_elem(&accepted, &key);
	if (nv.tgid != tgid || nv.ino != BPF_CORE_READ(f, f_inode, i_ino))
		return 0;
	set_role(nv.tid, nv.tgid, nv.tid != tid, bpf_ktime_get_ns());
	return 0;
}

/* --- kernel lock contention: a sleep in between is "lock" ----------------- */

/* TP_PROTO(void *lock, unsigned int flags); current is the waiter. Attached
 * when the kernel has the tracepoints (5.19+); without them such sleeps
 * count as io. */
SEC("raw_tracepoint/contention_begin")
int pools_klock_begin(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pool_thread *pt;

	if (tid == (__u32)(id >> 32) || !pid_wanted(id >> 32) || !CGROUP_OK_CURRENT())
		return 0;
	pt = thread_find(tid);
	if (pt)
		pt->in_klock = 1;
	return 0;
}

SEC("raw_tracepoint/contention_end")
int pools_klock_end(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pool_thread *pt;

	if (tid == (__u32)(id >> 32) || !pid_wanted(id >> 32) || !CGROUP_OK_CURRENT())
		return 0;
	pt = thread_find(tid);
	if (pt)
		pt->in_klock = 0;
	return 0;
}
