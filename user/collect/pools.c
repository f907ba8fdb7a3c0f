/* The pools family's collector: per-thread state times and run-queue waits
 * from bpf/pools.bpf.c's thread table (read in place), idle and role
 * changes from its ring buffer, grouped into pools (SPEC: workers of one
 * process whose names are equal once normalized; the main thread and
 * acceptors kept apart).
 *
 * Saturation is exact: the ring buffer carries every transition into and
 * out of idle, in time order, and each group of same-named threads keeps a
 * count of its idle workers; the time during which that count is zero is
 * summed as the events are read (memory bounded by the thread count, not
 * by the event rate or the interval).
 *
 * This file: the family's lifecycle and the steps of one snapshot; the
 * threads, their grouping into pools and blocked_on have files of their
 * own (pools_int.h says which). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup_attr.h"
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/hooks.h"
#include "collect/kernel_features.h"
#include "collect/pools_int.h"
#include "collect/pools_shared.h"
#include "lib/hashmap.h"
#include "pools.h"
#include "pools.skel.h"
#include "pools_nokf.skel.h"

#define NR_MAX 1024
#define SF_IOFD 0x10
#define SF_ACCEPT 0x20
#define SF_SETNAME 0x40
#define SF_PEERFD 0x08		/* blocked_on: the first argument names the peer */
#define SF_CONNECT 0x80		/* blocked_on: connect, named from its sockaddr */

/* The syscall numbers pools_sys_exit does work for (sys_flags), as the
 * hooks' head is told to call it for: n of them into nrs. */
static int sys_exit_nrs(const struct pool_priv *p, long *nrs, int cap)
{
	const __u8 *f = (const __u8 *)p->skel->rodata->sys_flags;
	int n = 0;

	for (long nr = 0; nr < NR_MAX && nr < SYSCALLS_MAX_NR && n < cap; nr++)
		if (f[nr] & (SF_IOFD | SF_ACCEPT | SF_SETNAME))
			nrs[n++] = nr;
	return n;
}

/* The syscall exit hook that finds acceptors costs every syscall of the
 * host: attached only once some thread of a process waits in accept(2);
 * with the hooks' head, only the calls it looks at pay for it. */
void pools_attach_sys_exit(struct pool_priv *p)
{
	struct family_prog sx = { .prog = p->skel->progs.pools_sys_exit, .optional = true };
	static const int slot = HOOK_POOLS_EXIT;
	long nrs[64];

	if (p->skel->links.pools_sys_exit || p->sys_exit_hooked || p->sys_exit_failed)
		return;
	if (hooks_have_head())
		family_hook_progs(p->skel->skeleton, &sx, &slot, 1, nrs,
				  sys_exit_nrs(p, nrs, 64), &p->sys_exit_hooked);
	else
		family_attach_progs(p->skel->skeleton, &sx, 1);
	if (sx.err) {
		p->sys_exit_failed = true;
		fprintf(stderr, "latscope: pools: cannot attach raw_syscalls:sys_exit (%s): "
				"acceptors are found only asleep in accept at start\n",
			strerror(-sx.err));
	}
}

/* Drains the ring buffer every 20 ms between snapshots, so a long interval
 * cannot overflow it (1 MiB holds ~26000 events: over a million a second). */
static void *poller_main(void *arg)
{
	struct pool_priv *p = arg;

	while (!p->stop) {
		usleep(20000);
		pthread_mutex_lock(&p->lock);
		ring_buffer__consume(p->rb);
		if (__atomic_load_n(&p->skel->bss->accepts_seen, __ATOMIC_RELAXED))
			pools_attach_sys_exit(p);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* --- the syscall table the kernel side classifies with ------------------- */

static void set_flag(__u8 *f, long nr, __u8 v)
{
	if (nr >= 0 && nr < NR_MAX)
		f[nr] |= v;
}

/* blocked_on: the calls whose io sleeps are charged to a peer (poll and
 * ppoll on one descriptor too: the kernel side looks at PW_POLL). */
static void fill_blocked_flags(__u8 *f)
{
	static const long peerfd[] = {
		SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_recvfrom, SYS_sendto,
		SYS_recvmsg, SYS_sendmsg, SYS_recvmmsg, SYS_sendmmsg, SYS_sendfile,
		SYS_pread64, SYS_pwrite64, SYS_preadv, SYS_pwritev,
#ifdef SYS_preadv2
		SYS_preadv2, SYS_pwritev2,
#endif
	};

	for (size_t i = 0; i < sizeof(peerfd) / sizeof(peerfd[0]); i++)
		set_flag(f, peerfd[i], SF_PEERFD);
	set_flag(f, SYS_connect, SF_CONNECT);
}

static void fill_sys_flags(__u8 *f)
{
	static const long idle[] = {
		SYS_epoll_wait, SYS_epoll_pwait,
#ifdef SYS_epoll_pwait2
		SYS_epoll_pwait2,
#endif
		SYS_accept, SYS_accept4, SYS_rt_sigtimedwait, SYS_pause,
#ifdef SYS_futex_waitv
		SYS_futex_waitv,
#endif
	};
	static const long iofd[] = {
		SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_recvfrom, SYS_sendto,
		SYS_recvmsg, SYS_sendmsg, SYS_recvmmsg, SYS_sendmmsg, SYS_sendfile,
		SYS_pread64, SYS_pwrite64,
	};

	for (size_t i = 0; i < sizeof(idle) / sizeof(idle[0]); i++)
		set_flag(f, idle[i], PW_IDLE);
	for (size_t i = 0; i < sizeof(iofd) / sizeof(iofd[0]); i++)
		set_flag(f, iofd[i], SF_IOFD);
	set_flag(f, SYS_accept, SF_ACCEPT);
	set_flag(f, SYS_accept4, SF_ACCEPT);
	set_flag(f, SYS_prctl, SF_SETNAME);
	set_flag(f, SYS_futex, PW_FUTEX);
	set_flag(f, SYS_poll, PW_POLL);
	set_flag(f, SYS_ppoll, PW_POLL);
	set_flag(f, SYS_select, PW_SELECT);
	set_flag(f, SYS_pselect6, PW_SELECT);
	set_flag(f, SYS_io_uring_enter, PW_URING);
	fill_blocked_flags(f);
}

int pools_shared_table_fd = -1, pools_shared_slots_fd = -1;

/* Room for the threads to follow: a few processes need little; host-wide,
 * twice the threads the host runs now (the 4th field of /proc/loadavg is
 * running/total scheduling entities), at least 16384. Read once: the
 * syscalls family makes the maps the two share with this size. */
__u32 pools_thread_map_size(const struct options *o)
{
	static __u32 size;
	unsigned long total = 0;
	FILE *f;

	if (size)
		return size;
	if (o->npids)
		return size = 4096;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%*s %*s %*s %*u/%lu", &total) != 1)
			total = 0;
		fclose(f);
	}
	size = total * 2 > 16384 ? (__u32)(total * 2 > (1UL << 20) ? 1UL << 20 : total * 2) : 16384;
	return size;
}

FAMILY_SKEL_NOKF(pools);

static int pools_setup(struct collector *c, void *obj, const struct options *o)
{
	struct pools_bpf *skel = obj;
	struct pool_priv *p = c->priv;

	FAMILY_SET_PIDS(skel->rodata, o);
	FAMILY_SET_CGROUPS(skel->rodata, o);
	fill_sys_flags((__u8 *)skel->rodata->sys_flags);
	/* attached once needed (pools_attach_sys_exit) */
	bpf_program__set_autoattach(skel->progs.pools_sys_exit, false);
	/* run from the syscalls family's sched_switch program (hook_switch) */
	if (hooks_have_head())
		bpf_program__set_autoattach(skel->progs.pools_switch, false);
	p->table_size = pools_thread_map_size(o);
	skel->rodata->table_size = (__u32)p->table_size;
	bpf_map__set_max_entries(skel->maps.thread_table, (__u32)p->table_size);
	bpf_map__set_max_entries(skel->maps.thread_slots, (__u32)p->table_size);
	bpf_map__set_max_entries(skel->maps.free_slots, (__u32)p->table_size);
	bpf_map__set_max_entries(skel->maps.blocked, pools_thread_map_size(o));
	/* the threads' states live in the maps the syscalls family made (its
	 * requests view reads them): the same maps, one writer (here) */
	if (pools_shared_table_fd >= 0 && pools_shared_slots_fd >= 0 &&
	    (bpf_map__reuse_fd(skel->maps.thread_table, pools_shared_table_fd) ||
	     bpf_map__reuse_fd(skel->maps.thread_slots, pools_shared_slots_fd)))
		return family_fail(c, -EINVAL, "cannot share the thread maps");
	return 0;
}

static const struct family_spec pools_family = {
	.skel = &pools_family_skel,
	.setup = pools_setup,
	.attach_what = "sched tracepoints",
};

/* The sched tracepoints, and the optional programs. */
static int attach_all(struct collector *c, struct pool_priv *p)
{
	struct family_prog opt[] = {
		/* without lock:contention_* (kernels before 5.19) a sleep on
		 * a kernel lock counts as io; the family runs all the same */
		{ .prog = p->skel->progs.pools_klock_begin, .optional = true, .group = 1 },
		{ .prog = p->skel->progs.pools_klock_end, .optional = true, .group = 1 },
		/* without task:task_rename, main threads' names are read
		 * from /proc at every snapshot */
		{ .prog = p->skel->progs.pools_rename, .optional = true },
	};
	int err = family_attach(c, &pools_family, p->skel, opt, sizeof(opt) / sizeof(opt[0]));

	if (err)
		return err;
	if (!opt[2].err) {
		p->mains = hashmap_new(sizeof(__u32));
		__atomic_store_n(&p->skel->bss->main_names, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

/* pools_switch, left unattached at load, into the hooks' head, or attached
 * on its own when the head refuses it. */
static int hook_switch(struct collector *c, struct pool_priv *p)
{
	static const int slot = HOOK_POOLS_SWITCH;
	struct family_prog sw = { .prog = p->skel->progs.pools_switch };
	int err;

	if (bpf_program__autoattach(p->skel->progs.pools_switch))
		return 0;	/* attached by attach_all */
	err = family_hook_progs(p->skel->skeleton, &sw, &slot, 1, NULL, 0, &p->switch_hooked);
	return err ? family_fail(c, err, "cannot attach sched:sched_switch") : 0;
}

static int pools_open(struct collector *c, const struct options *o)
{
	struct pool_priv *p = c->priv;
	int err;

	pthread_mutex_init(&p->lock, NULL);
	p->thr = hashmap_new(sizeof(__u32));
	p->ogroups = hashmap_new(sizeof(struct group_key));
	p->bacc = hashmap_new(sizeof(struct pool_blocked_key));
	if (!p->thr || !p->ogroups || !p->bacc)
		return -ENOMEM;
	p->skel = family_load(c, &pools_family, o, &err);
	if (!p->skel)
		return err;
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.events), pools_on_event, p, NULL);
	if (!p->rb)
		return family_fail(c, -errno, "cannot open its ring buffer");
	if ((err = attach_all(c, p)) || (err = hook_switch(c, p)))
		return err;
	p->table_fd = bpf_map__fd(p->skel->maps.thread_table);
	p->slots_fd = bpf_map__fd(p->skel->maps.thread_slots);
	p->free_fd = bpf_map__fd(p->skel->maps.free_slots);
	p->by_slot = calloc(p->table_size, sizeof(*p->by_slot));
	if (!p->by_slot)
		return -ENOMEM;
	map_reader_init(&p->blocked, bpf_map__fd(p->skel->maps.blocked),
			sizeof(struct pool_blocked_key), sizeof(__u64));
	p->t0 = mono_ns();
	pools_seed_all(p, o);
	if (pthread_create(&p->poller, NULL, poller_main, p) == 0)
		p->poller_on = true;
	return 0;
}

/* --- one interval --------------------------------------------------------- */

/* The events not yet read, and the closed io sleeps. */
static void interval_read(struct pool_priv *p)
{
	ring_buffer__consume(p->rb);
	pools_blocked_read(p);
	/* names kept from before events were lost are not trusted */
	if (p->mains &&
	    __atomic_load_n(&p->skel->bss->drop_events, __ATOMIC_RELAXED) != p->mains_lost)
		pools_mains_prune(p);
}

/* The next interval starts at t1; the gone threads are forgotten. */
static void interval_end(struct pool_priv *p, __u64 t1, const __u32 *gone, size_t ngone)
{
	pools_threads_forget(p, gone, ngone, t1);
	pools_ogroups_roll(p, t1);
	pools_mains_prune(p);
	p->t0 = t1;
}

static void count_drops(struct pool_priv *p, struct snapshot *s)
{
	struct pools_bpf__bss *bss = p->skel->bss;

	s->dropped.map_full += counter_since(&bss->drop_map_full, &p->drops_seen);
	s->dropped.events += counter_since(&bss->drop_events, &p->events_seen);
	s->dropped.map_full += counter_since(&bss->drop_blocked_full, &p->bdrops_seen);
}

static int pools_collect(struct collector *c, struct snapshot *s)
{
	struct pool_priv *p = c->priv;
	struct hashmap *groups = NULL;
	__u32 *gone = NULL;
	size_t ngone = 0;
	bool walked = false;
	__u64 t1;
	int err;

	pthread_mutex_lock(&p->lock);
	interval_read(p);
	p->gen++;
	t1 = mono_ns();
	err = pools_threads_read(p, t1);
	if (!err) {
		pools_blocked_deltas(p, t1);
		groups = hashmap_new(sizeof(struct group_key));
		err = groups ? pools_group(p, groups, t1, &gone, &ngone) : -ENOMEM;
		walked = !err;
	}
	if (walked)
		err = pools_rows(p, s, groups, t1);
	else	/* cut short by an error: the gone threads are found here */
		pools_gone(p, &gone, &ngone);
	interval_end(p, t1, gone, ngone);
	free(gone);
	pthread_mutex_unlock(&p->lock);
	hashmap_free(groups, pools_group_free);
	count_drops(p, s);
	return err;
}

static void pools_close(struct collector *c)
{
	struct pool_priv *p = c->priv;

	p->stop = true;
	if (p->poller_on)
		pthread_join(p->poller, NULL);
	if (p->switch_hooked)
		hooks_leave(HOOK_POOLS_SWITCH);
	if (p->sys_exit_hooked)
		hooks_leave(HOOK_POOLS_EXIT);
	ring_buffer__free(p->rb);
	pools_bpf__destroy(p->skel);	/* with the links of every program */
	free(p->by_slot);
	pools_blocked_free(p);
	hashmap_free(p->thr, free);
	hashmap_free(p->ogroups, free);
	hashmap_free(p->mains, free);
	pthread_mutex_destroy(&p->lock);
}

static const char *const pools_tps[] = {
	"sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_process_exit",
	"sys_exit", NULL
};
static const enum bpf_map_type pools_maps[] = { BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_STACK,
						BPF_MAP_TYPE_UNSPEC };
static const struct family_needs pools_needs = { pools_tps, pools_maps };

const struct collector_ops pools_collector = {
	.priv_size = sizeof(struct pool_priv),
	.needs = &pools_needs,
	.family = FAM_POOLS,
	.open = pools_open,
	.collect = pools_collect,
	.close = pools_close,
};
