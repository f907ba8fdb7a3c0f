/* The replay loop over an interactive sink, as the TUI plugs in: it plays
 * forward at the recorded pace, pauses, and moves on the sink's step and
 * jump requests. The sink here is a fake whose "keys" come from a pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "replay/replay.h"
#include "replay/nav.h"
#include "sink/sink.h"

#define MS 1000000ULL

struct fake {
	int keys[2];
	__u64 shown[64];
	int nshown;
};

static int fake_write(struct sink *k, const struct snapshot *s)
{
	struct fake *f = k->priv;

	if (f->nshown < 64)
		f->shown[f->nshown++] = s->ts_ns;
	return 0;
}

/* one byte per key: p pause/play, < previous, > next, j jump to 30 ms, q quit */
static void fake_input(struct sink *k, struct runctl *ctl)
{
	struct fake *f = k->priv;
	char c;

	assert_true(ctl->replay);
	if (read(f->keys[0], &c, 1) != 1)
		return;
	switch (c) {
	case 'p': ctl->paused = !ctl->paused; break;
	case '<': ctl->step = -1; break;
	case '>': ctl->step = 1; break;
	case 'j': ctl->jump_ns = 30 * MS; break;
	case 'q': ctl->stop = true; break;
	}
}

static struct replay_nav *nav_of(int n, __u64 step_ns)
{
	struct replay_nav *nav = replay_nav_new();

	for (int i = 1; i <= n; i++) {
		struct snapshot *s = snapshot_new();

		s->ts_ns = (__u64)i * 10 * MS;
		s->interval_ns = step_ns;
		assert_int_equal(replay_nav_append(nav, s), 0);
		snapshot_free(s);
	}
	return nav;
}

static void run(struct replay_nav *nav, struct fake *f, const char *keys)
{
	struct sink k = { .name = "fake", .write = fake_write, .on_input = fake_input, .priv = f };

	assert_int_equal(pipe(f->keys), 0);
	k.input_fd = f->keys[0];
	assert_int_equal(write(f->keys[1], keys, strlen(keys)), (ssize_t)strlen(keys));
	assert_int_equal(replay_drive_sink(nav, &k), 0);
	close(f->keys[0]);
	close(f->keys[1]);
}

/* Keys first (paused at once), then quit: every move shows its snapshot. */
static void test_keys_move(void **state)
{
	struct replay_nav *nav = nav_of(5, 1000 * MS);	/* a slow pace: no auto steps */
	struct fake f = {};
	const __u64 want[] = { 10, 20, 30, 20, 30, 40 };

	run(nav, &f, "p>><j>q");
	assert_int_equal(f.nshown, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(f.shown[i], want[i] * MS);
	replay_nav_free(nav);
}

/* Playing with no keys: every snapshot in order at its own pace, then it
 * stays on the last one until quit. */
static void test_plays_to_the_end(void **state)
{
	struct replay_nav *nav = nav_of(4, 5 * MS);
	struct fake f = {};
	struct sink k = { .name = "fake", .write = fake_write, .on_input = fake_input, .priv = &f };

	assert_int_equal(pipe(f.keys), 0);
	k.input_fd = f.keys[0];
	pid_t child = fork();

	if (child == 0) {
		usleep(200000);
		_exit(write(f.keys[1], "q", 1) == 1 ? 0 : 1);
	}
	assert_int_equal(replay_drive_sink(nav, &k), 0);
	waitpid(child, NULL, 0);
	assert_int_equal(f.nshown, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(f.shown[i], (__u64)(i + 1) * 10 * MS);
	close(f.keys[0]);
	close(f.keys[1]);
	replay_nav_free(nav);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_move),
		cmocka_unit_test(test_plays_to_the_end),
	};

	return cmocka_run_group_tests_name("replay_drive", tests, NULL, NULL);
}
