#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "snapshot/pool_blocked.h"
#include "snapshot/merge.h"

#define KEY_LEN 400

/* What the merger knows of one merged row beyond the row itself. */
#define MEANS_MAX 4	/* MEAN fields per section */

struct meta {
	size_t idx;		/* in its vec: rows move when the vec grows */
	bool nohist;		/* some part came without a histogram */
	double acc[MEANS_MAX], weight;	/* MEAN fields: time-weighted */
};

#define L_NR 16		/* >= snap_nsections (checked in merger_new) */

struct merger {
	struct snapshot *out;
	struct hashmap *idx[L_NR];
	size_t n;
	__u64 first_start, last_ts;
	__u64 probes_ts;
};

struct merger *merger_new(void)
{
	struct merger *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (snap_nsections > L_NR)
		goto fail;
	m->out = snapshot_new();
	for (int i = 0; m->out && i < L_NR; i++)
		if (!(m->idx[i] = hashmap_new(KEY_LEN)))
			goto fail;
	if (!m->out)
		goto fail;
	return m;
fail:
	merger_free(m);
	return NULL;
}

void merger_free(struct merger *m)
{
	if (!m)
		return;
	for (int i = 0; i < L_NR; i++)
		if (m->idx[i])
			hashmap_free(m->idx[i], free);
	snapshot_free(m->out);
	free(m);
}

size_t merger_count(const struct merger *m)
{
	return m->n;
}

/* The key of a row: its KEY fields joined by a unit separator. */
static void make_key(char *key, const struct snap_section *sec, const void *row)
{
	size_t n = 0;

	memset(key, 0, KEY_LEN);
	for (size_t i = 0; i < sec->nfields && n < KEY_LEN; i++) {
		const struct snap_field *f = &sec->fields[i];

		if (f->merge != SFM_KEY)
			continue;
		if (f->type == SFT_STR)
			n += snprintf(key + n, KEY_LEN - n, "%s\x1f",
				      (const char *)row + f->off);
		else
			n += snprintf(key + n, KEY_LEN - n, "%llu\x1f",
				      (unsigned long long)snap_field_u64(f, row));
	}
}

/* The merged row for key in list l: found, or pushed zeroed (*fresh). */
static void *row_for(struct merger *m, size_t l, struct vec *v, const char *key,
		     bool *fresh, struct meta **mt)
{
	struct meta *x = hashmap_get(m->idx[l], key);

	*fresh = false;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || !vec_push(v)) {
			free(x);
			return NULL;
		}
		x->idx = v->len - 1;
		if (hashmap_put(m->idx[l], key, x)) {
			v->len--;
			free(x);
			return NULL;
		}
		*fresh = true;
	}
	*mt = x;
	return (char *)v->data + x->idx * v->elem;
}

static __u64 max64(__u64 a, __u64 b) { return a > b ? a : b; }

static int merge_hist(__u64 **dst, const __u64 *src, __u64 src_count, struct meta *mt)
{
	if (!src) {
		if (src_count)
			mt->nohist = true;
		return 0;
	}
	if (!*dst && !(*dst = calloc(HIST_NBUCKETS, sizeof(**dst))))
		return -ENOMEM;
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		(*dst)[i] += src[i];
	return 0;
}

static int copy_stack(char ***dst, size_t *nd, char *const *src, size_t ns)
{
	if (*nd || !ns)
		return 0;
	*dst = calloc(ns, sizeof(char *));
	if (!*dst)
		return -ENOMEM;
	for (size_t i = 0; i < ns; i++) {
		(*dst)[i] = strdup(src[i] ? src[i] : "");
		if (!(*dst)[i])
			return -ENOMEM;
		(*nd)++;
	}
	return 0;
}

static bool same_key(const struct snap_section *sec, const void *a, const void *b)
{
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];

		if (f->merge == SFM_KEY &&
		    memcmp((const char *)a + f->off, (const char *)b + f->off, f->size))
			return false;
	}
	return true;
}

/* A fresh merged row: the identifying and first-seen fields of r. */
static void row_start(const struct snap_section *sec, void *d, const void *r)
{
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];

		if (f->merge == SFM_KEY || f->merge == SFM_FIRST)
			memcpy((char *)d + f->off, (const char *)r + f->off, f->size);
	}
	snap_row_init(sec, d);
}

static int rows_add(const struct snap_section *sec, struct vec *dst, const struct vec *src);

/* Adds row r into the merged row d, field by field as fields.h says;
 * mt and wf (the histogram's weight field) are NULL for sub-rows (no
 * histograms, no means there). */
static int row_add(const struct snap_section *sec, const struct snap_field *wf, void *d,
		   const void *r, struct meta *mt, double w)
{
	size_t nmean = 0;

	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];
		const void *rp = (const char *)r + f->off;
		void *dp = (char *)d + f->off;

		switch (f->merge) {
		case SFM_KEY:
		case SFM_FIRST:
			break;
		case SFM_SUM:
			snap_field_set_u64(f, d, snap_field_u64(f, d) + snap_field_u64(f, r));
			break;
		case SFM_LONGEST:	/* the whole row where f is largest */
			if (snap_field_u64(f, r) >= snap_field_u64(f, d))
				memcpy(d, r, sec->elem);
			break;
		case SFM_MAX:
		case SFM_P50:
		case SFM_P90:
		case SFM_P99:
		case SFM_P999:
			snap_field_set_u64(f, d, max64(snap_field_u64(f, d), snap_field_u64(f, r)));
			break;
		case SFM_MEAN:
			if (mt && nmean < MEANS_MAX)
				mt->acc[nmean++] += *(const double *)rp * w;
			break;
		case SFM_HIST:
			if (mt && merge_hist(dp, *(__u64 *const *)rp, wf ? snap_field_u64(wf, r) : 0, mt))
				return -ENOMEM;
			break;
		case SFM_STACK:
			if (copy_stack(dp, (size_t *)((char *)d + f->n_off), *(char **const *)rp,
				       *(const size_t *)((const char *)r + f->n_off)))
				return -ENOMEM;
			break;
		case SFM_ROWS:
			if (rows_add(f->sub, dp, rp))
				return -ENOMEM;
			break;
		case SFM_CUSTOM: {
			const struct vec *sv = rp;

			for (size_t j = 0; j < sv->len; j++)
				if (f->sub->merge_add(dp, (const char *)sv->data + j * sv->elem))
					return -ENOMEM;
			break;
		}
		}
	}
	if (mt && nmean)
		mt->weight += w;
	return 0;
}

/* Sub-rows (a pool's threads): few, merged by their KEY fields in place. */
static int rows_add(const struct snap_section *sec, struct vec *dst, const struct vec *src)
{
	for (size_t i = 0; i < src->len; i++) {
		const void *r = (const char *)src->data + i * src->elem;
		void *d = NULL;

		for (size_t j = 0; j < dst->len && !d; j++)
			if (same_key(sec, (char *)dst->data + j * dst->elem, r))
				d = (char *)dst->data + j * dst->elem;
		if (!d) {
			if (!(d = vec_push(dst)))
				return -ENOMEM;
			row_start(sec, d, r);
		}
		if (row_add(sec, NULL, d, r, NULL, 0))
			return -ENOMEM;
	}
	return 0;
}

/* Every list of s into the merged snapshot. */
static int add_sections(struct merger *m, const struct snapshot *s)
{
	double w = s->interval_ns ? (double)s->interval_ns : 1.0;
	char key[KEY_LEN];

	for (size_t l = 0; l < snap_nsections; l++) {
		const struct snap_section *sec = &snap_sections[l];
		const struct vec *v = snap_section_vec(s, sec);
		/* the field a histogram's calls are counted in: once per list */
		const struct snap_field *wf = snap_field_find(sec, sec->weight);

		for (size_t i = 0; i < v->len; i++) {
			const void *r = (const char *)v->data + i * v->elem;
			struct meta *mt;
			bool fresh;
			void *d;

			make_key(key, sec, r);
			d = row_for(m, l, snap_section_vec(m->out, sec), key, &fresh, &mt);
			if (!d)
				return -ENOMEM;
			if (fresh)
				row_start(sec, d, r);
			if (row_add(sec, wf, d, r, mt, w))
				return -ENOMEM;
		}
	}
	return 0;
}

/* "host" of the merge: every host once, comma-separated, as room allows. */
static void add_host(struct snapshot *out, const char *host)
{
	size_t n = strlen(host), len = strlen(out->host);
	const char *p = out->host;

	if (!n)
		return;
	while ((p = strstr(p, host))) {
		if ((p == out->host || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return;
		p += n;
	}
	if (len + (len ? 1 : 0) + n + 1 > sizeof(out->host))
		return;
	snprintf(out->host + len, sizeof(out->host) - len, "%s%s", len ? "," : "", host);
}

int merger_add(struct merger *m, const struct snapshot *s)
{
	struct snapshot *o = m->out;
	__u64 start = s->ts_ns > s->interval_ns ? s->ts_ns - s->interval_ns : 0;
	int err;

	if (!m->n || start < m->first_start)
		m->first_start = start;
	if (!m->n || s->ts_ns > m->last_ts)
		m->last_ts = s->ts_ns;
	add_host(o, s->host);
	if (!o->kernel[0])
		memcpy(o->kernel, s->kernel, sizeof(o->kernel));
	/* what the probes were doing at the latest point */
	if (!m->n || s->ts_ns >= m->probes_ts) {
		memcpy(o->probes, s->probes, sizeof(o->probes));
		m->probes_ts = s->ts_ns;
	}
	if ((err = add_sections(m, s)))
		return err;
#define COUNTER_ADD(obj, n) o->obj.n += s->obj.n;
#define TRUNCATED_ADD(n) COUNTER_ADD(truncated, n)
#define DROPPED_ADD(n) COUNTER_ADD(dropped, n)
	SNAP_TRUNCATED_FIELDS(TRUNCATED_ADD)
	SNAP_DROPPED_FIELDS(DROPPED_ADD)
#define LISTEN_ADD(n) COUNTER_ADD(listen, n)
	SNAP_LISTEN_FIELDS(LISTEN_ADD)
	m->n++;
	return 0;
}

/* meta of every row of list l, indexed like its vec */
static struct meta **metas(struct merger *m, size_t l, size_t len)
{
	struct meta **a = calloc(len ? len : 1, sizeof(*a));
	struct hm_entry *it = NULL;
	size_t b = 0;

	if (!a)
		return NULL;
	while ((it = hashmap_next(m->idx[l], it, &b))) {
		struct meta *x = it->value;

		if (x->idx < len)
			a[x->idx] = x;
	}
	return a;
}

static double pct_q(enum snap_fmerge m)
{
	return m == SFM_P50 ? 0.50 : m == SFM_P90 ? 0.90 : m == SFM_P99 ? 0.99 : 0.999;
}

/* A merged row's derived fields: percentiles from the merged histogram
 * (when every input had one), the time-weighted means, sub-lists' finish. */
static void row_finish(const struct snap_section *sec, void *row, const struct meta *mt)
{
	const struct snap_field *maxf = snap_field_find(sec, "max_ns");
	const __u64 *hist = NULL;
	size_t nmean = 0;

	for (size_t i = 0; i < sec->nfields; i++)
		if (sec->fields[i].merge == SFM_HIST)
			hist = *(__u64 *const *)SNAP_FIELD_PTR(&sec->fields[i], row);
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];

		switch (f->merge) {
		case SFM_P50:
		case SFM_P90:
		case SFM_P99:
		case SFM_P999:
			if (hist && !(mt && mt->nohist))
				snap_field_set_u64(f, row, hist_percentile(hist, pct_q(f->merge),
							maxf ? snap_field_u64(maxf, row) : 0));
			break;
		case SFM_MEAN:
			if (mt && mt->weight > 0 && nmean < MEANS_MAX)
				*(double *)SNAP_FIELD_PTR(f, row) = mt->acc[nmean] / mt->weight;
			nmean++;
			break;
		case SFM_CUSTOM:
			if (f->sub->merge_finish)
				f->sub->merge_finish(SNAP_FIELD_PTR(f, row));
			break;
		default:
			break;
		}
	}
}

/* A peer's connect p99 from the merged connect histograms to it, when
 * every one of them has its histogram (mt: the connect rows' metas). */
static void tcp_peers_finish(struct snapshot *o, struct meta **mt)
{
	for (size_t p = 0; p < o->tcp_peers.len; p++) {
		struct snap_tcp_peer *tp = vec_at(&o->tcp_peers, struct snap_tcp_peer, p);
		__u64 *h = calloc(HIST_NBUCKETS, sizeof(*h)), max = 0;
		bool ok = h != NULL, any = false;

		for (size_t i = 0; ok && i < o->tcp_connect.len; i++) {
			struct snap_tcp_connect *r = vec_at(&o->tcp_connect, struct snap_tcp_connect, i);

			if (r->dport != tp->dport || strcmp(r->daddr, tp->daddr) || !r->count)
				continue;
			if (!r->hist || (mt[i] && mt[i]->nohist)) {
				ok = false;
				break;
			}
			for (__u32 b = 0; b < HIST_NBUCKETS; b++)
				h[b] += r->hist[b];
			max = max64(max, r->max_ns);
			any = true;
		}
		if (ok && any)
			tp->connect_p99_ns = hist_percentile(h, 0.99, max);
		free(h);
	}
}

struct snapshot *merger_finish(struct merger *m, size_t top)
{
	struct snapshot *o = m->out;

	if (!m->n)
		return NULL;
	o->ts_ns = m->last_ts;
	o->interval_ns = m->last_ts - m->first_start;

	for (size_t l = 0; l < snap_nsections; l++) {
		const struct snap_section *sec = &snap_sections[l];
		struct vec *v = snap_section_vec(o, sec);
		struct meta **mt = metas(m, l, v->len);

		if (!mt)
			return NULL;
		for (size_t i = 0; i < v->len; i++)
			row_finish(sec, (char *)v->data + i * v->elem, mt[i]);
		if (v == &o->tcp_connect)
			tcp_peers_finish(o, mt);
		free(mt);
	}

	/* what the inputs had cut stays counted, plus what the cut cuts now
	 * (snapshot_sort_truncate adds to it) */
	snapshot_sort_truncate(o, top);
	m->out = NULL;
	return o;
}
