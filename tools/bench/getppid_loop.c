/* getppid_loop: the cheapest real syscall, N times, timed by the workload's
 * own clock. Prints the mean ns per call of the best of R rounds (the best
 * round is the least disturbed by other work on the host).
 *   usage: getppid_loop [N [R]] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double best = 1e18;

	if (n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: %s [N [ROUNDS]]\n", argv[0]);
		return 2;
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		double per = (now_ns() - t0) / n;

		if (per < best)
			best = per;
	}
	printf("%.1f\n", best);
	return 0;
}
