/* User symbols with libelf, on this very test process (a PIE) and the
 * libc it maps, and on a child process after it has exited. */
#include <dlfcn.h>
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/usyms.h"

__attribute__((noinline)) int usyms_test_marker(int x)
{
	return x * 3 + 1;
}

static void test_own_function(void **state)
{
	struct usyms *u = usyms_new();
	char buf[256];
	__u64 a = (__u64)(uintptr_t)&usyms_test_marker;

	assert_non_null(u);
	assert_string_equal(usyms_resolve(u, (__u32)getpid(), 0, a, buf, sizeof(buf)),
			    "usyms_test_marker+0x0");
	usyms_resolve(u, (__u32)getpid(), 0, a + 3, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x3");
	usyms_free(u);
}

static void test_shared_library(void **state)
{
	struct usyms *u = usyms_new();
	void *fn = dlsym(RTLD_DEFAULT, "pthread_mutex_lock");
	char buf[256];

	assert_non_null(fn);
	usyms_resolve(u, (__u32)getpid(), 0, (__u64)(uintptr_t)fn + 1, buf, sizeof(buf));
	/* glibc names it pthread_mutex_lock or __pthread_mutex_lock */
	assert_non_null(strstr(buf, "pthread_mutex_lock+0x1"));
	/* an address in no mapping */
	usyms_resolve(u, (__u32)getpid(), 0, 0x10, buf, sizeof(buf));
	assert_string_equal(buf, "0x10");
	usyms_free(u);
}

static void test_cached_by_inode(void **state)
{
	struct usyms *u = usyms_new();
	size_t n;

	assert_int_equal(usyms_prepare(u, (__u32)getpid(), 0), 0);
	n = usyms_nbinaries(u);
	assert_true(n >= 2);	/* this test and libc at least */
	assert_int_equal(usyms_prepare(u, (__u32)getpid(), 0), 0);
	assert_int_equal(usyms_nbinaries(u), n);
	usyms_free(u);
}

static void test_after_exit(void **state)
{
	struct usyms *u = usyms_new();
	__u64 a = (__u64)(uintptr_t)&usyms_test_marker;
	int fds[2], st;
	char buf[256], c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (!pid) {
		close(fds[1]);
		(void)!read(fds[0], &c, 1);	/* until the parent has its map */
		_exit(usyms_test_marker(1) == 4 ? 0 : 1);
	}
	close(fds[0]);
	assert_int_equal(usyms_prepare(u, (__u32)pid, 7), 0);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* the same addresses in the child (fork): resolved from the kept map */
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x2");
	/* an earlier process that had the pid: not read through this map */
	usyms_resolve(u, (__u32)pid, 3, a + 2, buf, sizeof(buf));
	assert_true(buf[0] == '0' && buf[1] == 'x');
	/* forgetting the earlier one keeps the later one's map */
	usyms_forget(u, (__u32)pid, 3);
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_string_equal(buf, "usyms_test_marker+0x2");
	usyms_forget(u, (__u32)pid, 7);
	usyms_resolve(u, (__u32)pid, 7, a + 2, buf, sizeof(buf));
	assert_true(buf[0] == '0' && buf[1] == 'x');
	usyms_free(u);
}

/* A copy of this test binary at path, with len bytes at off replaced. */
static void hostile_copy(const char *path, long off, const void *bytes, size_t len, off_t trunc)
{
	FILE *in = fopen("/proc/self/exe", "rb"), *out = fopen(path, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	if (len) {
		assert_int_equal(fseek(out, off, SEEK_SET), 0);
		assert_int_equal(fwrite(bytes, 1, len, out), len);
	}
	fclose(out);
	if (trunc)
		assert_int_equal(truncate(path, trunc), 0);
}

/* The file offset of this binary's .symtab section header. */
static long symtab_shdr_off(void)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	FILE *f = fopen("/proc/self/exe", "rb");
	long off = -1;

	assert_non_null(f);
	assert_int_equal(fread(&eh, sizeof(eh), 1, f), 1);
	for (int i = 0; i < eh.e_shnum; i++) {
		long at = (long)eh.e_shoff + (long)i * eh.e_shentsize;

		assert_int_equal(fseek(f, at, SEEK_SET), 0);
		assert_int_equal(fread(&sh, sizeof(sh), 1, f), 1);
		if (sh.sh_type == SHT_SYMTAB)
			off = at;
	}
	fclose(f);
	return off;
}

/* Another user's binaries are hostile input to a root process: lying
 * sizes, counts and types, files that are not files. Each is refused or
 * read within bounds (ASan in CI sees any overflow); none hangs (alarm). */
static void test_hostile_files(void **state)
{
	char dir[] = "/tmp/usyms-test.XXXXXX", path[64];
	long good, shoff = symtab_shdr_off();
	Elf64_Shdr sh;
	__u16 phnum = 0xffff;
	__u64 v;

	alarm(20);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	good = usyms_file_symbols("/proc/self/exe");
	assert_true(good > 10);
	assert_true(shoff > 0);
	/* a FIFO (opening it would block until a writer came) and a device */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(usyms_file_symbols(path), -1);
	unlink(path);
	assert_int_equal(usyms_file_symbols("/dev/zero"), -1);
	/* e_phnum and e_phoff beyond what the file holds */
	hostile_copy(path, offsetof(Elf64_Ehdr, e_phnum), &phnum, sizeof(phnum), 0);
	assert_true(usyms_file_symbols(path) <= good);
	v = ~0ULL - 16;
	hostile_copy(path, offsetof(Elf64_Ehdr, e_phoff), &v, sizeof(v), 0);
	assert_true(usyms_file_symbols(path) <= good);
	/* .symtab with an entry size of 1: n = size entries is a lie */
	v = 1;
	hostile_copy(path, shoff + (long)offsetof(Elf64_Shdr, sh_entsize), &v, sizeof(v), 0);
	assert_true(usyms_file_symbols(path) < good);
	/* .symtab claiming 2^60 bytes */
	v = 1ULL << 60;
	hostile_copy(path, shoff + (long)offsetof(Elf64_Shdr, sh_size), &v, sizeof(v), 0);
	assert_true(usyms_file_symbols(path) <= good);
	/* string table index past the section headers */
	hostile_copy(path, shoff, &sh, 0, 0);
	{
		__u32 link = 0xfffff;

		hostile_copy(path, shoff + (long)offsetof(Elf64_Shdr, sh_link), &link, sizeof(link), 0);
		assert_true(usyms_file_symbols(path) <= good);
	}
	/* cut in half: headers and tables past the end */
	hostile_copy(path, 0, NULL, 0, 4096);
	assert_true(usyms_file_symbols(path) <= good);
	unlink(path);
	rmdir(dir);
	alarm(0);
}

/* MiniDebugInfo (.gnu_debugdata, as Fedora ships binaries): this test's
 * binary stripped, its .symtab xz-compressed into the section, made with
 * binutils and xz; the symbols come back. A section that is not xz is
 * ignored. */
static void test_minidebuginfo(void **state)
{
	char dir[] = "/tmp/usyms-mdi-XXXXXX", cmd[2048], path[256];
	long full, stripped, mini, bad;

	if (system("command -v objcopy >/dev/null && command -v strip >/dev/null && command -v xz >/dev/null")) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && cp /proc/%d/exe full && cp full bin && objcopy --only-keep-debug bin dbg &&"
		 " objcopy --strip-debug dbg mini && xz -k mini && strip -s bin && cp bin stripped &&"
		 " objcopy --add-section .gnu_debugdata=mini.xz bin && cp stripped bad &&"
		 " head -c 4096 /dev/urandom > junk && objcopy --add-section .gnu_debugdata=junk bad",
		 dir, (int)getpid());
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/full", dir);
	full = usyms_file_symbols(path);
	snprintf(path, sizeof(path), "%s/stripped", dir);
	stripped = usyms_file_symbols(path);
	snprintf(path, sizeof(path), "%s/bin", dir);
	mini = usyms_file_symbols(path);
	snprintf(path, sizeof(path), "%s/bad", dir);
	bad = usyms_file_symbols(path);
	assert_true(stripped < full);
	assert_true(mini >= full);
	assert_int_equal(bad, stripped);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_shared_library),
		cmocka_unit_test(test_cached_by_inode),
		cmocka_unit_test(test_after_exit),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_minidebuginfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
