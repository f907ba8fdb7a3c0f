/* tcpload: a TCP client and server that know their own truth, for the tcp
 * family's tests and benchmark.
 *
 *   tcpload server --addr A --port P [--conns N] [--send BYTES] [--rst]
 *       listens on A:P; prints {"pid":P,"port":P} once listening. Per
 *       connection: reads until EOF, then sends BYTES (default 8) and
 *       closes; with --rst it closes at once with SO_LINGER 0, which sends
 *       a reset from the server's own close(). Exits after N connections
 *       (default: until SIGTERM). --close-first: send BYTES and close at
 *       once without reading (the server is the active closer and keeps the
 *       TIME_WAIT: for churn on one host). --echo: send back what it reads.
 *   tcpload client --addr A --port P [--conns N] [--send BYTES] [--quiet]
 *       N times (default 1): connect, send BYTES (default 0), shut down the
 *       write side, read until EOF, close. Prints one JSON line: its pid,
 *       and per connection the local address and port, connect() time by
 *       its own clock, errno when it failed, bytes received (--quiet: only
 *       totals, for churn benchmarks). --no-shutdown: do not shut down the
 *       write side, read until the server closes. --pingpong K: after
 *       connecting, K times write one byte and read it back (with a server
 *       --echo); the mean round trip is printed as pingpong_ns. --hold MS:
 *       after sending, sleep MS before shutting down (no I/O meanwhile).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int parse_addr(const char *a, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "tcpload: bad address %s\n", a);
	return -1;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t n, int *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)n);
		*port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)n);
		*port = ntohs(s6->sin6_port);
	}
}

static char buf[65536];

static int send_all(int fd, long long bytes)
{
	while (bytes > 0) {
		ssize_t w = write(fd, buf, bytes > (long long)sizeof(buf) ? sizeof(buf) : (size_t)bytes);

		if (w <= 0)
			return -1;
		bytes -= w;
	}
	return 0;
}

static long long drain(int fd)
{
	long long total = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	return total;
}

static int close_first, echo, no_shutdown, pingpong, hold_ms;

static void echo_loop(int fd)
{
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)r) != r)
			break;
}

static int server(struct sockaddr_storage *ss, socklen_t len, int conns, long long send,
		  int rst)
{
	int one = 1, ls = socket(ss->ss_family, SOCK_STREAM, 0), port;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	char text[64];

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (void *)ss, len) || listen(ls, 1024)) {
		fprintf(stderr, "tcpload: cannot listen: %s\n", strerror(errno));
		return 1;
	}
	getsockname(ls, (void *)&bound, &blen);
	addr_text(&bound, text, sizeof(text), &port);
	printf("{\"pid\":%d,\"port\":%d}\n", getpid(), port);
	fflush(stdout);
	for (int i = 0; !conns || i < conns; i++) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (rst) {
			struct linger lg = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(fd);
			continue;
		}
		if (echo)
			echo_loop(fd);
		else if (!close_first)
			drain(fd);
		send_all(fd, send);
		close(fd);
	}
	return 0;
}

static int client(struct sockaddr_storage *ss, socklen_t len, int conns, long long send,
		  int quiet)
{
	unsigned long long max_ns = 0, t0, dt, pp_ns = 0;
	int failed = 0;

	printf("{\"pid\":%d,\"conns\":[", getpid());
	for (int i = 0; i < conns; i++) {
		int fd = socket(ss->ss_family, SOCK_STREAM, 0), err = 0, lport = 0;
		struct sockaddr_storage local;
		socklen_t llen = sizeof(local);
		char laddr[64] = "";
		long long in = 0;

		if (fd < 0) {
			fprintf(stderr, "tcpload: socket: %s\n", strerror(errno));
			return 1;
		}
		t0 = now_ns();
		if (connect(fd, (void *)ss, len))
			err = errno;
		dt = now_ns() - t0;
		if (!err) {
			if (dt > max_ns)
				max_ns = dt;
			getsockname(fd, (void *)&local, &llen);
			addr_text(&local, laddr, sizeof(laddr), &lport);
			if (pingpong) {
				unsigned long long p0 = now_ns();
				char ch = 'p';

				for (int j = 0; j < pingpong; j++)
					if (write(fd, &ch, 1) != 1 || read(fd, &ch, 1) != 1)
						break;
				pp_ns = (now_ns() - p0) / (unsigned long long)pingpong;
			}
			if (send_all(fd, send) == 0) {
				if (hold_ms) {
					struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };

					nanosleep(&ts, NULL);
				}
				if (!no_shutdown)
					shutdown(fd, SHUT_WR);
				in = drain(fd);
			}
		} else {
			failed++;
		}
		close(fd);
		if (!quiet)
			printf("%s{\"laddr\":\"%s\",\"lport\":%d,\"connect_ns\":%llu,\"errno\":%d,"
			       "\"bytes_in\":%lld}", i ? "," : "", laddr, lport, dt, err, in);
	}
	printf("],\"count\":%d,\"failed\":%d,\"connect_max_ns\":%llu,\"pingpong_ns\":%llu}\n",
	       conns, failed, max_ns, pp_ns);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "conns", required_argument, NULL, 'n' },
		{ "send", required_argument, NULL, 's' },
		{ "rst", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "close-first", no_argument, &close_first, 1 },
		{ "echo", no_argument, &echo, 1 },
		{ "no-shutdown", no_argument, &no_shutdown, 1 },
		{ "pingpong", required_argument, NULL, 'P' },
		{ "hold", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = argc > 1 ? argv[1] : "", *addr = NULL;
	int port = 0, conns = -1, rst = 0, quiet = 0, c;
	long long send = -1;
	struct sockaddr_storage ss;
	socklen_t len;

	signal(SIGPIPE, SIG_IGN);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': conns = atoi(optarg); break;
		case 's': send = atoll(optarg); break;
		case 'r': rst = 1; break;
		case 'q': quiet = 1; break;
		case 'P': pingpong = atoi(optarg); break;
		case 'H': hold_ms = atoi(optarg); break;
		case 0: break;
		default: return 2;
		}
	}
	if (!addr || parse_addr(addr, port, &ss, &len)) {
		fprintf(stderr, "usage: tcpload server|client --addr A --port P ...\n");
		return 2;
	}
	memset(buf, 'x', sizeof(buf));
	if (!strcmp(mode, "server"))
		return server(&ss, len, conns < 0 ? 0 : conns, send < 0 ? 8 : send, rst);
	if (!strcmp(mode, "client"))
		return client(&ss, len, conns < 0 ? 1 : conns, send < 0 ? 0 : send, quiet);
	fprintf(stderr, "usage: tcpload server|client --addr A --port P ...\n");
	return 2;
}
