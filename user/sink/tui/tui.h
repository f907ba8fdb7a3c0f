/* The live top-style UI: a sink over snapshots (it never reads a BPF map,
 * so it shows replays the same way). tui.c owns the terminal and the UI
 * thread, keys.c does what the keys ask, views.c draws, model*.c build the
 * rows and their text (model.h). tui_int.h: what these files share. */
#ifndef LATSCOPE_TUI_H
#define LATSCOPE_TUI_H

#include <stdbool.h>
#include "sink/sink.h"
#include "sink/tui/model.h"

/* The TUI on the terminal of stdin/stdout; NULL (errno set, nothing
 * printed) when the terminal cannot run it: the caller falls back to text.
 * errno ENOENT: TERM names no terminal description that curses knows. */
struct sink *sink_tui_new(__u64 interval_ns);
/* Makes a TUI sink one over a recording (latscope replay): snapshots are
 * shown even while paused, and the navigation keys ask the replay loop
 * for moves through runctl.step and runctl.jump_ns. */
void sink_tui_set_replay(struct sink *k);
/* "1796150000.5", "2026-12-01T19:30:00Z", "2026-12-01 19:30" (UTC) to
 * CLOCK_REALTIME ns; 0 if it is none of them. */
__u64 tui_parse_time(const char *s);

#define TUI_NAV_DEPTH 8

/* Where the user is: a view, maybe a process or service filter from the
 * Overview, maybe the drill-down of one row. Esc pops back to the saved
 * one. */
struct tui_nav {
	enum tui_view view;
	bool grouped;		/* the Overview by service (key g) */
	__u32 pid;		/* 0: every process */
	char service[SNAP_SERVICE_LEN];	/* "": every service */
	bool detail;
	struct tui_key key;	/* the selected row (or the drilled one) */
};

/* The UI's state: the UI thread's alone once it runs (tui.c). */
struct tui {
	struct snapshot *snap;	/* held: rows point into it */
	struct tui_table table;
	struct tui_lines detail;
	struct tui_nav nav, stack[TUI_NAV_DEPTH];
	int depth;
	int sort_col[TV_TABLES];	/* per table (tui_table_of) */
	bool sort_desc[TV_TABLES];
	size_t sel, top;	/* selected and first shown row of the table */
	size_t dtop;		/* first shown line of the drill-down */
	char filter[64];
	char filter_saved[64];
	bool editing;		/* typing a filter after '/' */
	bool editing_time;	/* typing a time to jump to after 't' (replay) */
	char time_input[40];
	bool replay;		/* over a recording: paused stops the playing,
				 * [ ] step, t jumps to a time */
	bool help;
	bool paused;
	bool colour;
	__u64 interval_ns;
	int rows, cols;		/* the screen */
	/* where things were drawn, for mouse clicks */
	int y_tabs, y_heading, y_first, nlist;
	int tab_x[TV_NR + 1];
	char msg[128];		/* one-off status line text */
};

/* views.c: the whole screen */
void tui_draw(struct tui *t);
/* keys.c: rebuild the table from the held snapshot, keeping the selection */
void tui_rebuild(struct tui *t);
/* keys.c: the table shown: the view's, or TV_SERVICES for the grouped
 * Overview. */
enum tui_view tui_table_of(const struct tui *t);
/* keys.c: the rows shown by the filters of t. */
void tui_filter_of(const struct tui *t, struct tui_filter *f);

#endif
