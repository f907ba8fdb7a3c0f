/* The TUI's rows, columns, sorting, filtering and text: no curses here, so
 * that all of it is unit-tested (tests/unit/sink/tui/). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "snapshot/histo.h"
#include "lib/textfmt.h"
#include "sink/tui/model.h"

bool tui_ascii_only;

const char *const tui_view_names[TV_NR] = {
	"Overview", "Syscalls", "TCP", "Locks", "Pools", "Peers",
};

/* Each view fits in 80 columns with one space between columns
 * (tests/unit/sink/tui/test_tui_format.c checks it). */
static const struct tui_col overview_cols[] = {
	{ "PID", 7, TC_PID },	    { "COMM", 15, TC_STR },  { "WORST", 9, TC_STR },
	{ "P99", 6, TC_DUR },	    { "SYSTIME", 7, TC_DUR }, { "LOCKWAIT", 8, TC_DUR },
	{ "RETRANS", 7, TC_NUM },   { "SAT%", 5, TC_PCT },   { "BLOCKED", 7, TC_DUR },
};
static const struct tui_col syscall_cols[] = {
	{ "PID", 7, TC_PID },  { "COMM", 15, TC_STR }, { "SYSCALL", 14, TC_STR },
	{ "COUNT", 6, TC_NUM }, { "ERR", 5, TC_NUM },	{ "TOTAL", 6, TC_DUR },
	{ "P50", 6, TC_DUR },	{ "P99", 6, TC_DUR },	{ "MAX", 6, TC_DUR },
};
static const struct tui_col tcp_cols[] = {
	{ "PID", 7, TC_PID },	 { "COMM", 13, TC_STR }, { "EVENT", 10, TC_STR },
	{ "REMOTE", 21, TC_STR }, { "STATE", 11, TC_STR }, { "COUNT", 6, TC_NUM },
	{ "P99", 5, TC_DUR },
};
static const struct tui_col lock_cols[] = {
	{ "PID", 7, TC_PID },  { "COMM", 13, TC_STR }, { "LOCK", 19, TC_STR },
	{ "TYPE", 10, TC_STR }, { "COUNT", 6, TC_NUM }, { "TOTAL", 6, TC_DUR },
	{ "P99", 5, TC_DUR },	{ "MAX", 5, TC_DUR },
};
static const struct tui_col pool_cols[] = {
	{ "PID", 7, TC_PID },  { "COMM", 13, TC_STR }, { "POOL", 13, TC_STR },
	{ "THR", 4, TC_NUM },  { "BUSY%", 5, TC_PCT }, { "SAT%", 5, TC_PCT },
	{ "STATES CRLI.", 18, TC_BAR }, { "RUNQ99", 6, TC_DUR },
};
static const struct tui_col peer_cols[] = {
	{ "PID", 7, TC_PID },	{ "COMM", 13, TC_STR }, { "PEER", 22, TC_STR },
	{ "CALLS", 6, TC_NUM }, { "RTRIPS", 6, TC_NUM }, { "WAIT", 6, TC_DUR },
	{ "P99", 6, TC_DUR },	{ "MAX", 5, TC_DUR },
};

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct tui_col *tui_view_cols(enum tui_view v, int *ncols, int *default_sort)
{
	static const struct {
		const struct tui_col *cols;
		int n, sort;
	} views[TV_NR] = {
		[TV_OVERVIEW] = { overview_cols, NCOLS(overview_cols), 3 },
		[TV_SYSCALLS] = { syscall_cols, NCOLS(syscall_cols), 5 },
		[TV_TCP] = { tcp_cols, NCOLS(tcp_cols), 5 },
		[TV_LOCKS] = { lock_cols, NCOLS(lock_cols), 5 },
		[TV_POOLS] = { pool_cols, NCOLS(pool_cols), 5 },
		[TV_PEERS] = { peer_cols, NCOLS(peer_cols), 5 },
	};

	if ((unsigned)v >= TV_NR)
		v = TV_OVERVIEW;
	if (ncols)
		*ncols = views[v].n;
	if (default_sort)
		*default_sort = views[v].sort;
	return views[v].cols;
}

int tui_col_index(enum tui_view v, const char *title)
{
	int n;
	const struct tui_col *c = tui_view_cols(v, &n, NULL);

	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].title, title))
			return i;
	return -1;
}

void tui_table_init(struct tui_table *t)
{
	memset(t, 0, sizeof(*t));
	t->cols = tui_view_cols(TV_OVERVIEW, &t->ncols, NULL);
}

void tui_table_free(struct tui_table *t)
{
	free(t->rows);
	free(t->order);
	free(t->procs);
	memset(t, 0, sizeof(*t));
}

static struct tui_row *add_row(struct tui_table *t, enum tui_src k, const void *src,
			       __u32 pid, const char *name, const char *name2)
{
	struct tui_row *r;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *nr = realloc(t->rows, cap * sizeof(*t->rows));

		if (!nr)
			return NULL;
		t->rows = nr;
		t->cap = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->src_kind = k;
	r->src = src;
	r->pid = pid;
	r->name = name;
	r->name2 = name2;
	return r;
}

/* Overview: one aggregate per process, found through a small open-addressed
 * index rebuilt with every snapshot. */
struct proc_index {
	size_t *slot;		/* 1 + index into t->procs, 0: empty */
	size_t mask;
};

static struct tui_proc *proc_get(struct tui_table *t, struct proc_index *ix, __u32 pid,
				 const char *comm)
{
	size_t h = (pid * 2654435761u) & ix->mask;

	while (ix->slot[h]) {
		struct tui_proc *p = &t->procs[ix->slot[h] - 1];

		if (p->pid == pid)
			return p;
		h = (h + 1) & ix->mask;
	}
	if (t->nprocs == t->proccap)
		return NULL;	/* sized up front: cannot happen */
	t->procs[t->nprocs] = (struct tui_proc){ .pid = pid, .comm = comm, .worst_syscall = "" };
	ix->slot[h] = ++t->nprocs;
	return &t->procs[t->nprocs - 1];
}

static bool lock_kind_waits(const char *kind)
{
	/* condvar and plain futex waits are waiting for work, not for a lock */
	return strcmp(kind, "condvar") && strcmp(kind, "futex");
}

static int build_overview(struct tui_table *t, const struct snapshot *s)
{
	size_t most = s->syscalls.len + s->inflight.len + s->tcp_retrans.len +
		      s->user_locks.len + s->pools.len + 1, cap = 16;
	struct proc_index ix;
	struct tui_proc *p;
	size_t i;

	while (cap < most * 2)
		cap <<= 1;
	if (t->proccap < most) {
		void *np = realloc(t->procs, most * sizeof(*t->procs));

		if (!np)
			return -ENOMEM;
		t->procs = np;
		t->proccap = most;
	}
	t->nprocs = 0;
	ix.mask = cap - 1;
	ix.slot = calloc(cap, sizeof(*ix.slot));
	if (!ix.slot)
		return -ENOMEM;
	for (i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		p = proc_get(t, &ix, r->pid, r->comm);
		p->sys_ns += r->total_ns;
		if (r->p99_ns > p->worst_p99_ns || !*p->worst_syscall) {
			if (r->p99_ns >= p->worst_p99_ns) {
				p->worst_p99_ns = r->p99_ns;
				p->worst_syscall = r->syscall;
			}
		}
	}
	for (i = 0; i < s->inflight.len; i++) {
		const struct snap_inflight *r = vec_at(&s->inflight, struct snap_inflight, i);

		p = proc_get(t, &ix, r->pid, r->comm);
		if (r->elapsed_ns > p->blocked_ns)
			p->blocked_ns = r->elapsed_ns;
	}
	for (i = 0; i < s->tcp_retrans.len; i++) {
		const struct snap_tcp_retrans *r = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		if (!r->pid)
			continue;	/* retransmitted by the kernel on no one's behalf */
		p = proc_get(t, &ix, r->pid, r->comm);
		p->retrans += r->count;
	}
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *r = vec_at(&s->user_locks, struct snap_user_lock, i);

		if (!lock_kind_waits(r->kind))
			continue;
		p = proc_get(t, &ix, r->pid, r->comm);
		p->lock_ns += r->total_ns;
	}
	for (i = 0; i < s->pools.len; i++) {
		const struct snap_pool *r = vec_at(&s->pools, struct snap_pool, i);

		p = proc_get(t, &ix, r->pid, r->comm);
		if (r->saturated_pct > p->sat_pct || !p->has_pool)
			p->sat_pct = r->saturated_pct;
		p->has_pool = true;
	}
	free(ix.slot);
	for (i = 0; i < t->nprocs; i++) {
		struct tui_proc *q = &t->procs[i];
		struct tui_row *r = add_row(t, TS_PROC, q, q->pid, q->comm, "");

		if (!r)
			return -ENOMEM;
		r->v[0].u = q->pid;
		r->v[1].s = q->comm;
		r->v[2].s = q->worst_syscall;
		r->v[3].u = q->worst_p99_ns;
		r->v[4].u = q->sys_ns;
		r->v[5].u = q->lock_ns;
		r->v[6].u = q->retrans;
		r->v[7].d = q->has_pool ? q->sat_pct : -1;
		r->v[8].u = q->blocked_ns;
		r->hot = q->worst_p99_ns > TUI_HOT_P99_NS || q->retrans || q->sat_pct > TUI_HOT_SAT_PCT;
	}
	return 0;
}

static int build_syscalls(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *x = vec_at(&s->syscalls, struct snap_syscall, i);
		struct tui_row *r = add_row(t, TS_SYSCALL, x, x->pid, x->comm, x->syscall);

		if (!r)
			return -ENOMEM;
		r->aux = x->nr;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = x->syscall;
		r->v[3].u = x->count;
		r->v[4].u = x->errors;
		r->v[5].u = x->total_ns;
		r->v[6].u = x->p50_ns;
		r->v[7].u = x->p99_ns;
		r->v[8].u = x->max_ns;
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

/* "addr:port", IPv6 in brackets; the text lives in a per-row buffer. */
static void fmt_endpoint(char *out, size_t n, const char *addr, __u16 port)
{
	if (strchr(addr, ':'))
		snprintf(out, n, "[%s]:%u", addr, port);
	else
		snprintf(out, n, "%s:%u", addr, port);
}

/* TCP rows need their REMOTE text somewhere to point at: a side buffer. */
struct tcp_text {
	char remote[SNAP_ADDR_LEN + 10];
};
static struct tcp_text *tcp_texts;
static size_t tcp_ntexts;

static int build_tcp(struct tui_table *t, const struct snapshot *s)
{
	size_t n = s->tcp_retrans.len + s->tcp_resets.len + s->tcp_connect.len, k = 0, i;

	if (n > tcp_ntexts) {
		void *nt = realloc(tcp_texts, n * sizeof(*tcp_texts));

		if (!nt)
			return -ENOMEM;
		tcp_texts = nt;
		tcp_ntexts = n;
	}
	for (i = 0; i < s->tcp_retrans.len; i++, k++) {
		const struct snap_tcp_retrans *x = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);
		struct tui_row *r;

		fmt_endpoint(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = add_row(t, TS_RETRANS, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->aux = x->sport;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = "retransmit";
		r->v[3].s = tcp_texts[k].remote;
		r->v[4].s = x->state;
		r->v[5].u = x->count;
		r->hot = x->count > 0;
	}
	for (i = 0; i < s->tcp_resets.len; i++, k++) {
		const struct snap_tcp_reset *x = vec_at(&s->tcp_resets, struct snap_tcp_reset, i);
		struct tui_row *r;

		fmt_endpoint(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = add_row(t, TS_RESET, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->aux = x->sport;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = strcmp(x->direction, "sent") ? "reset-recv" : "reset-sent";
		r->v[3].s = tcp_texts[k].remote;
		r->v[4].s = "";
		r->v[5].u = x->count;
	}
	for (i = 0; i < s->tcp_connect.len; i++, k++) {
		const struct snap_tcp_connect *x = vec_at(&s->tcp_connect, struct snap_tcp_connect, i);
		struct tui_row *r;

		fmt_endpoint(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = add_row(t, TS_CONNECT, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = "connect";
		r->v[3].s = tcp_texts[k].remote;
		r->v[4].s = x->failed ? "FAILED" : "";
		r->v[5].u = x->count;
		r->v[6].u = x->p99_ns;
		r->hot = x->failed || x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

static int build_locks(struct tui_table *t, const struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->kernel_locks.len; i++) {
		const struct snap_kernel_lock *x = vec_at(&s->kernel_locks, struct snap_kernel_lock, i);
		struct tui_row *r = add_row(t, TS_KLOCK, x, 0, "[kernel]",
					    *x->symbol ? x->symbol : x->lock);

		if (!r)
			return -ENOMEM;
		r->v[1].s = "[kernel]";
		r->v[2].s = r->name2;
		r->v[3].s = x->type;
		r->v[4].u = x->count;
		r->v[5].u = x->total_ns;
		r->v[6].u = x->p99_ns;
		r->v[7].u = x->max_ns;
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *x = vec_at(&s->user_locks, struct snap_user_lock, i);
		/* the innermost symbol says more than an address, when known */
		const char *what = x->nstack && x->stack[0] && *x->stack[0] ? x->stack[0] : x->uaddr;
		struct tui_row *r = add_row(t, TS_ULOCK, x, x->pid, x->comm, x->uaddr);

		if (!r)
			return -ENOMEM;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = what;
		r->v[3].s = x->kind;
		r->v[4].u = x->count;
		r->v[5].u = x->total_ns;
		r->v[6].u = x->p99_ns;
		r->v[7].u = x->max_ns;
		r->hot = lock_kind_waits(x->kind) && x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

static int build_pools(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < s->pools.len; i++) {
		const struct snap_pool *x = vec_at(&s->pools, struct snap_pool, i);
		struct tui_row *r = add_row(t, TS_POOL, x, x->pid, x->comm, x->pool);

		if (!r)
			return -ENOMEM;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = x->pool;
		r->v[3].u = x->threads;
		r->v[4].d = x->busy_pct;
		r->v[5].d = x->saturated_pct;
		/* the bar sorts by how much of the time was not idle */
		r->v[6].d = x->busy_pct;
		r->v[7].u = x->runq_p99_ns;
		r->hot = x->saturated_pct > TUI_HOT_SAT_PCT;
	}
	return 0;
}

static int build_peers(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < s->peers.len; i++) {
		const struct snap_peer *x = vec_at(&s->peers, struct snap_peer, i);
		struct tui_row *r = add_row(t, TS_PEER, x, x->pid, x->comm, x->peer);

		if (!r)
			return -ENOMEM;
		r->v[0].u = x->pid;
		r->v[1].s = x->comm;
		r->v[2].s = x->peer;
		r->v[3].u = x->calls;
		r->v[4].u = x->roundtrips;
		r->v[5].u = x->wait_ns;
		r->v[6].u = x->p99_ns;
		r->v[7].u = x->max_ns;
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

int tui_table_build(struct tui_table *t, enum tui_view v, const struct snapshot *s)
{
	static int (*const build[TV_NR])(struct tui_table *, const struct snapshot *) = {
		build_overview, build_syscalls, build_tcp, build_locks, build_pools, build_peers,
	};
	int err;

	t->view = v;
	t->cols = tui_view_cols(v, &t->ncols, NULL);
	t->nrows = 0;
	t->nshown = 0;
	if (!s)
		return 0;
	err = build[v](t, s);
	if (err)
		return err;
	if (t->nrows) {
		void *no = realloc(t->order, t->nrows * sizeof(*t->order));

		if (!no)
			return -ENOMEM;
		t->order = no;
	}
	for (size_t i = 0; i < t->nrows; i++)
		t->order[i] = i;
	t->nshown = t->nrows;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool tui_match(const char *filter, __u32 fpid, __u32 pid, const char *name, const char *name2)
{
	if (fpid && pid != fpid)
		return false;
	if (!filter || !*filter)
		return true;
	if (all_digits(filter) && pid == (__u32)strtoul(filter, NULL, 10))
		return true;
	return (name && strcasestr(name, filter)) || (name2 && strcasestr(name2, filter));
}

static bool row_matches(const struct tui_row *r, const char *filter, __u32 fpid)
{
	return tui_match(filter, fpid, r->pid, r->name, r->name2);
}

struct sort_ctx {
	const struct tui_table *t;
	int col;
	bool desc;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *sc = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const union tui_val *vx = &sc->t->rows[ia].v[sc->col], *vy = &sc->t->rows[ib].v[sc->col];
	int c;

	switch (sc->t->cols[sc->col].kind) {
	case TC_STR:
		c = strcmp(vx->s ? vx->s : "", vy->s ? vy->s : "");
		break;
	case TC_PCT:
	case TC_BAR:
		c = vx->d < vy->d ? -1 : vx->d > vy->d;
		break;
	default:
		c = vx->u < vy->u ? -1 : vx->u > vy->u;
		break;
	}
	if (sc->desc)
		c = -c;
	/* ties keep the snapshot's order (already most costly first) */
	return c ? c : (ia < ib ? -1 : ia > ib);
}

void tui_table_apply(struct tui_table *t, const char *filter, __u32 pid, int col, bool desc)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nrows; i++)
		if (row_matches(&t->rows[i], filter, pid))
			t->order[n++] = i;
	t->nshown = n;
	if (col < 0 || col >= t->ncols)
		col = 0;
	if (n > 1)
		qsort_r(t->order, n, sizeof(*t->order), cmp_rows,
			&(struct sort_ctx){ .t = t, .col = col, .desc = desc });
}

const struct tui_row *tui_table_shown(const struct tui_table *t, size_t i)
{
	return i < t->nshown ? &t->rows[t->order[i]] : NULL;
}

void tui_row_key(const struct tui_row *r, struct tui_key *k)
{
	memset(k, 0, sizeof(*k));
	if (!r)
		return;
	k->set = true;
	k->src_kind = r->src_kind;
	k->pid = r->pid;
	k->aux = r->aux;
	snprintf(k->name, sizeof(k->name), "%s", r->name ? r->name : "");
	snprintf(k->name2, sizeof(k->name2), "%s", r->name2 ? r->name2 : "");
}

static bool key_is(const struct tui_row *r, const struct tui_key *k)
{
	return r->src_kind == k->src_kind && r->pid == k->pid && r->aux == k->aux &&
	       !strcmp(r->name2 ? r->name2 : "", k->name2) &&
	       (k->src_kind == TS_KLOCK || !strcmp(r->name ? r->name : "", k->name));
}

long tui_table_find(const struct tui_table *t, const struct tui_key *k)
{
	if (!k->set)
		return -1;
	for (size_t i = 0; i < t->nshown; i++)
		if (key_is(&t->rows[t->order[i]], k))
			return (long)i;
	return -1;
}

const struct tui_row *tui_table_find_any(const struct tui_table *t, const struct tui_key *k)
{
	if (!k->set)
		return NULL;
	for (size_t i = 0; i < t->nrows; i++)
		if (key_is(&t->rows[i], k))
			return &t->rows[i];
	return NULL;
}

const char *tui_fmt_dur(__u64 ns, char *buf, size_t n)
{
	static const struct {
		__u64 div;
		const char *unit;
	} u[] = { { 1, "ns" }, { 1000, "us" }, { 1000000, "ms" }, { 1000000000ULL, "s" } };
	int i;

	if (ns >= 3600ULL * 1000000000ULL) {
		__u64 m = ns / 60000000000ULL;

		if (m / 60 > 9)
			snprintf(buf, n, "%lluh", (unsigned long long)(m / 60));
		else
			snprintf(buf, n, "%lluh%02llum", (unsigned long long)(m / 60),
				 (unsigned long long)(m % 60));
		return buf;
	}
	if (ns >= 60000000000ULL) {
		__u64 sec = ns / 1000000000ULL;

		if (sec < 600)
			snprintf(buf, n, "%llum%02llus", (unsigned long long)(sec / 60),
				 (unsigned long long)(sec % 60));
		else
			snprintf(buf, n, "%llum", (unsigned long long)(sec / 60));
		return buf;
	}
	for (i = 3; i > 0 && ns < u[i].div; i--)
		;
	if (i == 0) {
		snprintf(buf, n, "%lluns", (unsigned long long)ns);
	} else {
		double v = (double)ns / (double)u[i].div;

		/* one decimal below 10 (rounding must not print "10.0") */
		if (v < 9.95)
			snprintf(buf, n, "%.1f%s", v, u[i].unit);
		else if (v < 999.5 || i == 3)
			snprintf(buf, n, "%.0f%s", v, u[i].unit);
		else
			snprintf(buf, n, "%.1f%s", v / 1000, u[i + 1].unit);
	}
	return buf;
}

const char *tui_fmt_num(__u64 v, char *buf, size_t n)
{
	static const char units[] = "kMGTPE";
	double d = (double)v;
	int i = -1;

	if (v < 100000) {
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 999.5 && i < 5) {
		d /= 1000;
		i++;
	}
	if (d < 9.95)
		snprintf(buf, n, "%.1f%c", d, units[i]);
	else
		snprintf(buf, n, "%.0f%c", d, units[i]);
	return buf;
}

size_t tui_put_field(char *out, size_t n, const char *s, int width, bool right)
{
	char clean[2048];	/* a whole screen line, on wide terminals too */
	size_t o = 0, i = 0, end;
	int cols = 0, pad;

	if (!n)
		return 0;
	sanitize(s ? s : "", clean, sizeof(clean));
	if (tui_ascii_only)
		for (char *p = clean; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	/* how many bytes make width code points */
	for (end = 0; clean[end] && cols < width; cols++) {
		end++;
		while ((clean[end] & 0xC0) == 0x80)
			end++;
	}
	pad = width - cols;
	if (right)
		for (; pad > 0 && o + 1 < n; pad--)
			out[o++] = ' ';
	for (i = 0; i < end && o + 1 < n; i++)
		out[o++] = clean[i];
	for (; pad > 0 && o + 1 < n; pad--)
		out[o++] = ' ';
	out[o] = 0;
	return o;
}

const char *tui_fmt_cell(const struct tui_col *c, const struct tui_row *r, int col,
			 char *buf, size_t n)
{
	const union tui_val *v = &r->v[col];

	switch (c->kind) {
	case TC_STR:
		snprintf(buf, n, "%s", v->s ? v->s : "");
		break;
	case TC_PID:
		if (v->u)
			snprintf(buf, n, "%llu", (unsigned long long)v->u);
		else
			snprintf(buf, n, "-");
		break;
	case TC_NUM:
		tui_fmt_num(v->u, buf, n);
		break;
	case TC_DUR:
		if (v->u)
			tui_fmt_dur(v->u, buf, n);
		else
			snprintf(buf, n, "-");
		break;
	case TC_PCT:
		if (v->d < 0)
			snprintf(buf, n, "-");	/* not applicable */
		else
			snprintf(buf, n, "%.1f", v->d);
		break;
	case TC_BAR: {
		const struct snap_pool *p = r->src;
		int w = c->width < (int)n ? c->width : (int)n - 1;

		tui_state_bar(p->oncpu_ns, p->runq_ns, p->lock_ns, p->io_ns, p->idle_ns, buf, w);
		break;
	}
	}
	return buf;
}

/* Lays out cells one space apart, each padded to its column's width. */
static void layout(const struct tui_table *t, const char *const *cells, char *out, size_t n,
		   int width)
{
	size_t o = 0;
	int x = 0;

	out[0] = 0;
	for (int c = 0; c < t->ncols && x < width && o + 1 < n; c++) {
		const struct tui_col *col = &t->cols[c];
		int w = col->width;

		if (c) {
			out[o++] = ' ';
			out[o] = 0;
			x++;
		}
		if (x + w > width)
			w = width - x;
		if (w <= 0)
			break;
		o += tui_put_field(out + o, n - o, cells[c], w,
				   col->kind != TC_STR && col->kind != TC_BAR);
		x += w;
	}
}

void tui_fmt_heading(const struct tui_table *t, int sort_col, bool desc, char *out,
		     size_t n, int width)
{
	char titles[TUI_MAXCOLS][32];
	const char *cells[TUI_MAXCOLS];

	for (int c = 0; c < t->ncols; c++) {
		/* the sort column is marked with an arrow where the title allows */
		if (c == sort_col)
			snprintf(titles[c], sizeof(titles[c]), "%s%s", t->cols[c].title,
				 desc ? "v" : "^");
		else
			snprintf(titles[c], sizeof(titles[c]), "%s", t->cols[c].title);
		if ((int)strlen(titles[c]) > t->cols[c].width && c == sort_col)
			titles[c][t->cols[c].width - 1] = desc ? 'v' : '^',
			titles[c][t->cols[c].width] = 0;
		cells[c] = titles[c];
	}
	layout(t, cells, out, n, width);
}

void tui_fmt_row(const struct tui_table *t, const struct tui_row *r, char *out, size_t n,
		 int width)
{
	char text[TUI_MAXCOLS][SNAP_PEER_LEN];
	const char *cells[TUI_MAXCOLS];

	for (int c = 0; c < t->ncols; c++)
		cells[c] = tui_fmt_cell(&t->cols[c], r, c, text[c], sizeof(text[c]));
	layout(t, cells, out, n, width);
}

int tui_col_at(const struct tui_table *t, int x)
{
	int start = 0;

	for (int c = 0; c < t->ncols; c++) {
		if (x >= start && x <= start + t->cols[c].width)
			return c;
		start += t->cols[c].width + 1;
	}
	return -1;
}

static void fit(char *out, size_t n, const char *text, int width)
{
	tui_put_field(out, n, text, width, false);
}

void tui_fmt_header(const struct snapshot *s, __u64 interval_ns, bool paused, char *out,
		    size_t n, int width)
{
	char line[1024], host[64], kern[64], when[16] = "--:--:--", iv[16];
	size_t o;

	if (s && s->ts_ns) {
		time_t secs = (time_t)(s->ts_ns / 1000000000ULL);
		struct tm tm;

		if (localtime_r(&secs, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	/* the kernel last: it is long, and the first thing to cut */
	o = (size_t)snprintf(line, sizeof(line), "latscope %s %s every %s%s drops:%llu",
			     s ? sanitize(s->host, host, sizeof(host)) : "", when,
			     tui_fmt_dur(interval_ns, iv, sizeof(iv)), paused ? " PAUSED" : "",
			     s ? (unsigned long long)(s->dropped.events + s->dropped.map_full) : 0ULL);
	for (int f = 0; f < FAM_NR && o < sizeof(line); f++) {
		const char *st = s ? s->probes[f] : "...";

		/* "unavailable: why" is too long for a header: the why is in
		 * the help screen and on stderr */
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %s:%s", family_names[f],
				      !strncmp(st, "unavailable", 11) ? "n/a" : st);
	}
	if (o < sizeof(line) && s)
		snprintf(line + o, sizeof(line) - o, "  %s", sanitize(s->kernel, kern, sizeof(kern)));
	fit(out, n, line, width);
}

void tui_fmt_headline(const struct snapshot *s, char *out, size_t n, int width)
{
	double secs = s && s->interval_ns ? (double)s->interval_ns / 1e9 : 1;
	__u64 calls = 0, retrans = 0, lockns = 0, worst = 0;
	const struct snap_syscall *w = NULL;
	char line[512], a[16], b[16], c[16], d[16], worst_s[160] = "-";
	int saturated = 0;
	size_t i;

	if (!s) {
		fit(out, n, "waiting for the first snapshot...", width);
		return;
	}
	for (i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		calls += r->count;
		if (r->p99_ns > worst || !w) {
			worst = r->p99_ns;
			w = r;
		}
	}
	for (i = 0; i < s->tcp_retrans.len; i++)
		retrans += vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i)->count;
	for (i = 0; i < s->kernel_locks.len; i++)
		lockns += vec_at(&s->kernel_locks, struct snap_kernel_lock, i)->total_ns;
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *l = vec_at(&s->user_locks, struct snap_user_lock, i);

		if (lock_kind_waits(l->kind))
			lockns += l->total_ns;
	}
	for (i = 0; i < s->pools.len; i++)
		saturated += vec_at(&s->pools, struct snap_pool, i)->saturated_pct > TUI_HOT_SAT_PCT;
	/* fits 80 columns with common values; the process is in the Overview */
	if (w)
		snprintf(worst_s, sizeof(worst_s), "%s %.10s", tui_fmt_dur(worst, b, sizeof(b)),
			 w->syscall);
	snprintf(line, sizeof(line),
		 "sys/s %s  worst p99 %s  retrans/s %s  lockwait/s %s  sat.pools %d",
		 tui_fmt_num((__u64)((double)calls / secs + 0.5), a, sizeof(a)), worst_s,
		 tui_fmt_num((__u64)((double)retrans / secs + 0.5), c, sizeof(c)),
		 lockns ? tui_fmt_dur((__u64)((double)lockns / secs), d, sizeof(d)) : "0", saturated);
	fit(out, n, line, width);
}

/* ---- drill-downs ---- */

void tui_lines_free(struct tui_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void tui_lines_clear(struct tui_lines *l)
{
	l->len = 0;
}

static int addl(struct tui_lines *l, enum tui_style st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int addl(struct tui_lines *l, enum tui_style st, const char *fmt, ...)
{
	va_list ap;
	char raw[1024];

	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *nv = realloc(l->v, cap * sizeof(*l->v));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	l->v[l->len].style = st;
	/* every line is sanitized once more here: kernel strings go in raw */
	sanitize(raw, l->v[l->len].text, sizeof(l->v[l->len].text));
	l->len++;
	return 0;
}

void tui_state_bar(__u64 oncpu, __u64 runq, __u64 lock, __u64 io, __u64 idle, char *out,
		   int width)
{
	const __u64 v[5] = { oncpu, runq, lock, io, idle };
	const char ch[5] = { 'C', 'R', 'L', 'I', '.' };
	__u64 total = oncpu + runq + lock + io + idle;
	int x = 0;

	if (width < 0)
		width = 0;
	if (!total) {
		memset(out, ' ', (size_t)width);
		out[width] = 0;
		return;
	}
	int cells[5], used = 0;
	double rem[5];

	/* exactly width cells; every state that happened gets at least one
	 * (no idle at all is what saturation looks like), the rest go by
	 * largest remainder */
	for (int i = 0; i < 5; i++) {
		double exact = (double)v[i] * width / (double)total;

		cells[i] = (int)exact;
		rem[i] = exact - cells[i];
		if (v[i] && !cells[i]) {
			cells[i] = 1;
			rem[i] = 0;
		}
		used += cells[i];
	}
	while (used > width) {
		int big = 0;

		for (int i = 1; i < 5; i++)
			if (cells[i] > cells[big])
				big = i;
		cells[big]--;
		used--;
	}
	while (used < width) {
		int best = 0;

		for (int i = 1; i < 5; i++)
			if (rem[i] > rem[best])
				best = i;
		cells[best]++;
		rem[best] = -1;
		used++;
	}
	for (int i = 0; i < 5; i++)
		for (int c = 0; c < cells[i]; c++)
			out[x++] = ch[i];
	out[x] = 0;
}

int tui_hist_lines(const __u64 *counts, __u64 max_ns, int width, int max_rows,
		   struct tui_lines *out)
{
	static const struct {
		double q;
		const char *name;
	} marks[] = { { 0.5, "p50" }, { 0.9, "p90" }, { 0.99, "p99" }, { 0.999, "p99.9" } };
	__u64 pv[4], total = 0, top = 0;
	int lo = -1, hi = -1, per, rows, barw;

	if (!counts)
		return addl(out, TL_DIM, "  (no histogram for this row)");
	for (int i = 0; i < HIST_NBUCKETS; i++) {
		if (!counts[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		total += counts[i];
	}
	if (lo < 0)
		return addl(out, TL_DIM, "  (nothing recorded this interval)");
	for (int m = 0; m < 4; m++)
		pv[m] = hist_percentile(counts, marks[m].q, max_ns);
	if (max_rows < 1)
		max_rows = 1;
	per = (hi - lo + 1 + max_rows - 1) / max_rows;
	rows = (hi - lo + 1 + per - 1) / per;
	for (int r = 0; r < rows; r++) {
		__u64 c = 0;

		for (int i = lo + r * per; i < lo + (r + 1) * per && i <= hi; i++)
			c += counts[i];
		if (c > top)
			top = c;
	}
	/* "  1.2ms..  1.3ms |####    | 123456  12.3% p50 p90 p99 p99.9 max":
	 * the bar takes what the text and every mark leave */
	barw = width - 57;
	if (barw < 4)
		barw = 4;
	if (barw > 100)
		barw = 100;
	for (int r = 0; r < rows; r++) {
		int b0 = lo + r * per, b1 = b0 + per - 1;
		__u64 c = 0, from, to;
		char bar[512], a[16], b[16], cnt[16], tags[64] = "";
		size_t tl = 0;
		int fill;

		if (b1 > hi)
			b1 = hi;
		for (int i = b0; i <= b1; i++)
			c += counts[i];
		from = hist_bucket_lo((__u32)b0);
		to = hist_bucket_hi((__u32)b1);
		for (int m = 0; m < 4; m++)
			if (pv[m] >= from && pv[m] <= to)
				tl += (size_t)snprintf(tags + tl, sizeof(tags) - tl, " %s", marks[m].name);
		if (max_ns && max_ns >= from && (max_ns <= to || r == rows - 1) && tl < sizeof(tags))
			snprintf(tags + tl, sizeof(tags) - tl, " max");
		fill = top ? (int)((c * (__u64)barw + top - 1) / top) : 0;
		if (barw > (int)sizeof(bar) - 1)
			barw = (int)sizeof(bar) - 1;
		memset(bar, ' ', (size_t)barw);
		memset(bar, '#', (size_t)(fill < barw ? fill : barw));
		bar[barw] = 0;
		if (addl(out, *tags ? TL_MARK : TL_TEXT, "  %6s..%6s |%s| %6s %5.1f%%%s",
			 tui_fmt_dur(from, a, sizeof(a)), tui_fmt_dur(to, b, sizeof(b)), bar,
			 tui_fmt_num(c, cnt, sizeof(cnt)), 100.0 * (double)c / (double)total, tags))
			return -ENOMEM;
	}
	return 0;
}

static int detail_stack(struct tui_lines *out, char **stack, size_t n)
{
	int err = addl(out, TL_TITLE, "Stack (innermost first)");

	if (!n)
		err = err ?: addl(out, TL_DIM, "  (no stack recorded)");
	for (size_t i = 0; i < n && !err; i++)
		err = addl(out, TL_TEXT, "  #%-2zu %s", i, stack[i] ? stack[i] : "?");
	return err;
}

/* "tcp:ADDR:PORT" of a TCP row's remote end, to match the Peers' names. */
static void tcp_peer_name(char *out, size_t n, const char *addr, __u16 port)
{
	char ep[SNAP_ADDR_LEN + 10];

	fmt_endpoint(ep, sizeof(ep), addr, port);
	snprintf(out, n, "tcp:%s", ep);
}

/* Every TCP row and pool waiting on one remote end. */
static int detail_connections(struct tui_lines *out, const struct snapshot *s, const char *peer)
{
	char name[SNAP_PEER_LEN + 8], a[16], b[16];
	size_t i, found = 0;
	int err = addl(out, TL_TITLE, "Connections to %s", peer);

	for (i = 0; i < s->tcp_retrans.len && !err; i++) {
		const struct snap_tcp_retrans *x = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = addl(out, TL_HOT, "  %-7u %-15s %s:%u  %-11s retransmits %llu", x->pid, x->comm,
			   x->saddr, x->sport, x->state, (unsigned long long)x->count);
	}
	for (i = 0; i < s->tcp_resets.len && !err; i++) {
		const struct snap_tcp_reset *x = vec_at(&s->tcp_resets, struct snap_tcp_reset, i);

		tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = addl(out, TL_TEXT, "  %-7u %-15s %s:%u  resets %s %llu", x->pid, x->comm,
			   x->saddr, x->sport, x->direction, (unsigned long long)x->count);
	}
	for (i = 0; i < s->tcp_connect.len && !err; i++) {
		const struct snap_tcp_connect *x = vec_at(&s->tcp_connect, struct snap_tcp_connect, i);

		tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = addl(out, x->failed ? TL_HOT : TL_TEXT,
			   "  %-7u %-15s connects %llu failed %llu p99 %s max %s", x->pid, x->comm,
			   (unsigned long long)x->count, (unsigned long long)x->failed,
			   tui_fmt_dur(x->p99_ns, a, sizeof(a)), tui_fmt_dur(x->max_ns, b, sizeof(b)));
	}
	for (i = 0; i < s->peers.len && !err; i++) {
		const struct snap_peer *x = vec_at(&s->peers, struct snap_peer, i);

		if (strcmp(x->peer, peer))
			continue;
		found++;
		err = addl(out, TL_TEXT, "  %-7u %-15s calls %llu round trips %llu wait %s p99 %s",
			   x->pid, x->comm, (unsigned long long)x->calls,
			   (unsigned long long)x->roundtrips, tui_fmt_dur(x->wait_ns, a, sizeof(a)),
			   tui_fmt_dur(x->p99_ns, b, sizeof(b)));
	}
	for (i = 0; i < s->pools.len && !err; i++) {
		const struct snap_pool *x = vec_at(&s->pools, struct snap_pool, i);

		for (size_t j = 0; j < x->blocked_on.len && !err; j++) {
			const struct snap_pool_blocked *bo =
				vec_at(&x->blocked_on, struct snap_pool_blocked, j);

			if (strcmp(bo->peer, peer))
				continue;
			found++;
			err = addl(out, TL_TEXT, "  %-7u %-15s pool %s blocked on it %s", x->pid,
				   x->comm, x->pool, tui_fmt_dur(bo->io_ns, a, sizeof(a)));
		}
	}
	if (!found && !err)
		err = addl(out, TL_DIM, "  (none this interval)");
	return err;
}

static int detail_pool(struct tui_lines *out, const struct snap_pool *p, int width)
{
	char a[16], b[16], c[16], d[16], e[16], bar[64];
	int err;

	tui_state_bar(p->oncpu_ns, p->runq_ns, p->lock_ns, p->io_ns, p->idle_ns, bar, 40);
	err = addl(out, TL_TEXT, "  %u workers  busy %.1f%%  saturated %.1f%%  runq p99 %s",
		   p->threads, p->busy_pct, p->saturated_pct,
		   tui_fmt_dur(p->runq_p99_ns, a, sizeof(a)));
	err = err ?: addl(out, TL_TEXT, "  [%s]  C oncpu R runq L lock I io . idle", bar);
	err = err ?: addl(out, TL_TEXT, "  oncpu %s  runq %s  lock %s  io %s  idle %s",
			  tui_fmt_dur(p->oncpu_ns, a, sizeof(a)), tui_fmt_dur(p->runq_ns, b, sizeof(b)),
			  tui_fmt_dur(p->lock_ns, c, sizeof(c)), tui_fmt_dur(p->io_ns, d, sizeof(d)),
			  tui_fmt_dur(p->idle_ns, e, sizeof(e)));
	err = err ?: addl(out, TL_TITLE, "Threads");
	if (!p->thread_list.len && !err)
		err = addl(out, TL_DIM, "  (no per-thread rows in this snapshot)");
	for (size_t i = 0; i < p->thread_list.len && !err; i++) {
		const struct snap_pool_thread *t = vec_at(&p->thread_list, struct snap_pool_thread, i);
		__u64 total = t->oncpu_ns + t->runq_ns + t->lock_ns + t->io_ns + t->idle_ns;
		int bw = width - 48 > 10 ? (width - 48 < 40 ? width - 48 : 40) : 10;

		tui_state_bar(t->oncpu_ns, t->runq_ns, t->lock_ns, t->io_ns, t->idle_ns, bar, bw);
		err = addl(out, total && t->idle_ns == 0 ? TL_HOT : TL_TEXT,
			   "  %-7u %-15s [%s] idle %s", t->tid, t->comm, bar,
			   tui_fmt_dur(t->idle_ns, a, sizeof(a)));
	}
	for (size_t i = 0; i < p->others.len && !err; i++) {
		const struct snap_pool_other *o = vec_at(&p->others, struct snap_pool_other, i);

		err = addl(out, TL_DIM, "  %-7u (%s, not a worker)", o->tid, o->role);
	}
	if (p->blocked_on.len && !err)
		err = addl(out, TL_TITLE, "Blocked on");
	for (size_t i = 0; i < p->blocked_on.len && !err; i++) {
		const struct snap_pool_blocked *bo = vec_at(&p->blocked_on, struct snap_pool_blocked, i);

		err = addl(out, TL_TEXT, "  %-40s io %s", bo->peer, tui_fmt_dur(bo->io_ns, a, sizeof(a)));
	}
	return err;
}

int tui_detail(const struct tui_row *r, const struct snapshot *s, int width, int hist_rows,
	       struct tui_lines *out)
{
	char a[16], b[16], c[16], d[16], e[16], f[16], peer[SNAP_PEER_LEN + 8];
	int err = 0;

	tui_lines_clear(out);
	if (!r || !s)
		return addl(out, TL_DIM, "(this row is not in the current snapshot)");
	switch (r->src_kind) {
	case TS_PROC: {
		const struct tui_proc *p = r->src;

		err = addl(out, TL_TITLE, "Process %u %s", p->pid, p->comm);
		break;
	}
	case TS_SYSCALL: {
		const struct snap_syscall *x = r->src;

		err = addl(out, TL_TITLE, "%s by %u %s: latency histogram", x->syscall, x->pid, x->comm);
		err = err ?: addl(out, TL_TEXT, "  calls %llu  errors %llu  total %s",
				  (unsigned long long)x->count, (unsigned long long)x->errors,
				  tui_fmt_dur(x->total_ns, a, sizeof(a)));
		err = err ?: addl(out, TL_TEXT, "  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
				  tui_fmt_dur(x->p50_ns, b, sizeof(b)), tui_fmt_dur(x->p90_ns, c, sizeof(c)),
				  tui_fmt_dur(x->p99_ns, d, sizeof(d)), tui_fmt_dur(x->p999_ns, e, sizeof(e)),
				  tui_fmt_dur(x->max_ns, f, sizeof(f)));
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
		break;
	}
	case TS_RETRANS:
	case TS_RESET:
	case TS_CONNECT: {
		const struct snap_tcp_connect *cx = r->src;
		const char *daddr = r->src_kind == TS_RETRANS ? ((const struct snap_tcp_retrans *)r->src)->daddr :
				    r->src_kind == TS_RESET ? ((const struct snap_tcp_reset *)r->src)->daddr :
				    cx->daddr;
		__u16 dport = r->src_kind == TS_RETRANS ? ((const struct snap_tcp_retrans *)r->src)->dport :
			      r->src_kind == TS_RESET ? ((const struct snap_tcp_reset *)r->src)->dport :
			      cx->dport;

		tcp_peer_name(peer, sizeof(peer), daddr, dport);
		for (size_t i = 0; i < s->tcp_peers.len && !err; i++) {
			const struct snap_tcp_peer *p = vec_at(&s->tcp_peers, struct snap_tcp_peer, i);

			if (strcmp(p->daddr, daddr) || p->dport != dport)
				continue;
			err = addl(out, TL_TITLE, "Peer %s", peer);
			err = err ?: addl(out, p->retransmits ? TL_HOT : TL_TEXT,
					  "  retransmits %llu  resets %llu  connects %llu  failed %llu  connect p99 %s",
					  (unsigned long long)p->retransmits, (unsigned long long)p->resets,
					  (unsigned long long)p->connects,
					  (unsigned long long)p->connect_failed,
					  tui_fmt_dur(p->connect_p99_ns, a, sizeof(a)));
		}
		err = err ?: detail_connections(out, s, peer);
		if (r->src_kind == TS_CONNECT && !err) {
			err = addl(out, TL_TITLE, "Connect latency");
			err = err ?: tui_hist_lines(cx->hist, cx->max_ns, width, hist_rows, out);
		}
		break;
	}
	case TS_KLOCK: {
		const struct snap_kernel_lock *x = r->src;

		err = addl(out, TL_TITLE, "Kernel lock %s %s (%s)", x->lock, x->symbol, x->type);
		err = err ?: addl(out, TL_TEXT, "  waits %llu  total %s  p99 %s  max %s",
				  (unsigned long long)x->count, tui_fmt_dur(x->total_ns, a, sizeof(a)),
				  tui_fmt_dur(x->p99_ns, b, sizeof(b)), tui_fmt_dur(x->max_ns, c, sizeof(c)));
		err = err ?: detail_stack(out, x->stack, x->nstack);
		err = err ?: addl(out, TL_TITLE, "Wait time");
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
		break;
	}
	case TS_ULOCK: {
		const struct snap_user_lock *x = r->src;

		err = addl(out, TL_TITLE, "%s %s in %u %s", x->kind, x->uaddr, x->pid, x->comm);
		err = err ?: addl(out, TL_TEXT, "  waits %llu  total %s  p99 %s  max %s",
				  (unsigned long long)x->count, tui_fmt_dur(x->total_ns, a, sizeof(a)),
				  tui_fmt_dur(x->p99_ns, b, sizeof(b)), tui_fmt_dur(x->max_ns, c, sizeof(c)));
		err = err ?: detail_stack(out, x->stack, x->nstack);
		err = err ?: addl(out, TL_TITLE, "Wait time");
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
		break;
	}
	case TS_POOL: {
		const struct snap_pool *x = r->src;

		err = addl(out, TL_TITLE, "Pool %s of %u %s", x->pool, x->pid, x->comm);
		err = err ?: detail_pool(out, x, width);
		break;
	}
	case TS_PEER: {
		const struct snap_peer *x = r->src;

		err = addl(out, TL_TITLE, "Peer %s of %u %s", x->peer, x->pid, x->comm);
		err = err ?: addl(out, TL_TEXT,
				  "  calls %llu  round trips %llu  in %llu B  out %llu B  wait %s  p99 %s  max %s",
				  (unsigned long long)x->calls, (unsigned long long)x->roundtrips,
				  (unsigned long long)x->bytes_in, (unsigned long long)x->bytes_out,
				  tui_fmt_dur(x->wait_ns, a, sizeof(a)), tui_fmt_dur(x->p99_ns, b, sizeof(b)),
				  tui_fmt_dur(x->max_ns, c, sizeof(c)));
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
		err = err ?: detail_connections(out, s, x->peer);
		break;
	}
	}
	return err;
}
