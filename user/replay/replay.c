/* latscope replay FILE...: recordings as a source. Without options it is
 * the TUI with time navigation (text when this build or the output has no
 * TUI); --json writes the snapshots back out as NDJSON, in time order
 * across files; --summary merges them into one snapshot. Exit status 1
 * when a recording was damaged (after everything readable was replayed). */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "snapshot/write_json.h"
#include "replay/replay.h"
#include "replay/nav.h"
#include "replay/source.h"
#include "sink/sink.h"
#include "snapshot/merge.h"

static int out_line(struct jw *w)
{
	if (w->oom) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		return -1;
	}
	if (fwrite(w->buf, 1, w->len, stdout) != w->len || putchar('\n') == EOF) {
		if (errno != EPIPE)
			fprintf(stderr, "latscope: replay: writing stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int replay_json(struct replay_source *rs)
{
	struct snapshot *s;
	struct jw w;
	int r, ret = 0;

	jw_init(&w);
	while ((r = replay_source_next(rs, &s)) > 0) {
		jw_reset(&w);
		render_json(s, &w);
		snapshot_free(s);
		if (out_line(&w)) {
			ret = 1;
			break;
		}
	}
	if (r < 0) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		ret = 1;
	}
	jw_free(&w);
	return ret;
}

static int replay_summary(struct replay_source *rs, const struct options *o)
{
	struct merger *m = merger_new();
	struct snapshot *s;
	struct jw w;
	int r, ret = 1;

	if (!m) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		return 1;
	}
	while ((r = replay_source_next(rs, &s)) > 0) {
		r = merger_add(m, s);
		snapshot_free(s);
		if (r)
			break;
	}
	if (r < 0) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		merger_free(m);
		return 1;
	}
	if (!merger_count(m)) {
		fprintf(stderr, "latscope: replay: no snapshot in the window of --from/--to\n");
		merger_free(m);
		return 1;
	}
	s = merger_finish(m, o->top);
	merger_free(m);
	if (!s) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		return 1;
	}
	jw_init(&w);
	render_json(s, &w);
	if (!out_line(&w))
		ret = 0;
	jw_free(&w);
	snapshot_free(s);
	return ret;
}

static int replay_text(struct replay_source *rs)
{
	struct sink *k = sink_text_new(stdout);
	struct snapshot *s;
	int r, ret = 0;

	if (!k) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		return 1;
	}
	while ((r = replay_source_next(rs, &s)) > 0) {
		r = k->write(k, s);
		snapshot_free(s);
		if (r < 0) {
			ret = 1;
			break;
		}
	}
	if (r < 0)
		ret = 1;
	sink_close(k);
	return ret;
}

/* The live TUI's constructor, when this build has it (issue 6); weak so
 * that replay links without it. */
struct sink *sink_tui_new(__u64 interval_ns) __attribute__((weak));
void sink_tui_set_replay(struct sink *k) __attribute__((weak));

static volatile sig_atomic_t replay_stop;

static void on_stop_signal(int sig)
{
	replay_stop = sig;
}

/* Drives a TUI sink over the recording: it shows the snapshot at the
 * position; its keys pause (ctl.paused), quit (ctl.stop) and move
 * (ctl.step, ctl.jump_ns); while playing, the next snapshot comes after
 * its own interval, as recorded. */
int replay_drive_sink(struct replay_nav *nav, struct sink *k)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct runctl ctl = { .replay = true };
	const struct snapshot *s;
	int ret = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	replay_nav_play(nav, true);
	s = replay_nav_current(nav);
	ctl.interval_ns = s ? s->interval_ns : 1000000000ULL;
	if (s && k->write(k, s) < 0)
		ret = 1;
	while (!ret && !ctl.stop && !replay_stop) {
		struct pollfd pfd = { .fd = k->input_fd, .events = POLLIN };
		bool moved = false;
		int timeout = -1;

		replay_nav_play(nav, !ctl.paused && replay_nav_pos(nav) + 1 < replay_nav_count(nav));
		if (replay_nav_playing(nav))
			timeout = (int)(replay_nav_delay_ns(nav) / 1000000ULL);
		if (poll(&pfd, k->input_fd >= 0 ? 1 : 0, timeout) > 0 && k->on_input) {
			k->on_input(k, &ctl);
			if (ctl.step < 0)
				moved = replay_nav_prev(nav);
			else if (ctl.step > 0)
				moved = replay_nav_next(nav);
			if (ctl.jump_ns) {
				size_t before = replay_nav_pos(nav);

				moved = replay_nav_jump(nav, ctl.jump_ns) != before;
			}
			ctl.step = 0;
			ctl.jump_ns = 0;
		} else if (replay_nav_playing(nav)) {
			moved = replay_nav_tick(nav);
		}
		if (moved && (s = replay_nav_current(nav)) && k->write(k, s) < 0)
			ret = 1;
	}
	return ret;
}

static int replay_tui(struct replay_source *rs, const struct options *o)
{
	struct replay_nav *nav = replay_nav_new();
	struct snapshot *s;
	int r, ret;

	if (!nav) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		return 1;
	}
	while ((r = replay_source_next(rs, &s)) > 0) {
		r = replay_nav_append(nav, s);
		snapshot_free(s);
		if (r)
			break;
	}
	if (r < 0) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		replay_nav_free(nav);
		return 1;
	}
	if (tui_replay_run) {
		ret = tui_replay_run(nav, o);
	} else {
		const struct snapshot *s = replay_nav_current(nav);
		struct sink *k = sink_tui_new(s ? s->interval_ns : 1000000000ULL);

		if (k) {
			if (sink_tui_set_replay)
				sink_tui_set_replay(k);
			ret = replay_drive_sink(nav, k);
			sink_close(k);
		} else {
			/* the terminal cannot run it: text, as live latscope does */
			struct sink *t = sink_text_new(stdout);

			ret = 1;
			if (t) {
				ret = 0;
				replay_nav_first(nav);
				do {
					if ((s = replay_nav_current(nav)) && t->write(t, s) < 0)
						ret = 1;
				} while (!ret && replay_nav_next(nav));
				sink_close(t);
			}
		}
	}
	replay_nav_free(nav);
	return ret;
}

int replay_main(const struct options *o)
{
	struct replay_source *rs;
	int ret;

	/* each snapshot allocates and frees megabytes of rows and histograms:
	 * keep the heap instead of giving it back and faulting it in again */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	/* no fastbins: each 4.5 KiB histogram would consolidate them first */
	mallopt(M_MXFAST, 0);
	rs = replay_source_open(o->replay_files, o->nreplay, o->from_ns, o->to_ns);
	if (!rs)
		return 1;
	if (o->summary) {
		ret = replay_summary(rs, o);
	} else if (o->mode == OUT_JSON) {
		ret = replay_json(rs);
	} else if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && (tui_replay_run || sink_tui_new)) {
		ret = replay_tui(rs, o);
	} else {
		if (isatty(STDOUT_FILENO))
			fprintf(stderr, "latscope: this build has no TUI: replaying as text (--json for NDJSON)\n");
		ret = replay_text(rs);
	}
	if (fflush(stdout) && errno != EPIPE && !ret) {
		fprintf(stderr, "latscope: replay: writing stdout: %s\n", strerror(errno));
		ret = 1;
	}
	if (replay_source_damaged(rs))
		ret = 1;
	replay_source_close(rs);
	return ret;
}
