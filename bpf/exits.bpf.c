// SPDX-License-Identifier: GPL-2.0
/* The kernel's word on which cgroup each process is in, for the frontend's
 * cgroup attribution (user/collect/cgroup_attr.c): when a process exits
 * (its /proc/PID/cgroup goes with it) and when one is moved to another
 * cgroup (its /proc/PID/cgroup needs reading again; else the frontend keeps
 * what it read). Both events are rare: the hot tracepoints pay nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "exit_rec.h"

char LICENSE[] SEC("license") = "GPL";

/* tgid -> its last exit or move. An LRU: the oldest go first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EXITS_MAX);
	__type(key, __u32);
	__type(value, struct exit_rec);
} exits SEC(".maps");

/* Records written: the frontend trusts what it read of a process only
 * while fewer than EXITS_MAX / 2 came since, so that an exit the LRU has
 * pushed out cannot hide a reused pid. */
__u64 records = 0;

static __always_inline void record(__u32 tgid, __u64 cgroup_id, __u32 kind)
{
	struct exit_rec r = {
		.cgroup_id = cgroup_id,
		.ts_ns = bpf_ktime_get_ns(),
		.kind = kind,
	};

	if (!tgid)
		return;
	__sync_fetch_and_add(&records, 1);
	bpf_map_update_elem(&exits, &tgid, &r, BPF_ANY);
}

/* TP_PROTO(struct task_struct *p, bool group_dead): p is current, still in
 * its cgroup (cgroup_exit comes later in do_exit). Every thread's exit
 * writes its process's record: the last one is the one kept. */
SEC("raw_tracepoint/sched_process_exit")
int exits_record(struct bpf_raw_tracepoint_args *ctx)
{
	record(bpf_get_current_pid_tgid() >> 32, bpf_get_current_cgroup_id(), EXIT_REC_EXIT);
	return 0;
}

/* TP_PROTO(struct cgroup *dst, const char *path, struct task_struct *task,
 * bool threadgroup), once per task moved, after the move; current is the
 * mover. The task's v2 cgroup is read from it (dst may be of a v1
 * hierarchy on a hybrid host, which changes nothing here). */
SEC("raw_tracepoint/cgroup_attach_task")
int exits_moved(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct___cg *t = (void *)ctx->args[2];
	struct task_struct *task = (void *)ctx->args[2];
	struct cgroup___cg *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);

	record(BPF_CORE_READ(task, tgid), cg ? BPF_CORE_READ(cg, kn, id) : 0, EXIT_REC_MOVED);
	return 0;
}
