/* pingpong: two threads bounce a byte over two pipes, as fast as the
 * scheduler allows: a context switch per hop. For measuring what a tracer
 * of the scheduler costs per switch (tools/bench/bench_pools.sh).
 *
 *   pingpong ROUNDS
 *
 * Prints {"rounds":R,"ns":T,"switches":S,"ns_per_switch":X}: S counts the
 * context switches of both threads (/proc/self/task/TID/status), so X is
 * wall time per switch; run it pinned to one CPU for one switch per hop. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int ab[2], ba[2], rounds;
static int peer_tid;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static unsigned long long switches_of(int tid)
{
	char path[96], line[256];
	unsigned long long n = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
			n += v;
	fclose(f);
	return n;
}

static void *peer(void *arg)
{
	char c;

	__atomic_store_n(&peer_tid, (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	while (read(ab[0], &c, 1) == 1)
		if (write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1, s0, s1;
	int me = (int)syscall(SYS_gettid);
	pthread_t th;
	char c = 'p';

	rounds = argc > 1 ? atoi(argv[1]) : 0;
	if (rounds < 1) {
		fprintf(stderr, "usage: pingpong ROUNDS\n");
		return 2;
	}
	if (pipe(ab) || pipe(ba) || pthread_create(&th, NULL, peer, NULL))
		return 1;
	while (!__atomic_load_n(&peer_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	s0 = switches_of(me) + switches_of(peer_tid);
	t0 = now_ns();
	for (int i = 0; i < rounds; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	t1 = now_ns();
	s1 = switches_of(me) + switches_of(peer_tid);
	printf("{\"rounds\":%d,\"ns\":%llu,\"switches\":%llu,\"ns_per_switch\":%.1f}\n", rounds,
	       t1 - t0, s1 - s0, (double)(t1 - t0) / (double)(s1 - s0 ? s1 - s0 : 1));
	return 0;
}
