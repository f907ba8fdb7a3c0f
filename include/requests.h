/* Shared between the requests view's kernel side (bpf/requests_work.h,
 * folded into the syscalls family's sys_exit program) and
 * user/collect/requests.c. */
#ifndef LATSCOPE_REQUESTS_H
#define LATSCOPE_REQUESTS_H

/* TCP states (the kernel's, as in netinet/tcp.h) */
#define REQ_TCP_ESTABLISHED 1
#define REQ_TCP_SYN_RECV 3

/* peer_cache_slot.req: what the file on that fd is to the requests view */
#define REQ_FD_UNKNOWN 0	/* not looked at since the slot was resolved */
#define REQ_FD_OTHER 1		/* not a server connection */
#define REQ_FD_SERVER 2		/* a server connection: in req_conns */

/* A listener: its own local address (0.0.0.0 / :: when bound to any) and
 * port, host order. */
struct req_listener {
	__u8 addr[16];
	__u16 port;
	__u8 v6;
	__u8 pad;
	__u32 pad2;
};

/* Key of req_listeners: which ports a process listens on. */
struct req_port_key {
	__u32 tgid;
	__u16 port;
	__u16 pad;
};

/* Key of req_conns: a server connection of a process. */
struct req_conn_key {
	__u32 tgid;
	__s32 fd;
};

#define REQ_IDLE 0		/* no request open */
#define REQ_RECEIVING 1		/* data received, nothing sent yet */
#define REQ_RESPONDING 2	/* sent since the request's first data */

/* The downstream peers a request's thread talked to while serving it, at
 * most REQ_PEERS (the calls to further ones are not counted). */
#define REQ_PEERS 4
struct req_peer_calls {
	__u64 peer;		/* peer id (0: free) */
	__u64 io_ns;		/* time in I/O calls on it */
	__u32 turns;		/* round trips (a receive after a send) */
	__u32 calls;
};

/* A request's time split by its thread's state (the pools family's
 * states; its idle, a serving thread waiting for something, counts as io) */
enum { REQ_WHY_ONCPU, REQ_WHY_RUNQ, REQ_WHY_LOCK, REQ_WHY_IO, REQ_WHY_NR };

/* One server connection and its request in progress. */
struct req_conn {
	__u64 file;		/* struct file of the fd when it was made */
	__u64 start_ns;		/* the request's first receive returned */
	__u64 first_send_ns;	/* its first send returned (0: none yet) */
	__u64 last_send_ns;	/* its last send returned */
	__u64 bytes_in, bytes_out;	/* of the request in progress */
	__u64 pstart;		/* the process's start time (the stats key's) */
	struct req_listener l;
	__u8 caddr[16];		/* the client's address */
	__u8 cv6;
	__u8 state;		/* REQ_IDLE, REQ_RECEIVING, REQ_RESPONDING */
	__u8 accepted;		/* seen at accept (else found by its port) */
	__u8 pad;
	__u32 tid;		/* the thread that received the request's data */
	char comm[16];		/* the process's name */
	__u32 seq;		/* the request's number on the connection */
	__u8 shared;		/* its thread served another at the same time, or
				 * it moved between threads: not attributable */
	__u8 split_ok;		/* st0 and split hold its thread's states */
	__u8 pad3[2];
	struct req_peer_calls down[REQ_PEERS];
	/* its thread's time per state (REQ_WHY_*: the pools family's
	 * on-CPU, run queue, lock, io) at its start, and from its start to
	 * its last send */
	__u64 st0[REQ_WHY_NR];
	__u64 split[REQ_WHY_NR];
};

/* A listener of a process in one epoch parity (part of req_client_key). */
struct req_key {
	__u64 pstart;
	__u32 tgid;
	__u32 slot;		/* 0 or REQ_KEY_SLOT */
	struct req_listener l;
};
#define REQ_KEY_SLOT 0x80000000u

/* One interval of one client of one listener (the listener's figures are
 * its clients' summed). requests is the histogram's sum. */
struct req_stats {
	__u64 total_ns;
	__u64 max_ns;
	__u64 ttfb_total_ns;	/* time to the first byte sent, summed */
	__u64 ttfb_max_ns;
	__u64 bytes_in, bytes_out;	/* of the requests that ended */
	__u64 accepted, closed;	/* connections from the client */
	__u64 shared;		/* requests whose downstream calls are not
				 * attributable (see req_conn.shared) */
	__u64 why_requests;	/* requests with their time split: */
	__u64 why_ns[REQ_WHY_NR];
	char comm[16];
	__u32 hist[HIST_NBUCKETS];
};

/* Key of req_clients: (process, listener, parity, client address). */
struct req_client_key {
	struct req_key k;
	__u8 caddr[16];
	__u8 cv6;
	__u8 pad[7];
};

/* Round trips per request: counts 0 .. REQ_RT_BUCKETS - 2 exact, the
 * last bucket for more. */
#define REQ_RT_BUCKETS 128

/* Key of req_roundtrips: a listener's requests' calls to one downstream
 * peer in one epoch parity. */
struct req_rt_key {
	struct req_key k;
	__u64 peer;
};

/* One interval of one (listener, downstream peer): the requests that
 * called it (attributable ones), their round trips to it (a histogram of
 * round trips per request, and the sum) and their time in calls on it. */
struct req_rt_stats {
	__u64 requests;
	__u64 turns;
	__u64 io_ns;
	__u32 max_turns;
	__u32 pad;
	char comm[16];		/* stats_entry's (the process's name) */
	__u32 hist[REQ_RT_BUCKETS];
};

/* One interval of a listener's accept queue (req_accepts, keyed by the
 * listener's req_key): the connections accepted, and of those whose
 * handshake was seen, the wait from the handshake's end (the connection
 * queued) to accept's return. hist counts those waits. */
struct req_accept_stats {
	__u64 accepted;		/* connections accepted */
	__u64 full;		/* accepts that found the queue at its limit */
	__u64 total_ns;		/* the waits, summed */
	__u64 max_ns;
	__u32 queue_max;	/* the longest queue an accept found */
	__u32 backlog;		/* the queue's limit (listen's backlog, capped) */
	char comm[16];
	__u32 hist[HIST_NBUCKETS];
};

#endif
