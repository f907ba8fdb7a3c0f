/* reqload: the requests view's truth. A thread-per-connection TCP server on
 * 127.0.0.1 with a known cost per request (its own clock around each), and
 * clients, each bound to its own loopback address (127.0.0.2, .3, ...),
 * that send requests one after another on one connection and clock each
 * from before the send to the whole answer received.
 *
 *   reqload [--clients N] [--requests M] [--cost-us C] [--hold-ms H]
 *           [--early] [--port P] [--v6] [--per-request]
 *           [--down N] [--down-us D] [--epoll] [--lock]
 *
 * Request i of a client costs C us on the server, three times that when
 * i % 50 == 49 (2% of them: p99 is a slow one, p50 a plain one, each on a
 * plateau that scheduling noise hardly moves). --hold-ms: the first request of client 0
 * is held H ms instead (an in-flight request). --early: the connections are
 * made and accepted before the go (before latscope starts), their requests
 * after it. --v6: the server listens on [::1] and every client comes from
 * ::1 (IPv6 loopback has one address). --per-request: thread per request,
 * the connection's thread reads each request and a new thread does its work
 * and answers (a request that moves between threads). --down N: after its
 * cost, each request makes N round trips (3N for the slow 2%) to a
 * downstream echo server of its own on 127.0.0.1 (one connection per client
 * connection), which answers each D us late (--down-us, default 1000): the
 * truth then has "down": its port, the round trips in all, per request
 * p50/p99/max, and io_ns, the round trips' time as the server clocked them
 * (send to answer received). --epoll: the server is one thread, an event
 * loop over every connection (epoll): it reads a request, arms a timer for
 * its cost and goes on with the others, answering each when its timer
 * fires (one thread serves many requests at once). --lock: each request
 * spends its cost holding the server's one mutex (requests of different
 * connections queue on it); the truth's lock_ns is the time they waited
 * for it, by the server's clock.
 *
 * Prints a JSON line with its pid and port, waits for a line on stdin (the
 * go), runs, then prints the truth as one JSON line: requests, p50_ns and
 * p99_ns over all requests as the clients clocked them, and per client its
 * address, requests, p50_ns, p99_ns, max_ns; the server's own clocked time. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define REQ_SIZE 64
#define RESP_SIZE 128
#define MAX_CLIENTS 32

static int nclients = 3, nrequests = 50, port;
static long cost_us = 2000, hold_ms;
static int early, v6, per_request, use_epoll, use_lock;
static pthread_mutex_t cost_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long lock_ns;
static int down_n, down_port;
static long down_us = 1000;
#define DOWN_SIZE 16
#define MAX_REQUESTS 100000
static unsigned short *down_rts;	/* round trips of each request, as answered */
static unsigned long long down_total, down_ns;
/* --epoll: each request's time by the server's clock, from its first data
 * read to its answer written (the clients' clocks add the time a request
 * waits in its socket for the loop) */
static unsigned long long server_lat[MAX_REQUESTS];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int conns_open, echo_open;	/* the server's and the echo server's */
static unsigned long long server_requests, server_ns;

struct client {
	int idx, fd;
	unsigned long long *lat;
	pthread_t th;
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "reqload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int io_full(int fd, void *buf, size_t n, int out)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = out ? write(fd, (char *)buf + done, n - done)
				: read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static void sleep_ns(unsigned long long ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

struct job {
	int fd, dfd;
	char req[REQ_SIZE];
	int err;
};

/* The downstream: an echo server answering each message down_us late. */
static void *echo_conn(void *arg)
{
	int fd = (int)(long)arg;
	char b[DOWN_SIZE];

	while (io_full(fd, b, sizeof(b), 0) == 0) {
		sleep_ns((unsigned long long)down_us * 1000ULL);
		if (io_full(fd, b, sizeof(b), 1))
			break;
	}
	close(fd);
	pthread_mutex_lock(&mu);
	echo_open--;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Accepts on lfd for ever: a thread of serve_fn per connection, counted
 * in *open (until it is closed: the truth waits for none open). */
static void accept_loop(int lfd, void *(*serve_fn)(void *), int *open)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pthread_t th;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		pthread_mutex_lock(&mu);
		(*open)++;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
		if (pthread_create(&th, NULL, serve_fn, (void *)(long)fd))
			die("pthread_create");
		pthread_detach(th);
	}
}

static void *echo_accept(void *arg)
{
	accept_loop((int)(long)arg, echo_conn, &echo_open);
	return NULL;
}

static struct sockaddr_in down_addr(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)down_port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void down_start(void)
{
	struct sockaddr_in a = down_addr();
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t th;

	a.sin_port = 0;
	if (fd < 0 || bind(fd, (void *)&a, len) || listen(fd, 128) ||
	    getsockname(fd, (void *)&a, &len))
		die("downstream listen");
	down_port = ntohs(a.sin_port);
	down_rts = calloc(MAX_REQUESTS, sizeof(*down_rts));
	if (!down_rts || pthread_create(&th, NULL, echo_accept, (void *)(long)fd))
		die("downstream");
	pthread_detach(th);
}

static int down_connect(void)
{
	struct sockaddr_in a = down_addr();
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (void *)&a, sizeof(a)))
		die("downstream connect");
	return fd;
}

/* One request: its cost, then the answer. */
static void *answer(void *arg)
{
	struct job *j = arg;
	char resp[RESP_SIZE];
	unsigned ci, seq;
	unsigned long long t0 = now_ns(), cost;

	memset(resp, 'r', sizeof(resp));
	memcpy(&ci, j->req, 4);
	memcpy(&seq, j->req + 4, 4);
	cost = (unsigned long long)cost_us * 1000ULL * (seq % 50 == 49 ? 3 : 1);
	if (hold_ms && ci == 0 && seq == 0)
		cost = (unsigned long long)hold_ms * 1000000ULL;
	if (use_lock) {
		unsigned long long l0 = now_ns(), waited;

		pthread_mutex_lock(&cost_mu);
		waited = now_ns() - l0;
		sleep_ns(cost);
		pthread_mutex_unlock(&cost_mu);
		pthread_mutex_lock(&mu);
		lock_ns += waited;
		pthread_mutex_unlock(&mu);
	} else {
		sleep_ns(cost);
	}
	int rts = down_n * (seq % 50 == 49 ? 3 : 1);
	unsigned long long dns = 0;

	for (int k = 0; k < rts; k++) {
		char b[DOWN_SIZE] = { 0 };
		unsigned long long d0 = now_ns();

		if (io_full(j->dfd, b, sizeof(b), 1) || io_full(j->dfd, b, sizeof(b), 0))
			die("downstream");
		dns += now_ns() - d0;
	}
	pthread_mutex_lock(&mu);
	if (down_n && server_requests < MAX_REQUESTS)
		down_rts[server_requests] = (unsigned short)rts;
	down_total += (unsigned long long)rts;
	down_ns += dns;
	server_requests++;
	server_ns += now_ns() - t0;
	pthread_mutex_unlock(&mu);
	j->err = io_full(j->fd, resp, sizeof(resp), 1);
	return NULL;
}

/* One connection: requests until the client closes. */
static void *serve(void *arg)
{
	struct job j = { .fd = (int)(long)arg, .dfd = down_n ? down_connect() : -1 };

	while (io_full(j.fd, j.req, sizeof(j.req), 0) == 0) {
		pthread_t th;

		if (!per_request)
			answer(&j);
		else if (pthread_create(&th, NULL, answer, &j))
			die("pthread_create");
		else
			pthread_join(th, NULL);
		if (j.err)
			break;
	}
	close(j.fd);
	if (j.dfd >= 0)
		close(j.dfd);
	pthread_mutex_lock(&mu);
	conns_open--;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *acceptor(void *arg)
{
	accept_loop((int)(long)arg, serve, &conns_open);
	return NULL;
}

/* --epoll: one connection of the event loop, its request being read and
 * the timer of its cost */
struct econn {
	int fd, tfd;
	size_t have;
	unsigned long long start;	/* its first data read */
	char req[REQ_SIZE];
};

#define EV_TIMER 1ULL	/* epoll data: the connection's address | this for its timer */

static void econn_close(int ep, struct econn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, c->tfd, NULL);
	close(c->fd);
	close(c->tfd);
	free(c);
	pthread_mutex_lock(&mu);
	conns_open--;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Data on c: once its request is whole, its cost as a timer. */
static int econn_read(struct econn *c)
{
	ssize_t r = read(c->fd, c->req + c->have, sizeof(c->req) - c->have);
	unsigned seq;

	if (r <= 0)
		return r < 0 && errno == EINTR ? 0 : -1;
	if (!c->have)
		c->start = now_ns();
	c->have += (size_t)r;
	if (c->have < sizeof(c->req))
		return 0;
	memcpy(&seq, c->req + 4, 4);
	unsigned long long cost = (unsigned long long)cost_us * 1000ULL * (seq % 50 == 49 ? 3 : 1);
	struct itimerspec its = { .it_value = { (time_t)(cost / 1000000000ULL),
						(long)(cost % 1000000000ULL) } };

	if (!cost)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(c->tfd, 0, &its, NULL);
}

/* c's timer fired: its answer. */
static int econn_answer(struct econn *c)
{
	char resp[RESP_SIZE];
	unsigned long long n;

	if (read(c->tfd, &n, sizeof(n)) != sizeof(n))
		return 0;
	memset(resp, 'r', sizeof(resp));
	c->have = 0;
	if (io_full(c->fd, resp, sizeof(resp), 1))
		return -1;
	pthread_mutex_lock(&mu);
	if (server_requests < MAX_REQUESTS)
		server_lat[server_requests] = now_ns() - c->start;
	server_requests++;
	pthread_mutex_unlock(&mu);
	return 0;
}

static void *event_loop(void *arg)
{
	int lfd = (int)(long)arg, ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 }, evs[64];

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll");
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			struct econn *c = (struct econn *)(uintptr_t)(d & ~EV_TIMER);

			if (!d) {
				struct econn *nc = calloc(1, sizeof(*nc));

				if (!nc || (nc->fd = accept(lfd, NULL, NULL)) < 0 ||
				    (nc->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0)
					die("accept");
				pthread_mutex_lock(&mu);
				conns_open++;
				pthread_cond_broadcast(&cv);
				pthread_mutex_unlock(&mu);
				ev.data.u64 = (uint64_t)(uintptr_t)nc;
				epoll_ctl(ep, EPOLL_CTL_ADD, nc->fd, &ev);
				ev.data.u64 |= EV_TIMER;
				epoll_ctl(ep, EPOLL_CTL_ADD, nc->tfd, &ev);
				continue;
			}
			if ((d & EV_TIMER) ? econn_answer(c) : econn_read(c))
				econn_close(ep, c);
		}
	}
	return NULL;
}

/* The server's address (127.0.0.1 or ::1) at port. */
static socklen_t server_addr(struct sockaddr_in6 *a6)
{
	struct sockaddr_in *a = (void *)a6;

	memset(a6, 0, sizeof(*a6));
	if (v6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		a6->sin6_port = htons((unsigned short)port);
		return sizeof(*a6);
	}
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons((unsigned short)port);
	return sizeof(*a);
}

static int listen_on(void)
{
	struct sockaddr_in6 a;
	socklen_t len = server_addr(&a);
	int one = 1, fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&a, len) || listen(fd, 128))
		die("bind/listen");
	if (getsockname(fd, (void *)&a, &len))
		die("getsockname");
	port = ntohs(a.sin6_port);	/* at the same offset in both */
	return fd;
}

static void client_connect(struct client *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in6 srv;
	socklen_t len = server_addr(&srv);

	c->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		die("socket");
	a.sin_addr.s_addr = htonl(0x7f000002u + (unsigned)c->idx);	/* 127.0.0.2 + idx */
	if (!v6 && bind(c->fd, (void *)&a, sizeof(a)))
		die("bind client");
	if (connect(c->fd, (void *)&srv, len))
		die("connect");
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	char req[REQ_SIZE] = { 0 }, resp[RESP_SIZE];

	if (c->fd < 0)
		client_connect(c);
	for (int i = 0; i < nrequests; i++) {
		unsigned ci = (unsigned)c->idx, seq = (unsigned)i;
		unsigned long long t0 = now_ns();

		memcpy(req, &ci, 4);
		memcpy(req + 4, &seq, 4);
		if (io_full(c->fd, req, sizeof(req), 1) || io_full(c->fd, resp, sizeof(resp), 0))
			die("request");
		c->lat[i] = now_ns() - t0;
	}
	close(c->fd);
	return NULL;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v[0..n): the ceil(q*n)-th value. */
static unsigned long long quantile(const unsigned long long *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	return n ? v[(k ? k : 1) - 1] : 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--epoll") || !strcmp(a, "--lock")) {
			*(a[2] == 'e' ? &use_epoll : &use_lock) = 1;
			continue;
		}
		if (!strcmp(a, "--early") || !strcmp(a, "--v6") || !strcmp(a, "--per-request")) {
			*(a[2] == 'e' ? &early : a[2] == 'v' ? &v6 : &per_request) = 1;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--clients"))
			nclients = atoi(v);
		else if (!strcmp(a, "--requests"))
			nrequests = atoi(v);
		else if (!strcmp(a, "--cost-us"))
			cost_us = atol(v);
		else if (!strcmp(a, "--hold-ms"))
			hold_ms = atol(v);
		else if (!strcmp(a, "--port"))
			port = atoi(v);
		else if (!strcmp(a, "--down"))
			down_n = atoi(v);
		else if (!strcmp(a, "--down-us"))
			down_us = atol(v);
		else
			return -1;
	}
	return nclients < 1 || nclients > MAX_CLIENTS || nrequests < 1 || cost_us < 0 ||
	       down_n < 0 || down_n > 1000 || down_us < 0 ? -1 : 0;
}

static void print_truth(struct client *cl)
{
	size_t all_n = (size_t)nclients * (size_t)nrequests, k = 0;
	unsigned long long *all = calloc(all_n, sizeof(*all));

	if (!all)
		die("calloc");
	printf("{\"pid\":%d,\"port\":%d,\"requests\":%zu,\"server_requests\":%llu,"
	       "\"server_ns\":%llu,\"bytes_in\":%zu,\"bytes_out\":%zu,\"clients\":[",
	       (int)getpid(), port, all_n, server_requests, server_ns, all_n * REQ_SIZE,
	       all_n * RESP_SIZE);
	for (int i = 0; i < nclients; i++) {
		unsigned long long *l = cl[i].lat;

		memcpy(all + k, l, (size_t)nrequests * sizeof(*l));
		k += (size_t)nrequests;
		qsort(l, (size_t)nrequests, sizeof(*l), cmp_ull);
		char addr[16];

		snprintf(addr, sizeof(addr), v6 ? "::1" : "127.0.0.%d", 2 + i);
		printf("%s{\"addr\":\"%s\",\"requests\":%d,\"p50_ns\":%llu,"
		       "\"p99_ns\":%llu,\"max_ns\":%llu}", i ? "," : "", addr, nrequests,
		       quantile(l, (size_t)nrequests, 0.5), quantile(l, (size_t)nrequests, 0.99),
		       l[nrequests - 1]);
	}
	qsort(all, all_n, sizeof(*all), cmp_ull);
	printf("],\"p50_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu,\"lock_ns\":%llu",
	       quantile(all, all_n, 0.5), quantile(all, all_n, 0.99), all[all_n - 1], lock_ns);
	if (down_n) {
		size_t n = server_requests < MAX_REQUESTS ? server_requests : MAX_REQUESTS;

		for (size_t i = 0; i < n; i++)
			all[i] = down_rts[i];
		qsort(all, n, sizeof(*all), cmp_ull);
		printf(",\"down\":{\"port\":%d,\"requests\":%zu,\"roundtrips\":%llu,\"p50\":%llu,"
		       "\"p99\":%llu,\"max\":%llu,\"io_ns\":%llu}", down_port, n, down_total,
		       quantile(all, n, 0.5), quantile(all, n, 0.99), n ? all[n - 1] : 0, down_ns);
	}
	if (use_epoll) {
		size_t n = server_requests < MAX_REQUESTS ? server_requests : MAX_REQUESTS;

		qsort(server_lat, n, sizeof(*server_lat), cmp_ull);
		printf(",\"server_p50_ns\":%llu,\"server_p99_ns\":%llu",
		       quantile(server_lat, n, 0.5), quantile(server_lat, n, 0.99));
	}
	printf("}\n");
	free(all);
}

int main(int argc, char **argv)
{
	struct client cl[MAX_CLIENTS];
	char go[16];
	pthread_t acc;
	int lfd;

	if (parse_args(argc, argv)) {
		fprintf(stderr, "usage: reqload [--clients N] [--requests M] [--cost-us C] "
			"[--hold-ms H] [--early] [--port P] [--v6] [--per-request] "
			"[--down N] [--down-us D] [--epoll] [--lock]\n");
		return 2;
	}
	lfd = listen_on();
	if (down_n)
		down_start();
	if (pthread_create(&acc, NULL, use_epoll ? event_loop : acceptor, (void *)(long)lfd))
		die("pthread_create");
	for (int i = 0; i < nclients; i++) {
		cl[i] = (struct client){ .idx = i, .fd = -1 };
		cl[i].lat = calloc((size_t)nrequests, sizeof(*cl[i].lat));
		if (!cl[i].lat)
			die("calloc");
		if (early)
			client_connect(&cl[i]);
	}
	/* early connections are accepted before the go */
	pthread_mutex_lock(&mu);
	while (early && conns_open < nclients)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("{\"pid\":%d,\"port\":%d}\n", (int)getpid(), port);
	fflush(stdout);
	if (!fgets(go, sizeof(go), stdin))
		return 1;
	for (int i = 0; i < nclients; i++)
		if (pthread_create(&cl[i].th, NULL, client_run, &cl[i]))
			die("pthread_create");
	for (int i = 0; i < nclients; i++)
		pthread_join(cl[i].th, NULL);
	/* every server thread has seen its client go and closed */
	pthread_mutex_lock(&mu);
	while (conns_open > 0 || echo_open > 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	print_truth(cl);
	return 0;
}
