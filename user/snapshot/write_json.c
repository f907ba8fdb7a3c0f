/* The NDJSON renderer: one snapshot -> one object of schema latscope/1. */
#include <stdint.h>
#include <string.h>
#include "snapshot/histo.h"
#include "snapshot/write_json.h"

static void hist_json(struct jw *w, const __u64 *hist)
{
	jw_key(w, "hist");
	jw_arr_begin(w);
	if (hist) {
		for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
			if (!hist[i])
				continue;
			__u64 hi = hist_bucket_hi(i);

			/* the open-ended last bucket as INT64_MAX: JSON readers
			 * that hold integers as int64 (jansson, jq) keep it */
			if (hi > INT64_MAX)
				hi = INT64_MAX;
			jw_arr_begin(w);
			jw_u64(w, hi);
			jw_u64(w, hist[i]);
			jw_arr_end(w);
		}
	}
	jw_arr_end(w);
}

static void stack_json(struct jw *w, char *const *stack, size_t n)
{
	jw_key(w, "stack");
	jw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, stack[i]);
	jw_arr_end(w);
}

static void rows_json(struct jw *w, const struct snap_section *sec, const struct vec *v);

/* One row: its fields in the order fields.h lists them. */
static void row_json(struct jw *w, const struct snap_section *sec, const void *row)
{
	jw_obj_begin(w);
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];
		const void *p = (const char *)row + f->off;

		switch (f->type) {
		case SFT_U16:
		case SFT_U32:
		case SFT_U64:
			jw_ku64(w, f->name, snap_field_u64(f, row));
			break;
		case SFT_F1:
			jw_key(w, f->name);
			jw_double(w, *(const double *)p, 1);
			break;
		case SFT_STR:
			jw_kstr(w, f->name, p);
			break;
		case SFT_HIST:
			if (*(__u64 *const *)p)
				hist_json(w, *(__u64 *const *)p);
			break;
		case SFT_HIST_ALL:
			hist_json(w, *(__u64 *const *)p);
			break;
		case SFT_STACK:
			stack_json(w, *(char **const *)p,
				   *(const size_t *)((const char *)row + f->n_off));
			break;
		case SFT_VEC_OPT:
			if (!((const struct vec *)p)->len)
				break;
			/* fall through */
		case SFT_VEC:
			jw_key(w, f->name);
			rows_json(w, f->sub, p);
			break;
		}
	}
	jw_obj_end(w);
}

static void rows_json(struct jw *w, const struct snap_section *sec, const struct vec *v)
{
	jw_arr_begin(w);
	for (size_t i = 0; i < v->len; i++)
		row_json(w, sec, (const char *)v->data + i * v->elem);
	jw_arr_end(w);
}

/* Every list, each group ("tcp", "locks") as one object around its lists. */
static void sections_json(const struct snapshot *s, struct jw *w)
{
	const char *group = NULL;

	for (size_t i = 0; i < snap_nsections; i++) {
		const struct snap_section *sec = &snap_sections[i];

		if (group && (!sec->group || strcmp(group, sec->group)))
			jw_obj_end(w);
		if (sec->group && (!group || strcmp(group, sec->group))) {
			jw_key(w, sec->group);
			jw_obj_begin(w);
		}
		group = sec->group;
		jw_key(w, sec->name);
		rows_json(w, sec, (const struct vec *)((const char *)s + sec->vec_off));
	}
	if (group)
		jw_obj_end(w);
}

void render_json(const struct snapshot *s, struct jw *w)
{
	jw_obj_begin(w);
	jw_kstr(w, "schema", SCHEMA_NAME);
	jw_kstr(w, "host", s->host);
	jw_kstr(w, "kernel", s->kernel);
	jw_ku64(w, "ts_ns", s->ts_ns);
	jw_ku64(w, "interval_ns", s->interval_ns);
	jw_key(w, "probes");
	jw_obj_begin(w);
	for (int f = 0; f < FAM_NR; f++)
		jw_kstr(w, family_names[f], s->probes[f]);
	jw_obj_end(w);

	sections_json(s, w);

#define COUNTER_JSON(obj, n) jw_ku64(w, #n, s->obj.n);
#define TRUNCATED_JSON(n) COUNTER_JSON(truncated, n)
#define DROPPED_JSON(n) COUNTER_JSON(dropped, n)
	jw_key(w, "truncated");
	jw_obj_begin(w);
	SNAP_TRUNCATED_FIELDS(TRUNCATED_JSON)
	jw_obj_end(w);
	jw_key(w, "dropped");
	jw_obj_begin(w);
	SNAP_DROPPED_FIELDS(DROPPED_JSON)
	jw_obj_end(w);
#define LISTEN_JSON(n) COUNTER_JSON(listen, n)
	jw_key(w, "listen");
	jw_obj_begin(w);
	SNAP_LISTEN_FIELDS(LISTEN_JSON)
	jw_obj_end(w);
	jw_obj_end(w);
}
