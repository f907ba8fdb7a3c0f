/* The Requests view: per process and listener, the requests its server
 * connections answered in the interval (count, p50, p99, max), those open
 * now and the accept queue's p99 wait; its drill-down is the histogram,
 * why (the time split, round trips per downstream peer), the accept queue,
 * the clients and the requests in flight. */
#include <errno.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col request_cols[] = {
	{ "PID", 7, TC_PID, "pid" },	    { "COMM", 11, TC_STR, "comm" },
	{ "ADDR", 15, TC_STR, "laddr", true }, { "PORT", 5, TC_PID, "port" },
	{ "REQS", 6, TC_NUM, "requests" },  { "P50", 6, TC_DUR, "p50_ns" },
	{ "P99", 6, TC_DUR, "p99_ns" },	    { "MAX", 6, TC_DUR, "max_ns" },
	{ "INFL", 4, TC_NUM, "inflight" },  { "AQ99", 5, TC_DUR },
};
#define COL_AQ99 9

/* The accept queue of x's listener in s, or NULL. */
static const struct snap_listener *listener_of(const struct snapshot *s,
					       const struct snap_request *x)
{
	for (size_t i = 0; i < s->listeners.len; i++) {
		const struct snap_listener *l = vec_at(&s->listeners, struct snap_listener, i);

		if (l->pid == x->pid && l->port == x->port && !strcmp(l->laddr, x->laddr))
			return l;
	}
	return NULL;
}

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
		const struct snap_listener *l = listener_of(s, x);

		r->v[COL_AQ99].u = l ? l->p99_ns : 0;
		r->hot = x->p99_ns > TUI_HOT_P99_NS || (l && l->full);
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

/* The listener's accept queue: its waits, the queue found and its limit. */
static int accept_queue_add(struct tui_lines *out, const struct snapshot *s,
			    const struct snap_request *x)
{
	const struct snap_listener *l = listener_of(s, x);
	char a[16], b[16], c[16];
	int err = tui_lines_add(out, TL_TITLE, "Accept queue (handshake done to accept)");

	if (!l)
		return err ?: tui_lines_add(out, TL_DIM, "  (no accept this interval)");
	err = err ?: tui_lines_add(out, TL_TEXT,
				   "  accepted %llu  waited p50 %s  p99 %s  max %s",
				   (unsigned long long)l->accepted, tui_fmt_dur(l->p50_ns, a, sizeof(a)),
				   tui_fmt_dur(l->p99_ns, b, sizeof(b)),
				   tui_fmt_dur(l->max_ns, c, sizeof(c)));
	err = err ?: tui_lines_add(out, l->full ? TL_HOT : TL_TEXT,
				   "  longest queue found %u of %u%s  (host: %llu overflows, %llu drops)",
				   l->queue_max, l->backlog + 1,
				   l->full ? ", full: connections refused" : "",
				   (unsigned long long)s->listen.overflows,
				   (unsigned long long)s->listen.drops);
	return err;
}

/* Why: the time split of the attributable requests as a bar, and their
 * round trips per request per downstream peer. */
static int why_add(struct tui_lines *out, const struct snap_request *x)
{
	__u64 t = x->why_oncpu_ns + x->why_runq_ns + x->why_lock_ns + x->why_io_ns;
	char a[16], b[16], c[16], d[16], bar[64];
	int err = tui_lines_add(out, TL_TITLE, "Why (time of the requests their thread served alone)");

	if (!x->why_requests || !t) {
		if (x->not_attributable)
			err = err ?: tui_lines_add(out, TL_DIM,
						   "  (not attributable: %llu requests shared their thread)",
						   (unsigned long long)x->not_attributable);
		else
			err = err ?: tui_lines_add(out, TL_DIM,
						   "  (no split: the pools family does not follow the threads)");
	} else {
		tui_state_bar(x->why_oncpu_ns, x->why_runq_ns, x->why_lock_ns, x->why_io_ns, 0,
			      bar, 40);
		err = err ?: tui_lines_add(out, TL_TEXT, "  [%s]  C oncpu R runq L lock I io", bar);
		err = err ?: tui_lines_add(out, TL_TEXT,
					   "  %llu requests: oncpu %s  runq %s  lock %s  io %s;"
					   " %llu not attributable",
					   (unsigned long long)x->why_requests,
					   tui_fmt_dur(x->why_oncpu_ns, a, sizeof(a)),
					   tui_fmt_dur(x->why_runq_ns, b, sizeof(b)),
					   tui_fmt_dur(x->why_lock_ns, c, sizeof(c)),
					   tui_fmt_dur(x->why_io_ns, d, sizeof(d)),
					   (unsigned long long)x->not_attributable);
	}
	err = err ?: tui_lines_add(out, TL_TITLE, "Round trips per request, per downstream peer");
	for (size_t i = 0; i < x->roundtrips.len && !err; i++) {
		const struct snap_request_rt *r = vec_at(&x->roundtrips, struct snap_request_rt, i);

		err = tui_lines_add(out, r->p99 >= 20 ? TL_HOT : TL_TEXT,
				    "  %-40s requests %-6llu p50 %-4llu p99 %-4llu max %-4llu io %s",
				    r->peer, (unsigned long long)r->requests,
				    (unsigned long long)r->p50, (unsigned long long)r->p99,
				    (unsigned long long)r->max, tui_fmt_dur(r->io_ns, a, sizeof(a)));
	}
	if (!x->roundtrips.len && !err)
		err = tui_lines_add(out, TL_DIM, "  (none this interval)");
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
	err = err ?: why_add(out, x);
	err = err ?: accept_queue_add(out, s, x);
	err = err ?: clients_add(out, s, x);
	return err;
}

const struct tui_view_def tui_requests_view = {
	.cols = request_cols, .ncols = TUI_NCOLS(request_cols), .sort = 6,
	.build = requests_build, .detail = requests_detail,
};
