/* The TUI sink: owns the terminal (curses set up and always restored), reads
 * keys and mouse clicks, follows resizes, and keeps the snapshot it shows.
 *
 * The UI runs in a thread of its own (see "the sink" below): it polls
 * stdin, a self-pipe that the SIGWINCH handler writes to, and an eventfd
 * by which the main loop hands it snapshots, so keys and resizes are
 * handled at once and never wait for a collection. The main loop polls
 * input_fd to learn what the keys asked of the run (stop, pause,
 * interval). While curses owns the screen, stderr (when it is the same
 * terminal) goes to a memory file that is copied back to the terminal when
 * the screen is restored: no stray line can garble the screen.
 *
 * The terminal is restored on q (the main loop closes the sink), on
 * SIGINT/SIGTERM/SIGHUP (the same path), on exit() from anywhere (atexit)
 * and on a crash (a fatal signal handler that only uses async-signal-safe
 * calls, then re-raises). */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "sink/tui/tui.h"

/* What restoring the terminal needs, reachable from atexit and from a
 * signal handler: there is at most one TUI per process. */
static struct {
	volatile sig_atomic_t active;
	struct termios tio;
	bool have_tio;
	char reset[256];	/* leave the alternate screen, show the cursor... */
	size_t reset_len;
	int saved_stderr;	/* -1: stderr was not captured */
	int stderr_mem;
	int wake[2];		/* SIGWINCH self-pipe */
	SCREEN *screen;
	struct sigaction curses_winch;	/* curses' own handler, chained */
} term = { .saved_stderr = -1, .stderr_mem = -1, .wake = { -1, -1 } };

static void copy_captured_stderr(void)
{
	char buf[4096];
	ssize_t n;

	if (term.saved_stderr < 0)
		return;
	dup2(term.saved_stderr, STDERR_FILENO);
	close(term.saved_stderr);
	term.saved_stderr = -1;
	if (lseek(term.stderr_mem, 0, SEEK_SET) == 0)
		while ((n = read(term.stderr_mem, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t)n) < 0)
				break;
	close(term.stderr_mem);
	term.stderr_mem = -1;
}

/* Async-signal-safe: raw escape strings and tcsetattr only. */
static void restore_raw(void)
{
	ssize_t r;

	if (!term.active)
		return;
	term.active = 0;
	r = write(STDOUT_FILENO, term.reset, term.reset_len);
	(void)r;
	if (term.have_tio)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &term.tio);
	copy_captured_stderr();
}

static void restore_terminal(void)
{
	if (!term.active)
		return;
	term.active = 0;
	endwin();
	copy_captured_stderr();
}

static void on_fatal(int sig)
{
	restore_raw();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* curses keeps its SIGWINCH handler (getch then returns KEY_RESIZE with
 * the screen resized); ours only wakes the main loop's poll. */
static void on_winch(int sig)
{
	int saved = errno;
	ssize_t r = write(term.wake[1], "w", 1);
	void (*h)(int) = term.curses_winch.sa_handler;

	(void)r;
	if (!(term.curses_winch.sa_flags & SA_SIGINFO) && h != SIG_DFL && h != SIG_IGN && h)
		h(sig);
	errno = saved;
}

static void add_cap(const char *name)
{
	const char *s = tigetstr((char *)name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (term.reset_len + n < sizeof(term.reset)) {
		memcpy(term.reset + term.reset_len, s, n);
		term.reset_len += n;
	}
}

static void capture_stderr(void)
{
	int fd;

	/* only when stderr would land on the screen curses is drawing */
	if (!isatty(STDERR_FILENO))
		return;
	fd = memfd_create("latscope-stderr", MFD_CLOEXEC);
	if (fd < 0)
		return;
	term.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (term.saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
		if (term.saved_stderr >= 0)
			close(term.saved_stderr);
		term.saved_stderr = -1;
		close(fd);
		return;
	}
	term.stderr_mem = fd;
}

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

void tui_rebuild(struct tui *t)
{
	enum tui_view v = t->nav.view;
	long i;

	if (tui_table_build(&t->table, v, t->snap) < 0)
		snprintf(t->msg, sizeof(t->msg), "out of memory: some rows are missing");
	tui_table_apply(&t->table, t->filter, t->nav.pid, t->sort_col[v], t->sort_desc[v]);
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
	if (t->nav.view == TV_OVERVIEW) {
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

static unsigned set_sort(struct tui *t, int col)
{
	enum tui_view v = t->nav.view;

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
		int c = tui_col_at(&t->table, me.x);

		if (c < 0)
			return 0;
		if (c != t->sort_col[t->nav.view])
			return set_sort(t, c);
		t->sort_desc[t->nav.view] = !t->sort_desc[t->nav.view];
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

static unsigned handle_key(struct tui *t, int ch, struct runctl *ctl)
{
	long page = tui_list_height(t) > 1 ? tui_list_height(t) - 1 : 1;

	if (t->editing)
		return filter_key(t, ch);
	if (t->editing_time)
		return time_key(t, ch, ctl);
	t->msg[0] = 0;
	if (t->replay) {
		switch (ch) {
		case '[':
		case KEY_SLEFT:
			ctl->step = -1;
			return 0;
		case ']':
		case KEY_SRIGHT:
			ctl->step = 1;
			return 0;
		case 't':
		case 'T':
			t->time_input[0] = 0;
			t->editing_time = true;
			return 0;
		}
	}
	if (t->help && ch != 'q' && ch != KEY_F(10) && ch != KEY_MOUSE && ch != KEY_RESIZE) {
		t->help = false;
		return 0;
	}
	if (t->nav.detail)
		page = t->rows - 6 > 1 ? t->rows - 6 : 1;
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
		ctl->stop = true;
		break;
	case '\t':
		return set_view(t, (enum tui_view)((t->nav.view + 1) % TV_NR));
	case KEY_BTAB:
		return set_view(t, (enum tui_view)((t->nav.view + TV_NR - 1) % TV_NR));
	case '1': case '2': case '3': case '4': case '5': case '6':
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
	case 'g':
		move_sel(t, -(long)(t->table.nshown + t->detail.len));
		break;
	case KEY_END:
	case 'G':
		move_sel(t, (long)(t->table.nshown + t->detail.len));
		break;
	case '<':
	case ',':
		return set_sort(t, t->sort_col[t->nav.view] - 1);
	case '>':
	case '.':
	case 's':
	case KEY_F(6):
		return set_sort(t, t->sort_col[t->nav.view] + 1);
	case 'I':
		t->sort_desc[t->nav.view] = !t->sort_desc[t->nav.view];
		return TK_REBUILD;
	case '/':
		snprintf(t->filter_saved, sizeof(t->filter_saved), "%s", t->filter);
		t->editing = true;
		break;
	case '\\':
		t->filter[0] = 0;
		t->nav.pid = 0;
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
		break;
	}
	return 0;
}

/* The one place where what the handlers asked for is done. */
static void act(struct tui *t, unsigned flags)
{
	if (flags & TK_FULL_REDRAW)
		clearok(curscr, TRUE);
	if (flags & TK_REBUILD)
		tui_rebuild(t);
}


/* ---- the sink: a UI thread ----
 *
 * The UI runs in a thread of its own: keys, resizes and redraws never wait
 * for a collection, however long reading the BPF maps takes on a loaded
 * host. The main loop hands snapshots over (write) and learns what the
 * keys asked of the run (stop, pause, interval) through input_fd. Only
 * this thread touches curses between sink_tui_new and tui_close. */

struct tui_sink {
	struct tui t;		/* the UI thread's */
	pthread_t thread;
	bool started;
	int to_ui;		/* eventfd: a snapshot is pending, or quit */
	int to_main;		/* eventfd: requests for the run (input_fd) */
	pthread_mutex_t lock;
	/* under lock */
	struct snapshot *pending;
	bool quit;
	struct runctl req;	/* what the keys asked for */
	bool req_new;
	/* the UI's own CPU time (rebuilds, redraws, keys), for benchmarks:
	 * printed at close when LATSCOPE_TUI_STATS is set */
	__u64 cpu_ns, max_write_ns, wall_start_ns;
	unsigned long writes;
};

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static __u64 wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void kick(int efd)
{
	__u64 one = 1;
	ssize_t r = write(efd, &one, sizeof(one));

	(void)r;
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* What the keys changed in ctl goes to the main loop. */
static void publish(struct tui_sink *ts, const struct runctl *ctl)
{
	pthread_mutex_lock(&ts->lock);
	ts->req = *ctl;
	ts->req_new = true;
	pthread_mutex_unlock(&ts->lock);
	kick(ts->to_main);
}

static void show_snapshot(struct tui_sink *ts, struct snapshot *s)
{
	struct tui *t = &ts->t;
	struct snapshot *old = t->snap;
	__u64 c0 = thread_cpu_ns(), d;

	t->snap = s;
	tui_rebuild(t);
	tui_draw(t);
	d = thread_cpu_ns() - c0;
	if (d > ts->max_write_ns)
		ts->max_write_ns = d;
	ts->writes++;
	/* without the TUI the main loop would have freed it anyway */
	snapshot_free(old);
}

static void *ui_thread(void *arg)
{
	struct tui_sink *ts = arg;
	struct tui *t = &ts->t;
	struct runctl ctl = { .interval_ns = t->interval_ns };
	bool stdin_ok = true, first = true;
	int idle_wakeups = 0;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = ts->to_ui, .events = POLLIN },
			{ .fd = term.wake[0], .events = POLLIN },
			{ .fd = stdin_ok ? STDIN_FILENO : -1, .events = POLLIN },
		};
		struct runctl before = ctl;
		bool keys = false, resized = false, quit;
		struct snapshot *s;

		if (poll(p, 3, -1) < 0)
			continue;	/* EINTR: a SIGWINCH, seen on the pipe */
		if (p[0].revents) {
			drain(ts->to_ui);
			pthread_mutex_lock(&ts->lock);
			s = ts->pending;
			ts->pending = NULL;
			quit = ts->quit;
			pthread_mutex_unlock(&ts->lock);
			if (quit) {
				snapshot_free(s);
				break;
			}
			if (s && t->paused && !t->replay) {
				snapshot_free(s);	/* the view holds still */
			} else if (s) {
				if (first) {
					/* whatever was printed before curses
					 * started is wiped */
					clearok(curscr, TRUE);
					first = false;
				}
				show_snapshot(ts, s);
			}
		}
		if (p[1].revents) {
			drain(term.wake[0]);
			resized = true;
		}
		if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* the terminal is gone: nobody to show anything to */
			stdin_ok = false;
			ctl.stop = true;
		} else if (p[2].revents & POLLIN) {
			keys = true;
		}
		if (keys || resized) {
			int ch, count = 0;

			/* a resize comes as KEY_RESIZE */
			while (count < 512 && (ch = getch()) != ERR) {
				act(t, handle_key(t, ch, &ctl));
				count++;
			}
			if (resized && !count)
				act(t, resize(t));
			/* readable but nothing to read, again and again: drop
			 * what curses cannot make sense of rather than spin */
			if (keys && !count && ++idle_wakeups > 100) {
				flushinp();
				idle_wakeups = 0;
			} else if (count) {
				idle_wakeups = 0;
			}
			tui_draw(t);
		}
		if (before.stop != ctl.stop || before.paused != ctl.paused ||
		    before.interval_ns != ctl.interval_ns || ctl.step || ctl.jump_ns) {
			publish(ts, &ctl);
			ctl.step = 0;	/* a move is asked for once */
			ctl.jump_ns = 0;
		}
	}
	ts->cpu_ns = thread_cpu_ns();
	return NULL;
}

/* Main loop: what the keys asked for. */
static void tui_on_input(struct sink *k, struct runctl *ctl)
{
	struct tui_sink *ts = k->priv;

	drain(ts->to_main);
	pthread_mutex_lock(&ts->lock);
	if (ts->req_new) {
		ctl->stop = ctl->stop || ts->req.stop;
		ctl->paused = ts->req.paused;
		ctl->interval_ns = ts->req.interval_ns;
		ctl->step = ts->req.step;
		ctl->jump_ns = ts->req.jump_ns;
		ts->req.step = 0;
		ts->req.jump_ns = 0;
		ts->req_new = false;
	}
	pthread_mutex_unlock(&ts->lock);
}

/* Main loop: a new snapshot for the UI thread (the one before, if it was
 * not shown yet, is dropped). */
static int tui_write(struct sink *k, const struct snapshot *s)
{
	struct tui_sink *ts = k->priv;
	struct snapshot *dropped;

	pthread_mutex_lock(&ts->lock);
	dropped = ts->pending;
	ts->pending = snapshot_hold(s);
	pthread_mutex_unlock(&ts->lock);
	snapshot_free(dropped);
	kick(ts->to_ui);
	return 0;
}

static void tui_close(struct sink *k)
{
	struct tui_sink *ts = k->priv;

	if (ts->started) {
		pthread_mutex_lock(&ts->lock);
		ts->quit = true;
		pthread_mutex_unlock(&ts->lock);
		kick(ts->to_ui);
		pthread_join(ts->thread, NULL);
	}
	restore_terminal();
	signal(SIGWINCH, SIG_DFL);
	if (getenv("LATSCOPE_TUI_STATS"))
		fprintf(stderr, "{\"tui_snapshots\":%lu,\"tui_cpu_ms\":%.3f,\"tui_max_snapshot_ms\":%.3f,"
			"\"wall_ms\":%.1f}\n", ts->writes, (double)ts->cpu_ns / 1e6,
			(double)ts->max_write_ns / 1e6, (double)(wall_ns() - ts->wall_start_ns) / 1e6);
	if (term.screen) {
		delscreen(term.screen);
		term.screen = NULL;
	}
	close(ts->to_ui);
	close(ts->to_main);
	close(term.wake[0]);
	close(term.wake[1]);
	term.wake[0] = term.wake[1] = -1;
	pthread_mutex_lock(&ts->lock);
	snapshot_free(ts->pending);
	pthread_mutex_unlock(&ts->lock);
	pthread_mutex_destroy(&ts->lock);
	snapshot_free(ts->t.snap);
	tui_table_free(&ts->t.table);
	tui_lines_free(&ts->t.detail);
	free(ts);
	free(k);
}

static void setup_colours(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");

	/* https://no-color.org: present and not empty means no colour */
	t->colour = has_colors() && !(nc && *nc);
	if (!t->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_HOT, COLOR_RED, -1);
	init_pair(CP_TITLE, COLOR_CYAN, -1);
	init_pair(CP_MARK, COLOR_YELLOW, -1);
	init_pair(CP_DIM, COLOR_BLUE, -1);
	init_pair(CP_SEL, COLOR_BLACK, COLOR_CYAN);
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &term.curses_winch);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

void sink_tui_set_replay(struct sink *k)
{
	struct tui_sink *ts = k->priv;

	pthread_mutex_lock(&ts->lock);
	ts->t.replay = true;
	pthread_mutex_unlock(&ts->lock);
}

struct sink *sink_tui_new(__u64 interval_ns)
{
	static bool atexit_done;
	struct sink *k = NULL;
	struct tui_sink *ts = NULL;
	const char *cs;

	if (term.screen) {
		errno = EBUSY;
		return NULL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		errno = ENOTTY;
		return NULL;
	}
	/* only the character type: numbers in the JSON stay "1.5" */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	tui_ascii_only = !cs || strcmp(cs, "UTF-8");
	k = calloc(1, sizeof(*k));
	ts = calloc(1, sizeof(*ts));
	if (!k || !ts)
		goto fail;
	ts->to_ui = ts->to_main = -1;
	pthread_mutex_init(&ts->lock, NULL);
	if (pipe2(term.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	ts->to_ui = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ts->to_main = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ts->to_ui < 0 || ts->to_main < 0)
		goto fail;

	term.have_tio = tcgetattr(STDIN_FILENO, &term.tio) == 0;
	term.screen = newterm(NULL, stdout, stdin);
	if (!term.screen) {
		errno = ENOENT;	/* no usable terminal description (TERM) */
		goto fail;
	}
	term.reset_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	/* mouse reporting off (xterm 1000/1002/1006), whatever was on */
	if (term.reset_len + 24 < sizeof(term.reset)) {
		memcpy(term.reset + term.reset_len, "\033[?1000l\033[?1006l", 16);
		term.reset_len += 16;
	}
	term.active = 1;
	if (!atexit_done) {
		atexit(restore_terminal);
		atexit_done = true;
	}
	capture_stderr();
	install_handlers();

	/* no typeahead check in the middle of an update: curses would flush
	 * and poll after every line; one write(2) per update is cheaper for
	 * us, for the terminal emulator and over ssh */
	typeahead(-1);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	setup_colours(&ts->t);

	ts->wall_start_ns = wall_ns();
	ts->t.interval_ns = interval_ns;
	ts->t.rows = LINES;
	ts->t.cols = COLS;
	for (int v = 0; v < TV_NR; v++) {
		tui_view_cols((enum tui_view)v, NULL, &ts->t.sort_col[v]);
		ts->t.sort_desc[v] = true;
	}
	tui_table_init(&ts->t.table);
	tui_rebuild(&ts->t);
	/* header and headings at once, before the first snapshot */
	tui_draw(&ts->t);

	k->name = "tui";
	k->input_fd = ts->to_main;
	k->on_input = tui_on_input;
	k->write = tui_write;
	k->close = tui_close;
	k->priv = ts;
	/* the thread inherits the main thread's mask: SIGINT, SIGTERM and
	 * SIGHUP stay with the main loop */
	errno = pthread_create(&ts->thread, NULL, ui_thread, ts);
	if (errno) {
		int e = errno;

		tui_close(k);
		errno = e;
		return NULL;
	}
	ts->started = true;
	return k;
fail: {
		int e = errno;

		if (ts && term.screen) {
			restore_terminal();
			delscreen(term.screen);
			term.screen = NULL;
		}
		if (ts && ts->to_ui >= 0)
			close(ts->to_ui);
		if (ts && ts->to_main >= 0)
			close(ts->to_main);
		if (term.wake[0] >= 0) {
			close(term.wake[0]);
			close(term.wake[1]);
			term.wake[0] = term.wake[1] = -1;
		}
		free(ts);
		free(k);
		errno = e;
		return NULL;
	}
}
