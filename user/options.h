#ifndef LATSCOPE_OPTIONS_H
#define LATSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>
#include "lib/netaddr.h"
#include "snapshot/snapshot.h"
#include "hist.h"
#include "syscalls.h"
#include "cgroup_filter.h"

#define LATSCOPE_VERSION "0.1.0"

enum out_mode { OUT_AUTO, OUT_TUI, OUT_TEXT, OUT_JSON };

#define REPLAY_MAX_FILES 64

struct options {
	bool replay;
	const char *replay_file;	/* the first of replay_files */
	const char *replay_files[REPLAY_MAX_FILES];
	size_t nreplay;
	bool summary;		/* replay --summary: one merged snapshot */
	__u64 from_ns, to_ns;	/* replay window on ts_ns, CLOCK_REALTIME; 0: open */
	__u64 interval_ns;
	__u64 duration_ns;	/* 0: until stopped */
	__u32 pids[FILTER_MAX_PIDS];
	__u32 npids;
	/* --cgroup: the arguments as given (cli.c), resolved in main before
	 * the families open (cgroups_resolve) */
	struct cgroup_want {
		char arg[256];
		char path[256];	/* v2 path, as /proc/PID/cgroup has it */
		__u64 id;	/* its kernfs id */
		__u32 level;	/* its depth; 0: the root */
	} cgroups[CGROUP_FILTER_MAX];
	__u32 ncgroups;
	bool probes[FAM_NR];	/* families asked for */
	enum out_mode mode;
	const char *out_file;	/* -o */
	const char *prom_file;	/* --prom */
	const char *listen;	/* --listen, as given; NULL: no HTTP endpoint */
	struct netaddr listen_addr;
	unsigned prom_buckets;	/* --prom-buckets: histogram bounds per power of two */
	__u64 rotate_bytes;	/* --rotate: -o FILE rotated past this size; 0: never */
	unsigned keep;		/* --keep: rotated files kept */
	size_t top;
	const char *btf_file;	/* --btf: kernel BTF when the kernel has none */
	__u32 uprobe_pid;	/* --uprobe-locks: 0 none */
	__u32 ustack_bytes;	/* --ustack-bytes: user stack copied per new stack; 0: fp only */
	bool verbose;
	bool peers;		/* the peers view, with the syscalls family (--no-peers) */
	bool requests;		/* the requests view, with the syscalls family
				 * (--probes: on when listed or by default) */
	int nice;		/* --nice: the frontend's nice value */
	bool nice_set;		/* given on the command line */
	int realtime;		/* --realtime: SCHED_FIFO priority; 0: not */
};

/* The frontend runs at this nice value unless --nice says otherwise: a
 * larger share than the host's nice-0 threads for its small, bounded work
 * (a saturated host needs --realtime). */
#define NICE_DEFAULT (-10)

/* Parses argv into o. Returns 0 to go on, 1 after --help/--version (exit
 * 0), or 2 after printing one line on stderr for a usage error. */
int options_parse(struct options *o, int argc, char **argv);
void options_usage(FILE *f);

#endif
