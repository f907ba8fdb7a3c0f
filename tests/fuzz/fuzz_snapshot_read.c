/* libFuzzer target for the replay reader, the part of latscope that reads
 * files from anywhere. Each input is read twice:
 *  - as one line: snapshot_read_json; a snapshot it accepts must render
 *    and read back to the same JSON (the reader is render_json's inverse),
 *    and merge with itself (replay --summary) without trouble;
 *  - as a whole recording (plain or gzip) through recording_next, each
 *    line through the reader, as replay does.
 * Crashes, sanitizer reports and failed round trips abort.
 *   make fuzz [FUZZ_TIME=seconds]       corpus: tests/fuzz/corpus */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "replay/recording.h"
#include "snapshot/write_json.h"
#include "snapshot/merge.h"
#include "snapshot/read_json.h"

static char *render(const struct snapshot *s)
{
	struct jw w;
	char *out;

	jw_init(&w);
	render_json(s, &w);
	out = w.oom ? NULL : strdup(w.buf);
	jw_free(&w);
	return out;
}

static void as_line(const uint8_t *data, size_t size)
{
	char err[200];
	struct snapshot *s = snapshot_read_json((const char *)data, size, err, sizeof(err)), *t;
	struct merger *m;
	char *a, *b;

	if (!s)
		return;
	a = render(s);
	if (!a)
		abort();
	t = snapshot_read_json(a, strlen(a), err, sizeof(err));
	if (!t) {
		fprintf(stderr, "rendered snapshot does not read back: %s\n%s\n", err, a);
		abort();
	}
	b = render(t);
	if (!b || strcmp(a, b)) {
		fprintf(stderr, "round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	m = merger_new();
	if (m && !merger_add(m, s) && !merger_add(m, t)) {
		struct snapshot *u = merger_finish(m, 10);

		free(render(u));
		snapshot_free(u);
	}
	merger_free(m);
	free(a);
	free(b);
	snapshot_free(s);
	snapshot_free(t);
}

static void as_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	struct recording *r;
	const char *line;
	size_t len;
	char err[200];

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return;
	}
	r = recording_fdopen(fd, "fuzz");
	if (!r)
		return;
	while (recording_next(r, &line, &len) > 0) {
		struct snapshot *s = snapshot_read_json(line, len, err, sizeof(err));

		snapshot_free(s);
	}
	recording_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_line(data, size);
	as_file(data, size);
	return 0;
}
