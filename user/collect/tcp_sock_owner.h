/* Which process holds a socket, by the socket's inode number: the
 * fallback owner of a connection whose owner the BPF side never saw (opened
 * before latscope started and idle since), read from /proc/PID/fd links. */
#ifndef LATSCOPE_SOCK_INODE_OWNER_H
#define LATSCOPE_SOCK_INODE_OWNER_H

#include <linux/types.h>
#include "lib/hashmap.h"
#include "snapshot/snapshot.h"

struct inode_owner {
	__u32 pid;		/* 0: not found */
	char comm[SNAP_COMM_LEN];
};

/* want: a hashmap keyed by __u64 inode whose values are struct
 * inode_owner; fills those still at pid 0 from one pass over /proc.
 * Returns how many were found. */
int sock_inode_owners(struct hashmap *want);
/* Parses a /proc/PID/fd link: the inode of "socket:[N]", else 0. */
__u64 sock_inode_of_link(const char *link);

#endif
