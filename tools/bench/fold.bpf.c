// SPDX-License-Identifier: GPL-2.0
/* Bench only: the syscalls family's per-syscall work (task storage, entry
 * time, per-(process, syscall) histogram) with the peers work folded into
 * the same two programs: one task storage lookup and one clock read per
 * call serve both. Built with FOLD_NO_PEERS (fold_base.bpf.c) it is the
 * syscalls work alone, the baseline. Measures what bench_peers.sh compares
 * with the shipped design (peers in its own programs). */
#define PEERS_NO_PROGS
#include "../../bpf/peers.bpf.c"

struct fold_state {
	struct {		/* the syscalls family's per-thread state as it */
		__u64 start_ns;	/* was when this prototype was measured */
		__u64 pstart;
		__u32 nr;
		__u32 flags;
	} ts;
	struct peer_thread pt;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fold_state);
} fold_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct syscall_key);
	__type(value, struct syscall_stats);
} fold_stats SEC(".maps");

struct syscall_stats fold_zero = {};

SEC("raw_tracepoint/sys_enter")
int fold_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fold_state *fs;
	long nr = (long)ctx->args[1];

	if (nr < 0 || nr >= SYSCALLS_MAX_NR)
		return 0;
	fs = bpf_task_storage_get(&fold_states, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!fs)
		return 0;
	if (!fs->ts.pstart)
		fs->ts.pstart = BPF_CORE_READ(task, group_leader, start_boottime) | 1;
	fs->ts.nr = nr;
	fs->ts.start_ns = bpf_ktime_get_ns();
#ifndef FOLD_NO_PEERS
	{
		int cls = classify(nr);

		fs->pt.start_ns = cls != C_NONE &&
				  peers_begin(task, &fs->pt, (void *)ctx->args[0], cls);
	}
#endif
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int fold_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscall_key key = {};
	struct syscall_stats *st;
	struct fold_state *fs;
	__u64 delta;
	__u32 idx;

	fs = bpf_task_storage_get(&fold_states, task, 0, 0);
	if (!fs || !fs->ts.start_ns)
		return 0;
	delta = bpf_ktime_get_ns() - fs->ts.start_ns;
	fs->ts.start_ns = 0;
	key.tgid = task->tgid;
	key.nr = fs->ts.nr;
	key.pstart = fs->ts.pstart;
	st = bpf_map_lookup_elem(&fold_stats, &key);
	if (!st) {
		bpf_map_update_elem(&fold_stats, &key, &fold_zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&fold_stats, &key);
	}
	if (st) {
		__sync_fetch_and_add(&st->total_ns, delta);
		idx = hist_bucket(delta);
		asm volatile("" : "+r"(idx));
		if (idx < HIST_NBUCKETS)
			__sync_fetch_and_add(&st->hist[idx], 1);
		if (delta > st->max_ns)
			st->max_ns = delta;
	}
#ifndef FOLD_NO_PEERS
	if (fs->pt.start_ns) {
		fs->pt.start_ns = 0;
		peers_end(task, &fs->pt, (long)ctx->args[1], delta);
	}
#endif
	return 0;
}
