#ifndef LATSCOPE_BPF_UTIL_H
#define LATSCOPE_BPF_UTIL_H

#include <stdbool.h>
#include <stddef.h>

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

/* Opens family F's skeleton (struct F_bpf) with bpf_util_open_opts(). The
 * families whose programs call kfuncs (where the kernel has them) are also
 * built without any as F_nokf (-DLS_NO_KFUNC: the same maps, programs and
 * globals); under --btf that object is opened in the skeleton instead.
 * NULL with errno set on failure. */
#define BPF_UTIL_OPEN_NOKF(F) ({						\
	struct F##_bpf *o_ = calloc(1, sizeof(*o_));				\
	int e_ = o_ ? F##_bpf__create_skeleton(o_) : -ENOMEM;			\
	if (!e_ && bpf_util_custom_btf())					\
		o_->skeleton->data = (void *)F##_nokf_bpf__elf_bytes(&o_->skeleton->data_sz); \
	if (!e_)								\
		e_ = bpf_object__open_skeleton(o_->skeleton, bpf_util_open_opts()); \
	if (e_) {								\
		F##_bpf__destroy(o_);						\
		o_ = NULL;							\
		errno = -e_;							\
	}									\
	o_; })
/* Open options for every family's skeleton (they carry the --btf path). */
const struct bpf_object_open_opts *bpf_util_open_opts(void);
/* One line on why a skeleton could not load/attach, from errno. */
const char *bpf_util_strerror(int err, char *buf, size_t n);
/* Monotonic clock in ns (the clock of bpf_ktime_get_ns). */
unsigned long long mono_ns(void);
unsigned long long real_ns(void);

#endif
