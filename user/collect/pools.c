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
 * Threads asleep since before attach are unknown to the kernel until they
 * wake; what they sleep in is read once from /proc (.../syscall) when the
 * family starts ("seeded"), the same way the SPEC finds acceptors asleep in
 * accept(2) at attach. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/kernel_features.h"
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/peers_name.h"
#include "snapshot/pool_blocked.h"
#include "collect/pools_name.h"
#include "collect/pools_seed.h"
#include "pools.h"
#include "lib/procfs.h"
#include "pools.skel.h"
#include "pools_nokf.skel.h"

#define NR_MAX 1024
#define THREAD_WINDOW 2048	/* thread_table slots mapped at a time: 2 MiB */
#define SF_IOFD 0x10
#define SF_ACCEPT 0x20
#define SF_SETNAME 0x40
#define SF_PEERFD 0x08		/* blocked_on: the first argument names the peer */
#define SF_CONNECT 0x80		/* blocked_on: connect, named from its sockaddr */

/* What the frontend knows of one thread. Every snapshot walks all of them
 * (10,000s on a big host): what each walk reads comes first, in the first
 * cache lines, and the run-queue histogram last. */
struct pthr {
	__u32 tid, tgid;
	bool in_kernel;		/* has had a kernel entry */
	bool seeded;		/* state read from /proc at start */
	__u8 seed_state;	/* enum pool_state */
	bool idle;		/* as of the last event */
	bool acceptor;		/* sticky role */
	bool gone;		/* exited: dropped after this interval */
	bool counted;		/* counted in og->idle (an idle worker) */
	bool active;
	__u32 slot;		/* its thread_table slot + 1, once seen there */
	unsigned stamp;		/* the snapshot (gen) its figures below are of */
	struct ogroup *og;	/* its group, as of the last event */
	/* this interval's figures, filled at collect (its run-queue waits go
	 * straight into its group's histogram) */
	__u64 d_ns[PST_NR];
	__u64 exist_a, exist_b;
	char comm[POOLS_COMM_LEN];
	__u64 prev_ns[PST_NR];	/* state times already reported */
	__u64 prev_runq;	/* run-queue waits already reported: sum of prev_hist */
	__u32 prev_hist[PH_NBUCKETS];
};

/* The name of a pool's main thread, as /proc gave it, kept while the kernel
 * says no rename (pools_rename) and no exit of that thread. */
struct mainc {
	unsigned gen;			/* last snapshot that used it */
	char comm[SNAP_COMM_LEN];
};

/* A group of same-named threads followed event by event: how many of its
 * workers are idle, and since when none is. */
struct ogroup {
	__u32 tgid;
	char name[POOLS_COMM_LEN];
	int idle;
	unsigned refs;		/* threads pointing here */
	__u64 sat_since;	/* start of the current no-idle stretch */
	__u64 sat_ns;		/* no-idle time in this interval, closed */
	bool has_runq;		/* runq_hist has counts of this interval */
	struct group *grp;	/* its group in this snapshot's grouping, once found */
	__u64 runq_hist[PH_NBUCKETS];	/* its workers' run-queue waits, this interval */
};

struct pool_priv {
	struct pools_bpf *skel;
	struct ring_buffer *rb;
	int table_fd, slots_fd, free_fd;	/* thread_table, thread_slots, free_slots */
	size_t table_size;
	struct pthr **by_slot;		/* thread_table slot -> its thread, once seen */
	struct hashmap *thr;		/* tid -> struct pthr */
	struct hashmap *ogroups;	/* struct ogroup (tgid, name) -> itself */
	pthread_t poller;
	pthread_mutex_t lock;
	volatile bool stop;
	bool poller_on;
	struct bpf_link *sys_exit_link;	/* attached once an accept is seen */
	struct bpf_link *klock_links[2];	/* optional: kernel lock contention */
	struct bpf_link *rename_link;	/* optional: main threads' renames */
	struct hashmap *mains;		/* tgid -> struct mainc, with rename_link */
	unsigned gen;			/* snapshots taken */
	__u64 mains_lost;		/* drop_events when mains was last trusted */
	bool sys_exit_failed;
	__u64 t0;			/* start of the current interval */
	__u64 drops_seen, events_seen;
	/* blocked_on (see "blocked_on" below) */
	struct map_reader blocked;	/* (tid, peer) -> io ns, cumulative */
	struct hashmap *bacc;		/* struct pool_blocked_key -> struct bacc */
	struct hashmap *bthr;		/* tid -> struct bthr: this interval's */
	struct hashmap *bnames;		/* peer id -> name (peer_name_cached) */
	__u64 bdrops_seen;
};

/* blocked_on, defined at the end */
struct group;
static void blocked_read(struct pool_priv *p);
static void blocked_open(struct pool_priv *p, const struct pool_thread *v, __u64 t1);
static void blocked_deltas(struct pool_priv *p, __u64 t1);
static int blocked_fill(struct pool_priv *p, struct snap_pool *row, const struct group *g);

static struct pthr *pthr_get(struct pool_priv *p, __u32 tid, __u32 tgid)
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

struct group_key {
	__u32 tgid;
	char name[POOLS_COMM_LEN];
};

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
static void pthr_recount(struct pool_priv *p, struct pthr *t, __u64 ts)
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
static int on_event(void *ctx, void *data, size_t size)
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

/* The syscall exit hook that finds acceptors costs every syscall of the
 * host: attached only once some thread of a process waits in accept(2). */
static void attach_sys_exit(struct pool_priv *p)
{
	if (p->sys_exit_link || p->sys_exit_failed)
		return;
	p->sys_exit_link = bpf_program__attach(p->skel->progs.pools_sys_exit);
	if (!p->sys_exit_link) {
		p->sys_exit_failed = true;
		fprintf(stderr, "latscope: pools: cannot attach raw_syscalls:sys_exit (%s): "
				"acceptors are found only asleep in accept at start\n",
			strerror(errno));
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
			attach_sys_exit(p);
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

/* --- seeding from /proc -------------------------------------------------- */

static bool fd_waits_for_work(__u32 tgid, long fd)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%ld", tgid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = 0;
	if (!strncmp(link, "anon_inode:[eventfd", 19) || !strncmp(link, "anon_inode:[timerfd", 19) ||
	    !strncmp(link, "anon_inode:[signalfd", 20) || !strncmp(link, "anon_inode:[eventpoll", 21))
		return true;
	if (!strncmp(link, "socket:[", 8)) {
		/* listening: state 0A in /proc/net/tcp*, or ACCEPTCON in unix */
		unsigned long ino = strtoul(link + 8, NULL, 10);
		static const char *tabs[] = { "tcp", "tcp6", "unix" };

		for (int i = 0; i < 3; i++) {
			char line[512];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%u/net/%s", tgid, tabs[i]);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f)) {
				char *tok[12] = {}, *save = NULL, *s = line;
				int k = 0;

				for (; k < 12 && (tok[k] = strtok_r(s, " \t\n", &save)); k++)
					s = NULL;
				if (i < 2 && k >= 10 && strtoul(tok[9], NULL, 10) == ino) {
					fclose(f);
					return !strcmp(tok[3], "0A");
				}
				if (i == 2 && k >= 7 && strtoul(tok[6], NULL, 10) == ino) {
					fclose(f);
					return strtoul(tok[3], NULL, 16) & 0x10000;
				}
			}
			fclose(f);
		}
	}
	return false;
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
/* The state of a sleeping thread from /proc/PID/task/TID/syscall; sets
 * *accept for accept(2). */
static __u8 seed_classify(__u32 tgid, const char *text, bool *accept)
{
	unsigned long long a[6];
	bool check_fds;
	long nr;
	__u8 st;

	*accept = false;
	if (pool_seed_parse(text, &nr, a))
		return PST_IO;
	st = pool_seed_state(nr, a, accept, &check_fds);
	if (check_fds) {
		/* the descriptors are in the traced process's memory: read them */
		struct { int fd; short ev, rev; } pf[8];
		char path[64];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/%u/mem", tgid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return st;
		n = pread(fd, pf, a[1] * sizeof(pf[0]), (off_t)a[0]);
		close(fd);
		for (int i = 0; n > 0 && i < (int)(n / (ssize_t)sizeof(pf[0])); i++)
			if (pf[i].fd >= 0 && fd_waits_for_work(tgid, pf[i].fd))
				return PST_IDLE;
	}
	return st;
}

static void seed_process(struct pool_priv *p, __u32 tgid)
{
	char path[96], buf[512];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/task", tgid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		__u32 tid = (__u32)strtoul(de->d_name, NULL, 10);
		struct pthr *t;
		ssize_t n;
		char state;
		bool acc;
		int fd;

		if (!tid || tid == tgid)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", tgid, tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		{
			char *close_paren = strrchr(buf, ')');

			if (!close_paren || close_paren[1] != ' ')
				continue;
			state = close_paren[2];
		}
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
			continue;
		/* asleep in something /proc will not say: unknown until it wakes
		 * (D is the kernel's own wait: io) */
		pthread_mutex_lock(&p->lock);
		t->seed_state = state == 'D' ? PST_IO : PST_UNKNOWN;
		pthread_mutex_unlock(&p->lock);
		snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", tgid, tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		{
			__u8 st = seed_classify(tgid, buf, &acc);
			__u64 now = mono_ns();

			pthread_mutex_lock(&p->lock);
			t->seed_state = st;
			/* events read later correct it if it woke meanwhile */
			if (st == PST_IDLE && !t->in_kernel)
				t->idle = true;
			if (acc) {
				/* the kernel side must know too, to say when it
				 * serves a connection it accepted itself */
				struct pool_thread v = { .tid = tid, .tgid = tgid, .first_ns = now,
							 .since = now, .acceptor = 1 };

				memcpy(v.comm, t->comm, sizeof(v.comm));
				slot_new(p, &v);
				t->acceptor = true;
				attach_sys_exit(p);
			}
			pthr_recount(p, t, p->t0 < now ? p->t0 : now);
			pthread_mutex_unlock(&p->lock);
		}
	}
	closedir(d);
}

static void seed_all(struct pool_priv *p, const struct options *o)
{
	struct dirent *de;
	DIR *d;

	if (o->npids) {
		for (__u32 i = 0; i < o->npids; i++)
			seed_process(p, o->pids[i]);
		return;
	}
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			seed_process(p, (__u32)strtoul(de->d_name, NULL, 10));
	closedir(d);
}

/* Room for the threads to follow: a few processes need little; host-wide,
 * twice the threads the host runs now (the 4th field of /proc/loadavg is
 * running/total scheduling entities), at least 16384. */
static __u32 thread_map_size(const struct options *o)
{
	unsigned long total = 0;
	FILE *f;

	if (o->npids)
		return 4096;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%*s %*s %*s %*u/%lu", &total) != 1)
			total = 0;
		fclose(f);
	}
	return total * 2 > 16384 ? (__u32)(total * 2 > (1UL << 20) ? 1UL << 20 : total * 2) : 16384;
}

static int pools_open(struct collector *c, const struct options *o)
{
	struct pool_priv *p = calloc(1, sizeof(*p));
	char buf[128];
	int err;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	pthread_mutex_init(&p->lock, NULL);
	p->thr = hashmap_new(sizeof(__u32));
	p->ogroups = hashmap_new(sizeof(struct group_key));
	p->bacc = hashmap_new(sizeof(struct pool_blocked_key));
	if (!p->thr || !p->ogroups || !p->bacc)
		return -ENOMEM;
	p->skel = BPF_UTIL_OPEN_NOKF(pools);
	if (!p->skel) {
		err = -errno;
		snprintf(c->status, sizeof(c->status), "cannot open BPF object: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	p->skel->rodata->filter_npids = o->npids;
	memcpy((void *)p->skel->rodata->filter_pids, o->pids,
	       sizeof(p->skel->rodata->filter_pids));
	fill_sys_flags((__u8 *)p->skel->rodata->sys_flags);
	bpf_program__set_autoattach(p->skel->progs.pools_sys_exit, false);
	bpf_program__set_autoattach(p->skel->progs.pools_klock_begin, false);
	bpf_program__set_autoattach(p->skel->progs.pools_klock_end, false);
	bpf_program__set_autoattach(p->skel->progs.pools_rename, false);
	p->table_size = thread_map_size(o);
	p->skel->rodata->table_size = (__u32)p->table_size;
	bpf_map__set_max_entries(p->skel->maps.thread_table, (__u32)p->table_size);
	bpf_map__set_max_entries(p->skel->maps.thread_slots, (__u32)p->table_size);
	bpf_map__set_max_entries(p->skel->maps.free_slots, (__u32)p->table_size);
	bpf_map__set_max_entries(p->skel->maps.blocked, thread_map_size(o));

	err = pools_bpf__load(p->skel);
	if (err) {
		snprintf(c->status, sizeof(c->status), "cannot load: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.events), on_event, p, NULL);
	if (!p->rb) {
		err = -errno;
		snprintf(c->status, sizeof(c->status), "cannot open its ring buffer: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	err = pools_bpf__attach(p->skel);
	if (err) {
		snprintf(c->status, sizeof(c->status), "cannot attach sched tracepoints: %s",
			 bpf_util_strerror(err, buf, sizeof(buf)));
		return err;
	}
	/* without lock:contention_* (kernels before 5.19) a sleep on a kernel
	 * lock counts as io; the family runs all the same */
	p->klock_links[0] = bpf_program__attach(p->skel->progs.pools_klock_begin);
	p->klock_links[1] = bpf_program__attach(p->skel->progs.pools_klock_end);
	if (!p->klock_links[0] || !p->klock_links[1]) {
		bpf_link__destroy(p->klock_links[0]);
		bpf_link__destroy(p->klock_links[1]);
		p->klock_links[0] = p->klock_links[1] = NULL;
	}
	/* without task:task_rename, main threads' names are read from /proc
	 * at every snapshot */
	p->rename_link = bpf_program__attach(p->skel->progs.pools_rename);
	if (p->rename_link) {
		p->mains = hashmap_new(sizeof(__u32));
		__atomic_store_n(&p->skel->bss->main_names, 1, __ATOMIC_SEQ_CST);
	}
	p->table_fd = bpf_map__fd(p->skel->maps.thread_table);
	p->slots_fd = bpf_map__fd(p->skel->maps.thread_slots);
	p->free_fd = bpf_map__fd(p->skel->maps.free_slots);
	p->by_slot = calloc(p->table_size, sizeof(*p->by_slot));
	if (!p->by_slot)
		return -ENOMEM;
	map_reader_init(&p->blocked, bpf_map__fd(p->skel->maps.blocked),
			sizeof(struct pool_blocked_key), sizeof(__u64));
	p->t0 = mono_ns();
	seed_all(p, o);
	if (pthread_create(&p->poller, NULL, poller_main, p) == 0)
		p->poller_on = true;
	return 0;
}

/* --- one interval --------------------------------------------------------- */

/* The name of process tgid's main thread (0), or -1 if it is gone. Kept
 * from one snapshot to the next when the kernel reports renames: no read of
 * /proc/PID/stat per pool per interval. */
static int main_comm(struct pool_priv *p, __u32 tgid, char *buf, size_t n)
{
	struct mainc *m;

	if (!p->mains)
		return procfs_comm(tgid, 0, buf, n);
	m = hashmap_get(p->mains, &tgid);
	if (!m) {
		if (procfs_comm(tgid, 0, buf, n))
			return -1;
		m = malloc(sizeof(*m));
		if (!m)
			return 0;
		snap_strcpy(m->comm, sizeof(m->comm), buf, n);
		if (hashmap_put(p->mains, &tgid, m)) {
			free(m);
			return 0;
		}
	}
	m->gen = p->gen;
	snprintf(buf, n, "%s", m->comm);
	return 0;
}

/* Forgets the names no pool used in this snapshot; all of them when events
 * were lost (a rename or an exit may be among them). */
static void mains_prune(struct pool_priv *p)
{
	__u64 lost = __atomic_load_n(&p->skel->bss->drop_events, __ATOMIC_RELAXED);
	struct hm_entry *it;
	__u32 *old = NULL;
	size_t n = 0, cap = 0, b;

	if (!p->mains)
		return;
	for (it = NULL; (it = hashmap_next(p->mains, it, &b));) {
		struct mainc *m = it->value;

		if (m->gen == p->gen && lost == p->mains_lost)
			continue;
		if (n == cap) {
			__u32 *o = realloc(old, (cap = cap ? cap * 2 : 64) * sizeof(*o));

			if (!o)
				break;
			old = o;
		}
		old[n++] = *(const __u32 *)it->key;
	}
	for (size_t i = 0; i < n; i++)
		free(hashmap_del(p->mains, &old[i]));
	free(old);
	p->mains_lost = lost;
}

struct group {
	struct group_key key;
	struct pthr **m;	/* members with this key, workers and others */
	size_t n, cap;
};

static int group_add(struct hashmap *groups, struct pthr *t)
{
	struct group_key k = { .tgid = t->tgid };
	struct group *g = t->og ? t->og->grp : NULL;

	/* same-named threads share an ogroup (same key): looked up once */
	if (!g) {
		pool_name_key(t->comm, k.name, sizeof(k.name));
		g = hashmap_get(groups, &k);
		if (!g) {
			g = calloc(1, sizeof(*g));
			if (!g || hashmap_put(groups, &k, g)) {
				free(g);
				return -ENOMEM;
			}
			g->key = k;
		}
		if (t->og && t->og->tgid == k.tgid && !memcmp(t->og->name, k.name, sizeof(k.name)))
			t->og->grp = g;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct pthr **m = realloc(g->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		g->m = m;
		g->cap = cap;
	}
	g->m[g->n++] = t;
	return 0;
}

static void group_free(void *v)
{
	struct group *g = v;

	free(g->m);
	free(g);
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

/* Drill-down rows, busiest first (non-idle time), then by tid. */
static int cmp_thread_row(const void *a, const void *b)
{
	const struct snap_pool_thread *x = a, *y = b;
	__u64 bx = x->oncpu_ns + x->runq_ns + x->lock_ns + x->io_ns;
	__u64 by = y->oncpu_ns + y->runq_ns + y->lock_ns + y->io_ns;

	if (bx != by)
		return bx < by ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int make_pool(struct pool_priv *p, struct snapshot *s, struct group *g, __u64 t1)
{
	struct snap_pool *row;
	struct ogroup *og = hashmap_get(p->ogroups, &g->key);
	size_t workers = 0;
	__u64 lo = t1, hi = p->t0, busy = 0, all = 0, sat, cut;
	char main_comm_buf[SNAP_COMM_LEN], main_key[POOLS_COMM_LEN];
	bool same_name = true;
	const char *first = NULL;

	for (size_t i = 0; i < g->n; i++)
		if (!g->m[i]->acceptor)
			workers++;
	if (workers < 2)
		return 0;
	row = vec_push(&s->pools);
	if (!row)
		return -ENOMEM;
	vec_init(&row->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&row->others, sizeof(struct snap_pool_other));
	vec_init(&row->thread_list, sizeof(struct snap_pool_thread));
	row->pid = g->key.tgid;
	row->threads = (__u32)workers;

	/* the main thread carries the pool's name: listed apart */
	if (!main_comm(p, g->key.tgid, main_comm_buf, sizeof(main_comm_buf))) {
		pool_name_key(main_comm_buf, main_key, sizeof(main_key));
		snap_strcpy(row->comm, sizeof(row->comm), main_comm_buf, sizeof(main_comm_buf));
		if (!strcmp(main_key, g->key.name)) {
			struct snap_pool_other *o = vec_push(&row->others);

			if (!o)
				return -ENOMEM;
			o->tid = g->key.tgid;
			strcpy(o->role, "main");
		}
	}
	for (size_t i = 0; i < g->n; i++) {
		struct pthr *t = g->m[i];
		struct snap_pool_thread *tr;

		if (t->acceptor) {
			struct snap_pool_other *o = vec_push(&row->others);

			if (!o)
				return -ENOMEM;
			o->tid = t->tid;
			strcpy(o->role, "acceptor");
			continue;
		}
		if (!first)
			first = t->comm;
		else if (strncmp(first, t->comm, POOLS_COMM_LEN))
			same_name = false;
		row->oncpu_ns += t->d_ns[PST_ONCPU];
		row->runq_ns += t->d_ns[PST_RUNQ];
		row->lock_ns += t->d_ns[PST_LOCK];
		row->io_ns += t->d_ns[PST_IO];
		row->idle_ns += t->d_ns[PST_IDLE];
		if (t->exist_a < lo)
			lo = t->exist_a;
		if (t->exist_b > hi)
			hi = t->exist_b;
		tr = vec_push(&row->thread_list);
		if (!tr)
			return -ENOMEM;
		tr->tid = t->tid;
		snap_strcpy(tr->comm, sizeof(tr->comm), t->comm, sizeof(t->comm));
		tr->oncpu_ns = t->d_ns[PST_ONCPU];
		tr->runq_ns = t->d_ns[PST_RUNQ];
		tr->lock_ns = t->d_ns[PST_LOCK];
		tr->io_ns = t->d_ns[PST_IO];
		tr->idle_ns = t->d_ns[PST_IDLE];
	}
	snap_strcpy(row->pool, sizeof(row->pool), same_name && first ? first : g->key.name,
		    POOLS_COMM_LEN);
	if (!row->comm[0])
		snap_strcpy(row->comm, sizeof(row->comm), row->pool, sizeof(row->pool));
	busy = row->oncpu_ns + row->runq_ns + row->lock_ns + row->io_ns;
	all = busy + row->idle_ns;
	/* per worker-time that existed: the SPEC's workers x interval when
	 * every worker lived through the interval */
	row->busy_pct = all ? 100.0 * (double)busy / (double)all : 0;
	/* no worker idle, within the workers' lifetime: before the first was
	 * born and after the last exited, none was idle either */
	if (og && hi > lo) {
		sat = og->sat_ns;
		if (og->idle == 0 && t1 > og->sat_since)
			sat += t1 - (og->sat_since > p->t0 ? og->sat_since : p->t0);
		cut = (lo - p->t0) + (t1 - hi);
		sat = sat > cut ? sat - cut : 0;
		if (sat > hi - lo)
			sat = hi - lo;
		row->saturated_pct = 100.0 * (double)sat / (double)(hi - lo);
	}
	if (og && og->has_runq)
		row->runq_p99_ns = ph_percentile(og->runq_hist, 0.99);
	if (blocked_fill(p, row, g))
		return -ENOMEM;
	if (row->thread_list.len > 1)
		qsort(row->thread_list.data, row->thread_list.len, row->thread_list.elem,
		      cmp_thread_row);
	return 0;
}

static int dead_add(__u32 **dead, size_t *n, __u32 tid)
{
	__u32 *d = realloc(*dead, (*n + 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	*dead = d;
	d[(*n)++] = tid;
	return 0;
}

/* A thread's figures start over for the interval ending at t1, the first
 * time this snapshot touches it: each walk of 10,000s of threads costs
 * cache misses, so none is made just for this. */
static void interval_reset(struct pool_priv *p, struct pthr *t, __u64 t1)
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
		interval_reset(p, t, t1);
	if (!t->in_kernel) {	/* not reset above: fresh */
		memset(t->d_ns, 0, sizeof(t->d_ns));
		t->exist_a = p->t0;
		t->exist_b = t1;
	}
	thread_delta(p, t, v, e->runq_hist, t1);
	blocked_open(p, v, t1);
	if (t->gone) {
		bpf_map_delete_elem(p->slots_fd, &tid);
		e->tid = 0;
		bpf_map_update_elem(p->free_fd, NULL, &slot, BPF_ANY);
	}
	return 0;
}

/* Every thread the kernel follows: the slots it handed out, read in place
 * through a window of THREAD_WINDOW slots at a time. */
static int threads_read(struct pool_priv *p, __u64 t1)
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

static int pools_collect(struct collector *c, struct snapshot *s)
{
	struct pool_priv *p = c->priv;
	struct pools_bpf__bss *bss = p->skel->bss;
	struct hashmap *groups = NULL;
	struct hm_entry *it;
	__u32 *dead = NULL;
	size_t b, ndead = 0;
	bool walked = false;
	__u64 t1, drops;
	int err;

	pthread_mutex_lock(&p->lock);
	ring_buffer__consume(p->rb);
	blocked_read(p);
	/* names kept from before events were lost are not trusted */
	if (p->mains && __atomic_load_n(&bss->drop_events, __ATOMIC_RELAXED) != p->mains_lost)
		mains_prune(p);
	p->gen++;
	t1 = mono_ns();
	err = threads_read(p, t1);
	if (err)
		goto out;
	blocked_deltas(p, t1);
	groups = hashmap_new(sizeof(struct group_key));
	if (!groups) {
		err = -ENOMEM;
		goto out;
	}
	/* one walk: the threads not in the kernel's map are reset, grouped, and
	 * the gone ones noted (forgotten after this snapshot) */
	for (it = NULL; (it = hashmap_next(p->thr, it, &b));) {
		struct pthr *t = it->value;

		if (t->stamp != p->gen)
			interval_reset(p, t, t1);
		if (t->gone && dead_add(&dead, &ndead, t->tid))
			err = -ENOMEM;
		if (!err && t->active && t->comm[0])
			err = group_add(groups, t);
		if (err)
			goto out;
	}
	walked = true;
	for (it = NULL; (it = hashmap_next(groups, it, &b));)
		if ((err = make_pool(p, s, it->value, t1)))
			goto out;
out:
	/* the next interval starts here; gone threads are forgotten */
	{
		struct group_key *empty = NULL;
		size_t nempty = 0;

		/* cut short by an error: the gone threads are found here */
		if (!walked) {
			ndead = 0;
			for (it = NULL; (it = hashmap_next(p->thr, it, &b));)
				if (((struct pthr *)it->value)->gone)
					dead_add(&dead, &ndead, ((struct pthr *)it->value)->tid);
		}
		for (size_t i = 0; i < ndead; i++) {
			struct pthr *t = hashmap_del(p->thr, &dead[i]);

			if (t) {
				pthr_recount(p, t, t1);
				if (t->og)
					t->og->refs--;
				if (t->slot && p->by_slot[t->slot - 1] == t)
					p->by_slot[t->slot - 1] = NULL;
				free(t);
			}
		}
		free(dead);
		for (it = NULL; (it = hashmap_next(p->ogroups, it, &b));) {
			struct ogroup *g = it->value;

			g->sat_ns = 0;
			g->grp = NULL;	/* groups is freed below */
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
		mains_prune(p);
	}
	p->t0 = t1;
	pthread_mutex_unlock(&p->lock);
	hashmap_free(groups, group_free);
	drops = __atomic_load_n(&bss->drop_map_full, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->drops_seen;
	p->drops_seen = drops;
	drops = __atomic_load_n(&bss->drop_events, __ATOMIC_RELAXED);
	s->dropped.events += drops - p->events_seen;
	p->events_seen = drops;
	drops = __atomic_load_n(&bss->drop_blocked_full, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->bdrops_seen;
	p->bdrops_seen = drops;
	return err;
}

/* --- blocked_on ------------------------------------------------------------
 * The kernel charges each io sleep on a peer to (thread, peer), cumulative;
 * like the state times, a sleep still under way is counted up to the
 * snapshot from the thread's entry (io_peer, since), and the rest when it
 * ends. Per pool: the sum over its workers, the most io first. */

struct bacc {			/* one (thread, peer) */
	__u64 prev;		/* reported so far */
	__u64 cum;		/* as of this snapshot */
};

struct bpeer {
	__u64 peer, ns;
};

struct bthr {			/* one thread's io per peer, this interval */
	size_t n, cap;
	struct bpeer *e;
};

#define BNAMES_MAX 4096		/* names kept before the cache starts over */

static struct bacc *bacc_get(struct pool_priv *p, const struct pool_blocked_key *k)
{
	struct bacc *a = hashmap_get(p->bacc, k);

	if (a)
		return a;
	a = calloc(1, sizeof(*a));
	if (a && hashmap_put(p->bacc, k, a)) {
		free(a);
		a = NULL;
	}
	return a;
}

static void bthr_free(void *v)
{
	struct bthr *b = v;

	free(b->e);
	free(b);
}

static void bthr_add(struct pool_priv *p, __u32 tid, __u64 peer, __u64 ns)
{
	struct bthr *b = hashmap_get(p->bthr, &tid);

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b || hashmap_put(p->bthr, &tid, b)) {
			free(b);
			return;
		}
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		struct bpeer *e = realloc(b->e, cap * sizeof(*e));

		if (!e)
			return;
		b->e = e;
		b->cap = cap;
	}
	b->e[b->n++] = (struct bpeer){ peer, ns };
}

/* The closed sleeps, read before the thread entries: a sleep that ends in
 * between is counted at the next snapshot, never twice. */
static void blocked_read(struct pool_priv *p)
{
	struct hm_entry *it;
	size_t b;

	for (it = NULL; (it = hashmap_next(p->bacc, it, &b));)
		((struct bacc *)it->value)->cum = 0;
	if (map_reader_read(&p->blocked))
		return;
	for (size_t i = 0; i < p->blocked.len; i++) {
		const struct pool_blocked_key *k =
			(const void *)((char *)p->blocked.keys + i * sizeof(*k));
		struct bacc *a = bacc_get(p, k);

		if (a)
			a->cum = ((const __u64 *)p->blocked.values)[i];
	}
}

/* An io sleep on a peer under way (thread entry v) counts up to t1. */
static void blocked_open(struct pool_priv *p, const struct pool_thread *v, __u64 t1)
{
	struct pool_blocked_key k = { .peer = v->io_peer, .tid = v->tid, .tgid = v->tgid };
	struct bacc *a;

	if (v->exited || v->state != PST_IO || !v->io_peer || t1 <= v->since)
		return;
	a = bacc_get(p, &k);
	if (a)
		a->cum += t1 - v->since;
}

/* After the thread entries are read (threads_read: the open sleeps added)
 * and the threads that exited marked gone: this interval's io per (thread,
 * peer) into p->bthr;
 * the entries of gone threads and idle pairs are dropped here and in the
 * kernel, so the map holds the pairs of about one interval. */
static void blocked_deltas(struct pool_priv *p, __u64 t1)
{
	struct pool_blocked_key *dead = NULL;
	size_t ndead = 0, b;
	struct hm_entry *it;

	hashmap_free(p->bthr, bthr_free);
	p->bthr = hashmap_new(sizeof(__u32));
	for (it = NULL; (it = hashmap_next(p->bacc, it, &b));) {
		struct pool_blocked_key k;
		struct bacc *a = it->value;
		struct pthr *t;
		__u64 d = 0;

		memcpy(&k, it->key, sizeof(k));
		t = hashmap_get(p->thr, &k.tid);
		/* less than reported: an open sleep ended before its charge was
		 * read; nothing until it catches up */
		if (a->cum > a->prev) {
			d = a->cum - a->prev;
			a->prev = a->cum;
		}
		if (d && t && t->tgid == k.tgid && p->bthr)
			bthr_add(p, k.tid, k.peer, d);
		/* gone threads, and peers a thread no longer waited on in a whole
		 * interval (a server's clients come and go): the kernel's entry
		 * starts again from 0 if it is charged again */
		if (!t || t->gone || t->tgid != k.tgid || (!d && a->cum <= a->prev)) {
			struct pool_blocked_key *x = realloc(dead, (ndead + 1) * sizeof(*x));

			if (x) {
				dead = x;
				dead[ndead++] = k;
			}
		}
	}
	for (size_t i = 0; i < ndead; i++) {
		struct bacc *a = hashmap_get(p->bacc, &dead[i]);
		const struct pthr *t = hashmap_get(p->thr, &dead[i].tid);
		__u64 now;

		/* an idle pair charged since it was read: kept */
		if (a && t && !t->gone && t->tgid == dead[i].tgid &&
		    !bpf_map_lookup_elem(p->blocked.fd, &dead[i], &now) && now != a->cum)
			continue;
		bpf_map_delete_elem(p->blocked.fd, &dead[i]);
		free(hashmap_del(p->bacc, &dead[i]));
	}
	free(dead);
}

/* The SPEC's text for a peer id, from the kernel's peer_names. */
static const char *blocked_name(struct pool_priv *p, __u64 id)
{
	const char *n = peer_name_cached(&p->bnames, BNAMES_MAX,
					 bpf_map__fd(p->skel->maps.peer_names), id);

	return n ? n : "unknown";
}

static int blocked_fill(struct pool_priv *p, struct snap_pool *row, const struct group *g)
{
	for (size_t i = 0; p->bthr && i < g->n; i++) {
		const struct pthr *t = g->m[i];
		const struct bthr *b;

		if (t->acceptor || !(b = hashmap_get(p->bthr, &t->tid)))
			continue;
		for (size_t j = 0; j < b->n; j++)
			if (pool_blocked_add(&row->blocked_on, blocked_name(p, b->e[j].peer),
					     b->e[j].ns))
				return -ENOMEM;
	}
	pool_blocked_finish(&row->blocked_on, POOL_BLOCKED_TOP);
	return 0;
}


static void pools_close(struct collector *c)
{
	struct pool_priv *p = c->priv;

	if (!p)
		return;
	p->stop = true;
	if (p->poller_on)
		pthread_join(p->poller, NULL);
	bpf_link__destroy(p->sys_exit_link);
	bpf_link__destroy(p->klock_links[0]);
	bpf_link__destroy(p->klock_links[1]);
	bpf_link__destroy(p->rename_link);
	ring_buffer__free(p->rb);
	pools_bpf__destroy(p->skel);
	free(p->by_slot);
	map_reader_free(&p->blocked);
	hashmap_free(p->bacc, free);
	hashmap_free(p->bthr, bthr_free);
	hashmap_free(p->bnames, free);
	hashmap_free(p->thr, free);
	hashmap_free(p->ogroups, free);
	hashmap_free(p->mains, free);
	pthread_mutex_destroy(&p->lock);
	free(p);
	c->priv = NULL;
}

static const char *const pools_tps[] = {
	"sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_process_exit",
	"sys_exit", NULL
};
static const enum bpf_map_type pools_maps[] = { BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_STACK,
						BPF_MAP_TYPE_UNSPEC };
static const struct family_needs pools_needs = { pools_tps, pools_maps };

const struct collector_ops pools_collector = {
	.needs = &pools_needs,
	.family = FAM_POOLS,
	.open = pools_open,
	.collect = pools_collect,
	.close = pools_close,
};
