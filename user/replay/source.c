#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay/recording.h"
#include "replay/source.h"
#include "snapshot/read_json.h"
#include "lib/textfmt.h"

#define MAX_BAD_LINE_WARNINGS 3

struct stream {
	struct recording *rec;
	struct snapshot *next;	/* pending, the earliest unread */
	size_t good, bad;
	bool done;
};

struct replay_source {
	struct stream *s;
	size_t n, count;
	__u64 from_ns, to_ns;
	bool damaged;
};

static void warn_bad(struct replay_source *rs, struct stream *st, const char *err)
{
	char clean[256];

	rs->damaged = true;
	/* err may quote the recording: sanitized, the file could be anyone's */
	if (++st->bad <= MAX_BAD_LINE_WARNINGS)
		fprintf(stderr, "latscope: '%s' line %zu: skipped, %s\n", recording_name(st->rec),
			recording_lineno(st->rec), sanitize(err, clean, sizeof(clean)));
}

/* Reads st's next snapshot into st->next (NULL at its end); -1 on ENOMEM. */
static int advance(struct replay_source *rs, struct stream *st)
{
	char err[200];
	const char *line;
	size_t len;
	int r;

	st->next = NULL;
	while (!st->done) {
		r = recording_next(st->rec, &line, &len);
		if (r == 0) {
			st->done = true;
			break;
		}
		if (r < 0) {
			rs->damaged = true;
			fprintf(stderr, "latscope: '%s': %s after line %zu; replayed the %zu snapshots before it\n",
				recording_name(st->rec), recording_error(st->rec),
				recording_lineno(st->rec), st->good);
			st->done = true;
			break;
		}
		if (len == 0 && r == 1)
			continue;	/* an empty line: nothing lost */
		st->next = snapshot_read_json(line, len, err, sizeof(err));
		if (st->next) {
			st->good++;
			if ((rs->from_ns && st->next->ts_ns < rs->from_ns) ||
			    (rs->to_ns && st->next->ts_ns > rs->to_ns)) {
				snapshot_free(st->next);
				st->next = NULL;
				continue;
			}
			return 0;
		}
		if (!strcmp(err, "out of memory"))
			return -1;
		if (r == 2) {
			/* the last line, without its newline, does not parse */
			rs->damaged = true;
			fprintf(stderr, "latscope: '%s' ends in the middle of a snapshot (line %zu, %zu bytes): replayed the %zu complete ones before it\n",
				recording_name(st->rec), recording_lineno(st->rec), len, st->good);
			st->done = true;
			break;
		}
		warn_bad(rs, st, err);
	}
	return 0;
}

/* Opens one file and checks that its first line is a snapshot. */
static int open_stream(struct replay_source *rs, struct stream *st, const char *path)
{
	char err[200], clean[256];
	const char *line;
	size_t len;
	int r;

	st->rec = recording_open(path);
	if (!st->rec) {
		fprintf(stderr, "latscope: replay '%s': %s\n", path, strerror(errno));
		return -1;
	}
	do
		r = recording_next(st->rec, &line, &len);
	while (r == 1 && len == 0);
	if (r == 0) {
		fprintf(stderr, "latscope: replay '%s': empty file, not a latscope recording\n", path);
		return -1;
	}
	if (r < 0) {
		fprintf(stderr, "latscope: replay '%s': %s\n", path,
			!strcmp(recording_error(st->rec), "corrupt gzip data") ?
			"corrupt gzip data, not a latscope recording" : recording_error(st->rec));
		return -1;
	}
	st->next = snapshot_read_json(line, len, err, sizeof(err));
	if (!st->next) {
		if (r == 2 && line[0] == '{' && !strncmp(err, "not JSON", 8)) {
			fprintf(stderr, "latscope: replay '%s': ends in the middle of its first snapshot (%zu bytes): nothing to replay\n",
				path, len);
			return -1;
		}
		fprintf(stderr, "latscope: replay '%s': not a latscope recording: %s\n", path,
			sanitize(err, clean, sizeof(clean)));
		return -1;
	}
	st->good = 1;
	if ((rs->from_ns && st->next->ts_ns < rs->from_ns) ||
	    (rs->to_ns && st->next->ts_ns > rs->to_ns)) {
		snapshot_free(st->next);
		st->next = NULL;
		if (r == 2)
			st->done = true;
		return advance(rs, st) ? -1 : 0;
	}
	if (r == 2)
		st->done = true;
	return 0;
}

struct replay_source *replay_source_open(const char *const *paths, size_t n, __u64 from_ns,
					 __u64 to_ns)
{
	struct replay_source *rs = calloc(1, sizeof(*rs));

	if (!rs || !(rs->s = calloc(n ? n : 1, sizeof(*rs->s)))) {
		fprintf(stderr, "latscope: replay: out of memory\n");
		free(rs);
		return NULL;
	}
	rs->n = n;
	rs->from_ns = from_ns;
	rs->to_ns = to_ns;
	for (size_t i = 0; i < n; i++) {
		if (open_stream(rs, &rs->s[i], paths[i])) {
			replay_source_close(rs);
			return NULL;
		}
	}
	return rs;
}

int replay_source_next(struct replay_source *rs, struct snapshot **out)
{
	struct stream *best = NULL;

	*out = NULL;
	for (size_t i = 0; i < rs->n; i++) {
		struct stream *st = &rs->s[i];

		if (st->next && (!best || st->next->ts_ns < best->next->ts_ns))
			best = st;
	}
	if (!best)
		return 0;
	*out = best->next;
	rs->count++;
	return advance(rs, best) ? -1 : 1;
}

bool replay_source_damaged(const struct replay_source *rs) { return rs->damaged; }
size_t replay_source_count(const struct replay_source *rs) { return rs->count; }

void replay_source_close(struct replay_source *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->s[i].bad > MAX_BAD_LINE_WARNINGS)
			fprintf(stderr, "latscope: '%s': %zu lines skipped in all\n",
				recording_name(rs->s[i].rec), rs->s[i].bad);
		snapshot_free(rs->s[i].next);
		recording_close(rs->s[i].rec);
	}
	free(rs->s);
	free(rs);
}
