#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/safefile.h"

static __thread char why[256];

__attribute__((format(printf, 1, 2)))
static int refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	errno = EPERM;
	return -1;
}

const char *safefile_why(void)
{
	return why;
}

const char *safefile_strerror(int err)
{
	return err == EPERM && why[0] ? why : strerror(err);
}

int safefile_dir_ok(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;
	const char *dir;

	why[0] = 0;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dir = dirname(buf);
	if (stat(dir, &st))
		return -1;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return refuse("directory %s belongs to uid %lu, who could swap the file", dir,
			      (unsigned long)st.st_uid);
	/* others may add and rename entries in it; /tmp's sticky bit lets
	 * them touch only their own */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return refuse("directory %s is writable by other users (mode %lo, not sticky)", dir,
			      (unsigned long)(st.st_mode & 07777));
	return 0;
}

int safefile_create(const char *path)
{
	struct stat st;
	int fd, fl;

	if (safefile_dir_ok(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd >= 0 || errno != EEXIST)
		return fd;
	/* there already: O_NONBLOCK so that a planted FIFO cannot hang us
	 * before we see what it is (it fails with ENXIO when nobody reads) */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return refuse("%s is a symbolic link", path);
		if (errno == ENXIO)
			return refuse("%s is a FIFO nobody reads", path);
		return -1;
	}
	if (fstat(fd, &st))
		goto fail;
	if (st.st_uid != geteuid()) {
		close(fd);
		return refuse("%s exists and belongs to uid %lu", path, (unsigned long)st.st_uid);
	}
	if (S_ISREG(st.st_mode)) {
		if (st.st_nlink != 1) {
			close(fd);
			return refuse("%s has %lu hard links", path, (unsigned long)st.st_nlink);
		}
		if (ftruncate(fd, 0))
			goto fail;
		/* an existing file keeps its mode: tighten it */
		if (st.st_mode & 0027)
			fchmod(fd, st.st_mode & 0750);
	} else if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		close(fd);
		return refuse("%s is not a regular file", path);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}
