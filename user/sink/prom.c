/* Prometheus text exposition (format 0.0.4), the convention of
 * node_exporter's textfile collector: the whole file is rewritten each
 * interval under a temporary name that does not end in .prom, then renamed
 * over FILE, so a scrape never reads half a file.
 *
 * Snapshots hold one interval each; Prometheus wants counters that only
 * grow. So this sink keeps running totals per series since latscope
 * started. A series not seen for PROM_EXPIRE_NS is dropped (its process is
 * gone), which keeps the file bounded on a host with churning processes.
 * Gauges (pool saturation, calls blocked now) describe the last interval.
 *
 * Counters are labelled by process name and service (the process's
 * cgroup named: a unit, a container), not pid: pids are unbounded (every
 * short-lived process would be new series), names and services are what
 * dashboards group by, and there are about as many services as units and
 * containers. Past PROM_MAX_SERIES per metric, new series are counted in
 * latscope_prom_series_dropped_total instead of written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/hashmap.h"
#include "snapshot/histo.h"
#include "lib/safefile.h"
#include "sink/prom.h"
#include "sink/sink.h"
#include "options.h"
#include "lib/textfmt.h"

#define PROM_EXPIRE_NS (300ULL * 1000000000ULL)
#define LABELS_LEN 512
#define PROM_MAX_SERIES 5000

/* Latency bucket bounds (le): bounds of latscope's own log-linear
 * histogram (include/hist.h) from 2^10 ns (1 us) to 2^34 ns (17 s), N per
 * power of two (--prom-buckets, default 8: every second kernel bound, each
 * bucket 6.7-12.5% wide). A kernel bucket falls wholly inside one of them:
 * the counts are exact, never split. histogram_quantile() interpolates
 * inside the bucket that holds the rank, and latscope's own percentile is
 * the midpoint of one of the kernel buckets there, so the two differ by
 * about 3/4 of the bucket's width at most: 9.5% worst measured at 8 per
 * power of two (tests/unit/sink/test_prom_quantile.c, 400 shapes), inside
 * the 10% promised; 21.5% at 4, 3.5% at 16. The decimal 1-2.5-5 grid this
 * replaced was up to 90% off.
 *
 * A series writes the bounds from the one under the lowest bucket it has
 * used (which reads 0, so histogram_quantile() knows that bucket's lower
 * edge) to the last: a bound left out is one that would read 0, so
 * sum by (le) over series, or over hosts, stays right; the top is always
 * there. A lower bound that appears later starts at the calls that made
 * it appear: an increase() over the scrape that saw it misses those. */
#define PB_FIRST ((10 - HIST_SUB_BITS + 1) << HIST_SUB_BITS)	/* kernel bucket of 2^10 */
#define PB_LAST ((34 - HIST_SUB_BITS + 1) << HIST_SUB_BITS)	/* kernel bucket of 2^34 */
#define NLE_MAX (PB_LAST - PB_FIRST + 1)

/* One labelled series: its running values. A counter has v[0]; a
 * histogram, per-bucket counts (nle of them), the +Inf one, count, sum_ns;
 * lo: the lowest bucket used (nle: none yet). */
struct series {
	__u64 seen_ts;
	__u32 lo;
	__u64 v[];
};

enum metric {
	M_SYS_HIST, M_SYS_ERR,
	M_TCP_RETR, M_TCP_RST, M_TCP_CONN, M_TCP_CONN_FAIL,
	M_KLOCK_N, M_KLOCK_NS, M_ULOCK_N, M_ULOCK_NS,
	M_POOL_STATE_NS,
	M_PEER_CALLS, M_PEER_NS,
	M_POOL_BLOCKED_NS,
	M_REQ_HIST, M_REQ_N,
	M_AQ_HIST, M_AQ_FULL,
	M_REQ_STATE_NS, M_REQ_RT, M_REQ_NA,
	M_NR
};

static const struct {
	const char *name, *help;
	bool hist, seconds;
} metrics[M_NR] = {
	[M_SYS_HIST] = { "latscope_syscall_duration_seconds",
			 "Time spent in system calls, per process and syscall.", true, true },
	[M_SYS_ERR] = { "latscope_syscall_errors_total",
			"System calls that returned an error.", false, false },
	[M_TCP_RETR] = { "latscope_tcp_retransmits_total",
			 "TCP segments retransmitted, per connection peer.", false, false },
	[M_TCP_RST] = { "latscope_tcp_resets_total",
			"TCP resets sent or received, per peer.", false, false },
	[M_TCP_CONN] = { "latscope_tcp_connects_total",
			 "TCP connections established (SYN_SENT to ESTABLISHED), per process and peer.", false, false },
	[M_TCP_CONN_FAIL] = { "latscope_tcp_connect_failures_total",
			      "TCP connection attempts that failed (SYN_SENT to CLOSE: refused, timed out).", false, false },
	[M_KLOCK_N] = { "latscope_kernel_lock_waits_total",
			"Contended waits on kernel locks.", false, false },
	[M_KLOCK_NS] = { "latscope_kernel_lock_wait_seconds_total",
			 "Time threads waited on kernel locks.", false, true },
	[M_ULOCK_N] = { "latscope_user_lock_waits_total",
			"Futex waits of user-space locks, per kind.", false, false },
	[M_ULOCK_NS] = { "latscope_user_lock_wait_seconds_total",
			 "Time threads waited in futexes, per kind.", false, true },
	[M_POOL_STATE_NS] = { "latscope_pool_state_seconds_total",
			      "Worker-time of thread pools, per state.", false, true },
	[M_PEER_CALLS] = { "latscope_peer_calls_total",
			   "I/O system calls, per process and peer.", false, false },
	[M_PEER_NS] = { "latscope_peer_wait_seconds_total",
			"Time spent waiting in I/O system calls on a peer.", false, true },
	[M_POOL_BLOCKED_NS] = { "latscope_pool_blocked_on_io_seconds_total",
				"Worker-time of thread pools asleep in I/O on a peer.", false, true },
	[M_REQ_HIST] = { "latscope_request_duration_seconds",
			 "Requests answered on server connections, per process and listening port.",
			 true, true },
	[M_REQ_N] = { "latscope_requests_total",
		      "Requests answered on server connections, per process and listening port.",
		      false, false },
	[M_AQ_HIST] = { "latscope_accept_queue_wait_seconds",
			"Time connections waited in a listener's accept queue (handshake done to accept).",
			true, true },
	[M_REQ_STATE_NS] = { "latscope_request_state_seconds_total",
			     "Time of requests their thread served alone, by its state (oncpu, runq, lock, io).",
			     false, true },
	[M_REQ_RT] = { "latscope_request_roundtrips_total",
		       "Round trips requests made to a downstream peer, per listening port.",
		       false, false },
	[M_REQ_NA] = { "latscope_requests_not_attributable_total",
		       "Requests whose thread served others at once, or answered by another thread.",
		       false, false },
	[M_AQ_FULL] = { "latscope_accept_queue_full_total",
			"Accepts that found the listener's queue over its limit (connections refused then).",
			false, false },
};

struct prom_render {
	struct hashmap *series[M_NR];	/* labels -> struct series */
	__u32 step, nle;	/* kernel buckets per bound; bounds */
	__u64 dropped_events, dropped_map_full, series_dropped;
	__u64 listen_overflows, listen_drops;
	const struct snapshot *last;	/* for the gauges, while writing */
};

/* A label value made printable (sanitize) and escaped for the format. */
static void esc(char *dst, size_t n, const char *src)
{
	char clean[SNAP_PEER_LEN + SNAP_SYM_LEN];
	const char *s = sanitize(src, clean, sizeof(clean));
	size_t o = 0;

	for (; *s && o + 3 < n; s++) {
		if (*s == '\\' || *s == '"')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o] = 0;
}

/* labels: name="value" pairs from NULL-terminated (name, value) args. A
 * pair that would not fit whole is left out (a cut one would not parse). */
static void labels(char *out, const char *const *kv)
{
	size_t o = 0;

	memset(out, 0, LABELS_LEN);
	for (; kv[0]; kv += 2) {
		char v[200];
		int len;

		esc(v, sizeof(v), kv[1]);
		len = snprintf(out + o, LABELS_LEN - o, "%s%s=\"%s\"", o ? "," : "", kv[0], v);
		if (len < 0 || o + (size_t)len >= LABELS_LEN) {
			memset(out + o, 0, LABELS_LEN - o);
			continue;
		}
		o += (size_t)len;
	}
}

/* The bound of bucket b, in ns. */
static __u64 le_ns(const struct prom_render *p, __u32 b)
{
	return hist_bucket_lo(PB_FIRST + p->step * b);
}

/* The bucket that holds kernel bucket i: the first bound at or above its
 * end; nle for past the last bound (+Inf only). */
static __u32 le_of(const struct prom_render *p, __u32 i)
{
	if (i + 1 <= PB_FIRST)
		return 0;
	if (i + 1 > PB_LAST)
		return p->nle;
	return (i + 1 - PB_FIRST + p->step - 1) / p->step;
}

static struct series *get_series(struct prom_render *p, enum metric m, const char *lab, __u64 ts)
{
	static struct { struct series s; __u64 v[NLE_MAX + 3]; } discard;
	struct series *x = hashmap_get(p->series[m], lab);

	if (!x && p->series[m]->len >= PROM_MAX_SERIES) {
		p->series_dropped++;
		return &discard.s;
	}
	if (!x) {
		x = calloc(1, sizeof(*x) + (metrics[m].hist ? p->nle + 3 : 1) * sizeof(__u64));
		if (!x || hashmap_put(p->series[m], lab, x)) {
			free(x);
			return NULL;
		}
		x->lo = p->nle;
	}
	x->seen_ts = ts;
	return x;
}

static int add(struct prom_render *p, enum metric m, const char *lab, __u64 ts, __u64 v)
{
	struct series *x;

	if (!v && !hashmap_get(p->series[m], lab))
		return 0;	/* no series for what never happened */
	if (!(x = get_series(p, m, lab, ts)))
		return -ENOMEM;
	x->v[0] += v;
	return 0;
}

/* A row's histogram hist (NULL: only its count is known), count calls of
 * total_ns, into histogram metric m. */
static int add_hist(struct prom_render *p, enum metric m, const char *lab, __u64 ts,
		    const __u64 *hist, __u64 count, __u64 total_ns)
{
	struct series *x = get_series(p, m, lab, ts);

	if (!x)
		return -ENOMEM;
	if (hist) {
		for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
			__u32 b;

			if (!hist[i])
				continue;
			b = le_of(p, i);
			x->v[b] += hist[i];
			if (b < x->lo)
				x->lo = b;
		}
	} else {
		x->v[p->nle] += count;	/* only +Inf is known */
	}
	x->v[p->nle + 1] += count;
	x->v[p->nle + 2] += total_ns;
	return 0;
}

static void peer_of(char *buf, size_t n, const char *addr, __u16 port)
{
	snprintf(buf, n, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}

/* The counters that add up one field of a list, and their labels: fields
 * of the row by name (fields.h), "@peer" for daddr:dport, or a fixed
 * "label=value". */
static const struct prom_source {
	enum metric m;
	const char *list;	/* the section's JSON name */
	const char *value;	/* the field added up */
	const char *labels[5];
} sources[] = {
	{ M_SYS_ERR, "syscalls", "errors", { "comm", "service", "syscall" } },
	{ M_TCP_RETR, "retransmits", "count", { "comm", "service", "@peer" } },
	{ M_TCP_RST, "resets", "count", { "comm", "service", "@peer", "direction" } },
	{ M_TCP_CONN, "connect", "count", { "comm", "service", "@peer" } },
	{ M_TCP_CONN_FAIL, "connect", "failed", { "comm", "service", "@peer" } },
	{ M_KLOCK_N, "kernel", "count", { "symbol", "type" } },
	{ M_KLOCK_NS, "kernel", "total_ns", { "symbol", "type" } },
	{ M_ULOCK_N, "user", "count", { "comm", "service", "kind" } },
	{ M_ULOCK_NS, "user", "total_ns", { "comm", "service", "kind" } },
	{ M_POOL_STATE_NS, "pools", "oncpu_ns", { "comm", "service", "pool", "state=oncpu" } },
	{ M_POOL_STATE_NS, "pools", "runq_ns", { "comm", "service", "pool", "state=runq" } },
	{ M_POOL_STATE_NS, "pools", "lock_ns", { "comm", "service", "pool", "state=lock" } },
	{ M_POOL_STATE_NS, "pools", "io_ns", { "comm", "service", "pool", "state=io" } },
	{ M_POOL_STATE_NS, "pools", "idle_ns", { "comm", "service", "pool", "state=idle" } },
	{ M_PEER_CALLS, "peers", "calls", { "comm", "service", "peer" } },
	{ M_PEER_NS, "peers", "wait_ns", { "comm", "service", "peer" } },
};

/* The labels of row for src, as labels() takes them. */
static void source_labels(char *lab, const struct snap_section *sec, const void *row,
			  const struct prom_source *src)
{
	char peer[SNAP_ADDR_LEN + 16], fixed[5][2][24];
	const char *kv[2 * 5 + 1];
	size_t n = 0;

	for (int i = 0; i < 5 && src->labels[i]; i++) {
		const char *l = src->labels[i], *eq = strchr(l, '=');
		const struct snap_field *f;

		if (!strcmp(l, "@peer")) {
			const struct snap_field *a = snap_field_find(sec, "daddr");
			const struct snap_field *port = snap_field_find(sec, "dport");

			peer_of(peer, sizeof(peer), (const char *)row + a->off,
				(__u16)snap_field_u64(port, row));
			kv[n++] = "peer";
			kv[n++] = peer;
		} else if (eq) {
			snprintf(fixed[i][0], sizeof(fixed[i][0]), "%.*s", (int)(eq - l), l);
			snprintf(fixed[i][1], sizeof(fixed[i][1]), "%s", eq + 1);
			kv[n++] = fixed[i][0];
			kv[n++] = fixed[i][1];
		} else if ((f = snap_field_find(sec, l)) && f->type == SFT_STR) {
			kv[n++] = l;
			kv[n++] = (const char *)row + f->off;
		}
	}
	kv[n] = NULL;
	labels(lab, kv);
}

static int accumulate(struct prom_render *p, const struct snapshot *s)
{
	char lab[LABELS_LEN];
	__u64 ts = s->ts_ns;
	int err = 0;

#define L(...) labels(lab, (const char *const[]){ __VA_ARGS__, NULL })
	for (size_t i = 0; i < s->syscalls.len && !err; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		L("comm", r->comm, "service", r->service, "syscall", r->syscall);
		err = add_hist(p, M_SYS_HIST, lab, ts, r->hist, r->count, r->total_ns);
	}
	/* by the listener's port, not its pid: a restarted server keeps its
	 * series */
	for (size_t i = 0; i < s->requests.len && !err; i++) {
		const struct snap_request *r = vec_at(&s->requests, struct snap_request, i);
		char port[8];

		if (!r->requests)
			continue;	/* a row of requests open only */
		snprintf(port, sizeof(port), "%u", r->port);
		L("comm", r->comm, "service", r->service, "port", port);
		err = add_hist(p, M_REQ_HIST, lab, ts, r->hist, r->requests, r->total_ns);
		if (!err)
			err = add(p, M_REQ_N, lab, ts, r->requests);
		if (!err)
			err = add(p, M_REQ_NA, lab, ts, r->not_attributable);
		const __u64 why[4] = { r->why_oncpu_ns, r->why_runq_ns, r->why_lock_ns, r->why_io_ns };
		static const char *const state[4] = { "oncpu", "runq", "lock", "io" };

		for (int k = 0; k < 4 && !err && r->why_requests; k++) {
			L("comm", r->comm, "service", r->service, "port", port, "state", state[k]);
			err = add(p, M_REQ_STATE_NS, lab, ts, why[k]);
		}
		for (size_t k = 0; k < r->roundtrips.len && !err; k++) {
			const struct snap_request_rt *rt =
				vec_at(&r->roundtrips, struct snap_request_rt, k);

			L("comm", r->comm, "service", r->service, "port", port, "peer", rt->peer);
			err = add(p, M_REQ_RT, lab, ts, rt->roundtrips);
		}
	}
	for (size_t i = 0; i < s->listeners.len && !err; i++) {
		const struct snap_listener *r = vec_at(&s->listeners, struct snap_listener, i);
		char port[8];

		snprintf(port, sizeof(port), "%u", r->port);
		L("comm", r->comm, "service", r->service, "port", port);
		if (r->waits)
			err = add_hist(p, M_AQ_HIST, lab, ts, r->hist, r->waits, r->total_ns);
		if (!err)
			err = add(p, M_AQ_FULL, lab, ts, r->full);
	}
	for (size_t k = 0; k < sizeof(sources) / sizeof(sources[0]) && !err; k++) {
		const struct snap_section *sec = snap_section_named(sources[k].list);
		const struct snap_field *f = sec ? snap_field_find(sec, sources[k].value) : NULL;
		const struct vec *v = sec ? snap_section_vec(s, sec) : NULL;

		for (size_t i = 0; f && i < v->len && !err; i++) {
			const void *row = (const char *)v->data + i * v->elem;

			source_labels(lab, sec, row, &sources[k]);
			err = add(p, sources[k].m, lab, ts, snap_field_u64(f, row));
		}
	}
	/* a pool's io time per peer: rows of rows */
	for (size_t i = 0; i < s->pools.len && !err; i++) {
		const struct snap_pool *r = vec_at(&s->pools, struct snap_pool, i);

		for (size_t j = 0; j < r->blocked_on.len && !err; j++) {
			const struct snap_pool_blocked *b =
				vec_at(&r->blocked_on, struct snap_pool_blocked, j);

			L("comm", r->comm, "service", r->service, "pool", r->pool, "peer", b->peer);
			err = add(p, M_POOL_BLOCKED_NS, lab, ts, b->io_ns);
		}
	}
#undef L
	p->dropped_events += s->dropped.events;
	p->dropped_map_full += s->dropped.map_full;
	p->listen_overflows += s->listen.overflows;
	p->listen_drops += s->listen.drops;
	return err;
}

/* Drops the series not seen for PROM_EXPIRE_NS. */
static void expire(struct prom_render *p, __u64 now)
{
	for (int m = 0; m < M_NR; m++) {
		struct hm_entry *it = NULL;
		size_t b = 0, n = 0, k = 0;
		unsigned char (*old)[LABELS_LEN];

		while ((it = hashmap_next(p->series[m], it, &b)))
			n += ((struct series *)it->value)->seen_ts + PROM_EXPIRE_NS < now;
		if (!n || !(old = malloc(n * LABELS_LEN)))
			continue;
		b = 0;
		while ((it = hashmap_next(p->series[m], it, &b)))
			if (((struct series *)it->value)->seen_ts + PROM_EXPIRE_NS < now && k < n)
				memcpy(old[k++], it->key, LABELS_LEN);
		for (size_t i = 0; i < k; i++)
			free(hashmap_del(p->series[m], old[i]));
		free(old);
	}
}

static void print_seconds(FILE *f, __u64 ns)
{
	fprintf(f, "%llu.%09llu\n", (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL));
}

/* # HELP and # TYPE of a metric family. OpenMetrics names a counter's
 * family without the _total its samples carry. */
static void family_head(FILE *f, bool om, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);

	if (om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

static void write_family(FILE *f, struct prom_render *p, enum metric m, bool om)
{
	struct hm_entry *it = NULL;
	size_t b = 0;

	if (!p->series[m]->len)
		return;
	family_head(f, om, metrics[m].name, metrics[m].hist ? "histogram" : "counter",
		    metrics[m].help);
	while ((it = hashmap_next(p->series[m], it, &b))) {
		const struct series *x = it->value;
		const char *lab = (const char *)it->key;

		if (metrics[m].hist) {
			__u64 cum = 0;

			/* from the bound under the lowest bucket used (a zero), so
			 * histogram_quantile() knows that bucket's lower edge */
			for (__u32 i = x->lo && x->lo < p->nle ? x->lo - 1 : x->lo; i < p->nle; i++) {
				cum += x->v[i];
				fprintf(f, "%s_bucket{%s,le=\"", metrics[m].name, lab);
				fprintf(f, "%.15g\"} %llu\n", (double)le_ns(p, i) / 1e9,
					(unsigned long long)cum);
			}
			fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", metrics[m].name, lab,
				(unsigned long long)x->v[p->nle + 1]);
			fprintf(f, "%s_sum{%s} ", metrics[m].name, lab);
			print_seconds(f, x->v[p->nle + 2]);
			fprintf(f, "%s_count{%s} %llu\n", metrics[m].name, lab,
				(unsigned long long)x->v[p->nle + 1]);
		} else if (metrics[m].seconds) {
			fprintf(f, "%s{%s} ", metrics[m].name, lab);
			print_seconds(f, x->v[0]);
		} else {
			fprintf(f, "%s{%s} %llu\n", metrics[m].name, lab, (unsigned long long)x->v[0]);
		}
	}
}

void prom_render_build_info(FILE *f, bool om)
{
	family_head(f, om, "latscope_build_info", "gauge", "latscope's version, as a label.");
	fprintf(f, "latscope_build_info{version=\"%s\"} 1\n", LATSCOPE_VERSION);
}

static void write_gauges(FILE *f, struct prom_render *p, const struct snapshot *s, bool om)
{
	char pid[16], tid[16], c[200], pool[200], sc[200], svc[200];

	prom_render_build_info(f, om);
	family_head(f, om, "latscope_up", "gauge",
		    "Whether a probe family is running (1) or not (0).");
	for (int i = 0; i < FAM_NR; i++)
		fprintf(f, "latscope_up{family=\"%s\"} %d\n", family_names[i],
			!strcmp(s->probes[i], "on"));
	family_head(f, om, "latscope_snapshot_timestamp_seconds", "gauge",
		    "End of the last interval written.");
	fprintf(f, "latscope_snapshot_timestamp_seconds ");
	print_seconds(f, s->ts_ns);
	family_head(f, om, "latscope_dropped_events_total", "counter",
		    "Events the kernel side could not record.");
	fprintf(f, "latscope_dropped_events_total %llu\n", (unsigned long long)p->dropped_events);
	family_head(f, om, "latscope_dropped_map_full_total", "counter",
		    "Events lost to full BPF maps.");
	fprintf(f, "latscope_dropped_map_full_total %llu\n", (unsigned long long)p->dropped_map_full);
	family_head(f, om, "latscope_listen_overflows_total", "counter",
		    "Connections refused by a full accept queue (the host's ListenOverflows, while traced).");
	fprintf(f, "latscope_listen_overflows_total %llu\n", (unsigned long long)p->listen_overflows);
	family_head(f, om, "latscope_listen_drops_total", "counter",
		    "Connection attempts listeners dropped (the host's ListenDrops, while traced).");
	fprintf(f, "latscope_listen_drops_total %llu\n", (unsigned long long)p->listen_drops);
	family_head(f, om, "latscope_prom_series_dropped_total", "counter",
		    "Series not written: over the limit per metric.");
	fprintf(f, "latscope_prom_series_dropped_total %llu\n", (unsigned long long)p->series_dropped);
	if (s->pools.len) {
		static const char *const g[3][2] = {
			{ "latscope_pool_threads", "Worker threads of a pool." },
			{ "latscope_pool_busy_ratio", "Share of worker-time not idle, last interval." },
			{ "latscope_pool_saturated_ratio",
			  "Share of the last interval with no idle worker." },
		};

		for (int k = 0; k < 3; k++) {
			family_head(f, om, g[k][0], "gauge", g[k][1]);
			for (size_t i = 0; i < s->pools.len; i++) {
				const struct snap_pool *r = vec_at(&s->pools, struct snap_pool, i);
				double v = k == 0 ? r->threads : k == 1 ? r->busy_pct / 100 :
								 r->saturated_pct / 100;

				esc(c, sizeof(c), r->comm);
				esc(svc, sizeof(svc), r->service);
				esc(pool, sizeof(pool), r->pool);
				fprintf(f, "%s{pid=\"%u\",comm=\"%s\",service=\"%s\",pool=\"%s\"} %.6g\n",
					g[k][0], r->pid, c, svc, pool, v);
			}
		}
	}
	if (s->inflight.len) {
		family_head(f, om, "latscope_inflight_seconds", "gauge",
			    "How long a thread has been blocked in a call that has not returned.");
		for (size_t i = 0; i < s->inflight.len; i++) {
			const struct snap_inflight *r = vec_at(&s->inflight, struct snap_inflight, i);

			snprintf(pid, sizeof(pid), "%u", r->pid);
			snprintf(tid, sizeof(tid), "%u", r->tid);
			esc(c, sizeof(c), r->comm);
			esc(svc, sizeof(svc), r->service);
			esc(sc, sizeof(sc), r->syscall);
			fprintf(f, "latscope_inflight_seconds{pid=\"%s\",tid=\"%s\",comm=\"%s\",service=\"%s\",syscall=\"%s\"} ",
				pid, tid, c, svc, sc);
			print_seconds(f, r->elapsed_ns);
		}
	}
}

int prom_render_update(struct prom_render *p, const struct snapshot *s)
{
	int err = accumulate(p, s);

	if (!err)
		expire(p, s->ts_ns);
	return err;
}

void prom_render_write(struct prom_render *p, const struct snapshot *s, FILE *f, bool om)
{
	write_gauges(f, p, s, om);
	for (int m = 0; m < M_NR; m++)
		write_family(f, p, m, om);
}

void prom_render_free(struct prom_render *p)
{
	if (!p)
		return;
	for (int m = 0; m < M_NR; m++)
		if (p->series[m])
			hashmap_free(p->series[m], free);
	free(p);
}

struct prom_render *prom_render_new(unsigned per_pow2)
{
	struct prom_render *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (!per_pow2 || per_pow2 > HIST_SUB || HIST_SUB % per_pow2)
		per_pow2 = PROM_BUCKETS_DEFAULT;
	p->step = HIST_SUB / per_pow2;
	p->nle = (PB_LAST - PB_FIRST) / p->step + 1;
	for (int m = 0; m < M_NR; m++)
		if (!(p->series[m] = hashmap_new(LABELS_LEN))) {
			prom_render_free(p);
			return NULL;
		}
	return p;
}

/* --- the textfile sink ----------------------------------------------------- */

struct prom_file {
	char *path;
	struct prom_render *r;
};

static int prom_write(struct sink *k, const struct snapshot *s)
{
	struct prom_file *p = k->priv;
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err;

	if ((err = prom_render_update(p->r, s)))
		return err;
	/* the temporary name must not end in .prom: the collector would read it */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", p->path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0640);
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	prom_render_write(p->r, s, f, false);
	if (fflush(f) || ferror(f)) {
		err = -errno;
		fclose(f);
		unlink(tmp);
		return err ? err : -EIO;
	}
	fclose(f);
	if (rename(tmp, p->path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

static void prom_close(struct sink *k)
{
	struct prom_file *p = k->priv;

	prom_render_free(p->r);
	free(p->path);
	free(p);
	free(k);
}

/* path's directory writable by us and by nobody who could swap the file:
 * an error now, not an interval later. 0 or an errno. */
static int check_dir(const char *path)
{
	char tmp[PATH_MAX];
	int fd;

	if (safefile_dir_ok(path))
		return errno;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	unlink(tmp);
	return 0;
}

struct sink *sink_prom_new(const char *path, unsigned buckets)
{
	struct sink *k = calloc(1, sizeof(*k));
	struct prom_file *p = calloc(1, sizeof(*p));
	int e;

	if (!k || !p || !(p->path = strdup(path)) || !(p->r = prom_render_new(buckets))) {
		e = ENOMEM;
		goto fail;
	}
	if ((e = check_dir(path)))
		goto fail;
	k->name = "prometheus";
	k->input_fd = -1;
	k->write = prom_write;
	k->close = prom_close;
	k->priv = p;
	return k;
fail:
	if (p) {
		prom_render_free(p->r);
		free(p->path);
	}
	free(p);
	free(k);
	errno = e;
	return NULL;
}
