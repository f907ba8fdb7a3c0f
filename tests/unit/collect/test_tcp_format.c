/* The tcp family's text: addresses as the BPF side stores them (IPv4 as
 * v4-mapped), shown as people write them; state names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "collect/tcp_format.h"

static const char *fmt6(const char *text, char *buf, size_t n)
{
	__u8 a[16];

	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return tcp_addr_str(a, buf, n);
}

static void test_v4_mapped_is_v4(void **state)
{
	char buf[48];

	assert_string_equal(fmt6("::ffff:10.0.0.1", buf, sizeof(buf)), "10.0.0.1");
	assert_string_equal(fmt6("::ffff:255.255.255.255", buf, sizeof(buf)), "255.255.255.255");
	assert_string_equal(fmt6("::ffff:0.0.0.0", buf, sizeof(buf)), "0.0.0.0");
}

static void test_v6_canonical(void **state)
{
	char buf[48];

	assert_string_equal(fmt6("fd00:201:77:0:0:0:0:1", buf, sizeof(buf)), "fd00:201:77::1");
	assert_string_equal(fmt6("::1", buf, sizeof(buf)), "::1");
	assert_string_equal(fmt6("::", buf, sizeof(buf)), "::");
	/* v4-compatible (deprecated) and NAT64 addresses are not v4-mapped */
	assert_string_equal(fmt6("64:ff9b::a00:1", buf, sizeof(buf)), "64:ff9b::a00:1");
	assert_string_equal(fmt6("::fffe:a00:1", buf, sizeof(buf)), "::fffe:a00:1");
	assert_string_equal(fmt6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_small_buffer_is_empty_not_overrun(void **state)
{
	char buf[8];
	__u8 a[16];

	memset(buf, 'z', sizeof(buf));
	inet_pton(AF_INET6, "fd00::1234:5678", a);
	tcp_addr_str(a, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_state_names(void **state)
{
	assert_string_equal(tcp_state_name(1), "ESTABLISHED");
	assert_string_equal(tcp_state_name(2), "SYN_SENT");
	assert_string_equal(tcp_state_name(4), "FIN_WAIT1");
	assert_string_equal(tcp_state_name(10), "LISTEN");
	assert_string_equal(tcp_state_name(0), "UNKNOWN");
	assert_string_equal(tcp_state_name(200), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_mapped_is_v4),
		cmocka_unit_test(test_v6_canonical),
		cmocka_unit_test(test_small_buffer_is_empty_not_overrun),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests_name("tcp_format", tests, NULL, NULL);
}
