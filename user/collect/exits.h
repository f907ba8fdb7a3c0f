/* The cgroup of a process that has exited: recorded in the kernel at its
 * exit (bpf/exits.bpf.c), for rows whose process is gone before the
 * frontend reads its /proc/PID/cgroup. */
#ifndef LATSCOPE_COLLECT_EXITS_H
#define LATSCOPE_COLLECT_EXITS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct options;

/* Loads and attaches the exits program; false (and nothing is recorded:
 * a gone process's rows have no cgroup) when the kernel refuses it. */
bool exits_open(const struct options *o);
/* The v2 path of the cgroup process pid was in when it exited, into out;
 * 0, or -1 when its exit was not seen or its cgroup is gone too. */
int exits_cgroup(__u32 pid, char *out, size_t n);
void exits_close(void);

#endif
