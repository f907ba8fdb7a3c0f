/* What a thread already asleep when the pools family starts is waiting on,
 * from /proc/PID/task/TID/syscall, with the same rules as the kernel side
 * (bpf/pools.bpf.c classify_sleep). */
#ifndef LATSCOPE_POOL_SEED_H
#define LATSCOPE_POOL_SEED_H

#include <stdbool.h>
#include <linux/types.h>

/* Parses "NR ARG1 ... ARG6 SP PC" (hex arguments). 0, or -1 when the text
 * names no syscall ("running", or "-1 SP PC" for a sleep outside one). */
int pool_seed_parse(const char *text, long *nr, unsigned long long args[6]);

/* enum pool_state of a thread asleep in syscall nr. Sets *accept for
 * accept(2) (an acceptor, by the SPEC's rule at attach) and *check_fds for
 * a poll whose descriptors decide (PST_IO until they are looked at). */
__u8 pool_seed_state(long nr, const unsigned long long args[6], bool *accept, bool *check_fds);

/* The state of a thread of process tgid asleep in the syscall its /proc
 * line text names (pool_seed_parse, pool_seed_state): the descriptors of a
 * poll are read from the process's memory and looked up in /proc (one a
 * worker waits on for work makes it idle). Sets *accept for accept(2). */
__u8 pool_seed_classify(__u32 tgid, const char *text, bool *accept);

#endif
