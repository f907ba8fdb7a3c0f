/* JSON -> struct snapshot, field for field what write_json.c writes. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/histo.h"
#include "snapshot/write_json.h"
#include "snapshot/read_json.h"

/* Numbers are cut to [0, INT64_MAX]: what JSON readers (jansson too) take
 * as integers, so that a replayed snapshot written out reads back. */
static __u64 num_u64(const json_t *v)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		return i < 0 ? 0 : (__u64)i;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!(d > 0))	/* also NaN */
			return 0;
		return d >= 9223372036854775807.0 ? INT64_MAX : (__u64)d;
	}
	return 0;
}

static __u64 get_u64(const json_t *o, const char *key)
{
	return num_u64(json_object_get(o, key));
}

static __u32 get_u32(const json_t *o, const char *key)
{
	__u64 v = get_u64(o, key);

	return v > UINT32_MAX ? UINT32_MAX : (__u32)v;
}

static __u16 get_u16(const json_t *o, const char *key)
{
	__u64 v = get_u64(o, key);

	return v > UINT16_MAX ? UINT16_MAX : (__u16)v;
}

static double get_double(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* A string field cut to dst's size; "" when missing or not a string. */
static void get_str(const json_t *o, const char *key, char *dst, size_t dstsz)
{
	const json_t *v = json_object_get(o, key);

	size_t n;

	if (!dstsz)
		return;
	dst[0] = 0;
	if (!json_is_string(v))
		return;
	/* jansson's strings are valid UTF-8: cut between characters so
	 * they stay valid (and write out the same again) */
	n = json_string_length(v);
	if (n >= dstsz) {
		const unsigned char *p = (const unsigned char *)json_string_value(v);

		n = dstsz - 1;
		while (n && (p[n] & 0xC0) == 0x80)
			n--;
	}
	snap_strcpy(dst, dstsz, json_string_value(v), n);
}

#define GET_STR(o, key, field) get_str(o, key, field, sizeof(field))

/* "hist": [[upper bound, count], ...] -> dense counts; NULL when absent.
 * Any bound maps to a valid bucket (the one holding that value), so a
 * hostile file cannot index out of range. */
static int get_hist(const json_t *o, const char *key, __u64 **out)
{
	const json_t *h = json_object_get(o, key), *pair;
	size_t i;
	__u64 *hist;

	*out = NULL;
	if (!json_is_array(h))
		return 0;
	hist = calloc(HIST_NBUCKETS, sizeof(*hist));
	if (!hist)
		return -1;
	json_array_foreach(h, i, pair) {
		__u64 c;

		if (!json_is_array(pair) || json_array_size(pair) != 2)
			continue;
		c = num_u64(json_array_get(pair, 1));
		if (!c)
			continue;
		__u32 b = hist_bucket(num_u64(json_array_get(pair, 0)));

		hist[b] = hist[b] + c > INT64_MAX ? INT64_MAX : hist[b] + c;
	}
	*out = hist;
	return 0;
}

static int get_stack(const json_t *o, const char *key, char ***stack, size_t *n)
{
	const json_t *a = json_object_get(o, key), *f;
	size_t i;

	*stack = NULL;
	*n = 0;
	if (!json_is_array(a) || !json_array_size(a))
		return 0;
	*stack = calloc(json_array_size(a), sizeof(char *));
	if (!*stack)
		return -1;
	json_array_foreach(a, i, f) {
		if (!json_is_string(f))
			continue;
		(*stack)[*n] = strndup(json_string_value(f), json_string_length(f));
		if (!(*stack)[*n])
			return -1;
		(*n)++;
	}
	return 0;
}

static int read_rows(const json_t *arr, struct vec *v, const struct snap_section *sec);

/* One row from one JSON object, each field as fields.h lists it; a field
 * missing or of another type reads as zero. -1 only on ENOMEM. */
static int read_row(const json_t *o, const struct snap_section *sec, void *row)
{
	/* sub-lists' element sizes first, so that snapshot_free can release
	 * what is read even on failure */
	snap_row_init(sec, row);
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];
		void *p = SNAP_FIELD_PTR(f, row);
		int err = 0;

		switch (f->type) {
		case SFT_U16:
			snap_field_set_u64(f, row, get_u16(o, f->name));
			break;
		case SFT_U32:
			snap_field_set_u64(f, row, get_u32(o, f->name));
			break;
		case SFT_U64:
			snap_field_set_u64(f, row, get_u64(o, f->name));
			break;
		case SFT_F1:
			*(double *)p = get_double(o, f->name);
			break;
		case SFT_STR:
			get_str(o, f->name, p, f->size);
			break;
		case SFT_HIST:
		case SFT_HIST_ALL:
			err = get_hist(o, f->name, p);
			break;
		case SFT_STACK:
			err = get_stack(o, f->name, p, (size_t *)((char *)row + f->n_off));
			break;
		case SFT_VEC:
		case SFT_VEC_OPT:
			err = read_rows(json_object_get(o, f->name), p, f->sub);
			break;
		}
		if (err)
			return -1;
	}
	return 0;
}

/* Every object of arr as one row of v; elements that are not objects are
 * skipped. -1 on ENOMEM. */
static int read_rows(const json_t *arr, struct vec *v, const struct snap_section *sec)
{
	const json_t *o;
	size_t i;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, o) {
		void *row;

		if (!json_is_object(o))
			continue;
		row = vec_push(v);
		if (!row || read_row(o, sec, row))
			return -1;
	}
	return 0;
}

static struct snapshot *from_root(const json_t *root, char *err, size_t errsz)
{
	const json_t *schema = json_object_get(root, "schema"), *o;
	struct snapshot *s;

	if (!json_is_object(root) || !json_is_string(schema) ||
	    strncmp(json_string_value(schema), "latscope/", 9)) {
		snprintf(err, errsz, "not a latscope snapshot (no \"schema\": \"%s\")", SCHEMA_NAME);
		return NULL;
	}
	if (strcmp(json_string_value(schema), SCHEMA_NAME)) {
		snprintf(err, errsz, "schema '%.40s' is not %s, the one this latscope reads",
			 json_string_value(schema), SCHEMA_NAME);
		return NULL;
	}
	if (!json_is_integer(json_object_get(root, "ts_ns"))) {
		snprintf(err, errsz, "not a latscope snapshot (no integer \"ts_ns\")");
		return NULL;
	}
	s = snapshot_new();
	if (!s)
		goto oom;
	GET_STR(root, "host", s->host);
	GET_STR(root, "kernel", s->kernel);
	s->ts_ns = get_u64(root, "ts_ns");
	s->interval_ns = get_u64(root, "interval_ns");
	o = json_object_get(root, "probes");
	for (int f = 0; f < FAM_NR; f++) {
		if (json_is_string(json_object_get(o, family_names[f])))
			GET_STR(o, family_names[f], s->probes[f]);
	}
	for (size_t i = 0; i < snap_nsections; i++) {
		const struct snap_section *sec = &snap_sections[i];
		const json_t *in = sec->group ? json_object_get(root, sec->group) : root;

		if (read_rows(json_object_get(in, sec->name),
			      (struct vec *)((char *)s + sec->vec_off), sec))
			goto oom;
	}
#define COUNTER_READ(obj, n) s->obj.n = get_u64(o, #n);
#define TRUNCATED_READ(n) COUNTER_READ(truncated, n)
#define DROPPED_READ(n) COUNTER_READ(dropped, n)
	o = json_object_get(root, "truncated");
	SNAP_TRUNCATED_FIELDS(TRUNCATED_READ)
	o = json_object_get(root, "dropped");
	SNAP_DROPPED_FIELDS(DROPPED_READ)
#define LISTEN_READ(n) COUNTER_READ(listen, n)
	o = json_object_get(root, "listen");
	SNAP_LISTEN_FIELDS(LISTEN_READ)
	return s;
oom:
	snapshot_free(s);
	snprintf(err, errsz, "out of memory");
	return NULL;
}

struct snapshot *snapshot_read_json(const char *buf, size_t len, char *err, size_t errsz)
{
	json_error_t jerr;
	struct snapshot *s;
	json_t *root;

	/* JSON_REJECT_DUPLICATES: one meaning per key; no embedded NULs */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errsz, "not JSON (%s at column %d)", jerr.text, jerr.column);
		return NULL;
	}
	s = from_root(root, err, errsz);
	json_decref(root);
	return s;
}
