/* The Locks view: kernel locks and user-space locks (futexes, mutexes,
 * condvars), one row per lock; its drill-down is the stack and the wait
 * time histogram. */
#include <errno.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col lock_cols[] = {
	/* kernel and user rows share the columns: pid and comm are the user
	 * rows' (kernel ones say [kernel]); LOCK and TYPE are set by hand */
	{ "PID", 7, TC_PID, "pid" },	     { "COMM", 13, TC_STR, "comm" },
	{ "LOCK", 19, TC_STR },		     { "TYPE", 10, TC_STR },
	{ "COUNT", 6, TC_NUM, "count" },     { "TOTAL", 6, TC_DUR, "total_ns" },
	{ "P99", 5, TC_DUR, "p99_ns" },	     { "MAX", 5, TC_DUR, "max_ns" },
};

bool tui_lock_kind_waits(const char *kind)
{
	/* condvar and plain futex waits are waiting for work, not for a lock */
	return strcmp(kind, "condvar") && strcmp(kind, "futex");
}

static int locks_build(struct tui_table *t, const struct snapshot *s)
{
	const struct snap_section *ksec = snap_section_named("kernel");
	const struct snap_section *usec = snap_section_named("user");
	size_t i;

	for (i = 0; i < s->kernel_locks.len; i++) {
		const struct snap_kernel_lock *x = vec_at(&s->kernel_locks, struct snap_kernel_lock, i);
		struct tui_row *r = tui_row_add(t, TS_KLOCK, x, 0, "[kernel]",
						*x->symbol ? x->symbol : x->lock);

		if (!r)
			return -ENOMEM;
		tui_row_fill(r, lock_cols, TUI_NCOLS(lock_cols), ksec, x);
		r->v[1].s = "[kernel]";
		r->v[2].s = r->name2;
		r->v[3].s = x->type;
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *x = vec_at(&s->user_locks, struct snap_user_lock, i);
		/* the innermost symbol says more than an address, when known */
		const char *what = x->nstack && x->stack[0] && *x->stack[0] ? x->stack[0] : x->uaddr;
		struct tui_row *r = tui_row_add(t, TS_ULOCK, x, x->pid, x->comm, x->uaddr);

		if (!r)
			return -ENOMEM;
		r->service = x->service;
		tui_row_fill(r, lock_cols, TUI_NCOLS(lock_cols), usec, x);
		r->v[2].s = what;
		r->v[3].s = x->kind;
		r->hot = tui_lock_kind_waits(x->kind) && x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

/* how: a user stack's "unwind" ("fp", "dwarf"; "" or NULL: not said) */
static int stack_lines_add(struct tui_lines *out, char **stack, size_t n, const char *how)
{
	const char *by = how && !strcmp(how, "dwarf") ? ", unwound by CFI" :
			 how && !strcmp(how, "fp") ? ", walked by frame pointers" : "";
	int err = tui_lines_add(out, TL_TITLE, "Stack (innermost first%s)", by);

	if (!n)
		err = err ?: tui_lines_add(out, TL_DIM, "  (no stack recorded)");
	for (size_t i = 0; i < n && !err; i++)
		err = tui_lines_add(out, TL_TEXT, "  #%-2zu %s", i, stack[i] ? stack[i] : "?");
	return err;
}

static int locks_detail(const struct tui_row *r, const struct snapshot *s, int width,
			int hist_rows, struct tui_lines *out)
{
	char a[16], b[16], c[16];
	int err;

	if (r->src_kind == TS_KLOCK) {
		const struct snap_kernel_lock *x = r->src;

		err = tui_lines_add(out, TL_TITLE, "Kernel lock %s %s (%s)", x->lock, x->symbol, x->type);
		err = err ?: tui_lines_add(out, TL_TEXT, "  waits %llu  total %s  p99 %s  max %s",
					   (unsigned long long)x->count, tui_fmt_dur(x->total_ns, a, sizeof(a)),
					   tui_fmt_dur(x->p99_ns, b, sizeof(b)), tui_fmt_dur(x->max_ns, c, sizeof(c)));
		err = err ?: stack_lines_add(out, x->stack, x->nstack, NULL);
		err = err ?: tui_lines_add(out, TL_TITLE, "Wait time");
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
	} else {
		const struct snap_user_lock *x = r->src;

		err = tui_lines_add(out, TL_TITLE, "%s %s in %u %s", x->kind, x->uaddr, x->pid, x->comm);
		err = err ?: tui_lines_add(out, TL_TEXT, "  waits %llu  total %s  p99 %s  max %s",
					   (unsigned long long)x->count, tui_fmt_dur(x->total_ns, a, sizeof(a)),
					   tui_fmt_dur(x->p99_ns, b, sizeof(b)), tui_fmt_dur(x->max_ns, c, sizeof(c)));
		err = err ?: stack_lines_add(out, x->stack, x->nstack, x->unwind);
		err = err ?: tui_lines_add(out, TL_TITLE, "Wait time");
		err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
	}
	return err;
}

const struct tui_view_def tui_locks_view = {
	.cols = lock_cols, .ncols = TUI_NCOLS(lock_cols), .sort = 5,
	.build = locks_build, .detail = locks_detail,
};
