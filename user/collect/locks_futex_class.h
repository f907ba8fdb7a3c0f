/* What kind of wait a futex wait is (SPEC "Futex classification"). */
#ifndef LATSCOPE_FUTEX_CLASS_H
#define LATSCOPE_FUTEX_CLASS_H

#include <stdbool.h>
#include <stddef.h>

/* From the op alone: "mutex", "condvar" or "futex". val2: a FUTEX_WAIT
 * whose expected value was 2. */
const char *futex_kind_by_op(unsigned int op, bool val2);
/* From one symbolized frame ("pthread_mutex_lock+0x1c", "libc.so.6+0x1"):
 * the kind it proves, or NULL when the frame says nothing. */
const char *futex_kind_by_symbol(const char *frame);
/* The kind of a wait: the innermost frame that names a kind decides
 * (stack[0] is innermost), else the op. callees (NULL, or nstack entries
 * that may be NULL): the function each frame called, by the call
 * instruction (it names the entry a tail call hides: sem_wait), looked at
 * between frame i-1 and frame i. */
const char *futex_kind(unsigned int op, bool val2, char *const *stack, char *const *callees,
		       size_t nstack);

#endif
