// SPDX-License-Identifier: GPL-2.0
/* syscalls family: per-(process, syscall) latency from raw_syscalls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "hist.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

/* Set through skel->rodata before load. */
const volatile __u32 filter_npids = 0;
const volatile __u32 filter_pids[FILTER_MAX_PIDS] = {};

/* Bumped by the frontend through the mmap'd .bss at each snapshot; its
 * parity picks the entries this interval's calls go to. */
__u32 epoch = 0;

/* Whatever could not be recorded: shown to the user, never silent. */
__u64 drop_map_full = 0;	/* stats map full: syscall not counted */
__u64 drop_inflight_full = 0;	/* inflight map full: blocked call not listed */
__u64 drop_no_state = 0;	/* task storage could not be created */

struct syscall_stats zero_stats = {};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} thread_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Preallocated: the frontend deletes every entry it read, each
	 * interval, and freeing non-preallocated elements costs several us
	 * each (irq_work in the BPF allocator). Sized for the host by the
	 * frontend. */
	__uint(max_entries, 8192);
	__type(key, struct syscall_key);
	__type(value, struct syscall_stats);
} syscall_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);		/* tid */
	__type(value, struct inflight_val);
} inflight SEC(".maps");

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

SEC("raw_tracepoint/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct thread_state *ts;
	long nr = (long)ctx->args[1];

	/* task is a trusted BTF pointer: task->tgid is a plain load, cheaper
	 * than the bpf_get_current_pid_tgid() helper on this hot path */
	if (filter_npids && !pid_wanted(task->tgid))
		return 0;
	if (nr < 0 || nr >= SYSCALLS_MAX_NR)
		return 0;
	ts = bpf_task_storage_get(&thread_states, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts) {
		__sync_fetch_and_add(&drop_no_state, 1);
		return 0;
	}
	/* Learnt once per thread: the process's start time keys its stats. */
	if (!ts->pstart)
		ts->pstart = BPF_CORE_READ(task, group_leader, start_boottime) | 1;
	ts->nr = nr;
	ts->start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct syscall_stats *stats_lookup(struct syscall_key *key)
{
	struct syscall_stats *st;
	struct task_struct *task;
	long err;

	st = bpf_map_lookup_elem(&syscall_stats, key);
	if (st)
		return st;
	err = bpf_map_update_elem(&syscall_stats, key, &zero_stats, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: another CPU made it */) {
		__sync_fetch_and_add(&drop_map_full, 1);
		return 0;
	}
	st = bpf_map_lookup_elem(&syscall_stats, key);
	if (st && !err) {
		task = bpf_get_current_task_btf();
		bpf_probe_read_kernel_str(st->comm, sizeof(st->comm),
					  BPF_CORE_READ(task, group_leader, comm));
	}
	return st;
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid;
	struct syscall_key key = {};
	struct syscall_stats *st;
	struct thread_state *ts;
	__u64 now, delta;
	__u32 idx;
	long ret = (long)ctx->args[1];

	if (filter_npids && !pid_wanted(tgid))
		return 0;
	ts = bpf_task_storage_get(&thread_states, task, 0, 0);
	if (!ts || !ts->start_ns)
		return 0;
	now = bpf_ktime_get_ns();
	delta = now - ts->start_ns;
	ts->start_ns = 0;
	if (ts->flags & THREAD_INFLIGHT) {
		__u32 tid = task->pid;

		bpf_map_delete_elem(&inflight, &tid);
		ts->flags &= ~THREAD_INFLIGHT;
	}

	key.tgid = tgid;
	key.nr = ts->nr | ((epoch & 1) ? SYSCALL_KEY_SLOT : 0);
	key.pstart = ts->pstart;
	st = stats_lookup(&key);
	if (!st)
		return 0;
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
	return 0;
}

/* The first time a thread sleeps inside a syscall it is listed in
 * `inflight`, so the frontend can show calls that have not returned. current
 * is still the task being switched out here. */
SEC("raw_tracepoint/sched_switch")
int inflight_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight_val v = {};
	struct thread_state *ts;
	__u32 tid = (__u32)id;

	if (filter_npids && !pid_wanted(id >> 32))
		return 0;
	ts = bpf_task_storage_get(&thread_states, bpf_get_current_task_btf(), 0, 0);
	if (!ts || !ts->start_ns || (ts->flags & THREAD_INFLIGHT))
		return 0;
	v.start_ns = ts->start_ns;
	v.tgid = id >> 32;
	v.nr = ts->nr;
	bpf_get_current_comm(v.comm, sizeof(v.comm));
	if (bpf_map_update_elem(&inflight, &tid, &v, BPF_ANY)) {
		__sync_fetch_and_add(&drop_inflight_full, 1);
		return 0;
	}
	ts->flags |= THREAD_INFLIGHT;
	return 0;
}
