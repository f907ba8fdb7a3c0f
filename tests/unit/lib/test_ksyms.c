/* The kallsyms table: parsing, lookup by address, static objects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib/ksyms.h"

static const char text[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81002000 t queued_spin_lock_slowpath\n"
	"ffffffff81001000 T do_mmap\n"		/* out of order on purpose */
	"ffffffff81001000 t __pfx_do_mmap_alias\n"
	"0000000000012345 A fixed_percpu_data\n"	/* absolute: ignored */
	"ffffffff82000000 D mm_lock_table\n"
	"ffffffff82000100 b static_spin\n"
	"ffffffffc0000000 t ext4_thing\t[ext4]\n"
	"garbage line\n";

static struct ksyms *load(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");
	struct ksyms *k = ksyms__load_file(f);

	fclose(f);
	return k;
}

static void test_lookup(void **state)
{
	struct ksyms *k = load(text);
	char buf[128];

	assert_non_null(k);
	assert_int_equal(k->len, 7);
	assert_string_equal(ksyms__format(k, 0xffffffff81001010ULL, buf, sizeof(buf)),
			    "do_mmap+0x10");
	assert_string_equal(ksyms__format(k, 0xffffffff81002000ULL, buf, sizeof(buf)),
			    "queued_spin_lock_slowpath+0x0");
	assert_string_equal(ksyms__format(k, 0xffffffffc0000004ULL, buf, sizeof(buf)),
			    "ext4_thing+0x4 [ext4]");
	assert_string_equal(ksyms__format(k, 0x1000, buf, sizeof(buf)), "0x1000");
	/* far past the last symbol: not inside it */
	assert_string_equal(ksyms__format(k, 0xffffffffc8000000ULL, buf, sizeof(buf)),
			    "0xffffffffc8000000");
	ksyms__free(k);
}

static void test_objects(void **state)
{
	struct ksyms *k = load(text);

	assert_string_equal(ksyms__find_object(k, 0xffffffff82000040ULL)->name, "mm_lock_table");
	assert_string_equal(ksyms__find_object(k, 0xffffffff82000100ULL)->name, "static_spin");
	/* text is not an object; far past a data symbol is not inside it */
	assert_null(ksyms__find_object(k, 0xffffffff81001000ULL));
	assert_null(ksyms__find_object(k, 0xffffffff82100000ULL));
	ksyms__free(k);
}

static void test_hidden_addresses(void **state)
{
	/* kptr_restrict: every address reads 0 */
	errno = 0;
	assert_null(load("0000000000000000 T _text\n0000000000000000 t foo\n"));
	assert_int_equal(errno, EPERM);
}

static void test_real_kallsyms(void **state)
{
	struct ksyms *k = ksyms__load();
	const struct ksym *s;

	if (!k)
		skip();	/* not root: addresses hidden */
	assert_true(k->len > 1000);
	for (size_t i = 1; i < k->len; i++)
		assert_true(k->syms[i - 1].addr <= k->syms[i].addr);
	s = ksyms__find(k, k->syms[k->len / 2].addr + 1);
	assert_non_null(s);
	ksyms__free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_hidden_addresses),
		cmocka_unit_test(test_real_kallsyms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
