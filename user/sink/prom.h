/* The Prometheus renderer, shared by the textfile sink (--prom FILE) and the
 * HTTP endpoint (--listen): the running totals per series, fed one snapshot
 * at a time, written in text format 0.0.4 or OpenMetrics 1.0. */
#ifndef LATSCOPE_SINK_PROM_H
#define LATSCOPE_SINK_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include "snapshot/snapshot.h"

struct prom_render;

/* Histogram bounds per power of two (--prom-buckets): 1, 2, 4, 8 or 16. */
#define PROM_BUCKETS_DEFAULT 8
struct prom_render *prom_render_new(unsigned per_pow2);
void prom_render_free(struct prom_render *p);
/* Adds s's interval to the totals; 0 or -ENOMEM. */
int prom_render_update(struct prom_render *p, const struct snapshot *s);
/* Every metric, the gauges from s (the snapshot last given to update); om:
 * OpenMetrics (counter families named without _total). The caller ends an
 * OpenMetrics exposition with "# EOF". */
void prom_render_write(struct prom_render *p, const struct snapshot *s, FILE *f, bool om);
/* latscope_build_info alone (what an exposition holds before any snapshot). */
void prom_render_build_info(FILE *f, bool om);

#endif
