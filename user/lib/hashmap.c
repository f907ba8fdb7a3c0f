#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"

static size_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, then a final mix */

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h;
}

struct hashmap *hashmap_new(size_t key_size)
{
	struct hashmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->key_size = key_size;
	m->nbuckets = 64;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	if (!m->buckets) {
		free(m);
		return NULL;
	}
	return m;
}

void hashmap_free(struct hashmap *m, void (*free_value)(void *))
{
	if (!m)
		return;
	for (size_t b = 0; b < m->nbuckets; b++) {
		struct hm_entry *e = m->buckets[b], *n;

		for (; e; e = n) {
			n = e->next;
			if (free_value)
				free_value(e->value);
			free(e);
		}
	}
	free(m->buckets);
	free(m);
}

static struct hm_entry **find(const struct hashmap *m, const void *key, size_t h)
{
	struct hm_entry **pp = &m->buckets[h & (m->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == h && !memcmp((*pp)->key, key, m->key_size))
			return pp;
	return pp;
}

void *hashmap_get(const struct hashmap *m, const void *key)
{
	struct hm_entry **pp = find(m, key, hash_bytes(key, m->key_size));

	return *pp ? (*pp)->value : NULL;
}

static void grow(struct hashmap *m)
{
	size_t nb = m->nbuckets * 2;
	struct hm_entry **b = calloc(nb, sizeof(*b));

	if (!b)
		return;	/* keep working with longer chains */
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct hm_entry *e = m->buckets[i], *n;

		for (; e; e = n) {
			n = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

int hashmap_put(struct hashmap *m, const void *key, void *value)
{
	size_t h = hash_bytes(key, m->key_size);
	struct hm_entry **pp = find(m, key, h), *e;

	if (*pp) {
		(*pp)->value = value;
		return 0;
	}
	e = malloc(sizeof(*e) + m->key_size);
	if (!e)
		return -ENOMEM;
	e->hash = h;
	e->value = value;
	e->next = NULL;
	memcpy(e->key, key, m->key_size);
	*pp = e;
	if (++m->len > m->nbuckets)
		grow(m);
	return 0;
}

void *hashmap_del(struct hashmap *m, const void *key)
{
	struct hm_entry **pp = find(m, key, hash_bytes(key, m->key_size)), *e;
	void *v;

	if (!*pp)
		return NULL;
	e = *pp;
	*pp = e->next;
	v = e->value;
	free(e);
	m->len--;
	return v;
}

struct hm_entry *hashmap_next(const struct hashmap *m, struct hm_entry *it, size_t *bucket)
{
	if (!it)
		*bucket = 0;
	else if (it->next)
		return it->next;
	else
		(*bucket)++;
	for (; *bucket < m->nbuckets; (*bucket)++)
		if (m->buckets[*bucket])
			return m->buckets[*bucket];
	return NULL;
}
