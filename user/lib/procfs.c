#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/procfs.h"

int procfs_parse_stat(const char *text, char *comm, size_t n, unsigned long long *start)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')'), *p;
	size_t len;
	int field;

	if (!open || !close || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if (comm && n) {
		if (len >= n)
			len = n - 1;
		memcpy(comm, open + 1, len);
		comm[len] = 0;
	}
	/* after ") " comes field 3 (state); starttime is field 22 */
	p = close + 1;
	for (field = 3; field < 22 && p; field++) {
		while (*p == ' ')
			p++;
		p = strchr(p, ' ');
	}
	if (!p)
		return -1;
	if (start)
		*start = strtoull(p + 1, NULL, 10);
	return 0;
}

long procfs_read(__u32 pid, const char *file, char *buf, size_t n)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return (long)len;
}

static int read_stat(__u32 tgid, char *comm, size_t n, unsigned long long *start)
{
	char buf[1024];

	if (procfs_read(tgid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	return procfs_parse_stat(buf, comm, n, start);
}

static bool same_start(__u64 pstart, unsigned long long ticks)
{
	static long hz;
	unsigned long long want;

	if (!pstart)
		return true;
	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	want = pstart / (1000000000ULL / (unsigned long long)hz);
	/* one tick of slack for rounding */
	return ticks + 1 >= want && ticks <= want + 1;
}

int procfs_comm(__u32 tgid, __u64 pstart, char *buf, size_t n)
{
	unsigned long long ticks;
	char comm[64];

	if (read_stat(tgid, comm, sizeof(comm), &ticks) || !same_start(pstart, ticks))
		return -1;
	snprintf(buf, n, "%s", comm);
	return 0;
}

bool procfs_alive(__u32 tgid, __u64 pstart)
{
	unsigned long long ticks;

	return !read_stat(tgid, NULL, 0, &ticks) && same_start(pstart, ticks);
}

long procfs_tgid(__u32 pid)
{
	char path[48], line[128];
	long tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* The index of name among the space-separated words of line (after its
 * "Group:"), or -1. */
static int word_index(const char *line, const char *name)
{
	size_t len = strlen(name);
	const char *p = strchr(line, ':');
	int i = 0;

	while (p && *p) {
		p += strspn(p, ": \n");
		if (!*p)
			break;
		if (!strncmp(p, name, len) && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return i;
		p += strcspn(p, " \n");
		i++;
	}
	return -1;
}

/* The idx-th number of a values line (after its "Group:"). */
static int word_u64(const char *line, int idx, __u64 *v)
{
	const char *p = strchr(line, ':');
	char *end;

	if (!p)
		return -1;
	p++;
	for (int i = 0; i <= idx; i++) {
		unsigned long long x = strtoull(p, &end, 10);

		if (end == p)
			return -1;
		if (i == idx)
			*v = x;
		p = end;
	}
	return 0;
}

int procfs_netstat(const char *group, const char *const *names, size_t n, __u64 *v)
{
	char names_line[8192], values[8192];
	size_t glen = strlen(group);
	FILE *f = fopen("/proc/net/netstat", "re");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(names_line, sizeof(names_line), f)) {
		if (strncmp(names_line, group, glen) || names_line[glen] != ':')
			continue;
		if (!fgets(values, sizeof(values), f))
			break;
		rc = 0;
		for (size_t i = 0; i < n && !rc; i++) {
			int idx = word_index(names_line, names[i]);

			rc = idx < 0 ? -1 : word_u64(values, idx, &v[i]);
		}
		break;
	}
	fclose(f);
	return rc;
}
