/* Command line parsing. Every bad value gets one line naming the option by
 * its long name and the value, and exit status 2. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "options.h"
#include "locks.h"
#include "sink/prom.h"

void options_usage(FILE *f)
{
	fputs("usage: latscope [OPTIONS]            live view (TUI on a terminal)\n"
	      "       latscope replay FILE... [--json|--summary] [--from T] [--to T]\n"
	      "                                     recordings (.json or .json.gz)\n"
	      "\n"
	      "  -i, --interval SECS    snapshot interval (default 1; fractions allowed)\n"
	      "  -d, --duration SECS    stop after SECS (default: until q/SIGINT/SIGTERM)\n"
	      "  -p, --pid PID[,PID..]  only these processes (filtered in the kernel)\n"
	      "      --cgroup CG[,CG..] only tasks in these cgroups v2 or below them\n"
	      "                         (filtered in the kernel): a path like\n"
	      "                         /system.slice/nginx.service or a name like\n"
	      "                         nginx.service; repeatable\n"
	      "      --probes LIST      subset of syscalls,tcp,locks,pools,requests (default:\n"
	      "                         all; requests runs with the syscalls family)\n"
	      "      --json             NDJSON snapshots to stdout, one per interval\n"
	      "  -o, --output FILE      NDJSON snapshots to FILE (gzip if it ends in .gz)\n"
	      "      --rotate SIZE      with -o: rotate FILE past SIZE bytes (K, M, G)\n"
	      "      --keep N           rotated files kept: FILE.1 .. FILE.N (default 5)\n"
	      "      --prom FILE        also write Prometheus text format to FILE\n"
	      "      --listen [ADDR]:PORT\n"
	      "                         serve /metrics (Prometheus text or OpenMetrics),\n"
	      "                         /snapshot (JSON) and / over HTTP; ADDR is IPv4,\n"
	      "                         [IPv6] or empty for 127.0.0.1 (e.g. :9977)\n"
	      "      --prom-buckets N   latency histogram bounds per power of two in\n"
	      "                         /metrics and the --prom file: 1, 2, 4, 8 or 16\n"
	      "                         (default 8: histogram_quantile within 10% of p99)\n"
	      "      --top N            rows kept per JSON list (default 1000)\n"
	      "      --btf FILE         kernel BTF to use when the kernel has none at\n"
	      "                         /sys/kernel/btf/vmlinux (e.g. from btfhub)\n"
	      "      --no-peers         without the peers view (which the syscalls family\n"
	      "                         records on fd syscalls, at some cost per call)\n"
	      "      --nice N           the frontend's nice value, -20 to 19 (default -10:\n"
	      "                         snapshots keep coming on a busy host)\n"
	      "      --realtime PRIO    the frontend at SCHED_FIFO priority PRIO (1-99), for\n"
	      "                         hosts saturated by thousands of runnable threads\n"
	      "      --uprobe-locks PID exact pthread_mutex_lock waits of PID (uprobes:\n"
	      "                         microseconds per call of that process)\n"
	      "      --ustack-bytes N   user stack copied (once per new stack) to unwind\n"
	      "                         code without frame pointers by its CFI: 0 to\n"
	      "                         16384 (default 8192; 0: frame pointers only)\n"
	      "replay:\n"
	      "      --json             the snapshots as NDJSON on stdout\n"
	      "      --summary          all snapshots merged into one (percentiles from\n"
	      "                         the merged histograms); several files merge too\n"
	      "      --from T, --to T   only snapshots ending in [T, T]: seconds since the\n"
	      "                         epoch or UTC 2026-12-01T19:30:00[Z]\n"
	      "  -v, --verbose          libbpf's messages on stderr\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          the version\n"
	      "\n"
	      "exit status: 0 success, 1 runtime failure, 2 usage error\n", f);
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "latscope: --%s '%s': %s (see latscope --help)\n", opt, val, why);
	return 2;
}

/* A whole number from lo to hi into *out; else 2 after the usage line
 * (why: what the value should have been). */
static int parse_long(const char *opt, const char *val, long lo, long hi, const char *why,
		      long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (!*val || *end || errno || v < lo || v > hi)
		return bad(opt, val, why);
	*out = v;
	return 0;
}

/* Seconds as a positive finite number, up to a day, to nanoseconds. */
static int parse_secs(const char *opt, const char *val, __u64 *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (!*val || *end || errno || !isfinite(v))
		return bad(opt, val, "not a number of seconds (e.g. 1 or 0.5)");
	if (v <= 0)
		return bad(opt, val, "must be greater than 0 seconds");
	if (v > 86400 * 365.0)
		return bad(opt, val, "too large (at most a year)");
	if (v * 1e9 < 1e6)
		return bad(opt, val, "too small (at least 0.001 seconds)");
	*ns = (__u64)(v * 1e9);
	return 0;
}

static int parse_pids(struct options *o, const char *val)
{
	const char *p = val;

	o->npids = 0;
	for (;;) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v <= 0 || v > 0x3fffffff || (*end && *end != ','))
			return bad("pid", val, "not a list of process ids (e.g. 42 or 42,77)");
		if (o->npids >= FILTER_MAX_PIDS)
			return bad("pid", val, "too many processes (at most 64)");
		o->pids[o->npids++] = (__u32)v;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* --cgroup, repeatable and a comma list; resolved later (main.c) */
static int parse_cgroups(struct options *o, const char *val)
{
	const char *p = val;

	for (;;) {
		const char *e = strchrnul(p, ',');
		size_t len = (size_t)(e - p);

		if (!len)
			return bad("cgroup", val, "empty cgroup (e.g. nginx.service or /system.slice/nginx.service)");
		if (len >= sizeof(o->cgroups[0].arg))
			return bad("cgroup", val, "cgroup path too long");
		if (o->ncgroups >= CGROUP_FILTER_MAX)
			return bad("cgroup", val, "too many cgroups (at most 8)");
		memcpy(o->cgroups[o->ncgroups].arg, p, len);
		o->cgroups[o->ncgroups].arg[len] = '\0';
		o->ncgroups++;
		if (!*e)
			return 0;
		p = e + 1;
	}
}

static int parse_probes(struct options *o, const char *val)
{
	char *copy = strdup(val), *tok, *save = NULL;
	bool any = false;
	int ret = 0;

	if (!copy)
		return bad("probes", val, "out of memory");
	memset(o->probes, 0, sizeof(o->probes));
	o->requests = false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int f;

		/* the requests view is recorded by the syscalls family's
		 * programs: naming it runs that family */
		if (!strcmp(tok, "requests")) {
			o->requests = o->probes[FAM_SYSCALLS] = any = true;
			continue;
		}

		for (f = 0; f < FAM_NR; f++)
			if (!strcmp(tok, family_names[f]))
				break;
		if (f == FAM_NR) {
			ret = bad("probes", val, "unknown family; choose from syscalls,tcp,locks,pools,requests");
			break;
		}
		o->probes[f] = true;
		any = true;
	}
	if (!ret && !any)
		ret = bad("probes", val, "empty; choose from syscalls,tcp,locks,pools,requests");
	free(copy);
	return ret;
}

/* A byte size: digits with an optional K, M or G (powers of 1024). */
static int parse_size(const char *opt, const char *val, __u64 *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(val, &end, 10);
	if (end == val || errno || *val == '-')
		return bad(opt, val, "not a size (e.g. 100M)");
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return bad(opt, val, "not a size (e.g. 100M)");
	if (v > (1ULL << 40) >> shift)
		return bad(opt, val, "too large (at most 1T)");
	v <<= shift;
	if (v < 4096)
		return bad(opt, val, "too small (at least 4K)");
	*out = v;
	return 0;
}

/* A point in time: seconds since the epoch (fractions allowed) or an ISO
 * 8601 UTC date and time. */
static int parse_time(const char *opt, const char *val, __u64 *ns)
{
	struct tm tm = {};
	const char *p = val;
	__u64 sec = 0, frac = 0, scale = 1000000000ULL;
	char *end;

	/* seconds since the epoch, digits only: exact to the nanosecond */
	while (*p >= '0' && *p <= '9' && sec < 100000000000ULL)
		sec = sec * 10 + (__u64)(*p++ - '0');
	if (p > val && *p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (__u64)(*p - '0') * scale;
			}
	}
	if (p > val && !*p && sec < 10000000000ULL) {
		*ns = sec * 1000000000ULL + frac;
		return 0;
	}
	end = strptime(val, "%Y-%m-%dT%H:%M", &tm);
	if (!end)
		end = strptime(val, "%Y-%m-%d %H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end, ":%S", &tm);
	if (end && *end == 'Z')
		end++;
	if (!end || *end)
		return bad(opt, val, "not a time (seconds since the epoch or 2026-12-01T19:30:00Z)");
	*ns = (__u64)timegm(&tm) * 1000000000ULL;
	return 0;
}

enum { OPT_JSON = 256, OPT_PROBES, OPT_PROM, OPT_TOP, OPT_ROTATE, OPT_KEEP, OPT_SUMMARY,
       OPT_FROM, OPT_TO, OPT_BTF, OPT_UPROBE_LOCKS, OPT_PEERS, OPT_NO_PEERS, OPT_NICE, OPT_REALTIME,
       OPT_LISTEN, OPT_PROM_BUCKETS, OPT_CGROUP, OPT_USTACK_BYTES };

/* Options given that change what others mean (checked after the loop). */
struct seen {
	bool keep, prom_buckets;
};

#define NOT_MINE (-1)

static const struct option longopts[] = {
	{ "interval", required_argument, 0, 'i' },
	{ "duration", required_argument, 0, 'd' },
	{ "pid", required_argument, 0, 'p' },
	{ "probes", required_argument, 0, OPT_PROBES },
	{ "cgroup", required_argument, 0, OPT_CGROUP },
	{ "json", no_argument, 0, OPT_JSON },
	{ "output", required_argument, 0, 'o' },
	{ "prom", required_argument, 0, OPT_PROM },
	{ "listen", required_argument, 0, OPT_LISTEN },
	{ "prom-buckets", required_argument, 0, OPT_PROM_BUCKETS },
	{ "top", required_argument, 0, OPT_TOP },
	{ "rotate", required_argument, 0, OPT_ROTATE },
	{ "keep", required_argument, 0, OPT_KEEP },
	{ "summary", no_argument, 0, OPT_SUMMARY },
	{ "from", required_argument, 0, OPT_FROM },
	{ "to", required_argument, 0, OPT_TO },
	{ "btf", required_argument, 0, OPT_BTF },
	{ "uprobe-locks", required_argument, 0, OPT_UPROBE_LOCKS },
	{ "ustack-bytes", required_argument, 0, OPT_USTACK_BYTES },
	{ "peers", no_argument, 0, OPT_PEERS },
	{ "no-peers", no_argument, 0, OPT_NO_PEERS },
	{ "nice", required_argument, 0, OPT_NICE },
	{ "realtime", required_argument, 0, OPT_REALTIME },
	{ "verbose", no_argument, 0, 'v' },
	{ "help", no_argument, 0, 'h' },
	{ "version", no_argument, 0, 'V' },
	{ 0 },
};

static void set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->keep = 5;
	o->interval_ns = 1000000000ULL;
	o->top = 1000;
	o->prom_buckets = PROM_BUCKETS_DEFAULT;
	o->peers = true;
	o->requests = true;
	o->nice = NICE_DEFAULT;
	o->ustack_bytes = LOCKS_USTACK_DEFAULT;
	for (int f = 0; f < FAM_NR; f++)
		o->probes[f] = true;
}

/* What to trace, and how the frontend runs: 0, 2 (a bad value, said on
 * stderr) or NOT_MINE. */
static int parse_tracing_opt(struct options *o, int c, const char *arg)
{
	char path[32];
	long v;
	int r;

	switch (c) {
	case 'i':
		return parse_secs("interval", arg, &o->interval_ns);
	case 'd':
		return parse_secs("duration", arg, &o->duration_ns);
	case 'p':
		return parse_pids(o, arg);
	case OPT_PROBES:
		return parse_probes(o, arg);
	case OPT_CGROUP:
		return parse_cgroups(o, arg);
	case OPT_BTF:
		if (!*arg)
			return bad("btf", arg, "empty file name");
		if (access(arg, R_OK))
			return bad("btf", arg, strerror(errno));
		o->btf_file = arg;
		return 0;
	case OPT_UPROBE_LOCKS:
		if ((r = parse_long("uprobe-locks", arg, 1, 0x3fffffff, "not a process id", &v)))
			return r;
		snprintf(path, sizeof(path), "/proc/%ld", v);
		if (access(path, F_OK))
			return bad("uprobe-locks", arg, "no such process");
		o->uprobe_pid = (__u32)v;
		return 0;
	case OPT_USTACK_BYTES:
		if ((r = parse_long("ustack-bytes", arg, 0, LOCKS_USTACK_MAX,
				    "not a number of bytes from 0 to 16384", &v)))
			return r;
		o->ustack_bytes = (__u32)v;
		return 0;
	case OPT_PEERS:
	case OPT_NO_PEERS:
		o->peers = c == OPT_PEERS;
		return 0;
	case OPT_NICE:
		if ((r = parse_long("nice", arg, -20, 19, "not a nice value from -20 to 19", &v)))
			return r;
		o->nice = (int)v;
		o->nice_set = true;
		return 0;
	case OPT_REALTIME:
		if ((r = parse_long("realtime", arg, 1, 99, "not a SCHED_FIFO priority from 1 to 99", &v)))
			return r;
		o->realtime = (int)v;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	}
	return NOT_MINE;
}

/* Where snapshots go, and replay's choices: 0, 2 or NOT_MINE. */
static int parse_output_opt(struct options *o, struct seen *seen, int c, const char *arg)
{
	const char *why;
	long v;
	int r;

	switch (c) {
	case OPT_JSON:
		o->mode = OUT_JSON;
		return 0;
	case 'o':
	case OPT_PROM:
		if (!*arg)
			return bad(c == 'o' ? "output" : "prom", arg, "empty file name");
		*(c == 'o' ? &o->out_file : &o->prom_file) = arg;
		return 0;
	case OPT_LISTEN:
		if ((why = netaddr_parse(arg, &o->listen_addr)))
			return bad("listen", arg, why);
		o->listen = arg;
		return 0;
	case OPT_PROM_BUCKETS:
		if ((r = parse_long("prom-buckets", arg, 1, 16, "not 1, 2, 4, 8 or 16", &v)))
			return r;
		if (16 % v)
			return bad("prom-buckets", arg, "not 1, 2, 4, 8 or 16");
		o->prom_buckets = (unsigned)v;
		seen->prom_buckets = true;
		return 0;
	case OPT_TOP:
		if ((r = parse_long("top", arg, 1, 10000000, "not a positive number of rows", &v)))
			return r;
		o->top = (size_t)v;
		return 0;
	case OPT_ROTATE:
		return parse_size("rotate", arg, &o->rotate_bytes);
	case OPT_KEEP:
		if ((r = parse_long("keep", arg, 1, 1000, "not a number of files from 1 to 1000", &v)))
			return r;
		o->keep = (unsigned)v;
		seen->keep = true;
		return 0;
	case OPT_SUMMARY:
		o->summary = true;
		return 0;
	case OPT_FROM:
		return parse_time("from", arg, &o->from_ns);
	case OPT_TO:
		return parse_time("to", arg, &o->to_ns);
	}
	return NOT_MINE;
}

/* getopt's answers that are not options: help, version, a missing value,
 * an unknown option. 1 (said what was asked: exit 0) or 2. */
static int parse_meta_opt(int c, char **argv)
{
	const char *name = argv[optind - 1];

	switch (c) {
	case 'h':
		options_usage(stdout);
		return 1;
	case 'V':
		printf("latscope %s\n", LATSCOPE_VERSION);
		return 1;
	case ':':
		for (const struct option *lo = longopts; lo->name; lo++)
			if (lo->val == optopt)
				name = lo->name;
		fprintf(stderr, "latscope: --%s needs a value (see latscope --help)\n",
			name[0] == '-' ? name + 2 : name);
		return 2;
	}
	fprintf(stderr, "latscope: unknown option '%s' (see latscope --help)\n", name);
	return 2;
}

/* latscope replay FILE...: its files, and the options that do not apply. */
static int check_replay(struct options *o, const struct seen *seen, int argc, char **argv)
{
	if (optind >= argc) {
		fprintf(stderr, "latscope: replay needs a FILE (latscope replay FILE)\n");
		return 2;
	}
	while (optind < argc) {
		if (o->nreplay >= REPLAY_MAX_FILES)
			return bad("replay", argv[optind], "too many files (at most 64)");
		o->replay_files[o->nreplay++] = argv[optind++];
	}
	o->replay_file = o->replay_files[0];
	if (o->out_file || o->prom_file || o->rotate_bytes || o->listen || seen->prom_buckets) {
		fprintf(stderr, "latscope: --%s does not apply to latscope replay, which writes to stdout (see latscope --help)\n",
			o->out_file ? "output" : o->prom_file ? "prom" :
			o->rotate_bytes ? "rotate" : o->listen ? "listen" : "prom-buckets");
		return 2;
	}
	if (o->summary && o->mode == OUT_JSON)
		return bad("summary", "--json", "choose one of --summary and --json");
	if (o->from_ns && o->to_ns && o->to_ns < o->from_ns) {
		fprintf(stderr, "latscope: --to is before --from: the window is empty (see latscope --help)\n");
		return 2;
	}
	return 0;
}

/* Options that need another one, or apply to one mode only. */
static int check_combinations(const struct options *o, const struct seen *seen, int argc,
			      char **argv)
{
	if (!o->replay && (o->summary || o->from_ns || o->to_ns)) {
		fprintf(stderr, "latscope: --%s only applies to latscope replay FILE (see latscope --help)\n",
			o->summary ? "summary" : o->from_ns ? "from" : "to");
		return 2;
	}
	if (o->rotate_bytes && !o->out_file) {
		fprintf(stderr, "latscope: --rotate needs -o/--output FILE to rotate (see latscope --help)\n");
		return 2;
	}
	if (seen->keep && !o->rotate_bytes) {
		fprintf(stderr, "latscope: --keep needs --rotate SIZE (see latscope --help)\n");
		return 2;
	}
	if (o->uprobe_pid && !o->probes[FAM_LOCKS]) {
		fprintf(stderr, "latscope: --uprobe-locks needs the locks family "
			"(add locks to --probes)\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "latscope: unexpected argument '%s' (see latscope --help)\n",
			argv[optind]);
		return 2;
	}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct seen seen = { 0 };
	int c, r;

	set_defaults(o);
	if (argc > 1 && !strcmp(argv[1], "replay")) {
		o->replay = true;
		argv++;
		argc--;
	}
	opterr = 0;
	optind = 0;	/* 0: glibc resets all its getopt state (parsing twice is safe) */
	while ((c = getopt_long(argc, argv, ":i:d:p:o:vhV", longopts, NULL)) != -1) {
		if ((r = parse_tracing_opt(o, c, optarg)) == NOT_MINE &&
		    (r = parse_output_opt(o, &seen, c, optarg)) == NOT_MINE)
			r = parse_meta_opt(c, argv);
		if (r)
			return r;
	}
	if (o->replay && (r = check_replay(o, &seen, argc, argv)))
		return r;
	return check_combinations(o, &seen, argc, argv);
}
