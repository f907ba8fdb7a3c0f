/* acceptload: the accept queue's truth. A TCP server on 127.0.0.1 that
 * accepts late: N clients connect at once (each handshake done, each
 * connection queued), then the server accepts them one by one, --delay-ms
 * apart, and clocks each connection's wait from its client's connect()
 * returning (its handshake done, on loopback within microseconds) to its
 * accept() returning.
 *
 *   acceptload [--conns N] [--backlog B] [--delay-ms D] [--overflow K]
 *
 * listen(B): the queue holds B + 1 connections (the kernel's limit is
 * "more than B"), so N must be at most B + 1. --overflow K: with the queue
 * full (N = B + 1), K more clients start a connect (non-blocking) that the
 * kernel refuses for now (a listen overflow each, and the SYN dropped);
 * their SYNs are sent again after the queue drained and they are left
 * unaccepted.
 *
 * Prints {"pid", "port"}, waits for a line on stdin (the go), runs, then
 * prints the truth: conns, backlog, the queue's length the first accept
 * found (every client had connected before it), and the waits' count,
 * total_ns, p50_ns, p99_ns and max_ns as the server clocked them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static int nconns = 5, backlog = 8, delay_ms = 50, overflow, port;

static struct client {
	pthread_t th;
	int fd;
	unsigned short lport;		/* its local port: which accept is it */
	unsigned long long connected_ns;
} clients[MAX_CONNS];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int nconnected;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "acceptload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in server_addr(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in a = server_addr(), l;
	socklen_t len = sizeof(l);

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	c->connected_ns = now_ns();
	if (getsockname(c->fd, (struct sockaddr *)&l, &len))
		die("getsockname");
	c->lport = ntohs(l.sin_port);
	pthread_mutex_lock(&mu);
	nconnected++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* K connects the full queue refuses for now: their SYNs are dropped. */
static void overflow_connects(int k, int *fds)
{
	struct sockaddr_in a = server_addr();

	for (int i = 0; i < k; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			die("socket");
		if (connect(fds[i], (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
			die("connect (overflow)");
	}
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest wait with at least q of them at or below */
static unsigned long long rank(const unsigned long long *sorted, int n, int pct)
{
	int r = (n * pct + 99) / 100;

	return sorted[r > 0 ? r - 1 : 0];
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int num(const char *s, int lo, int hi, const char *opt)
{
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;

	if (!s || *end || v < lo || v > hi) {
		fprintf(stderr, "acceptload: bad value for %s\n", opt);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	static unsigned long long waits[MAX_CONNS];
	int lfd, one = 1, ofds[MAX_CONNS];
	struct sockaddr_in a = server_addr();
	socklen_t len = sizeof(a);
	unsigned long long total = 0;
	char go[16];
	int first_queue;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--conns"))
			nconns = num(v, 1, MAX_CONNS, argv[i]), i++;
		else if (!strcmp(argv[i], "--backlog"))
			backlog = num(v, 1, 4096, argv[i]), i++;
		else if (!strcmp(argv[i], "--delay-ms"))
			delay_ms = num(v, 1, 10000, argv[i]), i++;
		else if (!strcmp(argv[i], "--overflow"))
			overflow = num(v, 0, MAX_CONNS, argv[i]), i++;
		else {
			fprintf(stderr, "usage: acceptload [--conns N] [--backlog B] "
					"[--delay-ms D] [--overflow K]\n");
			return 2;
		}
	}
	if (nconns > backlog + 1 || (overflow && nconns != backlog + 1)) {
		fprintf(stderr, "acceptload: --conns must be at most --backlog + 1 "
				"(exactly that with --overflow)\n");
		return 2;
	}
	a.sin_port = 0;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, backlog) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len))
		die("listen");
	port = ntohs(a.sin_port);
	printf("{\"pid\":%d,\"port\":%d}\n", getpid(), port);
	fflush(stdout);
	if (!fgets(go, sizeof(go), stdin))
		return 1;

	for (int i = 0; i < nconns; i++)
		if (pthread_create(&clients[i].th, NULL, client_main, &clients[i]))
			die("pthread_create");
	pthread_mutex_lock(&mu);
	while (nconnected < nconns)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nconns; i++)
		pthread_join(clients[i].th, NULL);
	overflow_connects(overflow, ofds);

	first_queue = nconns;
	for (int n = 0; n < nconns; n++) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		unsigned long long t;
		int fd, i;

		sleep_ms(delay_ms);
		fd = accept(lfd, (struct sockaddr *)&peer, &plen);
		t = now_ns();
		if (fd < 0)
			die("accept");
		for (i = 0; i < nconns && clients[i].lport != ntohs(peer.sin_port); i++)
			;
		if (i == nconns) {
			fprintf(stderr, "acceptload: accepted a connection of no client\n");
			return 1;
		}
		waits[n] = t - clients[i].connected_ns;
		total += waits[n];
		close(fd);
	}
	qsort(waits, (size_t)nconns, sizeof(waits[0]), cmp_ull);
	printf("{\"conns\":%d,\"backlog\":%d,\"first_queue\":%d,\"waits\":%d,\"total_ns\":%llu,"
	       "\"p50_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu}\n",
	       nconns, backlog, first_queue, nconns, total, rank(waits, nconns, 50),
	       rank(waits, nconns, 99), waits[nconns - 1]);
	fflush(stdout);
	for (int i = 0; i < nconns; i++)
		close(clients[i].fd);
	for (int i = 0; i < overflow; i++)
		close(ofds[i]);
	close(lfd);
	return 0;
}
