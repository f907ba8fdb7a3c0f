/* The syscalls family's collector: reads bpf/syscalls.bpf.c's cumulative
 * per-(process, syscall) stats, turns them into this interval's rows, and
 * lists the calls still blocked. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_util.h"
#include "collector.h"
#include "hashmap.h"
#include "histo.h"
#include "procfs.h"
#include "syscall_delta.h"
#include "syscall_names.h"
#include "syscalls.skel.h"

#define INFLIGHT_MIN_NS 100000000ULL	/* SPEC: blocked at least 100 ms */
#define SWEEP_EVERY 10			/* intervals between dead-process sweeps */

struct sys_priv {
	struct syscalls_bpf *skel;
	struct map_reader stats, inflight;
	struct hashmap *prev;		/* struct syscall_key -> struct syscall_prev */
	struct hashmap *comms;		/* (tgid, pstart) -> name, this interval */
	__u64 drops_seen;
	unsigned intervals;
};

static int sys_open(struct collector *c, const struct options *o)
{
	struct sys_priv *p = calloc(1, sizeof(*p));
	char buf[128];
	int err;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	p->prev = hashmap_new(sizeof(struct syscall_key));
	p->comms = hashmap_new(sizeof(struct syscall_key));
	if (!p->prev || !p->comms)
		return -ENOMEM;
	p->skel = syscalls_bpf__open();
	if (!p->skel) {
		err = -errno;
		snprintf(c->status, sizeof(c->status), "cannot open BPF object: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	p->skel->rodata->filter_npids = o->npids;
	memcpy((void *)p->skel->rodata->filter_pids, o->pids, sizeof(o->pids));

	err = syscalls_bpf__load(p->skel);
	if (err) {
		snprintf(c->status, sizeof(c->status), "cannot load: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	err = syscalls_bpf__attach(p->skel);
	if (err) {
		snprintf(c->status, sizeof(c->status), "cannot attach raw_syscalls: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	map_reader_init(&p->stats, bpf_map__fd(p->skel->maps.syscall_stats),
			sizeof(struct syscall_key), sizeof(struct syscall_stats));
	map_reader_init(&p->inflight, bpf_map__fd(p->skel->maps.inflight),
			sizeof(__u32), sizeof(struct inflight_val));
	return 0;
}

/* The process's current name (it may have exec'd since the kernel entry
 * was made), read from /proc once per process per interval; the name the
 * kernel saw when the process is gone. */
static void process_comm(struct sys_priv *p, const struct syscall_key *k,
			 const struct syscall_stats *st, char *buf, size_t n)
{
	struct syscall_key pk = { .tgid = k->tgid, .pstart = k->pstart };
	char *c = hashmap_get(p->comms, &pk);

	if (!c) {
		c = calloc(1, SNAP_COMM_LEN);
		if (c && procfs_comm(k->tgid, k->pstart, c, SNAP_COMM_LEN))
			snap_strcpy(c, SNAP_COMM_LEN, st->comm, sizeof(st->comm));
		if (c && hashmap_put(p->comms, &pk, c)) {
			free(c);
			c = NULL;
		}
	}
	snap_strcpy(buf, n, c ? c : st->comm, c ? SNAP_COMM_LEN : sizeof(st->comm));
}

static int add_row(struct sys_priv *p, struct snapshot *s, const struct syscall_key *k,
		   const struct syscall_stats *st, const struct syscall_prev *pv, __u32 ended)
{
	struct snap_syscall *row;
	char namebuf[32];
	__u64 *hist;

	hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	row = hist ? vec_push(&s->syscalls) : NULL;
	if (!row) {
		free(hist);
		return -ENOMEM;
	}
	syscall_delta(st, pv, ended, row, hist);
	row->pid = k->tgid;
	row->nr = k->nr;
	snap_strcpy(row->syscall, sizeof(row->syscall),
		    syscall_name(k->nr, namebuf, sizeof(namebuf)), SNAP_NAME_LEN);
	process_comm(p, k, st, row->comm, sizeof(row->comm));
	return 0;
}

static int collect_stats(struct sys_priv *p, struct snapshot *s, __u32 ended)
{
	bool sweep = ++p->intervals % SWEEP_EVERY == 0 ||
		     p->stats.len * 4 > bpf_map__max_entries(p->skel->maps.syscall_stats) * 3;
	int err = map_reader_read(&p->stats);

	if (err)
		return err;
	hashmap_free(p->comms, free);
	p->comms = hashmap_new(sizeof(struct syscall_key));
	if (!p->comms)
		return -ENOMEM;
	for (size_t i = 0; i < p->stats.len; i++) {
		const struct syscall_key *k =
			(const void *)((char *)p->stats.keys + i * sizeof(*k));
		const struct syscall_stats *st =
			(const void *)((char *)p->stats.values + i * sizeof(*st));
		struct syscall_prev *pv = hashmap_get(p->prev, k);

		/* every completed call adds at least 1 ns to total_ns */
		if (!pv || st->total_ns != pv->total_ns) {
			if ((err = add_row(p, s, k, st, pv, ended)))
				return err;
			if (!pv) {
				pv = malloc(sizeof(*pv));
				if (!pv || hashmap_put(p->prev, k, pv)) {
					free(pv);
					return -ENOMEM;
				}
			}
			syscall_prev_update(pv, st);
		} else if (sweep && !procfs_alive(k->tgid, k->pstart)) {
			/* read in an earlier interval and idle since: the
			 * process is gone, drop its entry on both sides */
			bpf_map_delete_elem(p->stats.fd, k);
			free(hashmap_del(p->prev, k));
		}
	}
	return 0;
}

static int collect_inflight(struct sys_priv *p, struct snapshot *s, __u64 interval_ns)
{
	__u64 now = mono_ns();
	int err = map_reader_read(&p->inflight);

	if (err)
		return err;
	for (size_t i = 0; i < p->inflight.len; i++) {
		__u32 tid = ((__u32 *)p->inflight.keys)[i];
		const struct inflight_val *v =
			(const void *)((char *)p->inflight.values + i * sizeof(*v));
		__u64 elapsed = now > v->start_ns ? now - v->start_ns : 0;
		struct snap_inflight *row;
		char namebuf[32];

		/* A thread killed inside a syscall never returns from it:
		 * drop its entry once it has had a full interval to show. */
		if (elapsed > interval_ns && !procfs_thread_alive(v->tgid, tid)) {
			bpf_map_delete_elem(p->inflight.fd, &tid);
			continue;
		}
		if (elapsed < INFLIGHT_MIN_NS)
			continue;
		row = vec_push(&s->inflight);
		if (!row)
			return -ENOMEM;
		row->pid = v->tgid;
		row->tid = tid;
		row->nr = v->nr;
		row->elapsed_ns = elapsed;
		snap_strcpy(row->comm, sizeof(row->comm), v->comm, sizeof(v->comm));
		snap_strcpy(row->syscall, sizeof(row->syscall),
			    syscall_name(v->nr, namebuf, sizeof(namebuf)), SNAP_NAME_LEN);
	}
	return 0;
}

static int sys_collect(struct collector *c, struct snapshot *s)
{
	struct sys_priv *p = c->priv;
	struct syscalls_bpf__bss *bss = p->skel->bss;
	__u32 ended = __atomic_load_n(&bss->epoch, __ATOMIC_RELAXED);
	__u64 drops;
	int err;

	/* New events go to the other max slot from here on. */
	__atomic_store_n(&bss->epoch, ended + 1, __ATOMIC_SEQ_CST);
	err = collect_stats(p, s, ended);
	if (!err)
		err = collect_inflight(p, s, s->interval_ns);
	drops = __atomic_load_n(&bss->drop_map_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_inflight_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_no_state, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->drops_seen;
	p->drops_seen = drops;
	return err;
}

static void free_prev(void *v)
{
	free(v);
}

static void sys_close(struct collector *c)
{
	struct sys_priv *p = c->priv;

	if (!p)
		return;
	syscalls_bpf__destroy(p->skel);
	map_reader_free(&p->stats);
	map_reader_free(&p->inflight);
	hashmap_free(p->prev, free_prev);
	hashmap_free(p->comms, free);
	free(p);
	c->priv = NULL;
}

const struct collector_ops syscalls_collector = {
	.family = FAM_SYSCALLS,
	.open = sys_open,
	.collect = sys_collect,
	.close = sys_close,
};
