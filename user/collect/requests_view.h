/* The requests view (docs/json.md "requests"): its kernel side is part of
 * the syscalls family's sys_exit program (bpf/requests_work.h), switched on
 * by a read-only flag, so it shares that family's fd resolution, clock
 * read, epoch and settle time; this is its collector, which the syscalls
 * collector calls each snapshot. */
#ifndef LATSCOPE_COLLECT_REQUESTS_VIEW_H
#define LATSCOPE_COLLECT_REQUESTS_VIEW_H

#include <stdbool.h>
#include <linux/types.h>
#include "options.h"
#include "snapshot/snapshot.h"

struct syscalls_bpf;
struct requests;

/* Before the skeleton is loaded: on or off (off: its maps made small);
 * the maps of thread states it shares with the pools family sized for
 * that family when both run (else made small). */
void requests_configure(struct syscalls_bpf *skel, const struct options *o);
/* Once the family runs: the thread-state maps published for the pools
 * family to load onto (collect/pools_shared.h), when both run. */
void requests_share_threads(struct syscalls_bpf *skel, const struct options *o);
/* After it is loaded; NULL when out of memory. The ports processes listen
 * on now are read from /proc, so that connections accepted before latscope
 * started count once they are used. */
struct requests *requests_new(struct syscalls_bpf *skel);
/* Adds the listeners' figures of the epoch that ended (whose calls have
 * settled) and the requests open now to s. */
int requests_collect(struct requests *r, struct snapshot *s, __u32 ended);
void requests_free(struct requests *r);

#endif
