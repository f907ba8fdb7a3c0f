#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/rotate.h"

int rotate_name(const char *path, unsigned n, char *buf, size_t sz)
{
	size_t len = strlen(path);
	int r;

	if (len > 3 && !strcmp(path + len - 3, ".gz"))
		r = snprintf(buf, sz, "%.*s.%u.gz", (int)(len - 3), path, n);
	else
		r = snprintf(buf, sz, "%s.%u", path, n);
	return r < 0 || (size_t)r >= sz ? -1 : 0;
}

/* A new empty 0640 file at path, made under a temporary name in the same
 * directory (O_EXCL: never through a planted link) and renamed over path. */
static int fresh_file(const char *path)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0640) || rename(tmp, path)) {
		int e = errno;

		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	return fd;
}

int rotate_files(const char *path, unsigned keep)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (keep < 1)
		keep = 1;
	for (unsigned n = keep; n > 1; n--) {
		if (rotate_name(path, n - 1, from, sizeof(from)) ||
		    rotate_name(path, n, to, sizeof(to))) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (rename(from, to) && errno != ENOENT)
			return -1;
	}
	if (rotate_name(path, 1, to, sizeof(to))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* FILE.1 becomes the finished file while FILE still names it, until
	 * the new file replaces it: no moment without a whole file at FILE */
	if (unlink(to) && errno != ENOENT)
		return -1;
	if (link(path, to) && rename(path, to))
		return -1;
	return fresh_file(path);
}

int rotate_existing(const char *path, unsigned keep)
{
	struct stat st;
	int fd;

	/* only a file of ours, one link: anything else (a symlink, another
	 * user's file, a hard link to a file elsewhere) is left to
	 * outfile_open, which refuses it */
	if (lstat(path, &st) || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_uid != geteuid() || st.st_nlink != 1)
		return 0;
	fd = rotate_files(path, keep);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}
