#ifndef LATSCOPE_RENDER_JSON_H
#define LATSCOPE_RENDER_JSON_H

#include "lib/json_writer.h"
#include "snapshot/snapshot.h"

#define SCHEMA_NAME "latscope/1"

/* One snapshot as one JSON object (no newline) into w, schema latscope/1. */
void render_json(const struct snapshot *s, struct jw *w);

#endif
