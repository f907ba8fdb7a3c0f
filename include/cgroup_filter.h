/* --cgroup: the cgroups (v2) every family records, shared by the BPF
 * programs' rodata and the frontend. A cgroup is named by its kernfs id and
 * its depth below the v2 root (0: the root); a task is under it when its
 * own cgroup's ancestor at that depth has that id. */
#ifndef LATSCOPE_CGROUP_FILTER_H
#define LATSCOPE_CGROUP_FILTER_H

#define CGROUP_FILTER_MAX 8

#endif
