/* Time navigation over a replay, as the TUI drives it: steps stop at the
 * ends, a jump lands on the snapshot whose window holds the time, play
 * walks forward at the recorded pace and stops at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "replay/nav.h"

#define SEC 1000000000ULL

static struct replay_nav *five(void)
{
	struct replay_nav *nav = replay_nav_new();

	for (int i = 1; i <= 5; i++) {
		struct snapshot *s = snapshot_new();
		struct snap_syscall *r = vec_push(&s->syscalls);

		s->ts_ns = (__u64)i * 10 * SEC;
		s->interval_ns = 10 * SEC;
		r->pid = (__u32)i;
		r->count = (__u64)i * 100;
		strcpy(r->syscall, "read");
		assert_int_equal(replay_nav_append(nav, s), 0);
		snapshot_free(s);
	}
	return nav;
}

static void test_steps_and_ends(void **state)
{
	struct replay_nav *nav = five();

	assert_int_equal(replay_nav_count(nav), 5);
	assert_int_equal(replay_nav_pos(nav), 0);
	assert_int_equal(replay_nav_current(nav)->ts_ns, 10 * SEC);
	assert_false(replay_nav_prev(nav));
	assert_true(replay_nav_next(nav));
	const struct snapshot *s = replay_nav_current(nav);
	assert_int_equal(s->ts_ns, 20 * SEC);
	assert_int_equal(vec_at(&s->syscalls, struct snap_syscall, 0)->count, 200);
	replay_nav_last(nav);
	assert_int_equal(replay_nav_current(nav)->ts_ns, 50 * SEC);
	assert_false(replay_nav_next(nav));
	assert_int_equal(replay_nav_pos(nav), 4);
	replay_nav_first(nav);
	assert_int_equal(replay_nav_ts(nav, 2), 30 * SEC);
	replay_nav_free(nav);
}

static void test_jump(void **state)
{
	struct replay_nav *nav = five();

	/* 25 s lies in the window (20, 30] of the third snapshot */
	assert_int_equal(replay_nav_jump(nav, 25 * SEC), 2);
	assert_int_equal(replay_nav_jump(nav, 30 * SEC), 2);
	assert_int_equal(replay_nav_jump(nav, 0), 0);
	assert_int_equal(replay_nav_jump(nav, 999 * SEC), 4);
	assert_int_equal(replay_nav_current(nav)->ts_ns, 50 * SEC);
	replay_nav_free(nav);
}

static void test_play_pause(void **state)
{
	struct replay_nav *nav = five();
	int steps = 0;

	assert_false(replay_nav_tick(nav));	/* paused: no move */
	replay_nav_set_speed(nav, 4);
	assert_int_equal(replay_nav_delay_ns(nav), 10 * SEC / 4);
	replay_nav_set_speed(nav, -1);		/* ignored */
	assert_true(replay_nav_speed(nav) == 4);
	replay_nav_play(nav, true);
	while (replay_nav_tick(nav))
		steps++;
	assert_int_equal(steps, 4);
	assert_false(replay_nav_playing(nav));
	assert_int_equal(replay_nav_pos(nav), 4);
	assert_int_equal(replay_nav_delay_ns(nav), 0);
	replay_nav_free(nav);
}

static void test_empty(void **state)
{
	struct replay_nav *nav = replay_nav_new();

	assert_null(replay_nav_current(nav));
	assert_false(replay_nav_next(nav));
	assert_int_equal(replay_nav_jump(nav, 5), 0);
	replay_nav_free(nav);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_and_ends),
		cmocka_unit_test(test_jump),
		cmocka_unit_test(test_play_pause),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("replay_nav", tests, NULL, NULL);
}
