#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "snapshot/write_json.h"
#include "replay/nav.h"
#include "snapshot/read_json.h"

struct frame {
	__u64 ts_ns, interval_ns;
	unsigned char *z;	/* the snapshot's JSON, deflated */
	size_t zlen, len;
};

struct replay_nav {
	struct frame *f;
	size_t n, cap, pos;
	struct snapshot *cur;	/* f[pos] parsed, or NULL */
	bool cur_valid, playing;
	double speed;
	struct jw w;
};

struct replay_nav *replay_nav_new(void)
{
	struct replay_nav *nav = calloc(1, sizeof(*nav));

	if (!nav)
		return NULL;
	nav->speed = 1.0;
	jw_init(&nav->w);
	return nav;
}

void replay_nav_free(struct replay_nav *nav)
{
	if (!nav)
		return;
	for (size_t i = 0; i < nav->n; i++)
		free(nav->f[i].z);
	free(nav->f);
	snapshot_free(nav->cur);
	jw_free(&nav->w);
	free(nav);
}

int replay_nav_append(struct replay_nav *nav, const struct snapshot *s)
{
	struct frame *fr;
	uLongf zlen;

	if (nav->n == nav->cap) {
		size_t cap = nav->cap ? nav->cap * 2 : 64;
		struct frame *nf = realloc(nav->f, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		nav->f = nf;
		nav->cap = cap;
	}
	jw_reset(&nav->w);
	render_json(s, &nav->w);
	if (nav->w.oom)
		return -ENOMEM;
	fr = &nav->f[nav->n];
	zlen = compressBound(nav->w.len);
	fr->z = malloc(zlen);
	if (!fr->z)
		return -ENOMEM;
	if (compress2(fr->z, &zlen, (const Bytef *)nav->w.buf, nav->w.len, 1) != Z_OK) {
		free(fr->z);
		return -ENOMEM;
	}
	fr->zlen = zlen;
	fr->len = nav->w.len;
	fr->ts_ns = s->ts_ns;
	fr->interval_ns = s->interval_ns;
	nav->n++;
	return 0;
}

size_t replay_nav_count(const struct replay_nav *nav) { return nav->n; }
size_t replay_nav_pos(const struct replay_nav *nav) { return nav->pos; }

__u64 replay_nav_ts(const struct replay_nav *nav, size_t i)
{
	return i < nav->n ? nav->f[i].ts_ns : 0;
}

static void move_to(struct replay_nav *nav, size_t pos)
{
	if (pos == nav->pos && nav->cur_valid)
		return;
	nav->pos = pos;
	snapshot_free(nav->cur);
	nav->cur = NULL;
	nav->cur_valid = false;
}

const struct snapshot *replay_nav_current(struct replay_nav *nav)
{
	struct frame *fr;
	char *buf, err[200];
	uLongf len;

	if (nav->cur_valid)
		return nav->cur;
	if (nav->pos >= nav->n)
		return NULL;
	fr = &nav->f[nav->pos];
	len = fr->len;
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	if (uncompress((Bytef *)buf, &len, fr->z, fr->zlen) == Z_OK)
		nav->cur = snapshot_read_json(buf, len, err, sizeof(err));
	free(buf);
	nav->cur_valid = nav->cur != NULL;
	return nav->cur;
}

bool replay_nav_prev(struct replay_nav *nav)
{
	if (nav->pos == 0)
		return false;
	move_to(nav, nav->pos - 1);
	return true;
}

bool replay_nav_next(struct replay_nav *nav)
{
	if (nav->pos + 1 >= nav->n)
		return false;
	move_to(nav, nav->pos + 1);
	return true;
}

void replay_nav_first(struct replay_nav *nav) { move_to(nav, 0); }
void replay_nav_last(struct replay_nav *nav) { move_to(nav, nav->n ? nav->n - 1 : 0); }

size_t replay_nav_jump(struct replay_nav *nav, __u64 ts_ns)
{
	size_t lo = 0, hi = nav->n;

	/* the first frame with ts_ns >= the time asked for */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nav->f[mid].ts_ns < ts_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= nav->n)
		lo = nav->n ? nav->n - 1 : 0;
	move_to(nav, lo);
	return nav->pos;
}

void replay_nav_play(struct replay_nav *nav, bool play) { nav->playing = play; }
bool replay_nav_playing(const struct replay_nav *nav) { return nav->playing; }
double replay_nav_speed(const struct replay_nav *nav) { return nav->speed; }

void replay_nav_set_speed(struct replay_nav *nav, double speed)
{
	if (speed > 0 && speed <= 1000)
		nav->speed = speed;
}

__u64 replay_nav_delay_ns(const struct replay_nav *nav)
{
	__u64 iv;

	if (nav->pos + 1 >= nav->n)
		return 0;
	iv = nav->f[nav->pos + 1].interval_ns;
	if (!iv)
		iv = 1000000000ULL;
	return (__u64)((double)iv / nav->speed);
}

bool replay_nav_tick(struct replay_nav *nav)
{
	if (!nav->playing)
		return false;
	if (!replay_nav_next(nav)) {
		nav->playing = false;
		return false;
	}
	return true;
}
