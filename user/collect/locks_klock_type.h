/* Naming kernel lock waits: the type from contention_begin's flags, and
 * which stack frames belong to the locking code itself. */
#ifndef LATSCOPE_KLOCK_TYPE_H
#define LATSCOPE_KLOCK_TYPE_H

#include <stdbool.h>

/* "spinlock", "mutex", "rwsem-read", ... for LCB_F_* flags. */
const char *klock_type_name(unsigned int flags);
/* True for frames of the lock implementation or of the tracing that
 * recorded the wait (name is a kallsyms name, with or without +0xoff). */
bool klock_frame_is_locking(const char *name);
/* True for the BPF/tracepoint frames on top of every recorded stack. */
bool klock_frame_is_tracing(const char *name);

#endif
