/* Reading a recording: a file of NDJSON snapshots, plain or gzip (told by
 * its content, not its name), one line at a time. A last line without its
 * newline is a snapshot cut off by a crash or a full disk: it is reported
 * as truncated, never handed out. */
#ifndef LATSCOPE_RECORDING_H
#define LATSCOPE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

/* Lines longer than this are not snapshots (and would exhaust memory). */
#define RECORDING_MAX_LINE (256u << 20)

struct recording;

/* NULL with errno set when the file cannot be opened. fd >= 0: read that
 * descriptor instead of opening path (path only names it in messages). */
struct recording *recording_open(const char *path);
struct recording *recording_fdopen(int fd, const char *name);

/* The next line (without its newline, NUL-terminated, valid until the
 * next call): 1 for a complete line; 2 for a last line without its newline
 * (cut off, unless it parses whole); 0 at the end; -1 on an error (see
 * recording_error). */
int recording_next(struct recording *r, const char **line, size_t *len);

/* At the end: bytes of an unterminated last line (0 if the file ended
 * with a newline), and whether a gzip stream lacked its end. */
size_t recording_partial(const struct recording *r);
bool recording_unfinished_gzip(const struct recording *r);
const char *recording_error(const struct recording *r);
const char *recording_name(const struct recording *r);
/* 1-based number of the line last returned. */
size_t recording_lineno(const struct recording *r);

void recording_close(struct recording *r);

#endif
