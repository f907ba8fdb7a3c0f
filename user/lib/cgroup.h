/* cgroup v2 paths: which cgroup a process is in, the service a path names,
 * and --cgroup's arguments resolved against the v2 hierarchy (mounted at
 * /sys/fs/cgroup on pure v2 hosts, /sys/fs/cgroup/unified on v1+v2 hybrid
 * ones). */
#ifndef LATSCOPE_CGROUP_H
#define LATSCOPE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The short name of the service a cgroup v2 path belongs to, into out
 * (always NUL-terminated, cut to n): "/" for the root; "pod:UID" for a
 * Kubernetes pod's cgroups (either cgroup driver); "docker:ID",
 * "containerd:ID", "crio:ID", "podman:ID" (the first 12 hex digits) for a
 * container's scope, or the cgroupfs driver's /docker/ID; else the deepest
 * systemd .service or .scope unit on the path; else the last component. */
void cgroup_service(const char *path, char *out, size_t n);
/* The deepest container on a v2 path (what cgroup_service names): its
 * runtime ("docker", "containerd", "crio", "podman") and its id, 64 hex
 * digits into id (65 bytes). false if the path is in no container. */
bool cgroup_container(const char *path, const char **runtime, char *id);

/* The v2 path from the text of /proc/PID/cgroup (its "0::" line) into out;
 * 0, or -1 when there is none (a v1-only host). Pure: for the tests. */
int cgroup_parse_proc(const char *text, char *out, size_t n);
/* The same read from /proc/PID/cgroup; -1 also when the process is gone. */
int cgroup_of_pid(__u32 pid, char *out, size_t n);

/* The v2 path of the cgroup whose id is id (what bpf_get_current_cgroup_id
 * gives), found through the kernel's file handle for it; 0, or -1 when it
 * is gone or cannot be opened (it needs CAP_DAC_READ_SEARCH). */
int cgroup_path_of_id(__u64 id, char *out, size_t n);

/* Where the v2 hierarchy is mounted (found once in /proc/self/mountinfo),
 * NULL when it is not. */
const char *cgroup_v2_mount(void);

/* Is path the cgroup under, or below it? Both v2 paths ("/" is everything). */
bool cgroup_path_under(const char *path, const char *under);

/* A --cgroup argument: "/a/b" (or "a/b") relative to the v2 mount, or a
 * name without '/' (nginx.service): the shallowest cgroup of that name.
 * Fills the v2 path, the cgroup's id (what bpf_get_current_cgroup_id
 * returns for its tasks) and its level (0 for the root). 0, or -1 with
 * *why set to what is wrong. */
int cgroup_resolve(const char *arg, char *path, size_t n, __u64 *id, __u32 *level,
		   const char **why);

#endif
