/* Listening sockets and their processes from /proc (requests_seed.h). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "hist.h"
#include "collect/requests_seed.h"

#define TCP_LISTEN 0x0A
#define SEED_MAX 4096		/* listening sockets looked for */

int req_seed_parse(const char *line, bool v6, struct req_listener *l, unsigned long *inode)
{
	unsigned w[4] = { 0 }, port, st;
	char addr[40];
	int n;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
		   addr, &port, &st, inode) != 4 || st != TCP_LISTEN || port > 0xffff)
		return 0;
	n = v6 ? 4 : 1;
	if (strlen(addr) != (size_t)n * 8)
		return 0;
	for (int i = 0; i < n; i++) {
		char g[9];

		memcpy(g, addr + i * 8, 8);
		g[8] = 0;
		w[i] = (unsigned)strtoul(g, NULL, 16);
	}
	/* the kernel prints each 32-bit word of the address as it sits in
	 * memory: copied back as is, the bytes are in network order */
	if (v6 && !memcmp(w, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		memcpy(l->addr, &w[3], 4);	/* v4-mapped */
	} else if (v6) {
		memcpy(l->addr, w, 16);
		l->v6 = 1;
	} else {
		memcpy(l->addr, &w[0], 4);
	}
	l->port = (__u16)port;
	return 1;
}

struct seed {
	unsigned long inode;
	struct req_listener l;
};

static size_t read_table(const char *path, bool v6, struct seed *out, size_t n, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return n;
	while (n < max && fgets(line, sizeof(line), f))
		n += req_seed_parse(line, v6, &out[n].l, &out[n].inode);
	fclose(f);
	return n;
}

/* The listening sockets among pid's fds into map fd. */
static void seed_pid(int fd, const char *pid, const struct seed *s, size_t n)
{
	char path[64], link[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		unsigned long ino;
		char p[sizeof(path) + sizeof(e->d_name) + 1];
		ssize_t len;

		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		len = readlink(p, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		for (size_t i = 0; i < n; i++) {
			struct req_port_key k = { .tgid = (__u32)atoi(pid), .port = s[i].l.port };

			if (s[i].inode == ino)
				bpf_map_update_elem(fd, &k, &s[i].l, BPF_ANY);
		}
	}
	closedir(d);
}

void requests_seed(int fd)
{
	struct seed *s = calloc(SEED_MAX, sizeof(*s));
	struct dirent *e;
	size_t n;
	DIR *d;

	if (!s)
		return;
	n = read_table("/proc/net/tcp", false, s, 0, SEED_MAX);
	n = read_table("/proc/net/tcp6", true, s, n, SEED_MAX);
	if (n && (d = opendir("/proc"))) {
		while ((e = readdir(d)))
			if (isdigit((unsigned char)e->d_name[0]))
				seed_pid(fd, e->d_name, s, n);
		closedir(d);
	}
	free(s);
}
