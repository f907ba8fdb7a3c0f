#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "collect/peers_name.h"
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/hashmap.h"
#include "snapshot/snapshot.h"

static const char *inet_name(const char *proto, const struct peer_desc *d, char *buf,
			     size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (d->v6) {
		inet_ntop(AF_INET6, d->addr, a, sizeof(a));
		snprintf(buf, n, "%s:[%s]:%u", proto, a, d->port);
	} else {
		inet_ntop(AF_INET, d->addr, a, sizeof(a));
		snprintf(buf, n, "%s:%s:%u", proto, a, d->port);
	}
	return buf;
}

const char *peer_format(const struct peer_desc *d, char *buf, size_t n)
{
	size_t len = d->name_len < PEER_NAME_LEN ? d->name_len : PEER_NAME_LEN;
	char name[PEER_NAME_LEN + 1];

	if (!n)
		return buf;
	memcpy(name, d->name, len);
	name[len] = 0;
	switch (d->kind) {
	case PEER_TCP:
		return inet_name("tcp", d, buf, n);
	case PEER_UDP:
		return inet_name("udp", d, buf, n);
	case PEER_UNIX_PATH:
		snprintf(buf, n, "unix:%s", name);
		break;
	case PEER_UNIX_ABSTRACT:
		for (size_t i = 0; i < len; i++)
			if (!name[i])
				name[i] = '@';
		snprintf(buf, n, "unix:@%s", name);
		break;
	case PEER_UNIX_INO:
		snprintf(buf, n, "unix:ino:%llu", (unsigned long long)d->ino);
		break;
	case PEER_PIPE:
		snprintf(buf, n, "pipe");
		break;
	case PEER_FILE:
		snprintf(buf, n, "file:%s", name);
		break;
	default:
		snprintf(buf, n, "unknown");
	}
	return buf;
}

const char *peer_name_cached(struct hashmap **cache, size_t max, int map_fd, __u64 id)
{
	struct peer_desc d;
	char buf[SNAP_PEER_LEN], *name;

	if (!id)
		return NULL;
	if (*cache && (name = hashmap_get(*cache, &id)))
		return name;
	if (bpf_map_lookup_elem(map_fd, &id, &d))
		return NULL;
	if (*cache && (*cache)->len >= max) {
		hashmap_free(*cache, free);
		*cache = NULL;
	}
	if (!*cache && !(*cache = hashmap_new(sizeof(__u64))))
		return NULL;
	name = strdup(peer_format(&d, buf, sizeof(buf)));
	if (!name || hashmap_put(*cache, &id, name)) {
		free(name);
		return NULL;
	}
	return name;
}
