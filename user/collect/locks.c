/* The locks family's collector: kernel lock waits (with kernel stacks
 * symbolized through /proc/kallsyms) and user-space futex waits (with user
 * stacks symbolized through libelf), from bpf/locks.bpf.c's cumulative
 * stats; optionally the pthread_mutex_lock uprobes of one process.
 *
 * A user stack is walked by frame pointers in the kernel at every wait;
 * for a stack new to its process the BPF side also sends the registers and
 * the top of the stack (--ustack-bytes), which collect/locks_ustack.c
 * unwinds by CFI at once. The row shows the unwound stack when it has at
 * least the frames of the walked one ("unwind": "dwarf"), else the walked
 * one ("fp").
 *
 * A process's memory map is read as soon as the BPF side announces the
 * process (ring buffer, read by a thread of ours), not only at the end of
 * the interval: a process that exits within the interval still gets its
 * stacks symbolized. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup_attr.h"
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/hooks.h"
#include "collect/kernel_features.h"
#include "collect/locks_futex_class.h"
#include "collect/locks_ustack.h"
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/locks_klock_type.h"
#include "lib/ksyms.h"
#include "locks.h"
#include "lib/procfs.h"
#include "lib/usyms.h"
#include "lib/uunwind.h"
#include "locks.skel.h"
#include "locks_nokf.skel.h"

#define SWEEP_EVERY 10		/* intervals between sweeps of idle entries */
/* Intervals a new user stack looks again for its unwound form: the sample
 * may reach the ring buffer's thread after the collector first sees the
 * entry. */
#define DWARF_WAIT 3

/* What the frontend last saw of one key, and the key's symbolized stack
 * (a key's stack id never changes, so it is resolved once). */
struct lock_prev {
	__u64 count, total_ns;
	__u32 hist[HIST_NBUCKETS];
	char **stack;
	char **callees;		/* user, "dwarf": nstack names (or NULL) of what each frame called */
	size_t nstack;
	char symbol[SNAP_SYM_LEN];
	const char *unwind;	/* user: "fp" or "dwarf" */
	unsigned dwarf_wait;	/* user, "fp": intervals left to look for "dwarf" */
	unsigned idle;		/* sweeps seen without change */
};

struct locks_priv {
	struct locks_bpf *skel;
	struct map_reader kstats, ustats;
	struct hashmap *kprev, *uprev;
	struct ksyms *ksyms;
	struct usyms *usyms;
	struct uunwind *uunwind;
	struct ustack_store *ustacks;	/* NULL: --ustack-bytes 0 */
	bool verbose;
	struct ring_buffer *rb;
	pthread_t thread;
	bool thread_running;
	volatile int stop;
	struct bpf_link *uprobe_links[2];
	/* futex_enter/futex_exit run from the syscalls family's programs
	 * (collect/hooks.h) rather than attached on their own */
	bool hooked;
	__u64 drops_seen, events_seen;
	unsigned intervals;
};

static void prev_free(void *v)
{
	struct lock_prev *p = v;

	if (!p)
		return;
	for (size_t i = 0; i < p->nstack; i++) {
		free(p->stack[i]);
		if (p->callees)
			free(p->callees[i]);
	}
	free(p->stack);
	free(p->callees);
	free(p);
}

/* A new process announced by the BPF side: read its map now. */
static int on_proc_event(void *ctx, void *data, size_t size)
{
	struct locks_priv *p = ctx;
	const struct lock_proc_event *ev = data;

	if (size >= sizeof(*ev))
		usyms_prepare(p->usyms, ev->tgid, ev->pstart);
	return 0;
}

/* A user stack to unwind by CFI, while its process lives. */
static int on_ustack_sample(void *ctx, void *data, size_t size)
{
	struct locks_priv *p = ctx;

	ustack_store_add(p->ustacks, data, size);
	return 0;
}

static void *event_thread(void *arg)
{
	struct locks_priv *p = arg;

	/* the stack copies come without a wakeup (on a VM its self-IPI
	 * costs more than the copy, measured): read every 50 ms at least */
	while (!p->stop) {
		if (ring_buffer__poll(p->rb, 50) < 0 && errno != EINTR)
			break;
		if (ring_buffer__consume(p->rb) < 0)
			break;
	}
	return NULL;
}

/* The path of the library that holds pid's pthread_mutex_lock, into buf:
 * libpthread where the process maps one (glibc before 2.34, whose libc
 * only forwards), else libc. */
static int find_libc(__u32 pid, char *buf, size_t n)
{
	char path[64], line[4352];
	int found = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *base;
		bool pthread;

		if (!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		base = strrchr(file, '/') + 1;
		pthread = !strncmp(base, "libpthread", 10);
		if (pthread || (found && (!strncmp(base, "libc.so", 7) ||
					  !strncmp(base, "libc-", 5)))) {
			/* through the process's root: right in a container too */
			snprintf(buf, n, "/proc/%u/root%s", pid, file);
			found = 0;
			if (pthread)
				break;
		}
	}
	fclose(f);
	return found;
}

static int attach_uprobes(struct collector *c, struct locks_priv *p, __u32 pid)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "pthread_mutex_lock");
	char libc[4200];
	int err = find_libc(pid, libc, sizeof(libc));

	if (err) {
		snprintf(c->status, sizeof(c->status), "--uprobe-locks %u: %s", pid,
			 err == -ESRCH ? "cannot read its memory map" : "the process maps no libc");
		return err;
	}
	opts.retprobe = false;
	p->uprobe_links[0] = bpf_program__attach_uprobe_opts(p->skel->progs.mutex_lock_enter,
							     (pid_t)pid, libc, 0, &opts);
	opts.retprobe = true;
	p->uprobe_links[1] = p->uprobe_links[0] ?
		bpf_program__attach_uprobe_opts(p->skel->progs.mutex_lock_exit,
						(pid_t)pid, libc, 0, &opts) : NULL;
	if (!p->uprobe_links[0] || !p->uprobe_links[1])
		return family_fail(c, -errno, "cannot attach uprobes to %.60s", libc);
	return 0;
}

FAMILY_SKEL_NOKF(locks);

/* The pthread_mutex_lock uprobes are attached by hand (attach_uprobes), and
 * loaded only for --uprobe-locks. */
static int locks_setup(struct collector *c, void *obj, const struct options *o)
{
	struct locks_bpf *skel = obj;

	FAMILY_SET_PIDS(skel->rodata, o);
	FAMILY_SET_CGROUPS(skel->rodata, o);
	skel->rodata->uprobe_tgid = o->uprobe_pid;
	skel->rodata->ustack_bytes = o->ustack_bytes;
	if (!o->ustack_bytes)
		bpf_map__set_max_entries(skel->maps.ustack_samples, 4096);
	bpf_program__set_autoattach(skel->progs.mutex_lock_enter, false);
	bpf_program__set_autoattach(skel->progs.mutex_lock_exit, false);
	/* The head filters on -p before it calls us: not when the uprobe's
	 * process is watched beside a -p list. */
	if (hooks_have_head() && !(o->uprobe_pid && o->npids)) {
		bpf_program__set_autoattach(skel->progs.futex_enter, false);
		bpf_program__set_autoattach(skel->progs.futex_exit, false);
	}
	if (!o->uprobe_pid) {
		bpf_program__set_autoload(skel->progs.mutex_lock_enter, false);
		bpf_program__set_autoload(skel->progs.mutex_lock_exit, false);
	}
	return 0;
}

static const struct family_spec locks_family = {
	.skel = &locks_family_skel,
	.setup = locks_setup,
	.attach_what = "lock:contention_* or raw_syscalls",
};

/* The ring buffer of new processes, read by a thread of ours. */
static int start_events(struct collector *c, struct locks_priv *p)
{
	int err;

	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.proc_events), on_proc_event, p, NULL);
	if (!p->rb)
		return family_fail(c, -errno, "cannot open the ring buffer");
	if (p->ustacks && ring_buffer__add(p->rb, bpf_map__fd(p->skel->maps.ustack_samples),
					   on_ustack_sample, p))
		return family_fail(c, -errno, "cannot open the stack copies' ring buffer");
	if ((err = -pthread_create(&p->thread, NULL, event_thread, p))) {
		snprintf(c->status, sizeof(c->status), "cannot start a thread");
		return err;
	}
	p->thread_running = true;
	return 0;
}

/* The futex programs left unattached at load into the hooks' head, or
 * attached on their own when it refuses them. */
static int hook_futex(struct collector *c, struct locks_priv *p)
{
	static const int slots[] = { HOOK_LOCKS_ENTER, HOOK_LOCKS_EXIT };
	static const long nrs[] = { SYS_futex };
	struct family_prog progs[] = {
		{ .prog = p->skel->progs.futex_enter },
		{ .prog = p->skel->progs.futex_exit },
	};
	int err;

	if (bpf_program__autoattach(p->skel->progs.futex_enter))
		return 0;	/* attached by family_start */
	err = family_hook_progs(p->skel->skeleton, progs, slots, 2, nrs, 1, &p->hooked);
	return err ? family_fail(c, err, "cannot attach raw_syscalls") : 0;
}

static int locks_open(struct collector *c, const struct options *o)
{
	struct locks_priv *p = c->priv;
	int err;

	p->kprev = hashmap_new(sizeof(struct klock_key));
	p->uprev = hashmap_new(sizeof(struct ulock_key));
	p->usyms = usyms_new();
	if (!p->kprev || !p->uprev || !p->usyms)
		return -ENOMEM;
	p->verbose = o->verbose;
	if (o->ustack_bytes && (!(p->uunwind = uunwind_new()) ||
				!(p->ustacks = ustack_store_new(p->uunwind))))
		return -ENOMEM;
	p->skel = family_start(c, &locks_family, o, &err);
	if (!p->skel)
		return err;
	if ((err = hook_futex(c, p)))
		return err;
	if (o->uprobe_pid && (err = attach_uprobes(c, p, o->uprobe_pid)))
		return err;
	/* Read once, after our programs are loaded: their own frames on top
	 * of every kernel stack are then named (and left out). Without
	 * kallsyms the stacks stay numeric, the rest works. */
	p->ksyms = ksyms__load();
	if ((err = start_events(c, p)))
		return err;
	map_reader_init(&p->kstats, bpf_map__fd(p->skel->maps.klock_stats),
			sizeof(struct klock_key), sizeof(struct lock_stats));
	map_reader_init(&p->ustats, bpf_map__fd(p->skel->maps.ulock_stats),
			sizeof(struct ulock_key), sizeof(struct lock_stats));
	return 0;
}

/* The interval's numbers of one entry into the row's fields. */
static __u64 *lock_delta(const struct lock_stats *st, const struct lock_prev *pv, __u32 ended,
			 __u64 *count, __u64 *total, __u64 *p99, __u64 *max)
{
	__u64 *hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	__u32 slot = ended & 1;
	int top;

	if (!hist)
		return NULL;
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		hist[i] = (__u32)(st->hist[i] - (pv ? pv->hist[i] : 0));
	*count = st->count - (pv ? pv->count : 0);
	*total = st->total_ns - (pv ? pv->total_ns : 0);
	*max = st->max_epoch[slot] == ended ? st->max_ns[slot] : 0;
	/* an event racing the epoch flip: never a max below the histogram */
	for (top = HIST_NBUCKETS - 1; top >= 0 && !hist[top]; top--)
		;
	if (top >= 0 && *max < hist_bucket_lo((__u32)top))
		*max = hist_bucket_lo((__u32)top);
	*p99 = hist_percentile(hist, 0.99, *max);
	return hist;
}

static void prev_update(struct lock_prev *pv, const struct lock_stats *st)
{
	pv->count = st->count;
	pv->total_ns = st->total_ns;
	memcpy(pv->hist, st->hist, sizeof(pv->hist));
	pv->idle = 0;
}

static char **stack_copy(char *const *stack, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(*out));

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(stack[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static int stack_push(struct lock_prev *pv, const char *frame)
{
	char **s = realloc(pv->stack, (pv->nstack + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	pv->stack = s;
	if (!(s[pv->nstack] = strdup(frame)))
		return -ENOMEM;
	pv->nstack++;
	return 0;
}

/* A kernel key's stack, without the tracing frames on top, and the name of
 * its lock: the static object's symbol, else the first caller outside the
 * locking code. */
static int kernel_stack(struct locks_priv *p, const struct klock_key *k, struct lock_prev *pv)
{
	struct lock_stack st = { 0 };
	const __u64 *ips = st.ips;
	const struct ksym *obj = ksyms__find_object(p->ksyms, k->lock);
	char frame[SNAP_SYM_LEN];

	if (obj)
		snprintf(pv->symbol, sizeof(pv->symbol), "%s", obj->name);
	if (!k->stack || bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.kstacks), &k->stack, &st))
		return 0;
	/* the walk starts in our program and the tracepoint's runner
	 * (bpf_trace_run2): start below the last of those */
	int first = 0;

	for (int i = 0; i < 4 && i < LOCKS_STACK_DEPTH && ips[i]; i++) {
		const struct ksym *s = ksyms__find(p->ksyms, ips[i]);

		if (s && !strncmp(s->name, "bpf_trace_run", 13))
			first = i + 1;
	}
	for (int i = first; i < LOCKS_STACK_DEPTH && ips[i]; i++) {
		const struct ksym *s = ksyms__find(p->ksyms, ips[i]);

		ksyms__format(p->ksyms, ips[i], frame, sizeof(frame));
		if (s && !pv->nstack && klock_frame_is_tracing(s->name))
			continue;
		if (stack_push(pv, frame))
			return -ENOMEM;
		if (s && !pv->symbol[0] && !klock_frame_is_locking(s->name))
			snprintf(pv->symbol, sizeof(pv->symbol), "%s", s->name);
	}
	return 0;
}

static void stack_clear(struct lock_prev *pv)
{
	for (size_t i = 0; i < pv->nstack; i++) {
		free(pv->stack[i]);
		if (pv->callees)
			free(pv->callees[i]);
	}
	free(pv->stack);
	free(pv->callees);
	pv->stack = pv->callees = NULL;
	pv->nstack = 0;
}

/* The names of the entry points the frames of an unwound stack called
 * (0: not known; an address inside a function is no entry) into
 * pv->callees, for the classification only. */
static int callees_name(struct locks_priv *p, const struct ulock_key *k, struct lock_prev *pv,
			const __u64 *callees, int n)
{
	char name[SNAP_SYM_LEN];

	pv->callees = calloc((size_t)(n ? n : 1), sizeof(*pv->callees));
	if (!pv->callees)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		size_t len;

		if (!callees[i])
			continue;
		usyms_resolve(p->usyms, k->tgid, k->pstart, callees[i], name, sizeof(name));
		len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, "+0x0"))
			continue;
		name[len - 4] = 0;
		if (!(pv->callees[i] = strdup(name)))
			return -ENOMEM;
	}
	return 0;
}

/* A user key's stack: the one unwound by CFI when it has at least the
 * frames of the walked one (it has the callers of code without frame
 * pointers the walk skips), else the walked one. */
static int user_stack(struct locks_priv *p, const struct ulock_key *k, struct lock_prev *pv)
{
	struct lock_stack st = { 0 };
	__u64 dw[USTACK_DWARF_DEPTH], callees[USTACK_DWARF_DEPTH];
	const __u64 *ips = st.ips;
	char frame[SNAP_SYM_LEN];
	int nfp = 0, ndw = 0;

	pv->unwind = "fp";
	if (!k->stack || bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.ustacks), &k->stack, &st))
		return 0;
	while (nfp < LOCKS_STACK_DEPTH && ips[nfp])
		nfp++;
	if (p->ustacks)
		ndw = ustack_store_get(p->ustacks, k->stack, dw, callees, USTACK_DWARF_DEPTH);
	if (ndw && ndw >= nfp) {
		pv->unwind = "dwarf";
		pv->dwarf_wait = 0;
		ips = dw;
		nfp = ndw;
	} else if (p->ustacks && !ndw && !pv->nstack) {
		pv->dwarf_wait = DWARF_WAIT;
	}
	stack_clear(pv);
	if (ips == dw && callees_name(p, k, pv, callees, ndw))
		return -ENOMEM;
	for (int i = 0; i < nfp; i++) {
		usyms_resolve(p->usyms, k->tgid, k->pstart, ips[i], frame, sizeof(frame));
		if (stack_push(pv, frame))
			return -ENOMEM;
	}
	return 0;
}

/* A user stack still walked by frame pointers whose unwound form may have
 * come since. */
static int user_stack_again(struct locks_priv *p, const struct ulock_key *k,
			    struct lock_prev *pv)
{
	__u64 ip;

	if (!pv->dwarf_wait)
		return 0;
	pv->dwarf_wait--;
	if (!ustack_store_get(p->ustacks, k->stack, &ip, NULL, 1))
		return 0;
	return user_stack(p, k, pv);
}

/* The prev entry of a key, made (with its stack) on first sight. */
static struct lock_prev *prev_get(struct locks_priv *p, struct hashmap *m, const void *key,
				  bool user, bool *fresh)
{
	struct lock_prev *pv = hashmap_get(m, key);

	*fresh = !pv;
	if (pv)
		return pv;
	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return NULL;
	if ((user ? user_stack(p, key, pv) : kernel_stack(p, key, pv)) || hashmap_put(m, key, pv)) {
		prev_free(pv);
		return NULL;
	}
	return pv;
}

static int collect_kernel(struct locks_priv *p, struct snapshot *s, __u32 ended)
{
	int err = map_reader_read(&p->kstats);

	if (err)
		return err;
	for (size_t i = 0; i < p->kstats.len; i++) {
		const struct klock_key *k = (const void *)((char *)p->kstats.keys + i * sizeof(*k));
		const struct lock_stats *st =
			(const void *)((char *)p->kstats.values + i * sizeof(*st));
		struct snap_kernel_lock *row;
		struct lock_prev *pv;
		bool fresh;

		pv = prev_get(p, p->kprev, k, false, &fresh);
		if (!pv)
			return -ENOMEM;
		if (!fresh && st->count == pv->count)
			continue;
		row = vec_push(&s->kernel_locks);
		if (!row)
			return -ENOMEM;
		row->hist = lock_delta(st, fresh ? NULL : pv, ended, &row->count, &row->total_ns,
				       &row->p99_ns, &row->max_ns);
		row->stack = stack_copy(pv->stack, pv->nstack);
		if (!row->hist || !row->stack)
			return -ENOMEM;
		row->nstack = pv->nstack;
		snprintf(row->lock, sizeof(row->lock), "0x%llx", (unsigned long long)k->lock);
		snprintf(row->symbol, sizeof(row->symbol), "%s", pv->symbol);
		snprintf(row->type, sizeof(row->type), "%s", klock_type_name(k->flags));
		prev_update(pv, st);
	}
	return 0;
}

static void process_comm(const struct ulock_key *k, const struct lock_stats *st, char *buf,
			 size_t n)
{
	if (procfs_comm(k->tgid, k->pstart, buf, n))
		snap_strcpy(buf, n, st->comm, sizeof(st->comm));
}

static int collect_user(struct locks_priv *p, struct snapshot *s, __u32 ended)
{
	int err = map_reader_read(&p->ustats);

	if (err)
		return err;
	for (size_t i = 0; i < p->ustats.len; i++) {
		const struct ulock_key *k = (const void *)((char *)p->ustats.keys + i * sizeof(*k));
		const struct lock_stats *st =
			(const void *)((char *)p->ustats.values + i * sizeof(*st));
		struct snap_user_lock *row;
		struct lock_prev *pv;
		bool fresh;

		pv = prev_get(p, p->uprev, k, true, &fresh);
		if (!pv || user_stack_again(p, k, pv))
			return -ENOMEM;
		if (!fresh && st->count == pv->count)
			continue;
		row = vec_push(&s->user_locks);
		if (!row)
			return -ENOMEM;
		row->hist = lock_delta(st, fresh ? NULL : pv, ended, &row->count, &row->total_ns,
				       &row->p99_ns, &row->max_ns);
		row->stack = stack_copy(pv->stack, pv->nstack);
		if (!row->hist || !row->stack)
			return -ENOMEM;
		row->nstack = pv->nstack;
		snprintf(row->unwind, sizeof(row->unwind), "%s", pv->nstack ? pv->unwind : "");
		row->pid = k->tgid;
		process_comm(k, st, row->comm, sizeof(row->comm));
		snprintf(row->uaddr, sizeof(row->uaddr), "0x%llx", (unsigned long long)k->uaddr);
		snprintf(row->kind, sizeof(row->kind), "%s",
			 k->flags & ULOCK_F_UPROBE ? "mutex" :
			 futex_kind(k->op, k->flags & ULOCK_F_VAL2, pv->stack, pv->callees,
				    pv->nstack));
		prev_update(pv, st);
	}
	return 0;
}

/* Deletes the stacks of the stack map fd that no entry refers to (used:
 * the stack ids still in use): collected first, then deleted. */
static void drop_unused_stacks(int fd, const struct hashmap *used)
{
	__u64 key, next, *stale = NULL;
	size_t nstale = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (hashmap_get(used, &next))
			continue;
		if (nstale == cap) {
			__u64 *n2 = realloc(stale, (cap = cap ? cap * 2 : 64) * sizeof(*n2));

			if (!n2)
				break;
			stale = n2;
		}
		stale[nstale++] = next;
	}
	for (size_t i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
}

/* The entries of one side (r, with their prev entries in prevs) that
 * stayed idle go; the stack ids of the others are noted in used (when
 * there is one). */
static void sweep_entries(struct locks_priv *p, struct map_reader *r, struct hashmap *prevs,
			  bool user, struct hashmap *used)
{
	for (size_t i = 0; i < r->len; i++) {
		const void *key = (char *)r->keys + i * r->key_size;
		const struct lock_stats *st = (const void *)((char *)r->values + i * r->value_size);
		struct lock_prev *pv = hashmap_get(prevs, key);
		__u64 stack;
		bool drop;

		if (!user) {
			stack = ((const struct klock_key *)key)->stack;
			drop = pv && pv->count == st->count && pv->idle++ >= 1;
		} else {
			const struct ulock_key *k = key;
			bool idle = pv && pv->count == st->count;
			bool gone = idle && !procfs_alive(k->tgid, k->pstart);

			/* idle ones too, not only those of exited processes: a
			 * live process waiting on ever new futexes (threads
			 * coming and going, heap objects) would fill the map
			 * for good */
			stack = k->stack;
			drop = gone || (idle && pv->idle++ >= 1);
			if (gone)
				usyms_forget(p->usyms, k->tgid, k->pstart);
			if (gone && p->uunwind)
				uunwind_forget(p->uunwind, k->tgid, k->pstart);
		}
		if (drop) {
			bpf_map_delete_elem(r->fd, key);
			prev_free(hashmap_del(prevs, key));
		} else if (used && stack) {
			hashmap_put(used, &stack, (void *)1);
		}
	}
}

/* Deletes entries that stayed idle since the last sweep: after one idle
 * sweep period, and user ones at once when their process is gone (a key
 * seen again later starts from zero, read as fresh: nothing is lost). Then
 * the stacks no entry refers to any more. Runs every SWEEP_EVERY intervals,
 * after the entries were read, so nothing unread is lost. */
static void sweep(struct locks_priv *p)
{
	struct hashmap *used[2] = { hashmap_new(sizeof(__u64)), hashmap_new(sizeof(__u64)) };
	struct map_reader *readers[2] = { &p->kstats, &p->ustats };
	struct hashmap *prevs[2] = { p->kprev, p->uprev };
	int stack_fds[2] = { bpf_map__fd(p->skel->maps.kstacks),
			     bpf_map__fd(p->skel->maps.ustacks) };

	for (int side = 0; side < 2; side++) {
		sweep_entries(p, readers[side], prevs[side], side == 1, used[side]);
		if (!used[side])
			continue;
		drop_unused_stacks(stack_fds[side], used[side]);
		if (side == 1 && p->ustacks)
			ustack_store_sweep(p->ustacks, used[side]);
		hashmap_free(used[side], NULL);
	}
}

/* Stack copies the kernel sent that the event thread has not unwound yet
 * (it reads them every 50 ms): waited for, 100 ms at most, so that the
 * snapshot has their stacks; the last one of a run would lose them. */
static void wait_for_copies(struct locks_priv *p)
{
	__u64 sent = __atomic_load_n(&p->skel->bss->ustack_copies, __ATOMIC_RELAXED), n, ns;

	for (int i = 0; p->ustacks && p->thread_running && i < 20; i++) {
		ustack_store_cost(p->ustacks, &n, &ns);
		if (n >= sent)
			return;
		usleep(5000);
	}
}

static int locks_collect(struct collector *c, struct snapshot *s)
{
	struct locks_priv *p = c->priv;
	struct locks_bpf__bss *bss = p->skel->bss;
	__u32 ended = __atomic_load_n(&bss->epoch, __ATOMIC_RELAXED);
	__u64 drops, events;
	int err;

	__atomic_store_n(&bss->epoch, ended + 1, __ATOMIC_SEQ_CST);
	err = collect_kernel(p, s, ended);
	wait_for_copies(p);
	if (!err)
		err = collect_user(p, s, ended);
	if (!err && ++p->intervals % SWEEP_EVERY == 0)
		sweep(p);
	drops = __atomic_load_n(&bss->drop_kmap_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_umap_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_kstack, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_ustack, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_no_state, __ATOMIC_RELAXED);
	events = __atomic_load_n(&bss->drop_events, __ATOMIC_RELAXED) +
		 __atomic_load_n(&bss->drop_ustack_copy, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->drops_seen;
	s->dropped.events += events - p->events_seen;
	p->drops_seen = drops;
	p->events_seen = events;
	return err;
}

/* -v: what the unwinding cost, in the kernel and here. */
static void report_unwind_costs(struct locks_priv *p)
{
	const struct locks_bpf__bss *bss = p->skel ? p->skel->bss : NULL;
	__u64 n, ns, spaces, bins, copies = bss ? bss->ustack_copies : 0;

	if (!p->ustacks || !p->verbose)
		return;
	ustack_store_cost(p->ustacks, &n, &ns);
	uunwind_counts(p->uunwind, &spaces, &bins);
	fprintf(stderr, "latscope: locks: %llu user stacks unwound by CFI, %.1f us each, "
		"%llu address spaces read, %llu binaries opened\n", (unsigned long long)n,
		n ? (double)ns / (double)n / 1e3 : 0.0, (unsigned long long)spaces, (unsigned long long)bins);
	if (copies)
		fprintf(stderr, "latscope: locks: %llu user stack copies in the kernel, "
			"%.0f bytes and %.2f us each, %llu lost\n", (unsigned long long)copies,
			(double)bss->ustack_copy_bytes / (double)copies,
			(double)bss->ustack_copy_ns / (double)copies / 1000.0,
			(unsigned long long)bss->drop_ustack_copy);
}

static void locks_close(struct collector *c)
{
	struct locks_priv *p = c->priv;

	if (p->thread_running) {
		p->stop = 1;
		pthread_join(p->thread, NULL);
	}
	report_unwind_costs(p);
	if (p->hooked) {
		hooks_leave(HOOK_LOCKS_ENTER);
		hooks_leave(HOOK_LOCKS_EXIT);
	}
	ring_buffer__free(p->rb);
	bpf_link__destroy(p->uprobe_links[0]);
	bpf_link__destroy(p->uprobe_links[1]);
	locks_bpf__destroy(p->skel);
	map_reader_free(&p->kstats);
	map_reader_free(&p->ustats);
	if (p->kprev)
		hashmap_free(p->kprev, prev_free);
	if (p->uprev)
		hashmap_free(p->uprev, prev_free);
	ksyms__free(p->ksyms);
	usyms_free(p->usyms);
	ustack_store_free(p->ustacks);
	uunwind_free(p->uunwind);
}

static const char *const locks_tps[] = {
	"contention_begin|lock tracepoints, Linux 5.19+", "contention_end|Linux 5.19+",
	"sys_enter", "sys_exit", NULL
};
static const enum bpf_map_type locks_maps[] = {
	BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_RINGBUF,
	BPF_MAP_TYPE_UNSPEC
};
static const struct family_needs locks_needs = { locks_tps, locks_maps };

const struct collector_ops locks_collector = {
	.priv_size = sizeof(struct locks_priv),
	.family = FAM_LOCKS,
	.needs = &locks_needs,
	.open = locks_open,
	.collect = locks_collect,
	.close = locks_close,
};
