#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect/cgroup_attr.h"
#include "collect/exits.h"
#include "lib/cgroup.h"
#include "lib/container_meta.h"
#include "lib/hashmap.h"

struct cg_entry {	/* gen first: expire() reads it */
	__u64 gen;		/* the snapshot it was last known right for */
	__u64 tried;		/* the snapshot it was last looked for (a gone
				 * process is not looked for again per row) */
	__u64 read_ns;		/* CLOCK_MONOTONIC just before it was read */
	__u64 read_seq;		/* exits_seq() then */
	char path[SNAP_CGROUP_LEN];
	char service[SNAP_SERVICE_LEN];
	__u64 svc_gen;		/* the snapshot service was taken from path for */
};

/* The service of a cgroup path: a container's name is read from its
 * runtime's files once per path, not once per process. */
struct svc_entry {	/* gen first, as cg_entry */
	__u64 gen;		/* the snapshot it was last used for */
	__u64 read_gen;		/* the snapshot its files were read for */
	char service[SNAP_SERVICE_LEN];
};

/* A container's name is read again this many snapshots on (a container
 * renamed while it runs). */
#define SVC_REREAD_GENS 32

static struct hashmap *cache;	/* pid -> struct cg_entry */
static struct hashmap *services;	/* path (SNAP_CGROUP_LEN bytes) -> struct svc_entry */
static __u64 gen;
static __u64 last_fill_ns;	/* when the previous snapshot's rows were named */

/* Entries not needed for this many snapshots go (their process is gone). */
#define CG_KEEP_GENS 64

static void service_of(const char *path, char *out, size_t n)
{
	char key[SNAP_CGROUP_LEN] = { 0 };
	struct svc_entry *e;

	snprintf(key, sizeof(key), "%s", path);
	e = hashmap_get(services, key);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || hashmap_put(services, key, e)) {
			free(e);
			container_service("/", path, out, n);
			return;
		}
		e->read_gen = gen;
		container_service("/", path, e->service, sizeof(e->service));
	} else if (gen - e->read_gen >= SVC_REREAD_GENS) {
		e->read_gen = gen;
		container_service("/", path, e->service, sizeof(e->service));
	}
	e->gen = gen;
	snprintf(out, n, "%s", e->service);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* e's service, now and then from its path's entry again (a container
 * renamed while it runs); e. */
static struct cg_entry *svc_fresh(struct cg_entry *e)
{
	if (e->path[0] && gen - e->svc_gen >= SVC_REREAD_GENS) {
		service_of(e->path, e->service, sizeof(e->service));
		e->svc_gen = gen;
	}
	return e;
}

/* pid's cgroup, read once and then again only when the kernel says the
 * process exited or was moved since (collect/exits.h; without the exits
 * programs, at every snapshot). Its exit is also what tells a reused pid
 * from the process it had; an entry older than the kernel's records are
 * sure to reach back is read again (exits_changed_since). */
static const struct cg_entry *lookup(__u32 pid)
{
	struct cg_entry *e = hashmap_get(cache, &pid);
	char path[SNAP_CGROUP_LEN];
	__u64 now, seq;
	bool fresh;

	if (e && e->read_ns && !exits_changed_since(pid, e->read_ns, e->read_seq)) {
		e->tried = e->gen = gen;
		return svc_fresh(e);
	}
	seq = exits_seq();
	now = mono_ns();
	/* exited since the last snapshot (rows of a process gone within the
	 * interval): where the kernel saw it exit. Else alive: where it is
	 * now; else gone earlier: where it exited, if that is known. */
	fresh = exits_gone_since(pid, last_fill_ns, path, sizeof(path)) == 0 ||
		cgroup_of_pid(pid, path, sizeof(path)) == 0 ||
		exits_cgroup(pid, path, sizeof(path)) == 0;
	if (!e) {
		if (!fresh)
			return NULL;
		e = calloc(1, sizeof(*e));
		if (!e || hashmap_put(cache, &pid, e)) {
			free(e);
			return NULL;
		}
	}
	e->tried = gen;
	if (fresh) {
		e->gen = gen;
		e->read_ns = now;
		e->read_seq = seq;
		if (strcmp(e->path, path) || !e->service[0]) {
			memcpy(e->path, path, sizeof(e->path));
			service_of(path, e->service, sizeof(e->service));
			e->svc_gen = gen;
		}
	}
	return svc_fresh(e);
}

/* Drops the entries of map (keys of keysz bytes, values starting with
 * their gen) not used for CG_KEEP_GENS snapshots. */
static void expire(struct hashmap *map, size_t keysz)
{
	struct hm_entry *it = NULL;
	size_t b = 0, n = 0, cap = 0;
	char *dead = NULL;

	while ((it = hashmap_next(map, it, &b))) {
		if (gen - *(const __u64 *)it->value <= CG_KEEP_GENS)
			continue;
		if (n == cap) {
			void *nd = realloc(dead, (cap = cap ? cap * 2 : 64) * keysz);

			if (!nd)
				break;
			dead = nd;
		}
		memcpy(dead + n++ * keysz, it->key, keysz);
	}
	for (size_t i = 0; i < n; i++)
		free(hashmap_del(map, dead + i * keysz));
	free(dead);
}

void cgroup_attr_fill(struct snapshot *s)
{
	__u64 start = mono_ns();

	if (!cache && !(cache = hashmap_new(sizeof(__u32))))
		return;
	if (!services && !(services = hashmap_new(SNAP_CGROUP_LEN)))
		return;
	gen++;
	/* one read per process and snapshot: a row of a pid already read
	 * this time takes the cached entry */
	for (size_t k = 0; k < snap_nsections; k++) {
		const struct snap_section *sec = &snap_sections[k];
		const struct snap_field *pid = snap_field_find(sec, "pid");
		const struct snap_field *cg = snap_field_find(sec, "cgroup");
		const struct snap_field *svc = snap_field_find(sec, "service");
		struct vec *v = snap_section_vec(s, sec);

		if (!pid || !cg || !svc)
			continue;
		for (size_t i = 0; i < v->len; i++) {
			char *row = (char *)v->data + i * v->elem;
			__u32 p = (__u32)snap_field_u64(pid, row);
			struct cg_entry *e;

			if (!p)
				continue;	/* no process to name (a socket nobody holds) */
			e = hashmap_get(cache, &p);
			if (!e || e->tried != gen)
				e = (struct cg_entry *)lookup(p);
			if (!e)
				continue;
			snprintf(SNAP_FIELD_PTR(cg, row), cg->size, "%s", e->path);
			snprintf(SNAP_FIELD_PTR(svc, row), svc->size, "%s", e->service);
		}
	}
	if (gen % CG_KEEP_GENS == 0) {
		expire(cache, sizeof(__u32));
		expire(services, SNAP_CGROUP_LEN);
	}
	last_fill_ns = start;
}

void cgroup_attr_open(const struct options *o)
{
	exits_open(o);
}

void cgroup_attr_free(void)
{
	exits_close();
	hashmap_free(cache, free);
	hashmap_free(services, free);
	cache = NULL;
	services = NULL;
}

bool cgroup_attr_wanted(const struct options *o, __u32 pid)
{
	char path[SNAP_CGROUP_LEN];

	if (!o->ncgroups)
		return true;
	if (!pid || cgroup_of_pid(pid, path, sizeof(path)))
		return false;
	for (__u32 i = 0; i < o->ncgroups; i++)
		if (cgroup_path_under(path, o->cgroups[i].path))
			return true;
	return false;
}

int cgroups_resolve(struct options *o)
{
	for (__u32 i = 0; i < o->ncgroups; i++) {
		struct cgroup_want *w = &o->cgroups[i];
		const char *why = "";

		if (cgroup_resolve(w->arg, w->path, sizeof(w->path), &w->id, &w->level, &why)) {
			fprintf(stderr, "latscope: --cgroup '%s': %s (see /proc/PID/cgroup, "
					"systemctl status UNIT)\n", w->arg, why);
			return -1;
		}
	}
	return 0;
}
