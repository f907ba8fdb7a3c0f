/* JSON escaping of arbitrary bytes: whatever a process names itself, the
 * output parses (checked with jansson) and valid text survives unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "snapshot/histo.h"
#include "lib/json_writer.h"
#include "snapshot/write_json.h"

/* s (n bytes) written as a JSON string, parsed back; returns the parsed
 * string (to free) or fails the test. */
static char *roundtrip(const char *s, size_t n)
{
	struct jw w;
	json_error_t err;
	json_t *j;
	char *out;

	jw_init(&w);
	jw_arr_begin(&w);
	jw_strn(&w, s, n);
	jw_arr_end(&w);
	j = json_loads(w.buf, 0, &err);
	if (!j)
		fail_msg("not valid JSON: %s (%s)", w.buf, err.text);
	out = strdup(json_string_value(json_array_get(j, 0)));
	json_decref(j);
	jw_free(&w);
	return out;
}

static void test_plain_and_quotes(void **state)
{
	const char *in = "a \"quoted\" \\back\\slash";
	char *o = roundtrip(in, strlen(in));

	assert_string_equal(o, "a \"quoted\" \\back\\slash");
	free(o);
}

static void test_every_control_byte(void **state)
{
	char in[40];
	char *o;

	for (int c = 1; c < 0x20; c++)
		in[c - 1] = (char)c;
	in[31] = 0x7f;
	o = roundtrip(in, 32);
	assert_int_equal(strlen(o), 32);
	assert_memory_equal(o, in, 32);
	free(o);
}

static void test_valid_utf8_kept(void **state)
{
	const char *s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	char *o = roundtrip(s, strlen(s));

	assert_string_equal(o, s);
	free(o);
}

/* Every invalid sequence still makes valid JSON: stray continuation bytes,
 * truncated sequences, overlongs, surrogates, bytes past U+10FFFF. */
static void test_invalid_utf8_is_valid_json(void **state)
{
	const char *bad[] = {
		"\x80", "\xbf\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98",
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xff\xfe", "worker-\x1b[31m\x07",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *o = roundtrip(bad[i], strlen(bad[i]));

		assert_non_null(o);
		free(o);
	}
}

/* All 256 single bytes, and every two-byte pair: valid JSON each. */
static void test_all_byte_pairs(void **state)
{
	struct jw w;
	json_error_t err;
	char in[2];

	jw_init(&w);
	jw_arr_begin(&w);
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			jw_strn(&w, in, 2);
		}
	jw_arr_end(&w);
	json_t *j = json_loads(w.buf, JSON_ALLOW_NUL, &err);

	if (!j)
		fail_msg("not valid JSON at %d: %s", err.position, err.text);
	assert_int_equal(json_array_size(j), 65536);
	json_decref(j);
	jw_free(&w);
}

static void test_commas_and_nesting(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_begin(&w);
	jw_ku64(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_u64(&w, 2);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_kstr(&w, "c", "x");
	jw_key(&w, "d");
	jw_double(&w, 12.345, 1);
	jw_obj_end(&w);
	assert_string_equal(w.buf, "{\"a\":1,\"b\":[2,{},[]],\"c\":\"x\",\"d\":12.3}");
	jw_free(&w);
}

/* A whole snapshot with a hostile process name renders as one valid line
 * with every section of schema latscope/1. */
static void test_render_snapshot(void **state)
{
	struct snapshot *s = snapshot_new();
	struct snap_syscall *r = vec_push(&s->syscalls);
	json_error_t err;
	struct jw w;
	json_t *j;

	strcpy(s->host, "h");
	r->pid = 42;
	strcpy(r->comm, "ev\x1b]0;\x07il\xff\"");
	strcpy(r->syscall, "read");
	r->count = 3;
	r->hist = calloc(HIST_NBUCKETS, sizeof(__u64));
	r->hist[20] = 3;
	jw_init(&w);
	render_json(s, &w);
	assert_null(strchr(w.buf, '\n'));
	j = json_loads(w.buf, 0, &err);
	if (!j)
		fail_msg("%s", err.text);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "latscope/1");
	const char *keys[] = { "host", "kernel", "ts_ns", "interval_ns", "probes", "syscalls",
			       "inflight", "tcp", "locks", "pools", "peers", "truncated", "dropped" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(json_object_get(j, keys[i]));
	json_t *row = json_array_get(json_object_get(j, "syscalls"), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "count")), 3);
	json_t *hist = json_object_get(row, "hist");
	assert_int_equal(json_array_size(hist), 1);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(hist, 0), 1)), 3);
	json_decref(j);
	jw_free(&w);
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quotes),
		cmocka_unit_test(test_every_control_byte),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8_is_valid_json),
		cmocka_unit_test(test_all_byte_pairs),
		cmocka_unit_test(test_commas_and_nesting),
		cmocka_unit_test(test_render_snapshot),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
