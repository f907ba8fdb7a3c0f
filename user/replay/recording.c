/* Recordings are read through zlib's gzread, which reads gzip and plain
 * files alike. With the writer's sync flush per snapshot, a gzip file cut
 * off by kill -9 still decompresses up to its last whole snapshot; zlib then
 * reports Z_BUF_ERROR (no trailer), which is not an error here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "replay/recording.h"

struct recording {
	gzFile gz;
	char *name;
	char *buf;
	size_t cap, start, len;	/* unread bytes are buf[start, len) */
	size_t lineno, partial;
	bool eof, unfinished_gz;
	char err[160];
};

struct recording *recording_fdopen(int fd, const char *name)
{
	struct recording *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->name = strdup(name ? name : "-");
	r->gz = gzdopen(fd, "rb");
	if (!r->name || !r->gz) {
		if (!r->gz)
			close(fd);
		free(r->name);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	gzbuffer(r->gz, 128 * 1024);
	return r;
}

struct recording *recording_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	return recording_fdopen(fd, path);
}

/* Reads more bytes into buf; 1 if some came, 0 at the end, -1 on error. */
static int fill(struct recording *r)
{
	int n, errnum;

	if (r->eof)
		return 0;
	if (r->start) {		/* keep only the unread part */
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->cap - r->len < 65536) {
		size_t cap = r->cap ? r->cap * 2 : 256 * 1024;
		char *nb;

		if (r->len >= RECORDING_MAX_LINE) {
			snprintf(r->err, sizeof(r->err), "line %zu is longer than %u MiB: not a snapshot",
				 r->lineno + 1, RECORDING_MAX_LINE >> 20);
			return -1;
		}
		nb = realloc(r->buf, cap + 1);
		if (!nb) {
			snprintf(r->err, sizeof(r->err), "out of memory");
			return -1;
		}
		r->buf = nb;
		r->cap = cap;
	}
	n = gzread(r->gz, r->buf + r->len, (unsigned)(r->cap - r->len));
	if (n > 0) {
		r->len += (size_t)n;
		return 1;
	}
	gzerror(r->gz, &errnum);
	if (errnum == Z_BUF_ERROR) {
		/* the gzip stream stops without its trailer: cut off */
		r->unfinished_gz = true;
	} else if (n < 0 || (errnum != Z_OK)) {
		snprintf(r->err, sizeof(r->err), "%s",
			 errnum == Z_ERRNO ? strerror(errno) : "corrupt gzip data");
		return -1;
	}
	r->eof = true;
	return 0;
}

int recording_next(struct recording *r, const char **line, size_t *len)
{
	size_t scanned = r->start;

	for (;;) {
		char *nl = r->buf ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;
		int f;

		if (nl) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			*nl = 0;
			r->start = (size_t)(nl - r->buf) + 1;
			r->lineno++;
			return 1;
		}
		/* a first "line" that does not even start like JSON is not
		 * worth reading to its end (it may be a whole binary file) */
		if (r->lineno == 0 && r->len - r->start >= 4096 && r->buf[r->start] != '{') {
			snprintf(r->err, sizeof(r->err), "not a latscope recording");
			return -1;
		}
		scanned = r->len - r->start;
		f = fill(r);
		if (f < 0)
			return -1;
		if (f == 0) {
			if (r->len == r->start)
				return 0;
			r->partial = r->len - r->start;
			/* the unterminated last line, once */
			*line = r->buf + r->start;
			*len = r->partial;
			r->buf[r->len] = 0;
			r->start = r->len;
			r->lineno++;
			return 2;
		}
	}
}

size_t recording_partial(const struct recording *r) { return r->partial; }
bool recording_unfinished_gzip(const struct recording *r) { return r->unfinished_gz; }
const char *recording_error(const struct recording *r) { return r->err; }
const char *recording_name(const struct recording *r) { return r->name; }
size_t recording_lineno(const struct recording *r) { return r->lineno; }

void recording_close(struct recording *r)
{
	if (!r)
		return;
	gzclose(r->gz);
	free(r->buf);
	free(r->name);
	free(r);
}
