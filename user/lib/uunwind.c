#include <dwarf.h>
#include <errno.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "lib/hashmap.h"
#include "lib/uunwind.h"

/* Binaries kept at most, by build id: each one's ELF file open and
 * mapped, its module in the one Dwfl (with the CFI libdwfl reads from it
 * once). Past it, the least recently used goes. */
#define UW_MAX_BINS 128
/* Callees kept at most (then all dropped) */
#define UW_MAX_CALLEES 65536
/* A return address whose call we could not follow */
#define UW_NO_CALLEE (~0ULL)
/* Address spaces kept at most: a process's modules and where they are
 * (~30 bytes a module); forked processes share one. */
#define UW_MAX_SPACES 1024
/* (dev, ino) -> build id entries kept at most (then all dropped): new
 * processes of a binary seen open none of its files again */
#define UW_MAX_FILES 4096
/* The longest /proc/PID/maps read (a JVM's runs into the 10^4 lines) */
#define UW_MAX_MAPS (16u << 20)
/* Each binary sits at its own address in the one Dwfl, above any user
 * address, 4 GiB apart: the process's addresses are moved there while
 * unwinding and back after. */
#define UW_SYNTH_BASE (1ULL << 60)
#define UW_SYNTH_ALIGN (1ULL << 32)
/* a file's kind not known yet (it could not be opened) */
#define UW_UNDECIDED (~0ULL)

/* x86-64 DWARF register numbers (the psABI's) */
#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7

/* A binary (by build id) and its module in the Dwfl. */
struct uw_bin {
	__u64 key;		/* hash of the build id */
	__u64 base, span;	/* its place in the Dwfl */
	char *path;
	Elf *elf;		/* until libdwfl takes it (find_elf) */
	int fd;
	__u64 used;
};

/* Where one binary is mapped in a process. */
struct uw_mod {
	__u64 start, end, base;
};

/* One layout of mapped files (uunwind_maps_key): its modules, sorted. */
struct uw_space {
	__u64 key;
	__u64 bins;		/* which binaries (whatever their addresses) */
	int n;
	__u64 used;
	struct uw_mod mods[];
};

struct uw_proc {
	__u32 pid;
	__u64 gen;
	__u64 space;		/* its space's key; 0: none yet */
};

struct uunwind {
	pthread_mutex_t lock;
	struct hashmap *procs;	/* pid -> struct uw_proc */
	struct hashmap *spaces;	/* key -> struct uw_space */
	struct hashmap *bins;	/* build id hash -> struct uw_bin */
	struct hashmap *files;	/* (dev, ino) -> __u64 build id hash, 0: no ELF */
	struct hashmap *callees; /* (return address in the Dwfl, bins) -> __u64 callee */
	Dwfl *dwfl;
	Elf *self;		/* the Dwfl's backend (x86-64): no module's */
	int self_fd;
	bool attached;
	size_t max_bins;
	__u64 next_base;
	__u64 clock;		/* unwindings so far */
	__u64 built, opened;	/* spaces and binaries made so far */
	/* the unwinding under way (under the lock) */
	__u32 pid;
	const struct uunwind_sample *cur;
	const struct uw_space *cur_sp;
};

/* A binary's ELF, opened by us, handed to libdwfl (which ends it). */
static int uw_find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		       char **file_name, Elf **elfp)
{
	struct uw_bin *b = *userdata;
	int fd;

	if (!b || !b->elf || !(*file_name = strdup(b->path)))
		return -1;
	*elfp = b->elf;
	b->elf = NULL;
	fd = b->fd;
	b->fd = -1;
	return fd;
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = uw_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static void uw_bin_free(void *v)
{
	struct uw_bin *b = v;

	if (!b)
		return;
	if (b->elf)
		elf_end(b->elf);
	if (b->fd >= 0)
		close(b->fd);
	free(b->path);
	free(b);
}

struct uunwind *uunwind_new(void)
{
	struct uunwind *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->self_fd = -1;
	elf_version(EV_CURRENT);
	pthread_mutex_init(&u->lock, NULL);
	u->procs = hashmap_new(sizeof(__u32));
	u->spaces = hashmap_new(sizeof(__u64));
	u->bins = hashmap_new(sizeof(__u64));
	u->files = hashmap_new(2 * sizeof(__u64));
	u->callees = hashmap_new(2 * sizeof(__u64));
	u->dwfl = dwfl_begin(&proc_callbacks);
	u->self_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	u->self = u->self_fd >= 0 ? elf_begin(u->self_fd, ELF_C_READ_MMAP, NULL) : NULL;
	u->next_base = UW_SYNTH_BASE;
	u->max_bins = UW_MAX_BINS;
	if (!u->procs || !u->spaces || !u->bins || !u->files || !u->callees || !u->dwfl || !u->self) {
		uunwind_free(u);
		return NULL;
	}
	return u;
}

void uunwind_free(struct uunwind *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	if (u->self)
		elf_end(u->self);
	if (u->self_fd >= 0)
		close(u->self_fd);
	if (u->procs)
		hashmap_free(u->procs, free);
	if (u->spaces)
		hashmap_free(u->spaces, free);
	if (u->bins)
		hashmap_free(u->bins, uw_bin_free);
	if (u->files)
		hashmap_free(u->files, free);
	if (u->callees)
		hashmap_free(u->callees, free);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

__u64 uunwind_maps_key(const char *maps, __u64 root_dev, __u64 root_ino)
{
	__u64 h = 0xcbf29ce484222325ULL ^ root_dev;	/* FNV-1a */
	const char *p = maps;

	h = (h * 0x100000001b3ULL) ^ root_ino;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		const char *path = memchr(p, '/', n);

		/* the lines of mapped files only: heaps and stacks grow */
		for (size_t i = 0; path && i < n; i++)
			h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
		p += n;
	}
	return h | 1;
}

static __u64 fnv(const void *data, size_t n, __u64 h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)data)[i]) * 0x100000001b3ULL;
	return h;
}

/* One line of maps: "start-end perms offset maj:min ino path". */
static bool parse_line(const char *p, struct uunwind_file *f, __u64 *off)
{
	unsigned long long a, b, o, ino;
	unsigned int maj, min;
	int at = 0;

	if (sscanf(p, "%llx-%llx %*s %llx %x:%x %llu %n", &a, &b, &o, &maj, &min, &ino, &at) < 6 ||
	    !at || p[at] != '/' || !ino)
		return false;
	*f = (struct uunwind_file){ a, b, ((__u64)maj << 32) | min, ino, p + at, 0 };
	f->path_len = strcspn(f->path, "\n");
	*off = o;
	return true;
}

int uunwind_parse_maps(const char *maps, struct uunwind_file *files, int max)
{
	struct uunwind_file f;
	int n = 0;
	__u64 off;

	for (const char *p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!parse_line(p, &f, &off))
			continue;
		if (n && files[n - 1].dev == f.dev && files[n - 1].ino == f.ino &&
		    files[n - 1].end <= f.start) {
			files[n - 1].end = f.end;	/* the file's next segment */
			continue;
		}
		/* a binary's first mapping is its start (offset 0) */
		if (off || n == max)
			continue;
		files[n++] = f;
	}
	return n;
}

/* /proc/PID/maps, whole, into a new string. */
static char *read_maps(__u32 pid)
{
	char path[64], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4097) {
			char *nb = cap * 2 <= UW_MAX_MAPS ? realloc(buf, cap = cap ? cap * 2 : 65536)
							  : NULL;

			if (!nb)
				break;
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);

		len += got;
		if (!got)
			break;
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}
struct uw_frames {
	__u64 *ips;
	int n, max;
};

static int uw_frame(Dwfl_Frame *frame, void *arg)
{
	struct uw_frames *fr = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	fr->ips[fr->n++] = pc;
	return fr->n < fr->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* The module of the process's address a (NULL: none); mods sorted. */
static const struct uw_mod *mod_of(const struct uw_space *sp, __u64 a)
{
	int lo = 0, hi = sp ? sp->n : 0;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (a < sp->mods[mid].start)
			hi = mid;
		else if (a >= sp->mods[mid].end)
			lo = mid + 1;
		else
			return &sp->mods[mid];
	}
	return NULL;
}

/* A process's address where its binary sits in the Dwfl. */
static __u64 to_dwfl(const struct uw_space *sp, __u64 a)
{
	const struct uw_mod *m = mod_of(sp, a);

	return m ? a - m->start + m->base : a;
}

/* And back: the process's address of a Dwfl address. */
static __u64 from_dwfl(const struct uw_space *sp, __u64 a)
{
	if (a < UW_SYNTH_BASE)
		return a;
	for (int i = 0; i < sp->n; i++)
		if (a >= sp->mods[i].base && a - sp->mods[i].base < sp->mods[i].end - sp->mods[i].start)
			return a - sp->mods[i].base + sp->mods[i].start;
	return 0;
}

static pid_t uw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct uunwind *u = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = u;
	return (pid_t)u->pid;
}

/* Memory is the stack copy only: a read outside it ends the unwinding
 * (the process's memory now is not what it was at the wait). A word that
 * points into a mapped binary (a return address) moves to the Dwfl's
 * address of that binary. */
static bool uw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct uunwind *u = arg;
	const struct uunwind_sample *s = u->cur;

	if (!s || addr < s->sp || addr - s->sp > s->size || s->size - (addr - s->sp) < 8)
		return false;
	memcpy(result, (const char *)s->stack + (addr - s->sp), sizeof(*result));
	*result = to_dwfl(u->cur_sp, *result);
	return true;
}

static bool uw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct uunwind *u = arg;
	const struct uunwind_sample *s = u->cur;
	Dwarf_Word regs[2] = { s->bp, s->sp };	/* rbp, rsp */

	if (!dwfl_thread_state_registers(thread, DWARF_REG_RBP, 2, regs))
		return false;
	dwfl_thread_state_register_pc(thread, to_dwfl(u->cur_sp, s->ip));
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = uw_next_thread,
	.memory_read = uw_memory_read,
	.set_initial_registers = uw_set_initial_registers,
};

/* Drops the least recently used binary: its module out of the Dwfl
 * (every other one reported again keeps its state), and the spaces,
 * which may point at it. */
static void bin_evict(struct uunwind *u)
{
	struct uw_bin *lru = NULL, *b;
	struct hm_entry *it;
	size_t k;

	for (it = NULL; (it = hashmap_next(u->bins, it, &k));)
		if (!lru || ((struct uw_bin *)it->value)->used < lru->used)
			lru = it->value;
	if (!lru)
		return;
	hashmap_del(u->bins, &lru->key);
	dwfl_report_begin(u->dwfl);
	for (it = NULL; (it = hashmap_next(u->bins, it, &k));) {
		b = it->value;
		dwfl_report_module(u->dwfl, b->path, b->base, b->base + b->span);
	}
	dwfl_report_end(u->dwfl, NULL, NULL);
	uw_bin_free(lru);
	hashmap_free(u->spaces, free);
	u->spaces = hashmap_new(sizeof(__u64));
}

/* A new binary's module in the Dwfl at its own address; its ELF (ours
 * until now) goes to libdwfl. False when libdwfl would not have it. */
static bool bin_report(struct uunwind *u, struct uw_bin *b, __u32 pid)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	void **ud;

	dwfl_report_begin_add(u->dwfl);
	mod = dwfl_report_module(u->dwfl, b->path, b->base, b->base + b->span);
	if (mod) {
		dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
		*ud = b;
	}
	dwfl_report_end(u->dwfl, NULL, NULL);
	if (!mod || !dwfl_module_getelf(mod, &bias))
		return false;
	if (!u->attached)
		u->attached = dwfl_attach_state(u->dwfl, u->self, (pid_t)pid, &thread_callbacks, u);
	return u->attached;
}

/* The binary of a mapped file, opened through the process's root when no
 * file with its build id was seen; NULL: not an ELF file, or unreadable. */
static struct uw_bin *bin_open(struct uunwind *u, __u32 pid, const struct uunwind_file *f,
			       __u64 *key)
{
	char path[4200];
	const void *id;
	struct uw_bin *b;
	ssize_t idlen;
	Elf *elf;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/root%.*s", pid, (int)f->path_len, f->path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		*key = 0;
		goto fail;
	}
	idlen = dwelf_elf_gnu_build_id(elf, &id);
	/* without a build id: this file only */
	*key = idlen > 0 ? fnv(id, (size_t)idlen, 0xcbf29ce484222325ULL)
			 : fnv(&f->dev, 2 * sizeof(__u64), 0x84222325cbf29ceULL);
	*key |= 1;
	if ((b = hashmap_get(u->bins, key)))
		goto seen;
	if (u->bins->len >= u->max_bins)
		bin_evict(u);
	if (!(b = calloc(1, sizeof(*b))) || !(b->path = strdup(path)))
		goto nomem;
	*b = (struct uw_bin){ *key, u->next_base, f->end - f->start, b->path, elf, fd, 0 };
	u->next_base += (b->span + UW_SYNTH_ALIGN) & ~(UW_SYNTH_ALIGN - 1);
	u->opened++;
	if (hashmap_put(u->bins, key, b)) {
		uw_bin_free(b);
		return NULL;
	}
	if (!bin_report(u, b, pid))
		b->span = 0;	/* kept, so as not to try again: maps nothing */
	return b;
nomem:
	if (b)
		free(b);
	b = NULL;
seen:
	elf_end(elf);
	close(fd);
	return b;
fail:
	if (elf)
		elf_end(elf);
	close(fd);
	return NULL;
}

/* The binary of a mapped file: by its (dev, ino) when seen, else opened. */
static struct uw_bin *bin_get(struct uunwind *u, __u32 pid, const struct uunwind_file *f)
{
	__u64 fk[2] = { f->dev, f->ino }, *known, key = UW_UNDECIDED;
	struct uw_bin *b;

	known = u->files ? hashmap_get(u->files, fk) : NULL;
	if (known && !*known)
		return NULL;
	if (known && (b = hashmap_get(u->bins, known))) {
		b->used = ++u->clock;
		return b;
	}
	b = bin_open(u, pid, f, &key);
	if (b)
		b->used = ++u->clock;
	/* remembered once its kind is known (not when it could not be read) */
	if (!known && key != UW_UNDECIDED) {
		if (u->files->len >= UW_MAX_FILES) {
			hashmap_free(u->files, free);
			u->files = hashmap_new(2 * sizeof(__u64));
		}
		if (u->files && (known = malloc(sizeof(*known)))) {
			*known = key;
			if (hashmap_put(u->files, fk, known))
				free(known);
		}
	}
	return b;
}

/* The process's entry, made on first sight; a later process of the pid
 * looks for its space again. NULL on no memory. */
static struct uw_proc *proc_get(struct uunwind *u, __u32 pid, __u64 gen)
{
	struct uw_proc *p = hashmap_get(u->procs, &pid);

	if (p) {
		if (gen > p->gen) {
			p->gen = gen;
			p->space = 0;
		}
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->gen = gen;
	if (hashmap_put(u->procs, &pid, p)) {
		free(p);
		return NULL;
	}
	return p;
}

/* A space of the binaries mapped in maps (process pid's). */
static struct uw_space *space_make(struct uunwind *u, const char *maps, __u32 pid)
{
	int max = 1, n;
	struct uunwind_file *files;
	struct uw_space *sp;

	for (const char *p = maps; (p = strchr(p, '\n')); p++)
		max++;
	files = calloc((size_t)max, sizeof(*files));
	sp = calloc(1, sizeof(*sp) + (size_t)max * sizeof(sp->mods[0]));
	n = files && sp ? uunwind_parse_maps(maps, files, max) : 0;
	for (int i = 0; i < n; i++) {
		struct uw_bin *b = bin_get(u, pid, &files[i]);

		if (!b || !b->span)
			continue;
		sp->mods[sp->n++] = (struct uw_mod){ files[i].start, files[i].end, b->base };
		sp->bins += fnv(&b->base, sizeof(b->base), 0xcbf29ce484222325ULL);
	}
	free(files);
	return sp;
}

/* The space of the process's files as mapped now, made when no process
 * had it (the least recently used one goes past UW_MAX_SPACES); NULL when
 * the process is gone or on no memory. */
static struct uw_space *space_find(struct uunwind *u, struct uw_proc *p)
{
	char root[48], *maps = read_maps(p->pid);
	struct uw_space *sp = NULL, *lru = NULL;
	struct hm_entry *it;
	struct stat st;
	size_t b;

	snprintf(root, sizeof(root), "/proc/%u/root", p->pid);
	if (!maps || stat(root, &st) || !u->spaces)
		goto out;
	p->space = uunwind_maps_key(maps, st.st_dev, st.st_ino);
	if ((sp = hashmap_get(u->spaces, &p->space)))
		goto out;
	if (u->spaces->len >= UW_MAX_SPACES) {
		for (it = NULL; (it = hashmap_next(u->spaces, it, &b));)
			if (!lru || ((struct uw_space *)it->value)->used < lru->used)
				lru = it->value;
		if (lru)
			free(hashmap_del(u->spaces, &lru->key));
	}
	u->built++;
	if ((sp = space_make(u, maps, p->pid))) {
		sp->key = p->space;
		if (hashmap_put(u->spaces, &sp->key, sp)) {
			free(sp);
			sp = NULL;
		}
	}
out:
	free(maps);
	return sp;
}

int uunwind_stack(struct uunwind *u, __u32 pid, __u64 gen, const struct uunwind_sample *s,
		  __u64 *ips, int n)
{
	struct uw_frames fr = { ips, 0, n };
	struct uw_space *sp = NULL;
	struct uw_proc *p;
	int err = 0;

	if (n <= 0)
		return 0;
	pthread_mutex_lock(&u->lock);
	p = proc_get(u, pid, gen);
	if (!p || (gen && gen < p->gen)) {
		err = p ? -ESRCH : -ENOMEM;	/* an earlier process of the pid */
		goto out;
	}
	if (p->space && u->spaces)
		sp = hashmap_get(u->spaces, &p->space);
	/* a module mapped since (dlopen): the process's space is looked for
	 * again (the old one may be another process's still) */
	if (!sp || !mod_of(sp, s->ip))
		sp = space_find(u, p);
	if (!sp) {
		err = -ESRCH;
		goto out;
	}
	sp->used = ++u->clock;
	if (!mod_of(sp, s->ip) || !u->attached)
		goto out;	/* no module holds ip */
	u->pid = pid;
	u->cur = s;
	u->cur_sp = sp;
	/* ends in an error where the copy or the CFI ends: the frames
	 * found until then are the answer */
	dwfl_getthread_frames(u->dwfl, (pid_t)pid, uw_frame, &fr);
	for (int i = 0; i < fr.n; i++)
		if (!(ips[i] = from_dwfl(sp, ips[i])))
			fr.n = i;
	u->cur = NULL;
	u->cur_sp = NULL;
out:
	pthread_mutex_unlock(&u->lock);
	return err ? err : fr.n;
}

int uunwind_decode_call(const unsigned char code[6], __u64 ret, __u64 *addr)
{
	__s32 d;

	if (code[1] == 0xe8) {
		memcpy(&d, code + 2, sizeof(d));
		*addr = ret + (__u64)(__s64)d;
		return 1;
	}
	if (code[0] == 0xff && code[1] == 0x15) {
		memcpy(&d, code + 2, sizeof(d));
		*addr = ret + (__u64)(__s64)d;
		return 2;
	}
	return 0;
}

__u64 uunwind_decode_plt(const unsigned char stub[16], __u64 addr)
{
	size_t i = 0;
	__s32 d;

	if (!memcmp(stub, "\xf3\x0f\x1e\xfa", 4))	/* endbr64 */
		i = 4;
	if (stub[i] == 0xf2)				/* bnd */
		i++;
	if (stub[i] != 0xff || stub[i + 1] != 0x25)
		return 0;
	memcpy(&d, stub + i + 2, sizeof(d));
	return addr + i + 6 + (__u64)(__s64)d;
}

static bool peek(__u32 pid, __u64 addr, void *buf, size_t n)
{
	struct iovec local = { buf, n }, remote = { (void *)(uintptr_t)addr, n };

	return process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}

__u64 uunwind_callee(__u32 pid, __u64 ret)
{
	unsigned char code[16];
	__u64 a, slot = 0, target = 0;

	if (ret < 6 || !peek(pid, ret - 6, code, 6))
		return 0;
	switch (uunwind_decode_call(code, ret, &a)) {
	case 1:
		/* into another module: through its PLT stub's GOT slot */
		if (peek(pid, a, code, sizeof(code)))
			slot = uunwind_decode_plt(code, a);
		if (!slot)
			return a;
		break;
	case 2:
		slot = a;
		break;
	default:
		return 0;
	}
	return peek(pid, slot, &target, sizeof(target)) ? target : 0;
}

/* The callee of a return address moved to the Dwfl's addresses (its
 * binary's place there), and back: processes of the same binaries (with
 * the same libraries: not another LD_PRELOAD) share it; ~20 reads of the
 * live process's memory each, saved. */
static bool callee_key(const struct uw_space *sp, __u64 ret, __u64 key[2])
{
	key[0] = to_dwfl(sp, ret);
	key[1] = sp->bins;
	return key[0] >= UW_SYNTH_BASE;
}

static void callee_put(struct uunwind *u, const __u64 key[2], __u64 v)
{
	__u64 *val;

	if (u->callees && u->callees->len >= UW_MAX_CALLEES) {
		hashmap_free(u->callees, free);
		u->callees = hashmap_new(2 * sizeof(__u64));
	}
	if (!u->callees || !(val = malloc(sizeof(*val))))
		return;
	*val = v;
	if (hashmap_put(u->callees, key, val))
		free(val);
}

__u64 uunwind_callee_of(struct uunwind *u, __u32 pid, __u64 ret)
{
	struct uw_proc *p;
	struct uw_space *sp = NULL;
	__u64 key[2], *known = NULL, c;
	bool keyed = false;

	pthread_mutex_lock(&u->lock);
	p = hashmap_get(u->procs, &pid);
	if (p && p->space && u->spaces)
		sp = hashmap_get(u->spaces, &p->space);
	if (sp && (keyed = callee_key(sp, ret, key)) && u->callees)
		known = hashmap_get(u->callees, key);
	if (known) {
		c = *known == UW_NO_CALLEE ? 0 : from_dwfl(sp, *known);
		goto out;
	}
	c = uunwind_callee(pid, ret);
	/* kept where it lands in one of the process's binaries (or nowhere) */
	if (keyed && (!c || mod_of(sp, c)))
		callee_put(u, key, c ? to_dwfl(sp, c) : UW_NO_CALLEE);
out:
	pthread_mutex_unlock(&u->lock);
	return c;
}

void uunwind_forget(struct uunwind *u, __u32 pid, __u64 gen)
{
	struct uw_proc *p;

	pthread_mutex_lock(&u->lock);
	p = hashmap_get(u->procs, &pid);
	if (p && (!gen || p->gen <= gen))
		free(hashmap_del(u->procs, &pid));
	pthread_mutex_unlock(&u->lock);
}

void uunwind_set_max_bins(struct uunwind *u, size_t n)
{
	pthread_mutex_lock(&u->lock);
	u->max_bins = n ? n : 1;
	while (u->bins->len > u->max_bins)
		bin_evict(u);
	hashmap_free(u->spaces, free);
	u->spaces = hashmap_new(sizeof(__u64));
	pthread_mutex_unlock(&u->lock);
}

void uunwind_counts(struct uunwind *u, __u64 *spaces, __u64 *bins)
{
	pthread_mutex_lock(&u->lock);
	*spaces = u->built;
	*bins = u->opened;
	pthread_mutex_unlock(&u->lock);
}
