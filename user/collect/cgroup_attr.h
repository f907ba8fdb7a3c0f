/* cgroup and service on every per-process row of a snapshot, from
 * /proc/PID/cgroup, after the collectors have made it. */
#ifndef LATSCOPE_CGROUP_ATTR_H
#define LATSCOPE_CGROUP_ATTR_H

#include <stdbool.h>
#include "options.h"
#include "snapshot/snapshot.h"

/* Starts recording the cgroup of processes as they exit (collect/exits.h),
 * so that the rows of one gone before its snapshot are named too; without
 * it (the kernel refused the program) they have none. */
void cgroup_attr_open(const struct options *o);
/* Fills cgroup and service of every row with a pid. Each process is
 * looked up once per snapshot (a process moved between cgroups is named
 * by where it is now); one gone since is named by the cgroup it exited
 * in, else the last one seen, so what it did before it exited still has
 * its service. */
void cgroup_attr_fill(struct snapshot *s);
/* Releases the cache and the exits program. */
void cgroup_attr_free(void);

/* --cgroup in user space, for rows the kernel could not filter (tcp events
 * whose owner is found in /proc): is pid's cgroup under one of o's? */
bool cgroup_attr_wanted(const struct options *o, __u32 pid);

/* Resolves o's --cgroup arguments (one line on stderr for a bad one);
 * 0 or -1. */
int cgroups_resolve(struct options *o);

/* The rodata of every family for --cgroup (bpf/cgroup_wanted.h) */
#define FAMILY_SET_CGROUPS(rodata, o)						\
	do {									\
		(rodata)->filter_ncgroups = (o)->ncgroups;			\
		for (__u32 i_ = 0; i_ < (o)->ncgroups; i_++) {			\
			((__u64 *)(rodata)->filter_cgroup_ids)[i_] = (o)->cgroups[i_].id; \
			((__u32 *)(rodata)->filter_cgroup_levels)[i_] = (o)->cgroups[i_].level; \
		}								\
	} while (0)

#endif
