/* The exits source (exits.h): one program on sched_process_exit and its
 * map, read by cgroup_attr for processes already gone. */
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
	.attach_what = "sched_process_exit",
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

int exits_cgroup(__u32 pid, char *out, size_t n)
{
	struct exit_rec r;

	if (!skel || bpf_map__lookup_elem(skel->maps.exits, &pid, sizeof(pid), &r, sizeof(r), 0))
		return -1;
	return cgroup_path_of_id(r.cgroup_id, out, n);
}

void exits_close(void)
{
	if (skel)
		exits_bpf__destroy(skel);
	skel = NULL;
}
