/* What a container runtime's own metadata, readable on this host, says a
 * container is called: Docker's config.v2.json, CRI-O's and containerd's
 * OCI config.json annotations (Kubernetes pod and container names,
 * nerdctl's name), Podman's entry in containers/storage's list. Nothing here asks a daemon; files only. */
#ifndef LATSCOPE_CONTAINER_META_H
#define LATSCOPE_CONTAINER_META_H

#include <stddef.h>

#define CONTAINER_NAME_LEN 128

struct container_meta {
	char name[CONTAINER_NAME_LEN];	/* the container's: "web"; "" if unknown */
	char pod[CONTAINER_NAME_LEN];	/* its Kubernetes pod: "NAMESPACE/NAME"; "" if none */
};

/* The metadata of container id (64 hex digits) of runtime ("docker",
 * "crio", "containerd", "podman"; others have none readable) under root, the
 * filesystem's root ("/" on the host; a test's directory):
 *   docker      root/var/lib/docker/containers/ID/config.v2.json  "Name"
 *   crio        root/var/lib/containers/storage/overlay-containers/ID/userdata/config.json
 *   containerd  root/run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID/config.json
 *   podman      root/var/lib/containers/storage/overlay-containers/containers.json
 *               (containers/storage's list: the entry of ID, its first name)
 * 0 with m filled (at least one of its names), or -1 when there is no such
 * file or it names nothing. */
int container_meta_read(const char *root, const char *runtime, const char *id,
			struct container_meta *m);

/* The service of a container from its metadata into out: "pod:NS/NAME"
 * for a Kubernetes pod's, else "RUNTIME:NAME" ("docker:web"); 0, or -1
 * when m names neither (the caller keeps the id). */
int container_meta_service(const struct container_meta *m, const char *runtime, char *out,
			   size_t n);

/* The service of cgroup v2 path (cgroup_service), with a container named
 * by its runtime's metadata under root where that is readable: the id
 * stays in the path. */
void container_service(const char *root, const char *path, char *out, size_t n);

#endif
