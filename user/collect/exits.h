/* The kernel's word on processes' cgroups (bpf/exits.bpf.c): the cgroup a
 * process was in when it exited, for rows whose process is gone before the
 * frontend reads its /proc/PID/cgroup, and when a process last exited or
 * was moved, so that /proc/PID/cgroup is read again only then. */
#ifndef LATSCOPE_COLLECT_EXITS_H
#define LATSCOPE_COLLECT_EXITS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct options;

/* Loads and attaches the programs; false when the kernel refuses them
 * (then nothing is known: a gone process's rows have no cgroup, and every
 * process is looked up again at every snapshot). */
bool exits_open(const struct options *o);
/* The v2 path of the cgroup process pid was in when it exited, into out;
 * 0, or -1 when its exit was not seen or its cgroup is gone too. */
int exits_cgroup(__u32 pid, char *out, size_t n);
/* The same, only when pid exited at or after since_ns: rows of a process
 * gone within the interval, named without looking for it in /proc. */
int exits_gone_since(__u32 pid, __u64 since_ns, char *out, size_t n);
/* How many exits and moves the kernel has recorded so far. */
__u64 exits_seq(void);
/* May process pid have exited or moved at or after since_ns
 * (CLOCK_MONOTONIC), when exits_seq() was since_seq? True also when so many
 * came since that the kernel's record of it may have been pushed out, and
 * always when the programs are not running. */
bool exits_changed_since(__u32 pid, __u64 since_ns, __u64 since_seq);
void exits_close(void);

#endif
