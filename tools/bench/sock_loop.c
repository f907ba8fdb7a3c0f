/* sock_loop: write(2) then read(2) of 64 bytes over a connected socket pair,
 * N times in one thread (never blocks: the bytes are there to read), timed
 * by the workload's own clock. Prints the mean ns per syscall of the best of
 * R rounds. tcpreq: a request loop over 127.0.0.1, the client's write, the
 * server's read and answer, the client's read (a request on the accepted
 * socket per turn, as the requests view sees it).
 *   usage: sock_loop tcp|unix|tcpreq [N [R]]   (tcp: over 127.0.0.1) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int tcp_pair(int sv[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &len))
		return -1;
	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sv[0] < 0 || connect(sv[0], (void *)&a, sizeof(a)))
		return -1;
	sv[1] = accept(l, NULL, NULL);
	close(l);
	setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return sv[1] < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 500000;
	int rounds = argc > 3 ? atoi(argv[3]) : 3, sv[2];
	double best = 1e18;
	char buf[64];

	if (argc < 2 || n <= 0 || rounds <= 0 ||
	    (strcmp(argv[1], "tcp") && strcmp(argv[1], "unix") && strcmp(argv[1], "tcpreq"))) {
		fprintf(stderr, "usage: %s tcp|unix|tcpreq [N [ROUNDS]]\n", argv[0]);
		return 2;
	}
	int req = !strcmp(argv[1], "tcpreq");

	if (strcmp(argv[1], "unix") ? tcp_pair(sv) : socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("sock_loop");
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns(), t;

		for (long i = 0; i < n; i++) {
			if (write(sv[0], buf, sizeof(buf)) != sizeof(buf) ||
			    read(sv[1], buf, sizeof(buf)) != sizeof(buf) ||
			    (req && (write(sv[1], buf, sizeof(buf)) != sizeof(buf) ||
				     read(sv[0], buf, sizeof(buf)) != sizeof(buf)))) {
				perror("sock_loop");
				return 1;
			}
		}
		t = (now_ns() - t0) / ((req ? 4.0 : 2.0) * n);
		if (t < best)
			best = t;
	}
	printf("%.1f\n", best);
	return 0;
}
