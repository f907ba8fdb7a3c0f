/* What /proc knows of processes, for the collectors. A process is named by
 * (tgid, pstart), pstart being its start time in boottime ns as the BPF side
 * reads it, so a reused pid is never taken for the process that had it. */
#ifndef LATSCOPE_PROCFS_H
#define LATSCOPE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The process's name into buf if it is still the process started at pstart
 * (0: any); 0 on success, -1 if it is gone. */
int procfs_comm(__u32 tgid, __u64 pstart, char *buf, size_t n);
bool procfs_alive(__u32 tgid, __u64 pstart);
/* The process (thread group) id of task pid, -1 if there is no such task. */
long procfs_tgid(__u32 pid);
/* /proc/PID/FILE's text into buf (NUL-terminated, cut at n - 1 bytes);
 * its length, or -1 if it cannot be read (the process is gone). */
long procfs_read(__u32 pid, const char *file, char *buf, size_t n);
/* Parses the text of /proc/PID/stat: comm (between the first '(' and the
 * last ')') and starttime (field 22, clock ticks). 0 or -1. */
int procfs_parse_stat(const char *text, char *comm, size_t n, unsigned long long *start_ticks);

/* From /proc/net/netstat (or snmp's format: a line of names after
 * "Group:", then one of values), the n counters of group named names, into
 * v. 0, or -1 when the file, the group or a name is missing. */
int procfs_netstat(const char *group, const char *const *names, size_t n, __u64 *v);

#endif
