/* peerload: I/O with peers whose names, bytes and round trips it knows.
 *
 *   peerload [--chatty N] [--pool W:K]
 *
 * Starts its servers (threads of this process, on loopback): TCP echo on
 * 127.0.0.1 and on [::1] (if the host has IPv6), TCP "fast" (answers after
 * 1 ms) and "slow" (after 50 ms), UDP echo, unix stream echo on a path and
 * on an abstract name. Every server reads a 16-byte request and answers
 * 32 bytes. Prints {"pid":P} at once, waits for a line on stdin (so a
 * tracer can attach first), then runs in this order:
 *   chatty  N exchanges with the TCP echo server on one connection (main
 *           thread), 5 over IPv6
 *   pool    W worker threads ("worker-I"), each with one connection to the
 *           fast and one to the slow server, K turns of fast then slow
 *   unix    5 exchanges on the path socket, 5 on the abstract one
 *   pair    100 bytes written into one end of a socketpair, read at the other
 *   pipe    100 bytes through a pipe
 *   file    4096 bytes written to peerload-PID.dat in $TMPDIR (or /tmp)
 *   udp     3 exchanges on a connected UDP socket (write, poll(2) on the
 *           one fd, read)
 * and prints one JSON line of what it did (ports, names, bytes it sent and
 * received per peer, exchanges).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REQ 16
#define RESP 32

static void die(const char *what)
{
	fprintf(stderr, "peerload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* read exactly n bytes (or up to EOF); returns the bytes read */
static long read_full(int fd, char *buf, long n, long *calls)
{
	long got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, (size_t)(n - got));

		if (calls)
			(*calls)++;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

static long write_full(int fd, const char *buf, long n)
{
	long put = 0;

	while (put < n) {
		ssize_t r = write(fd, buf + put, (size_t)(n - put));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		put += r;
	}
	return put;
}

struct conn {
	int fd;
	long delay_us;
};

static void *serve_conn(void *arg)
{
	struct conn c = *(struct conn *)arg;
	char req[REQ], resp[RESP];

	free(arg);
	memset(resp, 'r', sizeof(resp));
	while (read_full(c.fd, req, REQ, NULL) == REQ) {
		if (c.delay_us)
			sleep_us(c.delay_us);
		if (write_full(c.fd, resp, RESP) != RESP)
			break;
	}
	close(c.fd);
	return NULL;
}

struct server {
	int fd;
	long delay_us;
};

static void *accept_loop(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd = accept(s->fd, NULL, NULL);
		struct conn *c;
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		c = malloc(sizeof(*c));
		if (!c)
			die("malloc");
		c->fd = fd;
		c->delay_us = s->delay_us;
		if (pthread_create(&t, NULL, serve_conn, c))
			die("pthread_create");
		pthread_detach(t);
	}
}

static void start_server(int fd, long delay_us)
{
	struct server *s = malloc(sizeof(*s));
	pthread_t t;

	if (!s)
		die("malloc");
	s->fd = fd;
	s->delay_us = delay_us;
	if (listen(fd, 64))
		die("listen");
	if (pthread_create(&t, NULL, accept_loop, s))
		die("pthread_create");
	pthread_detach(t);
}

/* a TCP listener on loopback (v4 or v6), port chosen by the kernel */
static int tcp_listener(int v6, long delay_us, int *port)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6) {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	if (bind(fd, (void *)&ss, len)) {
		if (v6) {
			close(fd);
			return -1;	/* no IPv6 on this host */
		}
		die("bind");
	}
	if (getsockname(fd, (void *)&ss, &len))
		die("getsockname");
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			 : ((struct sockaddr_in *)&ss)->sin_port);
	start_server(fd, delay_us);
	return fd;
}

static int tcp_connect(int v6, int port)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (fd < 0)
		die("socket");
	if (v6) {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((unsigned short)port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((unsigned short)port);
		len = sizeof(*a);
	}
	if (connect(fd, (void *)&ss, len))
		die("connect");
	return fd;
}

struct tally {
	long exchanges, sent, received;
};

/* one request/response turn: a write, then reads until the answer is in */
static void exchange(int fd, struct tally *t)
{
	char req[REQ], resp[RESP];

	memset(req, 'q', sizeof(req));
	t->sent += write_full(fd, req, REQ);
	t->received += read_full(fd, resp, RESP, NULL);
	t->exchanges++;
}

static void *udp_echo(void *arg)
{
	int fd = *(int *)arg;
	char req[REQ], resp[RESP];
	struct sockaddr_storage from;

	memset(resp, 'u', sizeof(resp));
	for (;;) {
		socklen_t len = sizeof(from);
		ssize_t r = recvfrom(fd, req, sizeof(req), 0, (void *)&from, &len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return NULL;
		sendto(fd, resp, RESP, 0, (void *)&from, len);
	}
}

static socklen_t unix_addr(struct sockaddr_un *a, const char *name, int abstract)
{
	size_t n = strlen(name);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, name, n);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	}
	memcpy(a->sun_path, name, n + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

static void unix_listener(const char *name, int abstract)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, abstract);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (void *)&a, len))
		die("bind unix");
	start_server(fd, 0);
}

static int unix_connect(const char *name, int abstract)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, abstract);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (void *)&a, len))
		die("connect unix");
	return fd;
}

struct worker {
	int id, turns, fast_port, slow_port;
	struct tally fast, slow;
};

static void *pool_worker(void *arg)
{
	struct worker *w = arg;
	char name[16];
	int f, s;

	snprintf(name, sizeof(name), "worker-%d", w->id);
	pthread_setname_np(pthread_self(), name);
	f = tcp_connect(0, w->fast_port);
	s = tcp_connect(0, w->slow_port);
	for (int i = 0; i < w->turns; i++) {
		exchange(f, &w->fast);
		exchange(s, &w->slow);
	}
	close(f);
	close(s);
	return NULL;
}

static void tally_json(const char *name, const struct tally *t)
{
	printf(",\"%s\":{\"exchanges\":%ld,\"bytes_sent\":%ld,\"bytes_received\":%ld}", name,
	       t->exchanges, t->sent, t->received);
}

int main(int argc, char **argv)
{
	int chatty = 100, workers = 4, turns = 5;
	int echo_port, echo6_port = 0, fast_port, slow_port, udp_port, udp_fd, fd, sv[2], pfd[2];
	struct tally chat = { 0 }, chat6 = { 0 }, upath = { 0 }, uabs = { 0 }, udp = { 0 };
	struct tally fast = { 0 }, slow = { 0 };
	char path[108], abstract[64], file[256], base[64], buf[4096], line[16];
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_in ua = { 0 };
	socklen_t ulen = sizeof(ua);
	struct stat st;
	unsigned long ino_a, ino_b;
	long pipe_bytes = 0, file_bytes = 0;
	struct worker *wk;
	pthread_t *wt, ut;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--chatty") && i + 1 < argc)
			chatty = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pool") && i + 1 < argc &&
			 sscanf(argv[++i], "%d:%d", &workers, &turns) == 2)
			;
		else {
			fprintf(stderr, "usage: peerload [--chatty N] [--pool W:K]\n");
			return 2;
		}
	}
	if (chatty < 0 || workers < 1 || workers > 64 || turns < 0) {
		fprintf(stderr, "peerload: bad --chatty or --pool value\n");
		return 2;
	}
	if (!tmp || strlen(tmp) > 60)
		tmp = "/tmp";

	tcp_listener(0, 0, &echo_port);
	if (tcp_listener(1, 0, &echo6_port) < 0)
		echo6_port = 0;
	tcp_listener(0, 1000, &fast_port);
	tcp_listener(0, 50000, &slow_port);
	snprintf(path, sizeof(path), "%s/peerload-%d.sock", tmp, getpid());
	unlink(path);
	unix_listener(path, 0);
	snprintf(abstract, sizeof(abstract), "latscope-peerload-%d", getpid());
	unix_listener(abstract, 1);
	udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
	ua.sin_family = AF_INET;
	ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (udp_fd < 0 || bind(udp_fd, (void *)&ua, sizeof(ua)) ||
	    getsockname(udp_fd, (void *)&ua, &ulen))
		die("udp");
	udp_port = ntohs(ua.sin_port);
	if (pthread_create(&ut, NULL, udp_echo, &udp_fd))
		die("pthread_create");
	pthread_detach(ut);

	printf("{\"pid\":%d}\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 0;

	/* chatty: one connection, known turns */
	fd = tcp_connect(0, echo_port);
	for (int i = 0; i < chatty; i++)
		exchange(fd, &chat);
	close(fd);
	if (echo6_port) {
		fd = tcp_connect(1, echo6_port);
		for (int i = 0; i < 5; i++)
			exchange(fd, &chat6);
		close(fd);
	}

	/* pool: fast and slow downstreams */
	wk = calloc((size_t)workers, sizeof(*wk));
	wt = calloc((size_t)workers, sizeof(*wt));
	if (!wk || !wt)
		die("calloc");
	for (int i = 0; i < workers; i++) {
		wk[i] = (struct worker){ .id = i, .turns = turns, .fast_port = fast_port,
					 .slow_port = slow_port };
		if (pthread_create(&wt[i], NULL, pool_worker, &wk[i]))
			die("pthread_create");
	}
	for (int i = 0; i < workers; i++) {
		pthread_join(wt[i], NULL);
		fast.exchanges += wk[i].fast.exchanges;
		fast.sent += wk[i].fast.sent;
		fast.received += wk[i].fast.received;
		slow.exchanges += wk[i].slow.exchanges;
		slow.sent += wk[i].slow.sent;
		slow.received += wk[i].slow.received;
	}

	/* unix: a path and an abstract name */
	fd = unix_connect(path, 0);
	for (int i = 0; i < 5; i++)
		exchange(fd, &upath);
	close(fd);
	fd = unix_connect(abstract, 1);
	for (int i = 0; i < 5; i++)
		exchange(fd, &uabs);
	close(fd);

	/* an unnamed pair: each end is unix:ino:<its inode> */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	fstat(sv[0], &st);
	ino_a = (unsigned long)st.st_ino;
	fstat(sv[1], &st);
	ino_b = (unsigned long)st.st_ino;
	memset(buf, 'p', 100);
	write_full(sv[0], buf, 100);
	read_full(sv[1], buf, 100, NULL);
	close(sv[0]);
	close(sv[1]);

	if (pipe(pfd))
		die("pipe");
	pipe_bytes = write_full(pfd[1], buf, 100);
	read_full(pfd[0], buf, 100, NULL);
	close(pfd[0]);
	close(pfd[1]);

	snprintf(base, sizeof(base), "peerload-%d.dat", getpid());
	snprintf(file, sizeof(file), "%s/%s", tmp, base);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open");
	memset(buf, 'f', sizeof(buf));
	file_bytes = write_full(fd, buf, sizeof(buf));
	close(fd);
	unlink(file);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ua.sin_port = htons((unsigned short)udp_port);
	if (fd < 0 || connect(fd, (void *)&ua, sizeof(ua)))
		die("udp connect");
	for (int i = 0; i < 3; i++) {
		char req[REQ], resp[RESP];

		memset(req, 'q', sizeof(req));
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		udp.sent += write(fd, req, REQ);
		/* a read with a timeout: poll on the one fd, then read */
		if (poll(&pf, 1, 5000) != 1)
			die("poll");
		udp.received += read(fd, resp, RESP);
		udp.exchanges++;
	}
	close(fd);
	unlink(path);

	printf("{\"pid\":%d,\"echo_port\":%d,\"echo6_port\":%d,\"fast_port\":%d,"
	       "\"slow_port\":%d,\"udp_port\":%d,\"unix_path\":\"%s\",\"abstract\":\"%s\","
	       "\"ino_a\":%lu,\"ino_b\":%lu,\"pipe_bytes\":%ld,\"file\":\"%s\",\"file_bytes\":%ld",
	       getpid(), echo_port, echo6_port, fast_port, slow_port, udp_port, path, abstract,
	       ino_a, ino_b, pipe_bytes, base, file_bytes);
	tally_json("chatty", &chat);
	tally_json("chatty6", &chat6);
	tally_json("fast", &fast);
	tally_json("slow", &slow);
	tally_json("unix_path_x", &upath);
	tally_json("unix_abstract_x", &uabs);
	tally_json("udp", &udp);
	printf("}\n");
	fflush(stdout);
	return 0;
}
