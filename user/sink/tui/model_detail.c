/* Drill-downs as lines of text: the line list, a histogram as bars, and
 * tui_detail, which hands a row to its view's own drill-down
 * (model_<view>.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/histo.h"
#include "lib/textfmt.h"
#include "sink/tui/model_int.h"

void tui_lines_free(struct tui_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void tui_lines_clear(struct tui_lines *l)
{
	l->len = 0;
}

int tui_lines_add(struct tui_lines *l, enum tui_style st, const char *fmt, ...)
{
	va_list ap;
	char raw[1024];

	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *nv = realloc(l->v, cap * sizeof(*l->v));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	l->v[l->len].style = st;
	/* every line is sanitized once more here: kernel strings go in raw */
	sanitize(raw, l->v[l->len].text, sizeof(l->v[l->len].text));
	l->len++;
	return 0;
}

int tui_hist_lines(const __u64 *counts, __u64 max_ns, int width, int max_rows,
		   struct tui_lines *out)
{
	static const struct {
		double q;
		const char *name;
	} marks[] = { { 0.5, "p50" }, { 0.9, "p90" }, { 0.99, "p99" }, { 0.999, "p99.9" } };
	__u64 pv[4], total = 0, top = 0;
	int lo = -1, hi = -1, per, rows, barw;

	if (!counts)
		return tui_lines_add(out, TL_DIM, "  (no histogram for this row)");
	for (int i = 0; i < HIST_NBUCKETS; i++) {
		if (!counts[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		total += counts[i];
	}
	if (lo < 0)
		return tui_lines_add(out, TL_DIM, "  (nothing recorded this interval)");
	for (int m = 0; m < 4; m++)
		pv[m] = hist_percentile(counts, marks[m].q, max_ns);
	if (max_rows < 1)
		max_rows = 1;
	per = (hi - lo + 1 + max_rows - 1) / max_rows;
	rows = (hi - lo + 1 + per - 1) / per;
	for (int r = 0; r < rows; r++) {
		__u64 c = 0;

		for (int i = lo + r * per; i < lo + (r + 1) * per && i <= hi; i++)
			c += counts[i];
		if (c > top)
			top = c;
	}
	/* "  1.2ms..  1.3ms |####    | 123456  12.3% p50 p90 p99 p99.9 max":
	 * the bar takes what the text and every mark leave */
	barw = width - 57;
	if (barw < 4)
		barw = 4;
	if (barw > 100)
		barw = 100;
	for (int r = 0; r < rows; r++) {
		int b0 = lo + r * per, b1 = b0 + per - 1;
		__u64 c = 0, from, to;
		char bar[512], a[16], b[16], cnt[16], tags[64] = "";
		size_t tl = 0;
		int fill;

		if (b1 > hi)
			b1 = hi;
		for (int i = b0; i <= b1; i++)
			c += counts[i];
		from = hist_bucket_lo((__u32)b0);
		to = hist_bucket_hi((__u32)b1);
		for (int m = 0; m < 4; m++)
			if (pv[m] >= from && pv[m] <= to)
				tl += (size_t)snprintf(tags + tl, sizeof(tags) - tl, " %s", marks[m].name);
		if (max_ns && max_ns >= from && (max_ns <= to || r == rows - 1) && tl < sizeof(tags))
			snprintf(tags + tl, sizeof(tags) - tl, " max");
		fill = top ? (int)((c * (__u64)barw + top - 1) / top) : 0;
		if (barw > (int)sizeof(bar) - 1)
			barw = (int)sizeof(bar) - 1;
		memset(bar, ' ', (size_t)barw);
		memset(bar, '#', (size_t)(fill < barw ? fill : barw));
		bar[barw] = 0;
		if (tui_lines_add(out, *tags ? TL_MARK : TL_TEXT, "  %6s..%6s |%s| %6s %5.1f%%%s",
				  tui_fmt_dur(from, a, sizeof(a)), tui_fmt_dur(to, b, sizeof(b)), bar,
				  tui_fmt_num(c, cnt, sizeof(cnt)), 100.0 * (double)c / (double)total, tags))
			return -ENOMEM;
	}
	return 0;
}

/* The table whose drill-down shows a row of kind k; TV_TABLES if none. */
static enum tui_view src_view(enum tui_src k)
{
	switch (k) {
	case TS_PROC:
		return TV_OVERVIEW;
	case TS_SYSCALL:
		return TV_SYSCALLS;
	case TS_RETRANS:
	case TS_RESET:
	case TS_CONNECT:
		return TV_TCP;
	case TS_KLOCK:
	case TS_ULOCK:
		return TV_LOCKS;
	case TS_POOL:
		return TV_POOLS;
	case TS_PEER:
		return TV_PEERS;
	case TS_SERVICE:
		return TV_SERVICES;
	case TS_REQUEST:
		return TV_REQUESTS;
	}
	return TV_TABLES;
}

int tui_detail(const struct tui_row *r, const struct snapshot *s, int width, int hist_rows,
	       struct tui_lines *out)
{
	enum tui_view v;

	tui_lines_clear(out);
	if (!r || !s)
		return tui_lines_add(out, TL_DIM, "(this row is not in the current snapshot)");
	v = src_view(r->src_kind);
	return v < TV_TABLES ? tui_view_def_get(v)->detail(r, s, width, hist_rows, out) : 0;
}
