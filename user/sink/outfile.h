/* An output stream for snapshots: stdout, a plain file, or gzip when the
 * name ends in .gz. Each line is written whole and flushed (gzip: a sync
 * flush point), so the file is readable while it grows and after a crash. */
#ifndef LATSCOPE_OUTFILE_H
#define LATSCOPE_OUTFILE_H

#include <stddef.h>

struct outfile;

/* path NULL or "-": stdout. Files are opened as safefile_create() does
 * (0640, never through a planted link, FIFO or other user's file). NULL
 * with errno set on failure (safefile_strerror() says why). */
struct outfile *outfile_open(const char *path);
/* A file that has reached max_bytes on disk is finished and rotated (see
 * rotate.h) before the next line, keeping keep old files. Not for stdout. */
void outfile_set_rotation(struct outfile *o, unsigned long long max_bytes, unsigned keep);
int outfile_write_line(struct outfile *o, const char *buf, size_t len);
/* Finishes the stream (gzip trailer); 0 or -1. */
int outfile_close(struct outfile *o);

#endif
