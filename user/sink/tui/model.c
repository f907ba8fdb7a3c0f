/* The TUI's table: the views' columns (each view's own file,
 * model_<view>.c, defines them), a view's rows built from a snapshot, the
 * filter, the sort, and a row found again by its identity in the next
 * snapshot. No curses here nor in any model*.c, so that all of it is
 * unit-tested (tests/unit/sink/tui/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sink/tui/model_int.h"

const char *const tui_view_names[TV_TABLES] = {
	"Overview", "Syscalls", "TCP", "Locks", "Pools", "Peers", "Requests", "Services",
};

const struct tui_view_def *tui_view_def_get(enum tui_view v)
{
	static const struct tui_view_def *const views[TV_TABLES] = {
		[TV_OVERVIEW] = &tui_overview_view, [TV_SYSCALLS] = &tui_syscalls_view,
		[TV_TCP] = &tui_tcp_view,	    [TV_LOCKS] = &tui_locks_view,
		[TV_POOLS] = &tui_pools_view,	    [TV_PEERS] = &tui_peers_view,
		[TV_SERVICES] = &tui_services_view,
		[TV_REQUESTS] = &tui_requests_view,
	};

	if ((unsigned)v >= TV_TABLES)
		v = TV_OVERVIEW;
	return views[v];
}

const struct tui_col *tui_view_cols(enum tui_view v, int *ncols, int *default_sort)
{
	const struct tui_view_def *d = tui_view_def_get(v);

	if (ncols)
		*ncols = d->ncols;
	if (default_sort)
		*default_sort = d->sort;
	return d->cols;
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
	tui_procs_clear(t);
	free(t->procs);
	tui_services_clear(t);
	free(t->svcs);
	memset(t, 0, sizeof(*t));
}

struct tui_row *tui_row_add(struct tui_table *t, enum tui_src k, const void *src, __u32 pid,
			    const char *name, const char *name2)
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

int tui_table_build(struct tui_table *t, enum tui_view v, const struct snapshot *s)
{
	int err;

	t->view = v;
	t->cols = tui_view_cols(v, &t->ncols, NULL);
	t->nrows = 0;
	t->nshown = 0;
	if (!s)
		return 0;
	err = tui_view_def_get(v)->build(t, s);
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

bool tui_match(const struct tui_filter *f, __u32 pid, const char *name, const char *name2,
	       const char *service)
{
	const char *text = f->text;

	if (f->pid && pid != f->pid)
		return false;
	if (f->service && *f->service && (!service || strcmp(service, f->service)))
		return false;
	if (!text || !*text)
		return true;
	if (all_digits(text) && pid == (__u32)strtoul(text, NULL, 10))
		return true;
	return (name && strcasestr(name, text)) || (name2 && strcasestr(name2, text)) ||
	       (service && strcasestr(service, text));
}

static bool row_matches(const struct tui_row *r, const struct tui_filter *f)
{
	return tui_match(f, r->pid, r->name, r->name2, r->service);
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
	case TC_RATE:
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
	tui_table_select(t, &(struct tui_filter){ .text = filter, .pid = pid }, col, desc);
}

void tui_table_select(struct tui_table *t, const struct tui_filter *f, int col, bool desc)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nrows; i++)
		if (row_matches(&t->rows[i], f))
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

void tui_row_fill(struct tui_row *r, const struct tui_col *cols, int ncols,
		  const struct snap_section *sec, const void *row)
{
	for (int i = 0; sec && i < ncols && i < TUI_MAXCOLS; i++) {
		const struct snap_field *f = snap_field_find(sec, cols[i].field);

		if (!f)
			continue;
		if (f->type == SFT_STR)
			r->v[i].s = (const char *)row + f->off;
		else if (f->type == SFT_F1)
			r->v[i].d = *(const double *)((const char *)row + f->off);
		else if (f->type <= SFT_U64)
			r->v[i].u = snap_field_u64(f, row);
	}
}
