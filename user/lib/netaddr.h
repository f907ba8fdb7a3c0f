/* Listen addresses as a user types them: [ADDR]:PORT. */
#ifndef LATSCOPE_NETADDR_H
#define LATSCOPE_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* The default address when only :PORT is given: loopback, so an exporter
 * is never reachable from the network by accident. */
#define NETADDR_DEFAULT_HOST "127.0.0.1"

struct netaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses "1.2.3.4:9000", "[::1]:9000", ":9000" (NETADDR_DEFAULT_HOST) into
 * a. Returns NULL, or what is wrong with s (a phrase for an error line). */
const char *netaddr_parse(const char *s, struct netaddr *a);
/* a as "1.2.3.4:9000" or "[::1]:9000" into buf. */
void netaddr_format(const struct netaddr *a, char *buf, size_t n);

#endif
