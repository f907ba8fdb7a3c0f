/* A peer descriptor from the kernel (include/peers.h) to the SPEC's text:
 * tcp:ADDR:PORT, udp:ADDR:PORT (IPv6 in brackets), unix:PATH, unix:@NAME,
 * unix:ino:N, pipe, file:BASENAME. */
#ifndef LATSCOPE_PEER_NAME_H
#define LATSCOPE_PEER_NAME_H

#include <stddef.h>
#include <linux/types.h>
#include "hist.h"
#include "peers.h"

/* Writes the name into buf (always NUL-terminated); returns buf. Bytes of
 * paths and abstract names are copied as they are (sinks escape them);
 * an abstract name's NULs become '@', as ss(8) and /proc/net/unix show. */
const char *peer_format(const struct peer_desc *d, char *buf, size_t n);

struct hashmap;

/* The frontend's names of peer ids read from a kernel peer_names map (id ->
 * struct peer_desc): formatted once, kept in *cache (id -> char *, made on
 * first use), which starts over past max names (those still in use are
 * read again). NULL when the kernel does not know the id (any more). */
const char *peer_name_cached(struct hashmap **cache, size_t max, int map_fd, __u64 id);

#endif
