#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "lib/cgroup.h"
#include "lib/procfs.h"

static void copy(char *out, size_t n, const char *s, size_t len)
{
	if (!n)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A component [s, s + len) that is PREFIX<64 hex>SUFFIX: the hex. */
static const char *id_between(const char *s, size_t len, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);

	if (len != pl + 64 + sl || strncmp(s, prefix, pl) || strncmp(s + pl + 64, suffix, sl))
		return NULL;
	return all_hex(s + pl, 64) ? s + pl : NULL;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/* The pod uid of a kubepods component: "pod<uid>" (cgroupfs driver) or
 * "kubepods[-<qos>]-pod<uid with _ for ->.slice" (systemd driver); its
 * length in *ulen, NULL if the component is no pod's. */
static const char *pod_uid(const char *s, size_t len, size_t *ulen)
{
	const char *p;

	if (len > 3 && !strncmp(s, "pod", 3) && !memchr(s, '.', len)) {
		*ulen = len - 3;
		return s + 3;
	}
	if (len > 15 && !strncmp(s, "kubepods-", 9) && ends_with(s, len, ".slice")) {
		p = memmem(s + 9, len - 9, "pod", 3);
		if (p && (p == s + 9 || p[-1] == '-')) {
			*ulen = (size_t)(s + len - 6 - (p + 3));
			return *ulen ? p + 3 : NULL;
		}
	}
	return NULL;
}

struct comp {
	const char *s;
	size_t len;
};

#define MAX_COMPS 64

static const struct runtime_scope {
	const char *prefix, *suffix, *runtime;
} scopes[] = {
	{ "docker-", ".scope", "docker" },
	{ "cri-containerd-", ".scope", "containerd" },
	{ "crio-", ".scope", "crio" },
	{ "libpod-", ".scope", "podman" },
	{ "nerdctl-", ".scope", "containerd" },	/* nerdctl's, under the systemd driver */
};

/* The components of path; a path deeper than MAX_COMPS is named by its
 * first ones (service names sit near the top). */
static size_t split(const char *path, struct comp *c)
{
	const char *p = path ? path : "";
	size_t nc = 0;

	while (*p) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		if (nc < MAX_COMPS)
			c[nc++] = (struct comp){ p, (size_t)(e - p) };
		p = e;
	}
	return nc;
}

/* The deepest container of the components: systemd driver scopes, or the
 * cgroupfs driver's /docker/<id>. Its runtime and 64-hex id; NULL if none. */
static const char *container_of(const struct comp *c, size_t nc, const char **runtime)
{
	const char *id;

	for (size_t i = nc; i-- > 0;) {
		for (size_t k = 0; k < sizeof(scopes) / sizeof(scopes[0]); k++) {
			id = id_between(c[i].s, c[i].len, scopes[k].prefix, scopes[k].suffix);
			if (id) {
				*runtime = scopes[k].runtime;
				return id;
			}
		}
		if (i > 0 && c[i - 1].len == 6 && !memcmp(c[i - 1].s, "docker", 6) &&
		    c[i].len == 64 && all_hex(c[i].s, 64)) {
			*runtime = "docker";
			return c[i].s;
		}
	}
	return NULL;
}

bool cgroup_container(const char *path, const char **runtime, char *id)
{
	struct comp c[MAX_COMPS];
	const char *x = container_of(c, split(path, c), runtime);

	if (!x)
		return false;
	memcpy(id, x, 64);
	id[64] = '\0';
	return true;
}

/* "pod:UID" of a Kubernetes pod's components into buf; false if none. */
static bool kube_pod(const struct comp *c, size_t nc, char *buf, size_t n)
{
	const char *uid = NULL;
	size_t ulen = 0, k;
	bool kube = false;

	for (size_t i = 0; i < nc && !uid; i++) {
		if (i == 0 && ((c[i].len == 8 && !memcmp(c[i].s, "kubepods", 8)) ||
			       (c[i].len == 14 && !memcmp(c[i].s, "kubepods.slice", 14))))
			kube = true;
		if (kube)
			uid = pod_uid(c[i].s, c[i].len, &ulen);
	}
	if (!uid)
		return false;
	/* the systemd driver writes the uid's dashes as underscores */
	k = (size_t)snprintf(buf, n, "pod:");
	for (size_t i = 0; i < ulen && k + 1 < n; i++)
		buf[k++] = uid[i] == '_' ? '-' : uid[i];
	buf[k] = '\0';
	return true;
}

void cgroup_service(const char *path, char *out, size_t n)
{
	struct comp c[MAX_COMPS];
	size_t nc = split(path, c);
	const char *id, *runtime;
	char buf[128];

	if (!nc) {
		copy(out, n, "/", 1);
		return;
	}
	if (kube_pod(c, nc, buf, sizeof(buf))) {
		copy(out, n, buf, strlen(buf));
		return;
	}
	if ((id = container_of(c, nc, &runtime))) {
		snprintf(buf, sizeof(buf), "%s:%.12s", runtime, id);
		copy(out, n, buf, strlen(buf));
		return;
	}
	/* a systemd unit: the deepest service or scope (a service's own
	 * sub-cgroups are still the service) */
	for (size_t i = nc; i-- > 0;)
		if (ends_with(c[i].s, c[i].len, ".service") || ends_with(c[i].s, c[i].len, ".scope")) {
			copy(out, n, c[i].s, c[i].len);
			return;
		}
	copy(out, n, c[nc - 1].s, c[nc - 1].len);
}

int cgroup_parse_proc(const char *text, char *out, size_t n)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchrnul(p, '\n');

		if (!strncmp(p, "0::", 3)) {
			copy(out, n, p + 3, (size_t)(e - p - 3));
			/* a path longer than out: cut, and said so */
			if ((size_t)(e - p - 3) >= n && n > 4)
				memcpy(out + n - 4, "...", 4);
			return 0;
		}
		p = *e ? e + 1 : NULL;
	}
	return -1;
}

int cgroup_of_pid(__u32 pid, char *out, size_t n)
{
	char text[8192];

	if (procfs_read(pid, "cgroup", text, sizeof(text)) < 0)
		return -1;
	return cgroup_parse_proc(text, out, n);
}

const char *cgroup_v2_mount(void)
{
	static char mnt[4096];
	static int state;	/* 0 not looked, 1 found, -1 none */
	struct statfs sf;

	if (state)
		return state > 0 ? mnt : NULL;
	state = -1;
	/* the usual places first, then whatever mountinfo says */
	static const char *const usual[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < 2; i++)
		if (statfs(usual[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(mnt, sizeof(mnt), "%s", usual[i]);
			state = 1;
			return mnt;
		}
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[8192];

	while (f && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - cgroup2 "), *m;

		if (!dash)
			continue;
		/* field 5 is the mount point */
		m = line;
		for (int k = 0; k < 4 && m; k++) {
			m = strchr(m, ' ');
			if (m)
				m++;
		}
		if (!m)
			continue;
		*strchrnul(m, ' ') = '\0';
		snprintf(mnt, sizeof(mnt), "%s", m);
		state = 1;
		break;
	}
	if (f)
		fclose(f);
	return state > 0 ? mnt : NULL;
}

bool cgroup_path_under(const char *path, const char *under)
{
	size_t ul = strlen(under);

	while (ul > 1 && under[ul - 1] == '/')
		ul--;
	if (ul == 1 && under[0] == '/')
		return path[0] == '/';
	return !strncmp(path, under, ul) && (path[ul] == '\0' || path[ul] == '/');
}

int cgroup_path_of_id(__u64 id, char *out, size_t n)
{
	/* kernfs file handles (FILEID_KERNFS) are the node's 64-bit id */
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh.handle_bytes = sizeof(__u64), .fh.handle_type = 0xfe, .id = id };
	const char *mnt = cgroup_v2_mount();
	static int mfd = -1;	/* the mount, opened once */
	char link[64], full[4096];
	size_t ml;
	ssize_t len;
	int fd;

	if (!mnt || !id)
		return -1;
	if (mfd < 0 && (mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	fd = open_by_handle_at(mfd, &h.fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -1;	/* removed since, or no CAP_DAC_READ_SEARCH */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, full, sizeof(full) - 1);
	close(fd);
	ml = strlen(mnt);
	if (len < (ssize_t)ml)
		return -1;
	full[len] = '\0';
	if (strncmp(full, mnt, ml) || (full[ml] && full[ml] != '/'))
		return -1;	/* reached through another mount of the hierarchy */
	snprintf(out, n, "%s", full[ml] ? full + ml : "/");
	return 0;
}

/* The cgroup's id: the kernfs node id, which is the directory's inode
 * number on cgroup2 (64-bit); name_to_handle_at gives it whole. */
static int cgroup_id(const char *dir, __u64 *id)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh.handle_bytes = sizeof(__u64) };
	int mnt_id;
	struct stat st;

	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mnt_id, 0) == 0 &&
	    h.fh.handle_bytes == sizeof(__u64)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	if (stat(dir, &st))
		return -1;
	*id = st.st_ino;
	return 0;
}

/* Breadth-first for the shallowest directory named name below root/rel. */
static int find_named(const char *root, const char *name, char *rel, size_t n)
{
	char (*queue)[4096] = NULL;
	size_t head = 0, tail = 0, cap = 0;
	int found = -1;

	queue = malloc(sizeof(*queue) * 64);
	if (!queue)
		return -1;
	cap = 64;
	queue[tail++][0] = '\0';
	while (head < tail && found < 0) {
		char dir[8192], here[4096];
		struct dirent *de;
		DIR *d;

		memcpy(here, queue[head], sizeof(here));
		snprintf(dir, sizeof(dir), "%s%s", root, here);
		d = opendir(dir);
		if (!d) {
			head++;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			if (!strcmp(de->d_name, name)) {
				snprintf(rel, n, "%s/%s", here, de->d_name);
				found = 0;
				break;
			}
			if (tail == cap) {
				void *nq = realloc(queue, sizeof(*queue) * cap * 2);

				if (!nq)
					break;
				queue = nq;
				cap *= 2;
			}
			if ((size_t)snprintf(queue[tail], sizeof(queue[tail]), "%s/%s", here,
					     de->d_name) < sizeof(queue[tail]))
				tail++;
		}
		closedir(d);
		head++;
	}
	free(queue);
	return found;
}

static bool has_dotdot(const char *arg)
{
	for (const char *p = arg; *p;) {
		const char *e = strchrnul(p, '/');

		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

int cgroup_resolve(const char *arg, char *path, size_t n, __u64 *id, __u32 *level,
		   const char **why)
{
	const char *root = cgroup_v2_mount();
	char rel[4096], full[8192];
	struct stat st;
	size_t len;
	__u32 lv = 0;

	if (!root) {
		*why = "no cgroup v2 hierarchy is mounted";
		return -1;
	}
	if (!*arg) {
		*why = "empty cgroup";
		return -1;
	}
	if (has_dotdot(arg)) {
		*why = "\"..\" is not allowed in a cgroup path";
		return -1;
	}
	if (strchr(arg, '/')) {
		snprintf(rel, sizeof(rel), "%s%s", arg[0] == '/' ? "" : "/", arg);
	} else if (find_named(root, arg, rel, sizeof(rel))) {
		*why = "no cgroup of that name in the cgroup v2 hierarchy";
		return -1;
	}
	/* no trailing or doubled slashes: the path as /proc/PID/cgroup has it */
	len = 0;
	for (const char *p = rel; *p; p++)
		if (!(*p == '/' && (p[1] == '/' || p[1] == '\0')) || len == 0)
			rel[len++] = *p;
	rel[len] = '\0';
	if (len > 1 && rel[len - 1] == '/')
		rel[--len] = '\0';
	snprintf(full, sizeof(full), "%s%s", root, len > 1 ? rel : "");
	if (stat(full, &st) || !S_ISDIR(st.st_mode) ||
	    (len > 1 && access(strcat(full, "/cgroup.procs"), F_OK))) {
		*why = "no such cgroup in the cgroup v2 hierarchy";
		return -1;
	}
	snprintf(full, sizeof(full), "%s%s", root, len > 1 ? rel : "");
	if (cgroup_id(full, id)) {
		*why = "cannot read the cgroup's id";
		return -1;
	}
	if (len > 1)
		for (const char *p = rel; *p; p++)
			lv += *p == '/';
	*level = lv;
	copy(path, n, len > 1 ? rel : "/", len > 1 ? len : 1);
	return 0;
}
