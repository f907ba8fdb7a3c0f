/* The syscalls family's collector: reads bpf/syscalls.bpf.c's cumulative
 * per-(process, syscall) stats, turns them into this interval's rows, and
 * lists the calls still blocked. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup_attr.h"
#include "collect/bpf_util.h"
#include "collect/peers_view.h"
#include "collect/requests_view.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/hooks.h"
#include "collect/kernel_features.h"
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/syscalls_row.h"
#include "lib/syscall_names.h"
#include "syscalls.h"
#include "peers.h"
#include "requests.h"
#include "syscalls.skel.h"
#include "syscalls_nokf.skel.h"

#define INFLIGHT_MIN_NS 100000000ULL	/* SPEC: blocked at least 100 ms */
/* After the epoch flips, calls still finishing in the old epoch's entries
 * (a program that read the epoch just before) get this long to land before
 * the frontend reads and deletes them. BPF programs run for microseconds. */
#define EPOCH_SETTLE_NS 2000000ULL

/* Elements mapped at a time: 2.4 MiB, not the whole half in the RSS. */
#define STAT_WINDOW 1024
/* inflight_table slots mapped at a time: 160 KiB. */
#define INFLIGHT_WINDOW 4096
/* Every this many snapshots the index is swept of stale entries. */
#define INDEX_SWEEP_EVERY 64

struct sys_priv {
	struct syscalls_bpf *skel;
	struct map_reader index;	/* read only to sweep it */
	size_t half;			/* syscall_table elements per parity */
	size_t inflight_size;		/* inflight_table slots */
	struct syscall_key *del;	/* this interval's keys, to delete */
	size_t del_cap;
	__u64 drops_seen;
	unsigned snaps;
	struct peers *peers;	/* the peers view, run with this family */
	struct requests *requests;	/* the requests view, likewise */
	size_t top;		/* --top: rows kept */
	struct pick *pick;	/* this interval's entries, to choose the top (del_cap) */
	bool head;		/* registered as the hooks' head */
};

/* An element of the ended epoch and its sort key (the row's total_ns). */
struct pick {
	__u64 total_ns;
	size_t elem;		/* from the half's first element */
};

_Static_assert(sizeof(struct syscall_stats) % 8 == 0, "syscall_table stride");

/* Read a number from a /proc/sys file; dflt if it cannot be read. */
static long sysctl_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

static __u32 clamp_u32(long v, long lo, long hi)
{
	return (__u32)(v < lo ? lo : v > hi ? hi : v);
}

static long count_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
	closedir(d);
	return n;
}

/* Maps sized for the host, and bounded. Each epoch parity's half of
 * syscall_table holds the (process, syscall) pairs active in one interval:
 * room for 16 syscalls per process now running, at least 8192 and at most
 * 32768 elements (2.4 KiB each; both halves, preallocated: 40 to 160 MiB of
 * kernel memory). A full half is counted as a drop. inflight_table holds a
 * slot per thread that slept in a syscall (40 bytes each), for as many
 * threads as the host can have, 4096 to 131072 (4096 under -p). */
static void size_maps(struct syscalls_bpf *skel, const struct options *o)
{
	long pid_max = sysctl_long("/proc/sys/kernel/pid_max", 32768);
	long threads = sysctl_long("/proc/sys/kernel/threads-max", 32768);
	long procs = count_processes();
	__u32 half = clamp_u32(procs * 16, 8192, 32768);

	skel->rodata->stat_half = half;
	bpf_map__set_max_entries(skel->maps.syscall_table, half * 2);
	bpf_map__set_max_entries(skel->maps.syscall_index, half * 2);
	peers_configure(skel, o->peers, procs);
	requests_configure(skel, o);
	__u32 slots = o->npids ? 4096 : clamp_u32(threads < pid_max ? threads : pid_max, 4096, 1 << 17);

	skel->rodata->inflight_size = slots;
	bpf_map__set_max_entries(skel->maps.inflight_table, slots);
	bpf_map__set_max_entries(skel->maps.inflight_free, slots);
}

FAMILY_SKEL_NOKF(syscalls);

static int sys_setup(struct collector *c, void *obj, const struct options *o)
{
	struct syscalls_bpf *skel = obj;

	FAMILY_SET_PIDS(skel->rodata, o);
	FAMILY_SET_CGROUPS(skel->rodata, o);
	size_maps(skel, o);
	return 0;
}

static const struct family_spec sys_family = {
	.skel = &syscalls_family_skel,
	.setup = sys_setup,
	.attach_what = "raw_syscalls",
};

static int sys_open(struct collector *c, const struct options *o)
{
	struct sys_priv *p = c->priv;
	int err;

	p->top = o->top;
	p->skel = family_load(c, &sys_family, o, &err);
	if (!p->skel)
		return err;
	/* the requests view's listening ports are read from /proc before the
	 * programs run: a connection used before they were known would be
	 * taken for no server's, for good (its fd's cached verdict) */
	if (o->requests && !(p->requests = requests_new(p->skel))) {
		snprintf(c->status, sizeof(c->status), "out of memory");
		return -ENOMEM;
	}
	if ((err = family_attach(c, &sys_family, p->skel, NULL, 0)))
		return err;
	requests_share_threads(p->skel, o);
	/* the other families' programs on the same tracepoints run from
	 * ours from here on (collect/hooks.h) */
	hooks_set_head(bpf_map__fd(p->skel->maps.hooks), p->skel->bss->hook_want,
		       &p->skel->bss->hook_switch_on);
	p->head = true;
	p->half = bpf_map__max_entries(p->skel->maps.syscall_table) / 2;
	p->inflight_size = bpf_map__max_entries(p->skel->maps.inflight_table);
	map_reader_init(&p->index, bpf_map__fd(p->skel->maps.syscall_index),
			sizeof(struct syscall_key), sizeof(__u32));
	if (o->peers && !(p->peers = peers_new(p->skel, p->top))) {
		snprintf(c->status, sizeof(c->status), "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int add_row(struct sys_priv *p, struct snapshot *s, const struct syscall_stats *st)
{
	const struct syscall_key *k = &st->key;
	struct snap_syscall *row;
	char namebuf[32];
	__u64 *hist;

	hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	row = hist ? vec_push(&s->syscalls) : NULL;
	if (!row) {
		free(hist);
		return -ENOMEM;
	}
	syscall_row(st, row, hist);
	row->pid = k->tgid;
	row->nr = k->nr & ~SYSCALL_KEY_SLOT;
	snap_strcpy(row->syscall, sizeof(row->syscall),
		    syscall_name(row->nr, namebuf, sizeof(namebuf)), SNAP_NAME_LEN);
	/* the group leader's name when the entry was made, in this interval:
	 * current enough, and no /proc read per process per interval */
	snap_strcpy(row->comm, sizeof(row->comm), st->comm, sizeof(st->comm));
	return 0;
}

/* Deletes the index entries of the elements read: batched, one by one
 * where the kernel has no batch delete. */
static void delete_read(struct sys_priv *p, size_t n)
{
	int fd = bpf_map__fd(p->skel->maps.syscall_index);
	__u32 count = (__u32)n;

	if (!n)
		return;
	if (bpf_map_delete_batch(fd, p->del, &count, NULL) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &p->del[i]);
}

/* A writer more than the settle time late may index an element after the
 * delete above; the kernel replaces such a stale entry when its key comes
 * back, but a key that never does would stay. Now and then, every entry of
 * the ended parity left after the delete goes. */
static void sweep_index(struct sys_priv *p, __u32 slot)
{
	size_t n = 0;

	if (map_reader_read(&p->index))
		return;
	for (size_t i = 0; i < p->index.len && n < p->del_cap; i++) {
		const struct syscall_key *k =
			(const void *)((char *)p->index.keys + i * sizeof(*k));

		if ((k->nr & SYSCALL_KEY_SLOT) == slot)
			p->del[n++] = *k;
	}
	delete_read(p, n);
}

static int cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

static int cmp_pick_elem(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return x->elem < y->elem ? -1 : x->elem > y->elem;
}

/* Room for n keys to delete and n picks. */
static int reserve_picks(struct sys_priv *p, size_t n)
{
	void *d = p->del, *k = p->pick;
	int err = pair_reserve(&d, sizeof(*p->del), &k, sizeof(*p->pick), &p->del_cap, n);

	p->del = d;
	p->pick = k;
	return err;
}

/* The first read of the ended half's used elements (from element first of
 * syscall_table, fd): each one's key, to delete, and total, to pick by; the
 * count into *ndel, also when a window cannot be mapped. */
static int gather_picks(struct sys_priv *p, int fd, size_t first, size_t used, size_t *ndel)
{
	struct map_window win;

	for (size_t w = 0; w < used; w += STAT_WINDOW) {
		size_t wn = used - w < STAT_WINDOW ? used - w : STAT_WINDOW;
		const struct syscall_stats *e = map_window_open(&win, fd, sizeof(*e), first + w, wn);

		if (!e)
			return -errno;
		for (size_t i = 0; i < wn; i++) {
			if (!e[i].key.tgid)	/* lost a race to index its key */
				continue;
			p->pick[*ndel].total_ns = e[i].total_ns;
			p->pick[*ndel].elem = w + i;
			p->del[(*ndel)++] = e[i].key;
		}
		map_window_close(&win);
	}
	return 0;
}

/* The second read: the rows of the first n picks, window by window. */
static int add_rows(struct sys_priv *p, struct snapshot *s, int fd, size_t first, size_t used,
		    size_t n)
{
	struct map_window win;
	int err = 0;

	if (n > 1)
		qsort(p->pick, n, sizeof(*p->pick), cmp_pick_elem);
	for (size_t j = 0; j < n && !err;) {
		size_t w = p->pick[j].elem / STAT_WINDOW * STAT_WINDOW;
		size_t wn = used - w < STAT_WINDOW ? used - w : STAT_WINDOW;
		const struct syscall_stats *e = map_window_open(&win, fd, sizeof(*e), first + w, wn);

		if (!e)
			return -errno;
		for (; j < n && p->pick[j].elem < w + wn && !err; j++)
			err = add_row(p, s, &e[p->pick[j].elem - w]);
		map_window_close(&win);
	}
	return err;
}

/* The rows of the epoch that ended: the elements its half handed out
 * (stat_next[parity] of them, in order), read through a window of
 * STAT_WINDOW elements at a time, twice: once for the keys and totals,
 * once for the rows. Only the --top elements of most total time become
 * rows (the snapshot keeps no more, by the same key); the others are
 * counted as truncated. A row carries a 4.6 KiB histogram: making one per
 * element of a host with thousands of processes would cost tens of MiB per
 * interval, only to be thrown away. Then the index entries go and the half
 * is handed back (the kernel zeroes an element when it hands it out). */
static int collect_stats(struct sys_priv *p, struct snapshot *s, __u32 ended)
{
	struct syscalls_bpf__bss *bss = p->skel->bss;
	int fd = bpf_map__fd(p->skel->maps.syscall_table);
	size_t first = (ended & 1) * p->half, used, ndel = 0, n;
	int err;

	used = __atomic_load_n(&bss->stat_next[ended & 1], __ATOMIC_RELAXED);
	if (used > p->half)
		used = p->half;
	if ((err = reserve_picks(p, used)))
		return err;
	err = gather_picks(p, fd, first, used, &ndel);
	if (!err) {
		n = ndel;
		if (p->top && n > p->top) {
			qsort(p->pick, n, sizeof(*p->pick), cmp_pick);
			s->truncated.syscalls += n - p->top;
			n = p->top;
		}
		err = add_rows(p, s, fd, first, used, n);
	}
	/* after a failure too: what could not be read is lost, not summed
	 * into a later interval (the kernel replaces index entries it left) */
	delete_read(p, ndel);
	__atomic_store_n(&bss->stat_next[ended & 1], 0, __ATOMIC_SEQ_CST);
	if (++p->snaps % INDEX_SWEEP_EVERY == 0 || err)
		sweep_index(p, (ended & 1) ? SYSCALL_KEY_SLOT : 0);
	return err;
}

/* The calls asleep for at least INFLIGHT_MIN_NS: the slots of
 * inflight_table the kernel handed out, read in place a window at a time. */
static int collect_inflight(struct sys_priv *p, struct snapshot *s)
{
	size_t used = __atomic_load_n(&p->skel->bss->inflight_next, __ATOMIC_RELAXED);
	int fd = bpf_map__fd(p->skel->maps.inflight_table);
	__u64 now = mono_ns();
	struct map_window win;

	if (used > p->inflight_size)
		used = p->inflight_size;
	for (size_t w = 0; w < used; w += INFLIGHT_WINDOW) {
		size_t n = used - w < INFLIGHT_WINDOW ? used - w : INFLIGHT_WINDOW;
		const struct inflight_val *v = map_window_open(&win, fd, sizeof(*v), w, n);

		if (!v)
			return -errno;
		for (size_t i = 0; i < n; i++) {
			__u64 start = __atomic_load_n(&v[i].start_ns, __ATOMIC_ACQUIRE);
			struct snap_inflight *row;
			char namebuf[32];

			if (!start || now < start || now - start < INFLIGHT_MIN_NS)
				continue;
			row = vec_push(&s->inflight);
			if (!row) {
				map_window_close(&win);
				return -ENOMEM;
			}
			row->pid = v[i].tgid;
			row->tid = v[i].tid;
			row->nr = v[i].nr;
			row->elapsed_ns = now - start;
			snap_strcpy(row->comm, sizeof(row->comm), v[i].comm, sizeof(v[i].comm));
			snap_strcpy(row->syscall, sizeof(row->syscall),
				    syscall_name(v[i].nr, namebuf, sizeof(namebuf)), SNAP_NAME_LEN);
		}
		map_window_close(&win);
	}
	return 0;
}

static int sys_collect(struct collector *c, struct snapshot *s)
{
	struct sys_priv *p = c->priv;
	struct syscalls_bpf__bss *bss = p->skel->bss;
	__u32 ended = __atomic_load_n(&bss->epoch, __ATOMIC_RELAXED);
	__u64 flipped, now, drops;
	int err, e2;

	/* New calls go to the other entries from here on. */
	__atomic_store_n(&bss->epoch, ended + 1, __ATOMIC_SEQ_CST);
	flipped = mono_ns();
	err = collect_inflight(p, s);
	now = mono_ns();
	if (now - flipped < EPOCH_SETTLE_NS) {
		__u64 left = EPOCH_SETTLE_NS - (now - flipped);
		struct timespec ts = { 0, (long)left };

		nanosleep(&ts, NULL);
	}
	/* each hands its half back to the kernel whatever the others did */
	e2 = collect_stats(p, s, ended);
	err = err ? err : e2;
	if (p->peers) {
		e2 = peers_collect(p->peers, s, ended);
		err = err ? err : e2;
	}
	if (p->requests) {
		e2 = requests_collect(p->requests, s, ended);
		err = err ? err : e2;
	}
	drops = __atomic_load_n(&bss->drop_map_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_inflight_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_no_state, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->drops_seen;
	p->drops_seen = drops;
	return err;
}

static void sys_close(struct collector *c)
{
	struct sys_priv *p = c->priv;

	if (p->head)
		hooks_clear_head();
	peers_free(p->peers);
	requests_free(p->requests);
	syscalls_bpf__destroy(p->skel);
	map_reader_free(&p->index);
	free(p->del);
	free(p->pick);
}

static const char *const sys_tps[] = { "sys_enter", "sys_exit", "sched_switch",
				       "sched_process_exit", NULL };
static const enum bpf_map_type sys_maps[] = { BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_STACK,
					      BPF_MAP_TYPE_UNSPEC };
static const struct family_needs sys_needs = { sys_tps, sys_maps };

const struct collector_ops syscalls_collector = {
	.priv_size = sizeof(struct sys_priv),
	.family = FAM_SYSCALLS,
	.needs = &sys_needs,
	.open = sys_open,
	.collect = sys_collect,
	.close = sys_close,
};
