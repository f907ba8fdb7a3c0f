// SPDX-License-Identifier: GPL-2.0
/* The floor of any syscall tracer: programs on sys_enter and sys_exit that do
 * nothing. What latscope adds beyond this is what its own work costs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int floor_enter(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int floor_exit(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
