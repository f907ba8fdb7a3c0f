/* The replay reader is the exact inverse of render_json for every section
 * of schema latscope/1, tolerates what a newer latscope may add, and turns
 * hostile input into an error or a valid snapshot, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "snapshot/histo.h"
#include "lib/json_writer.h"
#include "snapshot/write_json.h"
#include "snapshot/read_json.h"

#include "snapshot_fixture.h"

static char *render(const struct snapshot *s)
{
	struct jw w;
	char *out;

	jw_init(&w);
	render_json(s, &w);
	assert_false(w.oom);
	out = strdup(w.buf);
	jw_free(&w);
	return out;
}

static struct snapshot *read_ok(const char *json)
{
	char err[200] = "";
	struct snapshot *s = snapshot_read_json(json, strlen(json), err, sizeof(err));

	if (!s)
		fail_msg("did not read: %s", err);
	return s;
}

/* render -> read -> render is the identity, for every section. */
static void test_roundtrip_every_section(void **state)
{
	struct snapshot *s = full_snapshot(), *back;
	char *a = render(s), *b;

	back = read_ok(a);
	b = render(back);
	assert_string_equal(a, b);
	/* the containers a newer reader must find were written */
	for (const char *k = "\"thread_list\""; k; k = NULL)
		assert_non_null(strstr(a, k));
	assert_non_null(strstr(a, "\"stack\":[\"pthread_mutex_lock\""));
	/* and the values came back, not just the shape */
	struct snap_syscall *sc = vec_at(&back->syscalls, struct snap_syscall, 0);
	assert_int_equal(sc->count, 1200);
	assert_string_equal(sc->comm, "ngi\"nx\\\t");
	assert_memory_equal(sc->hist, vec_at(&s->syscalls, struct snap_syscall, 0)->hist,
			    HIST_NBUCKETS * sizeof(__u64));
	assert_null(vec_at(&back->tcp_connect, struct snap_tcp_connect, 1)->hist);
	assert_int_equal(vec_at(&back->pools, struct snap_pool, 0)->others.len, 2);
	struct snap_request *rq = vec_at(&back->requests, struct snap_request, 0);
	assert_int_equal(rq->requests, 41);
	assert_int_equal(rq->inflight, 54);
	assert_int_equal(rq->clients.len, 1);
	assert_string_equal(vec_at(&rq->clients, struct snap_request_client, 0)->client,
			    "2001:db8::5");
	assert_int_equal(vec_at(&back->inflight_requests, struct snap_inflight_request, 0)->tid, 305);
	struct snap_listener *li = vec_at(&back->listeners, struct snap_listener, 0);
	assert_int_equal(rq->why_lock_ns, 58);
	assert_int_equal(rq->roundtrips.len, 1);
	assert_int_equal(vec_at(&rq->roundtrips, struct snap_request_rt, 0)->p99, 5);
	assert_string_equal(vec_at(&rq->roundtrips, struct snap_request_rt, 0)->peer,
			    "tcp:10.0.0.5:5432");
	assert_int_equal(li->waits, 60);
	assert_int_equal(li->backlog, 511);
	assert_int_equal(li->full, 67);
	assert_non_null(li->hist);
	assert_int_equal(back->listen.overflows, 68);
	assert_int_equal(back->listen.drops, 69);
	assert_string_equal(back->probes[FAM_POOLS], "unavailable: no BTF for \"sched\"");
	free(a);
	free(b);
	snapshot_free(s);
	snapshot_free(back);
}

/* Every bucket's written upper bound reads back into the same bucket,
 * including the open last one (written as INT64_MAX). */
static void test_every_bucket_roundtrips(void **state)
{
	struct snapshot *s = snapshot_new(), *back;
	struct snap_syscall *sc = vec_push(&s->syscalls);
	char *a;

	sc->hist = calloc(HIST_NBUCKETS, sizeof(__u64));
	for (__u32 i = 0; i < HIST_NBUCKETS; i++)
		sc->hist[i] = i + 1;
	a = render(s);
	assert_non_null(strstr(a, "[9223372036854775807,"));
	back = read_ok(a);
	assert_memory_equal(vec_at(&back->syscalls, struct snap_syscall, 0)->hist, sc->hist,
			    HIST_NBUCKETS * sizeof(__u64));
	free(a);
	snapshot_free(s);
	snapshot_free(back);
}

/* Keys a newer latscope (or another family's branch) adds are skipped. */
static void test_unknown_fields_tolerated(void **state)
{
	const char *j =
		"{\"schema\":\"latscope/1\",\"ts_ns\":5,\"future\":{\"x\":[1,2,{}]},"
		"\"syscalls\":[{\"pid\":1,\"count\":2,\"new_pct\":1.5,\"hist\":[[10,2]],\"tags\":[\"a\"]}],"
		"\"tcp\":{\"retransmits\":[{\"count\":3,\"rtt_ns\":9}],\"new_list\":[1]},"
		"\"pools\":[{\"pool\":\"w\",\"threads\":2,\"queue\":{\"depth\":3}}],"
		"\"dropped\":{\"events\":1,\"ringbuf\":4}}";
	struct snapshot *s = read_ok(j);

	assert_int_equal(s->ts_ns, 5);
	assert_int_equal(s->syscalls.len, 1);
	assert_int_equal(vec_at(&s->syscalls, struct snap_syscall, 0)->count, 2);
	assert_int_equal(vec_at(&s->syscalls, struct snap_syscall, 0)->hist[10], 2);
	assert_int_equal(vec_at(&s->tcp_retrans, struct snap_tcp_retrans, 0)->count, 3);
	assert_int_equal(vec_at(&s->pools, struct snap_pool, 0)->threads, 2);
	assert_int_equal(s->dropped.events, 1);
	snapshot_free(s);
}

/* Wrong types, negative and huge numbers, long strings: a valid snapshot
 * with what could be read, every histogram index in range. */
static void test_hostile_values(void **state)
{
	char big[2000];
	char j[8000];
	struct snapshot *s;

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	snprintf(j, sizeof(j),
		 "{\"schema\":\"latscope/1\",\"ts_ns\":1,\"host\":\"%s\",\"syscalls\":["
		 "{\"pid\":-5,\"comm\":\"%s\",\"count\":\"many\",\"nr\":1e300,"
		 "\"hist\":[[-1,1],[9223372036854775807,2],[1.5e30,3],[5],\"x\",[1,-4],[2,1e40]]},"
		 "7,null],\"tcp\":[],\"locks\":{\"kernel\":[{\"stack\":[1,\"f\",null]}]},"
		 "\"pools\":[{\"blocked_on\":{\"a\":1},\"others\":[1,{\"tid\":2}]}],\"peers\":{}}",
		 big, big);
	s = read_ok(j);
	struct snap_syscall *sc = vec_at(&s->syscalls, struct snap_syscall, 0);
	assert_int_equal(s->syscalls.len, 1);
	assert_int_equal(sc->pid, 0);
	assert_int_equal(sc->nr, UINT32_MAX);
	assert_int_equal(strlen(sc->comm), SNAP_COMM_LEN - 1);
	/* a long name cut between characters, not inside one */
	{
		char u[300] = "", e[400];
		struct snapshot *t;

		for (int i = 0; i < 40; i++)
			strcat(u, "\xc3\xa9");	/* é */
		snprintf(e, sizeof(e), "{\"schema\":\"latscope/1\",\"ts_ns\":1,\"host\":\"%s\"}", u);
		t = read_ok(e);
		assert_int_equal(strlen(t->host), 80);
		snprintf(e, sizeof(e), "{\"schema\":\"latscope/1\",\"ts_ns\":1,\"inflight\":[{\"comm\":\"%s\"}]}", u);
		snapshot_free(t);
		t = read_ok(e);
		assert_int_equal(strlen(vec_at(&t->inflight, struct snap_inflight, 0)->comm), 62);
		snapshot_free(t);
	}
	assert_int_equal(strlen(s->host), sizeof(s->host) - 1);
	assert_int_equal(sc->hist[0], 1);
	assert_int_equal(sc->hist[HIST_NBUCKETS - 1], 2 + 3);
	assert_int_equal(sc->hist[2], INT64_MAX);	/* 1e40 saturates */
	struct snap_kernel_lock *kl = vec_at(&s->kernel_locks, struct snap_kernel_lock, 0);
	assert_int_equal(kl->nstack, 1);
	assert_string_equal(kl->stack[0], "f");
	assert_int_equal(vec_at(&s->pools, struct snap_pool, 0)->others.len, 1);
	snapshot_free(s);
}

static void test_not_a_snapshot(void **state)
{
	const char *bad[] = {
		"", "garbage", "[]", "{}", "{\"schema\":\"latscope/1\"}",
		"{\"schema\":\"other/1\",\"ts_ns\":1}", "{\"schema\":1,\"ts_ns\":1}",
		"{\"schema\":\"latscope/2\",\"ts_ns\":1}", "{\"schema\":\"latscope/1\",\"ts_ns\":1",
		"{\"schema\":\"latscope/1\",\"ts_ns\":1,\"ts_ns\":2}", "\"latscope/1\"",
	};
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		struct snapshot *s = snapshot_read_json(bad[i], strlen(bad[i]), err, sizeof(err));

		if (s)
			fail_msg("read '%s'", bad[i]);
		assert_true(strlen(err) > 5);
		assert_null(strchr(err, '\n'));
	}
	snapshot_read_json("{\"schema\":\"latscope/2\",\"ts_ns\":1}", 33, err, sizeof(err));
	assert_non_null(strstr(err, "latscope/2"));
}

/* jw_double of huge values stays inside its buffer and valid JSON. */
static void test_double_overflow(void **state)
{
	double v[] = { 1e300, -1e300, 1e15, 123456789012345.6, 0.05, 1.0 / 0.0 };
	struct jw w;
	json_error_t err;

	jw_init(&w);
	jw_arr_begin(&w);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		jw_double(&w, v[i], 1);
	jw_arr_end(&w);
	json_t *j = json_loads(w.buf, 0, &err);
	if (!j)
		fail_msg("%s: %s", w.buf, err.text);
	assert_true(json_real_value(json_array_get(j, 0)) == 1e300);
	assert_true(json_real_value(json_array_get(j, 4)) == 0.1 ||
		    json_real_value(json_array_get(j, 4)) == 0.0);
	json_decref(j);
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_section),
		cmocka_unit_test(test_every_bucket_roundtrips),
		cmocka_unit_test(test_unknown_fields_tolerated),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_not_a_snapshot),
		cmocka_unit_test(test_double_overflow),
	};

	return cmocka_run_group_tests_name("snapshot_read", tests, NULL, NULL);
}
