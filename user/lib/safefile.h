/* Files latscope creates as root, safe against other local users: a file
 * or link planted at the path, a FIFO that would block the open, a
 * directory someone else can rename things in. */
#ifndef LATSCOPE_SAFEFILE_H
#define LATSCOPE_SAFEFILE_H

#include <stddef.h>

/* 0 if the directory that holds path is one only we (or root) can change
 * entries in: owned by us or root, and not group/other-writable unless
 * sticky (/tmp). Else -1, errno EPERM, the reason in safefile_why(). */
int safefile_dir_ok(const char *path);

/* Opens path for writing, truncated, mode 0640 when made: created with
 * O_EXCL, or an existing file that is ours (owned by our euid), regular,
 * with one link; never through a symlink, never blocking on a FIFO. A FIFO
 * or character device of ours (/dev/null) is opened as it is. -1 with
 * errno (EPERM: the reason in safefile_why()). */
int safefile_create(const char *path);

/* Why the last refusal (EPERM) was made: "" when it was not ours. */
const char *safefile_why(void);

/* strerror(err), or the reason of the last refusal when err is EPERM and
 * there is one. */
const char *safefile_strerror(int err);

#endif
