/* The snapshot: what every source (live collectors, the replay reader)
 * produces and every sink (TUI, JSON, Prometheus) consumes. Plain data, no
 * I/O, no BPF. One snapshot describes the window [ts_ns - interval_ns, ts_ns].
 * Field meanings are those of shared/SPEC.md (schema latscope/1).
 */
#ifndef LATSCOPE_SNAPSHOT_H
#define LATSCOPE_SNAPSHOT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define SNAP_COMM_LEN 64	/* 15 kernel bytes; room for replayed escapes */
#define SNAP_NAME_LEN 64	/* syscall, lock type, state names */
#define SNAP_ADDR_LEN 48	/* an IPv6 address in text */
#define SNAP_PEER_LEN 128	/* "tcp:[v6]:port", "unix:PATH", "file:NAME" */
#define SNAP_SYM_LEN 128
#define SNAP_CGROUP_LEN 256	/* a cgroup v2 path; longer ones end in "..." */
#define SNAP_SERVICE_LEN 128	/* the service named from it (a unit name, docker:ID) */

enum family { FAM_SYSCALLS, FAM_TCP, FAM_LOCKS, FAM_POOLS, FAM_NR };
extern const char *const family_names[FAM_NR];

/* A growable array of rows of one type. */
struct vec {
	void *data;
	size_t len, cap, elem;
};

#include "snapshot/fields.h"

/* The rows, one struct per section, declared from the field lists of
 * fields.h (where each field is described). */
#define SNAP_SUB_STRUCT(j_, r_, F_) struct r_ { F_(SNAP_DECL_FIELD) };
#define SNAP_ROW_STRUCT(g_, j_, m_, r_, F_, w_) struct r_ { F_(SNAP_DECL_FIELD) };
SNAP_SUBSECTIONS(SNAP_SUB_STRUCT)
SNAP_SECTIONS(SNAP_ROW_STRUCT)

struct snapshot {
	char host[256];
	char kernel[128];
	__u64 ts_ns;		/* CLOCK_REALTIME at the end of the interval */
	__u64 interval_ns;	/* measured length of the interval */
	char probes[FAM_NR][160];	/* "on", "off", "unavailable: why" */

	/* the lists (SNAP_SECTIONS): struct vec syscalls, inflight, ... */
#define SNAP_DECL_LIST(g_, j_, m_, r_, F_, w_) struct vec m_;
	SNAP_SECTIONS(SNAP_DECL_LIST)

#define SNAP_DECL_COUNTER(n) __u64 n;
	struct { SNAP_TRUNCATED_FIELDS(SNAP_DECL_COUNTER) } truncated;
	struct { SNAP_DROPPED_FIELDS(SNAP_DECL_COUNTER) } dropped;
	struct { SNAP_LISTEN_FIELDS(SNAP_DECL_COUNTER) } listen;
	int holds;		/* extra owners (snapshot_hold); 0: one owner; atomic */
};

/* snapshot.c */
void vec_init(struct vec *v, size_t elem);
void *vec_push(struct vec *v);	/* a zeroed new row, NULL on ENOMEM */
void vec_free(struct vec *v);
#define vec_at(v, type, i) (&((type *)(v)->data)[i])

struct snapshot *snapshot_new(void);
/* Drops one owner; the last one frees. Thread-safe with snapshot_hold. */
void snapshot_free(struct snapshot *s);
/* One more owner: a sink that keeps a snapshot past its write (the TUI
 * redraws from it until the next one) holds it instead of copying it. */
struct snapshot *snapshot_hold(const struct snapshot *s);
/* Sort every list by its main cost and cut each to top rows; the rows cut
 * are added to s->truncated (a collector may have left some out already). */
void snapshot_sort_truncate(struct snapshot *s, size_t top);
/* Copy a possibly hostile kernel string (not NUL-terminated past n). */
void snap_strcpy(char *dst, size_t dstsz, const char *src, size_t n);

#endif
