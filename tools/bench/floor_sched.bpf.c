// SPDX-License-Identifier: GPL-2.0
/* The floor of a scheduler tracer: empty programs on sched_switch and the
 * wakeups, plus sys_enter/sys_exit (bench_all.sh loads this one). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int fs_sys_enter(void *ctx) { return 0; }

SEC("raw_tp/sys_exit")
int fs_sys_exit(void *ctx) { return 0; }

SEC("raw_tp/sched_switch")
int fs_switch(void *ctx) { return 0; }

SEC("raw_tp/sched_wakeup")
int fs_wakeup(void *ctx) { return 0; }

SEC("raw_tp/sched_wakeup_new")
int fs_wakeup_new(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
