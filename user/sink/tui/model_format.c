/* The TUI's text: durations and counts in a few columns, fields sanitized
 * and cut to their column, a table's cells, headings and rows, and the
 * two lines above every view (header and headline). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lib/textfmt.h"
#include "sink/tui/model_int.h"

bool tui_ascii_only;

const char *tui_fmt_dur(__u64 ns, char *buf, size_t n)
{
	static const struct {
		__u64 div;
		const char *unit;
	} u[] = { { 1, "ns" }, { 1000, "us" }, { 1000000, "ms" }, { 1000000000ULL, "s" } };
	int i;

	if (ns >= 3600ULL * 1000000000ULL) {
		__u64 m = ns / 60000000000ULL;

		if (m / 60 > 9)
			snprintf(buf, n, "%lluh", (unsigned long long)(m / 60));
		else
			snprintf(buf, n, "%lluh%02llum", (unsigned long long)(m / 60),
				 (unsigned long long)(m % 60));
		return buf;
	}
	if (ns >= 60000000000ULL) {
		__u64 sec = ns / 1000000000ULL;

		if (sec < 600)
			snprintf(buf, n, "%llum%02llus", (unsigned long long)(sec / 60),
				 (unsigned long long)(sec % 60));
		else
			snprintf(buf, n, "%llum", (unsigned long long)(sec / 60));
		return buf;
	}
	for (i = 3; i > 0 && ns < u[i].div; i--)
		;
	if (i == 0) {
		snprintf(buf, n, "%lluns", (unsigned long long)ns);
	} else {
		double v = (double)ns / (double)u[i].div;

		/* one decimal below 10 (rounding must not print "10.0") */
		if (v < 9.95)
			snprintf(buf, n, "%.1f%s", v, u[i].unit);
		else if (v < 999.5 || i == 3)
			snprintf(buf, n, "%.0f%s", v, u[i].unit);
		else
			snprintf(buf, n, "%.1f%s", v / 1000, u[i + 1].unit);
	}
	return buf;
}

const char *tui_fmt_num(__u64 v, char *buf, size_t n)
{
	static const char units[] = "kMGTPE";
	double d = (double)v;
	int i = -1;

	if (v < 100000) {
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 999.5 && i < 5) {
		d /= 1000;
		i++;
	}
	if (d < 9.95)
		snprintf(buf, n, "%.1f%c", d, units[i]);
	else
		snprintf(buf, n, "%.0f%c", d, units[i]);
	return buf;
}

size_t tui_put_field(char *out, size_t n, const char *s, int width, bool right)
{
	char clean[2048];	/* a whole screen line, on wide terminals too */
	size_t o = 0, i = 0, end;
	int cols = 0, pad;

	if (!n)
		return 0;
	sanitize(s ? s : "", clean, sizeof(clean));
	if (tui_ascii_only)
		for (char *p = clean; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	/* how many bytes make width code points */
	for (end = 0; clean[end] && cols < width; cols++) {
		end++;
		while ((clean[end] & 0xC0) == 0x80)
			end++;
	}
	pad = width - cols;
	if (right)
		for (; pad > 0 && o + 1 < n; pad--)
			out[o++] = ' ';
	for (i = 0; i < end && o + 1 < n; i++)
		out[o++] = clean[i];
	for (; pad > 0 && o + 1 < n; pad--)
		out[o++] = ' ';
	out[o] = 0;
	return o;
}

const char *tui_fmt_cell(const struct tui_col *c, const struct tui_row *r, int col,
			 char *buf, size_t n)
{
	const union tui_val *v = &r->v[col];

	switch (c->kind) {
	case TC_STR:
		snprintf(buf, n, "%s", v->s ? v->s : "");
		break;
	case TC_PID:
		if (v->u)
			snprintf(buf, n, "%llu", (unsigned long long)v->u);
		else
			snprintf(buf, n, "-");
		break;
	case TC_NUM:
		tui_fmt_num(v->u, buf, n);
		break;
	case TC_DUR:
		if (v->u)
			tui_fmt_dur(v->u, buf, n);
		else
			snprintf(buf, n, "-");
		break;
	case TC_PCT:
		if (v->d < 0)
			snprintf(buf, n, "-");	/* not applicable */
		else
			snprintf(buf, n, "%.1f", v->d);
		break;
	case TC_RATE:
		if (v->d < 0)
			snprintf(buf, n, "-");	/* none */
		else if (v->d < 9.95)
			snprintf(buf, n, "%.1f", v->d);
		else
			tui_fmt_num((__u64)(v->d + 0.5), buf, n);
		break;
	case TC_BAR: {
		const struct snap_pool *p = r->src;
		int w = c->width < (int)n ? c->width : (int)n - 1;

		tui_state_bar(p->oncpu_ns, p->runq_ns, p->lock_ns, p->io_ns, p->idle_ns, buf, w);
		break;
	}
	}
	return buf;
}

/* The width of column c in a table laid out in width screen columns: its
 * own, and for a growing column its part of what the screen has beyond the
 * table (the growing columns before it take theirs first). */
static int grow_max(const struct tui_col *c)
{
	return !c->grow ? 0 : c->grow_max ? c->grow_max : TUI_GROW_MAX;
}

static int col_width(const struct tui_table *t, int c, int width)
{
	int extra = width + 1, most = grow_max(&t->cols[c]);

	if (!most)
		return t->cols[c].width;
	for (int i = 0; i < t->ncols; i++)
		extra -= t->cols[i].width + 1;
	for (int i = 0; i < c && extra > 0; i++)
		extra -= grow_max(&t->cols[i]) < extra ? grow_max(&t->cols[i]) : extra;
	if (extra < 0)
		extra = 0;
	return t->cols[c].width + (extra < most ? extra : most);
}

/* Lays out cells one space apart, each padded to its column's width. */
static void layout(const struct tui_table *t, const char *const *cells, char *out, size_t n,
		   int width)
{
	size_t o = 0;
	int x = 0;

	out[0] = 0;
	for (int c = 0; c < t->ncols && x < width && o + 1 < n; c++) {
		const struct tui_col *col = &t->cols[c];
		int w = col_width(t, c, width);

		if (c) {
			out[o++] = ' ';
			out[o] = 0;
			x++;
		}
		if (x + w > width)
			w = width - x;
		if (w <= 0)
			break;
		o += tui_put_field(out + o, n - o, cells[c], w,
				   col->kind != TC_STR && col->kind != TC_BAR);
		x += w;
	}
}

void tui_fmt_heading(const struct tui_table *t, int sort_col, bool desc, char *out,
		     size_t n, int width)
{
	char titles[TUI_MAXCOLS][32];
	const char *cells[TUI_MAXCOLS];

	for (int c = 0; c < t->ncols; c++) {
		/* the sort column is marked with an arrow where the title allows */
		if (c == sort_col)
			snprintf(titles[c], sizeof(titles[c]), "%s%s", t->cols[c].title,
				 desc ? "v" : "^");
		else
			snprintf(titles[c], sizeof(titles[c]), "%s", t->cols[c].title);
		if ((int)strlen(titles[c]) > t->cols[c].width && c == sort_col)
			titles[c][t->cols[c].width - 1] = desc ? 'v' : '^',
			titles[c][t->cols[c].width] = 0;
		cells[c] = titles[c];
	}
	layout(t, cells, out, n, width);
}

void tui_fmt_row(const struct tui_table *t, const struct tui_row *r, char *out, size_t n,
		 int width)
{
	char text[TUI_MAXCOLS][SNAP_PEER_LEN];
	const char *cells[TUI_MAXCOLS];

	for (int c = 0; c < t->ncols; c++)
		cells[c] = tui_fmt_cell(&t->cols[c], r, c, text[c], sizeof(text[c]));
	layout(t, cells, out, n, width);
}

int tui_col_at(const struct tui_table *t, int x, int width)
{
	int start = 0;

	for (int c = 0; c < t->ncols; c++) {
		int w = col_width(t, c, width);

		if (x >= start && x <= start + w)
			return c;
		start += w + 1;
	}
	return -1;
}

static void fit(char *out, size_t n, const char *text, int width)
{
	tui_put_field(out, n, text, width, false);
}

void tui_fmt_header(const struct snapshot *s, __u64 interval_ns, bool paused, char *out,
		    size_t n, int width)
{
	char line[1024], host[64], kern[64], when[16] = "--:--:--", iv[16];
	size_t o;

	if (s && s->ts_ns) {
		time_t secs = (time_t)(s->ts_ns / 1000000000ULL);
		struct tm tm;

		if (localtime_r(&secs, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	/* the kernel last: it is long, and the first thing to cut */
	o = (size_t)snprintf(line, sizeof(line), "latscope %s %s every %s%s drops:%llu",
			     s ? sanitize(s->host, host, sizeof(host)) : "", when,
			     tui_fmt_dur(interval_ns, iv, sizeof(iv)), paused ? " PAUSED" : "",
			     s ? (unsigned long long)(s->dropped.events + s->dropped.map_full) : 0ULL);
	for (int f = 0; f < FAM_NR && o < sizeof(line); f++) {
		const char *st = s ? s->probes[f] : "...";

		/* "unavailable: why" is too long for a header: the why is in
		 * the help screen and on stderr */
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %s:%s", family_names[f],
				      !strncmp(st, "unavailable", 11) ? "n/a" : st);
	}
	if (o < sizeof(line) && s)
		snprintf(line + o, sizeof(line) - o, "  %s", sanitize(s->kernel, kern, sizeof(kern)));
	fit(out, n, line, width);
}

void tui_fmt_headline(const struct snapshot *s, char *out, size_t n, int width)
{
	double secs = s && s->interval_ns ? (double)s->interval_ns / 1e9 : 1;
	__u64 calls = 0, retrans = 0, lockns = 0, worst = 0;
	const struct snap_syscall *w = NULL;
	char line[512], a[16], b[16], c[16], d[16], worst_s[160] = "-";
	int saturated = 0;
	size_t i;

	if (!s) {
		fit(out, n, "waiting for the first snapshot...", width);
		return;
	}
	for (i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		calls += r->count;
		if (r->p99_ns > worst || !w) {
			worst = r->p99_ns;
			w = r;
		}
	}
	for (i = 0; i < s->tcp_retrans.len; i++)
		retrans += vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i)->count;
	for (i = 0; i < s->kernel_locks.len; i++)
		lockns += vec_at(&s->kernel_locks, struct snap_kernel_lock, i)->total_ns;
	for (i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *l = vec_at(&s->user_locks, struct snap_user_lock, i);

		if (tui_lock_kind_waits(l->kind))
			lockns += l->total_ns;
	}
	for (i = 0; i < s->pools.len; i++)
		saturated += vec_at(&s->pools, struct snap_pool, i)->saturated_pct > TUI_HOT_SAT_PCT;
	/* fits 80 columns with common values; the process is in the Overview */
	if (w)
		snprintf(worst_s, sizeof(worst_s), "%s %.10s", tui_fmt_dur(worst, b, sizeof(b)),
			 w->syscall);
	snprintf(line, sizeof(line),
		 "sys/s %s  worst p99 %s  retrans/s %s  lockwait/s %s  sat.pools %d",
		 tui_fmt_num((__u64)((double)calls / secs + 0.5), a, sizeof(a)), worst_s,
		 tui_fmt_num((__u64)((double)retrans / secs + 0.5), c, sizeof(c)),
		 lockns ? tui_fmt_dur((__u64)((double)lockns / secs), d, sizeof(d)) : "0", saturated);
	fit(out, n, line, width);
}
