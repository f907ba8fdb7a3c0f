/* A small streaming JSON writer into a growable buffer. It tracks commas
 * itself, so renderers only say what they write. Strings are escaped for
 * any input bytes: control bytes, quotes, backslashes, and invalid UTF-8
 * (each stray byte is written as \u00XX, its Latin-1 reading) so the output
 * is always valid JSON. */
#ifndef LATSCOPE_JSON_WRITER_H
#define LATSCOPE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

struct jw {
	char *buf;
	size_t len, cap;
	bool oom;
	int depth;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
void jw_reset(struct jw *w);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* key: a string literal of plain ASCII (no quote, backslash or control
 * byte); it is written unescaped. */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v, int decimals);
void jw_bool(struct jw *w, bool v);
void jw_raw(struct jw *w, const char *s);

/* key + value in one call */
#define jw_kstr(w, k, v) (jw_key(w, k), jw_str(w, v))
#define jw_ku64(w, k, v) (jw_key(w, k), jw_u64(w, v))

/* Append s (n bytes) JSON-escaped, without the quotes, to w. */
void jw_escape(struct jw *w, const char *s, size_t n);

#endif
