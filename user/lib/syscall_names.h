#ifndef LATSCOPE_SYSCALL_NAMES_H
#define LATSCOPE_SYSCALL_NAMES_H

#include <stddef.h>

enum sc_arch { SC_ARCH_X86_64, SC_ARCH_AARCH64 };

/* The name of syscall nr on arch, or NULL when the table has none. */
const char *syscall_name_arch(enum sc_arch arch, unsigned nr);
/* The name on the host's architecture; unknown numbers become "sys_NNN"
 * in buf. Always returns a string. */
const char *syscall_name(unsigned nr, char *buf, size_t bufsz);
/* Reverse lookup on the host's architecture: -1 when unknown. */
int syscall_nr(const char *name);

#endif
