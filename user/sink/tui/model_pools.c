/* The Pools view: thread pools, one row per pool with its threads' states
 * as a bar; its drill-down is every thread's states and what the pool is
 * blocked on. */
#include <errno.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col pool_cols[] = {
	{ "PID", 7, TC_PID, "pid" },	     { "COMM", 13, TC_STR, "comm" },
	{ "POOL", 13, TC_STR, "pool" },	     { "THR", 4, TC_NUM, "threads" },
	{ "BUSY%", 5, TC_PCT, "busy_pct" },    { "SAT%", 5, TC_PCT, "saturated_pct" },
	{ "STATES CRLI.", 18, TC_BAR },	     { "RUNQ99", 6, TC_DUR, "runq_p99_ns" },
};

static int pools_build(struct tui_table *t, const struct snapshot *s)
{
	const struct snap_section *sec = snap_section_named("pools");

	for (size_t i = 0; i < s->pools.len; i++) {
		const struct snap_pool *x = vec_at(&s->pools, struct snap_pool, i);
		struct tui_row *r = tui_row_add(t, TS_POOL, x, x->pid, x->comm, x->pool);

		if (!r)
			return -ENOMEM;
		r->service = x->service;
		tui_row_fill(r, pool_cols, TUI_NCOLS(pool_cols), sec, x);
		/* the bar sorts by how much of the time was not idle */
		r->v[6].d = x->busy_pct;
		r->hot = x->saturated_pct > TUI_HOT_SAT_PCT;
	}
	return 0;
}

/* The STATES column and the drill-down's bars. */
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

/* The pool's states, each thread's, and what the pool is blocked on. */
static int pool_lines_add(struct tui_lines *out, const struct snap_pool *p, int width)
{
	char a[16], b[16], c[16], d[16], e[16], bar[64];
	int err;

	tui_state_bar(p->oncpu_ns, p->runq_ns, p->lock_ns, p->io_ns, p->idle_ns, bar, 40);
	err = tui_lines_add(out, TL_TEXT, "  %u workers  busy %.1f%%  saturated %.1f%%  runq p99 %s",
			    p->threads, p->busy_pct, p->saturated_pct,
			    tui_fmt_dur(p->runq_p99_ns, a, sizeof(a)));
	err = err ?: tui_lines_add(out, TL_TEXT, "  [%s]  C oncpu R runq L lock I io . idle", bar);
	err = err ?: tui_lines_add(out, TL_TEXT, "  oncpu %s  runq %s  lock %s  io %s  idle %s",
				   tui_fmt_dur(p->oncpu_ns, a, sizeof(a)), tui_fmt_dur(p->runq_ns, b, sizeof(b)),
				   tui_fmt_dur(p->lock_ns, c, sizeof(c)), tui_fmt_dur(p->io_ns, d, sizeof(d)),
				   tui_fmt_dur(p->idle_ns, e, sizeof(e)));
	err = err ?: tui_lines_add(out, TL_TITLE, "Threads");
	if (!p->thread_list.len && !err)
		err = tui_lines_add(out, TL_DIM, "  (no per-thread rows in this snapshot)");
	for (size_t i = 0; i < p->thread_list.len && !err; i++) {
		const struct snap_pool_thread *t = vec_at(&p->thread_list, struct snap_pool_thread, i);
		__u64 total = t->oncpu_ns + t->runq_ns + t->lock_ns + t->io_ns + t->idle_ns;
		int bw = width - 48 > 10 ? (width - 48 < 40 ? width - 48 : 40) : 10;

		tui_state_bar(t->oncpu_ns, t->runq_ns, t->lock_ns, t->io_ns, t->idle_ns, bar, bw);
		err = tui_lines_add(out, total && t->idle_ns == 0 ? TL_HOT : TL_TEXT,
				    "  %-7u %-15s [%s] idle %s", t->tid, t->comm, bar,
				    tui_fmt_dur(t->idle_ns, a, sizeof(a)));
	}
	for (size_t i = 0; i < p->others.len && !err; i++) {
		const struct snap_pool_other *o = vec_at(&p->others, struct snap_pool_other, i);

		err = tui_lines_add(out, TL_DIM, "  %-7u (%s, not a worker)", o->tid, o->role);
	}
	if (p->blocked_on.len && !err)
		err = tui_lines_add(out, TL_TITLE, "Blocked on");
	for (size_t i = 0; i < p->blocked_on.len && !err; i++) {
		const struct snap_pool_blocked *bo = vec_at(&p->blocked_on, struct snap_pool_blocked, i);

		err = tui_lines_add(out, TL_TEXT, "  %-40s io %s", bo->peer, tui_fmt_dur(bo->io_ns, a, sizeof(a)));
	}
	return err;
}

static int pools_detail(const struct tui_row *r, const struct snapshot *s, int width,
			int hist_rows, struct tui_lines *out)
{
	const struct snap_pool *x = r->src;
	int err;

	err = tui_lines_add(out, TL_TITLE, "Pool %s of %u %s", x->pool, x->pid, x->comm);
	err = err ?: pool_lines_add(out, x, width);
	return err;
}

const struct tui_view_def tui_pools_view = {
	.cols = pool_cols, .ncols = TUI_NCOLS(pool_cols), .sort = 5,
	.build = pools_build, .detail = pools_detail,
};
