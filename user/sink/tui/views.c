/* Drawing the TUI: header, view tabs, the table of the current view with
 * its selection, the in-flight panel, drill-downs, help. Every view is
 * drawn here by the same code: what its table holds is its
 * model_<view>.c. Every string comes out of the model already sanitized
 * and cut to the screen's width; here it is only placed and coloured.
 * Nothing is drawn past the screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "lib/textfmt.h"
#include "sink/tui/tui_int.h"

#define LINE_MAX_BYTES 2048

/* One line at y, cut to the screen (the last line one short, so that the
 * bottom-right cell is never written and nothing can scroll). */
static void put_line(const struct tui *t, int y, int x, const char *s, attr_t a)
{
	char buf[LINE_MAX_BYTES];
	int w = t->cols - x - (y == t->rows - 1);

	if (y < 0 || y >= t->rows || w <= 0)
		return;
	tui_put_field(buf, sizeof(buf), s, w, false);
	attrset(a);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

static attr_t style_attr(const struct tui *t, enum tui_style st)
{
	switch (st) {
	case TL_TITLE:
		return A_BOLD | (t->colour ? COLOR_PAIR(CP_TITLE) : 0);
	case TL_HOT:
		return t->colour ? COLOR_PAIR(CP_HOT) | A_BOLD : A_BOLD;
	case TL_MARK:
		return t->colour ? COLOR_PAIR(CP_MARK) : A_UNDERLINE;
	case TL_DIM:
		return t->colour ? COLOR_PAIR(CP_DIM) : A_DIM;
	default:
		return A_NORMAL;
	}
}

int tui_inflight_height(const struct tui *t)
{
	size_t n;
	int room;

	if (t->nav.detail || (t->nav.view != TV_OVERVIEW && t->nav.view != TV_SYSCALLS))
		return 0;
	n = t->snap ? t->snap->inflight.len : 0;
	/* a title line, and up to a quarter of the screen of calls */
	room = (t->rows - 6) / 4;
	if (room < 0)
		room = 0;
	return 1 + (int)(n < (size_t)room ? n : (size_t)room);
}

int tui_list_height(const struct tui *t)
{
	/* header, headline, tabs, heading ... status line */
	int h = t->rows - 5 - tui_inflight_height(t);

	return h > 0 ? h : 0;
}

static void draw_tabs(struct tui *t, int y)
{
	char buf[64];
	int x = 0;

	move(y, 0);
	clrtoeol();
	for (int v = 0; v < TV_NR; v++) {
		bool cur = v == (int)t->nav.view;
		int len = snprintf(buf, sizeof(buf), cur ? "[%d %s]" : " %d %s ", v + 1,
				   tui_view_names[v]);

		t->tab_x[v] = x;
		if (x + len >= t->cols)
			break;
		attrset(cur ? A_REVERSE | A_BOLD : A_NORMAL);
		mvaddstr(y, x, buf);
		x += len;
	}
	t->tab_x[TV_NR] = x;
	attrset(A_NORMAL);
	if (t->nav.pid || t->nav.service[0] || t->filter[0] || t->editing || t->nav.grouped) {
		char f[320], clean[80], svc[SNAP_SERVICE_LEN];
		int len = snprintf(f, sizeof(f), "  ");

		if (t->nav.grouped && t->nav.view == TV_OVERVIEW)
			len += snprintf(f + len, sizeof(f) - (size_t)len, "by service ");
		if (t->nav.service[0])
			len += snprintf(f + len, sizeof(f) - (size_t)len, "service %s ",
					sanitize(t->nav.service, svc, sizeof(svc)));
		if (t->nav.pid)
			len += snprintf(f + len, sizeof(f) - (size_t)len, "pid %u ", t->nav.pid);
		if (t->filter[0] || t->editing)
			snprintf(f + len, sizeof(f) - (size_t)len, "filter: %s",
				 sanitize(t->filter, clean, sizeof(clean)));
		put_line(t, y, x, f, A_BOLD);
	}
}

static void draw_table(struct tui *t, int y, int h)
{
	char buf[LINE_MAX_BYTES];
	enum tui_view v = tui_table_of(t);

	tui_fmt_heading(&t->table, t->sort_col[v], t->sort_desc[v], buf, sizeof(buf), t->cols);
	put_line(t, y, 0, buf, A_REVERSE);
	/* pad the heading bar to the full width */
	attrset(A_REVERSE);
	for (int x = (int)strlen(buf); x < t->cols; x++)
		mvaddch(y, x, ' ');
	attrset(A_NORMAL);
	t->y_heading = y;
	t->y_first = y + 1;
	t->nlist = h;
	if (!t->table.nshown) {
		put_line(t, y + 1, 0,
			 !t->snap ? "  waiting for the first snapshot..." :
			 t->table.nrows ? "  no row matches the filter (\\ clears it)" :
					  "  nothing to show in this interval", style_attr(t, TL_DIM));
		return;
	}
	for (int i = 0; i < h && t->top + (size_t)i < t->table.nshown; i++) {
		size_t idx = t->top + (size_t)i;
		const struct tui_row *r = tui_table_shown(&t->table, idx);
		attr_t a = r->hot ? style_attr(t, TL_HOT) : A_NORMAL;

		/* the selection keeps a hot row's colour */
		if (idx == t->sel)
			a |= A_REVERSE;
		tui_fmt_row(&t->table, r, buf, sizeof(buf), t->cols);
		put_line(t, y + 1 + i, 0, buf, a);
		if (idx == t->sel) {
			attrset(a);
			for (int x = (int)strlen(buf); x < t->cols; x++)
				mvaddch(y + 1 + i, x, ' ');
			attrset(A_NORMAL);
		}
	}
}

static void draw_inflight(struct tui *t, int y, int h)
{
	const struct snapshot *s = t->snap;
	char line[512], comm[SNAP_COMM_LEN], sc[SNAP_NAME_LEN], d[16];
	size_t n = s ? s->inflight.len : 0, shown = 0;
	struct tui_filter f;

	if (h <= 0)
		return;
	tui_filter_of(t, &f);
	snprintf(line, sizeof(line), "In flight (blocked >= 100ms): %zu", n);
	put_line(t, y, 0, line, style_attr(t, TL_TITLE));
	for (size_t i = 0; i < n && (int)shown < h - 1; i++) {
		const struct snap_inflight *r = vec_at(&s->inflight, struct snap_inflight, i);

		if (!tui_match(&f, r->pid, r->comm, r->syscall, r->service))
			continue;
		snprintf(line, sizeof(line), "  %-7u %-7u %-15s %-16s blocked %s", r->pid, r->tid,
			 sanitize(r->comm, comm, sizeof(comm)), sanitize(r->syscall, sc, sizeof(sc)),
			 tui_fmt_dur(r->elapsed_ns, d, sizeof(d)));
		put_line(t, y + 1 + (int)shown, 0, line, style_attr(t, TL_HOT));
		shown++;
	}
}

static void draw_detail(struct tui *t, int y, int h)
{
	put_line(t, y, 0, "Drill-down  (Esc/Backspace: back, arrows: scroll)", A_REVERSE);
	attrset(A_REVERSE);
	for (int x = 50; x < t->cols; x++)
		mvaddch(y, x, ' ');
	attrset(A_NORMAL);
	if (t->dtop > t->detail.len)
		t->dtop = t->detail.len ? t->detail.len - 1 : 0;
	for (int i = 0; i < h - 1 && t->dtop + (size_t)i < t->detail.len; i++) {
		const struct tui_line *l = &t->detail.v[t->dtop + (size_t)i];

		put_line(t, y + 1 + i, 0, l->text, style_attr(t, l->style));
	}
}

static const char *const help_text[] = {
	"latscope: keys",
	"  1..7, Tab, Shift-Tab   views: Overview Syscalls TCP Locks Pools Peers Requests",
	"  arrows PgUp PgDn Home End   move the selection",
	"  g                      Overview by service / by process",
	"  Enter                  drill down (a service's processes, histogram, stack...)",
	"  Esc, Backspace         back",
	"  < > (, .)  F6 or s     sort column left / right / next;  I  invert order",
	"  /                      filter by name, service or pid (Enter keeps, Esc drops)",
	"  \\                      clear the filter and the process and service filters",
	"  p, space               pause / resume the display",
	"  + -                    longer / shorter interval",
	"  h ? F1                 this help;  q F10  quit;  Ctrl-L  redraw",
	"  replay: [ ] or Shift-Left/Right  previous / next snapshot;  t  jump to a time;",
	"          p, space  play / pause",
	"",
	"  Red rows: p99 above 100ms, retransmits, a pool above 90% saturated.",
	"  Pool states: C on CPU, R run queue, L lock, I io, . idle.",
	"Probes:",
};

static void draw_help(struct tui *t, int y, int h)
{
	int i, n = (int)(sizeof(help_text) / sizeof(help_text[0]));

	for (i = 0; i < n && i < h; i++)
		put_line(t, y + i, 0, help_text[i], i == 0 ? style_attr(t, TL_TITLE) : A_NORMAL);
	for (int f = 0; f < FAM_NR && i < h; f++, i++) {
		char line[256];

		snprintf(line, sizeof(line), "  %-9s %s", family_names[f],
			 t->snap ? t->snap->probes[f] : "starting");
		put_line(t, y + i, 0, line, A_NORMAL);
	}
	if (i < h)
		put_line(t, y + i + (i + 1 < h), 0, "Any key closes this help.", style_attr(t, TL_DIM));
}

static void draw_status(struct tui *t, int y)
{
	char line[256], clean[80];

	if (t->editing)
		snprintf(line, sizeof(line), "Filter (name, service or pid; Enter: keep, Esc: cancel): %s_",
			 sanitize(t->filter, clean, sizeof(clean)));
	else if (t->editing_time)
		snprintf(line, sizeof(line), "Jump to (epoch seconds or 2026-12-01T19:30:00Z, UTC): %s_",
			 sanitize(t->time_input, clean, sizeof(clean)));
	else if (t->msg[0])
		snprintf(line, sizeof(line), "%s", t->msg);
	else if (t->replay)
		snprintf(line, sizeof(line),
			 "REPLAY  [ ] prev/next  t jump  p play/pause  F1 help  Enter drill  / filter  q quit");
	else
		snprintf(line, sizeof(line),
			 "F1 help  Enter drill  Esc back  <> sort  / filter  g services  p pause  q quit");
	put_line(t, y, 0, line, (t->editing || t->editing_time) ? A_BOLD : style_attr(t, TL_DIM));
}

void tui_draw(struct tui *t)
{
	char buf[LINE_MAX_BYTES];
	int h;

	erase();
	if (t->rows < 6 || t->cols < 20) {
		put_line(t, 0, 0, "latscope: terminal too small", A_BOLD);
		refresh();
		return;
	}
	tui_fmt_header(t->snap, t->interval_ns, t->paused, buf, sizeof(buf), t->cols);
	put_line(t, 0, 0, buf, A_REVERSE | A_BOLD);
	attrset(A_REVERSE | A_BOLD);
	for (int x = (int)strlen(buf); x < t->cols; x++)
		mvaddch(0, x, ' ');
	attrset(A_NORMAL);
	tui_fmt_headline(t->snap, buf, sizeof(buf), t->cols);
	put_line(t, 1, 0, buf, A_BOLD);
	t->y_tabs = 2;
	draw_tabs(t, 2);
	h = t->rows - 4;	/* below the tabs, above the status line */
	if (t->help) {
		t->nlist = 0;
		draw_help(t, 3, h);
	} else if (t->nav.detail) {
		t->nlist = 0;
		draw_detail(t, 3, h);
	} else {
		int ih = tui_inflight_height(t);

		draw_table(t, 3, tui_list_height(t));
		draw_inflight(t, 3 + 1 + tui_list_height(t), ih);
	}
	draw_status(t, t->rows - 1);
	refresh();
}
