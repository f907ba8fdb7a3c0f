/* What the model's files (model*.c) share among themselves; the rest of
 * the TUI uses model.h. model.c is the table, model_<view>.c one view
 * each: its columns, its rows, its drill-down. */
#ifndef LATSCOPE_TUI_MODEL_INT_H
#define LATSCOPE_TUI_MODEL_INT_H

#include "sink/tui/model.h"

#define TUI_NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One view's part of the model. */
struct tui_view_def {
	/* fit in 80 columns with one space between columns
	 * (tests/unit/sink/tui/test_tui_format.c checks it) */
	const struct tui_col *cols;
	int ncols;
	int sort;		/* the column sorted by at first */
	/* appends the view's rows of s to t: 0 or -ENOMEM */
	int (*build)(struct tui_table *t, const struct snapshot *s);
	/* the drill-down of one of the view's rows (model.h: tui_detail) */
	int (*detail)(const struct tui_row *r, const struct snapshot *s, int width, int hist_rows,
		      struct tui_lines *out);
};

extern const struct tui_view_def tui_overview_view;	/* model_overview.c */
extern const struct tui_view_def tui_syscalls_view;	/* model_syscalls.c */
extern const struct tui_view_def tui_tcp_view;		/* model_tcp.c */
extern const struct tui_view_def tui_locks_view;	/* model_locks.c */
extern const struct tui_view_def tui_pools_view;	/* model_pools.c */
extern const struct tui_view_def tui_peers_view;	/* model_peers.c */
extern const struct tui_view_def tui_requests_view;	/* model_requests.c */
extern const struct tui_view_def tui_services_view;	/* model_services.c */
/* frees what the grouped Overview allocated per service (model_services.c) */
void tui_services_clear(struct tui_table *t);

/* model_overview.c: t->procs from s, one aggregate per process. 0 or
 * -ENOMEM. */
int tui_procs_build(struct tui_table *t, const struct snapshot *s);
/* frees what the Overview allocated per process (model_overview.c) */
void tui_procs_clear(struct tui_table *t);

/* model_reqs.c: requests (a histogram of them, their count and max)
 * added to r; 0 or -ENOMEM. Then tui_reqs_p99 reads r's p99 from the sum;
 * tui_reqs_free frees it. */
int tui_reqs_add(struct tui_reqs *r, const __u64 *hist, __u64 requests, __u64 max_ns);
void tui_reqs_p99(struct tui_reqs *r);
void tui_reqs_free(struct tui_reqs *r);
/* model_reqs.c: r's requests per second of s's interval; -1 (shown
 * "-") when there are none */
double tui_reqs_rate(const struct tui_reqs *r, const struct snapshot *s);

/* model.c: the definition of view v (Overview's when v is out of range). */
const struct tui_view_def *tui_view_def_get(enum tui_view v);
/* model.c: a zeroed row appended to t, NULL on ENOMEM. */
struct tui_row *tui_row_add(struct tui_table *t, enum tui_src k, const void *src, __u32 pid,
			    const char *name, const char *name2);

/* model.c: the columns of cols that name a field of sec, set from row. */
void tui_row_fill(struct tui_row *r, const struct tui_col *cols, int ncols,
		  const struct snap_section *sec, const void *row);

/* model_detail.c: one drill-down line, sanitized. 0 or -ENOMEM. */
int tui_lines_add(struct tui_lines *l, enum tui_style st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* model_locks.c: a lock kind whose waits are for a lock (condvar and plain
 * futex waits are waiting for work): counted as lock wait. */
bool tui_lock_kind_waits(const char *kind);

/* model_tcp.c: "addr:port", IPv6 in brackets. */
void tui_endpoint_fmt(char *out, size_t n, const char *addr, __u16 port);
/* model_tcp.c: "tcp:ADDR:PORT" of a TCP row's remote end, to match the
 * Peers' names. */
void tui_tcp_peer_name(char *out, size_t n, const char *addr, __u16 port);

/* model_peers.c: lines for every TCP row, peer and pool that waits on the
 * remote end peer. */
int tui_peer_connections_add(struct tui_lines *out, const struct snapshot *s, const char *peer);

#endif
