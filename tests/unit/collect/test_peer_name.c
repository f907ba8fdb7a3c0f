/* Peer descriptors from the kernel to the SPEC's names. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "collect/peers_name.h"

static char buf[160];

static void test_inet(void **state)
{
	struct peer_desc d = { .kind = PEER_TCP, .port = 5432 };

	inet_pton(AF_INET, "10.0.0.5", d.addr);
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "tcp:10.0.0.5:5432");
	d.kind = PEER_UDP;
	d.port = 53;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "udp:10.0.0.5:53");
	memset(d.addr, 0, sizeof(d.addr));
	d.kind = PEER_TCP;
	d.v6 = 1;
	inet_pton(AF_INET6, "2001:db8::1", d.addr);
	d.port = 443;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "tcp:[2001:db8::1]:443");
}

static void test_unix(void **state)
{
	struct peer_desc d = { .kind = PEER_UNIX_PATH };

	strcpy(d.name, "/run/postgresql/.s.PGSQL.5432");
	d.name_len = (__u16)strlen(d.name);
	assert_string_equal(peer_format(&d, buf, sizeof(buf)),
			    "unix:/run/postgresql/.s.PGSQL.5432");
	memset(&d, 0, sizeof(d));
	d.kind = PEER_UNIX_ABSTRACT;
	memcpy(d.name, "a\0b", 3);	/* NULs inside an abstract name */
	d.name_len = 3;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "unix:@a@b");
	memset(&d, 0, sizeof(d));
	d.kind = PEER_UNIX_INO;
	d.ino = 1422553;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "unix:ino:1422553");
}

static void test_pipe_file_and_bounds(void **state)
{
	struct peer_desc d = { .kind = PEER_PIPE };
	char small[8];

	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "pipe");
	d.kind = PEER_FILE;
	strcpy(d.name, "access.log");
	d.name_len = 10;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "file:access.log");
	/* a name_len past the array is cut, a small buffer stays terminated */
	memset(d.name, 'x', sizeof(d.name));
	d.name_len = 60000;
	assert_int_equal(strlen(peer_format(&d, buf, sizeof(buf))), 5 + PEER_NAME_LEN);
	assert_string_equal(peer_format(&d, small, sizeof(small)), "file:xx");
	d.kind = 200;
	assert_string_equal(peer_format(&d, buf, sizeof(buf)), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inet),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_pipe_file_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
