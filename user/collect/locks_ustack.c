#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect/locks_ustack.h"
#include "lib/hashmap.h"
#include "lib/uunwind.h"
#include "hist.h"
#include "locks.h"

struct unwound {
	int n;
	__u64 ips[USTACK_DWARF_DEPTH];
	__u64 callees[USTACK_CALLEES];
};

struct ustack_store {
	pthread_mutex_t lock;
	struct uunwind *uw;
	struct hashmap *stacks;	/* stack id -> struct unwound */
	__u64 count, ns;
};

struct ustack_store *ustack_store_new(struct uunwind *uw)
{
	struct ustack_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->uw = uw;
	s->stacks = hashmap_new(sizeof(__u64));
	if (!s->stacks) {
		free(s);
		return NULL;
	}
	return s;
}

void ustack_store_free(struct ustack_store *s)
{
	if (!s)
		return;
	hashmap_free(s->stacks, free);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int ustack_store_add(struct ustack_store *s, const void *sample, size_t size)
{
	const struct lock_ustack_sample *ev = sample;
	struct unwound *u, *old;
	struct uunwind_sample us;
	__u64 t0 = mono_ns();
	int n;

	if (size < offsetof(struct lock_ustack_sample, data) ||
	    ev->size > size - offsetof(struct lock_ustack_sample, data))
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	us = (struct uunwind_sample){ ev->ip, ev->sp, ev->bp, ev->data, ev->size };
	/* unwound outside the store's lock: the collector does not wait */
	n = uunwind_stack(s->uw, ev->tgid, ev->pstart, &us, u->ips, USTACK_DWARF_DEPTH);
	u->n = n > 0 ? n : 0;
	/* while the process lives: its code and GOT are read */
	for (int i = 1; i < u->n && i < USTACK_CALLEES; i++)
		u->callees[i] = uunwind_callee_of(s->uw, ev->tgid, u->ips[i]);
	pthread_mutex_lock(&s->lock);
	s->count++;
	s->ns += mono_ns() - t0;
	old = hashmap_get(s->stacks, &ev->stack);
	if (old) {
		*old = *u;	/* the same stack sent again after a sweep */
		free(u);
	} else if (hashmap_put(s->stacks, &ev->stack, u)) {
		free(u);
		n = -ENOMEM;
	}
	pthread_mutex_unlock(&s->lock);
	return n < 0 ? n : 0;
}

int ustack_store_get(struct ustack_store *s, __u64 stack, __u64 *ips, __u64 *callees, int n)
{
	const struct unwound *u;
	int got = 0;

	pthread_mutex_lock(&s->lock);
	u = hashmap_get(s->stacks, &stack);
	if (u) {
		got = u->n < n ? u->n : n;
		memcpy(ips, u->ips, (size_t)got * sizeof(*ips));
		for (int i = 0; callees && i < got; i++)
			callees[i] = i < USTACK_CALLEES ? u->callees[i] : 0;
	}
	pthread_mutex_unlock(&s->lock);
	return got;
}

void ustack_store_sweep(struct ustack_store *s, const struct hashmap *used)
{
	__u64 *stale = NULL;
	size_t nstale = 0, b;
	struct hm_entry *it;

	pthread_mutex_lock(&s->lock);
	stale = calloc(s->stacks->len ? s->stacks->len : 1, sizeof(*stale));
	for (it = NULL; stale && (it = hashmap_next(s->stacks, it, &b));)
		if (!hashmap_get(used, it->key))
			memcpy(&stale[nstale++], it->key, sizeof(*stale));
	for (size_t i = 0; i < nstale; i++)
		free(hashmap_del(s->stacks, &stale[i]));
	pthread_mutex_unlock(&s->lock);
	free(stale);
}

void ustack_store_cost(struct ustack_store *s, __u64 *count, __u64 *ns)
{
	pthread_mutex_lock(&s->lock);
	*count = s->count;
	*ns = s->ns;
	pthread_mutex_unlock(&s->lock);
}
