/* The hooks every family shares: raw_syscalls:sys_enter, sys_exit and
 * sched:sched_switch fire for every syscall and context switch of the
 * host, and each BPF program attached there costs a dispatch (~50 ns here,
 * with retpolines) whether it has work to do or not. So the syscalls
 * family's programs on them are the head: another family's program for
 * one of them is not attached but put in the head's program array
 * (`hooks`, slot below) and the head tail-calls it for the syscall numbers
 * it asked for (hook_want), after its own work. Numbers no other family
 * wants cost the others nothing. Without the head (the syscalls family off
 * or failed), each family attaches its programs itself, as before.
 *
 * One slot per (family, side): at most one other family per syscall number
 * and side, since a tail call does not come back. */
#ifndef LATSCOPE_HOOK_SLOTS_H
#define LATSCOPE_HOOK_SLOTS_H

enum hook_slot {
	HOOK_LOCKS_ENTER,	/* locks: futex waits, sys_enter */
	HOOK_LOCKS_EXIT,	/* locks: futex waits, sys_exit */
	HOOK_POOLS_EXIT,	/* pools: acceptors and names, sys_exit */
	HOOK_POOLS_SWITCH,	/* pools: thread states, sched_switch */
	HOOK_NR
};

enum hook_side { HOOK_SIDE_ENTER, HOOK_SIDE_EXIT, HOOK_SIDES };

#endif
