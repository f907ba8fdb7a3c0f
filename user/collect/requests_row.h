/* The requests view's rows from its kernel figures (include/requests.h):
 * plain data in, snapshot rows out, no BPF. */
#ifndef LATSCOPE_COLLECT_REQUESTS_ROW_H
#define LATSCOPE_COLLECT_REQUESTS_ROW_H

#include <stddef.h>
#include <linux/types.h>
#include "hist.h"
#include "requests.h"
#include "snapshot/snapshot.h"

/* Clients kept per listener, most total request time first. */
#define REQ_CLIENTS_TOP 16

/* An address as the kernel side stores it (IPv4 in the first 4 bytes). */
const char *req_addr_str(const __u8 addr[16], int v6, char *buf, size_t n);
/* row (zeroed, its sub-lists set up) from one interval of listener k;
 * 0 or -ENOMEM. */
int req_row_fill(struct snap_request *row, const struct req_key *k, const struct req_stats *st);
/* A client's figures st into row's clients; 0 or -ENOMEM. */
int req_client_add(struct snap_request *row, const struct req_client_key *k,
		   const struct req_stats *st);
/* st added into acc (a listener's figures, its clients' summed): counts
 * and histograms summed, maxima kept, the first name kept. */
void req_stats_add(struct req_stats *acc, const struct req_stats *st);
/* row's clients sorted by total request time, cut to top; returns how
 * many were cut. */
size_t req_clients_cut(struct snap_request *row, size_t top);
/* The in-flight row of connection c open at now (c->state REQ_RECEIVING);
 * 0 when it has been open less than min_ns (row untouched). */
int req_inflight_fill(struct snap_inflight_request *row, __u32 tgid, const struct req_conn *c,
		      __u64 now, __u64 min_ns);

/* row (zeroed) from one interval of listener k's accept queue; -ENOMEM */
int req_listener_fill(struct snap_listener *row, const struct req_key *k,
		      const struct req_accept_stats *st);

/* A roundtrips row of row: its requests' calls to downstream peer (named)
 * in one interval; -ENOMEM */
int req_rt_add(struct snap_request *row, const char *peer, const struct req_rt_stats *st);
/* row's roundtrips sorted by round trips (most first), cut to top; the
 * number cut */
size_t req_rt_cut(struct snap_request *row, size_t top);

#endif
