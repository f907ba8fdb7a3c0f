/* sanitize(): what a process names itself (comm, socket paths, file names,
 * symbols of its own binaries) reaches the terminal, the text tables and
 * Prometheus labels only through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/textfmt.h"

static const char *clean(const char *s)
{
	static char buf[64];

	return sanitize(s, buf, sizeof(buf));
}

static void test_valid_utf8_kept(void **state)
{
	assert_string_equal(clean("nginx: worker"), "nginx: worker");
	assert_string_equal(clean("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"),
			    "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
}

static void test_controls_replaced(void **state)
{
	/* ESC [ 2 J clears the screen; BEL, DEL, tab, newline */
	assert_string_equal(clean("a\x1b[2Jb\x07\x7f\t\n"), "a?[2Jb????");
	/* C1: CSI as U+009B */
	assert_string_equal(clean("x\xc2\x9b" "31m"), "x?31m");
}

static void test_invalid_utf8_replaced(void **state)
{
	/* overlong '/', overlong 3-byte, surrogate, past U+10FFFF, lone
	 * continuation, truncated sequence: one '?' per byte */
	assert_string_equal(clean("\xc0\xaf"), "??");
	assert_string_equal(clean("\xe0\x80\xaf"), "???");
	assert_string_equal(clean("\xed\xa0\x80"), "???");
	assert_string_equal(clean("\xf4\x90\x80\x80"), "????");
	assert_string_equal(clean("\x80z"), "?z");
	assert_string_equal(clean("\xe4\xb8"), "??");
}

static void test_bidi_and_separators_replaced(void **state)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+2028 LINE SEPARATOR,
	 * U+200F RLM, U+FEFF */
	assert_string_equal(clean("evil\xe2\x80\xaegnp.exe"), "evil?gnp.exe");
	assert_string_equal(clean("\xe2\x81\xa6x\xe2\x80\xa8y\xe2\x80\x8fz\xef\xbb\xbf"), "?x?y?z?");
}

static void test_never_splits_a_character(void **state)
{
	char buf[4];

	/* room for 3 bytes: "a" then a 3-byte character does not fit whole */
	assert_string_equal(sanitize("ab\xe4\xb8\xad", buf, sizeof(buf)), "ab?");
	assert_string_equal(sanitize("\xe4\xb8\xad", buf, sizeof(buf)), "\xe4\xb8\xad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_bidi_and_separators_replaced),
		cmocka_unit_test(test_never_splits_a_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
