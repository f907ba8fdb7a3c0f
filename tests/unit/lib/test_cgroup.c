/* cgroup_service(): the short name every row carries, over the path shapes
 * of systemd, container runtimes and Kubernetes; cgroup_parse_proc() and
 * cgroup_path_under(), which --cgroup and the attribution rely on;
 * cgroup_path_of_id() against cgroups made in the real v2 hierarchy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "lib/cgroup.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
#define UID_ "1f2e3d4c_5b6a_4978_8695_a4b3c2d1e0f9"

static const char *svc(const char *path)
{
	static char buf[128];

	memset(buf, 'x', sizeof(buf));
	cgroup_service(path, buf, sizeof(buf));
	return buf;
}

static void test_systemd_units(void **state)
{
	assert_string_equal(svc("/system.slice/nginx.service"), "nginx.service");
	assert_string_equal(svc("/system.slice/latscope-test-a.service"), "latscope-test-a.service");
	/* a service's own sub-cgroups (Delegate=yes) are still the service */
	assert_string_equal(svc("/system.slice/nginx.service/workers"), "nginx.service");
	assert_string_equal(svc("/system.slice/system-getty.slice/getty@tty1.service"),
			    "getty@tty1.service");
	assert_string_equal(svc("/system.slice"), "system.slice");
	assert_string_equal(svc("/init.scope"), "init.scope");
	/* user sessions and the user manager's own units */
	assert_string_equal(svc("/user.slice/user-1000.slice/session-3.scope"), "session-3.scope");
	assert_string_equal(svc("/user.slice/user-1000.slice/user@1000.service/app.slice/"
				"app-firefox-1234.scope"), "app-firefox-1234.scope");
	assert_string_equal(svc("/user.slice/user-1000.slice/user@1000.service/app.slice/"
				"pipewire.service"), "pipewire.service");
	assert_string_equal(svc("/user.slice/user-1000.slice"), "user-1000.slice");
	assert_string_equal(svc("/user.slice/user-1000.slice/user@1000.service/init.scope"),
			    "init.scope");
}

static void test_containers(void **state)
{
	assert_string_equal(svc("/system.slice/docker-" ID64 ".scope"), "docker:0123456789ab");
	assert_string_equal(svc("/system.slice/containerd.service/cri-containerd-" ID64 ".scope"),
			    "containerd:0123456789ab");
	assert_string_equal(svc("/machine.slice/crio-" ID64 ".scope"), "crio:0123456789ab");
	assert_string_equal(svc("/machine.slice/libpod-" ID64 ".scope"), "podman:0123456789ab");
	assert_string_equal(svc("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
				ID64 ".scope"), "podman:0123456789ab");
	/* systemd inside the container: its own sub-cgroups below the scope */
	assert_string_equal(svc("/system.slice/docker-" ID64 ".scope/init.scope"),
			    "docker:0123456789ab");
	assert_string_equal(svc("/system.slice/docker-" ID64 ".scope/system.slice/sshd.service"),
			    "docker:0123456789ab");
	/* cgroupfs driver */
	assert_string_equal(svc("/docker/" ID64), "docker:0123456789ab");
	/* the runtime's helpers are not the container */
	assert_string_equal(svc("/machine.slice/libpod-conmon-" ID64 ".scope"),
			    "libpod-conmon-" ID64 ".scope");
	assert_string_equal(svc("/system.slice/docker.service"), "docker.service");
	/* not 64 hex digits: not an id, only a scope */
	assert_string_equal(svc("/system.slice/docker-0123.scope"), "docker-0123.scope");
	assert_string_equal(svc("/system.slice/docker-" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
				".scope"),
			    "docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope");
	assert_string_equal(svc("/docker/nothex"), "nothex");
}

static void test_kubepods(void **state)
{
	/* systemd driver: the uid's dashes written as underscores */
	assert_string_equal(svc("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
				UID_ ".slice/cri-containerd-" ID64 ".scope"), "pod:" UID);
	assert_string_equal(svc("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
				UID_ ".slice/crio-" ID64 ".scope"), "pod:" UID);
	/* guaranteed pods sit right under kubepods.slice */
	assert_string_equal(svc("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-"
				ID64 ".scope"), "pod:" UID);
	assert_string_equal(svc("/kubepods.slice/kubepods-pod" UID_ ".slice"), "pod:" UID);
	/* cgroupfs driver */
	assert_string_equal(svc("/kubepods/burstable/pod" UID "/" ID64), "pod:" UID);
	assert_string_equal(svc("/kubepods/besteffort/pod" UID "/" ID64), "pod:" UID);
	assert_string_equal(svc("/kubepods/pod" UID "/" ID64), "pod:" UID);
	/* kubepods itself and its QoS levels: no pod yet */
	assert_string_equal(svc("/kubepods.slice"), "kubepods.slice");
	assert_string_equal(svc("/kubepods.slice/kubepods-burstable.slice"), "kubepods-burstable.slice");
	assert_string_equal(svc("/kubepods/burstable"), "burstable");
	/* "pod" outside kubepods is only a name */
	assert_string_equal(svc("/system.slice/pod1234"), "pod1234");
}

static void test_root_and_weird(void **state)
{
	char small[8];

	assert_string_equal(svc("/"), "/");
	assert_string_equal(svc(""), "/");
	assert_string_equal(svc("//"), "/");
	assert_string_equal(svc(NULL), "/");
	assert_string_equal(svc("/a//b/"), "b");
	assert_string_equal(svc("relative/thing"), "thing");
	assert_string_equal(svc("/odd name with spaces"), "odd name with spaces");
	assert_string_equal(svc("/.service"), ".service");
	/* cut to the buffer, always terminated */
	cgroup_service("/system.slice/verylongname.service", small, sizeof(small));
	assert_string_equal(small, "verylon");
	cgroup_service("/system.slice/docker-" ID64 ".scope", small, sizeof(small));
	assert_string_equal(small, "docker:");
	cgroup_service("/x", small, 0);	/* nothing written, no crash */
}

static void test_too_long(void **state)
{
	char path[8192], *p = path;

	/* 300 levels: the service comes from the first ones */
	p += sprintf(p, "/system.slice/deep.service");
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "/d%d", i);
	assert_string_equal(svc(path), "deep.service");
	/* a 1000-byte last component: cut to the buffer */
	p = path;
	p += sprintf(p, "/");
	memset(p, 'a', 1000);
	p[1000] = '\0';
	assert_int_equal(strlen(svc(path)), 127);
}

static void test_parse_proc(void **state)
{
	char out[32];

	assert_int_equal(cgroup_parse_proc("12:pids:/user.slice\n1:name=systemd:/user.slice/x\n"
					   "0::/system.slice/a.service\n", out, sizeof(out)), 0);
	assert_string_equal(out, "/system.slice/a.service");
	assert_int_equal(cgroup_parse_proc("0::/\n", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	/* v1 only */
	assert_int_equal(cgroup_parse_proc("1:name=systemd:/x\n", out, sizeof(out)), -1);
	assert_int_equal(cgroup_parse_proc("", out, sizeof(out)), -1);
	/* too long for out: cut, ending in "..." */
	assert_int_equal(cgroup_parse_proc("0::/system.slice/a-very-long-name-indeed.service",
					   out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 31);
	assert_string_equal(out + 28, "...");
}

static void test_path_under(void **state)
{
	assert_true(cgroup_path_under("/a/b", "/a"));
	assert_true(cgroup_path_under("/a", "/a"));
	assert_true(cgroup_path_under("/a", "/a/"));
	assert_true(cgroup_path_under("/a/b/c", "/"));
	assert_false(cgroup_path_under("/ab", "/a"));
	assert_false(cgroup_path_under("/a", "/a/b"));
	assert_false(cgroup_path_under("/b", "/a"));
}

/* A cgroup made here: its id (as --cgroup resolves it) names it back, and
 * once it is gone, nothing. Needs root and a v2 hierarchy. */
static void test_path_of_id(void **state)
{
	const char *mnt = cgroup_v2_mount(), *why = "";
	char dir[4200], rel[64], path[256], back[256];
	__u64 id = 0;
	__u32 level = 0;

	if (!mnt || geteuid() != 0)
		skip();
	snprintf(rel, sizeof(rel), "/latscope-unit-%d.scope", (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", mnt, rel);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(cgroup_resolve(rel, path, sizeof(path), &id, &level, &why), 0);
	assert_int_equal(cgroup_path_of_id(id, back, sizeof(back)), 0);
	assert_string_equal(back, rel);
	assert_int_equal(cgroup_path_of_id(1, back, sizeof(back)), 0);
	assert_string_equal(back, "/");
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(cgroup_path_of_id(id, back, sizeof(back)), -1);
	assert_int_equal(cgroup_path_of_id(0, back, sizeof(back)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemd_units),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_kubepods),
		cmocka_unit_test(test_root_and_weird),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_parse_proc),
		cmocka_unit_test(test_path_under),
		cmocka_unit_test(test_path_of_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
