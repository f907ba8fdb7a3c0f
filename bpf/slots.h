/* Slots of an mmap-able array table the frontend reads in place: handed out
 * from a stack map of the slots given back (by the kernel or the frontend),
 * else never used ones in order from *next, so that the slots in use stay
 * within [0, *next) and the frontend reads just that range. Used by the
 * pools' thread table and the syscalls family's inflight table. */
#ifndef LATSCOPE_SLOTS_H
#define LATSCOPE_SLOTS_H

/* A free slot of a table of size slots, or -1 when it is full. */
static __always_inline long slot_take(void *free_stack, __u32 *next, __u32 size)
{
	__u32 slot;

	if (!bpf_map_pop_elem(free_stack, &slot))
		return slot;
	slot = __sync_fetch_and_add(next, 1);
	return slot < size ? (long)slot : -1;
}

#endif
