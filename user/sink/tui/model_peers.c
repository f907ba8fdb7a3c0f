/* The Peers view: the remote ends processes wait on (calls, round trips,
 * wait time); its drill-down is the histogram and every connection to the
 * peer. */
#include <errno.h>
#include <string.h>
#include "sink/tui/model_int.h"

static const struct tui_col peer_cols[] = {
	{ "PID", 7, TC_PID, "pid" },	     { "COMM", 13, TC_STR, "comm" },
	{ "PEER", 22, TC_STR, "peer" },	     { "CALLS", 6, TC_NUM, "calls" },
	{ "RTRIPS", 6, TC_NUM, "roundtrips" }, { "WAIT", 6, TC_DUR, "wait_ns" },
	{ "P99", 6, TC_DUR, "p99_ns" },	     { "MAX", 5, TC_DUR, "max_ns" },
};

static int peers_build(struct tui_table *t, const struct snapshot *s)
{
	const struct snap_section *sec = snap_section_named("peers");

	for (size_t i = 0; i < s->peers.len; i++) {
		const struct snap_peer *x = vec_at(&s->peers, struct snap_peer, i);
		struct tui_row *r = tui_row_add(t, TS_PEER, x, x->pid, x->comm, x->peer);

		if (!r)
			return -ENOMEM;
		r->service = x->service;
		tui_row_fill(r, peer_cols, TUI_NCOLS(peer_cols), sec, x);
		r->hot = x->p99_ns > TUI_HOT_P99_NS;
	}
	return 0;
}

/* Every TCP row and pool waiting on one remote end. */
int tui_peer_connections_add(struct tui_lines *out, const struct snapshot *s, const char *peer)
{
	char name[SNAP_PEER_LEN + 8], a[16], b[16];
	size_t i, found = 0;
	int err = tui_lines_add(out, TL_TITLE, "Connections to %s", peer);

	for (i = 0; i < s->tcp_retrans.len && !err; i++) {
		const struct snap_tcp_retrans *x = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		tui_tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = tui_lines_add(out, TL_HOT, "  %-7u %-15s %s:%u  %-11s retransmits %llu", x->pid, x->comm,
				    x->saddr, x->sport, x->state, (unsigned long long)x->count);
	}
	for (i = 0; i < s->tcp_resets.len && !err; i++) {
		const struct snap_tcp_reset *x = vec_at(&s->tcp_resets, struct snap_tcp_reset, i);

		tui_tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = tui_lines_add(out, TL_TEXT, "  %-7u %-15s %s:%u  resets %s %llu", x->pid, x->comm,
				    x->saddr, x->sport, x->direction, (unsigned long long)x->count);
	}
	for (i = 0; i < s->tcp_connect.len && !err; i++) {
		const struct snap_tcp_connect *x = vec_at(&s->tcp_connect, struct snap_tcp_connect, i);

		tui_tcp_peer_name(name, sizeof(name), x->daddr, x->dport);
		if (strcmp(name, peer))
			continue;
		found++;
		err = tui_lines_add(out, x->failed ? TL_HOT : TL_TEXT,
				    "  %-7u %-15s connects %llu failed %llu p99 %s max %s", x->pid, x->comm,
				    (unsigned long long)x->count, (unsigned long long)x->failed,
				    tui_fmt_dur(x->p99_ns, a, sizeof(a)), tui_fmt_dur(x->max_ns, b, sizeof(b)));
	}
	for (i = 0; i < s->peers.len && !err; i++) {
		const struct snap_peer *x = vec_at(&s->peers, struct snap_peer, i);

		if (strcmp(x->peer, peer))
			continue;
		found++;
		err = tui_lines_add(out, TL_TEXT, "  %-7u %-15s calls %llu round trips %llu wait %s p99 %s",
				    x->pid, x->comm, (unsigned long long)x->calls,
				    (unsigned long long)x->roundtrips, tui_fmt_dur(x->wait_ns, a, sizeof(a)),
				    tui_fmt_dur(x->p99_ns, b, sizeof(b)));
	}
	for (i = 0; i < s->pools.len && !err; i++) {
		const struct snap_pool *x = vec_at(&s->pools, struct snap_pool, i);

		for (size_t j = 0; j < x->blocked_on.len && !err; j++) {
			const struct snap_pool_blocked *bo =
				vec_at(&x->blocked_on, struct snap_pool_blocked, j);

			if (strcmp(bo->peer, peer))
				continue;
			found++;
			err = tui_lines_add(out, TL_TEXT, "  %-7u %-15s pool %s blocked on it %s", x->pid,
					    x->comm, x->pool, tui_fmt_dur(bo->io_ns, a, sizeof(a)));
		}
	}
	if (!found && !err)
		err = tui_lines_add(out, TL_DIM, "  (none this interval)");
	return err;
}

static int peers_detail(const struct tui_row *r, const struct snapshot *s, int width,
			int hist_rows, struct tui_lines *out)
{
	const struct snap_peer *x = r->src;
	char a[16], b[16], c[16];
	int err;

	err = tui_lines_add(out, TL_TITLE, "Peer %s of %u %s", x->peer, x->pid, x->comm);
	err = err ?: tui_lines_add(out, TL_TEXT,
				   "  calls %llu  round trips %llu  in %llu B  out %llu B  wait %s  p99 %s  max %s",
				   (unsigned long long)x->calls, (unsigned long long)x->roundtrips,
				   (unsigned long long)x->bytes_in, (unsigned long long)x->bytes_out,
				   tui_fmt_dur(x->wait_ns, a, sizeof(a)), tui_fmt_dur(x->p99_ns, b, sizeof(b)),
				   tui_fmt_dur(x->max_ns, c, sizeof(c)));
	err = err ?: tui_hist_lines(x->hist, x->max_ns, width, hist_rows, out);
	err = err ?: tui_peer_connections_add(out, s, x->peer);
	return err;
}

const struct tui_view_def tui_peers_view = {
	.cols = peer_cols, .ncols = TUI_NCOLS(peer_cols), .sort = 5,
	.build = peers_build, .detail = peers_detail,
};
