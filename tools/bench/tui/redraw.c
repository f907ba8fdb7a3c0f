/* tui_redraw (tools/bench/tui/redraw.c): what the TUI costs per snapshot with N rows, without BPF:
 * curses on a TERM=xterm-256color screen of COLSxROWS written to /dev/null,
 * and per snapshot what tui_write does: hold it, rebuild the view's rows
 * (build, filter, sort), draw (format the visible rows, curses' diff and
 * output). Two snapshots with different values alternate, so every redraw
 * really changes the screen.
 *
 *   tui_redraw [ROWS_OF_DATA [ITERATIONS [VIEW]]]     (defaults 10000 200 1)
 *
 * VIEW 0..5 is a view (0 Overview), 6 the Overview grouped by service (the
 * rows' processes spread over 50 services).
 * Prints one JSON line: rows, view, iterations, mean/p50/p99/max ms per
 * redraw, and the share of a core at one redraw per second. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "snapshot/histo.h"
#include "sink/tui/tui.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* rows syscall rows over rows/10 processes, with histograms like the
 * collector's. */
static struct snapshot *make_snapshot(int rows, unsigned seed)
{
	static const char *const names[] = { "read", "write", "openat", "close", "futex",
					     "epoll_wait", "sendto", "recvfrom", "nanosleep",
					     "fsync" };
	struct snapshot *s = snapshot_new();

	strcpy(s->host, "bench");
	strcpy(s->kernel, "6.18");
	s->interval_ns = 1000000000ULL;
	s->ts_ns = 1700000000ULL * 1000000000ULL + seed;
	strcpy(s->probes[FAM_SYSCALLS], "on");
	srand(seed);
	for (int i = 0; i < rows; i++) {
		struct snap_syscall *r = vec_push(&s->syscalls);
		__u64 base = (__u64)(rand() % 5000000) + 1000;

		r->pid = (__u32)(1000 + i / 10);
		snprintf(r->comm, sizeof(r->comm), "worker-%d", i / 10);
		snprintf(r->service, sizeof(r->service), "svc-%d.service", i / 10 % 50);
		snprintf(r->syscall, sizeof(r->syscall), "%s", names[i % 10]);
		r->count = (__u64)(rand() % 100000);
		r->total_ns = base * r->count;
		r->p50_ns = base;
		r->p90_ns = base * 2;
		r->p99_ns = base * 4;
		r->p999_ns = base * 8;
		r->max_ns = base * 10;
		r->hist = calloc(HIST_NBUCKETS, sizeof(__u64));
		r->hist[hist_bucket(base)] = r->count;
	}
	for (int i = 0; i < 20; i++) {
		struct snap_inflight *f = vec_push(&s->inflight);

		f->pid = (__u32)(1000 + i);
		f->tid = f->pid + 1;
		snprintf(f->comm, sizeof(f->comm), "worker-%d", i);
		strcpy(f->syscall, "read");
		f->elapsed_ns = 150000000ULL * (__u64)(i + 1);
	}
	snapshot_sort_truncate(s, (size_t)rows);
	return s;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rows = argc > 1 ? atoi(argv[1]) : 10000;
	int iters = argc > 2 ? atoi(argv[2]) : 200;
	int view = argc > 3 ? atoi(argv[3]) : 1;
	struct snapshot *snaps[2];
	struct tui t = { 0 };
	FILE *null = fopen("/dev/null", "w");
	double *ms, sum = 0, c0;
	SCREEN *scr;

	if (rows <= 0 || iters <= 0 || view < 0 || view >= TV_TABLES || !null) {
		fprintf(stderr, "usage: tui_redraw [ROWS [ITERATIONS [VIEW 0..6]]]\n");
		return 2;
	}
	ms = calloc((size_t)iters, sizeof(*ms));
	snaps[0] = make_snapshot(rows, 1);
	snaps[1] = make_snapshot(rows, 2);
	setenv("TERM", "xterm-256color", 0);
	scr = newterm(NULL, null, stdin);
	if (!scr) {
		fprintf(stderr, "tui_redraw: no terminal description for TERM\n");
		return 1;
	}
	set_term(scr);
	start_color();
	t.colour = true;
	t.rows = LINES;
	t.cols = COLS;
	t.interval_ns = 1000000000ULL;
	t.nav.view = view == TV_SERVICES ? TV_OVERVIEW : (enum tui_view)view;
	t.nav.grouped = view == TV_SERVICES;
	for (int v = 0; v < TV_TABLES; v++) {
		tui_view_cols((enum tui_view)v, NULL, &t.sort_col[v]);
		t.sort_desc[v] = true;
	}
	tui_table_init(&t.table);
	c0 = cpu_ms();
	for (int i = 0; i < iters; i++) {
		double start = now_ms();

		/* what tui_write does with a new snapshot */
		snapshot_free(t.snap);
		t.snap = snapshot_hold(snaps[i % 2]);
		tui_rebuild(&t);
		tui_draw(&t);
		ms[i] = now_ms() - start;
		sum += ms[i];
	}
	c0 = cpu_ms() - c0;
	endwin();
	qsort(ms, (size_t)iters, sizeof(*ms), cmp);
	printf("{\"bench\":\"tui_redraw\",\"rows\":%d,\"view\":\"%s\",\"screen\":\"%dx%d\","
	       "\"iterations\":%d,\"mean_ms\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
	       "\"max_ms\":%.3f,\"cpu_ms_per_redraw\":%.3f,\"core_pct_at_1hz\":%.3f}\n",
	       rows, tui_view_names[view], COLS, LINES, iters, sum / iters, ms[iters / 2],
	       ms[(int)(iters * 0.99)], ms[iters - 1], c0 / iters, c0 / iters / 10.0);
	return 0;
}
