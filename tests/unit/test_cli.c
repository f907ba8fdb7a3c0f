/* Command-line parsing: good values parse, every bad one is exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "options.h"

static int parse(struct options *o, const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "latscope", (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 1 + !!a1 + !!a2 + !!a3;

	return options_parse(o, argc, argv);
}

static void test_defaults(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, NULL, NULL, NULL), 0);
	assert_int_equal(o.interval_ns, 1000000000ULL);
	assert_int_equal(o.duration_ns, 0);
	assert_int_equal(o.top, 1000);
	assert_int_equal(o.prom_buckets, 8);
	assert_true(o.peers);
	for (int f = 0; f < FAM_NR; f++)
		assert_true(o.probes[f]);
}

static void test_good_values(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, "-i", "0.25", "--json"), 0);
	assert_int_equal(o.interval_ns, 250000000ULL);
	assert_int_equal(o.mode, OUT_JSON);
	assert_int_equal(parse(&o, "--pid=12,34", "--probes=syscalls,locks", NULL), 0);
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[1], 34);
	assert_true(o.probes[FAM_SYSCALLS] && o.probes[FAM_LOCKS]);
	assert_false(o.probes[FAM_TCP] || o.probes[FAM_POOLS]);
	assert_int_equal(parse(&o, "--probes", "syscalls", "--no-peers"), 0);
	assert_true(!o.peers && o.probes[FAM_SYSCALLS]);
	assert_int_equal(parse(&o, "--no-peers", "--peers", NULL), 0);
	assert_true(o.peers);
	assert_int_equal(parse(&o, "--peers=1", NULL, NULL), 2);
	assert_int_equal(parse(&o, "--prom-buckets", "4", NULL), 0);
	assert_int_equal(o.prom_buckets, 4);
	assert_int_equal(parse(&o, "replay", "rec.json.gz", "--json"), 0);
	assert_true(o.replay);
	assert_string_equal(o.replay_file, "rec.json.gz");
}

static void test_bad_values(void **state)
{
	const char *bad[][2] = {
		{ "--interval", "0" }, { "--interval", "-1" }, { "--interval", "abc" },
		{ "--interval", "nan" }, { "--interval", "inf" }, { "--interval", "" },
		{ "--duration", "0" }, { "--pid", "x" }, { "--pid", "0" }, { "--pid", "1,,x" },
		{ "--pid", "-5" }, { "--probes", "disk" }, { "--probes", "" },
		{ "--top", "0" }, { "--top", "1e3" }, { "--output", "" },
		{ "--prom-buckets", "0" }, { "--prom-buckets", "3" }, { "--prom-buckets", "32" },
	};
	struct options o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&o, bad[i][0], bad[i][1], NULL), 2);
	assert_int_equal(parse(&o, "--nope", NULL, NULL), 2);
	assert_int_equal(parse(&o, "-i", NULL, NULL), 2);
	assert_int_equal(parse(&o, "stray", NULL, NULL), 2);
	assert_int_equal(parse(&o, "replay", NULL, NULL), 2);
}

/* Recording and replay options. */
static void test_record_replay_options(void **state)
{
	struct options o;
	char *argv[] = { "latscope", "replay", "a.json", "--summary", "b.json.gz",
			 "--from", "2026-12-01T19:30:00Z", "--to", "1796160000.123456789", NULL };

	assert_int_equal(options_parse(&o, 9, argv), 0);
	assert_true(o.replay && o.summary);
	assert_int_equal(o.nreplay, 2);
	assert_string_equal(o.replay_files[1], "b.json.gz");
	assert_string_equal(o.replay_file, "a.json");
	assert_int_equal(o.from_ns, 1796153400ULL * 1000000000ULL);
	assert_int_equal(o.to_ns, 1796160000123456789ULL);
	assert_int_equal(parse(&o, "-o", "x.gz", "--rotate=100M"), 0);
	assert_int_equal(o.rotate_bytes, 100ULL << 20);
	assert_int_equal(o.keep, 5);
	assert_int_equal(parse(&o, "--rotate=4K", "-o", "x"), 0);
	assert_int_equal(o.rotate_bytes, 4096);
	/* bad ones: exit 2 */
	assert_int_equal(parse(&o, "--rotate=1M", NULL, NULL), 2);
	assert_int_equal(parse(&o, "-o", "x", "--rotate=-1"), 2);
	assert_int_equal(parse(&o, "--summary", NULL, NULL), 2);
	assert_int_equal(parse(&o, "replay", "x", "--from=noon"), 2);
	assert_int_equal(parse(&o, "replay", "x", "--to=2026-13-01T00:00:00"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_record_replay_options),
	};

	/* the parser's error lines are expected here */
	freopen("/dev/null", "w", stderr);
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
