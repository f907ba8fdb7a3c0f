/* The TUI's model: everything of the live UI that is not curses. A view is
 * a table of typed rows built from a snapshot (each row points into the
 * snapshot, which the TUI holds while it shows it); the model sorts and
 * filters rows and formats them to text that is safe to put on a terminal.
 * Drill-downs are built as lines of text. tui.c, keys.c and views.c only
 * lay these out and colour them.
 *   model.c          the table: views' columns, build, filter, sort, identity
 *   model_format.c   text: durations, counts, cells, headings, header lines
 *   model_detail.c   drill-down lines, histograms
 *   model_<view>.c   one view each: its columns, rows and drill-down
 *                    (overview, syscalls, tcp, locks, pools, peers, requests)
 *   model_services.c the Overview grouped by service (key g)
 *   model_reqs.c     requests merged over listeners (for both Overviews) */
#ifndef LATSCOPE_TUI_MODEL_H
#define LATSCOPE_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "snapshot/snapshot.h"

/* The views, in the SPEC's order: key '1' + index. TV_SERVICES is the
 * Overview grouped by service (key g): a table of its own (columns, sort)
 * without a tab of its own; the tables are TV_TABLES. */
enum tui_view {
	TV_OVERVIEW, TV_SYSCALLS, TV_TCP, TV_LOCKS, TV_POOLS, TV_PEERS, TV_REQUESTS, TV_NR,
	TV_SERVICES = TV_NR, TV_TABLES
};
extern const char *const tui_view_names[TV_TABLES];

/* Thresholds that colour a row (SPEC/issue 6). */
#define TUI_HOT_P99_NS 100000000ULL	/* p99 above 100 ms */
#define TUI_HOT_SAT_PCT 90.0		/* a pool above 90% saturated */

enum tui_cell {
	TC_STR,		/* a kernel string: sanitized when formatted */
	TC_PID,		/* a number printed exactly, blank when 0 */
	TC_NUM,		/* a count: 12345, 123k, 1.2M */
	TC_DUR,		/* nanoseconds: 850ns, 35us, 1.2ms, 2.1s */
	TC_PCT,		/* a percentage 0..100, one decimal */
	TC_RATE,	/* a count per second (double): 0.5, 12, 123k; "-" below 0 */
	TC_BAR,		/* a pool's state breakdown (row->src is a snap_pool) */
};

struct tui_col {
	const char *title;
	int width;
	enum tui_cell kind;
	/* the row's field shown (user/snapshot/fields.h), filled by
	 * tui_row_fill; NULL: the view computes it */
	const char *field;
	/* the column takes what the screen has beyond the table's widths,
	 * up to grow_max more columns (0: TUI_GROW_MAX); growing columns
	 * take that room in column order */
	bool grow;
	int grow_max;
};

#define TUI_GROW_MAX 40

#define TUI_MAXCOLS 12

union tui_val {
	__u64 u;
	double d;
	const char *s;
};

/* What a row came from: its snapshot list. */
enum tui_src {
	TS_PROC, TS_SYSCALL, TS_RETRANS, TS_RESET, TS_CONNECT, TS_KLOCK, TS_ULOCK,
	TS_POOL, TS_PEER, TS_SERVICE, TS_REQUEST,
};

/* Requests of some listeners merged (model_reqs.c): their histograms
 * summed bucket by bucket, the p99 read from the sum (not the worst
 * listener's p99). */
struct tui_reqs {
	__u64 requests, max_ns, p99_ns;
	__u64 *hist;		/* HIST_NBUCKETS, or NULL: no requests */
};

/* One process of the Overview: aggregated over the snapshot's lists. */
struct tui_proc {
	__u32 pid;
	const char *comm;
	const char *service;	/* of the process's first row */
	const char *worst_syscall;
	__u64 worst_p99_ns, sys_ns, lock_ns, retrans, blocked_ns;
	double sat_pct;
	bool has_pool;
	struct tui_reqs reqs;	/* its listeners' */
};

/* One service of the grouped Overview: its processes' aggregates. */
struct tui_service {
	const char *service;
	const char *worst_syscall;
	__u32 procs, sat_pools;	/* processes; pools above TUI_HOT_SAT_PCT */
	__u64 worst_p99_ns, sys_ns, lock_ns, retrans;
	/* its processes' requests of the interval merged: p99 over them all */
	struct tui_reqs reqs;
};

struct tui_row {
	enum tui_src src_kind;
	const void *src;	/* the snapshot row (or a struct tui_proc, tui_service) */
	__u32 pid;
	__u32 aux;		/* identity: a port */
	const char *name;	/* comm: filtered on */
	const char *name2;	/* syscall, peer, lock...: filtered on, identity */
	const char *service;	/* the process's service: filtered on; NULL: none */
	bool hot;
	union tui_val v[TUI_MAXCOLS];
};

/* A row's identity across snapshots, to keep the selection on it. */
struct tui_key {
	bool set;
	enum tui_src src_kind;
	__u32 pid, aux;
	char name[SNAP_COMM_LEN];
	char name2[SNAP_PEER_LEN];
};

struct tui_table {
	enum tui_view view;
	const struct tui_col *cols;
	int ncols;
	struct tui_row *rows;
	size_t nrows, cap;
	size_t *order;		/* shown rows: filtered, sorted */
	size_t nshown;
	struct tui_proc *procs;	/* Overview's aggregates */
	size_t nprocs, proccap;
	struct tui_service *svcs;	/* the grouped Overview's */
	size_t nsvcs, svccap;
};

/* What rows are shown: text typed after '/' (NULL/"": all; digits: that
 * pid or a name containing them; else a case-insensitive substring of the
 * name, name2 or service), and from drill-downs a process (pid, 0: all)
 * and a service (exactly; NULL/"": all). */
struct tui_filter {
	const char *text;
	__u32 pid;
	const char *service;
};

/* Columns of a view, and the one it sorts by at first. */
const struct tui_col *tui_view_cols(enum tui_view v, int *ncols, int *default_sort);
/* Index of the column titled title in view v, or -1. */
int tui_col_index(enum tui_view v, const char *title);

void tui_table_init(struct tui_table *t);
void tui_table_free(struct tui_table *t);
/* Rows of view v from s (s may be NULL: no rows). 0 or -ENOMEM. Rows
 * point into s: keep s alive while the table is used. */
int tui_table_build(struct tui_table *t, enum tui_view v, const struct snapshot *s);
/* Keeps the rows that match f, sorted by column col (desc: largest first). */
void tui_table_select(struct tui_table *t, const struct tui_filter *f, int col, bool desc);
/* The same with the text filter and pid alone. */
void tui_table_apply(struct tui_table *t, const char *filter, __u32 pid, int col, bool desc);
/* The filter rule for one thing (the in-flight rows). */
bool tui_match(const struct tui_filter *f, __u32 pid, const char *name, const char *name2,
	       const char *service);
const struct tui_row *tui_table_shown(const struct tui_table *t, size_t i);

void tui_row_key(const struct tui_row *r, struct tui_key *k);
/* Index among the shown rows of the row with key k, or -1. */
long tui_table_find(const struct tui_table *t, const struct tui_key *k);
/* The row with key k among all rows, shown or filtered out; NULL if none. */
const struct tui_row *tui_table_find_any(const struct tui_table *t, const struct tui_key *k);

/* Text of a duration in at most 5 columns: 850ns 35us 1.2ms 120ms 2.1s
 * 3m02s 12m 1h05m 11h. */
const char *tui_fmt_dur(__u64 ns, char *buf, size_t n);
/* A count in at most 5 columns: 99999, 123k, 1.2M, 45M, 1.2G. */
const char *tui_fmt_num(__u64 v, char *buf, size_t n);

/* When the terminal's locale is not UTF-8, every non-ASCII byte is drawn
 * as '?' so that one byte is one column. */
extern bool tui_ascii_only;
/* Copies s sanitized (no control byte, C1 control or invalid UTF-8),
 * padded or cut to exactly width columns (one code point = one column),
 * right-aligned if right. Returns the bytes written (not counting NUL). */
size_t tui_put_field(char *out, size_t n, const char *s, int width, bool right);
/* The text of one cell, unpadded. */
const char *tui_fmt_cell(const struct tui_col *c, const struct tui_row *r, int col,
			 char *buf, size_t n);
/* The column headings, with the sort column marked, in width columns. */
void tui_fmt_heading(const struct tui_table *t, int sort_col, bool desc, char *out,
		     size_t n, int width);
/* A row laid out as the headings are, cut to width columns. */
void tui_fmt_row(const struct tui_table *t, const struct tui_row *r, char *out, size_t n,
		 int width);
/* The column at screen column x of a table laid out in width columns (for
 * mouse clicks); -1 when x is not on a column. */
int tui_col_at(const struct tui_table *t, int x, int width);

/* The first screen line: host, kernel, time, interval, probes, drops. */
void tui_fmt_header(const struct snapshot *s, __u64 interval_ns, bool paused, char *out,
		    size_t n, int width);
/* The headline numbers: syscalls/s and the worst p99, retransmits/s,
 * lock wait/s, saturated pools. */
void tui_fmt_headline(const struct snapshot *s, char *out, size_t n, int width);

/* Drill-down text: lines with a style each. */
enum tui_style { TL_TEXT, TL_TITLE, TL_HOT, TL_MARK, TL_DIM };
struct tui_line {
	enum tui_style style;
	char text[512];
};
struct tui_lines {
	struct tui_line *v;
	size_t len, cap;
};
void tui_lines_free(struct tui_lines *l);
void tui_lines_clear(struct tui_lines *l);
/* The drill-down of row r (of a table over s) in width columns; the
 * histogram gets at most hist_rows lines. */
int tui_detail(const struct tui_row *r, const struct snapshot *s, int width, int hist_rows,
	       struct tui_lines *out);
/* A histogram as bars, one line per group of buckets, the lines holding
 * p50/p90/p99/p99.9/max marked. counts has HIST_NBUCKETS entries. */
int tui_hist_lines(const __u64 *counts, __u64 max_ns, int width, int max_rows,
		   struct tui_lines *out);
/* A pool's states as a bar of width letters: C oncpu, R runq, L lock, I io,
 * '.' idle. */
void tui_state_bar(__u64 oncpu, __u64 runq, __u64 lock, __u64 io, __u64 idle, char *out,
		   int width);

#endif
