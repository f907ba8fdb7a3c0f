/* The ports processes listen on when latscope starts, from /proc, into the
 * requests view's req_ports map: connections accepted before latscope
 * started are server connections too (found by their local port). */
#ifndef LATSCOPE_COLLECT_REQUESTS_SEED_H
#define LATSCOPE_COLLECT_REQUESTS_SEED_H

#include <stdbool.h>
#include "requests.h"

/* One line of /proc/net/tcp (v6: tcp6): 1 with *l and *inode for a
 * listening socket, 0 for any other line. A v4-mapped address is IPv4, as
 * the kernel side stores it. */
int req_seed_parse(const char *line, bool v6, struct req_listener *l, unsigned long *inode);
/* Seeds map fd (struct req_port_key -> struct req_listener) with the
 * listening TCP sockets of this network namespace and the processes that
 * hold them. Best effort: what cannot be read is left out. */
void requests_seed(int fd);

#endif
