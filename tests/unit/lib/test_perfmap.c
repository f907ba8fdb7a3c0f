/* JIT symbols from perf map text (lib/perfmap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/perfmap.h"

static void test_lookup(void **state)
{
	const char *t = "7f0000001000 40 LazyCompile:~handler /srv/app.js:10\n"
			"7f0000000100 10 Interpreter\n"
			"garbage line\n"
			"7f0000002000 zz bad size\n"
			"7f0000003000 0 empty\n"
			"7f0000001000 80 recompiled\n"
			"7f0000004000 8 last-without-newline";
	struct perfmap *m = perfmap_parse(t, strlen(t));
	__u64 off = 0;

	assert_non_null(m);
	assert_int_equal(perfmap_len(m), 4);
	assert_string_equal(perfmap_find(m, 0x7f0000000105, &off), "Interpreter");
	assert_int_equal(off, 5);
	/* a later line for the same start wins, with its size */
	assert_string_equal(perfmap_find(m, 0x7f0000001050, &off), "recompiled");
	assert_int_equal(off, 0x50);
	assert_string_equal(perfmap_find(m, 0x7f0000004007, &off), "last-without-newline");
	/* past the end of a function, before the first, in a gap */
	assert_null(perfmap_find(m, 0x7f0000004008, &off));
	assert_null(perfmap_find(m, 0x10, &off));
	assert_null(perfmap_find(m, 0x7f0000000110, &off));
	perfmap_free(m);
}

static void test_hostile(void **state)
{
	/* wrapping ranges, overlong fields, no name, empty text */
	const char *t = "ffffffffffffff00 1000 wraps\n"
			"123456789012345678901234567890123456789012345678901 1 long\n"
			"1000 10 \n"
			"1000 10\n";
	struct perfmap *m = perfmap_parse(t, strlen(t));
	__u64 off;

	assert_non_null(m);
	assert_int_equal(perfmap_len(m), 0);
	assert_null(perfmap_find(m, 0x1000, &off));
	perfmap_free(m);
	m = perfmap_parse("", 0);
	assert_non_null(m);
	assert_int_equal(perfmap_len(m), 0);
	perfmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
