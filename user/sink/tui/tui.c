/* The TUI sink: owns the terminal (curses set up and always restored), reads
 * keys and mouse clicks (keys.c does what they ask), follows resizes, and
 * keeps the snapshot it shows.
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
#include "sink/tui/tui_int.h"

/* ---- the terminal ---- */

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

/* The escape strings that leave the terminal as it was (restore_raw). */
static void reset_build(void)
{
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

/* curses on the terminal, restored from anywhere from now on. 0, or -1
 * with errno ENOENT: no usable terminal description (TERM). */
static int term_open(void)
{
	static bool atexit_done;

	term.have_tio = tcgetattr(STDIN_FILENO, &term.tio) == 0;
	term.screen = newterm(NULL, stdout, stdin);
	if (!term.screen) {
		errno = ENOENT;
		return -1;
	}
	reset_build();
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
	return 0;
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

/* A snapshot from the main loop, shown unless the live view is paused.
 * True when the main loop asks the thread to end. */
static bool ui_snapshot_take(struct tui_sink *ts, bool *first)
{
	struct tui *t = &ts->t;
	struct snapshot *s;
	bool quit;

	drain(ts->to_ui);
	pthread_mutex_lock(&ts->lock);
	s = ts->pending;
	ts->pending = NULL;
	quit = ts->quit;
	pthread_mutex_unlock(&ts->lock);
	if (quit) {
		snapshot_free(s);
		return true;
	}
	if (s && t->paused && !t->replay) {
		snapshot_free(s);	/* the view holds still */
	} else if (s) {
		if (*first) {
			/* whatever was printed before curses started is wiped */
			clearok(curscr, TRUE);
			*first = false;
		}
		show_snapshot(ts, s);
	}
	return false;
}

/* Every key that is waiting (a resize comes as KEY_RESIZE), then the
 * screen drawn once. */
static void ui_keys_read(struct tui *t, struct runctl *ctl, bool keys, bool resized,
			 int *idle_wakeups)
{
	int ch, count = 0;

	while (count < 512 && (ch = getch()) != ERR) {
		tui_key_handle(t, ch, ctl);
		count++;
	}
	if (resized && !count)
		tui_screen_resize(t);
	/* readable but nothing to read, again and again: drop what curses
	 * cannot make sense of rather than spin */
	if (keys && !count && ++(*idle_wakeups) > 100) {
		flushinp();
		*idle_wakeups = 0;
	} else if (count) {
		*idle_wakeups = 0;
	}
	tui_draw(t);
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
		bool keys = false, resized = false;

		if (poll(p, 3, -1) < 0)
			continue;	/* EINTR: a SIGWINCH, seen on the pipe */
		if (p[0].revents && ui_snapshot_take(ts, &first))
			break;
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
		if (keys || resized)
			ui_keys_read(t, &ctl, keys, resized, &idle_wakeups);
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

void sink_tui_set_replay(struct sink *k)
{
	struct tui_sink *ts = k->priv;

	pthread_mutex_lock(&ts->lock);
	ts->t.replay = true;
	pthread_mutex_unlock(&ts->lock);
}

/* The UI's first state: the screen's size, each view's first sort, and
 * the header and headings drawn before the first snapshot. */
static void ui_init(struct tui *t, __u64 interval_ns)
{
	t->interval_ns = interval_ns;
	t->rows = LINES;
	t->cols = COLS;
	for (int v = 0; v < TV_TABLES; v++) {
		tui_view_cols((enum tui_view)v, NULL, &t->sort_col[v]);
		t->sort_desc[v] = true;
	}
	tui_table_init(&t->table);
	tui_rebuild(t);
	tui_draw(t);
}

/* sink_tui_new's way out when something failed: what it made is undone,
 * errno kept. */
static void sink_new_undo(struct sink *k, struct tui_sink *ts)
{
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
}

struct sink *sink_tui_new(__u64 interval_ns)
{
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
	if (term_open() < 0)
		goto fail;
	setup_colours(&ts->t);
	ts->wall_start_ns = wall_ns();
	ui_init(&ts->t, interval_ns);

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
fail:
	sink_new_undo(k, ts);
	return NULL;
}
