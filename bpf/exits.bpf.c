// SPDX-License-Identifier: GPL-2.0
/* Which cgroup each process was in when it exited, for the rows of
 * processes that are gone by the time the frontend names them (their
 * /proc/PID/cgroup went with them). One program on sched_process_exit, a
 * rare event: the hot tracepoints pay nothing for it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "exit_rec.h"

char LICENSE[] SEC("license") = "GPL";

/* tgid -> its v2 cgroup's id at its last thread's exit seen. An LRU: the
 * oldest exits go first when the frontend has not looked for them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EXITS_MAX);
	__type(key, __u32);
	__type(value, struct exit_rec);
} exits SEC(".maps");

/* TP_PROTO(struct task_struct *p, bool group_dead): p is current, still in
 * its cgroup (cgroup_exit comes later in do_exit). Every thread's exit
 * writes its process's record: the last one is the one kept. */
SEC("raw_tracepoint/sched_process_exit")
int exits_record(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct exit_rec r = {
		.cgroup_id = bpf_get_current_cgroup_id(),
		.ts_ns = bpf_ktime_get_ns(),
	};

	if (!tgid)
		return 0;
	bpf_map_update_elem(&exits, &tgid, &r, BPF_ANY);
	return 0;
}
