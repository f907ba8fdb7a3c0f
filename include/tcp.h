/* Shared between bpf/tcp.bpf.c and user/collect/tcp.c. */
#ifndef LATSCOPE_TCP_H
#define LATSCOPE_TCP_H

#define TCP_FILTER_MAX_PIDS 64	/* == FILTER_MAX_PIDS of the -p list */
#define TCP_OWNERS_MAX 65536	/* socket -> owner entries (LRU) */
#define TCP_EVENTS_MAX 16384	/* retransmit/reset rows per two intervals */
#define TCP_CONNECTS_MAX 4096	/* connect rows per two intervals */
#define TCP_LISTENERS_MAX 4096
#define TCP_COMM_LEN 16

/* Kernel TCP states (include/net/tcp_states.h): a stable ABI */
enum {
	TCPS_ESTABLISHED = 1, TCPS_SYN_SENT, TCPS_SYN_RECV, TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2, TCPS_TIME_WAIT, TCPS_CLOSE, TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK, TCPS_LISTEN, TCPS_CLOSING, TCPS_NEW_SYN_RECV,
	TCPS_BOUND_INACTIVE, TCPS_MAX_STATES,
};

enum tcp_event_kind {
	TCP_EV_RETRANS = 1,
	TCP_EV_RESET_SENT = 2,
	TCP_EV_RESET_RECV = 3,
};

/* Who owns a socket: learnt in process context (connect, listen, send,
 * recv), read where the event fires (timers, softirq). */
struct tcp_owner {
	__u32 tgid;
	__u32 _pad;
	__u64 connect_start_ns;	/* entered SYN_SENT at; 0 when not connecting */
	char comm[TCP_COMM_LEN];	/* the process's (group leader's) name */
};

/* A connection from the local side: addresses are IPv6, IPv4 as
 * v4-mapped (::ffff:a.b.c.d); ports in host order. */
struct tcp_tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport, dport;
};

/* Events are kept per interval: slot is the frontend's epoch & 1 when the
 * event happened; the frontend reads and deletes the slot that just ended. */
struct tcp_event_key {
	struct tcp_tuple t;
	__u32 tgid;
	__u8 slot;
	__u8 kind;		/* enum tcp_event_kind */
	__u8 state;		/* TCP state at a retransmit; 0 for resets */
	__u8 _pad;
};

struct tcp_event_val {
	__u64 count;
	/* for an event on a socket of unknown owner: its inode number, so
	 * the frontend can find the process holding it in /proc */
	__u64 ino;
	char comm[TCP_COMM_LEN];
};

/* Connect latency per (process, remote). */
struct tcp_connect_key {
	__u8 daddr[16];
	__u16 dport;
	__u8 slot;
	__u8 _pad;
	__u32 tgid;
};

struct tcp_connect_val {
	__u64 count;		/* SYN_SENT -> ESTABLISHED */
	__u64 failed;		/* SYN_SENT -> CLOSE */
	__u64 max_ns;
	char comm[TCP_COMM_LEN];
	__u32 hist[HIST_NBUCKETS];
};

/* Listening sockets, so a child socket (made in softirq) inherits the
 * owner of its listener. */
struct tcp_listen_key {
	__u64 net;		/* struct net * of the namespace */
	__u16 port;
	__u16 _pad[3];
};

struct tcp_listen_val {
	struct tcp_owner owner;
	__u64 sk;
};

#endif
