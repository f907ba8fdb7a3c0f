/* The Prometheus sink over a snapshot with every family: counters run on
 * from one interval to the next, label values are escaped, the file is
 * replaced whole, and promtool (when installed) accepts it. */
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
	assert_int_equal(k->write(k, s), 0);
	s->ts_ns += 1000000000ULL;
	assert_int_equal(k->write(k, s), 0);	/* a second interval, the same rows */
	text = slurp();

	/* counters add up over both intervals */
	assert_true(sample(text, "latscope_syscall_duration_seconds_count{comm=\"ngi\\\"nx\\\\?\",syscall=\"read\"}") == 2 * 1200);
	assert_true(sample(text, "latscope_syscall_errors_total{comm=\"ngi\\\"nx\\\\?\",syscall=\"read\"}") == 6);
	assert_true(sample(text, "latscope_tcp_retransmits_total{comm=\"psql\",peer=\"10.0.0.2:5432\"}") == 14);
	assert_true(sample(text, "latscope_tcp_resets_total{comm=\"curl\",peer=\"[fe80::1]:2\",direction=\"received\"}") == 2);
	assert_true(sample(text, "latscope_tcp_connect_failures_total{comm=\"curl\",peer=\"192.0.2.1:443\"}") == 4);
	assert_true(sample(text, "latscope_kernel_lock_waits_total{symbol=\"rtnl_mutex\",type=\"mutex\"}") == 22);
	assert_true(sample(text, "latscope_user_lock_wait_seconds_total{comm=\"postgres\",kind=\"semaphore\"}") == 44e-9);
	assert_true(sample(text, "latscope_pool_state_seconds_total{comm=\"apache2\",pool=\"apache2\",state=\"io\"}") == 8e-9);
	assert_true(sample(text, "latscope_pool_saturated_ratio{pid=\"300\",comm=\"apache2\",pool=\"apache2\"}") == 0.123);
	assert_true(sample(text, "latscope_peer_calls_total{comm=\"apache2\",peer=\"unix:@/tmp/x\"}") == 62);
	assert_true(sample(text, "latscope_inflight_seconds{pid=\"4242\",tid=\"4250\",comm=\"nginx\",syscall=\"read\"}") == 30);
	assert_true(sample(text, "latscope_requests_total{comm=\"apache2\",port=\"443\"}") == 82);
	assert_true(sample(text, "latscope_request_duration_seconds_count{comm=\"apache2\",port=\"443\"}") == 82);
	assert_true(sample(text, "latscope_request_duration_seconds_sum{comm=\"apache2\",port=\"443\"}") == 84e-9);
	assert_non_null(strstr(text, "# TYPE latscope_request_duration_seconds histogram\n"));
	assert_true(sample(text, "latscope_up{family=\"pools\"}") == 0);
	assert_true(sample(text, "latscope_dropped_map_full_total") == 14);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_family),
	};

	return cmocka_run_group_tests_name("sink_prom", tests, NULL, NULL);
}
