/* Finding the process that holds a socket from its inode, as the tcp
 * collector does for connections the BPF side never saw used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "collect/tcp_sock_owner.h"

static void test_parse_link(void **state)
{
	assert_int_equal(sock_inode_of_link("socket:[12345]"), 12345);
	assert_int_equal(sock_inode_of_link("socket:[]"), 0);
	assert_int_equal(sock_inode_of_link("socket:[12x]"), 0);
	assert_int_equal(sock_inode_of_link("socket:[12]x"), 0);
	assert_int_equal(sock_inode_of_link("pipe:[12345]"), 0);
	assert_int_equal(sock_inode_of_link("/tmp/socket:[1]"), 0);
}

static void test_finds_own_socket(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct hashmap *want = hashmap_new(sizeof(__u64));
	struct inode_owner *o = calloc(1, sizeof(*o)), *gone = calloc(1, sizeof(*gone));
	struct stat st;
	__u64 ino, none = ~0ULL;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	ino = st.st_ino;
	assert_int_equal(hashmap_put(want, &ino, o), 0);
	assert_int_equal(hashmap_put(want, &none, gone), 0);
	assert_int_equal(sock_inode_owners(want), 1);
	assert_int_equal(o->pid, getpid());
	assert_true(o->comm[0] != 0);
	assert_int_equal(gone->pid, 0);
	hashmap_free(want, free);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test(test_finds_own_socket),
	};

	return cmocka_run_group_tests_name("sock_inode_owner", tests, NULL, NULL);
}
