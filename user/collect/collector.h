/* A source of snapshot data: one per probe family. Each loads and attaches
 * its own BPF skeleton, so a family that cannot run on a host is switched
 * off alone (its status says why) while the others keep going. */
#ifndef LATSCOPE_COLLECTOR_H
#define LATSCOPE_COLLECTOR_H

#include "options.h"
#include "snapshot/snapshot.h"

struct collector;

struct family_needs;

struct collector_ops {
	enum family family;
	/* checked before open: a family the kernel cannot run is switched
	 * off with the reason (NULL: nothing to check) */
	const struct family_needs *needs;
	/* the size of its own state, c->priv (zeroed before open, freed
	 * after close) */
	size_t priv_size;
	/* Open, load and attach (the steps of collect/family.h). On failure
	 * return a negative errno and leave the reason in c->status (without
	 * the "unavailable: "); close is called then too. */
	int (*open)(struct collector *c, const struct options *o);
	/* Add this interval's rows to s (deltas since the last call) and the
	 * drops counted since then. */
	int (*collect)(struct collector *c, struct snapshot *s);
	/* Frees what open made (c->priv itself is freed after). */
	void (*close)(struct collector *c);
};

struct collector {
	const struct collector_ops *ops;
	void *priv;
	char status[160];
	bool on;
};

/* Starts family f's collector as o asks. Its status is then "off" (not
 * asked for), "unavailable: <why>" (also said on stderr: not built, the
 * kernel lacks what it needs, or it could not open, load or attach) or
 * "on"; true when on. */
bool collector_start(struct collector *c, enum family f, const struct options *o);
/* Closes a collector that is on. */
void collector_stop(struct collector *c);

/* The families this build knows, indexed by enum family (NULL: not built). */
extern const struct collector_ops *const collector_table[FAM_NR];

extern const struct collector_ops syscalls_collector;
extern const struct collector_ops locks_collector;
extern const struct collector_ops tcp_collector;
extern const struct collector_ops pools_collector;

#endif
