/* The replay reader: one JSON snapshot (schema latscope/1) back into a
 * struct snapshot, the inverse of render_json. Parsed with jansson. Input
 * is untrusted (a file from anywhere): wrong types are ignored, strings cut
 * to their fields, histogram bounds mapped to a valid bucket, unknown keys
 * skipped, so a newer latscope's recordings still replay. */
#ifndef LATSCOPE_SNAPSHOT_READ_H
#define LATSCOPE_SNAPSHOT_READ_H

#include <stddef.h>
#include "snapshot/snapshot.h"

/* One line (len bytes, need not be NUL-terminated). NULL on failure with a
 * short reason in err ("not JSON: ...", "not a latscope snapshot", ...). */
struct snapshot *snapshot_read_json(const char *buf, size_t len, char *err, size_t errsz);

#endif
