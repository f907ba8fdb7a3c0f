/* A chained hash table from fixed-size byte keys to pointers, for the
 * collectors' per-key state (previous cumulative values, symbol caches). */
#ifndef LATSCOPE_HASHMAP_H
#define LATSCOPE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hm_entry {
	struct hm_entry *next;
	size_t hash;
	void *value;
	unsigned char key[];
};

struct hashmap {
	struct hm_entry **buckets;
	size_t nbuckets, len, key_size;
};

struct hashmap *hashmap_new(size_t key_size);
/* free_value, if not NULL, is called on every value. */
void hashmap_free(struct hashmap *m, void (*free_value)(void *));
void *hashmap_get(const struct hashmap *m, const void *key);
/* Insert or replace; returns 0 or -ENOMEM. The old value is not freed. */
int hashmap_put(struct hashmap *m, const void *key, void *value);
/* Remove; returns the value that was stored, or NULL. */
void *hashmap_del(struct hashmap *m, const void *key);

/* Iterate: for (it = NULL; (it = hashmap_next(m, it, &b));) ... Removing the
 * current entry during iteration is not allowed; collect keys first. */
struct hm_entry *hashmap_next(const struct hashmap *m, struct hm_entry *it, size_t *bucket);

#endif
