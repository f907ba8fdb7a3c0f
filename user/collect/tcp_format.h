/* Text for the tcp family's kernel values: addresses and TCP states. */
#ifndef LATSCOPE_TCP_FORMAT_H
#define LATSCOPE_TCP_FORMAT_H

#include <stddef.h>
#include <linux/types.h>

/* A 16-byte address as the BPF side stores it (IPv4 v4-mapped): IPv4
 * dotted, IPv6 in RFC 5952 form. v4-mapped IPv6 is shown as IPv4. */
const char *tcp_addr_str(const __u8 addr[16], char *buf, size_t n);
/* "ESTABLISHED", "SYN_SENT", ... as the kernel's tracepoints name them;
 * "UNKNOWN" for anything else. */
const char *tcp_state_name(unsigned state);

#endif
