/* netaddr_parse(): what --listen accepts, and the one line it gives for what
 * it does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/netaddr.h"

static const char *round_trip(const char *s)
{
	static char buf[64];
	struct netaddr a;

	if (netaddr_parse(s, &a))
		return NULL;
	netaddr_format(&a, buf, sizeof(buf));
	return buf;
}

static void test_accepted(void **state)
{
	assert_string_equal(round_trip("127.0.0.1:9977"), "127.0.0.1:9977");
	assert_string_equal(round_trip("0.0.0.0:1"), "0.0.0.0:1");
	/* no address: loopback, never the network by accident */
	assert_string_equal(round_trip(":9977"), "127.0.0.1:9977");
	assert_string_equal(round_trip("[::1]:65535"), "[::1]:65535");
	assert_string_equal(round_trip("[::]:80"), "[::]:80");
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "9977", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:99x", "127.0.0.1:-1", "1.2.3:80", "localhost:80", "::1:80",
		"[::1]", "[::1]80", "[zz]:80", "[::1]:", ":", "127.0.0.1: 80",
	};
	struct netaddr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = netaddr_parse(bad[i], &a);

		if (!why)
			fail_msg("accepted '%s'", bad[i]);
		/* one phrase for one error line */
		assert_null(strchr(why, '\n'));
	}
	assert_non_null(netaddr_parse(NULL, &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
