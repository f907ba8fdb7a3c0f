/* Resolving a file descriptor to the peer it talks to, in BPF: shared by
 * the peers view (bpf/peers_work.h, in the syscalls programs) and pools'
 * blocked_on (bpf/pools.bpf.c). Each object including it gets its own
 * peer_names map (id -> descriptor, for its frontend; PEER_NAMES_MAX
 * entries) and per-CPU scratch descriptor. CO-RE reads only, bounded. */
#ifndef LATSCOPE_PEER_RESOLVE_H
#define LATSCOPE_PEER_RESOLVE_H

#include "peers.h"
#include "regs.h"

#ifndef PEER_NAMES_MAX
#define PEER_NAMES_MAX 16384
#endif

/* Written on every resolution that missed a cache: the peers in use stay
 * recent; the frontend keeps its own copy of every name it has read. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PEER_NAMES_MAX);
	__type(key, __u64);
	__type(value, struct peer_desc);
} peer_names SEC(".maps");

/* Scratch for a resolution: too large for the stack next to the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct peer_desc);
} desc_scratch SEC(".maps");

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFIFO 0010000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2

/* The struct file behind fd in the current task, or 0. task is a trusted
 * BTF pointer: files and fdt are plain loads (no helper call), checked by
 * the verifier; the fd array's slot is a plain load too where the kernel
 * allows it (HAVE_DIRECT_LOADS), else a probe read. */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct task_struct___peers *t = (void *)task;
	struct files_struct *files = t->files;
	struct fdtable *fdt;
	struct file *f = 0;

	if (fd < 0 || !files)
		return 0;
	fdt = files->fdt;
	if (!fdt || (unsigned int)fd >= fdt->max_fds)
		return 0;
	if (HAVE_DIRECT_LOADS) {
		struct file **arr = bpf_rdonly_cast(fdt->fd, 0);

		return arr[fd];
	}
	bpf_probe_read_kernel(&f, sizeof(f), (void *)fdt->fd + (__u64)fd * sizeof(f));
	return f;
}

/* f's inode (f from fd_file: nonzero). */
static __always_inline struct inode *file_inode(struct file *f)
{
	if (HAVE_DIRECT_LOADS) {
		struct file *fk = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));

		return fk->f_inode;
	}
	return BPF_CORE_READ(f, f_inode);
}

/* 64-bit FNV-1a over the descriptor's words: ids need only be distinct
 * among the peers of one host, and 0 is kept for "none". */
static __always_inline __u64 desc_id(const struct peer_desc *d)
{
	const __u64 *w = (const void *)d;
	__u64 h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < (int)(sizeof(*d) / 8); i++) {
		h ^= w[i];
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

/* This CPU's scratch descriptor, zeroed (the id hashes every byte). */
static __always_inline struct peer_desc *peer_scratch(void)
{
	__u32 zero = 0;
	struct peer_desc *d = bpf_map_lookup_elem(&desc_scratch, &zero);

	if (d)
		__builtin_memset(d, 0, sizeof(*d));
	return d;
}

/* The id of a filled descriptor, recorded in peer_names for the frontend. */
static __always_inline __u64 peer_name(const struct peer_desc *d)
{
	__u64 id = desc_id(d);

	bpf_map_update_elem(&peer_names, &id, d, BPF_ANY);
	return id;
}

/* A unix socket: named by the address of the socket it is connected to, or
 * else its own (accepted sockets carry the listener's path), or else its
 * inode. Returns false if the address cannot be read. */
static __always_inline bool unix_desc(struct sock *sk, struct inode *inode,
				      struct peer_desc *d)
{
	struct unix_sock *us = (void *)sk, *peer;
	struct unix_address *ua = 0;
	const char *path;
	char first;
	int len;

	peer = (void *)BPF_CORE_READ(us, peer);
	if (peer)
		ua = BPF_CORE_READ(peer, addr);
	if (!ua)
		ua = BPF_CORE_READ(us, addr);
	if (!ua) {
		d->kind = PEER_UNIX_INO;
		d->ino = BPF_CORE_READ(inode, i_ino);
		return true;
	}
	/* len counts sun_family (2 bytes) and the path */
	len = BPF_CORE_READ(ua, len) - 2;
	if (len <= 0) {
		d->kind = PEER_UNIX_INO;
		d->ino = BPF_CORE_READ(inode, i_ino);
		return true;
	}
	if (len > PEER_NAME_LEN - 1)
		len = PEER_NAME_LEN - 1;
	path = ua->name[0].sun_path;
	if (bpf_probe_read_kernel(&first, 1, path))
		return false;
	if (first) {
		/* a path: NUL-terminated within len, or running to its end */
		long n = bpf_probe_read_kernel_str(d->name, (len + 1) & 0x7f, path);

		if (n <= 0)
			return false;
		d->kind = PEER_UNIX_PATH;
		d->name_len = n - 1;
	} else {
		/* abstract: every byte after the leading NUL is the name */
		if (len <= 1 || bpf_probe_read_kernel(d->name, (len - 1) & 0x7f, path + 1))
			return false;
		d->kind = PEER_UNIX_ABSTRACT;
		d->name_len = len - 1;
	}
	return true;
}

/* Fills d from a file. Returns 1 for a peer, 0 for an fd that is not one
 * (tty, eventfd, device...), -1 when a read failed. */
static __always_inline int file_desc(struct file *f, struct inode *inode, struct peer_desc *d)
{
	unsigned short mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	struct socket *sock;
	struct sock *sk;
	__u16 family, type;

	if (mode == S_IFIFO) {
		d->kind = PEER_PIPE;
		return 1;
	}
	if (mode == S_IFREG) {
		const unsigned char *name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
		long n = bpf_probe_read_kernel_str(d->name, PEER_NAME_LEN, name);

		if (n <= 0)
			return -1;
		d->kind = PEER_FILE;
		d->name_len = n - 1;
		return 1;
	}
	if (mode != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return -1;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_UNIX)
		return unix_desc(sk, inode, d) ? 1 : -1;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	type = BPF_CORE_READ(sk, sk_type);
	if (type == SOCK_STREAM)
		d->kind = PEER_TCP;
	else if (type == SOCK_DGRAM)
		d->kind = PEER_UDP;
	else
		return 0;
	d->port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* a TCP socket with no remote listens (a poll on it waits for any
	 * client: idle) or is not connected yet: no peer */
	if (d->kind == PEER_TCP && !d->port)
		return 0;
	if (family == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(d->addr, &a, 4);
		return 1;
	}
	if (bpf_probe_read_kernel(d->addr, 16, &sk->__sk_common.skc_v6_daddr))
		return -1;
	/* a v4-mapped remote (a dual-stack socket) is that IPv4 peer */
	if (((__u64 *)d->addr)[0] == 0 && ((__u32 *)d->addr)[2] == 0xffff0000u) {
		__u32 a = ((__u32 *)d->addr)[3];

		__builtin_memset(d->addr, 0, 16);
		__builtin_memcpy(d->addr, &a, 4);
	} else {
		d->v6 = 1;
	}
	return 1;
}

/* The peer a connect(fd, addr) on file f goes to, from the caller's own
 * sockaddr at uaddr (the socket has no remote before the call; a failed
 * call never gets one): an IPv4/IPv6 TCP or UDP remote, with the same
 * descriptor (so the same id) the socket gives once connected. Fills d,
 * which the caller zeroed; false for other families or unreadable data. */
static __always_inline bool connect_desc(struct file *f, const void *uaddr,
					 struct peer_desc *d)
{
	struct { __u16 family; __be16 port; __u32 v4; __u8 v6[16]; } sa;
	struct socket *sock;
	struct sock *sk;
	__u16 type;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return false;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || bpf_probe_read_user(&sa, sizeof(sa), uaddr))
		return false;
	type = BPF_CORE_READ(sk, sk_type);
	if ((sa.family != AF_INET && sa.family != AF_INET6) ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM))
		return false;
	d->kind = type == SOCK_STREAM ? PEER_TCP : PEER_UDP;
	d->port = __builtin_bswap16(sa.port);
	if (sa.family == AF_INET) {
		__builtin_memcpy(d->addr, &sa.v4, 4);
	} else if (((__u64 *)sa.v6)[0] == 0 && ((__u32 *)sa.v6)[2] == 0xffff0000u) {
		__builtin_memcpy(d->addr, &sa.v6[12], 4);	/* v4-mapped */
	} else {
		__builtin_memcpy(d->addr, sa.v6, 16);
		d->v6 = 1;
	}
	return true;
}

/* The peer id of file f (inode its f_inode), 0 when it is none or could
 * not be read (then *unresolved is bumped); *dp is the descriptor it names
 * (this CPU's scratch). */
static __always_inline __u64 file_peer(struct file *f, struct inode *inode, __u64 *unresolved,
				       struct peer_desc **dp)
{
	struct peer_desc *d = peer_scratch();
	int r;

	*dp = d;
	if (!d)
		return 0;
	r = file_desc(f, inode, d);
	if (r < 0)
		__sync_fetch_and_add(unresolved, 1);
	return r > 0 ? peer_name(d) : 0;
}

#endif
