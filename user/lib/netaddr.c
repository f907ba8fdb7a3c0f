/* [ADDR]:PORT parsing. Numeric addresses only: a name would need DNS at
 * start, and an exporter bound to the wrong interface is a security bug. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/netaddr.h"

#define FORMS "use ADDR:PORT, [IPV6]:PORT or :PORT (e.g. 127.0.0.1:9000)"

/* A port from 1 to 65535, digits only. */
static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 1 || v > 65535)
		return -1;
	*port = (unsigned short)v;
	return 0;
}

static const char *parse_v6(const char *s, struct netaddr *a)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	const char *close = strchr(s, ']');
	char host[INET6_ADDRSTRLEN + 1];
	size_t n;

	if (!close || close[1] != ':')
		return "an IPv6 address needs brackets and a port: [::1]:9000";
	n = (size_t)(close - s - 1);
	if (n >= sizeof(host))
		return "not an IPv6 address";
	memcpy(host, s + 1, n);
	host[n] = 0;
	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return "not an IPv6 address (numeric only, e.g. [::1]:9000)";
	if (parse_port(close + 2, &sin6->sin6_port))
		return "not a port from 1 to 65535";
	sin6->sin6_port = htons(sin6->sin6_port);
	a->len = sizeof(*sin6);
	return NULL;
}

const char *netaddr_parse(const char *s, struct netaddr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	const char *colon;
	char host[INET_ADDRSTRLEN + 1];
	size_t n;

	memset(a, 0, sizeof(*a));
	if (!s || !*s)
		return "empty; " FORMS;
	if (*s == '[')
		return parse_v6(s, a);
	colon = strrchr(s, ':');
	if (!colon)
		return "no port; " FORMS;
	if (memchr(s, ':', (size_t)(colon - s)))
		return "an IPv6 address needs brackets: [::1]:9000";
	n = (size_t)(colon - s);
	if (n >= sizeof(host))
		return "not an IPv4 address; " FORMS;
	memcpy(host, s, n);
	host[n] = 0;
	if (!n)
		snprintf(host, sizeof(host), "%s", NETADDR_DEFAULT_HOST);
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return "not an IPv4 address (numeric only); " FORMS;
	if (parse_port(colon + 1, &sin->sin_port))
		return "not a port from 1 to 65535";
	sin->sin_port = htons(sin->sin_port);
	a->len = sizeof(*sin);
	return NULL;
}

void netaddr_format(const struct netaddr *a, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, n, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, n, "%s:%u", host, ntohs(sin->sin_port));
	}
}
