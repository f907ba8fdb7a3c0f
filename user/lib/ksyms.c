/* /proc/kallsyms as a sorted table. The kernel lists ~100k+ symbols; they
 * are read once when the locks family opens and then binary-searched for
 * every stack frame. */
#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include "lib/ksyms.h"

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* among aliases prefer a global text symbol */
	return (y->type == 't') - (x->type == 't');
}

static int add(struct ksyms *k, unsigned long long addr, char type, const char *name,
	       const char *mod)
{
	size_t need = strlen(name) + (mod ? strlen(mod) + 3 : 0) + 1;

	if (k->len == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		struct ksym *s = realloc(k->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		k->syms = s;
		k->cap = cap;
	}
	if (k->strs_len + need > k->strs_cap) {
		size_t cap = k->strs_cap ? k->strs_cap * 2 : 1 << 21;
		char *s;

		while (cap < k->strs_len + need)
			cap *= 2;
		s = realloc(k->strs, cap);
		if (!s)
			return -ENOMEM;
		k->strs = s;
		k->strs_cap = cap;
	}
	/* names are stored as offsets until the block stops moving */
	k->syms[k->len].name = (char *)(uintptr_t)k->strs_len;
	k->syms[k->len].addr = addr;
	k->syms[k->len].type = type;
	k->len++;
	if (mod)
		k->strs_len += (size_t)sprintf(k->strs + k->strs_len, "%s [%s]", name, mod) + 1;
	else
		k->strs_len += (size_t)sprintf(k->strs + k->strs_len, "%s", name) + 1;
	return 0;
}

struct ksyms *ksyms__load_file(FILE *f)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	char line[512];
	bool nonzero = false;

	if (!k)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256], mod[128];
		int n;

		mod[0] = 0;
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod);
		if (n < 3)
			continue;
		type = (char)(type | 0x20);
		/* text and data; not absolute symbols (per-CPU offsets) */
		if (!strchr("twdbr", type))
			continue;
		if (addr)
			nonzero = true;
		if (add(k, addr, type, name, n == 4 ? mod : NULL)) {
			ksyms__free(k);
			errno = ENOMEM;
			return NULL;
		}
	}
	if (!nonzero) {
		ksyms__free(k);
		errno = EPERM;
		return NULL;
	}
	for (size_t i = 0; i < k->len; i++)
		k->syms[i].name = k->strs + (uintptr_t)k->syms[i].name;
	if (k->len > 1)
		qsort(k->syms, k->len, sizeof(*k->syms), cmp_addr);
	return k;
}

struct ksyms *ksyms__load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct ksyms *k;

	if (!f)
		return NULL;
	k = ksyms__load_file(f);
	fclose(f);
	return k;
}

void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->strs);
	free(k);
}

static ssize_t find_idx(const struct ksyms *k, unsigned long long addr)
{
	size_t lo = 0, hi = k->len;

	if (!k->len || addr < k->syms[0].addr)
		return -1;
	/* the last entry with syms[i].addr <= addr; the first of equal ones */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo > 0 && k->syms[lo - 1].addr == k->syms[lo].addr)
		lo--;
	return (ssize_t)lo;
}

const struct ksym *ksyms__find(const struct ksyms *k, unsigned long long addr)
{
	ssize_t i = k ? find_idx(k, addr) : -1;

	return i < 0 ? NULL : &k->syms[i];
}

/* No function is this large: an address further from the symbol below it
 * lies in memory kallsyms does not describe (a BPF program loaded since). */
#define KSYM_MAX_OFFSET (1ULL << 20)

const char *ksyms__format(const struct ksyms *k, unsigned long long addr, char *buf, size_t n)
{
	const struct ksym *s = ksyms__find(k, addr);

	if (s && addr - s->addr >= KSYM_MAX_OFFSET)
		s = NULL;

	const char *mod = s ? strstr(s->name, " [") : NULL;

	/* "func+0x1a", or "func+0x1a [module]" */
	if (mod)
		snprintf(buf, n, "%.*s+0x%llx%s", (int)(mod - s->name), s->name, addr - s->addr, mod);
	else if (s)
		snprintf(buf, n, "%s+0x%llx", s->name, addr - s->addr);
	else
		snprintf(buf, n, "0x%llx", addr);
	return buf;
}

/* Objects are not sized in kallsyms: an address counts as inside a data
 * symbol when no other symbol starts between them and it is within a
 * page of its start (a lock is a small field of a static object). */
const struct ksym *ksyms__find_object(const struct ksyms *k, unsigned long long addr)
{
	const struct ksym *s = ksyms__find(k, addr);

	if (!s || !strchr("dbr", s->type) || addr - s->addr >= 4096)
		return NULL;
	return s;
}
