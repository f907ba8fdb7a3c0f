/* latscope: a kernel-level latency profiler.
 *
 * The story: parse the command line; open, load and attach each probe
 * family (a family that cannot run is reported and the others go on); then
 * every interval the collectors make a snapshot and the sinks consume it;
 * on q, SIGINT, SIGTERM, SIGHUP or the end of --duration, the last partial
 * interval is written and everything is closed at one place. */
#include <errno.h>
#include <poll.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "collect/bpf_util.h"
#include "collect/cgroup_attr.h"
#include "collect/collector.h"
#include "collect/kernel_features.h"
#include "options.h"
#include "lib/privs.h"
#include "lib/procfs.h"
#include "replay/replay.h"
#include "lib/rotate.h"
#include "lib/safefile.h"
#include "sink/sink.h"
#include "lib/textfmt.h"
#include "sink/tui/tui.h"

#define MAX_SINKS 5
/* The longest the heap keeps a snapshot's freed pages before they go back. */
#define TRIM_EVERY_NS 10000000000ULL

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* blocked except inside ppoll: no signal is lost between checks */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGHUP);
}

static void fill_identity(struct snapshot *s)
{
	struct utsname u;

	if (uname(&u) == 0) {
		snprintf(s->host, sizeof(s->host), "%s", u.nodename);
		snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	}
}

/* Opens the families asked for; returns how many are on. */
static int open_collectors(struct collector *cols, const struct options *o)
{
	int on = 0;

	/* before the families: every process they see exit is recorded */
	cgroup_attr_open(o);
	for (int f = 0; f < FAM_NR; f++)
		on += collector_start(&cols[f], f, o);
	return on;
}

static struct snapshot *take_snapshot(struct collector *cols, const struct options *o,
				      __u64 interval_ns)
{
	struct snapshot *s = snapshot_new();

	if (!s)
		return NULL;
	fill_identity(s);
	s->ts_ns = real_ns();
	s->interval_ns = interval_ns;
	for (int f = 0; f < FAM_NR; f++) {
		struct collector *c = &cols[f];

		snprintf(s->probes[f], sizeof(s->probes[f]), "%s", c->status);
		if (c->on && c->ops->collect(c, s) < 0)
			s->dropped.events++;	/* a failed read is lost data */
	}
	snapshot_sort_truncate(s, o->top);
	cgroup_attr_fill(s);
	return s;
}

/* LATSCOPE_MEMLOG=FILE: one CSV line per snapshot with the RSS and the
 * allocator's view (bytes in use, free in the arenas, mmapped chunks), to
 * tell held memory (a table that grows) from fragmentation in a soak. */
static FILE *memlog_open(void)
{
	const char *path = getenv("LATSCOPE_MEMLOG");
	FILE *f;

	if (!path || !*path)
		return NULL;
	/* made like -o's files: never through a link planted at the path */
	int fd = safefile_create(path);

	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	if (f) {
		setvbuf(f, NULL, _IOLBF, 0);
		fprintf(f, "t_s,rss_kib,arena_kib,inuse_kib,free_kib,mmap_kib,mmap_n,"
			"heap_rss,anon_rss,bpf_rss,file_rss,big_anon\n");
	}
	return f;
}

static void memlog_line(FILE *f, __u64 start)
{
	struct mallinfo2 mi = mallinfo2();
	long pages = 0, rss = 0;
	FILE *sm = fopen("/proc/self/statm", "r");

	if (sm) {
		if (fscanf(sm, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(sm);
	}
	/* where the resident pages are: brk heap, other anonymous memory
	 * (mmapped chunks, thread arenas), BPF maps, files */
	long heap = 0, anon = 0, bpf = 0, file = 0, big = 0, kb;
	int kind = 0;
	char line[512];

	sm = fopen("/proc/self/smaps", "r");
	while (sm && fgets(line, sizeof(line), sm)) {
		unsigned long a, b;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &a, &b, &pos) == 2 && pos) {
			const char *name = line + pos;

			while (*name == ' ')
				name++;
			kind = !strncmp(name, "[heap]", 6) ? 1 : strstr(name, "bpf") ? 3 :
			       *name == '/' ? 4 : 2;
		} else if (sscanf(line, "Rss: %ld kB", &kb) == 1) {
			if (kind == 1)
				heap += kb;
			else if (kind == 2) {
				anon += kb;
				if (kb > big)
					big = kb;
			} else if (kind == 3)
				bpf += kb;
			else
				file += kb;
		}
	}
	if (sm)
		fclose(sm);
	fprintf(f, "%.1f,%ld,%zu,%zu,%zu,%zu,%zu,%ld,%ld,%ld,%ld,%ld\n", (mono_ns() - start) / 1e9,
		rss * (sysconf(_SC_PAGESIZE) / 1024), mi.arena / 1024, mi.uordblks / 1024,
		mi.fordblks / 1024, mi.hblkhd / 1024, mi.hblks, heap, anon, bpf, file, big);
}

/* Snapshots a whole interval late three times in a row: once, say what
 * keeps them on time (not under the live view, which owns the terminal). */
static void late_hint(struct sink **sinks, int nsinks, const struct options *o)
{
	static bool said;

	if (said || o->realtime)
		return;
	for (int i = 0; i < nsinks; i++)
		if (!strcmp(sinks[i]->name, "tui"))
			return;
	said = true;
	fprintf(stderr, "latscope: snapshots are running late (a saturated host?): "
			"--realtime 1 keeps them on time\n");
}

/* -p names processes that exist now: each one that does not is a line on
 * stderr (it stays in the filter: a process may yet get that pid); none
 * existing is a usage error (exit 2, like perf stat -p). A thread id is
 * dropped: it is never a process's. A traced process that exits later is
 * normal. */
static int pids_check(struct options *o)
{
	__u32 n = 0, found = 0, given = o->npids;

	for (__u32 i = 0; i < given; i++) {
		long tgid = procfs_tgid(o->pids[i]);

		if (tgid >= 0 && (__u32)tgid != o->pids[i]) {
			fprintf(stderr, "latscope: --pid %u is a thread of process %ld: give the process id\n",
				o->pids[i], tgid);
			continue;
		}
		if (tgid < 0)
			fprintf(stderr, "latscope: --pid %u: no such process\n", o->pids[i]);
		else
			found++;
		o->pids[n++] = o->pids[i];
	}
	o->npids = n;
	if (given && !found) {
		fprintf(stderr, "latscope: --pid: none of the processes given exists (see ps -e)\n");
		return -1;
	}
	return 0;
}

static int open_sinks(struct sink **sinks, const struct options *o)
{
	int n = 0;
	bool tty = isatty(STDOUT_FILENO);

	if (o->out_file) {
		if (o->rotate_bytes && rotate_existing(o->out_file, o->keep)) {
			fprintf(stderr, "latscope: --rotate: cannot rotate the earlier '%s': %s\n",
				o->out_file, strerror(errno));
			return -1;
		}
		sinks[n] = sink_json_new(o->out_file);
		if (!sinks[n]) {
			fprintf(stderr, "latscope: --output '%s': %s\n", o->out_file,
				safefile_strerror(errno));
			return -1;
		}
		if (o->rotate_bytes)
			sink_json_set_rotation(sinks[n], o->rotate_bytes, o->keep);
		n++;
	}
	if (o->prom_file) {
		sinks[n] = sink_prom_new(o->prom_file, o->prom_buckets);
		if (!sinks[n]) {
			fprintf(stderr, "latscope: --prom '%s': %s\n", o->prom_file,
				safefile_strerror(errno));
			goto fail;
		}
		n++;
	}
	if (o->listen) {
		sinks[n] = sink_http_new(&o->listen_addr, o->prom_buckets);
		if (!sinks[n]) {
			fprintf(stderr, "latscope: --listen '%s': %s\n", o->listen, strerror(errno));
			goto fail;
		}
		n++;
	}
	if (o->mode == OUT_JSON) {
		sinks[n++] = sink_json_new(NULL);
	} else if ((!o->out_file && !o->prom_file && !o->listen) || tty) {
		/* the live UI on a terminal (also while -o records); plain
		 * text tables when stdin or stdout is not one, or TERM is
		 * unusable */
		if (tty && isatty(STDIN_FILENO)) {
			sinks[n] = sink_tui_new(o->interval_ns);
			if (!sinks[n] && errno == ENOENT) {
				char term[64];

				fprintf(stderr, "latscope: TERM '%s' is not a terminal type this host knows;"
					" plain text instead of the live view (try TERM=xterm-256color)\n",
					sanitize(getenv("TERM") ? getenv("TERM") : "", term, sizeof(term)));
			}
		}
		if (!sinks[n])
			sinks[n] = sink_text_new(stdout);
		n++;
	}
	for (int i = 0; i < n; i++)
		if (!sinks[i])
			goto fail;
	return n;
fail:
	for (int i = 0; i < n; i++)
		sink_close(sinks[i]);
	return -1;
}

/* The process as latscope runs: privileges, the kernel's BTF, locked
 * memory, its nice value or real-time priority, malloc's threshold. 0, or
 * 1 after saying why. Before any thread starts (a nice value is per
 * thread; new threads inherit it). */
static int setup_process(const struct options *o)
{
	bpf_util_set_verbose(o->verbose);
	if (privs_check() < 0 || bpf_util_set_btf(o->btf_file) < 0)
		return 1;
	features_set_btf(o->btf_file);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	/* Without CAP_SYS_NICE the default is quietly kept at what it was;
	 * a --nice that cannot be had is said. */
	if (setpriority(PRIO_PROCESS, 0, o->nice) && o->nice_set)
		fprintf(stderr, "latscope: --nice %d: %s (running at nice %d)\n", o->nice,
			strerror(errno), getpriority(PRIO_PROCESS, 0));
	if (o->realtime &&
	    sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){ .sched_priority = o->realtime })) {
		fprintf(stderr, "latscope: --realtime %d: %s (needs root or CAP_SYS_NICE)\n",
			o->realtime, strerror(errno));
		return 1;
	}
	/* A fixed mmap threshold: glibc otherwise raises it each time a large
	 * block is freed, and the per-interval buffers (row vectors, JSON
	 * lines) then come from the heap, where they strand free pages among
	 * long-lived entries and the RSS ratchets up over hours. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	return 0;
}

/* The snapshot loop's state. */
struct loop {
	struct collector *cols;
	struct sink **sinks;
	int nsinks;
	struct runctl ctl;
	sigset_t waitmask;
	__u64 start, last, next, end, trimmed;
	unsigned late;	/* snapshots a whole interval late in a row */
	FILE *memlog;
};

/* Until the next snapshot is due (or a stop), serving the sinks' input
 * (the TUI's keys) meanwhile. false: not due yet (woken early by input);
 * true: take one now, at *now. */
static bool wait_due(struct loop *l, __u64 *now)
{
	struct pollfd pfd[MAX_SINKS];
	__u64 deadline = l->next;
	struct timespec ts;
	int npfd = 0, i;

	*now = mono_ns();
	if (l->end && l->end < deadline)
		deadline = l->end;
	if (*now < deadline && !stop_signal) {
		for (i = 0; i < l->nsinks; i++)
			if (l->sinks[i]->input_fd >= 0)
				pfd[npfd++] = (struct pollfd){ .fd = l->sinks[i]->input_fd,
							       .events = POLLIN };
		ts.tv_sec = (time_t)((deadline - *now) / 1000000000ULL);
		ts.tv_nsec = (long)((deadline - *now) % 1000000000ULL);
		if (ppoll(pfd, (nfds_t)npfd, &ts, &l->waitmask) > 0)
			for (i = 0; i < l->nsinks; i++)
				if (l->sinks[i]->input_fd >= 0 && l->sinks[i]->on_input)
					l->sinks[i]->on_input(l->sinks[i], &l->ctl);
		*now = mono_ns();
		if (*now < deadline && !stop_signal && !l->ctl.stop)
			return false;
	} else if (!stop_signal) {
		/* Behind schedule (a snapshot took longer than the interval):
		 * no wait, but let a pending SIGINT/TERM/HUP in, or a loaded
		 * host could never stop us. */
		struct timespec zero = { 0, 0 };

		ppoll(NULL, 0, &zero, &l->waitmask);
	}
	if (stop_signal || (l->end && *now >= l->end))
		l->ctl.stop = true;
	return true;
}

/* One snapshot, taken at now and handed to every sink. 0, or 1 after
 * saying why. */
static int snapshot_round(struct loop *l, const struct options *o, __u64 now)
{
	struct snapshot *s = take_snapshot(l->cols, o, now - l->last);
	int r;

	if (!s) {
		fprintf(stderr, "latscope: out of memory taking a snapshot\n");
		return 1;
	}
	s->ts_ns = real_ns();
	l->last = now;
	for (int i = 0; i < l->nsinks; i++) {
		if ((r = l->sinks[i]->write(l->sinks[i], s)) < 0) {
			fprintf(stderr, "latscope: writing %s output: %s\n", l->sinks[i]->name,
				strerror(-r));
			snapshot_free(s);
			return 1;
		}
	}
	snapshot_free(s);
	/* give the snapshot's memory back to the system: a long-running
	 * recorder's RSS then follows what it holds, not its peak. At most
	 * every TRIM_EVERY_NS: each trim makes the next snapshot fault its
	 * pages in again, which at a 1 s interval on a big host was 9% of the
	 * frontend's CPU (page faults, madvise). */
	if (now - l->trimmed >= TRIM_EVERY_NS) {
		malloc_trim(0);
		l->trimmed = now;
	}
	if (l->memlog)
		memlog_line(l->memlog, l->start);
	return 0;
}

/* When the next snapshot is due after the one taken at now. */
static void schedule_next(struct loop *l, const struct options *o, __u64 now)
{
	/* keep the grid unless we fell behind by a whole interval */
	l->next += l->ctl.interval_ns;
	if (l->next <= now) {
		l->next = now + l->ctl.interval_ns;
		if (++l->late == 3)
			late_hint(l->sinks, l->nsinks, o);
	} else {
		l->late = 0;
	}
	/* At a real-time priority nothing else runs on our CPU while we
	 * work: after a snapshot that took longer than the interval, rest at
	 * least as long as it took (at most half a CPU). */
	if (o->realtime) {
		__u64 done = mono_ns();

		if (l->next < done + (done - now))
			l->next = done + (done - now);
	}
}

int main(int argc, char **argv)
{
	struct collector cols[FAM_NR] = {};
	struct sink *sinks[MAX_SINKS] = {};
	struct loop l = { .cols = cols, .sinks = sinks };
	struct options o;
	int ret = 1, r, i;
	__u64 now;

	r = options_parse(&o, argc, argv);
	if (r)
		return r == 1 ? 0 : 2;
	if (o.replay)
		return replay_main(&o);
	if (pids_check(&o) || cgroups_resolve(&o))
		return 2;
	if (setup_process(&o))
		return 1;
	setup_signals(&l.waitmask);

	l.nsinks = open_sinks(sinks, &o);
	if (l.nsinks < 0)
		goto cleanup;
	r = open_collectors(cols, &o);
	features_free();	/* the parsed kernel BTF is megabytes: not kept */
	if (!r) {
		fprintf(stderr, "latscope: no probe family could start (see the lines above; -v shows libbpf's log)\n");
		goto cleanup;
	}

	l.memlog = memlog_open();
	l.ctl.interval_ns = o.interval_ns;
	l.start = l.last = mono_ns();
	l.next = l.start + l.ctl.interval_ns;
	if (o.duration_ns)
		l.end = l.start + o.duration_ns;
	while (!l.ctl.stop) {
		if (!wait_due(&l, &now))
			continue;
		if (snapshot_round(&l, &o, now))
			goto cleanup;
		schedule_next(&l, &o, now);
	}
	ret = 0;
cleanup:
	for (i = 0; i < l.nsinks; i++)
		sink_close(sinks[i]);
	for (i = 0; i < FAM_NR; i++)
		collector_stop(&cols[i]);
	cgroup_attr_free();
	if (l.memlog)
		fclose(l.memlog);
	return ret;
}
