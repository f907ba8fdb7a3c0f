// SPDX-License-Identifier: GPL-2.0
/* locks family: who waits on which lock, how long, from where.
 *
 * Kernel locks: lock:contention_begin/contention_end (raw tracepoints).
 * A spinning wait (spinlock, rwlock) cannot sleep, so it is kept per CPU;
 * a sleeping one (mutex, rwsem, rt-mutex...) per task. While a wait is
 * pending, a begin on another lock is nested inside it (a mutex's wait_lock,
 * say) and is not counted again; a second begin on the same lock is the
 * mutex giving up optimistic spinning and going to sleep: one wait, whose
 * type becomes the sleeping one.
 *
 * User space: futex wait syscalls, from raw_syscalls sys_enter/sys_exit
 * filtered on the futex number before anything else, and, for one process,
 * uprobes on pthread_mutex_lock (attached by the frontend on request).
 */
#include "vmlinux.h"
/* bpf_tracing.h names x86 registers as the kernel does (di, not rdi)
 * only when it believes a vmlinux.h is in use */
#define __VMLINUX_H__ 1
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "hist.h"
#include "locks.h"
#include "futex_op.h"
#include "regs.h"
#include "stats_entry.h"
#include "cgroup_wanted.h"

char LICENSE[] SEC("license") = "GPL";

#if defined(__TARGET_ARCH_x86)
#define NR_FUTEX 202
#else
#define NR_FUTEX -1	/* futex waits are only traced on x86-64 for now */
#endif

const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[LOCKS_MAX_PIDS] = {};
const volatile __u32 uprobe_tgid = 0;	/* --uprobe-locks PID */
/* --ustack-bytes: user stack copied per new stack for CFI unwinding; 0:
 * frame pointers only */
const volatile __u32 ustack_bytes = LOCKS_USTACK_DEFAULT;

__u32 epoch = 0;

/* A pending wait this old when another one begins lost its end. */
#define STALE_NS 1000000000ULL

/* Whatever could not be recorded. */
__u64 drop_kmap_full = 0;	/* kernel lock stats map full */
__u64 drop_umap_full = 0;	/* user lock stats map full */
__u64 drop_kstack = 0;		/* kernel stack not stored (stack map full) */
__u64 drop_ustack = 0;		/* user stack not stored */
__u64 drop_no_state = 0;	/* task storage could not be created */
__u64 drop_events = 0;		/* new-process event lost (ring buffer full) */
__u64 drop_ustack_copy = 0;	/* stack copy for unwinding lost (ring buffer full) */

/* What the stack copies cost (their count, bytes and time): few, one per
 * new stack, so the two clock reads are not on the hot path. */
__u64 ustack_copies = 0;
__u64 ustack_copy_bytes = 0;
__u64 ustack_copy_ns = 0;

struct lock_stats zero_stats = {};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lock_thread);
} lock_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_cpu);
} lock_cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct klock_key);
	__type(value, struct lock_stats);
} klock_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ulock_key);
	__type(value, struct lock_stats);
} ulock_stats SEC(".maps");

/* Stacks by their hash (see struct lock_stack), kernel and user apart. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct lock_stack);
} kstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct lock_stack);
} ustacks SEC(".maps");

/* Where a stack is taken before it is stored. One per CPU for the kernel
 * lock programs and one for the user ones: an interrupt's lock wait can
 * run in the middle of a futex program on the same CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct lock_stack);
} stack_scratch SEC(".maps");

/* Processes already announced to the frontend. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} seen_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} proc_events SEC(".maps");

/* struct lock_ustack_sample, one per new user stack, as long as what was
 * copied (2.7 KB on average at the default 8 KiB, measured: shallow
 * stacks end before it): room for 64 at the largest --ustack-bytes, some
 * 400 on average, before the frontend's thread reads them. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} ustack_samples SEC(".maps");

/* Where a sample is made before it is sent at its length. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_ustack_sample);
} ustack_scratch SEC(".maps");

static __always_inline bool pid_wanted(__u32 tgid)
{
	__u32 i, n = filter_npids;

	if (!n)
		return true;
	for (i = 0; i < LOCKS_MAX_PIDS; i++) {
		if (i >= n)
			break;
		if (filter_pids[i] == tgid)
			return true;
	}
	return false;
}

/* The futex path also watches the --uprobe-locks process: its uprobes
 * learn from it which pthread_mutex_lock calls waited. */
static __always_inline bool futex_wanted(__u32 tgid)
{
	return pid_wanted(tgid) || (uprobe_tgid && tgid == uprobe_tgid);
}

static __always_inline bool is_spinning(__u32 flags)
{
	return (flags & (LCB_F_SPIN | LCB_F_MUTEX)) == LCB_F_SPIN;
}

/* Adds one wait of delta ns to st (count, total, histogram, epoch max). */
static __always_inline void stats_add(struct lock_stats *st, __u64 delta)
{
	__u32 ep, slot, idx;

	__sync_fetch_and_add(&st->count, 1);
	__sync_fetch_and_add(&st->total_ns, delta);
	idx = hist_bucket(delta);
	asm volatile("" : "+r"(idx));
	if (idx < HIST_NBUCKETS)
		__sync_fetch_and_add(&st->hist[idx], 1);
	ep = epoch;
	slot = ep & 1;
	if (st->max_epoch[slot] != ep) {
		st->max_epoch[slot] = ep;
		st->max_ns[slot] = delta;
	} else if (delta > st->max_ns[slot]) {
		st->max_ns[slot] = delta;
	}
}


/* ---- kernel locks ---- */

/* Takes the current stack (kernel, or user with BPF_F_USER_STACK) and
 * stores it under its hash (seeded with seed: user stacks are per process),
 * which it returns; 0 when it could not be taken or stored (a full map),
 * which is counted in *drops. *fresh: the stack was not stored before. */
static __always_inline __u64 stack_hash(const struct lock_stack *buf, __u64 seed)
{
	__u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a offset basis */

	h = (h ^ seed) * 0x100000001b3ULL;
	for (int i = 0; i < LOCKS_STACK_DEPTH; i++) {
		h = (h ^ buf->ips[i]) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h | 1;	/* never 0: that means "no stack" */
}

/* Frames of a new user stack checked for being code (bpf_find_vma each) */
#define LOCKS_TRIM_FRAMES 8

static long vma_exec_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(bool *)data = vma->vm_flags & 0x4;	/* VM_EXEC */
	return 0;
}

/* A user stack walked by frame pointers through code without them: its
 * frames past the first return address outside executable memory are not
 * frames (rbp held data, and the walk read whatever it pointed to: other
 * at every wait). They go, so that such a stack is the same at every wait
 * and is copied once. The new hash; h when nothing went. */
static __always_inline __u64 stack_trim(struct lock_stack *buf, __u64 seed, __u64 h)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int cut = 0;

	/* the first frames only: a walk gone astray leaves at its first */
	for (int i = 1; i < LOCKS_TRIM_FRAMES; i++) {
		bool exec = false;

		if (!buf->ips[i])
			break;
		if (bpf_find_vma(task, buf->ips[i], vma_exec_cb, &exec, 0) || !exec) {
			cut = i;
			break;
		}
	}
	if (!cut)
		return h;
	for (int i = 1; i < LOCKS_STACK_DEPTH; i++)
		if (i >= cut)
			buf->ips[i] = 0;
	return stack_hash(buf, seed);
}

static __always_inline __u64 stack_save(void *ctx, void *map, __u32 slot, __u64 flags,
					__u64 seed, __u64 *drops, bool *fresh)
{
	struct lock_stack *buf = bpf_map_lookup_elem(&stack_scratch, &slot);
	long n, err;
	__u64 h;

	*fresh = false;
	if (!buf)
		return 0;
	n = bpf_get_stack(ctx, buf->ips, sizeof(buf->ips), flags);
	if (n <= 0) {
		__sync_fetch_and_add(drops, 1);
		return 0;
	}
	for (int i = 0; i < LOCKS_STACK_DEPTH; i++)
		if (i * 8 >= n)
			buf->ips[i] = 0;
	h = stack_hash(buf, seed);
	/* a user stack new as walked: trimmed to its real frames (only
	 * then: a stack seen before costs one lookup more) */
	if ((flags & BPF_F_USER_STACK) && ustack_bytes && !bpf_map_lookup_elem(map, &h))
		h = stack_trim(buf, seed, h);
	err = bpf_map_update_elem(map, &h, buf, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: the same stack is stored */) {
		__sync_fetch_and_add(drops, 1);
		return 0;
	}
	*fresh = !err;
	return h;
}

/* The waiter's stack, taken when the wait begins: the task waits anyway
 * then, while at the end it holds the lock and the walk would lengthen its
 * critical section. A full stack map is a drop, and the wait is still
 * counted (without a stack). */
static __always_inline __u64 kstack_get(void *ctx)
{
	bool fresh;

	return stack_save(ctx, &kstacks, 0, 0, 0, &drop_kstack, &fresh);
}

static __always_inline void klock_record(__u64 lock, __u32 flags, __u64 stack, __u64 delta)
{
	struct klock_key key = { .lock = lock, .stack = stack, .flags = flags };
	struct lock_stats *st;
	bool created;

	st = stats_entry(&klock_stats, &key, &zero_stats, &drop_kmap_full,
			 offsetof(struct lock_stats, comm), &created);
	if (st)
		stats_add(st, delta);
}

/* TP_PROTO(void *lock, unsigned int flags) */
SEC("raw_tracepoint/contention_begin")
int contention_begin(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 lock = ctx->args[0];
	__u32 flags = (__u32)ctx->args[1];
	struct lock_thread *lt;
	struct lock_cpu *lc;
	__u32 zero = 0;

	if (!pid_wanted(bpf_get_current_pid_tgid() >> 32) || !CGROUP_OK_CURRENT())
		return 0;
	if (is_spinning(flags)) {
		lc = bpf_map_lookup_elem(&lock_cpus, &zero);
		if (!lc)
			return 0;
		/* nested in another spinning wait, unless that one's end was
		 * lost (no spinner waits a second: it would be a lockup) */
		if (lc->lock && bpf_ktime_get_ns() - lc->start < STALE_NS)
			return 0;
		/* a spinlock taken on the way to sleeping on another lock
		 * is part of that wait */
		lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0, 0);
		if (lt && lt->klock)
			return 0;
		lc->lock = lock;
		lc->flags = flags;
		lc->stack = kstack_get(ctx);
		lc->start = bpf_ktime_get_ns();
		return 0;
	}
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!lt) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return 0;
	}
	if (lt->klock) {
		/* the same lock again: done spinning, now sleeping */
		if (lt->klock == lock) {
			lt->kflags = flags;
			return 0;
		}
		/* Another lock: nested in this wait (an RT rwlock's inner
		 * rt-mutex, begun right after), unless the end of the pending
		 * wait was lost (a program skipped for recursion): a sleeping
		 * waiter cannot begin anything else, so an old one is stale. */
		if (bpf_ktime_get_ns() - lt->kstart < STALE_NS)
			return 0;
	}
	lt->klock = lock;
	lt->kflags = flags;
	lt->kstack = kstack_get(ctx);
	lt->kstart = bpf_ktime_get_ns();
	return 0;
}

/* TP_PROTO(void *lock, int ret) */
SEC("raw_tracepoint/contention_end")
int contention_end(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 lock = ctx->args[0], now;
	struct lock_thread *lt;
	struct lock_cpu *lc;
	__u32 zero = 0;

	if (!pid_wanted(bpf_get_current_pid_tgid() >> 32) || !CGROUP_OK_CURRENT())
		return 0;
	/* A spinning wait pending on this CPU is the innermost: a task
	 * cannot go to sleep on a lock while it spins. */
	lc = bpf_map_lookup_elem(&lock_cpus, &zero);
	if (lc && lc->lock) {
		if (lc->lock != lock)
			return 0;
		now = bpf_ktime_get_ns();
		klock_record(lock, lc->flags, lc->stack, now - lc->start);
		lc->lock = 0;
		return 0;
	}
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0, 0);
	if (!lt || lt->klock != lock)
		return 0;
	now = bpf_ktime_get_ns();
	klock_record(lock, lt->kflags, lt->kstack, now - lt->kstart);
	lt->klock = 0;
	return 0;
}

/* ---- user space: futex waits ---- */

/* Once per process (a reused pid is another process: its start time
 * differs), so the frontend reads the map while the process lives. */
static __always_inline void announce_proc(__u32 tgid, __u64 pstart)
{
	struct lock_proc_event *ev;
	__u64 *seen = bpf_map_lookup_elem(&seen_procs, &tgid);

	if (seen && *seen == pstart)
		return;
	ev = bpf_ringbuf_reserve(&proc_events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&drop_events, 1);
		return;		/* again with the next new entry */
	}
	ev->tgid = tgid;
	ev->pstart = pstart;
	ev->pad = 0;
	bpf_ringbuf_submit(ev, 0);
	bpf_map_update_elem(&seen_procs, &tgid, &pstart, BPF_ANY);
}

/* The user registers the unwinder starts from. */
struct uregs {
	__u64 ip, sp, bp;
};

/* The top of the user stack from r->sp (ustack_bytes of it) and the
 * registers, to the frontend. The stack's mapping may end less than
 * ustack_bytes above sp (a main thread's shallow stack): then shorter
 * reads, each ending a page lower. */
static __always_inline int ustack_send(__u64 stack, const struct ulock_key *k,
				       const struct uregs *r)
{
	struct lock_ustack_sample *s;
	__u64 t0 = bpf_ktime_get_ns(), size;
	long len = ustack_bytes, got = 0;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&ustack_scratch, &zero);
	if (!s)
		return -1;
	for (int i = 0; i < LOCKS_USTACK_MAX / 4096 + 1; i++) {
		if (len <= 0)
			break;
		if (len > LOCKS_USTACK_MAX)
			len = LOCKS_USTACK_MAX;
		if (!bpf_probe_read_user(s->data, len, (void *)r->sp)) {
			got = len;
			break;
		}
		len = (long)(((r->sp + len - 1) & ~4095ULL) - r->sp);
	}
	s->stack = stack;
	s->pstart = k->pstart;
	s->tgid = k->tgid;
	s->size = (__u32)got;
	s->ip = r->ip;
	s->sp = r->sp;
	s->bp = r->bp;
	size = offsetof(struct lock_ustack_sample, data) + (__u32)got;
	if (size > sizeof(*s))
		size = sizeof(*s);
	if (bpf_ringbuf_output(&ustack_samples, s, size, BPF_RB_NO_WAKEUP)) {
		__sync_fetch_and_add(&drop_ustack_copy, 1);
		return -1;
	}
	__sync_fetch_and_add(&ustack_copies, 1);
	__sync_fetch_and_add(&ustack_copy_bytes, got);
	__sync_fetch_and_add(&ustack_copy_ns, bpf_ktime_get_ns() - t0);
	return 0;
}

static long vma_end_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(__u64 *)data = vma->vm_end;
	return 0;
}

/* How deep sp is in its stack: the distance from the top of the mapping
 * that holds it, learnt once per thread (a thread's stack does not move;
 * sp outside it, a coroutine's or signal stack, looks again). The same
 * call path is at the same depth in every thread of a pool, while two
 * paths whose frame-pointer walks are cut short alike (in code without
 * frame pointers) rarely are: it keeps their stacks apart. 0: unknown. */
static __always_inline __u64 ustack_depth(struct lock_thread *lt, __u64 sp)
{
	__u64 end = 0;

	if (!lt->ustack_end || sp >= lt->ustack_end || lt->ustack_end - sp > (64ULL << 20)) {
		if (bpf_find_vma(bpf_get_current_task_btf(), sp, vma_end_cb, &end, 0) || !end)
			return 0;
		lt->ustack_end = end;
	}
	return lt->ustack_end - sp;
}

/* A wait of the current task; sys: ctx holds a raw syscall tracepoint's
 * saved registers (futex), else ctx is the registers (uretprobe). */
static __always_inline void ulock_record(void *ctx, struct lock_thread *lt, __u64 id,
					 __u64 uaddr, __u32 op, __u32 flags, __u64 delta, bool sys)
{
	struct ulock_key key = { .uaddr = uaddr, .tgid = id >> 32, .op = op, .flags = flags };
	struct task_struct *task;
	struct lock_stats *st;
	struct uregs r;
	bool created, fresh;
	__u64 seed, a = ((struct bpf_raw_tracepoint_args *)ctx)->args[0];

	if (!lt->pstart) {
		task = bpf_get_current_task_btf();
		lt->pstart = BPF_CORE_READ(task, group_leader, start_boottime) | 1;
	}
	key.pstart = lt->pstart;
	seed = key.pstart ^ ((__u64)key.tgid << 32);
	if (ustack_bytes) {
		r.sp = sys ? REGS_FIELD(a, sp) : PT_REGS_SP((struct pt_regs *)ctx);
		seed += ustack_depth(lt, r.sp) * 0x9e3779b97f4a7c15ULL;
	}
	key.stack = stack_save(ctx, &ustacks, 1, BPF_F_USER_STACK, seed, &drop_ustack, &fresh);
	/* only for a stack not seen in this process before: the walk above
	 * is what every wait pays, the copy is paid once per stack */
	if (fresh && ustack_bytes) {
		if (sys) {
			r.ip = REGS_FIELD(a, ip);
			r.bp = REGS_FIELD(a, bp);
		} else {
			r.ip = PT_REGS_IP((struct pt_regs *)ctx);
			r.bp = PT_REGS_FP((struct pt_regs *)ctx);
		}
		/* lost (the ring buffer is full): the stack is stored again,
		 * and copied, at its next wait */
		if (ustack_send(key.stack, &key, &r))
			bpf_map_delete_elem(&ustacks, &key.stack);
	}
	st = stats_entry(&ulock_stats, &key, &zero_stats, &drop_umap_full,
			 offsetof(struct lock_stats, comm), &created);
	if (!st)
		return;
	stats_add(st, delta);
	if (created)
		announce_proc(key.tgid, key.pstart);
}

/* TP_PROTO(struct pt_regs *regs, long id) */
SEC("raw_tracepoint/sys_enter")
int futex_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct lock_thread *lt;
	__u32 op;

	/* Every syscall of the host comes here: decide on the number first. */
	if ((long)ctx->args[1] != NR_FUTEX)
		return 0;
	if (!futex_wanted(bpf_get_current_pid_tgid() >> 32) || !CGROUP_OK_CURRENT())
		return 0;
#if defined(__TARGET_ARCH_x86)
	op = (__u32)regs_arg2(ctx->args[0]);
	if (!ls_futex_is_wait(op))
		return 0;
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!lt) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return 0;
	}
	lt->fuaddr = regs_arg1(ctx->args[0]);
	lt->fop = op;
	lt->fval = (__u32)regs_arg3(ctx->args[0]);
	lt->fstart = bpf_ktime_get_ns();
#endif
	return 0;
}

/* TP_PROTO(struct pt_regs *regs, long ret) */
SEC("raw_tracepoint/sys_exit")
int futex_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id, delta;
	struct lock_thread *lt;
	__u32 flags = 0;

#if defined(__TARGET_ARCH_x86)
	if (regs_nr(ctx->args[0]) != NR_FUTEX)
		return 0;
#else
	return 0;
#endif
	id = bpf_get_current_pid_tgid();
	if (!futex_wanted(id >> 32) || !CGROUP_OK_CURRENT())
		return 0;
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0, 0);
	if (!lt || !lt->fstart)
		return 0;
	delta = bpf_ktime_get_ns() - lt->fstart;
	lt->fstart = 0;
	if (lt->ustart) {
		/* inside pthread_mutex_lock watched by the uprobes: the
		 * whole call is recorded when it returns */
		lt->ucontended = 1;
		return 0;
	}
	/* EAGAIN: the word had changed, the thread never slept. Not a
	 * wait, and skipping it spares the user stack walk (most of the
	 * cost) on the spurious retries of busy locks. */
	if ((long)ctx->args[1] == -11)
		return 0;
	if (LS_FUTEX_CMD(lt->fop) == LS_FUTEX_WAIT && lt->fval == 2)
		flags |= ULOCK_F_VAL2;
	ulock_record(ctx, lt, id, lt->fuaddr, lt->fop, flags, delta, true);
	return 0;
}

/* ---- user space: pthread_mutex_lock uprobes (one process) ---- */

SEC("uprobe")
int BPF_KPROBE(mutex_lock_enter, void *mutex)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lock_thread *lt;

	if ((__u32)(id >> 32) != uprobe_tgid || !CGROUP_OK_CURRENT())
		return 0;
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!lt) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return 0;
	}
	lt->umutex = (__u64)mutex;
	lt->ucontended = 0;
	lt->ustart = bpf_ktime_get_ns();
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(mutex_lock_exit)
{
	__u64 id = bpf_get_current_pid_tgid(), delta;
	struct lock_thread *lt;

	if ((__u32)(id >> 32) != uprobe_tgid || !CGROUP_OK_CURRENT())
		return 0;
	lt = bpf_task_storage_get(&lock_threads, bpf_get_current_task_btf(), 0, 0);
	if (!lt || !lt->ustart)
		return 0;
	delta = bpf_ktime_get_ns() - lt->ustart;
	lt->ustart = 0;
	/* only the acquisitions that had to wait in the kernel */
	if (!lt->ucontended)
		return 0;
	ulock_record(ctx, lt, id, lt->umutex, 0, ULOCK_F_UPROBE, delta, false);
	return 0;
}
