// SPDX-License-Identifier: GPL-2.0
/* syscalls family: per-(process, syscall) latency from raw_syscalls, and
 * the peers view's per-(process, peer) figures at the same sys_exit. Its
 * programs on sys_enter, sys_exit and sched_switch are also the head of the
 * hooks the other families share (include/hook_slots.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "hist.h"
#include "syscalls.h"
#include "peers.h"
#include "stats_entry.h"
#include "slots.h"
#include "hook_slots.h"
#include "cgroup_wanted.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_EXITING 0x00000004	/* task->flags: getting shut down */

/* Set through skel->rodata before load. */
const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[FILTER_MAX_PIDS] = {};

/* Bumped by the frontend through the mmap'd .bss at each snapshot; its
 * parity picks the entries this interval's calls go to. */
__u32 epoch = 0;

/* Whatever could not be recorded: shown to the user, never silent. */
__u64 drop_map_full = 0;	/* stats table half full: syscall not counted */
__u64 drop_inflight_full = 0;	/* inflight table full: blocked call not listed */
__u64 drop_no_state = 0;	/* task storage could not be created */

struct syscall_stats zero_stats = {};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} thread_states SEC(".maps");

/* The per-(process, syscall) figures live in an mmap-able array, each
 * epoch parity in its own half of stat_half elements, handed out in order
 * (stat_next); the hash syscall_index says which element a (process,
 * syscall, parity) has. An element carries its key and epoch, so the
 * frontend reads an interval's figures straight from the array (no copy of
 * 2.4 KiB per entry through a map batch read, no index read) and deletes
 * their index entries by those keys. Sizes are set by the frontend. */
const volatile __u32 stat_half = 1;
__u32 stat_next[2] = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct syscall_stats);
} syscall_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct syscall_key);
	__type(value, __u32);
} syscall_index SEC(".maps");

/* The calls that slept and have not returned: a slot per thread (kept in
 * its task storage from its first such call until it exits) of an mmap-able
 * array the frontend reads in place. Slots come from inflight_free (those
 * of exited threads), else never used ones in order (inflight_next): the
 * frontend reads [0, inflight_next). Sizes are set by the frontend. */
const volatile __u32 inflight_size = 1;
__u32 inflight_next = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct inflight_val);
} inflight_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16384);
	__type(value, __u32);
} inflight_free SEC(".maps");

#include "peers_work.h"

/* ---- the shared hooks (include/hook_slots.h) ---- */

/* The other families' programs, filled by the frontend (hooks.c). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HOOK_NR);
	__type(key, __u32);
	__type(value, __u32);
} hooks SEC(".maps");

/* Per side, per syscall number: 0, or the slot + 1 of the family that
 * wants it. Set by the frontend through the mmap'd .bss. */
__u8 hook_want[HOOK_SIDES][SYSCALLS_MAX_NR] = {};
/* the pools family's sched_switch program is in its slot */
__u32 hook_switch_on = 0;

/* The family that wants syscall nr on this side, run as a tail call (the
 * call does not come back when it happens). Constant slots: the JIT turns
 * each into a direct jump. */
static __always_inline void hook_next(void *ctx, __u32 side, long nr)
{
	__u8 w;

	if (nr < 0 || nr >= SYSCALLS_MAX_NR)
		return;
	w = hook_want[side & 1][nr];
	if (!w)
		return;
	if (side == HOOK_SIDE_ENTER) {
		if (w == HOOK_LOCKS_ENTER + 1)
			bpf_tail_call_static(ctx, &hooks, HOOK_LOCKS_ENTER);
	} else if (w == HOOK_LOCKS_EXIT + 1) {
		bpf_tail_call_static(ctx, &hooks, HOOK_LOCKS_EXIT);
	} else if (w == HOOK_POOLS_EXIT + 1) {
		bpf_tail_call_static(ctx, &hooks, HOOK_POOLS_EXIT);
	}
}

/* Called only when a filter is set: without one no program pays for it. */
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

/* The call in progress on each CPU. A syscall that returns without the
 * thread leaving the CPU (most of them) never touches task storage: entry
 * and exit meet here. When the thread is switched out inside the call,
 * sched_switch moves it to the thread's task storage, where sys_exit finds
 * it on whatever CPU the thread comes back. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_call);
} cpu_calls SEC(".maps");

/* The struct file of fd (close's argument) when it is a socket, else 0:
 * loads only, no map. */
static __always_inline __u64 close_sock_file(struct task_struct *task, __u64 regs)
{
	struct file *f = fd_file(task, (int)regs_arg1(regs));
	struct inode *inode = f ? file_inode(f) : 0;

	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	return (__u64)f;
}

SEC("raw_tracepoint/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cpu_call *cc;
	long nr = (long)ctx->args[1];
	__u32 zero = 0;

	/* task is a trusted BTF pointer: task->tgid is a plain load, cheaper
	 * than the bpf_get_current_pid_tgid() helper on this hot path. Every
	 * family has the same -p list: a process left out is left out of
	 * the hooks' other families too. */
	if (filter_npids && !pid_wanted(task->tgid))
		return 0;
	if (!CGROUP_OK_CURRENT())
		return 0;
	if (nr < 0 || nr >= SYSCALLS_MAX_NR)
		return 0;
	cc = bpf_map_lookup_elem(&cpu_calls, &zero);
	if (cc) {
		cc->tid = task->pid;
		cc->nr = nr;
		cc->start_ns = bpf_ktime_get_ns();
		/* the file is gone from the fd table at close's exit */
		if (requests_on && nr == NR_close)
			cc->close_file = close_sock_file(task, ctx->args[0]);
	}
	hook_next(ctx, HOOK_SIDE_ENTER, nr);
	return 0;
}

/* st is key's element of epoch ep (not a stale or reused one). */
static __always_inline bool elem_is(const struct syscall_stats *st,
				    const struct syscall_key *key, __u32 ep)
{
	return st && st->epoch == ep + 1 && st->key.tgid == key->tgid &&
	       st->key.nr == key->nr && st->key.pstart == key->pstart;
}

/* The element of key (its parity set) in epoch ep, or a new one, zeroed,
 * carrying key, epoch and the process's name before the index points to
 * it; its index in *pidx. An index entry whose element is not key's of this
 * epoch is stale (a writer more than the frontend's settle time late
 * indexed it after the frontend's delete): a new element replaces it. */
static __always_inline struct syscall_stats *syscall_entry(const struct syscall_key *key,
							   __u32 ep, __u32 *pidx)
{
	__u32 par = ep & 1, idx, *pi;
	struct syscall_stats *st;
	long err;

	pi = bpf_map_lookup_elem(&syscall_index, key);
	if (pi) {
		idx = *pi;
		st = bpf_map_lookup_elem(&syscall_table, &idx);
		if (elem_is(st, key, ep)) {
			*pidx = idx;
			return st;
		}
	}
	idx = __sync_fetch_and_add(&stat_next[par], 1);
	if (idx >= stat_half) {
		__sync_fetch_and_add(&drop_map_full, 1);
		return 0;
	}
	idx += par ? stat_half : 0;
	st = bpf_map_lookup_elem(&syscall_table, &idx);
	if (!st)
		return 0;
	bpf_probe_read_kernel(st, sizeof(*st), &zero_stats);
	st->key = *key;
	st->epoch = ep + 1;
	leader_comm(st->comm);
	err = bpf_map_update_elem(&syscall_index, key, &idx, pi ? BPF_ANY : BPF_NOEXIST);
	if (!err) {
		*pidx = idx;
		return st;
	}
	/* another CPU indexed one first (or the index is full): this element
	 * stays unused, marked so for the frontend */
	st->key.tgid = 0;
	pi = bpf_map_lookup_elem(&syscall_index, key);
	if (!pi) {
		__sync_fetch_and_add(&drop_map_full, 1);
		return 0;
	}
	idx = *pi;
	*pidx = idx;
	return bpf_map_lookup_elem(&syscall_table, &idx);
}

/* The element of key in epoch ep: first the one this CPU used last for a
 * call of the same number slot (cc->cache), checked against the key and
 * epoch it carries, so a thread's run of the same calls costs an array
 * lookup (inlined) instead of a hash lookup; else through the index. A
 * cache slot another task overwrote meanwhile (preemption on this CPU)
 * fails the check like a stale one. */
static __always_inline struct syscall_stats *syscall_cached(struct cpu_call *cc,
							    const struct syscall_key *key,
							    __u32 ep)
{
	__u32 slot = key->nr & (CPU_CALL_CACHE - 1), idx;
	struct syscall_stats *st;

	idx = cc->cache[slot];
	if (idx) {
		idx--;
		st = bpf_map_lookup_elem(&syscall_table, &idx);
		if (elem_is(st, key, ep))
			return st;
	}
	st = syscall_entry(key, ep, &idx);
	if (st)
		cc->cache[slot] = idx + 1;
	return st;
}

/* The call the current thread returns from: its number and time since its
 * entry (*nr, *delta) and, for a close of a socket, its file (*cfile).
 * 1 when it was timed, 0 when it entered before we attached (*nr from the
 * saved registers; only the requests view wants it then), -1 for nothing. */
static __always_inline int call_of(struct bpf_raw_tracepoint_args *ctx, struct cpu_call *cc,
				   struct task_struct *task, __u64 now, __u32 *nr,
				   __u64 *delta, __u64 *cfile)
{
	struct thread_state *ts;

	if (cc->start_ns && cc->tid == (__u32)task->pid) {
		/* it never left the CPU */
		*delta = now - cc->start_ns;
		*nr = cc->nr;
		cc->start_ns = 0;
		if (*nr == NR_close)
			*cfile = cc->close_file;
		return 1;
	}
	ts = bpf_task_storage_get(&thread_states, task, 0, 0);
	if (!ts || !ts->start_ns) {
		/* a server's read of its next request must start that
		 * request, timed or not */
		*nr = (__u32)regs_nr(ctx->args[0]);
		return requests_on ? 0 : -1;
	}
	*delta = now - ts->start_ns;
	*nr = ts->nr;
	ts->start_ns = 0;
	if (*nr == NR_close)
		*cfile = ts->close_file;
	if (ts->slot) {
		__u32 slot = ts->slot - 1;
		struct inflight_val *v = bpf_map_lookup_elem(&inflight_table, &slot);

		if (v)
			v->start_ns = 0;
	}
	return 1;
}

/* The syscalls family's own work at sys_exit: the call's time into its
 * (process, syscall) element, and the peers and requests views'. */
static __always_inline void syscall_exit_work(struct bpf_raw_tracepoint_args *ctx,
					      struct task_struct *task, __u32 tgid)
{
	struct syscall_key key = {};
	struct syscall_stats *st;
	struct cpu_call *cc;
	__u64 now, delta = 0, cfile = 0;
	__u32 idx = 0, nr = 0, ep, zero = 0;
	long ret = (long)ctx->args[1];
	int timed;

	cc = bpf_map_lookup_elem(&cpu_calls, &zero);
	if (!cc)
		return;
	now = bpf_ktime_get_ns();
	timed = call_of(ctx, cc, task, now, &nr, &delta, &cfile);
	if (timed < 0)
		return;
	ep = epoch;
	key.tgid = tgid;
	key.nr = nr | ((ep & 1) ? SYSCALL_KEY_SLOT : 0);
	/* the process's start time tells a reused pid apart: plain loads
	 * through the trusted task pointer */
	key.pstart = task->group_leader->start_boottime | 1;
	if (timed) {
		st = syscall_cached(cc, &key, ep);
		if (!st)
			return;
		__sync_fetch_and_add(&st->total_ns, delta);
		if (ret < 0 && ret >= -4095)
			__sync_fetch_and_add(&st->errors, 1);
		idx = hist_bucket(delta);
		/* hist_bucket clamps already; say it again where the verifier sees it */
		asm volatile("" : "+r"(idx));
		if (idx < HIST_NBUCKETS)
			__sync_fetch_and_add(&st->hist[idx], 1);
		if (delta > st->max_ns)
			st->max_ns = delta;
	}
	if (peers_on || requests_on)
		peers_exit(task, (void *)ctx->args[0], nr, ret, delta, idx, key.pstart, ep, now,
			   peers_on && timed);
	if (cfile && ret == 0)
		req_close(task, (int)regs_arg1(ctx->args[0]), cfile, now, ep);
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid;

	if (filter_npids && !pid_wanted(tgid))
		return 0;
	if (!CGROUP_OK_CURRENT())
		return 0;
	syscall_exit_work(ctx, task, tgid);
	/* the number from the saved registers (a plain load), not from the
	 * entry: the other families see calls that began before we attached */
	hook_next(ctx, HOOK_SIDE_EXIT, regs_nr(ctx->args[0]));
	return 0;
}

/* A thread leaving its CPU inside a syscall: its call moves from the CPU's
 * slot to its task storage, and it is listed in its inflight_table slot so
 * the frontend can show calls that have not returned. current is still the
 * task being switched out here. Outside a syscall this is one per-CPU
 * lookup. */
static __always_inline void inflight_switch_work(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight_val *v;
	struct thread_state *ts;
	struct cpu_call *cc;
	__u32 tid = task->pid, zero = 0, slot;

	cc = bpf_map_lookup_elem(&cpu_calls, &zero);
	if (!cc || !cc->start_ns)
		return;
	/* not ours (cannot happen, be safe), or a thread on its way out (in
	 * exit(2), or killed inside a call that will not return): its slot is
	 * handed back at sched_process_exit, before its last switch */
	if (cc->tid != tid || (task->flags & PF_EXITING)) {
		cc->start_ns = 0;
		return;
	}
	ts = bpf_task_storage_get(&thread_states, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts) {
		__sync_fetch_and_add(&drop_no_state, 1);
		cc->start_ns = 0;
		return;
	}
	ts->start_ns = cc->start_ns;
	ts->nr = cc->nr;
	ts->close_file = cc->close_file;
	cc->start_ns = 0;
	if (!ts->slot) {
		long s = slot_take(&inflight_free, &inflight_next, inflight_size);

		if (s < 0) {
			__sync_fetch_and_add(&drop_inflight_full, 1);
			return;
		}
		ts->slot = (__u32)s + 1;
	}
	slot = ts->slot - 1;
	v = bpf_map_lookup_elem(&inflight_table, &slot);
	if (!v || v->start_ns == ts->start_ns)
		return;	/* listed already: switched out again in the same call */
	v->tgid = task->tgid;
	v->tid = tid;
	v->nr = ts->nr;
	bpf_get_current_comm(v->comm, sizeof(v->comm));
	/* the frontend lists a slot by start_ns: the rest is stored first (a
	 * compiler barrier: the JIT keeps the order, x86 does not reorder
	 * stores) */
	asm volatile("" ::: "memory");
	v->start_ns = ts->start_ns;
}

SEC("raw_tracepoint/sched_switch")
int inflight_switch(struct bpf_raw_tracepoint_args *ctx)
{
	inflight_switch_work();
	/* the pools family's program, when the hooks hold it (one dispatch
	 * per switch for both families) */
	if (hook_switch_on)
		bpf_tail_call_static(ctx, &hooks, HOOK_POOLS_SWITCH);
	return 0;
}

/* A server-side TCP connection finished its handshake (SYN_RECV to
 * ESTABLISHED: the kernel queues it on its listener next): when, for its
 * wait in the accept queue (requests_work.h, at accept). Loaded only with
 * the requests view; a state change pays one lookup-free check. */
SEC("raw_tracepoint/inet_sock_set_state")
int req_handshake(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 sk = ctx->args[0], now;

	if ((int)ctx->args[1] != REQ_TCP_SYN_RECV || (int)ctx->args[2] != REQ_TCP_ESTABLISHED)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&req_queued, &sk, &now, BPF_ANY);
	return 0;
}

/* A thread's exit hands its inflight_table slot back. current exits. */
SEC("raw_tracepoint/sched_process_exit")
int inflight_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight_val *v;
	struct thread_state *ts;
	__u32 slot;

	ts = bpf_task_storage_get(&thread_states, task, 0, 0);
	if (!ts || !ts->slot)
		return 0;
	slot = ts->slot - 1;
	ts->slot = 0;
	v = bpf_map_lookup_elem(&inflight_table, &slot);
	if (!v)
		return 0;
	v->start_ns = 0;
	v->tid = 0;
	bpf_map_push_elem(&inflight_free, &slot, 0);
	return 0;
}
