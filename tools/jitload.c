/* jitload: a fake JIT, for the perf map symbols of user lock stacks.
 *
 *   jitload THREADS:ITERS:HOLD_US [--no-wait]
 *
 * Maps executable memory and writes a function there that calls its
 * argument (push rbp; mov rbp, rsp; call *rdi; pop rbp; ret), names it
 * jit_compiled_contend in /tmp/perf-PID.map as JITs do (the JVM's
 * perf-map-agent, node --perf-basic-prof), and runs THREADS threads that
 * each take one shared pthread mutex ITERS times, holding it HOLD_US, from
 * a function called by that code: every wait has a JIT frame no ELF file
 * covers. Prints {"pid":P}, waits for a line on stdin (--no-wait: not),
 * runs, removes its perf map and prints one JSON line with the mutex's
 * address and the JIT function's. x86-64 only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t jit_mutex = PTHREAD_MUTEX_INITIALIZER;
static int iters;
static unsigned long long hold_us, acquired;
static void (*jit_fn)(void (*)(void));

static void sleep_us(unsigned long long us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Called from the JIT code: one acquisition. */
__attribute__((noinline)) void lock_from_jit(void)
{
	pthread_mutex_lock(&jit_mutex);
	sleep_us(hold_us);
	pthread_mutex_unlock(&jit_mutex);
	__atomic_add_fetch(&acquired, 1, __ATOMIC_RELAXED);
	asm volatile("" ::: "memory");
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < iters; i++) {
		jit_fn(lock_from_jit);
		sched_yield();
	}
	return NULL;
}

/* The "compiled" code, and its perf map line. */
static int jit_compile(char *map_path, size_t n)
{
	static const unsigned char code[] = {
		0x55,			/* push %rbp */
		0x48, 0x89, 0xe5,	/* mov %rsp, %rbp */
		0xff, 0xd7,		/* call *%rdi */
		0x5d,			/* pop %rbp */
		0xc3,			/* ret */
	};
	void *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f;

	if (mem == MAP_FAILED)
		return -1;
	memset(mem, 0xcc, 4096);	/* int3 around it */
	memcpy((char *)mem + 64, code, sizeof(code));
	if (mprotect(mem, 4096, PROT_READ | PROT_EXEC))
		return -1;
	jit_fn = (void (*)(void (*)(void)))((char *)mem + 64);
	snprintf(map_path, n, "/tmp/perf-%d.map", getpid());
	f = fopen(map_path, "w");
	if (!f)
		return -1;
	fprintf(f, "%lx %zx jit_compiled_contend\n", (unsigned long)(uintptr_t)jit_fn,
		sizeof(code));
	return fclose(f);
}

int main(int argc, char **argv)
{
	int threads = 0, wait = 1;
	char line[64], map_path[64];
	pthread_t t[64];

#if !defined(__x86_64__)
	fprintf(stderr, "jitload: x86-64 only\n");
	return 2;
#endif
	if (argc < 2 || sscanf(argv[1], "%d:%d:%llu", &threads, &iters, &hold_us) != 3 ||
	    threads < 1 || threads > 64 || (argc > 2 && strcmp(argv[2], "--no-wait"))) {
		fprintf(stderr, "usage: jitload THREADS:ITERS:HOLD_US [--no-wait]\n");
		return 2;
	}
	wait = argc < 3;
	if (jit_compile(map_path, sizeof(map_path))) {
		perror("jitload");
		return 1;
	}
	printf("{\"pid\":%d}\n", getpid());
	fflush(stdout);
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL)) {
			perror("jitload: pthread_create");
			return 1;
		}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	unlink(map_path);
	printf("{\"pid\":%d,\"mutex\":{\"addr\":\"%p\",\"size\":%zu,\"acquired\":%llu},"
	       "\"jit\":{\"addr\":\"%p\",\"name\":\"jit_compiled_contend\"}}\n",
	       getpid(), (void *)&jit_mutex, sizeof(jit_mutex), acquired, (void *)jit_fn);
	return 0;
}
