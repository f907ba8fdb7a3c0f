/* The Overview: one row per process, aggregated over the snapshot's lists
 * (worst syscall, time in syscalls, lock wait, retransmits, pool
 * saturation, longest blocked call, requests per second and their p99
 * over all its listeners) and its service. The aggregates are also what
 * the grouped Overview (model_services.c) sums per service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sink/tui/model_int.h"

/* durations and counts take 5 columns at most (tui_fmt_dur, tui_fmt_num).
 * At 80 columns COMM and WORST are cut to 8 and 7 and SERVICE to 7; a
 * wider screen gives COMM its 15 first, then WORST 15 (clock_nanosleep),
 * then the rest to SERVICE. REQ/S and RQP99 are "-" for a process serving
 * no requests (or with the requests family off). */
static const struct tui_col overview_cols[] = {
	{ "PID", 7, TC_PID },
	{ "COMM", 8, TC_STR, NULL, true, 7 },
	{ "WORST", 7, TC_STR, NULL, true, 8 },
	{ "P99", 5, TC_DUR },	 { "SYS", 5, TC_DUR },	  { "LOCK", 5, TC_DUR },
	{ "RETR", 5, TC_NUM },	 { "SAT%", 5, TC_PCT },	  { "BLOCK", 5, TC_DUR },
	{ "REQ/S", 5, TC_RATE }, { "RQP99", 5, TC_DUR },
	{ "SERVICE", 7, TC_STR, NULL, true },
};

/* Overview: one aggregate per process, found through a small open-addressed
 * index rebuilt with every snapshot. */
struct proc_index {
	size_t *slot;		/* 1 + index into t->procs, 0: empty */
	size_t mask;
};

static struct tui_proc *proc_get(struct tui_table *t, struct proc_index *ix, __u32 pid,
				 const char *comm, const char *service)
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
	t->procs[t->nprocs] = (struct tui_proc){ .pid = pid, .comm = comm, .service = service,
						 .worst_syscall = "" };
	ix->slot[h] = ++t->nprocs;
	return &t->procs[t->nprocs - 1];
}


void tui_procs_clear(struct tui_table *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		tui_reqs_free(&t->procs[i].reqs);
	t->nprocs = 0;
}

/* t->procs holds at least most aggregates (proc_get never grows it). */
static int procs_reserve(struct tui_table *t, size_t most)
{
	tui_procs_clear(t);
	if (t->proccap < most) {
		void *np = realloc(t->procs, most * sizeof(*t->procs));

		if (!np)
			return -ENOMEM;
		t->procs = np;
		t->proccap = most;
	}
	return 0;
}

/* Each listener's requests merged into its process's, the p99 read from
 * the sum. 0 or -ENOMEM. */
static int procs_requests(struct tui_table *t, struct proc_index *ix, const struct snapshot *s)
{
	for (size_t i = 0; i < s->requests.len; i++) {
		const struct snap_request *q = vec_at(&s->requests, struct snap_request, i);
		struct tui_proc *p = proc_get(t, ix, q->pid, q->comm, q->service);

		if (tui_reqs_add(&p->reqs, q->hist, q->requests, q->max_ns))
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->nprocs; i++)
		tui_reqs_p99(&t->procs[i].reqs);
	return 0;
}

/* Each list of s adds its part to its process's aggregate. */
static void procs_aggregate(struct tui_table *t, struct proc_index *ix, const struct snapshot *s)
{
	struct tui_proc *p;
	size_t i;

	for (i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		p = proc_get(t, ix, r->pid, r->comm, r->service);
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

		p = proc_get(t, ix, r->pid, r->comm, r->service);
		if (r->elapsed_ns > p->blocked_ns)
			p->blocked_ns = r->elapsed_ns;
	}
	for (i = 0; i < s->tcp_retrans.len; i++) {
		const struct snap_tcp_retrans *r = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		if (!r->pid)
			continue;	/* retransmitted by the kernel on no one's behalf */
		p = proc_get(t, ix, r->pid, r->comm, r->service);
		p->retrans += r->count;
	}
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *r = vec_at(&s->user_locks, struct snap_user_lock, i);

		if (!tui_lock_kind_waits(r->kind))
			continue;
		p = proc_get(t, ix, r->pid, r->comm, r->service);
		p->lock_ns += r->total_ns;
	}
	for (i = 0; i < s->pools.len; i++) {
		const struct snap_pool *r = vec_at(&s->pools, struct snap_pool, i);

		p = proc_get(t, ix, r->pid, r->comm, r->service);
		if (r->saturated_pct > p->sat_pct || !p->has_pool)
			p->sat_pct = r->saturated_pct;
		p->has_pool = true;
	}
}

/* One row per aggregate. */
static int procs_rows_add(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		struct tui_proc *q = &t->procs[i];
		struct tui_row *r = tui_row_add(t, TS_PROC, q, q->pid, q->comm, "");

		if (!r)
			return -ENOMEM;
		r->service = q->service;
		r->v[0].u = q->pid;
		r->v[1].s = q->comm;
		r->v[2].s = q->worst_syscall;
		r->v[3].u = q->worst_p99_ns;
		r->v[4].u = q->sys_ns;
		r->v[5].u = q->lock_ns;
		r->v[6].u = q->retrans;
		r->v[7].d = q->has_pool ? q->sat_pct : -1;
		r->v[8].u = q->blocked_ns;
		r->v[9].d = tui_reqs_rate(&q->reqs, s);
		r->v[10].u = q->reqs.p99_ns;
		r->v[11].s = q->service;
		r->hot = q->worst_p99_ns > TUI_HOT_P99_NS || q->retrans || q->sat_pct > TUI_HOT_SAT_PCT;
	}
	return 0;
}

int tui_procs_build(struct tui_table *t, const struct snapshot *s)
{
	size_t most = s->syscalls.len + s->inflight.len + s->tcp_retrans.len +
		      s->user_locks.len + s->pools.len + s->requests.len + 1, cap = 16;
	struct proc_index ix;
	int err;

	while (cap < most * 2)
		cap <<= 1;
	if (procs_reserve(t, most))
		return -ENOMEM;
	ix.mask = cap - 1;
	ix.slot = calloc(cap, sizeof(*ix.slot));
	if (!ix.slot)
		return -ENOMEM;
	procs_aggregate(t, &ix, s);
	err = procs_requests(t, &ix, s);
	free(ix.slot);
	return err;
}

static int overview_build(struct tui_table *t, const struct snapshot *s)
{
	return tui_procs_build(t, s) ?: procs_rows_add(t, s);
}

/* Enter on a process goes to its syscalls (keys.c); this is what a
 * drill-down into one says. */
static int overview_detail(const struct tui_row *r, const struct snapshot *s, int width,
			   int hist_rows, struct tui_lines *out)
{
	const struct tui_proc *p = r->src;

	return tui_lines_add(out, TL_TITLE, "Process %u %s (%s)", p->pid, p->comm, p->service);
}

const struct tui_view_def tui_overview_view = {
	.cols = overview_cols, .ncols = TUI_NCOLS(overview_cols), .sort = 3,
	.build = overview_build, .detail = overview_detail,
};
