#ifndef LATSCOPE_BPF_UTIL_H
#define LATSCOPE_BPF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Reads every entry of a hash map, in batches where the kernel can
 * (BPF_MAP_LOOKUP_BATCH), else key by key; the choice is made once per
 * reader. Buffers are kept between calls (mappings of their own; the pages
 * past twice the last read's size are given back). */
struct map_reader {
	int fd;
	size_t key_size, value_size;
	void *keys, *values;
	size_t cap, len;
	size_t touched;		/* entries possibly resident */
	bool no_batch;
};

void map_reader_init(struct map_reader *r, int fd, size_t key_size, size_t value_size);
/* Fills r->keys/r->values with r->len entries; 0 or a negative errno. */
int map_reader_read(struct map_reader *r);
void map_reader_free(struct map_reader *r);

/* Room for n elements in two arrays that grow together, *cap of each: the
 * keys of entries read from a map (to delete) and the entries picked among
 * them. 0, or -ENOMEM (*cap unchanged; an array may have grown). */
int pair_reserve(void **a, size_t a_size, void **b, size_t b_size, size_t *cap, size_t n);

/* Elements [first, first + n) of a BPF_F_MMAPABLE array map (elements of
 * elem_size bytes, a multiple of 8: the array's stride), mapped only while
 * they are read: mapped, a whole array of tens of MiB would count in the
 * RSS. Returns the first element, or NULL with errno set. */
struct map_window {
	void *map;
	size_t len;
};
void *map_window_open(struct map_window *w, int fd, size_t elem_size, size_t first, size_t n);
void map_window_close(struct map_window *w);

/* libbpf's messages go to stderr only with --verbose. */
void bpf_util_set_verbose(bool verbose);
/* The kernel BTF CO-RE relocates against: path (from --btf) or NULL for the
 * kernel's own. Returns 0, or -1 after one line on stderr saying that the
 * kernel has no BTF and what to do. */
int bpf_util_set_btf(const char *path);
/* Whether --btf gave the BTF: the kernel then has none of its own, and no
 * kfunc can be resolved against it. */
bool bpf_util_custom_btf(void);

/* Open options for every family's skeleton (they carry the --btf path). */
const struct bpf_object_open_opts *bpf_util_open_opts(void);
/* One line on why a skeleton could not load/attach, from errno. */
const char *bpf_util_strerror(int err, char *buf, size_t n);
/* What a counter the kernel side bumps (a BPF global) counted since *seen,
 * which becomes its value now. */
static inline __u64 counter_since(const __u64 *counter, __u64 *seen)
{
	__u64 now = __atomic_load_n(counter, __ATOMIC_RELAXED), d = now - *seen;

	*seen = now;
	return d;
}

/* Monotonic clock in ns (the clock of bpf_ktime_get_ns). */
unsigned long long mono_ns(void);
unsigned long long real_ns(void);

#endif
