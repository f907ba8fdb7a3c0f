/* The exits source (exits.h): programs on sched_process_exit and
 * cgroup_attach_task and their map, read by cgroup_attr. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collector.h"
#include "collect/exits.h"
#include "collect/family.h"
#include "lib/cgroup.h"
#include "exit_rec.h"
#include "exits.skel.h"

FAMILY_SKEL(exits);

static const struct family_spec exits_family = {
	.skel = &exits_family_skel,
	.attach_what = "sched_process_exit and cgroup_attach_task",
};

static struct exits_bpf *skel;

bool exits_open(const struct options *o)
{
	struct collector c = { 0 };
	int err;

	if (skel)
		return true;
	skel = family_start(&c, &exits_family, o, &err);
	return skel != NULL;
}

static bool rec_of(__u32 pid, struct exit_rec *r)
{
	return skel && !bpf_map__lookup_elem(skel->maps.exits, &pid, sizeof(pid), r, sizeof(*r), 0);
}

int exits_cgroup(__u32 pid, char *out, size_t n)
{
	struct exit_rec r;

	if (!rec_of(pid, &r))
		return -1;
	return cgroup_path_of_id(r.cgroup_id, out, n);
}

int exits_gone_since(__u32 pid, __u64 since_ns, char *out, size_t n)
{
	struct exit_rec r;

	if (!rec_of(pid, &r) || r.kind != EXIT_REC_EXIT || r.ts_ns < since_ns)
		return -1;
	return cgroup_path_of_id(r.cgroup_id, out, n);
}

__u64 exits_seq(void)
{
	return skel ? __atomic_load_n(&skel->bss->records, __ATOMIC_ACQUIRE) : 0;
}

bool exits_changed_since(__u32 pid, __u64 since_ns, __u64 since_seq)
{
	struct exit_rec r;

	if (!skel || exits_seq() - since_seq >= EXITS_MAX / 2)
		return true;
	return rec_of(pid, &r) && r.ts_ns >= since_ns;
}

void exits_close(void)
{
	if (skel)
		exits_bpf__destroy(skel);
	skel = NULL;
}
