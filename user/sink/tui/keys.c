/* What keys and mouse clicks do: move the selection, switch views, drill
 * down and back, sort, filter, pause, change the interval, and in a replay
 * step or jump through the recording. Also the rebuild that keeps the
 * selection on its row when a snapshot or the filter changes the rows.
 * tui.c reads the keys (in the UI thread) and hands each one here. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "sink/tui/tui_int.h"

/* ---- the table and its selection ---- */

static void sync_key(struct tui *t)
{
	if (!t->nav.detail)
		tui_row_key(tui_table_shown(&t->table, t->sel), &t->nav.key);
}

static void clamp_sel(struct tui *t)
{
	size_t h = (size_t)(tui_list_height(t) > 0 ? tui_list_height(t) : 1);

	if (t->sel >= t->table.nshown)
		t->sel = t->table.nshown ? t->table.nshown - 1 : 0;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + h)
		t->top = t->sel - h + 1;
	/* no empty space under the last row when rows could fill it */
	if (t->top + h > t->table.nshown)
		t->top = t->table.nshown > h ? t->table.nshown - h : 0;
}

enum tui_view tui_table_of(const struct tui *t)
{
	return t->nav.view == TV_OVERVIEW && t->nav.grouped ? TV_SERVICES : t->nav.view;
}

void tui_filter_of(const struct tui *t, struct tui_filter *f)
{
	*f = (struct tui_filter){ .text = t->filter, .pid = t->nav.pid, .service = t->nav.service };
}

void tui_rebuild(struct tui *t)
{
	enum tui_view v = tui_table_of(t);
	struct tui_filter f;
	long i;

	if (tui_table_build(&t->table, v, t->snap) < 0)
		snprintf(t->msg, sizeof(t->msg), "out of memory: some rows are missing");
	tui_filter_of(t, &f);
	tui_table_select(&t->table, &f, t->sort_col[v], t->sort_desc[v]);
	i = tui_table_find(&t->table, &t->nav.key);
	if (i >= 0)
		t->sel = (size_t)i;
	clamp_sel(t);
	if (t->nav.detail) {
		/* the drilled row is found by identity among all rows, even if
		 * the filter would hide it now */
		const struct tui_row *r = tui_table_find_any(&t->table, &t->nav.key);

		tui_detail(r, r ? t->snap : NULL, t->cols, t->rows - 10, &t->detail);
	} else {
		sync_key(t);
	}
}

/* Key handlers change the UI's state and return what it then needs; one
 * place (act) does it. */
enum { TK_REBUILD = 1, TK_FULL_REDRAW = 2 };

static void move_sel(struct tui *t, long d)
{
	if (t->nav.detail) {
		long top = (long)t->dtop + d, last = (long)t->detail.len - 1;

		t->dtop = (size_t)(top < 0 ? 0 : top > last ? (last > 0 ? last : 0) : top);
		return;
	}
	if (d < 0 && (size_t)-d > t->sel)
		t->sel = 0;
	else
		t->sel = (size_t)((long)t->sel + d);
	clamp_sel(t);
	sync_key(t);
}

static unsigned set_view(struct tui *t, enum tui_view v)
{
	t->nav.view = v;
	t->nav.detail = false;
	memset(&t->nav.key, 0, sizeof(t->nav.key));
	t->sel = t->top = 0;
	return TK_REBUILD;
}

static unsigned drill(struct tui *t)
{
	const struct tui_row *r = tui_table_shown(&t->table, t->sel);

	if (!r || t->nav.detail)
		return 0;
	if (t->depth < TUI_NAV_DEPTH)
		t->stack[t->depth++] = t->nav;
	if (r->src_kind == TS_SERVICE) {
		/* a service: its processes */
		t->nav.grouped = false;
		snprintf(t->nav.service, sizeof(t->nav.service), "%s", r->service);
		memset(&t->nav.key, 0, sizeof(t->nav.key));
		t->sel = t->top = 0;
	} else if (t->nav.view == TV_OVERVIEW) {
		/* a process: its syscalls, worst first */
		t->nav.view = TV_SYSCALLS;
		t->nav.pid = r->pid;
		memset(&t->nav.key, 0, sizeof(t->nav.key));
		t->sort_col[TV_SYSCALLS] = tui_col_index(TV_SYSCALLS, "P99");
		t->sort_desc[TV_SYSCALLS] = true;
		t->sel = t->top = 0;
	} else {
		t->nav.detail = true;
		tui_row_key(r, &t->nav.key);
		t->dtop = 0;
	}
	return TK_REBUILD;
}

static unsigned back(struct tui *t)
{
	if (t->depth > 0)
		t->nav = t->stack[--t->depth];
	else if (t->nav.detail)
		t->nav.detail = false;
	else
		return 0;
	t->sel = 0;
	return TK_REBUILD;
}

/* g: the Overview by service, or by process again */
static unsigned toggle_grouped(struct tui *t)
{
	bool grouped = t->nav.view != TV_OVERVIEW || !t->nav.grouped;

	set_view(t, TV_OVERVIEW);
	t->nav.grouped = grouped;
	if (grouped)
		t->nav.service[0] = 0;	/* every service */
	snprintf(t->msg, sizeof(t->msg), grouped ? "Overview by service (g: by process)" :
			 "Overview by process (g: by service)");
	return TK_REBUILD;
}

static unsigned set_sort(struct tui *t, int col)
{
	enum tui_view v = tui_table_of(t);

	if (col < 0)
		col = t->table.ncols - 1;
	if (col >= t->table.ncols)
		col = 0;
	t->sort_col[v] = col;
	t->sort_desc[v] = t->table.cols[col].kind != TC_STR;
	return TK_REBUILD;
}

static void set_interval(struct tui *t, struct runctl *ctl, bool longer)
{
	static const __u64 steps[] = { 100000000ULL, 250000000ULL, 500000000ULL, 1000000000ULL,
				       2000000000ULL, 5000000000ULL, 10000000000ULL,
				       30000000000ULL, 60000000000ULL };
	int n = (int)(sizeof(steps) / sizeof(steps[0])), i;
	char d[16];

	if (longer) {
		for (i = 0; i < n - 1 && steps[i] <= t->interval_ns; i++)
			;
	} else {
		for (i = n - 1; i > 0 && steps[i] >= t->interval_ns; i--)
			;
	}
	t->interval_ns = ctl->interval_ns = steps[i];
	snprintf(t->msg, sizeof(t->msg), "interval %s (from the next snapshot on)",
		 tui_fmt_dur(t->interval_ns, d, sizeof(d)));
}

/* After KEY_RESIZE curses has resized its screens (or, without its
 * handler, we ask the terminal). */
static unsigned resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	t->rows = LINES;
	t->cols = COLS;
	return TK_REBUILD | TK_FULL_REDRAW;
}

__u64 tui_parse_time(const char *val)
{
	struct tm tm = { 0 };
	const char *end;
	char *e;
	double secs;

	while (*val == ' ')
		val++;
	secs = strtod(val, &e);
	if (e != val && !*e && secs > 0 && secs < 1e11)
		return (__u64)(secs * 1e9);
	end = strptime(val, "%Y-%m-%dT%H:%M", &tm);
	if (!end)
		end = strptime(val, "%Y-%m-%d %H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end, ":%S", &tm);
	if (end && *end == 'Z')
		end++;
	if (!end || *end)
		return 0;
	return (__u64)timegm(&tm) * 1000000000ULL;
}

/* Typing the time to jump to (replay); Enter asks the replay loop. */
static unsigned time_key(struct tui *t, int ch, struct runctl *ctl)
{
	size_t n = strlen(t->time_input);

	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->editing_time = false;
		ctl->jump_ns = tui_parse_time(t->time_input);
		if (!ctl->jump_ns)
			snprintf(t->msg, sizeof(t->msg), "not a time: seconds since the epoch or 2026-12-01T19:30:00Z");
		return 0;
	case 27:
		t->editing_time = false;
		return 0;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n > 0)
			t->time_input[n - 1] = 0;
		return 0;
	default:
		if (ch < 32 || ch > 126 || n + 1 >= sizeof(t->time_input))
			return 0;
		t->time_input[n] = (char)ch;
		t->time_input[n + 1] = 0;
		return 0;
	}
}

static unsigned filter_key(struct tui *t, int ch)
{
	size_t n = strlen(t->filter);

	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->editing = false;
		return 0;
	case 27:
		snprintf(t->filter, sizeof(t->filter), "%s", t->filter_saved);
		t->editing = false;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* a whole UTF-8 character */
		while (n > 0 && ((unsigned char)t->filter[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0)
			n--;
		t->filter[n] = 0;
		break;
	default:
		if (ch < 32 || ch > 255 || ch == 127 || n + 1 >= sizeof(t->filter))
			return 0;
		t->filter[n] = (char)ch;
		t->filter[n + 1] = 0;
		break;
	}
	t->sel = 0;
	return TK_REBUILD;
}

static unsigned mouse(struct tui *t)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return 0;
	if (me.bstate & BUTTON4_PRESSED) {
		move_sel(t, -3);
		return 0;
	}
	if (me.bstate & BUTTON5_PRESSED) {
		move_sel(t, 3);
		return 0;
	}
	if (!(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	t->help = false;
	if (me.y == t->y_tabs) {
		for (int v = 0; v < TV_NR; v++)
			if (me.x >= t->tab_x[v] && me.x < t->tab_x[v + 1])
				return set_view(t, (enum tui_view)v);
		return 0;
	}
	if (t->nav.detail)
		return 0;
	if (me.y == t->y_heading) {
		int c = tui_col_at(&t->table, me.x, t->cols);
		enum tui_view v = tui_table_of(t);

		if (c < 0)
			return 0;
		if (c != t->sort_col[v])
			return set_sort(t, c);
		t->sort_desc[v] = !t->sort_desc[v];
		return TK_REBUILD;
	}
	if (me.y >= t->y_first && me.y < t->y_first + t->nlist) {
		size_t i = t->top + (size_t)(me.y - t->y_first);

		if (i < t->table.nshown) {
			t->sel = i;
			sync_key(t);
			if (me.bstate & BUTTON1_DOUBLE_CLICKED)
				return drill(t);
		}
	}
	return 0;
}

/* Keys of a replay: moves through the recording. True when ch was one. */
static bool replay_key(struct tui *t, int ch, struct runctl *ctl)
{
	switch (ch) {
	case '[':
	case KEY_SLEFT:
		ctl->step = -1;
		return true;
	case ']':
	case KEY_SRIGHT:
		ctl->step = 1;
		return true;
	case 't':
	case 'T':
		t->time_input[0] = 0;
		t->editing_time = true;
		return true;
	}
	return false;
}

/* Keys that move: between views, the selection, the drill-down's lines. */
static unsigned move_key(struct tui *t, int ch)
{
	long page = tui_list_height(t) > 1 ? tui_list_height(t) - 1 : 1;

	if (t->nav.detail)
		page = t->rows - 6 > 1 ? t->rows - 6 : 1;
	switch (ch) {
	case '\t':
		return set_view(t, (enum tui_view)((t->nav.view + 1) % TV_NR));
	case KEY_BTAB:
		return set_view(t, (enum tui_view)((t->nav.view + TV_NR - 1) % TV_NR));
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		return set_view(t, (enum tui_view)(ch - '1'));
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -page);
		break;
	case KEY_NPAGE:
		move_sel(t, page);
		break;
	case KEY_HOME:
		move_sel(t, -(long)(t->table.nshown + t->detail.len));
		break;
	case KEY_END:
	case 'G':
		move_sel(t, (long)(t->table.nshown + t->detail.len));
		break;
	default:
		break;
	}
	return 0;
}

/* Every other key: quit, sort, filter, pause, interval, help, drill down
 * and back, redraw, mouse, resize; the rest move (move_key). */
static unsigned command_key(struct tui *t, int ch, struct runctl *ctl)
{
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
		ctl->stop = true;
		break;
	case '<':
	case ',':
		return set_sort(t, t->sort_col[tui_table_of(t)] - 1);
	case '>':
	case '.':
	case 's':
	case KEY_F(6):
		return set_sort(t, t->sort_col[tui_table_of(t)] + 1);
	case 'I':
		t->sort_desc[tui_table_of(t)] = !t->sort_desc[tui_table_of(t)];
		return TK_REBUILD;
	case 'g':
		return toggle_grouped(t);
	case '/':
		snprintf(t->filter_saved, sizeof(t->filter_saved), "%s", t->filter);
		t->editing = true;
		break;
	case '\\':
		t->filter[0] = 0;
		t->nav.pid = 0;
		t->nav.service[0] = 0;
		return TK_REBUILD;
	case 'p':
	case ' ':
		t->paused = ctl->paused = !t->paused;
		break;
	case '+':
	case '=':
		set_interval(t, ctl, true);
		break;
	case '-':
		set_interval(t, ctl, false);
		break;
	case 'h':
	case '?':
	case KEY_F(1):
		t->help = true;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		return drill(t);
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case KEY_LEFT:
		return back(t);
	case 12:	/* Ctrl-L */
		return TK_FULL_REDRAW;
	case KEY_MOUSE:
		return mouse(t);
	case KEY_RESIZE:
		return resize(t);
	default:
		return move_key(t, ch);
	}
	return 0;
}

static unsigned handle_key(struct tui *t, int ch, struct runctl *ctl)
{
	if (t->editing)
		return filter_key(t, ch);
	if (t->editing_time)
		return time_key(t, ch, ctl);
	t->msg[0] = 0;
	if (t->replay && replay_key(t, ch, ctl))
		return 0;
	if (t->help && ch != 'q' && ch != KEY_F(10) && ch != KEY_MOUSE && ch != KEY_RESIZE) {
		t->help = false;
		return 0;
	}
	return command_key(t, ch, ctl);
}

/* The one place where what the handlers asked for is done. */
static void act(struct tui *t, unsigned flags)
{
	if (flags & TK_FULL_REDRAW)
		clearok(curscr, TRUE);
	if (flags & TK_REBUILD)
		tui_rebuild(t);
}

void tui_key_handle(struct tui *t, int ch, struct runctl *ctl)
{
	act(t, handle_key(t, ch, ctl));
}

void tui_screen_resize(struct tui *t)
{
	act(t, resize(t));
}
