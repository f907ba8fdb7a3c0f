/* The few kernel types latscope's BPF programs use, written by hand.
 *
 * Why not a generated vmlinux.h: the build must not depend on the build
 * host's kernel, and a 3 MB generated header hides which fields we rely on.
 * Every struct here carries preserve_access_index, so libbpf relocates each
 * field access against the running kernel's BTF (CO-RE): only the fields
 * named here must exist, at whatever offset the kernel puts them. Add the
 * fields a new probe needs, nothing else.
 */
#ifndef LATSCOPE_VMLINUX_H
#define LATSCOPE_VMLINUX_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
enum { false = 0, true = 1 };

/* uapi constants (include/uapi/linux/bpf.h): stable ABI values */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
};
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_NO_PREALLOC = 1,
	BPF_F_MMAPABLE = 1024,
	BPF_LOCAL_STORAGE_GET_F_CREATE = 1,
	BPF_SK_STORAGE_GET_F_CREATE = 1,
	BPF_F_USER_STACK = 256,
	BPF_F_FAST_STACK_CMP = 512,
	BPF_F_REUSE_STACKID = 1024,
};

/* Verifier features the kernel announces in its BTF (6.17+):
 * bpf_rdonly_cast(p, 0) gives read-only untrusted memory that plain loads
 * may read at any offset (they fault safely, like a probe read). */
enum bpf_features {
	BPF_FEAT_RDONLY_CAST_TO_VOID = 0,
};

/* The context of a raw tracepoint program: the tracepoint's arguments. */
struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct task_struct {
	unsigned int flags;	/* PF_* */
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;	/* requests: a forked server's parent */
	struct task_struct *group_leader;
	u64 start_boottime;
};

/* locks: the mapping that holds a user stack (bpf_find_vma) */
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;	/* in an anonymous union since 6.3: relocated alike */
};


/* --- pools family --- */
/* ___pools flavors: CO-RE matches them to the kernel's types by the name
 * before "___", so they cannot clash with another family's declarations. */
typedef unsigned short umode_t;
enum { BPF_RB_NO_WAKEUP = 1 };	/* uapi bpf.h */

struct pt_regs___pools {
	unsigned long r10;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
};

struct qstr___pools {
	const unsigned char *name;
};

struct dentry___pools {
	struct qstr___pools d_name;
};

struct path___pools {
	struct dentry___pools *dentry;
};

struct inode___pools {
	umode_t i_mode;
	unsigned long i_ino;
};

struct file___pools {
	struct path___pools f_path;
	struct inode___pools *f_inode;
	void *private_data;
};

struct fdtable___pools {
	unsigned int max_fds;
	struct file___pools **fd;
};

struct files_struct___pools {
	struct fdtable___pools *fdt;
};

struct task_struct___pools {
	struct files_struct___pools *files;
};

struct sock_common___pools {
	unsigned char skc_state;
};

struct sock___pools {
	struct sock_common___pools __sk_common;
};

struct socket___pools {
	struct sock___pools *sk;
};

#pragma clang attribute pop


/* --- locks family --- */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

#if defined(__TARGET_ARCH_x86)
/* The user registers of a syscall (arch/x86/include/asm/ptrace.h): the
 * syscall's arguments are in di, si, dx, r10, r8, r9, its number in orig_ax. */
struct pt_regs {
	unsigned long bp;
	unsigned long r10;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
	unsigned long ip;
	unsigned long sp;
};
#endif

#pragma clang attribute pop

/* --- tcp family --- */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
};

struct net;
typedef struct {
	struct net *net;
} possible_net_t;

/* Declared flat: libbpf matches these names inside the kernel's anonymous
 * unions (skc_addrpair, skc_portpair). */
struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct qstr d_name;
};

struct path {
	struct dentry *dentry;
};

struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
};

struct socket {
	struct file *file;
	struct sock *sk;
};

struct sock {
	struct sock_common __sk_common;
	u16 sk_protocol;
	u16 sk_type;
	struct socket *sk_socket;
	u32 sk_ack_backlog;	/* a listener's accept queue: its length */
	u32 sk_max_ack_backlog;	/* and its limit */
};

struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
};

struct request_sock {
	struct sock_common __req_common;
};

struct sk_buff {
	unsigned char *head;
	__u16 transport_header;
	__u16 network_header;
	char cb[48];
};

/* TCP's control block, laid over sk_buff.cb */
struct tcp_skb_cb {
	__u32 seq;
	__u16 tcp_gso_segs;
};

/* task_struct's flags, under a flavor name: task_struct itself is above */
struct task_struct___tcp {
	unsigned int flags;
};

#pragma clang attribute pop


/* --- peers family --- */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct sockaddr_un {
	unsigned short sun_family;
	char sun_path[108];
};

struct unix_address {
	int len;
	struct sockaddr_un name[0];
};

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
};

struct task_struct___peers {
	struct files_struct *files;
};

#pragma clang attribute pop

/* --- --cgroup filter (bpf/cgroup_wanted.h) --- */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct kernfs_node___cg {
	u64 id;
};

/* ancestors[] (since 6.1; ancestor_ids[] before) is indexed by level:
 * ancestors[level] is the cgroup itself */
struct cgroup___cg {
	struct kernfs_node___cg *kn;
	int level;
	struct cgroup___cg *ancestors[];
};

struct css_set___cg {
	struct cgroup___cg *dfl_cgrp;
};

struct task_struct___cg {
	struct css_set___cg *cgroups;
};
#pragma clang attribute pop

#endif
