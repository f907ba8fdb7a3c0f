/* What tui.c, keys.c and views.c share among themselves (tui.h is also
 * the bench's, tools/bench/tui/redraw.c). */
#ifndef LATSCOPE_TUI_INT_H
#define LATSCOPE_TUI_INT_H

#include "sink/tui/tui.h"

/* views.c */
enum tui_colour { CP_HOT = 1, CP_TITLE, CP_MARK, CP_DIM, CP_SEL };
/* Rows of the table that fit on the screen now. */
int tui_list_height(const struct tui *t);
/* Lines of the in-flight panel under the table (Overview and Syscalls). */
int tui_inflight_height(const struct tui *t);

/* keys.c: does what key ch (a curses key code) asks; what it asks of the
 * run (stop, pause, interval, replay moves) goes into ctl. */
void tui_key_handle(struct tui *t, int ch, struct runctl *ctl);
/* keys.c: follows a resize of the terminal. */
void tui_screen_resize(struct tui *t);

#endif
