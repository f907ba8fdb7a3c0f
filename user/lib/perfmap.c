#include <stdlib.h>
#include <string.h>
#include "lib/perfmap.h"

struct pm_entry {
	__u64 start, size;
	size_t seq;		/* line number: the later of two wins */
	char *name;
};

struct perfmap {
	struct pm_entry *e;
	size_t n;
	char *names;		/* one block */
};

static int cmp_entry(const void *a, const void *b)
{
	const struct pm_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? 1 : (x->seq > y->seq ? -1 : 0);	/* latest first */
}

/* One line "START SIZE NAME" into e (its name copied to *names); 0 if it
 * is one. */
static int parse_line(const char *l, size_t n, struct pm_entry *e, char **names)
{
	char buf[48], *end;
	const char *sp1 = memchr(l, ' ', n), *sp2;
	size_t w;

	if (!sp1 || (size_t)(sp1 - l) >= sizeof(buf))
		return -1;
	memcpy(buf, l, (size_t)(sp1 - l));
	buf[sp1 - l] = 0;
	e->start = strtoull(buf, &end, 16);
	if (*end || end == buf)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l));
	if (!sp2 || (size_t)(sp2 - sp1 - 1) >= sizeof(buf) || sp2 == sp1 + 1)
		return -1;
	memcpy(buf, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	buf[sp2 - sp1 - 1] = 0;
	e->size = strtoull(buf, &end, 16);
	if (*end || !e->size || e->start + e->size < e->start)
		return -1;
	w = n - (size_t)(sp2 + 1 - l);
	if (!w)
		return -1;
	memcpy(*names, sp2 + 1, w);
	(*names)[w] = 0;
	e->name = *names;
	*names += w + 1;
	return 0;
}

struct perfmap *perfmap_parse(const char *text, size_t len)
{
	struct perfmap *m = calloc(1, sizeof(*m));
	size_t lines = 1, off = 0;
	char *names;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (!m || !(m->e = calloc(lines, sizeof(*m->e))) || !(m->names = malloc(len + 1))) {
		perfmap_free(m);
		return NULL;
	}
	names = m->names;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		if (!parse_line(text + off, n, &m->e[m->n], &names))
			m->e[m->n].seq = m->n, m->n++;
		off += n + 1;
	}
	qsort(m->e, m->n, sizeof(*m->e), cmp_entry);
	return m;
}

void perfmap_free(struct perfmap *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->names);
	free(m);
}

size_t perfmap_len(const struct perfmap *m)
{
	return m ? m->n : 0;
}

const char *perfmap_find(const struct perfmap *m, __u64 addr, __u64 *off)
{
	size_t lo = 0, hi;

	if (!m || !m->n || addr < m->e[0].start)
		return NULL;
	hi = m->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->e[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* the latest entry at that start (sorted first among equals) */
	while (lo > 0 && m->e[lo - 1].start == m->e[lo].start)
		lo--;
	if (addr - m->e[lo].start >= m->e[lo].size)
		return NULL;
	*off = addr - m->e[lo].start;
	return m->e[lo].name;
}
