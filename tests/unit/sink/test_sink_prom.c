/* The Prometheus sink over a snapshot with every family: counters run on
 * from one interval to the next, label values are escaped, the per-process
 * metrics carry the service (and no pid: the series stay bounded), a label
 * set too long for the series key loses a label rather than its syntax,
 * the file is replaced whole, and promtool (when installed) accepts it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "sink/sink.h"
#include "snapshot_fixture.h"

static char dir[] = "/tmp/latscope-prom-XXXXXX";
static char path[128];

static char *slurp(void)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The value of the first sample line starting with prefix. */
static double sample(const char *text, const char *prefix)
{
	const char *p = text;

	while ((p = strstr(p, prefix))) {
		if (p == text || p[-1] == '\n') {
			char *line = strndup(p, strcspn(p, "\n"));
			double v;

			assert_non_null(line);
			v = strtod(strrchr(line, ' ') + 1, NULL);
			free(line);
			return v;
		}
		p++;
	}
	fail_msg("no sample %s", prefix);
	return 0;
}

/* The fixture's processes in services: nginx (4242) in one with a quote
 * in its name, apache2 (300) in another, the rest in none (""). */
static void with_services(struct snapshot *s)
{
	strcpy(vec_at(&s->syscalls, struct snap_syscall, 0)->service, "we\"b.service");
	strcpy(vec_at(&s->inflight, struct snap_inflight, 0)->service, "we\"b.service");
	strcpy(vec_at(&s->pools, struct snap_pool, 0)->service, "apache2.service");
	strcpy(vec_at(&s->peers, struct snap_peer, 0)->service, "apache2.service");
}

static void test_every_family(void **state)
{
	struct snapshot *s = full_snapshot();
	struct sink *k;
	struct stat st;
	char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/latscope.prom", dir);
	k = sink_prom_new(path, 8);
	assert_non_null(k);
	with_services(s);
	assert_int_equal(k->write(k, s), 0);
	s->ts_ns += 1000000000ULL;
	assert_int_equal(k->write(k, s), 0);	/* a second interval, the same rows */
	text = slurp();

	/* counters add up over both intervals */
	assert_true(sample(text, "latscope_syscall_duration_seconds_count{comm=\"ngi\\\"nx\\\\?\",service=\"we\\\"b.service\",syscall=\"read\"}") == 2 * 1200);
	assert_true(sample(text, "latscope_syscall_errors_total{comm=\"ngi\\\"nx\\\\?\",service=\"we\\\"b.service\",syscall=\"read\"}") == 6);
	assert_true(sample(text, "latscope_tcp_retransmits_total{comm=\"psql\",service=\"\",peer=\"10.0.0.2:5432\"}") == 14);
	assert_true(sample(text, "latscope_tcp_resets_total{comm=\"curl\",service=\"\",peer=\"[fe80::1]:2\",direction=\"received\"}") == 2);
	assert_true(sample(text, "latscope_tcp_connect_failures_total{comm=\"curl\",service=\"\",peer=\"192.0.2.1:443\"}") == 4);
	assert_true(sample(text, "latscope_kernel_lock_waits_total{symbol=\"rtnl_mutex\",type=\"mutex\"}") == 22);
	assert_true(sample(text, "latscope_user_lock_wait_seconds_total{comm=\"postgres\",service=\"\",kind=\"semaphore\"}") == 44e-9);
	assert_true(sample(text, "latscope_pool_state_seconds_total{comm=\"apache2\",service=\"apache2.service\",pool=\"apache2\",state=\"io\"}") == 8e-9);
	assert_true(sample(text, "latscope_pool_blocked_on_io_seconds_total{comm=\"apache2\",service=\"apache2.service\",pool=\"apache2\",peer=\"tcp:10.0.0.5:5432\"}") == 888e-9);
	assert_true(sample(text, "latscope_pool_saturated_ratio{pid=\"300\",comm=\"apache2\",service=\"apache2.service\",pool=\"apache2\"}") == 0.123);
	assert_true(sample(text, "latscope_peer_calls_total{comm=\"apache2\",service=\"apache2.service\",peer=\"unix:@/tmp/x\"}") == 62);
	assert_true(sample(text, "latscope_inflight_seconds{pid=\"4242\",tid=\"4250\",comm=\"nginx\",service=\"we\\\"b.service\",syscall=\"read\"}") == 30);
	assert_true(sample(text, "latscope_requests_total{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 82);
	assert_true(sample(text, "latscope_request_duration_seconds_count{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 82);
	assert_true(sample(text, "latscope_request_duration_seconds_sum{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 84e-9);
	assert_non_null(strstr(text, "# TYPE latscope_request_duration_seconds histogram\n"));
	assert_true(sample(text, "latscope_up{family=\"pools\"}") == 0);
	assert_true(sample(text, "latscope_dropped_map_full_total") == 14);
	assert_true(sample(text, "latscope_accept_queue_wait_seconds_count{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 120);
	assert_true(sample(text, "latscope_accept_queue_wait_seconds_sum{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 124e-9);
	assert_true(sample(text, "latscope_accept_queue_full_total{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 134);
	assert_true(sample(text, "latscope_listen_overflows_total") == 136);
	assert_true(sample(text, "latscope_request_state_seconds_total{comm=\"apache2\",service=\"apache2.service\",port=\"443\",state=\"lock\"}") == 116e-9);
	assert_true(sample(text, "latscope_request_roundtrips_total{comm=\"apache2\",service=\"apache2.service\",port=\"443\",peer=\"tcp:10.0.0.5:5432\"}") == 142);
	assert_true(sample(text, "latscope_requests_not_attributable_total{comm=\"apache2\",service=\"apache2.service\",port=\"443\"}") == 110);
	assert_true(sample(text, "latscope_listen_drops_total") == 138);
	/* +Inf holds every call, the histogram's _count too */
	assert_non_null(strstr(text, "syscall=\"read\",le=\"+Inf\"} 2400\n"));
	/* 0640, and no temporary file left */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	if (system("command -v promtool > /dev/null") == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(text, 256, "ls %s | grep -c tmp > /dev/null", dir);
	assert_int_not_equal(system(text), 0);
	free(text);
	sink_close(k);
	snapshot_free(s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static struct snap_syscall *syscall_row(struct snapshot *s, __u32 pid, const char *service,
					 __u64 count)
{
	struct snap_syscall *r = vec_push(&s->syscalls);

	r->pid = pid;
	r->count = count;
	strcpy(r->comm, "java");
	strcpy(r->syscall, "read");
	snprintf(r->service, sizeof(r->service), "%s", service);
	return r;
}

static void render(struct snapshot *s, char **text)
{
	struct sink *k;

	assert_non_null(mkdtemp(strcpy(dir, "/tmp/latscope-prom-XXXXXX")));
	snprintf(path, sizeof(path), "%s/latscope.prom", dir);
	k = sink_prom_new(path, 8);
	assert_non_null(k);
	assert_int_equal(k->write(k, s), 0);
	*text = slurp();
	sink_close(k);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static int count_of(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* Processes of one name in one service are one series, whatever their
 * pids; another service is another series. */
static void test_series_per_service_not_pid(void **state)
{
	struct snapshot *s = snapshot_new();
	char *text;

	s->ts_ns = 1700000000ULL * 1000000000ULL;
	for (__u32 pid = 1000; pid < 1100; pid++)
		syscall_row(s, pid, "web.service", 2);
	syscall_row(s, 5000, "docker:web", 7);
	render(s, &text);
	assert_true(sample(text, "latscope_syscall_duration_seconds_count{comm=\"java\",service=\"web.service\",syscall=\"read\"}") == 200);
	assert_true(sample(text, "latscope_syscall_duration_seconds_count{comm=\"java\",service=\"docker:web\",syscall=\"read\"}") == 7);
	assert_int_equal(count_of(text, "latscope_syscall_duration_seconds_count{"), 2);
	assert_null(strstr(text, "pid=\"1000\""));
	free(text);
	snapshot_free(s);
}

/* Whether a sample line's label set parses: name="value" pairs, values
 * with \\ \" \n escapes only, between { and }. */
static bool labels_parse(const char *line)
{
	const char *p = strchr(line, '{');

	if (!p)
		return false;
	for (p++; *p != '}'; p++) {
		while (*p == '_' || (*p >= 'a' && *p <= 'z'))
			p++;
		if (*p++ != '=' || *p++ != '"')
			return false;
		for (; *p != '"'; p++) {
			if (!*p || *p == '\n')
				return false;
			if (*p == '\\' && !strchr("\\\"n", *++p))
				return false;
		}
		if (p[1] != ',' && p[1] != '}')
			return false;
		p += p[1] == ',';
	}
	return p[1] == ' ';
}

/* Values of hostile length and quotes: a label set that cannot be a
 * series key whole loses the labels that do not fit, never its syntax. */
static void test_overlong_labels_stay_whole(void **state)
{
	struct snapshot *s = snapshot_new();
	struct snap_pool *pl = vec_push(&s->pools);
	struct snap_pool_blocked *b;
	char *text, *line;

	s->ts_ns = 1700000000ULL * 1000000000ULL;
	vec_init(&pl->blocked_on, sizeof(struct snap_pool_blocked));
	vec_init(&pl->others, sizeof(struct snap_pool_other));
	vec_init(&pl->thread_list, sizeof(struct snap_pool_thread));
	strcpy(pl->comm, "apache2");
	memset(pl->service, '"', sizeof(pl->service) - 1);
	memset(pl->pool, '\\', sizeof(pl->pool) - 1);
	pl->io_ns = 5;
	b = vec_push(&pl->blocked_on);
	memset(b->peer, '"', sizeof(b->peer) - 1);
	b->io_ns = 7;
	render(s, &text);
	line = strstr(text, "\nlatscope_pool_blocked_on_io_seconds_total{");
	assert_non_null(line);
	line = strndup(line + 1, strcspn(line + 1, "\n"));
	assert_true(labels_parse(line));
	assert_non_null(strstr(line, "comm=\"apache2\""));
	free(line);
	line = strstr(text, "\nlatscope_pool_state_seconds_total{");
	assert_non_null(line);
	line = strndup(line + 1, strcspn(line + 1, "\n"));
	assert_true(labels_parse(line));
	free(line);
	free(text);
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_family),
		cmocka_unit_test(test_series_per_service_not_pid),
		cmocka_unit_test(test_overlong_labels_stay_whole),
	};

	return cmocka_run_group_tests_name("sink_prom", tests, NULL, NULL);
}
