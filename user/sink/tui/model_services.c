/* The Overview grouped by service (key g): one row per service, summed
 * over its processes' Overview aggregates (model_overview.c): the worst
 * syscall p99 of any of them, time in syscalls, lock wait, retransmits and
 * the pools above 90% saturated, and the p99 of its requests (every
 * listener of its processes, histograms merged: a p99 over the service's
 * requests, not the worst listener's). Enter on one lists its processes
 * (keys.c: the Overview with that service alone). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sink/tui/model_int.h"

/* 80 columns at the least (SERVICE is 16 there and grows with the
 * screen); REQP99 is "-" for a service serving no requests (or with the
 * requests family off) */
static const struct tui_col service_cols[] = {
	{ "SERVICE", 16, TC_STR, NULL, true },	{ "PROCS", 5, TC_NUM },
	{ "WORST", 9, TC_STR },			{ "P99", 6, TC_DUR },
	{ "SYS", 5, TC_DUR },			{ "LOCK", 5, TC_DUR },
	{ "RETR", 5, TC_NUM },			{ "SATPOOLS", 8, TC_NUM },
	{ "REQS", 6, TC_NUM },			{ "REQP99", 6, TC_DUR },
};

static const char *proc_service(const struct tui_proc *p)
{
	return p->service ? p->service : "";
}

static int cmp_by_service(const void *a, const void *b, void *arg)
{
	const struct tui_proc *procs = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(proc_service(&procs[ia]), proc_service(&procs[ib]));

	return c ? c : (ia < ib ? -1 : ia > ib);
}

/* p's aggregate added to v's (its requests merged: 0 or -ENOMEM). */
static int service_add(struct tui_service *v, const struct tui_proc *p)
{
	v->procs++;
	if (p->worst_p99_ns > v->worst_p99_ns || !*v->worst_syscall) {
		if (p->worst_p99_ns >= v->worst_p99_ns && *p->worst_syscall) {
			v->worst_p99_ns = p->worst_p99_ns;
			v->worst_syscall = p->worst_syscall;
		}
	}
	v->sys_ns += p->sys_ns;
	v->lock_ns += p->lock_ns;
	v->retrans += p->retrans;
	return tui_reqs_add(&v->reqs, p->reqs.hist, p->reqs.requests, p->reqs.max_ns);
}

static int services_pools(struct tui_table *t, const struct snapshot *s);

/* The last build's merged request histograms, freed. */
void tui_services_clear(struct tui_table *t)
{
	for (size_t j = 0; j < t->nsvcs; j++)
		tui_reqs_free(&t->svcs[j].reqs);
	t->nsvcs = 0;
}

/* t->svcs from t->procs: the processes sorted by service, each run one
 * service; the p99 of its requests read from its processes' merged.
 * Saturated pools are counted from s (a process may have several). */
static int services_group(struct tui_table *t, const struct snapshot *s)
{
	size_t *ix = malloc((t->nprocs ? t->nprocs : 1) * sizeof(*ix));

	tui_services_clear(t);
	if (!ix)
		return -ENOMEM;
	if (t->svccap < t->nprocs) {
		void *nv = realloc(t->svcs, t->nprocs * sizeof(*t->svcs));

		if (!nv) {
			free(ix);
			return -ENOMEM;
		}
		t->svcs = nv;
		t->svccap = t->nprocs;
	}
	for (size_t i = 0; i < t->nprocs; i++)
		ix[i] = i;
	qsort_r(ix, t->nprocs, sizeof(*ix), cmp_by_service, t->procs);
	t->nsvcs = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct tui_proc *p = &t->procs[ix[i]];
		struct tui_service *v = t->nsvcs ? &t->svcs[t->nsvcs - 1] : NULL;

		if (!v || strcmp(v->service, proc_service(p))) {
			v = &t->svcs[t->nsvcs++];
			*v = (struct tui_service){ .service = proc_service(p), .worst_syscall = "" };
		}
		if (service_add(v, p)) {
			free(ix);
			return -ENOMEM;
		}
	}
	free(ix);
	for (size_t j = 0; j < t->nsvcs; j++)
		tui_reqs_p99(&t->svcs[j].reqs);
	return services_pools(t, s);
}

/* The service of t->svcs named name, or NULL */
static struct tui_service *service_named(struct tui_table *t, const char *name)
{
	for (size_t j = 0; j < t->nsvcs; j++)
		if (!strcmp(t->svcs[j].service, name))
			return &t->svcs[j];
	return NULL;
}

/* Pools above TUI_HOT_SAT_PCT per service (a process may have several). */
static int services_pools(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < s->pools.len; i++) {
		const struct snap_pool *p = vec_at(&s->pools, struct snap_pool, i);

		struct tui_service *v;

		if (p->saturated_pct > TUI_HOT_SAT_PCT && (v = service_named(t, p->service)))
			v->sat_pools++;
	}
	return 0;
}

static int services_build(struct tui_table *t, const struct snapshot *s)
{
	int err = tui_procs_build(t, s) ?: services_group(t, s);

	for (size_t i = 0; !err && i < t->nsvcs; i++) {
		const struct tui_service *v = &t->svcs[i];
		struct tui_row *r = tui_row_add(t, TS_SERVICE, v, 0, "", v->service);

		if (!r)
			return -ENOMEM;
		r->service = v->service;
		r->v[0].s = *v->service ? v->service : "-";	/* an older recording's */
		r->v[1].u = v->procs;
		r->v[2].s = v->worst_syscall;
		r->v[3].u = v->worst_p99_ns;
		r->v[4].u = v->sys_ns;
		r->v[5].u = v->lock_ns;
		r->v[6].u = v->retrans;
		r->v[7].u = v->sat_pools;
		r->v[8].u = v->reqs.requests;
		r->v[9].u = v->reqs.p99_ns;
		r->hot = v->worst_p99_ns > TUI_HOT_P99_NS || v->retrans || v->sat_pools;
	}
	return err;
}

/* Enter on a service lists its processes (keys.c); this is what a
 * drill-down into one says. */
static int services_detail(const struct tui_row *r, const struct snapshot *s, int width,
			   int hist_rows, struct tui_lines *out)
{
	const struct tui_service *v = r->src;

	return tui_lines_add(out, TL_TITLE, "Service %s: %u processes", v->service, v->procs);
}

const struct tui_view_def tui_services_view = {
	.cols = service_cols, .ncols = TUI_NCOLS(service_cols), .sort = 3,
	.build = services_build, .detail = services_detail,
};
