/* Rotation of a recording, the way logrotate names files: FILE.1 is the
 * newest finished file, FILE.N the oldest kept; "rec.json.gz" rotates to
 * "rec.json.1.gz" so the name still says gzip. */
#ifndef LATSCOPE_ROTATE_H
#define LATSCOPE_ROTATE_H

#include <stddef.h>

/* The name of rotated file n (n >= 1) of path into buf; -1 if too long. */
int rotate_name(const char *path, unsigned n, char *buf, size_t sz);

/* path is finished (closed): shifts FILE.1..FILE.keep-1 up by one (the
 * oldest beyond keep is replaced), makes FILE.1 the finished file, and
 * puts a new empty file at path through a temporary name and rename, so
 * that path always names a whole file. Returns the new file's descriptor
 * (mode 0640) or -1 with errno. */
int rotate_files(const char *path, unsigned keep);

/* At start with --rotate: a non-empty recording left at path by an earlier
 * run (a restart under systemd) is rotated away rather than overwritten.
 * 0, or -1 with errno. */
int rotate_existing(const char *path, unsigned keep);

#endif
