/* latscope replay FILE...: recordings as a source. Without options it is
 * the TUI with time navigation (text when this build or the output has no
 * TUI); --json writes the snapshots back out as NDJSON, in time order
 * across files; --summary merges them into one snapshot. Exit status 1
 * when a recording was damaged (after everything readable was replayed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "render_json.h"
#include "replay.h"
#include "replay_nav.h"
#include "replay_source.h"
#include "sink.h"
#include "snapshot_merge.h"

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
	ret = tui_replay_run(nav, o);
	replay_nav_free(nav);
	return ret;
}

int replay_main(const struct options *o)
{
	struct replay_source *rs;
	int ret;

	rs = replay_source_open(o->replay_files, o->nreplay, o->from_ns, o->to_ns);
	if (!rs)
		return 1;
	if (o->summary) {
		ret = replay_summary(rs, o);
	} else if (o->mode == OUT_JSON) {
		ret = replay_json(rs);
	} else if (isatty(STDOUT_FILENO) && tui_replay_run) {
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
