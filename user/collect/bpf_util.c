#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"

static bool verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	if (!verbose)
		return 0;	/* failures are reported by the family's status line */
	return vfprintf(stderr, fmt, args);
}

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

static struct bpf_object_open_opts open_opts = { .sz = sizeof(open_opts) };

int bpf_util_set_btf(const char *path)
{
	if (!path && access(KERNEL_BTF, R_OK)) {
		fprintf(stderr, "latscope: this kernel has no BTF at " KERNEL_BTF
				" (CONFIG_DEBUG_INFO_BTF); give its BTF with --btf FILE\n");
		return -1;
	}
	open_opts.btf_custom_path = path;
	return 0;
}

bool bpf_util_custom_btf(void)
{
	return open_opts.btf_custom_path != NULL;
}

const struct bpf_object_open_opts *bpf_util_open_opts(void)
{
	return &open_opts;
}

void bpf_util_set_verbose(bool v)
{
	verbose = v;
	libbpf_set_print(print_fn);
}

const char *bpf_util_strerror(int err, char *buf, size_t n)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
	case EACCES:
		snprintf(buf, n, "permission denied (needs root or CAP_BPF+CAP_PERFMON)");
		break;
	case ENOENT:
		snprintf(buf, n, "a tracepoint or kernel type it needs is missing");
		break;
	case EINVAL:
	case ENOTSUP:
		snprintf(buf, n, "the kernel rejected the program (run with -v for libbpf's log)");
		break;
	default:
		libbpf_strerror(-err, buf, n);
	}
	return buf;
}

unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

unsigned long long real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

void map_reader_init(struct map_reader *r, int fd, size_t key_size, size_t value_size)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->key_size = key_size;
	r->value_size = value_size;
}

/* The buffers are mappings of their own (not the heap): their pages can be
 * given back however the allocator would place them. */
static size_t page_up(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

static void *buf_resize(void *old, size_t old_bytes, size_t bytes)
{
	void *p;

	if (!old)
		p = mmap(NULL, page_up(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	else
		p = mremap(old, page_up(old_bytes), page_up(bytes), MREMAP_MAYMOVE);
	return p == MAP_FAILED ? NULL : p;
}

static void buf_release(void *buf, size_t cap_bytes, size_t keep_bytes, size_t used_bytes)
{
	size_t from = page_up(keep_bytes), to = page_up(used_bytes);

	if (to > page_up(cap_bytes))
		to = page_up(cap_bytes);
	if (from < to)
		madvise((char *)buf + from, to - from, MADV_DONTNEED);
}

void map_reader_free(struct map_reader *r)
{
	if (r->keys)
		munmap(r->keys, page_up(r->cap * r->key_size));
	if (r->values)
		munmap(r->values, page_up(r->cap * r->value_size));
	r->keys = r->values = NULL;
	r->cap = r->len = r->touched = 0;
}

static int reserve(struct map_reader *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 256;
	void *k, *v;

	if (need <= r->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	k = buf_resize(r->keys, r->cap * r->key_size, cap * r->key_size);
	if (!k)
		return -ENOMEM;
	r->keys = k;
	v = buf_resize(r->values, r->cap * r->value_size, cap * r->value_size);
	if (!v) {
		/* keys grown, values not: shrink the keys back */
		k = buf_resize(r->keys, cap * r->key_size, r->cap * r->key_size);
		if (k)
			r->keys = k;
		return -ENOMEM;
	}
	r->values = v;
	r->cap = cap;
	return 0;
}

/* After a read: the pages past twice what this read needed go back to the
 * system, so the buffers' resident size follows the map's current size and
 * not the largest it ever was (a burst of entries once, e.g. a fork storm,
 * would otherwise stay in the RSS for good). Steady sizes cost nothing. */
static void release_unused(struct map_reader *r)
{
	size_t keep = r->len * 2 > 256 ? r->len * 2 : 256;

	if (r->len + 1 > r->touched)
		r->touched = r->len + 1;
	if (r->touched <= keep)
		return;
	buf_release(r->keys, r->cap * r->key_size, keep * r->key_size, r->touched * r->key_size);
	buf_release(r->values, r->cap * r->value_size, keep * r->value_size,
		    r->touched * r->value_size);
	r->touched = keep;
}

static int read_by_key(struct map_reader *r)
{
	char *prev = NULL;
	int err;

	r->len = 0;
	for (;;) {
		char *key;

		if ((err = reserve(r, r->len + 1)))
			return err;
		key = (char *)r->keys + r->len * r->key_size;
		prev = r->len ? (char *)r->keys + (r->len - 1) * r->key_size : NULL;
		if (bpf_map_get_next_key(r->fd, prev, key))
			break;
		/* deleted between the two calls: skip it */
		if (bpf_map_lookup_elem(r->fd, key, (char *)r->values + r->len * r->value_size))
			continue;
		r->len++;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int read_all(struct map_reader *r)
{
	/* the batch cursor of a hash map is a bucket index; give it room */
	unsigned long long in_batch[8], out_batch[8];
	bool first = true;
	int err;

	if (r->no_batch)
		return read_by_key(r);
	r->len = 0;
	for (;;) {
		__u32 count;

		if ((err = reserve(r, r->len + 256)))
			return err;
		count = (__u32)(r->cap - r->len);
		err = bpf_map_lookup_batch(r->fd, first ? NULL : in_batch, out_batch,
					   (char *)r->keys + r->len * r->key_size,
					   (char *)r->values + r->len * r->value_size, &count, NULL);
		if (err && errno != ENOENT) {
			if (errno == ENOSPC && count == 0) {
				/* a bucket larger than the room left: grow */
				if ((err = reserve(r, r->cap * 2)))
					return err;
				continue;
			}
			if (first && (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP)) {
				r->no_batch = true;
				return read_by_key(r);
			}
			return -errno;
		}
		r->len += count;
		if (err)	/* ENOENT: that was the last batch */
			return 0;
		memcpy(in_batch, out_batch, sizeof(in_batch));
		first = false;
	}
}

int pair_reserve(void **a, size_t a_size, void **b, size_t b_size, size_t *cap, size_t n)
{
	void *na, *nb;

	if (*cap >= n)
		return 0;
	na = realloc(*a, n * a_size);
	nb = na ? realloc(*b, n * b_size) : NULL;
	if (na)
		*a = na;
	if (nb)
		*b = nb;
	if (!na || !nb)
		return -ENOMEM;
	*cap = n;
	return 0;
}

void *map_window_open(struct map_window *w, int fd, size_t elem_size, size_t first, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t off = first * elem_size / pg * pg;
	size_t end = page_up((first + n) * elem_size);
	void *m = mmap(NULL, end - off, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);

	w->map = NULL;
	w->len = 0;
	if (m == MAP_FAILED)
		return NULL;
	w->map = m;
	w->len = end - off;
	return (char *)m + (first * elem_size - off);
}

void map_window_close(struct map_window *w)
{
	if (w->map)
		munmap(w->map, w->len);
	w->map = NULL;
	w->len = 0;
}

int map_reader_read(struct map_reader *r)
{
	int err = read_all(r);

	if (!err)
		release_unused(r);
	return err;
}
