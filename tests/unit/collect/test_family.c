/* The lifecycle steps every family shares (collect/family.c): the status
 * words of each failing step, the build without kfuncs under --btf, and
 * the attach of optional programs and groups (root only, on the tcp
 * family's programs: skipped otherwise). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/kernel_features.h"
#include "options.h"
#include "syscalls.h"
#include "hist.h"
#include "requests.h"
#include "tcp.h"
#include "syscalls.skel.h"
#include "syscalls_nokf.skel.h"
#include "tcp.skel.h"

FAMILY_SKEL(tcp);
FAMILY_SKEL_NOKF(syscalls);

static void test_fail_says_what_then_why(void **state)
{
	struct collector c = { 0 };
	char want[512], prefix[300];

	assert_int_equal(family_fail(&c, -EPERM, "cannot attach uprobes to %.60s", "/lib/libc.so.6"),
			 -EPERM);
	assert_string_equal(c.status, "cannot attach uprobes to /lib/libc.so.6: permission denied "
			    "(needs root or CAP_BPF+CAP_PERFMON)");
	family_fail(&c, ENOENT, "cannot load");
	assert_string_equal(c.status, "cannot load: a tracepoint or kernel type it needs is missing");
	/* cut at the status's size, as "%s: %s" would be */
	for (size_t len = 140; len < sizeof(prefix); len += 7) {
		memset(prefix, 'x', len);
		prefix[len] = 0;
		snprintf(want, sizeof(want), "%s: %s", prefix,
			 "the kernel rejected the program (run with -v for libbpf's log)");
		want[sizeof(c.status) - 1] = 0;
		family_fail(&c, -EINVAL, "%s", prefix);
		assert_string_equal(c.status, want);
	}
}

static void test_start_off(void **state)
{
	struct options o = { 0 };

	for (int f = 0; f < FAM_NR; f++) {
		struct collector c = { 0 };

		assert_false(collector_start(&c, f, &o));
		assert_string_equal(c.status, "off");
		assert_false(c.on);
		assert_null(c.priv);
		collector_stop(&c);	/* not on: nothing */
	}
}

/* A kernel without what the family needs: "unavailable: <why>", no ops
 * kept, nothing to close. */
static void test_start_unavailable(void **state)
{
	struct options o = { 0 };
	struct collector c = { 0 };

	o.probes[FAM_TCP] = true;
	features_set_btf("/nonexistent/vmlinux.btf");
	assert_false(collector_start(&c, FAM_TCP, &o));
	features_free();
	features_set_btf(NULL);
	assert_string_equal(c.status, "unavailable: cannot read the kernel's BTF: "
			    "No such file or directory");
	assert_null(c.ops);
	assert_null(c.priv);
	assert_false(c.on);
}

/* --- under --btf: the build without kfuncs ----------------------------- */

static int seen_nokf = -1;

static int check_elf(struct collector *c, void *obj, const struct options *o)
{
	struct syscalls_bpf *skel = obj;
	size_t sz, nsz;
	const void *kf = syscalls_bpf__elf_bytes(&sz), *nokf = syscalls_nokf_bpf__elf_bytes(&nsz);

	if (skel->skeleton->data == nokf && skel->skeleton->data_sz == nsz)
		seen_nokf = 1;
	else if (skel->skeleton->data == kf && skel->skeleton->data_sz == sz)
		seen_nokf = 0;
	snprintf(c->status, sizeof(c->status), "stopped before load");
	return -ECANCELED;
}

static void test_btf_opens_nokf(void **state)
{
	static const struct family_spec f = { &syscalls_family_skel, check_elf, "raw_syscalls" };
	struct options o = { 0 };
	struct collector c = { 0 };
	int err = 0;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
	assert_int_equal(bpf_util_set_btf(NULL), 0);
	assert_null(family_load(&c, &f, &o, &err));
	assert_int_equal(err, -ECANCELED);
	assert_string_equal(c.status, "stopped before load");
	assert_int_equal(seen_nokf, 0);
	assert_int_equal(bpf_util_set_btf("/sys/kernel/btf/vmlinux"), 0);
	assert_null(family_load(&c, &f, &o, &err));
	assert_int_equal(seen_nokf, 1);
	assert_int_equal(bpf_util_set_btf(NULL), 0);
}

/* --- the tcp family's programs, for real (root) ------------------------- */

static int tcp_plain(struct collector *c, void *obj, const struct options *o)
{
	struct tcp_bpf *skel = obj;

	/* which retransmit program a kernel takes is the family's choice:
	 * neither here; sock_recv_length is not loaded (cannot attach) */
	bpf_program__set_autoload(skel->progs.tcp_retrans, false);
	bpf_program__set_autoload(skel->progs.tcp_retrans_err, false);
	bpf_program__set_autoload(skel->progs.tcp_recv_len, false);
	/* attached later, by hand */
	bpf_program__set_autoattach(skel->progs.tcp_destroy, false);
	return 0;
}

static int tcp_unloadable(struct collector *c, void *obj, const struct options *o)
{
	struct tcp_bpf *skel = obj;

	bpf_map__set_max_entries(skel->maps.tcp_events, 0);
	return 0;
}

static int tcp_refuses(struct collector *c, void *obj, const struct options *o)
{
	snprintf(c->status, sizeof(c->status), "the kernel has no tcp:tcp_retransmit_skb tracepoint");
	return -ENOENT;
}

static const struct family_spec tcp_spec = { &tcp_family_skel, tcp_plain, "tcp/sock tracepoints" };

static void test_load_failures(void **state)
{
	struct family_spec f = tcp_spec;
	struct options o = { 0 };
	struct collector c = { 0 };
	int err = 0;

	if (geteuid())
		skip();
	f.setup = tcp_refuses;
	assert_null(family_load(&c, &f, &o, &err));
	assert_int_equal(err, -ENOENT);
	assert_string_equal(c.status, "the kernel has no tcp:tcp_retransmit_skb tracepoint");
	f.setup = tcp_unloadable;
	assert_null(family_load(&c, &f, &o, &err));
	assert_true(err < 0);
	assert_int_equal(strncmp(c.status, "cannot load: ", 13), 0);
}

/* The tcp family's object, loaded as tcp_plain sets it up. */
static struct tcp_bpf *tcp_loaded(struct collector *c)
{
	struct options o = { 0 };
	struct tcp_bpf *skel;
	int err = 0;

	skel = family_load(c, &tcp_spec, &o, &err);
	assert_non_null(skel);
	assert_int_equal(err, 0);
	return skel;
}

static void test_optional_group_is_all_or_none(void **state)
{
	struct collector c = { 0 };
	struct tcp_bpf *skel;

	if (geteuid())
		skip();
	skel = tcp_loaded(&c);
	struct family_prog progs[] = {
		{ .prog = skel->progs.tcp_send_len, .optional = true, .group = 1 },
		{ .prog = skel->progs.tcp_recv_len, .optional = true, .group = 1 },
		{ .prog = skel->progs.tcp_send_rst, .optional = true },
	};

	assert_int_equal(family_attach(&c, &tcp_spec, skel, progs, 3), 0);
	/* recv_len was not loaded: send_len goes off with it */
	assert_true(progs[1].err < 0 && progs[1].err != -ECANCELED);
	assert_true(progs[0].err < 0);
	assert_null(skel->links.tcp_send_len);
	assert_null(skel->links.tcp_recv_len);
	/* alone, and the others through the skeleton */
	assert_int_equal(progs[2].err, 0);
	assert_non_null(skel->links.tcp_send_rst);
	assert_non_null(skel->links.tcp_set_state);
	/* one attached later, once */
	assert_null(skel->links.tcp_destroy);
	struct family_prog later = { .prog = skel->progs.tcp_destroy, .optional = true };

	assert_int_equal(family_attach_progs(skel->skeleton, &later, 1), 0);
	assert_int_equal(later.err, 0);
	struct bpf_link *l = skel->links.tcp_destroy;

	assert_non_null(l);
	assert_int_equal(family_attach_progs(skel->skeleton, &later, 1), 0);
	assert_ptr_equal(skel->links.tcp_destroy, l);
	tcp_bpf__destroy(skel);
}

static void test_required_fails_with_status(void **state)
{
	struct collector c = { 0 };
	struct tcp_bpf *skel;
	int err;

	if (geteuid())
		skip();
	skel = tcp_loaded(&c);
	struct family_prog progs[] = { { .prog = skel->progs.tcp_recv_len } };

	err = family_attach(&c, &tcp_spec, skel, progs, 1);
	assert_true(err < 0);
	assert_int_equal(progs[0].err, err);
	assert_string_equal(c.status, "cannot attach tcp/sock tracepoints: the kernel rejected the "
			    "program (run with -v for libbpf's log)");
	tcp_bpf__destroy(skel);
}

static void test_start_loads_and_attaches(void **state)
{
	struct options o = { 0 };
	struct collector c = { 0 };
	struct tcp_bpf *skel;
	int err = -1;

	if (geteuid())
		skip();
	skel = family_start(&c, &tcp_spec, &o, &err);
	assert_non_null(skel);
	assert_non_null(skel->links.tcp_set_state);
	assert_non_null(skel->links.tcp_send_rst);
	assert_null(skel->links.tcp_destroy);	/* not to be attached */
	assert_string_equal(c.status, "");
	tcp_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_says_what_then_why),
		cmocka_unit_test(test_start_off),
		cmocka_unit_test(test_start_unavailable),
		cmocka_unit_test(test_btf_opens_nokf),
		cmocka_unit_test(test_load_failures),
		cmocka_unit_test(test_optional_group_is_all_or_none),
		cmocka_unit_test(test_required_fails_with_status),
		cmocka_unit_test(test_start_loads_and_attaches),
	};

	bpf_util_set_verbose(false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
