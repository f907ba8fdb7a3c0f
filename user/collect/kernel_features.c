#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/kernel_features.h"

static const char *btf_path;
static struct btf *btf;
static int btf_err;

void features_set_btf(const char *path)
{
	btf_path = path;
}

void features_free(void)
{
	btf__free(btf);
	btf = NULL;
	btf_err = 0;
}

static struct btf *kernel_btf(void)
{
	if (!btf && !btf_err) {
		btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
		if (!btf)
			btf_err = errno ? errno : EINVAL;
	}
	return btf;
}

static const char *map_type_name(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_TASK_STORAGE: return "task storage maps (Linux 5.11+)";
	case BPF_MAP_TYPE_RINGBUF: return "ring buffer maps (Linux 5.8+)";
	case BPF_MAP_TYPE_STACK_TRACE: return "stack trace maps";
	case BPF_MAP_TYPE_STACK: return "stack maps (Linux 4.20+)";
	case BPF_MAP_TYPE_LRU_HASH: return "LRU hash maps";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "per-CPU array maps";
	case BPF_MAP_TYPE_ARRAY_OF_MAPS: return "array-of-maps maps";
	default: return "a map type";
	}
}

int features_check(const struct family_needs *n, char *why, size_t len)
{
	if (!n)
		return 0;
	for (const char *const *tp = n->raw_tps; tp && *tp; tp++) {
		const char *bar = strchr(*tp, '|');
		size_t nl = bar ? (size_t)(bar - *tp) : strlen(*tp);
		char name[128];
		struct btf *b = kernel_btf();

		if (!b) {
			snprintf(why, len, "cannot read the kernel's BTF: %s", strerror(btf_err));
			return -1;
		}
		snprintf(name, sizeof(name), "btf_trace_%.*s", (int)nl, *tp);
		if (btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF) < 0) {
			snprintf(why, len, "needs the raw tracepoint %.*s%s%s%s", (int)nl, *tp,
				 bar ? " (" : "", bar ? bar + 1 : "", bar ? ")" : "");
			return -1;
		}
	}
	for (const enum bpf_map_type *m = n->maps; m && *m != BPF_MAP_TYPE_UNSPEC; m++) {
		if (libbpf_probe_bpf_map_type(*m, NULL) != 1) {
			snprintf(why, len, "needs %s", map_type_name(*m));
			return -1;
		}
	}
	return 0;
}
