/* The per-thread "current peer" other families read (include/peers.h):
 * with the real peers programs loaded, a thread blocked in read() on a TCP
 * connection has cur_peer set to that connection's peer, which
 * peers_name() turns into its SPEC name; once the read returned, 0.
 * Needs root (BPF); skipped otherwise. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include "collect_peers.h"
#include "peers.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD 00000200	/* O_EXCL: a pidfd for one thread (6.9) */
#endif

static int cli_fd;
static volatile pid_t reader_tid;

static void *reader(void *arg)
{
	char c;

	reader_tid = (pid_t)syscall(SYS_gettid);
	/* blocks until the test writes a byte from the server side */
	return (void *)(long)read(cli_fd, &c, 1);
}

static struct peer_thread lookup(struct peers *p, pid_t tid)
{
	struct peer_thread pt = { 0 };
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	assert_true(pidfd >= 0);
	bpf_map_lookup_elem(peers_map_fd(p, PEERS_MAP_THREADS), &pidfd, &pt);
	close(pidfd);
	return pt;
}

static void test_blocked_read_names_its_peer(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct options o = { 0 };
	struct peer_thread pt;
	char why[160], want[64];
	struct peers *p;
	pthread_t t;
	void *ret;
	int l, srv;

	if (geteuid() != 0)
		skip();
	o.pids[0] = (__u32)getpid();
	o.npids = 1;
	p = peers_open(&o, why, sizeof(why));
	if (!p)
		fail_msg("peers_open: %s", why);
	assert_ptr_equal(peers_current(), p);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (void *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (void *)&a, &len), 0);
	cli_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cli_fd, (void *)&a, sizeof(a)), 0);
	srv = accept(l, NULL, NULL);
	assert_true(srv >= 0);
	snprintf(want, sizeof(want), "tcp:127.0.0.1:%u", ntohs(a.sin_port));

	assert_int_equal(pthread_create(&t, NULL, reader, NULL), 0);
	while (!reader_tid)
		usleep(1000);
	usleep(200000);		/* asleep in read() by now */
	pt = lookup(p, reader_tid);
	assert_int_not_equal(pt.cur_peer, 0);
	assert_string_equal(peers_name(p, pt.cur_peer), want);

	assert_int_equal(write(srv, "x", 1), 1);
	pthread_join(t, &ret);
	assert_int_equal((long)ret, 1);
	close(cli_fd);
	close(srv);
	close(l);
	peers_close(p);
	assert_null(peers_current());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocked_read_names_its_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
