/* The TCP view: retransmits, resets and connects, one row per process and
 * remote end; its drill-down is everything about that remote end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col tcp_cols[] = {
	{ "PID", 7, TC_PID },	 { "COMM", 13, TC_STR }, { "EVENT", 10, TC_STR },
	{ "REMOTE", 21, TC_STR }, { "STATE", 11, TC_STR }, { "COUNT", 6, TC_NUM },
	{ "P99", 5, TC_DUR },
};

void tui_endpoint_fmt(char *out, size_t n, const char *addr, __u16 port)
{
	if (strchr(addr, ':'))
		snprintf(out, n, "[%s]:%u", addr, port);
	else
		snprintf(out, n, "%s:%u", addr, port);
}

void tui_tcp_peer_name(char *out, size_t n, const char *addr, __u16 port)
{
	char ep[SNAP_ADDR_LEN + 10];

	tui_endpoint_fmt(ep, sizeof(ep), addr, port);
	snprintf(out, n, "tcp:%s", ep);
}

/* TCP rows need their REMOTE text somewhere to point at: a side buffer. */
struct tcp_text {
	char remote[SNAP_ADDR_LEN + 10];
};
static struct tcp_text *tcp_texts;
static size_t tcp_ntexts;

static int tcp_build(struct tui_table *t, const struct snapshot *s)
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

		tui_endpoint_fmt(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = tui_row_add(t, TS_RETRANS, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->service = x->service;
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

		tui_endpoint_fmt(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = tui_row_add(t, TS_RESET, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->service = x->service;
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

		tui_endpoint_fmt(tcp_texts[k].remote, sizeof(tcp_texts[k].remote), x->daddr, x->dport);
		r = tui_row_add(t, TS_CONNECT, x, x->pid, x->comm, tcp_texts[k].remote);
		if (!r)
			return -ENOMEM;
		r->service = x->service;
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

/* The remote end's totals, every connection to it, and for a connect row
 * its latency. */
static int tcp_detail(const struct tui_row *r, const struct snapshot *s, int width, int hist_rows,
		      struct tui_lines *out)
{
	const struct snap_tcp_connect *cx = r->src;
	const char *daddr = r->src_kind == TS_RETRANS ? ((const struct snap_tcp_retrans *)r->src)->daddr :
			    r->src_kind == TS_RESET ? ((const struct snap_tcp_reset *)r->src)->daddr :
			    cx->daddr;
	__u16 dport = r->src_kind == TS_RETRANS ? ((const struct snap_tcp_retrans *)r->src)->dport :
		      r->src_kind == TS_RESET ? ((const struct snap_tcp_reset *)r->src)->dport :
		      cx->dport;
	char a[16], peer[SNAP_PEER_LEN + 8];
	int err = 0;

	tui_tcp_peer_name(peer, sizeof(peer), daddr, dport);
	for (size_t i = 0; i < s->tcp_peers.len && !err; i++) {
		const struct snap_tcp_peer *p = vec_at(&s->tcp_peers, struct snap_tcp_peer, i);

		if (strcmp(p->daddr, daddr) || p->dport != dport)
			continue;
		err = tui_lines_add(out, TL_TITLE, "Peer %s", peer);
		err = err ?: tui_lines_add(out, p->retransmits ? TL_HOT : TL_TEXT,
					   "  retransmits %llu  resets %llu  connects %llu  failed %llu  connect p99 %s",
					   (unsigned long long)p->retransmits, (unsigned long long)p->resets,
					   (unsigned long long)p->connects,
					   (unsigned long long)p->connect_failed,
					   tui_fmt_dur(p->connect_p99_ns, a, sizeof(a)));
	}
	err = err ?: tui_peer_connections_add(out, s, peer);
	if (r->src_kind == TS_CONNECT && !err) {
		err = tui_lines_add(out, TL_TITLE, "Connect latency");
		err = err ?: tui_hist_lines(cx->hist, cx->max_ns, width, hist_rows, out);
	}
	return err;
}

const struct tui_view_def tui_tcp_view = {
	.cols = tcp_cols, .ncols = TUI_NCOLS(tcp_cols), .sort = 5,
	.build = tcp_build, .detail = tcp_detail,
};
