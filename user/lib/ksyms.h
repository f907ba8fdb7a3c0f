/* Kernel symbols from /proc/kallsyms: one sorted table, loaded once,
 * searched by address. */
#ifndef LATSCOPE_KSYMS_H
#define LATSCOPE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ksym {
	unsigned long long addr;
	char *name;		/* "func" or "func [module]" */
	char type;		/* kallsyms type letter, lower-cased */
};

struct ksyms {
	struct ksym *syms;
	size_t len, cap;
	char *strs;		/* names, one block */
	size_t strs_len, strs_cap;
};

/* Loads from an open kallsyms-format stream; NULL on error (errno set) or
 * when every address is 0 (kptr_restrict hides them: errno EPERM). */
struct ksyms *ksyms__load_file(FILE *f);
struct ksyms *ksyms__load(void);	/* /proc/kallsyms */
void ksyms__free(struct ksyms *k);
/* The symbol an address falls in (the last one at or below it), NULL when
 * below the first. */
const struct ksym *ksyms__find(const struct ksyms *k, unsigned long long addr);
/* "func+0x1a" ("func+0x1a [module]") into buf, or "0xffff..." when
 * unknown; returns buf. */
const char *ksyms__format(const struct ksyms *k, unsigned long long addr, char *buf, size_t n);
/* The data symbol (a static object) that addr lies in, NULL if none. */
const struct ksym *ksyms__find_object(const struct ksyms *k, unsigned long long addr);

#endif
