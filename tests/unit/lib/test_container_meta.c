/* Container names from the runtimes' own files, under a temporary root:
 * Docker's config.v2.json, CRI-O's and containerd's OCI config.json
 * annotations (Kubernetes pod and container, nerdctl), what a service is
 * then called, and what is not trusted: other runtimes, missing, broken,
 * huge or symlinked files, ids that are not ids, hostile names. */
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
#include "lib/cgroup.h"
#include "lib/container_meta.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char root[] = "/tmp/latscope-ctr-XXXXXX";

static int setup(void **state)
{
	strcpy(root, "/tmp/latscope-ctr-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* root/REL (its directories made) holding text */
static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *service(const char *path)
{
	static char buf[128];

	container_service(root, path, buf, sizeof(buf));
	return buf;
}

static void test_docker_name(void **state)
{
	struct container_meta m;

	put("var/lib/docker/containers/" ID64 "/config.v2.json",
	    "{\"ID\":\"" ID64 "\",\"Name\":\"/web\",\"Config\":{\"Labels\":{}}}");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), 0);
	assert_string_equal(m.name, "web");
	assert_string_equal(m.pod, "");
	assert_string_equal(service("/system.slice/docker-" ID64 ".scope"), "docker:web");
	/* the cgroupfs driver's path names the same container */
	assert_string_equal(service("/docker/" ID64), "docker:web");
	/* another container: its id, as without metadata */
	assert_string_equal(service("/system.slice/docker-" ID64B ".scope"), "docker:fedcba987654");
	/* not a container: no file is read, the unit names it */
	assert_string_equal(service("/system.slice/nginx.service"), "nginx.service");
}

static void test_docker_in_kubernetes(void **state)
{
	put("var/lib/docker/containers/" ID64 "/config.v2.json",
	    "{\"Name\":\"/k8s_app_web-7d4b9_shop_1f2e_0\",\"Config\":{\"Labels\":{"
	    "\"io.kubernetes.pod.name\":\"web-7d4b9\",\"io.kubernetes.pod.namespace\":\"shop\","
	    "\"io.kubernetes.container.name\":\"app\"}}}");
	assert_string_equal(service("/system.slice/docker-" ID64 ".scope"), "pod:shop/web-7d4b9");
}

static void test_crio_pod(void **state)
{
	struct container_meta m;

	put("var/lib/containers/storage/overlay-containers/" ID64 "/userdata/config.json",
	    "{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.pod.name\":\"db-0\","
	    "\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.container.name\":\"postgres\"}}");
	assert_int_equal(container_meta_read(root, "crio", ID64, &m), 0);
	assert_string_equal(m.pod, "prod/db-0");
	assert_string_equal(m.name, "postgres");
	/* a pod's container: named by its pod, not by the pod's uid */
	assert_string_equal(service("/kubepods.slice/kubepods-burstable.slice/"
				    "kubepods-burstable-pod1f2e3d4c_5b6a_4978_8695_a4b3c2d1e0f9.slice/"
				    "crio-" ID64 ".scope"), "pod:prod/db-0");
	/* without the pod's file: the uid */
	assert_string_equal(service("/kubepods.slice/kubepods-burstable.slice/"
				    "kubepods-burstable-pod1f2e3d4c_5b6a_4978_8695_a4b3c2d1e0f9.slice/"
				    "crio-" ID64B ".scope"), "pod:1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9");
}

static void test_containerd(void **state)
{
	put("run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID64 "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"cache-1\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"web\","
	    "\"io.kubernetes.cri.container-name\":\"redis\"}}");
	put("run/containerd/io.containerd.runtime.v2.task/default/" ID64B "/config.json",
	    "{\"annotations\":{\"nerdctl/name\":\"proxy\"}}");
	assert_string_equal(service("/system.slice/cri-containerd-" ID64 ".scope"), "pod:web/cache-1");
	assert_string_equal(service("/system.slice/cri-containerd-" ID64B ".scope"),
			    "containerd:proxy");
}

/* Podman: its containers in containers/storage's one list; nerdctl's own
 * scopes are containerd's containers. */
static void test_podman_and_nerdctl(void **state)
{
	put("var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID64B "\",\"names\":[\"other\"]},"
	    "{\"id\":\"" ID64 "\",\"names\":[\"api\",\"alias\"],\"layer\":\"x\"}]");
	assert_string_equal(service("/machine.slice/libpod-" ID64 ".scope"), "podman:api");
	assert_string_equal(service("/machine.slice/libpod-" ID64B ".scope"), "podman:other");
	/* not in the list: the id */
	assert_string_equal(service("/machine.slice/libpod-"
				    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope"),
			    "podman:aaaaaaaaaaaa");
	put("run/containerd/io.containerd.runtime.v2.task/default/" ID64 "/config.json",
	    "{\"annotations\":{\"nerdctl/name\":\"proxy\"}}");
	assert_string_equal(service("/system.slice/nerdctl-" ID64 ".scope"), "containerd:proxy");
	assert_string_equal(service("/system.slice/nerdctl-" ID64B ".scope"), "containerd:fedcba987654");
}

static void test_nothing_trusted_that_is_not_metadata(void **state)
{
	struct container_meta m;
	char big[64], path[512];
	FILE *f;

	/* no file, an empty one, broken JSON, not an object, no name */
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	put("var/lib/docker/containers/" ID64 "/config.v2.json", "");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	put("var/lib/docker/containers/" ID64 "/config.v2.json", "{\"Name\":\"/web\"");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	put("var/lib/docker/containers/" ID64 "/config.v2.json", "[\"/web\"]");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	put("var/lib/docker/containers/" ID64 "/config.v2.json", "{\"Name\":7}");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	assert_string_equal(service("/system.slice/docker-" ID64 ".scope"), "docker:0123456789ab");
	/* podman's names are in its database: none read */
	assert_int_equal(container_meta_read(root, "podman", ID64, &m), -1);
	/* an id that is no id cannot climb out of the directory */
	assert_int_equal(container_meta_read(root, "docker", "../../../etc/passwd", &m), -1);
	/* a file bigger than metadata is */
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/" ID64 "/config.v2.json", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"Name\":\"/big\",\"x\":\"", f);
	memset(big, 'a', sizeof(big));
	for (int i = 0; i < (5 << 20) / (int)sizeof(big); i++)
		fwrite(big, 1, sizeof(big), f);
	fputs("\"}", f);
	fclose(f);
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
	/* a symlink in the file's place */
	unlink(path);
	put("elsewhere.json", "{\"Name\":\"/linked\"}");
	snprintf(big, sizeof(big), "%s/elsewhere.json", root);
	assert_int_equal(symlink(big, path), 0);
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), -1);
}

static void test_hostile_names(void **state)
{
	struct container_meta m;

	put("var/lib/docker/containers/" ID64 "/config.v2.json",
	    "{\"Name\":\"/we\\u001b[31mb\\u0007\"}");
	assert_int_equal(container_meta_read(root, "docker", ID64, &m), 0);
	assert_string_equal(m.name, "we?[31mb?");
	/* a name longer than a service is cut, NUL-terminated */
	put("var/lib/containers/storage/overlay-containers/" ID64 "/userdata/config.json",
	    "{\"annotations\":{\"io.kubernetes.pod.name\":\"ppppppppppppppppppppppppppppppppppppppppppppppp"
	    "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\","
	    "\"io.kubernetes.pod.namespace\":\"ns\"}}");
	assert_int_equal(container_meta_read(root, "crio", ID64, &m), 0);
	assert_int_equal(strlen(m.pod), CONTAINER_NAME_LEN - 1);
	assert_true(strlen(service("/crio-" ID64 ".scope")) < 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_in_kubernetes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crio_pod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containerd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_podman_and_nerdctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_trusted_that_is_not_metadata, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
