/* The exits map (bpf/exits.bpf.c), shared by the BPF programs and the
 * frontend (user/collect/exits.c): the cgroup a process was in when it
 * exited, or was moved to. */
#ifndef LATSCOPE_EXIT_REC_H
#define LATSCOPE_EXIT_REC_H

/* processes whose exit is remembered; at most about as many exit in one
 * interval on a busy build host */
#define EXITS_MAX 16384

#define EXIT_REC_EXIT	1	/* the process exited (its last thread seen) */
#define EXIT_REC_MOVED	2	/* a thread of it was moved to another cgroup */

struct exit_rec {
	__u64 cgroup_id;	/* its v2 cgroup's id then (0: not known) */
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the event */
	__u32 kind;		/* EXIT_REC_* */
	__u32 pad;
};

#endif
