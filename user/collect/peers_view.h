/* The peers view (SPEC "peers"): its kernel side is part of the syscalls
 * family's sys_exit program (bpf/peers_work.h), switched on by a read-only
 * flag, so it shares that family's clock read, epoch and settle time; this
 * is its collector, which the syscalls collector calls each snapshot. */
#ifndef LATSCOPE_COLLECT_PEERS_H
#define LATSCOPE_COLLECT_PEERS_H

#include <stdbool.h>
#include <linux/types.h>
#include "snapshot/snapshot.h"

struct syscalls_bpf;
struct peers;

/* Before the skeleton is loaded: on or off, maps sized for procs processes. */
void peers_configure(struct syscalls_bpf *skel, bool on, long procs);
/* After it is loaded (top: --top, rows made per snapshot); NULL when out of
 * memory. */
struct peers *peers_new(struct syscalls_bpf *skel, size_t top);
/* Adds the entries of the epoch that ended (whose calls have settled) to s. */
int peers_collect(struct peers *p, struct snapshot *s, __u32 ended);
void peers_free(struct peers *p);

#endif
