/* Time navigation over a replayed recording, for the TUI: the snapshots in
 * time order, a current position, step back and forth, jump to a time,
 * play and pause. Snapshots are kept as compressed JSON and parsed when
 * shown, so an hour of one-second snapshots stays small in memory.
 *
 * The TUI (issue 6) drives it: it shows replay_nav_current(), maps its keys
 * to prev/next/jump/play, and while playing waits replay_nav_delay_ns()
 * before replay_nav_tick(). */
#ifndef LATSCOPE_REPLAY_NAV_H
#define LATSCOPE_REPLAY_NAV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "options.h"
#include "snapshot/snapshot.h"

struct replay_nav;

struct replay_nav *replay_nav_new(void);
/* Adds s (copied) after the others; snapshots come in time order. 0 or
 * -ENOMEM. */
int replay_nav_append(struct replay_nav *nav, const struct snapshot *s);
void replay_nav_free(struct replay_nav *nav);

size_t replay_nav_count(const struct replay_nav *nav);
size_t replay_nav_pos(const struct replay_nav *nav);	/* 0-based */
/* The snapshot at the position (owned by nav, valid until the position
 * changes); NULL when there is none or it cannot be parsed. */
const struct snapshot *replay_nav_current(struct replay_nav *nav);
/* ts_ns of snapshot i, without parsing it. */
__u64 replay_nav_ts(const struct replay_nav *nav, size_t i);

/* Steps; false (and no move) at either end. */
bool replay_nav_prev(struct replay_nav *nav);
bool replay_nav_next(struct replay_nav *nav);
void replay_nav_first(struct replay_nav *nav);
void replay_nav_last(struct replay_nav *nav);
/* To the snapshot whose window holds ts_ns (CLOCK_REALTIME ns): the first
 * ending at or after it, else the last. Returns the new position. */
size_t replay_nav_jump(struct replay_nav *nav, __u64 ts_ns);

/* Play forward at speed x real time (1: as recorded), or pause. */
void replay_nav_play(struct replay_nav *nav, bool play);
bool replay_nav_playing(const struct replay_nav *nav);
void replay_nav_set_speed(struct replay_nav *nav, double speed);
double replay_nav_speed(const struct replay_nav *nav);
/* While playing: how long to show the current snapshot before the next
 * (the next one's interval / speed). */
__u64 replay_nav_delay_ns(const struct replay_nav *nav);
/* Playing: one step forward; at the end, play stops. True if it moved. */
bool replay_nav_tick(struct replay_nav *nav);

/* The TUI over a replay, provided by the TUI's code. Weak: NULL in a build
 * without the TUI, and replay then prints text. Returns the exit status. */
int tui_replay_run(struct replay_nav *nav, const struct options *o) __attribute__((weak));

#endif
