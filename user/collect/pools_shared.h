/* The pools family's per-thread states (thread_table, thread_slots), which
 * the syscalls family's requests view reads to split a request's time into
 * on-CPU, run queue, lock and io: the syscalls family, loaded first, makes
 * the two maps at the pools family's size and publishes their fds here;
 * the pools family then loads onto them (bpf_map__reuse_fd) and is their
 * only writer. -1: not shared (the pools family makes its own). */
#ifndef LATSCOPE_COLLECT_POOLS_SHARED_H
#define LATSCOPE_COLLECT_POOLS_SHARED_H

#include <linux/types.h>
#include "options.h"

extern int pools_shared_table_fd, pools_shared_slots_fd;

/* The threads the pools family follows at most (read once per run). */
__u32 pools_thread_map_size(const struct options *o);

#endif
