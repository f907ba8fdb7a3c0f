#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/syscall_names.h"

/* build/syscall_names.c, generated from the uapi headers at build time */
extern const char *const syscall_names_x86_64[];
extern const unsigned syscall_names_x86_64_len;
extern const char *const syscall_names_aarch64[];
extern const unsigned syscall_names_aarch64_len;

#if defined(__aarch64__)
#define HOST_ARCH SC_ARCH_AARCH64
#else
#define HOST_ARCH SC_ARCH_X86_64
#endif

const char *syscall_name_arch(enum sc_arch arch, unsigned nr)
{
	if (arch == SC_ARCH_AARCH64)
		return nr < syscall_names_aarch64_len ? syscall_names_aarch64[nr] : NULL;
	return nr < syscall_names_x86_64_len ? syscall_names_x86_64[nr] : NULL;
}

const char *syscall_name(unsigned nr, char *buf, size_t bufsz)
{
	const char *n = syscall_name_arch(HOST_ARCH, nr);

	if (n)
		return n;
	snprintf(buf, bufsz, "sys_%u", nr);
	return buf;
}

int syscall_nr(const char *name)
{
	unsigned len = HOST_ARCH == SC_ARCH_AARCH64 ? syscall_names_aarch64_len
						    : syscall_names_x86_64_len;

	for (unsigned i = 0; i < len; i++) {
		const char *n = syscall_name_arch(HOST_ARCH, i);

		if (n && !strcmp(n, name))
			return (int)i;
	}
	if (!strncmp(name, "sys_", 4) && name[4])
		return atoi(name + 4);
	return -1;
}
