/* The Requests view: per process and listener, the requests its server
 * connections answered in the interval (count, p50, p99, max) and those
 * open now; its drill-down is the histogram, the clients and the requests
 * in flight. */
#include <errno.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col request_cols[] = {
	{ "PID", 7, TC_PID, "pid" },	    { "COMM", 13, TC_STR, "comm" },
	{ "ADDR", 15, TC_STR, "laddr" },    { "PORT", 5, TC_PID, "port" },
	{ "REQS", 6, TC_NUM, "requests" },  { "P50", 6, TC_DUR, "p50_ns" },
	{ "P99", 6, TC_DUR, "p99_ns" },	    { "MAX", 6, TC_DUR, "max_ns" },
	{ "INFL", 4, TC_NUM, "inflight" },
};

static int requests_build(struct tui_table *t, const struct snapshot *s)
{
	const struct snap_section *sec = snap_section_named("requests");

	for (size_t i = 0; i < s->requests.len; i++) {
		const struct snap_request *x = vec_at(&s->requests, struct snap_request, i);
		struct tui_row *r = tui_row_add(t, TS_REQUEST, x, x->pid, x->comm, x->laddr);

		if (!r)
			return -ENOMEM;
		r->aux = x->port;
		tui_row_fill(r, request_cols, TUI_NCOLS(request_cols), sec, x);
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

/* The listener's clients, then its requests in flight. */
static int clients_add(struct tui_lines *out, const struct snapshot *s,
		       const struct snap_request *x)
{
	char a[16], b[16], c[16];
	int err = tui_lines_add(out, TL_TITLE, "Clients (most request time first)");

	for (size_t i = 0; i < x->clients.len && !err; i++) {
		const struct snap_request_client *cl =
			vec_at(&x->clients, struct snap_request_client, i);

		err = tui_lines_add(out, TL_TEXT, "  %-40s requests %-6llu time %-7s p99 %-7s max %s",
				    cl->client, (unsigned long long)cl->requests,
				    tui_fmt_dur(cl->total_ns, a, sizeof(a)),
				    tui_fmt_dur(cl->p99_ns, b, sizeof(b)),
				    tui_fmt_dur(cl->max_ns, c, sizeof(c)));
	}
	if (!x->clients.len && !err)
		err = tui_lines_add(out, TL_DIM, "  (none this interval)");
	err = err ?: tui_lines_add(out, TL_TITLE, "In flight (open 100 ms or more)");
	for (size_t i = 0; i < s->inflight_requests.len && !err; i++) {
		const struct snap_inflight_request *f =
			vec_at(&s->inflight_requests, struct snap_inflight_request, i);

		if (f->pid != x->pid || f->port != x->port || strcmp(f->laddr, x->laddr))
			continue;
		err = tui_lines_add(out, TL_HOT, "  tid %-7u client %-40s open %s", f->tid, f->client,
				    tui_fmt_dur(f->elapsed_ns, a, sizeof(a)));
	}
	return err;
}

static int requests_detail(const struct tui_row *r, const struct snapshot *s, int width,
			   int hist_rows, struct tui_lines *out)
{
	const struct snap_request *x = r->src;
	char a[16], b[16], c[16], d[16];
	char ep[SNAP_ADDR_LEN + 16];
	int err;

	tui_endpoint_fmt(ep, sizeof(ep), x->laddr, x->port);
	err = tui_lines_add(out, TL_TITLE, "Requests to %s of %u %s", ep, x->pid, x->comm);
	err = err ?: tui_lines_add(out, TL_TEXT,
				   "  requests %llu  p50 %s  p90 %s  p99 %s  max %s  in flight %u",
				   (unsigned long long)x->requests, tui_fmt_dur(x->p50_ns, a, sizeof(a)),
				   tui_fmt_dur(x->p90_ns, b, sizeof(b)),
				   tui_fmt_dur(x->p99_ns, c, sizeof(c)),
				   tui_fmt_dur(x->max_ns, d, sizeof(d)), x->inflight);
	err = err ?: tui_lines_add(out, TL_TEXT,
				   "  in %llu B  out %llu B  connections accepted %llu closed %llu",
				   (unsigned long long)x->bytes_in, (unsigned long long)x->bytes_out,
				   (unsigned long long)x->accepted, (unsigned long long)x->closed);
	err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
	err = err ?: clients_add(out, s, x);
	return err;
}

const struct tui_view_def tui_requests_view = {
	.cols = request_cols, .ncols = TUI_NCOLS(request_cols), .sort = 6,
	.build = requests_build, .detail = requests_detail,
};
