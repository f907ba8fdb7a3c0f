#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/procfs.h"
#include "collect/tcp_sock_owner.h"

__u64 sock_inode_of_link(const char *link)
{
	char *end;
	__u64 ino;

	if (strncmp(link, "socket:[", 8))
		return 0;
	ino = strtoull(link + 8, &end, 10);
	return end != link + 8 && *end == ']' && !end[1] ? ino : 0;
}

/* Looks at one process's descriptors; returns how many wanted were found. */
static int scan_process(int procfd, const char *pid, struct hashmap *want)
{
	char path[300], link[64];
	struct dirent *d;
	int found = 0, fd;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/fd", pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while ((d = readdir(dir))) {
		struct inode_owner *o;
		ssize_t n;
		__u64 ino;

		if (d->d_name[0] == '.')
			continue;
		n = readlinkat(fd, d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!(ino = sock_inode_of_link(link)) || !(o = hashmap_get(want, &ino)) || o->pid)
			continue;
		o->pid = (__u32)strtoul(pid, NULL, 10);
		if (procfs_comm(o->pid, 0, o->comm, sizeof(o->comm)))
			o->comm[0] = 0;
		found++;
	}
	closedir(dir);
	return found;
}

int sock_inode_owners(struct hashmap *want)
{
	int procfd, found = 0;
	size_t missing = 0, b = 0;
	struct hm_entry *it = NULL;
	struct dirent *d;
	DIR *dir;

	while ((it = hashmap_next(want, it, &b)))
		if (!((struct inode_owner *)it->value)->pid)
			missing++;
	if (!missing)
		return 0;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return 0;
	dir = fdopendir(procfd);
	if (!dir) {
		close(procfd);
		return 0;
	}
	while ((d = readdir(dir)) && (size_t)found < missing) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		found += scan_process(procfd, d->d_name, want);
	}
	closedir(dir);
	return found;
}
