/* The tcp family's per-peer roll-up: one row per remote (address, port)
 * from a snapshot's retransmit, reset and connect rows, so the worst peer
 * is one glance away. Works on any snapshot (live or replayed). */
#ifndef LATSCOPE_TCP_PEERS_H
#define LATSCOPE_TCP_PEERS_H

#include "snapshot/snapshot.h"

/* Fills s->tcp_peers (replacing what it held). Connect p99 comes from the
 * merged histograms of the peer's connect rows where they have one, else
 * the largest row p99. 0 or -ENOMEM. */
int tcp_peers_build(struct snapshot *s);

#endif
