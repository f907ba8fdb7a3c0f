#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "collect/tcp_format.h"

const char *tcp_addr_str(const __u8 addr[16], char *buf, size_t n)
{
	static const __u8 v4prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!n)
		return buf;
	if (!memcmp(addr, v4prefix, sizeof(v4prefix))) {
		if (!inet_ntop(AF_INET, addr + 12, buf, (socklen_t)n))
			buf[0] = 0;
	} else if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)n)) {
		buf[0] = 0;
	}
	return buf;
}

const char *tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
		[13] = "BOUND_INACTIVE",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "UNKNOWN";
}
