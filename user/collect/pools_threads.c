/* The pools family's threads (pools_int.h): what the frontend knows of each
 * one, from the ring buffer's idle and role changes (in time order) and the
 * kernel's thread table (read in place), and the idle count of each group
 * of same-named threads, whose zero stretches are its saturation: summed
 * as the events are read, so memory is bounded by the thread count, not by
 * the event rate or the interval.
 *
 * Threads asleep since before attach are unknown to the kernel until they
 * wake; what they sleep in is read once from /proc (.../syscall) when the
 * family starts ("seeded"), the same way the SPEC finds acceptors asleep in
 * accept(2) at attach. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup_attr.h"
#include "collect/pools_int.h"
#include "collect/pools_name.h"
#include "collect/pools_seed.h"
#include "lib/hashmap.h"
#include "lib/procfs.h"
#include "options.h"
#include "pools.skel.h"

#define THREAD_WINDOW 2048	/* thread_table slots mapped at a time: 2 MiB */

struct pthr *pthr_get(struct pool_priv *p, __u32 tid, __u32 tgid)
{
	struct pthr *t = hashmap_get(p->thr, &tid);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->tgid = tgid;
	if (hashmap_put(p->thr, &tid, t)) {
		free(t);
		return NULL;
	}
	return t;
}

static struct ogroup *ogroup_get(struct pool_priv *p, __u32 tgid, const char *comm)
{
	struct group_key k = { .tgid = tgid };
	struct ogroup *g;

	pool_name_key(comm, k.name, sizeof(k.name));
	g = hashmap_get(p->ogroups, &k);
	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->tgid = tgid;
	memcpy(g->name, k.name, sizeof(g->name));
	/* no worker of it was idle before: counted from the interval's start,
	 * and cut back to the workers' lifetime at the snapshot */
	g->sat_since = p->t0;
	if (hashmap_put(p->ogroups, &k, g)) {
		free(g);
		return NULL;
	}
	return g;
}

static void ogroup_idle(struct pool_priv *p, struct ogroup *g, int d, __u64 ts)
{
	if (ts < p->t0)
		ts = p->t0;	/* read late: the earlier interval is written */
	if (g->idle == 0 && d > 0 && ts > g->sat_since)
		g->sat_ns += ts - (g->sat_since > p->t0 ? g->sat_since : p->t0);
	g->idle += d;
	if (g->idle == 0)
		g->sat_since = ts;
}

/* Makes t's contribution to its group's idle count match its state. */
void pthr_recount(struct pool_priv *p, struct pthr *t, __u64 ts)
{
	bool want = t->idle && !t->acceptor && !t->gone && t->og;

	if (want == t->counted)
		return;
	ogroup_idle(p, t->og, want ? 1 : -1, ts);
	t->counted = want;
}

/* The thread is named comm from ts on: it may move to another group. */
static void pthr_rename(struct pool_priv *p, struct pthr *t, const char *comm, __u64 ts)
{
	struct ogroup *g;

	if (t->og && !strncmp(t->comm, comm, POOLS_COMM_LEN))
		return;
	snap_strcpy(t->comm, sizeof(t->comm), comm, POOLS_COMM_LEN);
	g = ogroup_get(p, t->tgid, t->comm);
	if (!g || g == t->og)
		return;
	if (t->counted)
		ogroup_idle(p, t->og, -1, ts);
	if (t->og)
		t->og->refs--;
	t->og = g;
	g->refs++;
	t->counted = false;
	pthr_recount(p, t, ts);
}

/* One idle or role change; the caller holds p->lock. */
int pools_on_event(void *ctx, void *data, size_t size)
{
	struct pool_priv *p = ctx;
	const struct pool_event *e = data;
	struct pthr *t;

	if (size < sizeof(*e))
		return 0;
	if (e->kind == PEV_MAIN_NAME || e->kind == PEV_MAIN_EXIT) {
		if (p->mains)
			free(hashmap_del(p->mains, &e->tgid));
		return 0;
	}
	t = hashmap_get(p->thr, &e->tid);
	if (!t) {
		/* an exit or a leave of a thread we never saw idle tells nothing */
		if (e->kind != PEV_IDLE_ENTER && e->kind != PEV_ACCEPTOR)
			return 0;
		t = pthr_get(p, e->tid, e->tgid);
		if (!t)
			return 0;
	}
	if (t->gone)
		return 0;
	if (e->comm[0])
		pthr_rename(p, t, e->comm, e->ts);
	switch (e->kind) {
	case PEV_IDLE_ENTER:
		t->idle = true;
		break;
	case PEV_IDLE_LEAVE:
	case PEV_WAKE_UNKNOWN:
		t->idle = false;
		break;
	case PEV_EXIT:
		t->idle = false;
		t->gone = true;
		break;
	case PEV_ACCEPTOR:
		t->acceptor = true;
		break;
	case PEV_WORKER:
		t->acceptor = false;
		break;
	}
	pthr_recount(p, t, e->ts);
	return 0;
}

/* A thread entry made here (v->tid set), in a slot as the kernel hands them
 * out; nothing if the kernel made the thread's entry first. */
static void slot_new(struct pool_priv *p, const struct pool_thread *v)
{
	__u32 slot;

	if (bpf_map_lookup_and_delete_elem(p->free_fd, NULL, &slot)) {
		slot = __atomic_fetch_add(&p->skel->bss->slot_next, 1, __ATOMIC_SEQ_CST);
		if (slot >= p->table_size)
			return;
	}
	bpf_map_update_elem(p->table_fd, &slot, v, BPF_ANY);
	if (bpf_map_update_elem(p->slots_fd, &v->tid, &slot, BPF_NOEXIST)) {
		struct pool_thread none = { 0 };

		bpf_map_update_elem(p->table_fd, &slot, &none, BPF_ANY);
		bpf_map_update_elem(p->free_fd, NULL, &slot, BPF_ANY);
	}
}

/* This interval's run-queue waits of a thread, added to its group's
 * histogram (acceptors are not workers: left out, as in make_pool). Sparse:
 * runq_count says how many waits are new, so the scan of the buckets stops
 * once they are all found, and a thread that did not wait is skipped. The
 * kernel bumps a bucket, then the count, and the entry may be copied in
 * between: prev_runq counts the waits moved to prev_hist, so a bucket read
 * ahead of the count is taken at the next interval, never twice. */
static void runq_delta(struct pthr *t, const struct pool_thread *v, const __u32 *hist)
{
	__u64 want = v->runq_count - t->prev_runq, found = 0;
	__u64 *dst = t->og && !t->acceptor ? t->og->runq_hist : NULL;

	if (v->runq_count <= t->prev_runq)
		return;
	for (int i = 0; i < PH_NBUCKETS && found < want; i += 8) {
		if (!memcmp(&hist[i], &t->prev_hist[i], 8 * sizeof(__u32)))
			continue;
		for (int j = i; j < i + 8; j++) {
			__u32 h = __atomic_load_n(&hist[j], __ATOMIC_RELAXED);	/* live: once */
			__u32 d = h - t->prev_hist[j];

			if (!d)
				continue;
			found += d;
			t->prev_hist[j] = h;
			if (dst)
				dst[j] += d;
		}
	}
	t->prev_runq += found;
	if (dst && found)
		t->og->has_runq = true;
}

/* This interval's state times of one thread from its kernel entry. */
static void thread_delta(struct pool_priv *p, struct pthr *t, const struct pool_thread *v,
			 const __u32 *runq_hist, __u64 t1)
{
	__u64 cum[PST_NR];

	memcpy(cum, v->ns, sizeof(cum));
	if (!v->exited && v->state > PST_UNKNOWN && v->state < PST_NR && t1 > v->since)
		cum[v->state] += t1 - v->since;
	if (!t->in_kernel) {
		/* before its first event it was in the state /proc showed */
		if (t->seeded && v->first_ns > p->t0 && t->seed_state > PST_UNKNOWN &&
		    t->seed_state < PST_NR)
			t->d_ns[t->seed_state] += v->first_ns - p->t0;
		t->exist_a = t->seeded && t->seed_state != PST_UNKNOWN ? p->t0 :
			     v->first_ns > p->t0 ? v->first_ns : p->t0;
		t->in_kernel = true;
	}
	for (int s = 1; s < PST_NR; s++) {
		if (cum[s] > t->prev_ns[s])
			t->d_ns[s] += cum[s] - t->prev_ns[s];
		t->prev_ns[s] = cum[s];
	}
	if (v->comm[0])
		pthr_rename(p, t, v->comm, t1);
	runq_delta(t, v, runq_hist);
	if (v->exited) {
		t->gone = true;
		t->exist_b = v->since;
	}
	t->active = true;
}

/* A thread's figures start over for the interval ending at t1, the first
 * time this snapshot touches it: each walk of 10,000s of threads costs
 * cache misses, so none is made just for this. */
void pools_thread_reset(struct pool_priv *p, struct pthr *t, __u64 t1)
{
	t->stamp = p->gen;
	memset(t->d_ns, 0, sizeof(t->d_ns));
	t->exist_a = p->t0;
	t->exist_b = t1;
	/* seeded, asleep all along: in its seeded state the whole time */
	t->active = t->seeded && !t->in_kernel && t->seed_state != PST_UNKNOWN;
	if (t->active && t->seed_state < PST_NR)
		t->d_ns[t->seed_state] = t1 - p->t0;
}

/* One thread's kernel entry e, in slot: this interval's figures. The
 * kernel goes on writing it: its state fields are copied at once (as a map
 * read would), so the times, the state and its start agree; the run-queue
 * histogram is read in place, bucket by bucket. An exited thread's slot is
 * handed back to the kernel (its index entry first). */
static int thread_read(struct pool_priv *p, __u32 slot, struct pool_thread *e, __u64 t1)
{
	struct pool_thread c, *v = &c;
	__u32 tid;
	struct pthr *t;

	memcpy(&c, e, offsetof(struct pool_thread, runq_hist));
	c.io_peer = e->io_peer;
	tid = v->tid;
	if (!tid)
		return 0;	/* a free slot */
	t = p->by_slot[slot];

	if (!t || t->tid != tid) {
		t = pthr_get(p, tid, v->tgid);
		if (!t)
			return -ENOMEM;
		p->by_slot[slot] = t;
		t->slot = slot + 1;
	}
	if (t->tgid != v->tgid) {
		/* the tid was reused by another process: a new thread */
		t->gone = true;
		pthr_recount(p, t, t1);
		if (t->og)
			t->og->refs--;
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		t->tgid = v->tgid;
		t->slot = slot + 1;
	}
	if (t->stamp != p->gen)
		pools_thread_reset(p, t, t1);
	if (!t->in_kernel) {	/* not reset above: fresh */
		memset(t->d_ns, 0, sizeof(t->d_ns));
		t->exist_a = p->t0;
		t->exist_b = t1;
	}
	thread_delta(p, t, v, e->runq_hist, t1);
	pools_blocked_open(p, v, t1);
	if (t->gone) {
		bpf_map_delete_elem(p->slots_fd, &tid);
		e->tid = 0;
		bpf_map_update_elem(p->free_fd, NULL, &slot, BPF_ANY);
	}
	return 0;
}

/* Every thread the kernel follows: the slots it handed out, read in place
 * through a window of THREAD_WINDOW slots at a time. */
int pools_threads_read(struct pool_priv *p, __u64 t1)
{
	size_t used = __atomic_load_n(&p->skel->bss->slot_next, __ATOMIC_RELAXED);
	struct map_window win;
	int err = 0;

	if (used > p->table_size)
		used = p->table_size;
	for (size_t w = 0; w < used && !err; w += THREAD_WINDOW) {
		size_t n = used - w < THREAD_WINDOW ? used - w : THREAD_WINDOW;
		struct pool_thread *e = map_window_open(&win, p->table_fd, sizeof(*e), w, n);

		if (!e)
			return -errno;
		for (size_t i = 0; i < n && !err; i++)
			err = thread_read(p, (__u32)(w + i), &e[i], t1);
		map_window_close(&win);
	}
	return err;
}

void pools_threads_forget(struct pool_priv *p, const __u32 *tids, size_t n, __u64 t1)
{
	for (size_t i = 0; i < n; i++) {
		struct pthr *t = hashmap_del(p->thr, &tids[i]);

		if (!t)
			continue;
		pthr_recount(p, t, t1);
		if (t->og)
			t->og->refs--;
		if (t->slot && p->by_slot[t->slot - 1] == t)
			p->by_slot[t->slot - 1] = NULL;
		free(t);
	}
}

void pools_ogroups_roll(struct pool_priv *p, __u64 t1)
{
	struct group_key *empty = NULL;
	size_t nempty = 0, b;
	struct hm_entry *it;

	for (it = NULL; (it = hashmap_next(p->ogroups, it, &b));) {
		struct ogroup *g = it->value;

		g->sat_ns = 0;
		g->grp = NULL;	/* this snapshot's groups are freed */
		if (g->has_runq) {
			memset(g->runq_hist, 0, sizeof(g->runq_hist));
			g->has_runq = false;
		}
		if (g->idle == 0 && g->sat_since < t1)
			g->sat_since = t1;
		if (!g->refs) {
			struct group_key *k = realloc(empty, (nempty + 1) * sizeof(*k));

			if (k) {
				empty = k;
				empty[nempty].tgid = g->tgid;
				memcpy(empty[nempty++].name, g->name, sizeof(g->name));
			}
		}
	}
	for (size_t i = 0; i < nempty; i++)
		free(hashmap_del(p->ogroups, &empty[i]));
	free(empty);
}

/* --- seeding from /proc -------------------------------------------------- */

/* /proc/TGID/task/TID/NAME into buf, NUL-terminated; -1 when it cannot be
 * read. */
static int task_read(__u32 tgid, __u32 tid, const char *name, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/%s", tgid, tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* The state letter of /proc/TGID/task/TID/stat (R, S, D, ...), or -1 when
 * it cannot be read. */
static int task_state(__u32 tgid, __u32 tid)
{
	char buf[512], *close_paren;

	if (task_read(tgid, tid, "stat", buf, sizeof(buf)))
		return -1;
	close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ')
		return -1;
	return (unsigned char)close_paren[2];
}

/* Thread t, asleep in the syscall of its /proc line text: its state, and
 * an acceptor made known to the kernel side too. */
static void seed_asleep(struct pool_priv *p, struct pthr *t, __u32 tgid, const char *text)
{
	bool acc;
	__u8 st = pool_seed_classify(tgid, text, &acc);
	__u64 now = mono_ns();

	pthread_mutex_lock(&p->lock);
	t->seed_state = st;
	/* events read later correct it if it woke meanwhile */
	if (st == PST_IDLE && !t->in_kernel)
		t->idle = true;
	if (acc) {
		/* the kernel side must know too, to say when it serves a
		 * connection it accepted itself */
		struct pool_thread v = { .tid = t->tid, .tgid = tgid, .first_ns = now,
					 .since = now, .acceptor = 1 };

		memcpy(v.comm, t->comm, sizeof(v.comm));
		slot_new(p, &v);
		t->acceptor = true;
		pools_attach_sys_exit(p);
	}
	pthr_recount(p, t, p->t0 < now ? p->t0 : now);
	pthread_mutex_unlock(&p->lock);
}

/* Thread tid of process tgid, in state (its /proc stat letter). */
static void seed_thread(struct pool_priv *p, __u32 tgid, __u32 tid, char state)
{
	char buf[512];
	struct pthr *t;

	pthread_mutex_lock(&p->lock);
	t = hashmap_get(p->thr, &tid) ? NULL : pthr_get(p, tid, tgid);
	if (t) {
		char comm[POOLS_COMM_LEN] = "";

		procfs_comm(tid, 0, comm, sizeof(comm));
		pthr_rename(p, t, comm, p->t0);
		t->seeded = true;
		t->seed_state = PST_ONCPU;
	}
	pthread_mutex_unlock(&p->lock);
	if (!t || (state != 'S' && state != 'D'))
		return;
	/* asleep in something /proc will not say: unknown until it wakes
	 * (D is the kernel's own wait: io) */
	pthread_mutex_lock(&p->lock);
	t->seed_state = state == 'D' ? PST_IO : PST_UNKNOWN;
	pthread_mutex_unlock(&p->lock);
	if (task_read(tgid, tid, "syscall", buf, sizeof(buf)))
		return;
	seed_asleep(p, t, tgid, buf);
}

static void seed_process(struct pool_priv *p, __u32 tgid)
{
	char path[96];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/task", tgid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		__u32 tid = (__u32)strtoul(de->d_name, NULL, 10);
		int state;

		if (!tid || tid == tgid)
			continue;
		if ((state = task_state(tgid, tid)) < 0)
			continue;
		seed_thread(p, tgid, tid, (char)state);
	}
	closedir(d);
}

void pools_seed_all(struct pool_priv *p, const struct options *o)
{
	struct dirent *de;
	DIR *d;

	if (o->npids) {
		for (__u32 i = 0; i < o->npids; i++)
			if (cgroup_attr_wanted(o, o->pids[i]))
				seed_process(p, o->pids[i]);
		return;
	}
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0])) {
			__u32 tgid = (__u32)strtoul(de->d_name, NULL, 10);

			/* --cgroup: what the kernel side would not have taken */
			if (cgroup_attr_wanted(o, tgid))
				seed_process(p, tgid);
		}
	closedir(d);
}
