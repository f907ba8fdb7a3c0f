/* poolload: a thread pool whose saturation it knows, and prints that truth.
 *
 *   poolload [--workers N] [--name NAME] [--mode io|poll|lock|cpu|klock]
 *            [--downstream pipe|socket] [--rate TASKS_PER_S] [--burst B]
 *            [--task-us US] [--duration S]
 *            [--acceptor|--acceptor-late|--self-accept] [--wait cond|poll|select]
 *
 * N workers named NAME-1..NAME-N wait on a condition variable for tasks
 * from a queue (--wait poll|select: each in poll(2) or select(2) on its own
 * eventfd, woken when a task is handed to it), fed by the main thread at
 * RATE tasks per second,
 * B at a time. A task, by mode:
 *   io     write a request to a "downstream" thread over a pipe (or a unix
 *          socket) and read(2) its answer, sent US later
 *   poll   the same, but wait for the answer in poll(2) with a timeout
 *   lock   take one mutex shared by all workers and hold it for US
 *   cpu    burn US of CPU (run it with more workers than CPUs)
 *   klock  write 32 MiB to one file shared by all workers: they queue on its
 *          inode lock in the kernel (US is not used). The workers all run on
 *          one CPU, so a writer that finds the lock taken finds its owner
 *          off CPU and sleeps on it: with the owner running elsewhere the
 *          kernel would let it spin instead, and whether it spins or sleeps
 *          would depend on how the host schedules
 * --acceptor: tasks arrive as TCP connections on 127.0.0.1, accepted by an
 * acceptor thread that hands them to the workers, who read the request from
 * the socket; the main thread, the acceptor and the workers all carry the
 * very same name NAME (as Apache names its threads).
 *
 * Prints {"pid":P,...,"workers":[TIDS]} at once, then waits for a line on
 * stdin (so a tracer can attach first), runs for S seconds, and prints what
 * it measured itself: the share of the run during which no worker waited
 * for work (saturated_pct), the workers' busy share (busy_pct), and each
 * worker's run-queue wait from /proc/self/task/TID/schedstat, from the go
 * line to the worker's exit (it finishes the queued tasks first).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define QCAP 4096

enum mode { M_IO, M_POLL, M_LOCK, M_CPU, M_KLOCK };

enum wait_kind { W_COND, W_POLL, W_SELECT };
static enum wait_kind wait_kind = W_COND;
/* --wait poll|select: each worker waits on its own eventfd, and a task is
 * handed to one idle worker (no thundering herd: the truth stays sharp) */
static int idle_list[MAX_WORKERS], nidle_list;
static int nworkers = 4, rate = 100, burst = 1, task_us = 10000, acceptor_mode, acceptor_late,
	   self_accept;
static double duration = 3;
static const char *rename_main;	/* --rename-main NAME: main renames itself halfway */
static enum mode mode = M_IO;
static int use_socket;
static const char *name = "worker";

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t biglock = PTHREAD_MUTEX_INITIALIZER;
#define KBUF (32 << 20)
static int kfile = -1;
static char *kbuf;
static int queue[QCAP], qhead, qtail, stopping;

/* the truth, under qlock */
static int idle_now;
static unsigned long long sat_since, sat_ns, run_start, run_end;
static int running;

struct worker {
	pthread_t th;
	int tid;
	int w_out, w_in;	/* the worker's ends: request out, answer in */
	int d_in, d_out;	/* its downstream's ends */
	pthread_t ds;
	unsigned long long idle_ns, wait_since, runq0, runq1;
	int efd;		/* --wait poll|select */
};
static struct worker w[MAX_WORKERS];
static int tids_ready;
static int listen_fd, acceptor_tid, listen_port;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static unsigned long long real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static unsigned long long runq_of(int tid)
{
	char path[96];
	unsigned long long run = 0, wait = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

/* idle_now changes only here, under qlock: saturation is idle_now == 0 */
static void idle_change(int d)
{
	unsigned long long t = now_ns();

	if (running && idle_now == 0 && d > 0)
		sat_ns += t - (sat_since > run_start ? sat_since : run_start);
	idle_now += d;
	if (idle_now == 0)
		sat_since = t;
}

static void burn_us(long us)
{
	struct timespec a, b;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (;;) {
		for (int i = 0; i < 2000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		if ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 >= us)
			return;
	}
}

static void *downstream_main(void *arg)
{
	struct worker *me = arg;
	char c;

	prctl(PR_SET_NAME, "downstream");
	while (read(me->d_in, &c, 1) == 1) {
		sleep_us(task_us);	/* answered late */
		if (write(me->d_out, &c, 1) != 1)
			break;
	}
	return NULL;
}

static void do_task(struct worker *me)
{
	char c = 'x';

	switch (mode) {
	case M_IO:
	case M_POLL:
		if (write(me->w_out, &c, 1) != 1)
			return;
		if (mode == M_POLL) {
			struct pollfd p = { .fd = me->w_in, .events = POLLIN };

			while (poll(&p, 1, 1000) == 0)
				;
		}
		if (read(me->w_in, &c, 1) != 1)
			return;
		break;
	case M_LOCK:
		pthread_mutex_lock(&biglock);
		sleep_us(task_us);
		pthread_mutex_unlock(&biglock);
		break;
	case M_CPU:
		burn_us(task_us);
		break;
	case M_KLOCK:
		/* writers of one file queue on its inode lock in the kernel */
		if (pwrite(kfile, kbuf, KBUF, 0) != KBUF)
			return;
		break;
	}
}

/* One connection: read the request, do the task, answer. */
static void serve(struct worker *me, int fd)
{
	char c;

	if (read(fd, &c, 1) == 1) {
		do_task(me);
		if (write(fd, &c, 1) != 1)
			c = 0;
	}
	close(fd);
}

/* Runs the calling thread on the first CPU it may run on. */
static void pin_to_first_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	if (cpu == CPU_SETSIZE)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	char nm[16];

	if (acceptor_mode)
		snprintf(nm, sizeof(nm), "%s", name);
	else
		snprintf(nm, sizeof(nm), "%s-%d", name, (int)(me - w) + 1);
	prctl(PR_SET_NAME, nm);
	me->tid = (int)syscall(SYS_gettid);
	if (mode == M_KLOCK)
		pin_to_first_cpu();
	pthread_mutex_lock(&qlock);
	tids_ready++;
	while (wait_kind != W_COND) {	/* waits on its eventfd for a task */
		unsigned long long t, v;
		int item;

		if (qhead == qtail && !stopping) {
			t = now_ns();
			idle_change(+1);	/* ended by whoever hands it a task */
			me->wait_since = t;
			idle_list[nidle_list++] = (int)(me - w);
			pthread_mutex_unlock(&qlock);
			for (;;) {
				if (wait_kind == W_POLL) {
					struct pollfd pf = { .fd = me->efd, .events = POLLIN };

					poll(&pf, 1, 1000);
				} else {
					fd_set rd;
					struct timeval tv = { 1, 0 };

					FD_ZERO(&rd);
					FD_SET(me->efd, &rd);
					select(me->efd + 1, &rd, NULL, NULL, &tv);
				}
				if (read(me->efd, &v, sizeof(v)) == sizeof(v))
					break;
			}
			pthread_mutex_lock(&qlock);
		}
		if (qhead == qtail) {
			if (stopping)
				break;
			continue;
		}
		item = queue[qhead++ % QCAP];
		(void)item;
		pthread_mutex_unlock(&qlock);
		do_task(me);
		pthread_mutex_lock(&qlock);
	}
	while (self_accept) {	/* waits in accept(2), serves what it accepted */
		unsigned long long t = now_ns();
		int fd;

		idle_change(+1);
		me->wait_since = t;
		pthread_mutex_unlock(&qlock);
		fd = accept(listen_fd, NULL, NULL);
		pthread_mutex_lock(&qlock);
		me->wait_since = 0;
		idle_change(-1);
		if (running) {
			unsigned long long a = t > run_start ? t : run_start, b = now_ns();

			if (b > a)
				me->idle_ns += b - a;
		}
		if (fd < 0)
			break;	/* the listening socket was shut down */
		pthread_mutex_unlock(&qlock);
		serve(me, fd);
		pthread_mutex_lock(&qlock);
	}
	for (;;) {
		int item;

		if (self_accept || wait_kind != W_COND)
			break;

		while (qhead == qtail && !stopping) {
			unsigned long long t = now_ns();

			idle_change(+1);
			me->wait_since = t;
			pthread_cond_wait(&qcond, &qlock);
			me->wait_since = 0;
			idle_change(-1);
			if (running) {
				unsigned long long a = t > run_start ? t : run_start, b = now_ns();

				if (b > a)
					me->idle_ns += b - a;
			}
		}
		if (qhead == qtail && stopping)
			break;
		item = queue[qhead++ % QCAP];
		pthread_mutex_unlock(&qlock);
		if (acceptor_mode) {
			serve(me, item);	/* a socket another thread accepted */
		} else {
			do_task(me);
		}
		pthread_mutex_lock(&qlock);
	}
	pthread_mutex_unlock(&qlock);
	/* its run-queue wait up to its very end, backlog included */
	me->runq1 = runq_of(me->tid);
	return NULL;
}

/* Under qlock: the worker waiting longest stops being idle now. */
static void hand_to_idle_worker(void)
{
	unsigned long long one = 1, t = now_ns();
	struct worker *me;

	if (!nidle_list)
		return;
	me = &w[idle_list[0]];
	memmove(idle_list, idle_list + 1, (size_t)--nidle_list * sizeof(idle_list[0]));
	idle_change(-1);
	if (running && me->wait_since) {
		unsigned long long a = me->wait_since > run_start ? me->wait_since : run_start;

		if (t > a)
			me->idle_ns += t - a;
	}
	me->wait_since = 0;
	if (write(me->efd, &one, sizeof(one)) != sizeof(one))
		perror("poolload: eventfd");
}

static void enqueue(int item)
{
	if (wait_kind != W_COND) {
		pthread_mutex_lock(&qlock);
		if (qtail - qhead < QCAP)
			queue[qtail++ % QCAP] = item;
		hand_to_idle_worker();
		pthread_mutex_unlock(&qlock);
		return;
	}
	pthread_mutex_lock(&qlock);
	if (qtail - qhead < QCAP)
		queue[qtail++ % QCAP] = item;
	pthread_cond_signal(&qcond);
	pthread_mutex_unlock(&qlock);
}

static void *acceptor_main(void *arg)
{
	prctl(PR_SET_NAME, name);
	acceptor_tid = (int)syscall(SYS_gettid);
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		enqueue(fd);
	}
	return NULL;
}

struct client_args {
	unsigned long long period_ns;
	int rounds;
};

static void *client_main(void *arg)
{
	struct client_args *ca = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)listen_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timespec next;
	int *fds = calloc((size_t)burst, sizeof(int));

	prctl(PR_SET_NAME, "client");
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int r = 0; r < ca->rounds && fds; r++) {
		for (int b = 0; b < burst; b++) {
			char c = 'r';

			fds[b] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fds[b] >= 0 && (connect(fds[b], (struct sockaddr *)&a, sizeof(a)) ||
					    write(fds[b], &c, 1) != 1)) {
				close(fds[b]);
				fds[b] = -1;
			}
		}
		for (int b = 0; b < burst; b++)
			if (fds[b] >= 0)
				close(fds[b]);	/* the worker's answer is not awaited */
		next.tv_nsec += (long)ca->period_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	free(fds);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: poolload [--workers N] [--name NAME] [--mode io|poll|lock|cpu|klock] "
			"[--downstream pipe|socket] [--rate N] [--burst B] [--task-us US] "
			"[--duration S] [--acceptor|--acceptor-late] [--rename-main NAME]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long long period_ns, t_end;
	struct client_args ca;
	pthread_t acc, cli;
	char line[16];
	int rounds;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--self-accept")) {
			self_accept = 1;
			continue;
		}
		if (!strcmp(a, "--acceptor") || !strcmp(a, "--acceptor-late")) {
			acceptor_mode = 1;
			acceptor_late = !strcmp(a, "--acceptor-late");
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--workers"))
			nworkers = atoi(v);
		else if (!strcmp(a, "--name"))
			name = v;
		else if (!strcmp(a, "--rate"))
			rate = atoi(v);
		else if (!strcmp(a, "--burst"))
			burst = atoi(v);
		else if (!strcmp(a, "--task-us"))
			task_us = atoi(v);
		else if (!strcmp(a, "--rename-main"))
			rename_main = v;
		else if (!strcmp(a, "--duration"))
			duration = atof(v);
		else if (!strcmp(a, "--wait")) {
			if (!strcmp(v, "cond"))
				wait_kind = W_COND;
			else if (!strcmp(v, "poll"))
				wait_kind = W_POLL;
			else if (!strcmp(v, "select"))
				wait_kind = W_SELECT;
			else
				return usage();
		} else if (!strcmp(a, "--downstream"))
			use_socket = !strcmp(v, "socket");
		else if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "io"))
				mode = M_IO;
			else if (!strcmp(v, "poll"))
				mode = M_POLL;
			else if (!strcmp(v, "lock"))
				mode = M_LOCK;
			else if (!strcmp(v, "cpu"))
				mode = M_CPU;
			else if (!strcmp(v, "klock"))
				mode = M_KLOCK;
			else
				return usage();
		} else
			return usage();
	}
	if (nworkers < 2 || nworkers > MAX_WORKERS || rate < 1 || burst < 1 || duration <= 0)
		return usage();
	signal(SIGPIPE, SIG_IGN);	/* clients do not wait for answers */
	if (acceptor_mode)
		prctl(PR_SET_NAME, name);

	for (int i = 0; i < nworkers; i++) {
		if (mode != M_IO && mode != M_POLL)
			continue;
		if (use_socket) {
			int sv[2];

			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
				return 1;
			w[i].w_out = w[i].w_in = sv[0];
			w[i].d_in = w[i].d_out = sv[1];
		} else {
			int to[2], from[2];

			if (pipe(to) || pipe(from))
				return 1;
			w[i].w_out = to[1];
			w[i].d_in = to[0];
			w[i].d_out = from[1];
			w[i].w_in = from[0];
		}
	}
	if ((acceptor_mode || self_accept) && wait_kind != W_COND)
		return usage();
	if (acceptor_mode && self_accept)
		return usage();
	for (int i = 0; wait_kind != W_COND && i < nworkers; i++) {
		w[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w[i].efd < 0) {
			perror("poolload: eventfd");
			return 1;
		}
	}
	if (mode == M_KLOCK) {
		kbuf = calloc(1, KBUF);
		kfile = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (kfile < 0)
			kfile = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		/* its pages allocated now, not in the first task */
		if (!kbuf || kfile < 0 || pwrite(kfile, kbuf, KBUF, 0) != KBUF) {
			perror("poolload: klock file");
			return 1;
		}
	}
	if (acceptor_mode || self_accept) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t sl = sizeof(sa);

		listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(listen_fd, 1024) || getsockname(listen_fd, (struct sockaddr *)&sa, &sl)) {
			perror("poolload: listen");
			return 1;
		}
		listen_port = ntohs(sa.sin_port);
	}

	for (int i = 0; i < nworkers; i++) {
		if ((mode == M_IO || mode == M_POLL) &&
		    pthread_create(&w[i].ds, NULL, downstream_main, &w[i]))
			return 1;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]))
			return 1;
	}
	if (acceptor_mode && !acceptor_late && pthread_create(&acc, NULL, acceptor_main, NULL))
		return 1;
	for (;;) {	/* every thread has its tid and sits waiting */
		int ready;

		pthread_mutex_lock(&qlock);
		ready = tids_ready == nworkers && idle_now == nworkers;
		pthread_mutex_unlock(&qlock);
		if (ready && (!acceptor_mode || acceptor_late || acceptor_tid))
			break;
		sleep_us(1000);
	}
	printf("{\"pid\":%d,\"acceptor_tid\":%d,\"workers\":[", (int)getpid(), acceptor_tid);
	for (int i = 0; i < nworkers; i++)
		printf("%s%d", i ? "," : "", w[i].tid);
	printf("]}\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (acceptor_late) {	/* born after a tracer attached: found by what it does */
		if (pthread_create(&acc, NULL, acceptor_main, NULL))
			return 1;
		while (!__atomic_load_n(&acceptor_tid, __ATOMIC_SEQ_CST))
			sleep_us(1000);
		fprintf(stderr, "{\"acceptor_tid\":%d}\n", acceptor_tid);
	}

	period_ns = (unsigned long long)(1e9 * burst / rate);
	rounds = (int)(duration * 1e9 / (double)period_ns);
	for (int i = 0; i < nworkers; i++)
		w[i].runq0 = runq_of(w[i].tid);
	pthread_mutex_lock(&qlock);
	run_start = now_ns();
	sat_since = run_start;
	running = 1;
	pthread_mutex_unlock(&qlock);
	unsigned long long real_start = real_ns();

	if (acceptor_mode || self_accept) {
		ca.period_ns = period_ns;
		ca.rounds = rounds;
		if (pthread_create(&cli, NULL, client_main, &ca))
			return 1;
		if (rename_main) {
			/* halfway, the main thread renames itself; when goes to
			 * stderr for the tests: "renamed REAL_NS" */
			struct timespec half = { (time_t)(duration / 2),
						 (long)((duration / 2 - (time_t)(duration / 2)) * 1e9) };

			nanosleep(&half, NULL);
			prctl(PR_SET_NAME, rename_main);
			fprintf(stderr, "renamed %llu\n", real_ns());
		}
		pthread_join(cli, NULL);
		/* let the last tasks finish */
		t_end = now_ns() + 1000ULL * (unsigned long long)task_us;
	} else {
		struct timespec next;

		clock_gettime(CLOCK_MONOTONIC, &next);
		for (int r = 0; r < rounds; r++) {
			for (int b = 0; b < burst; b++)
				enqueue(0);
			next.tv_nsec += (long)period_ns;
			while (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
		t_end = now_ns();
	}
	(void)t_end;
	/* the run ends here: the truth is over [run_start, run_end] */
	pthread_mutex_lock(&qlock);
	run_end = now_ns();
	if (idle_now == 0)
		sat_ns += run_end - (sat_since > run_start ? sat_since : run_start);
	running = 0;
	unsigned long long real_end = real_ns();
	unsigned long long idle_total = 0;

	for (int i = 0; i < nworkers; i++) {
		idle_total += w[i].idle_ns;
		/* a worker idle at the end: its open wait counts too */
		if (w[i].wait_since)
			idle_total += run_end - (w[i].wait_since > run_start ? w[i].wait_since
									     : run_start);
	}
	stopping = 1;
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);
	if (wait_kind != W_COND) {	/* wake every waiter to stop */
		pthread_mutex_lock(&qlock);
		while (nidle_list)
			hand_to_idle_worker();
		pthread_mutex_unlock(&qlock);
	}
	if (self_accept)
		shutdown(listen_fd, SHUT_RDWR);	/* wakes the workers in accept */
	for (int i = 0; i < nworkers; i++)
		pthread_join(w[i].th, NULL);

	double len = (double)(run_end - run_start);
	printf("{\"start_real_ns\":%llu,\"end_real_ns\":%llu,\"run_ns\":%llu,"
	       "\"saturated_pct\":%.2f,\"busy_pct\":%.2f,\"runq_ns\":{",
	       real_start, real_end, run_end - run_start, 100.0 * (double)sat_ns / len,
	       100.0 * (1.0 - (double)idle_total / (len * nworkers)));
	for (int i = 0; i < nworkers; i++)
		printf("%s\"%d\":%llu", i ? "," : "", w[i].tid, w[i].runq1 - w[i].runq0);
	printf("}}\n");
	fflush(stdout);
	return 0;
}
