/* The locks family's user stacks unwound by CFI: each sample the BPF side
 * sends (once per new process and frame-pointer stack) is unwound at once,
 * while its process lives, and kept by the frame-pointer stack's id until
 * no entry refers to that id. Thread-safe: the ring buffer's thread adds,
 * the collector reads and sweeps. */
#ifndef LATSCOPE_LOCKS_USTACK_H
#define LATSCOPE_LOCKS_USTACK_H

#include <stddef.h>
#include <linux/types.h>

#define USTACK_DWARF_DEPTH 64	/* frames kept per unwound stack */
#define USTACK_CALLEES 8	/* inner frames whose calls are decoded */

struct hashmap;
struct ustack_store;
struct uunwind;

struct ustack_store *ustack_store_new(struct uunwind *uw);
void ustack_store_free(struct ustack_store *s);
/* A struct lock_ustack_sample of size bytes, unwound and kept; 0 or a
 * negative errno (a short record, no memory). */
int ustack_store_add(struct ustack_store *s, const void *sample, size_t size);
/* The frames unwound for stack id into ips (at most n): how many, 0 when
 * none (not received yet, or nothing unwound). callees (NULL: not wanted;
 * else n entries): the function each frame's call went to
 * (uunwind_callee), 0 where not known; the first USTACK_CALLEES only. */
int ustack_store_get(struct ustack_store *s, __u64 stack, __u64 *ips, __u64 *callees, int n);
/* Drops the stacks whose id is not a key of used (__u64 keys). */
void ustack_store_sweep(struct ustack_store *s, const struct hashmap *used);
/* Stacks unwound, and the time spent unwinding them (ns), since the start. */
void ustack_store_cost(struct ustack_store *s, __u64 *count, __u64 *ns);

#endif
