/* The lookup-or-create of a per-interval stats entry of the locks family,
 * and the process name every family's new entries get. map, key and zero are the caller's; a map
 * that is full bumps *drops and gives NULL. A new entry gets the process's
 * (group leader's) name at comm, the offset of its TASK_COMM_LEN name field
 * in the value; *created (when not NULL) says whether this call made it. */
#ifndef LATSCOPE_STATS_ENTRY_H
#define LATSCOPE_STATS_ENTRY_H

/* The current process's (group leader's) name into dst (16 bytes, the
 * kernel's TASK_COMM_LEN). */
static __always_inline void leader_comm(char *dst)
{
	struct task_struct *task = bpf_get_current_task_btf();

	bpf_probe_read_kernel_str(dst, 16, BPF_CORE_READ(task, group_leader, comm));
}

static __always_inline void *stats_entry(void *map, const void *key, const void *zero,
					 __u64 *drops, __u32 comm, bool *created)
{
	void *st;
	long err;

	if (created)
		*created = false;
	st = bpf_map_lookup_elem(map, key);
	if (st)
		return st;
	err = bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: another CPU made it */) {
		__sync_fetch_and_add(drops, 1);
		return 0;
	}
	st = bpf_map_lookup_elem(map, key);
	if (st && !err) {
		leader_comm(st + comm);
		if (created)
			*created = true;
	}
	return st;
}

#endif
