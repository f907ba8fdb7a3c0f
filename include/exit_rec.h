/* The exits map (bpf/exits.bpf.c), shared by the BPF program and the
 * frontend (user/collect/exits.c): the cgroup a process was in when it
 * exited. */
#ifndef LATSCOPE_EXIT_REC_H
#define LATSCOPE_EXIT_REC_H

/* processes whose exit is remembered; at most about as many exit in one
 * interval on a busy build host */
#define EXITS_MAX 16384

struct exit_rec {
	__u64 cgroup_id;	/* bpf_get_current_cgroup_id(): the v2 cgroup */
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the exit */
};

#endif
