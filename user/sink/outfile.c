#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>
#include "sink/outfile.h"
#include "lib/rotate.h"
#include "lib/safefile.h"

struct outfile {
	int fd;			/* kept open for gzip too: fstat gives the size */
	gzFile gz;
	bool is_stdout;
	char *path;
	unsigned long long rotate_bytes;
	unsigned keep;
};

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

/* gzip over a duplicate of fd when the name says so. */
static int open_stream(struct outfile *o)
{
	int dup_fd;

	if (!ends_with(o->path, ".gz"))
		return 0;
	dup_fd = dup(o->fd);
	o->gz = dup_fd >= 0 ? gzdopen(dup_fd, "wb6") : NULL;
	if (!o->gz) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	return 0;
}

struct outfile *outfile_open(const char *path)
{
	struct outfile *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (!path || !strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = true;
		return o;
	}
	o->fd = safefile_create(path);
	if (o->fd < 0)
		goto fail;
	o->path = strdup(path);
	if (!o->path || open_stream(o)) {
		close(o->fd);
		errno = ENOMEM;
		goto fail;
	}
	return o;
fail:
	free(o->path);
	free(o);
	return NULL;
}

void outfile_set_rotation(struct outfile *o, unsigned long long max_bytes, unsigned keep)
{
	o->rotate_bytes = o->is_stdout ? 0 : max_bytes;
	o->keep = keep;
}

/* Closes the full file and continues in a fresh one at the same path. */
static int rotate(struct outfile *o)
{
	int fd;

	if (o->gz) {
		if (gzclose(o->gz) != Z_OK) {
			o->gz = NULL;
			errno = EIO;
			return -1;
		}
		o->gz = NULL;
	}
	close(o->fd);
	o->fd = -1;
	fd = rotate_files(o->path, o->keep);
	if (fd < 0)
		return -1;
	o->fd = fd;
	if (open_stream(o)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int maybe_rotate(struct outfile *o)
{
	struct stat st;

	if (!o->rotate_bytes || fstat(o->fd, &st))
		return 0;
	/* checked before a snapshot is written, not after: the file at path
	 * is never left empty when latscope stops */
	return (unsigned long long)st.st_size >= o->rotate_bytes ? rotate(o) : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int outfile_write_line(struct outfile *o, const char *buf, size_t len)
{
	if (maybe_rotate(o))
		return -1;
	if (o->gz) {
		if ((len && gzwrite(o->gz, buf, (unsigned)len) != (int)len) ||
		    gzputc(o->gz, '\n') < 0 || gzflush(o->gz, Z_SYNC_FLUSH) != Z_OK) {
			errno = EIO;
			return -1;
		}
		return 0;
	}
	/* the line and its newline in one writev: a reader sees whole lines */
	struct iovec iov[2] = { { (void *)buf, len }, { (void *)"\n", 1 } };
	ssize_t n = writev(o->fd, iov, 2);

	if (n < 0 && errno != EINTR)
		return -1;
	if (n < 0)
		n = 0;
	if ((size_t)n < len + 1) {
		if ((size_t)n < len && write_all(o->fd, buf + n, len - (size_t)n))
			return -1;
		if (write_all(o->fd, "\n", 1))
			return -1;
	}
	return 0;
}

int outfile_close(struct outfile *o)
{
	int ret = 0;

	if (!o)
		return 0;
	if (o->gz)
		ret = gzclose(o->gz) == Z_OK ? 0 : -1;
	if (!o->is_stdout && o->fd >= 0 && close(o->fd))
		ret = -1;
	free(o->path);
	free(o);
	return ret;
}
