/* Symbols of JIT-compiled code from a perf map, /tmp/perf-PID.map (the
 * JVM's perf-map-agent, node --perf-basic-prof, LuaJIT, .NET): one line
 * per function, "START SIZE NAME", START and SIZE in hex. */
#ifndef LATSCOPE_PERFMAP_H
#define LATSCOPE_PERFMAP_H

#include <stddef.h>
#include <linux/types.h>

struct perfmap;

/* The entries of a perf map's text (malformed lines are skipped); NULL
 * only when out of memory. A later line for the same address wins (a
 * JIT that recompiled a function). */
struct perfmap *perfmap_parse(const char *text, size_t len);
void perfmap_free(struct perfmap *m);
/* The name of the function that covers addr, its offset in *off; NULL:
 * none. */
const char *perfmap_find(const struct perfmap *m, __u64 addr, __u64 *off);
size_t perfmap_len(const struct perfmap *m);

#endif
