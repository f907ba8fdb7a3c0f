/* The Syscalls view: one row per process and syscall; its drill-down is
 * the latency histogram. */
#include <errno.h>
#include "sink/tui/model_int.h"

static const struct tui_col syscall_cols[] = {
	{ "PID", 7, TC_PID, "pid" },	   { "COMM", 15, TC_STR, "comm" },
	{ "SYSCALL", 14, TC_STR, "syscall" }, { "COUNT", 6, TC_NUM, "count" },
	{ "ERR", 5, TC_NUM, "errors" },	   { "TOTAL", 6, TC_DUR, "total_ns" },
	{ "P50", 6, TC_DUR, "p50_ns" },	   { "P99", 6, TC_DUR, "p99_ns" },
	{ "MAX", 6, TC_DUR, "max_ns" },
};

static int syscalls_build(struct tui_table *t, const struct snapshot *s)
{
	const struct snap_section *sec = snap_section_named("syscalls");

	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *x = vec_at(&s->syscalls, struct snap_syscall, i);
		struct tui_row *r = tui_row_add(t, TS_SYSCALL, x, x->pid, x->comm, x->syscall);

		if (!r)
			return -ENOMEM;
		r->service = x->service;
		r->aux = x->nr;
		tui_row_fill(r, syscall_cols, TUI_NCOLS(syscall_cols), sec, x);
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
