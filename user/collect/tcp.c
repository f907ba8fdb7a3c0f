/* The tcp family's collector: reads the interval's retransmit, reset and
 * connect rows that bpf/tcp.bpf.c keeps per epoch slot, deletes them, and
 * rolls them up per peer. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup_attr.h"
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/kernel_features.h"
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "collect/tcp_sock_owner.h"
#include "tcp.h"
#include "collect/tcp_format.h"
#include "collect/tcp_by_peer.h"
#include "tcp.skel.h"

/* How long to wait at most for the programs still writing the old slot
 * (bpf/tcp.bpf.c slot_writers): they run for microseconds, unless held
 * up; past this the slot is read anyway, and the wait said on stderr. */
#define SLOT_WAIT_MAX_NS 1000000000LL

#define INODE_CACHE_INTERVALS 60	/* forget /proc findings this often */

/* A row whose owner the kernel side did not know, with its socket inode */
struct unowned {
	bool retrans;
	size_t row;
	__u64 ino;
};

struct tcp_priv {
	struct tcp_bpf *skel;
	struct map_reader events, connects;
	__u64 drops_seen;
	struct hashmap *inode_cache;	/* inode -> struct inode_owner (found) */
	struct unowned *unowned;
	size_t nunowned, unowned_cap;
	unsigned intervals;
	__u32 pids[FILTER_MAX_PIDS];	/* -p, to filter rows resolved from /proc */
	__u32 npids;
	const struct options *o;	/* --cgroup, for the same rows */
};

/* The number of arguments of a raw tracepoint, from the kernel's BTF
 * (btf_trace_NAME is a pointer to a function whose first argument is the
 * tracepoint's private data); -1 if the kernel does not have it. */
static int tp_nargs(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);	/* ptr */
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -1;
	return btf_vlen(t) - 1;
}

/* Pick the programs this kernel can attach: the retransmit tracepoint
 * gained an error argument in 6.14; sock_send/recv_length arrived in 6.4
 * (without them, accepted sockets keep their listener's owner). */
static int choose_programs(struct tcp_bpf *skel, char *why, size_t n)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int nargs;

	if (!btf) {
		snprintf(why, n, "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return -ENOENT;
	}
	nargs = tp_nargs(btf, "tcp_retransmit_skb");
	if (nargs < 2) {
		btf__free(btf);
		snprintf(why, n, "the kernel has no tcp:tcp_retransmit_skb tracepoint");
		return -ENOENT;
	}
	bpf_program__set_autoload(skel->progs.tcp_retrans_err, nargs >= 3);
	bpf_program__set_autoload(skel->progs.tcp_retrans, nargs < 3);
	if (tp_nargs(btf, "sock_send_length") < 1) {
		bpf_program__set_autoload(skel->progs.tcp_send_len, false);
		bpf_program__set_autoload(skel->progs.tcp_recv_len, false);
	}
	btf__free(btf);
	return 0;
}

FAMILY_SKEL(tcp);

static int tcp_setup(struct collector *c, void *obj, const struct options *o)
{
	struct tcp_bpf *skel = obj;

	FAMILY_SET_PIDS(skel->rodata, o);
	FAMILY_SET_CGROUPS(skel->rodata, o);
	return choose_programs(skel, c->status, sizeof(c->status));
}

static const struct family_spec tcp_family = {
	.skel = &tcp_family_skel,
	.setup = tcp_setup,
	.attach_what = "tcp/sock tracepoints",
};

static int tcp_open(struct collector *c, const struct options *o)
{
	struct tcp_priv *p = c->priv;
	int err;

	if (!(p->inode_cache = hashmap_new(sizeof(__u64))))
		return -ENOMEM;
	p->npids = o->npids;
	p->o = o;
	memcpy(p->pids, o->pids, sizeof(p->pids));
	p->skel = family_start(c, &tcp_family, o, &err);
	if (!p->skel)
		return err;
	map_reader_init(&p->events, bpf_map__fd(p->skel->maps.tcp_events),
			sizeof(struct tcp_event_key), sizeof(struct tcp_event_val));
	map_reader_init(&p->connects, bpf_map__fd(p->skel->maps.tcp_connects),
			sizeof(struct tcp_connect_key), sizeof(struct tcp_connect_val));
	return 0;
}

static int note_unowned(struct tcp_priv *p, bool retrans, size_t row, __u64 ino)
{
	if (p->nunowned == p->unowned_cap) {
		size_t cap = p->unowned_cap ? p->unowned_cap * 2 : 64;
		struct unowned *u = realloc(p->unowned, cap * sizeof(*u));

		if (!u)
			return -ENOMEM;
		p->unowned = u;
		p->unowned_cap = cap;
	}
	p->unowned[p->nunowned++] = (struct unowned){ retrans, row, ino };
	return 0;
}

static int add_event(struct tcp_priv *p, struct snapshot *s, const struct tcp_event_key *k,
		     const struct tcp_event_val *v)
{
	bool retrans = k->kind == TCP_EV_RETRANS;
	size_t row = retrans ? s->tcp_retrans.len : s->tcp_resets.len;

	if (!k->tgid && v->ino && note_unowned(p, retrans, row, v->ino))
		return -ENOMEM;
	if (k->kind == TCP_EV_RETRANS) {
		struct snap_tcp_retrans *r = vec_push(&s->tcp_retrans);

		if (!r)
			return -ENOMEM;
		r->pid = k->tgid;
		snap_strcpy(r->comm, sizeof(r->comm), v->comm, sizeof(v->comm));
		tcp_addr_str(k->t.saddr, r->saddr, sizeof(r->saddr));
		tcp_addr_str(k->t.daddr, r->daddr, sizeof(r->daddr));
		r->sport = k->t.sport;
		r->dport = k->t.dport;
		snprintf(r->state, sizeof(r->state), "%s", tcp_state_name(k->state));
		r->count = v->count;
	} else {
		struct snap_tcp_reset *r = vec_push(&s->tcp_resets);

		if (!r)
			return -ENOMEM;
		r->pid = k->tgid;
		snap_strcpy(r->comm, sizeof(r->comm), v->comm, sizeof(v->comm));
		tcp_addr_str(k->t.saddr, r->saddr, sizeof(r->saddr));
		tcp_addr_str(k->t.daddr, r->daddr, sizeof(r->daddr));
		r->sport = k->t.sport;
		r->dport = k->t.dport;
		snprintf(r->direction, sizeof(r->direction), "%s",
			 k->kind == TCP_EV_RESET_SENT ? "sent" : "received");
		r->count = v->count;
	}
	return 0;
}

static int add_connect(struct snapshot *s, const struct tcp_connect_key *k,
		       const struct tcp_connect_val *v)
{
	struct snap_tcp_connect *r;
	__u64 *hist = calloc(HIST_NBUCKETS, sizeof(*hist));

	r = hist ? vec_push(&s->tcp_connect) : NULL;
	if (!r) {
		free(hist);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		hist[i] = v->hist[i];
	r->hist = hist;
	r->pid = k->tgid;
	snap_strcpy(r->comm, sizeof(r->comm), v->comm, sizeof(v->comm));
	tcp_addr_str(k->daddr, r->daddr, sizeof(r->daddr));
	r->dport = k->dport;
	r->count = v->count;
	r->failed = v->failed;
	r->max_ns = v->count ? v->max_ns : 0;
	r->p50_ns = hist_percentile(hist, 0.5, r->max_ns);
	r->p99_ns = hist_percentile(hist, 0.99, r->max_ns);
	return 0;
}

static void free_owner(void *v)
{
	free(v);
}

/* Owners of the rows the kernel side could not attribute, from the
 * socket inodes in /proc: one pass over /proc for those not cached. */
static int resolve_unowned(struct tcp_priv *p, struct snapshot *s)
{
	struct hashmap *want;
	struct hm_entry *it = NULL;
	size_t b = 0;
	int err = -ENOMEM;

	if (!p->nunowned)
		return 0;
	if (!(want = hashmap_new(sizeof(__u64))))
		return -ENOMEM;
	for (size_t i = 0; i < p->nunowned; i++) {
		__u64 ino = p->unowned[i].ino;
		struct inode_owner *o;

		if (hashmap_get(p->inode_cache, &ino) || hashmap_get(want, &ino))
			continue;
		if (!(o = calloc(1, sizeof(*o))) || hashmap_put(want, &ino, o)) {
			free(o);
			goto out;
		}
	}
	sock_inode_owners(want);
	while ((it = hashmap_next(want, it, &b))) {
		struct inode_owner *o = it->value;

		if (!o->pid)
			continue;
		if (hashmap_put(p->inode_cache, it->key, o))
			goto out;
		it->value = NULL;	/* owned by the cache now */
	}
	for (size_t i = 0; i < p->nunowned; i++) {
		const struct unowned *u = &p->unowned[i];
		const struct inode_owner *o = hashmap_get(p->inode_cache, &u->ino);

		if (!o)
			continue;
		if (u->retrans) {
			struct snap_tcp_retrans *r = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, u->row);

			r->pid = o->pid;
			memcpy(r->comm, o->comm, sizeof(r->comm));
		} else {
			struct snap_tcp_reset *r = vec_at(&s->tcp_resets, struct snap_tcp_reset, u->row);

			r->pid = o->pid;
			memcpy(r->comm, o->comm, sizeof(r->comm));
		}
	}
	err = 0;
out:
	hashmap_free(want, free_owner);
	return err;
}

static bool pid_wanted(const struct tcp_priv *p, __u32 pid)
{
	if (!p->npids)
		return true;
	for (__u32 i = 0; i < p->npids; i++)
		if (p->pids[i] == pid)
			return true;
	return false;
}

/* With -p or --cgroup, the kernel side lets events of unknown owner (a
 * retransmit in softirq, a timer) through when it has their socket inode;
 * keep those found to be of a wanted process. */
static void filter_rows(struct tcp_priv *p, struct vec *v, size_t pid_off)
{
	size_t keep = 0;

	if (!p->npids && !p->o->ncgroups)
		return;
	for (size_t i = 0; i < v->len; i++) {
		char *row = (char *)v->data + i * v->elem;
		__u32 pid = *(__u32 *)(row + pid_off);

		if (!pid_wanted(p, pid) || !cgroup_attr_wanted(p->o, pid))
			continue;
		if (keep != i)
			memcpy((char *)v->data + keep * v->elem, row, v->elem);
		keep++;
	}
	v->len = keep;
}

/* Until no program writes the slot whose writer count is *w (see
 * SLOT_WAIT_MAX_NS). */
static void wait_slot_writers(__s64 *w)
{
	struct timespec nap = { 0, 20000 };
	long long waited = 0;
	static bool told;

	while (__atomic_load_n(w, __ATOMIC_SEQ_CST) > 0) {
		if (waited >= SLOT_WAIT_MAX_NS) {
			if (!told)
				fprintf(stderr, "latscope: tcp: a program held its event slot over 1 s; "
						"read it anyway\n");
			told = true;
			return;
		}
		nanosleep(&nap, NULL);
		waited += nap.tv_nsec;
	}
}

static int tcp_collect(struct collector *c, struct snapshot *s)
{
	struct tcp_priv *p = c->priv;
	struct tcp_bpf__bss *bss = p->skel->bss;
	__u32 ended = __atomic_load_n(&bss->epoch, __ATOMIC_RELAXED);
	__u8 slot = ended & 1;
	__u64 drops;
	int err;

	/* new events go to the other slot from here on; let those that
	 * already chose this one finish before it is read and emptied */
	__atomic_store_n(&bss->epoch, ended + 1, __ATOMIC_SEQ_CST);
	wait_slot_writers(&bss->slot_writers[slot]);
	if (++p->intervals % INODE_CACHE_INTERVALS == 0) {
		hashmap_free(p->inode_cache, free_owner);
		if (!(p->inode_cache = hashmap_new(sizeof(__u64))))
			return -ENOMEM;
	}
	p->nunowned = 0;

	if ((err = map_reader_read(&p->events)))
		return err;
	for (size_t i = 0; i < p->events.len; i++) {
		const struct tcp_event_key *k =
			(const void *)((char *)p->events.keys + i * sizeof(*k));
		const struct tcp_event_val *v =
			(const void *)((char *)p->events.values + i * sizeof(*v));

		if (k->slot != slot)
			continue;
		if ((err = add_event(p, s, k, v)))
			return err;
		bpf_map_delete_elem(p->events.fd, k);
	}
	if ((err = resolve_unowned(p, s)))
		return err;
	filter_rows(p, &s->tcp_retrans, offsetof(struct snap_tcp_retrans, pid));
	filter_rows(p, &s->tcp_resets, offsetof(struct snap_tcp_reset, pid));
	if ((err = map_reader_read(&p->connects)))
		return err;
	for (size_t i = 0; i < p->connects.len; i++) {
		const struct tcp_connect_key *k =
			(const void *)((char *)p->connects.keys + i * sizeof(*k));
		const struct tcp_connect_val *v =
			(const void *)((char *)p->connects.values + i * sizeof(*v));

		if (k->slot != slot)
			continue;
		if ((err = add_connect(s, k, v)))
			return err;
		bpf_map_delete_elem(p->connects.fd, k);
	}
	if ((err = tcp_peers_build(s)))
		return err;

	drops = __atomic_load_n(&bss->drop_events_full, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_owner_evicted, __ATOMIC_RELAXED) +
		__atomic_load_n(&bss->drop_listen_full, __ATOMIC_RELAXED);
	s->dropped.map_full += drops - p->drops_seen;
	p->drops_seen = drops;
	return 0;
}

static void tcp_close(struct collector *c)
{
	struct tcp_priv *p = c->priv;

	tcp_bpf__destroy(p->skel);
	map_reader_free(&p->events);
	map_reader_free(&p->connects);
	hashmap_free(p->inode_cache, free_owner);
	free(p->unowned);
}

static const char *const tcp_tps[] = {
	"inet_sock_set_state|Linux 4.16+", "tcp_retransmit_skb", "tcp_send_reset",
	"tcp_receive_reset", "tcp_destroy_sock", NULL
};
static const struct family_needs tcp_needs = { tcp_tps, NULL };

const struct collector_ops tcp_collector = {
	.priv_size = sizeof(struct tcp_priv),
	.needs = &tcp_needs,
	.family = FAM_TCP,
	.open = tcp_open,
	.collect = tcp_collect,
	.close = tcp_close,
};
