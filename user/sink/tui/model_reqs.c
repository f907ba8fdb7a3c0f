/* Requests of several listeners merged: their histograms summed bucket by
 * bucket and the p99 read from the sum (not the worst listener's p99), per
 * process for the Overview (model_overview.c) and per service for the
 * grouped Overview (model_services.c). */
#include <errno.h>
#include <stdlib.h>
#include "sink/tui/model_int.h"
#include "snapshot/histo.h"

int tui_reqs_add(struct tui_reqs *r, const __u64 *hist, __u64 requests, __u64 max_ns)
{
	if (!requests || !hist)
		return 0;
	if (!r->hist && !(r->hist = calloc(HIST_NBUCKETS, sizeof(*r->hist))))
		return -ENOMEM;
	for (__u32 b = 0; b < HIST_NBUCKETS; b++)
		r->hist[b] += hist[b];
	r->requests += requests;
	if (max_ns > r->max_ns)
		r->max_ns = max_ns;
	return 0;
}

/* bounded like every latscope percentile, by the bucket and the max */
void tui_reqs_p99(struct tui_reqs *r)
{
	if (r->hist)
		r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
}

void tui_reqs_free(struct tui_reqs *r)
{
	free(r->hist);
	*r = (struct tui_reqs){ 0 };
}

double tui_reqs_rate(const struct tui_reqs *r, const struct snapshot *s)
{
	/* a snapshot without its interval (an odd recording): per snapshot */
	double secs = s->interval_ns ? (double)s->interval_ns / 1e9 : 1;

	return r->requests ? (double)r->requests / secs : -1;
}
