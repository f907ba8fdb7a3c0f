#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cgroup.h"
#include "lib/container_meta.h"

/* Metadata files are small; a bigger one is not what we look for. */
#define META_MAX_BYTES (4 << 20)

/* The JSON value in file path, NULL if none: a regular file (not through
 * a symlink at its last component), at most META_MAX_BYTES. */
static json_t *load_any(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	json_t *j = NULL;
	char *buf;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > META_MAX_BYTES || !(buf = malloc((size_t)st.st_size))) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, (size_t)st.st_size) == st.st_size)
		j = json_loadb(buf, (size_t)st.st_size, 0, NULL);
	free(buf);
	close(fd);
	return j;
}

/* The same, only when it is a JSON object. */
static json_t *load(const char *path)
{
	json_t *j = load_any(path);

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* A name from the metadata into out: control bytes become '?'. */
static void name_copy(char *out, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Kubernetes' names from labels or annotations: the pod as NS/NAME. */
static void kube_names(const json_t *kv, const char *pod_key, const char *ns_key,
		       const char *ctr_key, struct container_meta *m)
{
	const char *pod = str_at(kv, pod_key), *ns = str_at(kv, ns_key), *ctr = str_at(kv, ctr_key);
	char both[2 * CONTAINER_NAME_LEN];

	if (pod && *pod) {
		snprintf(both, sizeof(both), "%s/%s", ns && *ns ? ns : "default", pod);
		name_copy(m->pod, sizeof(m->pod), both);
	}
	if (ctr && *ctr && !m->name[0])
		name_copy(m->name, sizeof(m->name), ctr);
}

static void docker_names(const json_t *j, struct container_meta *m)
{
	const char *name = str_at(j, "Name");

	/* "/web": Docker names start with a slash */
	if (name && *name == '/')
		name++;
	/* a Kubernetes pod's (dockershim) says which container it is in its labels */
	kube_names(json_object_get(json_object_get(j, "Config"), "Labels"), "io.kubernetes.pod.name",
		   "io.kubernetes.pod.namespace", "io.kubernetes.container.name", m);
	if (name && *name && !m->pod[0])
		name_copy(m->name, sizeof(m->name), name);
}

static void oci_names(const json_t *j, struct container_meta *m)
{
	const json_t *a = json_object_get(j, "annotations");

	/* CRI-O */
	kube_names(a, "io.kubernetes.pod.name", "io.kubernetes.pod.namespace",
		   "io.kubernetes.container.name", m);
	/* containerd's CRI plugin */
	if (!m->pod[0])
		kube_names(a, "io.kubernetes.cri.sandbox-name", "io.kubernetes.cri.sandbox-namespace",
			   "io.kubernetes.cri.container-name", m);
	/* nerdctl */
	if (!m->name[0] && str_at(a, "nerdctl/name"))
		name_copy(m->name, sizeof(m->name), str_at(a, "nerdctl/name"));
}

/* containers/storage (Podman's, and CRI-O's below its own files) lists
 * every container in one containers.json: [{"id": ID, "names": [NAME]}]. */
static void storage_names(const char *root, const char *id, struct container_meta *m)
{
	char path[4096];
	size_t i;
	json_t *j, *c;

	snprintf(path, sizeof(path), "%s/var/lib/containers/storage/overlay-containers/containers.json",
		 root);
	j = load_any(path);
	json_array_foreach(j, i, c) {
		const char *cid = str_at(c, "id");
		const char *name = json_string_value(json_array_get(json_object_get(c, "names"), 0));

		if (cid && !strcmp(cid, id)) {
			if (name && *name)
				name_copy(m->name, sizeof(m->name), name);
			break;
		}
	}
	json_decref(j);
}

/* containerd keeps a task's bundle per namespace: the first that has id. */
static json_t *containerd_load(const char *root, const char *id)
{
	char dir[4096], path[4096 + 512];
	struct dirent *d;
	json_t *j = NULL;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/run/containerd/io.containerd.runtime.v2.task", root);
	if (!(dp = opendir(dir)))
		return NULL;
	while (!j && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/config.json", dir, d->d_name, id);
		j = load(path);
	}
	closedir(dp);
	return j;
}

int container_meta_read(const char *root, const char *runtime, const char *id,
			struct container_meta *m)
{
	char path[4096];
	json_t *j = NULL;

	memset(m, 0, sizeof(*m));
	if (!root || !runtime || !id || strlen(id) != 64 || strchr(id, '/'))
		return -1;
	if (!strcmp(runtime, "docker")) {
		snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", root, id);
		if ((j = load(path)))
			docker_names(j, m);
	} else if (!strcmp(runtime, "crio")) {
		snprintf(path, sizeof(path),
			 "%s/var/lib/containers/storage/overlay-containers/%s/userdata/config.json", root, id);
		if ((j = load(path)))
			oci_names(j, m);
	} else if (!strcmp(runtime, "containerd")) {
		if ((j = containerd_load(root, id)))
			oci_names(j, m);
	} else if (!strcmp(runtime, "podman")) {
		storage_names(root, id, m);
	}
	json_decref(j);
	return m->name[0] || m->pod[0] ? 0 : -1;
}

int container_meta_service(const struct container_meta *m, const char *runtime, char *out,
			   size_t n)
{
	if (m->pod[0])
		snprintf(out, n, "pod:%s", m->pod);
	else if (m->name[0])
		snprintf(out, n, "%s:%s", runtime, m->name);
	else
		return -1;
	return 0;
}

void container_service(const char *root, const char *path, char *out, size_t n)
{
	struct container_meta m;
	const char *runtime;
	char id[65];

	cgroup_service(path, out, n);
	if (cgroup_container(path, &runtime, id) && !container_meta_read(root, runtime, id, &m))
		container_meta_service(&m, runtime, out, n);
}
