/* mutexload: lock waits whose truth it knows, for the locks family.
 *
 *   mutexload [--mutex THREADS:ITERS:HOLD_US] [--sem THREADS:ITERS:HOLD_US]
 *             [--rwlock THREADS:ITERS:HOLD_US] [--condvar THREADS:MS]
 *             [--kernel THREADS:MS] [--no-wait]
 *
 * Prints {"pid":P} at once, then waits for a line on stdin (so that a
 * tracer can attach first; --no-wait skips this), then runs the phases:
 *   --mutex    THREADS threads each take one shared pthread mutex ITERS
 *              times inside contend_shared_mutex(), holding it HOLD_US
 *              (asleep, so the others must wait in the kernel); each
 *              measures its own time inside pthread_mutex_lock()
 *   --sem      the same on a sem_t of value 1 (sem_wait/sem_post), inside
 *              contend_shared_sem()
 *   --rwlock   the same on a pthread_rwlock_t taken for writing, inside
 *              contend_shared_rwlock()
 *   --condvar  THREADS threads idle in pthread_cond_wait() until a
 *              broadcast MS later (idle, not contention)
 *   --kernel   THREADS threads mmap, touch and munmap memory in a loop for
 *              MS: the mm's mmap_lock and page-table locks contend
 * and prints one JSON line: each phase's lock address and what it measured.
 * Built with frame pointers so that its stacks can be walked, and once more
 * without (mutexload-nofp: -O2 -fomit-frame-pointer -DMUTEXLOAD_NOFP), as
 * most distribution binaries are, for unwinding by CFI.
 */
#ifndef MUTEXLOAD_NOFP
#pragma GCC optimize("no-omit-frame-pointer")
#endif
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void sleep_us(unsigned long long us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- --mutex ---- */

static pthread_mutex_t shared_mutex = PTHREAD_MUTEX_INITIALIZER;
static int mutex_iters;
static unsigned long long mutex_hold_us;
static unsigned long long mutex_wait_ns, mutex_contended, mutex_acquired;

/* The call into libc: its own frame, so that the named function below is
 * a caller on the walked stack even though libc has no frame pointers. */
__attribute__((noinline)) static unsigned long long lock_and_time(pthread_mutex_t *m)
{
	unsigned long long t0 = now_ns();

	pthread_mutex_lock(m);
	return now_ns() - t0;
}

__attribute__((noinline)) void contend_shared_mutex(unsigned long long *wait,
						    unsigned long long *contended)
{
	for (int i = 0; i < mutex_iters; i++) {
		unsigned long long w = lock_and_time(&shared_mutex);

		*wait += w;
		if (w > 20000)	/* had to sleep: far above an uncontended lock */
			(*contended)++;
		sleep_us(mutex_hold_us);
		pthread_mutex_unlock(&shared_mutex);
		/* let another thread in before taking it again */
		sched_yield();
	}
	asm volatile("" ::: "memory");	/* no tail call: keep our frame */
}

static void *mutex_thread(void *arg)
{
	unsigned long long wait = 0, contended = 0;

	(void)arg;
	contend_shared_mutex(&wait, &contended);
	__atomic_add_fetch(&mutex_wait_ns, wait, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mutex_contended, contended, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mutex_acquired, (unsigned long long)mutex_iters, __ATOMIC_RELAXED);
	return NULL;
}

/* ---- --sem and --rwlock: the same contention on other locks ---- */

struct contention {
	int iters;
	unsigned long long hold_us;
	unsigned long long wait_ns, contended, acquired;
};

static sem_t shared_sem;
static pthread_rwlock_t shared_rwlock = PTHREAD_RWLOCK_INITIALIZER;
static struct contention sem_c, rw_c;

__attribute__((noinline)) static unsigned long long take_sem_and_time(sem_t *s)
{
	unsigned long long t0 = now_ns();

	while (sem_wait(s) && errno == EINTR)
		;
	return now_ns() - t0;
}

__attribute__((noinline)) static unsigned long long wrlock_and_time(pthread_rwlock_t *l)
{
	unsigned long long t0 = now_ns();

	pthread_rwlock_wrlock(l);
	return now_ns() - t0;
}

static void count_wait(struct contention *c, unsigned long long w, unsigned long long *wait,
		       unsigned long long *contended)
{
	(void)c;
	*wait += w;
	if (w > 20000)
		(*contended)++;
}

static void add_counts(struct contention *c, unsigned long long wait, unsigned long long contended)
{
	__atomic_add_fetch(&c->wait_ns, wait, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->contended, contended, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->acquired, (unsigned long long)c->iters, __ATOMIC_RELAXED);
}

__attribute__((noinline)) void contend_shared_sem(void)
{
	unsigned long long wait = 0, contended = 0;

	for (int i = 0; i < sem_c.iters; i++) {
		count_wait(&sem_c, take_sem_and_time(&shared_sem), &wait, &contended);
		sleep_us(sem_c.hold_us);
		sem_post(&shared_sem);
		sched_yield();
	}
	add_counts(&sem_c, wait, contended);
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) void contend_shared_rwlock(void)
{
	unsigned long long wait = 0, contended = 0;

	for (int i = 0; i < rw_c.iters; i++) {
		count_wait(&rw_c, wrlock_and_time(&shared_rwlock), &wait, &contended);
		sleep_us(rw_c.hold_us);
		pthread_rwlock_unlock(&shared_rwlock);
		sched_yield();
	}
	add_counts(&rw_c, wait, contended);
	asm volatile("" ::: "memory");
}

static void *sem_thread(void *arg)
{
	(void)arg;
	contend_shared_sem();
	return NULL;
}

static void *rwlock_thread(void *arg)
{
	(void)arg;
	contend_shared_rwlock();
	return NULL;
}

/* ---- --condvar ---- */

static pthread_mutex_t cv_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static int cv_go, cv_waiting;

__attribute__((noinline)) void idle_on_condvar(void)
{
	pthread_mutex_lock(&cv_mutex);
	cv_waiting++;
	while (!cv_go)
		pthread_cond_wait(&idle_cond, &cv_mutex);
	pthread_mutex_unlock(&cv_mutex);
	asm volatile("" ::: "memory");
}

static void *condvar_thread(void *arg)
{
	(void)arg;
	idle_on_condvar();
	return NULL;
}

/* ---- --kernel ---- */

static volatile int kernel_stop;
static unsigned long long kernel_loops;

__attribute__((noinline)) void churn_address_space(void)
{
	unsigned long long n = 0;
	size_t len = 64 * 4096;

	while (!kernel_stop) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;	/* faults take mmap_lock for reading */
		munmap(p, len);		/* takes it for writing */
		n++;
	}
	__atomic_add_fetch(&kernel_loops, n, __ATOMIC_RELAXED);
}

static void *kernel_thread(void *arg)
{
	(void)arg;
	churn_address_space();
	return NULL;
}

static int run_threads(int n, void *(*fn)(void *), pthread_t *t)
{
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, fn, NULL)) {
			perror("mutexload: pthread_create");
			exit(1);
		}
	return n;
}

static void join_threads(int n, pthread_t *t)
{
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* n threads of fn to their end; how long they took (0: none ran) */
static unsigned long long timed_phase(int n, void *(*fn)(void *), pthread_t *t)
{
	unsigned long long t0 = now_ns();

	if (!n)
		return 0;
	join_threads(run_threads(n, fn, t), t);
	return now_ns() - t0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mutexload [--mutex THREADS:ITERS:HOLD_US] [--sem THREADS:ITERS:HOLD_US]"
		" [--rwlock THREADS:ITERS:HOLD_US] [--condvar THREADS:MS] [--kernel THREADS:MS]"
		" [--no-wait]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int m_threads = 0, c_threads = 0, k_threads = 0, c_ms = 0, k_ms = 0, wait = 1;
	int s_threads = 0, r_threads = 0;
	unsigned long long t0, mutex_ns = 0, cv_ns = 0, k_ns = 0, s_ns = 0, r_ns = 0;
	pthread_t t[256];
	char line[64];

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(argv[i], "--mutex") &&
		    sscanf(v, "%d:%d:%llu", &m_threads, &mutex_iters, &mutex_hold_us) == 3)
			i++;
		else if (!strcmp(argv[i], "--sem") &&
			 sscanf(v, "%d:%d:%llu", &s_threads, &sem_c.iters, &sem_c.hold_us) == 3)
			i++;
		else if (!strcmp(argv[i], "--rwlock") &&
			 sscanf(v, "%d:%d:%llu", &r_threads, &rw_c.iters, &rw_c.hold_us) == 3)
			i++;
		else if (!strcmp(argv[i], "--condvar") && sscanf(v, "%d:%d", &c_threads, &c_ms) == 2)
			i++;
		else if (!strcmp(argv[i], "--kernel") && sscanf(v, "%d:%d", &k_threads, &k_ms) == 2)
			i++;
		else if (!strcmp(argv[i], "--no-wait"))
			wait = 0;
		else
			usage();
	}
	if (m_threads > 256 || c_threads > 256 || k_threads > 256 || m_threads < 0 ||
	    c_threads < 0 || k_threads < 0 || s_threads < 0 || s_threads > 256 || r_threads < 0 ||
	    r_threads > 256)
		usage();
	sem_init(&shared_sem, 0, 1);

	printf("{\"pid\":%d}\n", getpid());
	fflush(stdout);
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;

	mutex_ns = timed_phase(m_threads, mutex_thread, t);
	s_ns = timed_phase(s_threads, sem_thread, t);
	r_ns = timed_phase(r_threads, rwlock_thread, t);
	if (c_threads) {
		t0 = now_ns();
		run_threads(c_threads, condvar_thread, t);
		sleep_us((unsigned long long)c_ms * 1000);
		pthread_mutex_lock(&cv_mutex);
		cv_go = 1;
		pthread_cond_broadcast(&idle_cond);
		pthread_mutex_unlock(&cv_mutex);
		join_threads(c_threads, t);
		cv_ns = now_ns() - t0;
	}
	if (k_threads) {
		t0 = now_ns();
		run_threads(k_threads, kernel_thread, t);
		sleep_us((unsigned long long)k_ms * 1000);
		kernel_stop = 1;
		join_threads(k_threads, t);
		k_ns = now_ns() - t0;
	}

	printf("{\"pid\":%d,"
	       "\"mutex\":{\"addr\":\"%p\",\"size\":%zu,\"threads\":%d,\"acquired\":%llu,\"contended\":%llu,"
	       "\"wait_ns\":%llu,\"elapsed_ns\":%llu},"
	       "\"condvar\":{\"addr\":\"%p\",\"threads\":%d,\"waiting\":%d,\"elapsed_ns\":%llu},"
	       "\"kernel\":{\"threads\":%d,\"loops\":%llu,\"elapsed_ns\":%llu},",
	       getpid(), (void *)&shared_mutex, sizeof(shared_mutex), m_threads, mutex_acquired, mutex_contended,
	       mutex_wait_ns, mutex_ns, (void *)&idle_cond, c_threads, cv_waiting, cv_ns,
	       k_threads, kernel_loops, k_ns);
	printf("\"sem\":{\"addr\":\"%p\",\"size\":%zu,\"threads\":%d,\"acquired\":%llu,"
	       "\"contended\":%llu,\"wait_ns\":%llu,\"elapsed_ns\":%llu},"
	       "\"rwlock\":{\"addr\":\"%p\",\"size\":%zu,\"threads\":%d,\"acquired\":%llu,"
	       "\"contended\":%llu,\"wait_ns\":%llu,\"elapsed_ns\":%llu}}\n",
	       (void *)&shared_sem, sizeof(shared_sem), s_threads, sem_c.acquired, sem_c.contended,
	       sem_c.wait_ns, s_ns, (void *)&shared_rwlock, sizeof(shared_rwlock), r_threads,
	       rw_c.acquired, rw_c.contended, rw_c.wait_ns, r_ns);
	return 0;
}
