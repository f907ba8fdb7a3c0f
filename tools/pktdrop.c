/* pktdrop: drops TCP packets arriving on a network device, to cause real
 * retransmits in tests (this host has no netem). A tc clsact ingress
 * filter whose BPF program is written here as instructions, so the tool
 * needs no BPF compiler.
 *
 *   pktdrop --dev IF --first N            drop the first N TCP packets
 *   pktdrop --dev IF --every N [--min-len B]
 *                                         drop about one in N TCP packets
 *                                         of at least B bytes (default 200:
 *                                         data, not bare ACKs), at random
 *
 * Prints {"ready":true} once attached, runs until stdin closes or SIGTERM/
 * SIGINT, then detaches and prints {"tcp_seen":S,"dropped":D}.
 * Run it inside the namespace of the device (ip netns exec).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s)     INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)     INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define MOD64_IMM(d, i)     INSN(BPF_ALU64 | BPF_MOD | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o)    INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o)    INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST_IMM(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define XADD64(d, s, o)     INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JA(o)               INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f)             INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()              INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP_FD(d, fd)    INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

/* stats map (array of u64): [0] TCP packets seen, [1] dropped */
enum { SLOT_SEEN, SLOT_DROPPED, NSLOTS };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* r7 = &stats[slot] or exit OK; clobbers r1-r5 */
#define STATS_PTR(slot)                                          \
	LD_MAP_FD(BPF_REG_1, map_fd), MOV64_REG(BPF_REG_2, BPF_REG_10), \
	ADD64_IMM(BPF_REG_2, -16), ST_IMM(BPF_W, BPF_REG_10, -16, slot), \
	CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1), JA(2), \
	MOV64_IMM(BPF_REG_0, TC_ACT_OK), EXIT(), MOV64_REG(BPF_REG_7, BPF_REG_0)

static int load_prog(int map_fd, int first, int every, int min_len)
{
	const struct bpf_insn head[] = {
		/* 0 */ MOV64_REG(BPF_REG_6, BPF_REG_1),
		/* the IP protocol byte: offset 23 (IPv4) or 20 (IPv6) from the
		 * Ethernet header that tc programs see */
		/* 1 */ LDX(BPF_W, BPF_REG_2, BPF_REG_6, offsetof(struct __sk_buff, protocol)),
		/* 2 */ JMP_IMM(BPF_JEQ, BPF_REG_2, __builtin_bswap16(ETH_P_IP), 3),	/* -> 6 */
		/* 3 */ JMP_IMM(BPF_JEQ, BPF_REG_2, __builtin_bswap16(ETH_P_IPV6), 4),	/* -> 8 */
		/* 4 */ MOV64_IMM(BPF_REG_0, TC_ACT_OK),	/* pass */
		/* 5 */ EXIT(),
		/* 6 */ MOV64_IMM(BPF_REG_2, 23),
		/* 7 */ JA(1),
		/* 8 */ MOV64_IMM(BPF_REG_2, 20),
		/* 9 */ MOV64_REG(BPF_REG_1, BPF_REG_6),
		/* 10 */ MOV64_REG(BPF_REG_3, BPF_REG_10),
		/* 11 */ ADD64_IMM(BPF_REG_3, -8),
		/* 12 */ ST_IMM(BPF_DW, BPF_REG_10, -8, 0),
		/* 13 */ MOV64_IMM(BPF_REG_4, 1),
		/* 14 */ CALL(BPF_FUNC_skb_load_bytes),
		/* 15 */ JMP_IMM(BPF_JNE, BPF_REG_0, 0, -12),	/* -> pass */
		/* 16 */ LDX(BPF_B, BPF_REG_2, BPF_REG_10, -8),
		/* 17 */ JMP_IMM(BPF_JNE, BPF_REG_2, 6, -14),	/* not TCP -> pass */
		/* a TCP packet: count it; r8 = packets seen, this one included */
		STATS_PTR(SLOT_SEEN),
		MOV64_IMM(BPF_REG_1, 1),
		XADD64(BPF_REG_7, BPF_REG_1, 0),
		LDX(BPF_DW, BPF_REG_8, BPF_REG_7, 0),
	};
	const struct bpf_insn decide_first[] = {
		/* 0 */ MOV64_IMM(BPF_REG_9, first),
		/* 1 */ JMP_REG(BPF_JGT, BPF_REG_8, BPF_REG_9, 1),	/* -> 3 ok */
		/* 2 */ JA(2),						/* -> 5 drop */
		/* 3 */ MOV64_IMM(BPF_REG_0, TC_ACT_OK),
		/* 4 */ EXIT(),
	};
	const struct bpf_insn decide_every[] = {
		/* 0 */ LDX(BPF_W, BPF_REG_2, BPF_REG_6, offsetof(struct __sk_buff, len)),
		/* 1 */ JMP_IMM(BPF_JLT, BPF_REG_2, min_len, 4),		/* -> 6 ok */
		/* 2 */ CALL(BPF_FUNC_get_prandom_u32),
		/* 3 */ MOD64_IMM(BPF_REG_0, every > 0 ? every : 1),
		/* 4 */ JMP_IMM(BPF_JNE, BPF_REG_0, 0, 1),		/* -> 6 ok */
		/* 5 */ JA(2),						/* -> 8 drop */
		/* 6 */ MOV64_IMM(BPF_REG_0, TC_ACT_OK),
		/* 7 */ EXIT(),
	};
	const struct bpf_insn drop[] = {
		STATS_PTR(SLOT_DROPPED),
		MOV64_IMM(BPF_REG_1, 1),
		XADD64(BPF_REG_7, BPF_REG_1, 0),
		MOV64_IMM(BPF_REG_0, TC_ACT_SHOT),
		EXIT(),
	};
	struct bpf_insn prog[128];
	size_t n = 0;
	static char log[65536];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	int fd;

#define APPEND(a) (memcpy(prog + n, a, sizeof(a)), n += sizeof(a) / sizeof(a[0]))
	APPEND(head);
	if (first)
		APPEND(decide_first);
	else
		APPEND(decide_every);
	APPEND(drop);
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "pktdrop", "GPL", prog, n, &opts);
	if (fd < 0)
		fprintf(stderr, "pktdrop: the kernel rejected the filter: %s\n%s\n",
			strerror(errno), log);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: pktdrop --dev IF (--first N | --every N [--min-len B])\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "first", required_argument, NULL, 'f' },
		{ "every", required_argument, NULL, 'e' },
		{ "min-len", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	int first = 0, every = 0, min_len = 200, c, map_fd, prog_fd, ifindex, err;
	unsigned long long seen = 0, dropped = 0;
	__u32 k;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'f': first = atoi(optarg); break;
		case 'e': every = atoi(optarg); break;
		case 'm': min_len = atoi(optarg); break;
		default: usage();
		}
	}
	if (!dev || (first <= 0) == (every <= 0))
		usage();
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, "pktdrop: no device %s here\n", dev);
		return 1;
	}
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pktdrop_stats", 4, 8, NSLOTS, NULL);
	if (map_fd < 0) {
		fprintf(stderr, "pktdrop: cannot create map: %s\n", strerror(errno));
		return 1;
	}
	prog_fd = load_prog(map_fd, first, every, min_len);
	if (prog_fd < 0)
		return 1;

	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = prog_fd, .handle = 1, .priority = 1);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "pktdrop: cannot add clsact to %s: %s\n", dev, strerror(-err));
		return 1;
	}
	err = bpf_tc_attach(&hook, &tc);
	if (err) {
		fprintf(stderr, "pktdrop: cannot attach to %s: %s\n", dev, strerror(-err));
		bpf_tc_hook_destroy(&hook);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("{\"ready\":true}\n");
	fflush(stdout);

	while (!stop) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		char buf[64];

		if (poll(&pfd, 1, 200) > 0 && read(0, buf, sizeof(buf)) <= 0)
			break;
	}
	tc.prog_fd = tc.prog_id = tc.flags = 0;
	bpf_tc_detach(&hook, &tc);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
	k = SLOT_SEEN;
	bpf_map_lookup_elem(map_fd, &k, &seen);
	k = SLOT_DROPPED;
	bpf_map_lookup_elem(map_fd, &k, &dropped);
	printf("{\"tcp_seen\":%llu,\"dropped\":%llu}\n", seen, dropped);
	return 0;
}
