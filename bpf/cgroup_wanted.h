/* --cgroup in the kernel: every family's programs test it first, after -p.
 * filter_ncgroups is rodata, so without --cgroup the verifier drops the
 * test and nobody pays for it. With it, a task outside the cgroups costs
 * one bpf_get_current_ancestor_cgroup_id per --cgroup given (the current
 * task), or a short chain of kernel reads (another task: the next task of a
 * context switch, a woken one). Both look at the task's v2 cgroup, which
 * every task has also on v1+v2 hybrid hosts. */
#ifndef LATSCOPE_BPF_CGROUP_WANTED_H
#define LATSCOPE_BPF_CGROUP_WANTED_H

#include "cgroup_filter.h"

const volatile __u32 filter_ncgroups = 0;
const volatile __u64 filter_cgroup_ids[CGROUP_FILTER_MAX] = {};
const volatile __u32 filter_cgroup_levels[CGROUP_FILTER_MAX] = {};

/* Is current under one of the cgroups? Call only when filter_ncgroups. */
static __always_inline bool cgroup_wanted_current(void)
{
	__u32 i, n = filter_ncgroups;

	for (i = 0; i < CGROUP_FILTER_MAX; i++) {
		if (i >= n)
			break;
		if (bpf_get_current_ancestor_cgroup_id(filter_cgroup_levels[i]) ==
		    filter_cgroup_ids[i])
			return true;
	}
	return false;
}

/* The same for any task (a raw tracepoint's argument, not trusted: read
 * through bpf_probe_read_kernel). */
static __always_inline bool cgroup_wanted_task(struct task_struct *task)
{
	struct task_struct___cg *t = (void *)task;
	struct cgroup___cg *cg, *anc;
	__u32 i, lvl, n = filter_ncgroups;
	int level;

	cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	if (!cg)
		return false;
	level = BPF_CORE_READ(cg, level);
	for (i = 0; i < CGROUP_FILTER_MAX; i++) {
		if (i >= n)
			break;
		lvl = filter_cgroup_levels[i];
		if ((int)lvl > level || lvl >= 4096)
			continue;
		anc = NULL;
		if (bpf_core_read(&anc, sizeof(anc), &cg->ancestors[lvl]) || !anc)
			continue;
		if (BPF_CORE_READ(anc, kn, id) == filter_cgroup_ids[i])
			return true;
	}
	return false;
}

#define CGROUP_OK_CURRENT() (!filter_ncgroups || cgroup_wanted_current())
#define CGROUP_OK_TASK(t) (!filter_ncgroups || cgroup_wanted_task(t))

#endif
