/* The Syscalls view: one row per process and syscall; its drill-down is
 * the latency histogram. */
#include <errno.h>
#include "sink/tui/model_int.h"

static const struct tui_col syscall_cols[] = {
	{ "PID", 7, TC_PID },  { "COMM", 15, TC_STR }, { "SYSCALL", 14, TC_STR },
	{ "COUNT", 6, TC_NUM }, { "ERR", 5, TC_NUM },	{ "TOTAL", 6, TC_DUR },
	{ "P50", 6, TC_DUR },	{ "P99", 6, TC_DUR },	{ "MAX", 6, TC_DUR },
};

static int syscalls_build(struct tui_table *t, const struct snapshot *s)
{
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *x = vec_at(&s->syscalls, struct snap_syscall, i);
		struct tui_row *r = tui_row_add(t, TS_SYSCALL, x, x->pid, x->comm, x->syscall);

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

static int syscalls_detail(const struct tui_row *r, const struct snapshot *s, int width,
			   int hist_rows, struct tui_lines *out)
{
	const struct snap_syscall *x = r->src;
	char a[16], b[16], c[16], d[16], e[16], f[16];
	int err;

	err = tui_lines_add(out, TL_TITLE, "%s by %u %s: latency histogram", x->syscall, x->pid, x->comm);
	err = err ?: tui_lines_add(out, TL_TEXT, "  calls %llu  errors %llu  total %s",
				   (unsigned long long)x->count, (unsigned long long)x->errors,
				   tui_fmt_dur(x->total_ns, a, sizeof(a)));
	err = err ?: tui_lines_add(out, TL_TEXT, "  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
				   tui_fmt_dur(x->p50_ns, b, sizeof(b)), tui_fmt_dur(x->p90_ns, c, sizeof(c)),
				   tui_fmt_dur(x->p99_ns, d, sizeof(d)), tui_fmt_dur(x->p999_ns, e, sizeof(e)),
				   tui_fmt_dur(x->max_ns, f, sizeof(f)));
	err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
	return err;
}

const struct tui_view_def tui_syscalls_view = {
	.cols = syscall_cols, .ncols = TUI_NCOLS(syscall_cols), .sort = 5,
	.build = syscalls_build, .detail = syscalls_detail,
};
