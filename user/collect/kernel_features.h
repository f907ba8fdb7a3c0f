/* What a probe family needs from the kernel, checked before it loads, so a
 * family the kernel cannot run is switched off with a reason a user can act
 * on ("needs the raw tracepoint contention_begin (Linux 5.19+)") instead of
 * a verifier or attach error. */
#ifndef LATSCOPE_KERNEL_FEATURES_H
#define LATSCOPE_KERNEL_FEATURES_H

#include <stddef.h>
#include <linux/bpf.h>

struct family_needs {
	/* raw tracepoints by name (the kernel's BTF has a btf_trace_NAME
	 * typedef for each), NULL-terminated; a name may be followed by
	 * "|why" to say which kernel brought it */
	const char *const *raw_tps;
	/* map types, terminated by BPF_MAP_TYPE_UNSPEC */
	const enum bpf_map_type *maps;
};

/* 0 when everything in n is there; else -1 with why filled in. The BTF
 * used is the kernel's own, or the --btf file when the kernel has none. */
int features_check(const struct family_needs *n, char *why, size_t len);
/* The BTF a raw tracepoint is looked up in: NULL for the kernel's. */
void features_set_btf(const char *path);
void features_free(void);

#endif
