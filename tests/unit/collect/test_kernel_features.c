/* The feature checks against this machine's real kernel: what it has is
 * found, what no kernel has is reported by name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "collect/kernel_features.h"

static void test_present(void **state)
{
	static const char *const tps[] = { "sys_enter", "sys_exit|always there", NULL };
	static const enum bpf_map_type maps[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_UNSPEC };
	struct family_needs n = { tps, maps };
	char why[160] = "";

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
	assert_int_equal(features_check(&n, why, sizeof(why)), 0);
	assert_int_equal(features_check(NULL, why, sizeof(why)), 0);
}

static void test_missing_tracepoint_named(void **state)
{
	static const char *const tps[] = { "sys_enter", "no_such_tp_latscope|Linux 99", NULL };
	struct family_needs n = { tps, NULL };
	char why[160] = "";

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
	assert_int_equal(features_check(&n, why, sizeof(why)), -1);
	assert_string_equal(why, "needs the raw tracepoint no_such_tp_latscope (Linux 99)");
}

static void test_unreadable_btf(void **state)
{
	static const char *const tps[] = { "sys_enter", NULL };
	struct family_needs n = { tps, NULL };
	char why[160] = "";

	features_free();
	features_set_btf("/nonexistent/vmlinux.btf");
	assert_int_equal(features_check(&n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot read the kernel's BTF"));
	features_set_btf(NULL);
	features_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_missing_tracepoint_named),
		cmocka_unit_test(test_unreadable_btf),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	features_free();
	return r;
}
