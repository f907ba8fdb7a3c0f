#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/json_writer.h"
#include "lib/utf8.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->oom = false;
	w->first[0] = true;
	if (w->buf)
		w->buf[0] = 0;
}

static void grow(struct jw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 4096;
	char *nb;

	if (w->oom)
		return;
	while (cap < w->len + n + 1)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		w->oom = true;
		return;
	}
	w->buf = nb;
	w->cap = cap;
}

/* The hot path of every value: inline, the growing apart. */
static inline void put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap)
		grow(w, n);
	if (w->oom)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void putc_(struct jw *w, char c)
{
	put(w, &c, 1);
}

/* Before a value: a comma unless it is the first in its container. A value
 * right after a key needs none (jw_key sets first). */
static void sep(struct jw *w)
{
	if (!w->first[w->depth])
		putc_(w, ',');
	w->first[w->depth] = false;
}

static void open_(struct jw *w, char c)
{
	sep(w);
	putc_(w, c);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	putc_(w, c);
}

void jw_obj_begin(struct jw *w) { open_(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr_begin(struct jw *w) { open_(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_escape(struct jw *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[8];
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			/* a run of plain ASCII: one copy */
			for (k = i + 1; k < n && s[k] >= 0x20 && s[k] < 0x7F && s[k] != '"' &&
					s[k] != '\\'; k++)
				;
			put(w, (const char *)s + i, k - i);
			i = k;
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\'; esc[1] = (char)c;
			put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			const char *e = NULL;

			switch (c) {
			case '\n': e = "\\n"; break;
			case '\r': e = "\\r"; break;
			case '\t': e = "\\t"; break;
			case '\b': e = "\\b"; break;
			case '\f': e = "\\f"; break;
			}
			if (e) {
				put(w, e, 2);
			} else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				put(w, esc, 6);
			}
			i++;
		} else if ((k = utf8_seq(s + i, n - i, NULL)) > 0) {
			put(w, (const char *)s + i, k);
			i += k;
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
			i++;
		}
	}
}

/* Keys are the program's own string literals (plain ASCII, no quote or
 * backslash): written as they are, not escaped, on the hottest path of a
 * snapshot with thousands of rows. */
void jw_key(struct jw *w, const char *key)
{
	sep(w);
	put(w, "\"", 1);
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->first[w->depth] = true;	/* the value follows without a comma */
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	putc_(w, '"');
	jw_escape(w, s, n);
	putc_(w, '"');
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s ? s : "", s ? strlen(s) : 0);
}

/* Decimal digits of v at the end of b[24]; returns where they start. */
static char *u64_digits(char *b, uint64_t v)
{
	char *p = b + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void jw_u64(struct jw *w, uint64_t v)
{
	char b[24], *p = u64_digits(b, v);

	sep(w);
	put(w, p, (size_t)(b + 24 - p));
}

void jw_i64(struct jw *w, int64_t v)
{
	char b[25], *p = u64_digits(b + 1, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(b + 25 - p));
}

void jw_double(struct jw *w, double v, int decimals)
{
	char b[64];
	int n;

	if (!isfinite(v))
		v = 0;
	/* %f of a huge value is hundreds of digits: past the buffer */
	if (fabs(v) >= 1e15)
		n = snprintf(b, sizeof(b), "%.17g", v);
	else
		n = snprintf(b, sizeof(b), "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(b))
		n = (int)sizeof(b) - 1;
	sep(w);
	put(w, b, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_raw(struct jw *w, const char *s)
{
	sep(w);
	put(w, s, strlen(s));
}
