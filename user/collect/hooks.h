/* The frontend's half of the shared hooks (include/hook_slots.h): the syscalls
 * family registers its programs' array as the head once loaded; the other
 * families then put their programs for sys_enter, sys_exit and sched_switch
 * in it instead of attaching them, and attach them themselves when there is
 * no head or joining it fails. */
#ifndef LATSCOPE_COLLECT_HOOKS_H
#define LATSCOPE_COLLECT_HOOKS_H

#include <stdbool.h>
#include <linux/types.h>
#include "hook_slots.h"
#include "hist.h"
#include "syscalls.h"

struct bpf_program;

/* The syscalls family's head: the fd of its `hooks` program array, its
 * .bss hook_want table and hook_switch_on flag (mmap'd, written here). */
void hooks_set_head(int map_fd, __u8 (*want)[SYSCALLS_MAX_NR], __u32 *switch_on);
/* The head is going away: every slot is emptied first. */
void hooks_clear_head(void);
/* A head is registered: a family about to load decides from this which
 * programs to leave unattached. */
bool hooks_have_head(void);

/* Puts prog in slot, to run after the head's work for the syscall numbers
 * nrs[0..n) (none for HOOK_POOLS_SWITCH, which runs at every switch). 0,
 * or a negative errno (no head: -ENOENT; a number another slot of the same
 * side has: -EBUSY; the kernel refused the program) and nothing changed:
 * the caller attaches prog itself then. */
int hooks_join(enum hook_slot slot, const struct bpf_program *prog, const long *nrs, int n);
/* Empties slot (its program stops running); nothing when not joined. */
void hooks_leave(enum hook_slot slot);

#endif
