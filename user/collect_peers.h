/* The peers view (SPEC "peers"): runs with the syscalls family, which opens
 * it after its own programs and calls it each snapshot when --peers asks
 * for it. Its own skeleton (bpf/peers.bpf.c), so a kernel where it cannot
 * load keeps the syscalls family (a warning on stderr says why). */
#ifndef LATSCOPE_COLLECT_PEERS_H
#define LATSCOPE_COLLECT_PEERS_H

#include <stddef.h>
#include <linux/types.h>
#include "options.h"
#include "snapshot.h"

struct peers;

/* Opens, loads and attaches; NULL with the reason in why on failure. */
struct peers *peers_open(const struct options *o, char *why, size_t n);
/* Moves the kernel side to the next interval's entries: call it with the
 * syscalls family's own flip, before the settle time both need. */
void peers_flip(struct peers *p);
/* Adds the interval that ended at the last flip to s. */
int peers_collect(struct peers *p, struct snapshot *s);
void peers_close(struct peers *p);

/* For another family (pools' blocked_on): the running instance, or NULL
 * when peers is off; the fds of its maps to bpf_map__reuse_fd (see
 * include/peers.h); and the SPEC text of a peer id (NULL if unknown). */
enum peers_map { PEERS_MAP_THREADS, PEERS_MAP_NAMES };
struct peers *peers_current(void);
int peers_map_fd(struct peers *p, enum peers_map m);
const char *peers_name(struct peers *p, __u64 id);

#endif
