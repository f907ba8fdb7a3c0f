#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/debuginfo.h"
#include "lib/hashmap.h"
#include "lib/perfmap.h"
#include "lib/usyms.h"

/* Bounds on what one ELF file may make us hold: it is another user's file
 * (libc's .symtab has ~4,000 functions, a large C++ binary ~10^6). */
#define USYMS_MAX_SYMS (4u << 20)
#define USYMS_MAX_FILE (4ULL << 30)

struct usym {
	__u64 addr, size;
	const char *name;
	unsigned rank;		/* among aliases, the lowest names the address */
};

struct load_seg {
	__u64 vaddr, offset, filesz;
};

/* One ELF file. */
struct binary {
	char *name;		/* basename, for module+0xoff */
	struct usym *syms;
	size_t nsyms;
	char *strs;		/* names, one block */
	struct load_seg *segs;
	size_t nsegs;
};

struct bin_key {
	__u64 dev, ino;
};

struct umap {
	__u64 start, end, pgoff;
	struct binary *bin;	/* NULL: anonymous or unreadable */
};

struct uproc {
	__u64 gen;
	struct umap *maps;
	size_t nmaps;
	bool rescanned;		/* re-read once already for a missing address */
	struct perfmap *jit;	/* its /tmp/perf-PID.map, NULL: none read */
	long long jit_size;	/* the size it had when read */
};

/* The largest perf map read: a JVM's runs to some 10^5 lines */
#define USYMS_MAX_PERFMAP (64LL << 20)

/* Binaries no process map refers to are dropped once the cache holds
 * twice as many as after the last such sweep (and at least this many): a
 * host that keeps building and running new executables (each build is a
 * new inode) would otherwise grow the cache without end. */
#define BINS_SWEEP_MIN 64

struct usyms {
	pthread_mutex_t lock;
	struct hashmap *bins;	/* bin_key -> struct binary */
	struct hashmap *procs;	/* pid -> struct uproc */
	size_t bins_sweep_at;	/* sweep when bins->len reaches this */
};

static void binary_free(void *p)
{
	struct binary *b = p;

	if (!b)
		return;
	free(b->name);
	free(b->syms);
	free(b->strs);
	free(b->segs);
	free(b);
}

static void uproc_free(void *p)
{
	struct uproc *u = p;

	if (!u)
		return;
	free(u->maps);
	perfmap_free(u->jit);
	free(u);
}

/* The pid the process has in its own pid namespace (NSpid's last), which
 * names its perf map; pid when not known. */
static __u32 ns_pid(__u32 pid)
{
	char path[64], line[256];
	unsigned long v = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (!(f = fopen(path, "re")))
		return pid;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 6, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (unsigned long x; (x = strtoul(p, &end, 10)), end != p; p = end)
			v = x;
		break;
	}
	fclose(f);
	return (__u32)v;
}

/* The process's perf map (JIT code), read (again) when its size changed:
 * JITs append to it. The file is the process's (any user's): not through a
 * symlink, a regular file of a bounded size. */
static const struct perfmap *jit_map(__u32 pid, struct uproc *up)
{
	char path[96], *text;
	struct perfmap *m;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/root/tmp/perf-%u.map", pid, ns_pid(pid));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return up->jit;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > USYMS_MAX_PERFMAP ||
	    st.st_size == up->jit_size || !(text = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return up->jit;
	}
	ssize_t got = pread(fd, text, (size_t)st.st_size, 0);

	close(fd);
	m = got > 0 ? perfmap_parse(text, (size_t)got) : NULL;
	free(text);
	if (m) {
		perfmap_free(up->jit);
		up->jit = m;
		up->jit_size = st.st_size;
	}
	return up->jit;
}

struct usyms *usyms_new(void)
{
	struct usyms *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		goto fail;
	pthread_mutex_init(&u->lock, NULL);
	u->bins = hashmap_new(sizeof(struct bin_key));
	u->procs = hashmap_new(sizeof(__u32));
	u->bins_sweep_at = BINS_SWEEP_MIN;
	if (!u->bins || !u->procs)
		goto fail;
	return u;
fail:
	usyms_free(u);
	return NULL;
}

void usyms_free(struct usyms *u)
{
	if (!u)
		return;
	if (u->bins)
		hashmap_free(u->bins, binary_free);
	if (u->procs)
		hashmap_free(u->procs, uproc_free);
	free(u);
}

static int cmp_usym(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* a sized symbol before an unsized alias */
	if ((x->size == 0) != (y->size == 0))
		return (x->size == 0) - (y->size == 0);
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	/* __lll_lock_wait over its hidden alias __GI___lll_lock_wait; the
	 * same name whatever order qsort leaves */
	if (strlen(x->name) != strlen(y->name))
		return strlen(x->name) < strlen(y->name) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* pthread_mutex_lock over its aliases ___pthread_mutex_lock (local) and
 * __pthread_mutex_lock@GLIBC_2.2.5 (an old version) in a debug file's
 * .symtab: global before weak before local, a default version first. */
static unsigned sym_rank(const GElf_Sym *sym, const char *name)
{
	const char *at = strchr(name, '@');

	return (GELF_ST_BIND(sym->st_info) == STB_LOCAL ? 4u : 0u) +
	       (GELF_ST_BIND(sym->st_info) == STB_WEAK ? 2u : 0u) + (at && at[1] != '@' ? 1u : 0u);
}

/* Function symbols of one symbol table section into b (appending). */
static int read_symtab(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct binary *b,
		       size_t *strs_len, size_t *strs_cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, cap;

	/* the file is another user's: its sizes are believed only as far
	 * as the data libelf really read (sh_size may claim 2^64 entries) */
	if (!data || !sh->sh_entsize || sh->sh_entsize != gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT))
		return 0;
	n = data->d_size / sh->sh_entsize;
	if (n > USYMS_MAX_SYMS - b->nsyms)
		n = USYMS_MAX_SYMS - b->nsyms;
	cap = b->nsyms + n;
	{
		struct usym *s = realloc(b->syms, (cap ? cap : 1) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		b->syms = s;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		size_t len;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name || *name == '@')
			continue;
		/* "sem_wait@@GLIBC_2.34" is sem_wait */
		len = strcspn(name, "@") + 1;
		if (*strs_len + len > *strs_cap) {
			size_t c = *strs_cap ? *strs_cap * 2 : 65536;
			char *s;

			while (c < *strs_len + len)
				c *= 2;
			s = realloc(b->strs, c);
			if (!s)
				return -ENOMEM;
			b->strs = s;
			*strs_cap = c;
		}
		memcpy(b->strs + *strs_len, name, len - 1);
		b->strs[*strs_len + len - 1] = 0;
		b->syms[b->nsyms].rank = sym_rank(&sym, name);
		/* an offset until the block stops moving */
		b->syms[b->nsyms].name = (const char *)(uintptr_t)*strs_len;
		b->syms[b->nsyms].addr = sym.st_value;
		b->syms[b->nsyms].size = sym.st_size;
		b->nsyms++;
		*strs_len += len;
	}
	return 0;
}

/* A mapped file, opened as root but belonging to whoever runs the
 * process: O_NONBLOCK so that a FIFO put at the path cannot hang us, and
 * only a regular file of a sane size is read; st is what was opened. */
static int binary_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_size <= 0 ||
	    (unsigned long long)st->st_size > USYMS_MAX_FILE) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The symbol table section of type (SHT_SYMTAB, SHT_DYNSYM) of elf. */
static Elf_Scn *find_symtab(Elf *elf, Elf64_Word type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == type)
			return scn;
	return NULL;
}

/* Opens the debug file at path if it is elf's (the same build id, when elf
 * has one): its Elf, its descriptor in *fd; else NULL. */
static Elf *debug_try(const char *path, const unsigned char *id, size_t len, int *fd)
{
	unsigned char id2[DEBUGINFO_ID_MAX];
	struct stat st;
	Elf *d;

	*fd = binary_open(path, &st);
	if (*fd < 0)
		return NULL;
	d = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (d && elf_kind(d) == ELF_K_ELF &&
	    (!len || (debuginfo_build_id(d, id2, sizeof(id2)) == len && !memcmp(id, id2, len))))
		return d;
	if (d)
		elf_end(d);
	close(*fd);
	*fd = -1;
	return NULL;
}

/* The separate debug file of elf (lib/debuginfo.h), below the process's
 * root and then the host's: its Elf and descriptor, or NULL. relpath: the
 * binary's path in that root (NULL: unknown). */
static Elf *debug_open(Elf *elf, const char *root, const char *relpath, int *fd)
{
	unsigned char id[DEBUGINFO_ID_MAX];
	size_t len = debuginfo_build_id(elf, id, sizeof(id));
	const char *link = debuginfo_link_name(elf), *dir = debuginfo_dir();
	const char *roots[2] = { root, "" };
	char p[4400];
	Elf *d;

	for (int r = 0; r < (*root ? 2 : 1); r++) {
		if (!debuginfo_build_id_path(roots[r], dir, id, len, p, sizeof(p)) &&
		    (d = debug_try(p, id, len, fd)))
			return d;
		for (int i = 0; link && relpath; i++) {
			if (debuginfo_link_path(roots[r], dir, relpath, link, i, p, sizeof(p)))
				break;
			if ((d = debug_try(p, id, len, fd)))
				return d;
		}
	}
	return NULL;
}

/* Function symbols into b: the debug file's .symtab (dbg, may be NULL),
 * else the file's own .symtab (not stripped), else its MiniDebugInfo's
 * .symtab (mini, may be NULL: the functions .dynsym lacks) and .dynsym. */
static int load_symbols(struct binary *b, Elf *elf, Elf *dbg, Elf *mini)
{
	size_t strs_len = 0, strs_cap = 0;
	Elf *from[4] = { dbg, elf, mini, elf };
	Elf64_Word type[4] = { SHT_SYMTAB, SHT_SYMTAB, SHT_SYMTAB, SHT_DYNSYM };

	for (int i = 0; i < 4 && (!b->nsyms || i == 3); i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = from[i] ? find_symtab(from[i], type[i], &sh) : NULL;

		if (scn && read_symtab(from[i], scn, &sh, b, &strs_len, &strs_cap))
			return -1;
	}
	for (size_t i = 0; i < b->nsyms; i++)
		b->syms[i].name = b->strs + (uintptr_t)b->syms[i].name;
	if (b->nsyms)
		qsort(b->syms, b->nsyms, sizeof(*b->syms), cmp_usym);
	return 0;
}

/* Reads path's PT_LOAD segments and function symbols (load_symbols). st:
 * the file opened. root, relpath: where its debug file is looked for. */
static struct binary *binary_load(const char *path, const char *name, struct stat *st,
				  const char *root, const char *relpath)
{
	struct binary *b = calloc(1, sizeof(*b));
	Elf *elf = NULL, *dbg = NULL, *mini = NULL;
	void *image = NULL;
	int fd = -1, dfd = -1;
	size_t nphdr;
	bool ok = false;

	if (!b)
		return NULL;
	b->name = strdup(name);
	fd = binary_open(path, st);
	if (fd < 0 || !b->name)
		goto out;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr))
		goto out;
	/* program headers must fit in the file (e_phnum is the file's word) */
	if (nphdr > (size_t)st->st_size / gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT))
		goto out;
	b->segs = calloc(nphdr ? nphdr : 1, sizeof(*b->segs));
	if (!b->segs)
		goto out;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			b->segs[b->nsegs].vaddr = ph.p_vaddr;
			b->segs[b->nsegs].offset = ph.p_offset;
			b->segs[b->nsegs].filesz = ph.p_filesz;
			b->nsegs++;
		}
	}
	dbg = debug_open(elf, root, relpath, &dfd);
	if (!dbg)
		mini = debuginfo_minidebug(elf, &image);
	ok = load_symbols(b, elf, dbg, mini) == 0;
out:
	if (mini)
		elf_end(mini);
	free(image);
	if (dbg)
		elf_end(dbg);
	if (dfd >= 0)
		close(dfd);
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	if (ok)
		return b;
	binary_free(b);
	return NULL;
}

/* The cached binary of a mapped file, loaded on first use. The file is
 * opened through /proc/PID/map_files (the very file mapped, even when
 * deleted or in another mount namespace), else /proc/PID/root/PATH. */
static struct binary *binary_get(struct usyms *u, __u32 pid, const struct umap *m,
				 const char *path)
{
	struct bin_key key = { 0 };
	struct binary *b;
	char p[4200], root[48];
	struct stat st;
	const char *base = strrchr(path, '/');

	snprintf(p, sizeof(p), "/proc/%u/map_files/%llx-%llx", pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	if (stat(p, &st)) {
		snprintf(p, sizeof(p), "/proc/%u/root%s", pid, path);
		if (stat(p, &st))
			return NULL;
	}
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	b = hashmap_get(u->bins, &key);
	if (b)
		return b;
	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	b = binary_load(p, base ? base + 1 : path, &st, root, path);
	/* cached under the file that was read: it may not be the one stat
	 * saw if the path was swapped in between */
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	if (b && hashmap_get(u->bins, &key)) {
		binary_free(b);
		return hashmap_get(u->bins, &key);
	}
	if (b && hashmap_put(u->bins, &key, b)) {
		binary_free(b);
		b = NULL;
	}
	return b;
}

static int read_maps(struct usyms *u, __u32 pid, struct uproc *up)
{
	char path[64], line[4352];
	struct umap *maps = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff;
		char perms[8];
		int pos = 0;
		const char *file;
		struct umap *m;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &start, &end, perms, &pgoff,
			   &pos) < 4 || !pos)
			continue;
		if (perms[2] != 'x')
			continue;	/* stacks point into code only */
		file = line + pos;
		while (*file == ' ')
			file++;
		file = strndup(file, strcspn(file, "\n"));
		if (!file)
			break;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 32;
			struct umap *nm = realloc(maps, c * sizeof(*nm));

			if (!nm) {
				free((void *)file);
				break;
			}
			maps = nm;
			cap = c;
		}
		m = &maps[n++];
		m->start = start;
		m->end = end;
		m->pgoff = pgoff;
		m->bin = file[0] == '/' ? binary_get(u, pid, m, file) : NULL;
		free((void *)file);
	}
	fclose(f);
	free(up->maps);
	up->maps = maps;
	up->nmaps = n;
	return 0;
}

int usyms_prepare(struct usyms *u, __u32 pid, __u64 gen)
{
	struct uproc *up;
	int err;

	pthread_mutex_lock(&u->lock);
	up = hashmap_get(u->procs, &pid);
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up || hashmap_put(u->procs, &pid, up)) {
			free(up);
			pthread_mutex_unlock(&u->lock);
			return -ENOMEM;
		}
	}
	up->gen = gen;
	up->rescanned = false;
	err = read_maps(u, pid, up);
	/* JIT code's names too, while the process (and its map) are there */
	if (!err)
		jit_map(pid, up);
	pthread_mutex_unlock(&u->lock);
	return err;
}

static const struct umap *find_map(const struct uproc *up, __u64 addr)
{
	for (size_t i = 0; i < up->nmaps; i++)
		if (addr >= up->maps[i].start && addr < up->maps[i].end)
			return &up->maps[i];
	return NULL;
}

/* The address as the ELF file's virtual address: through the file offset
 * and the PT_LOAD segment holding it (PIE, shared objects and fixed
 * executables alike). */
static bool to_elf_vaddr(const struct umap *m, __u64 addr, __u64 *vaddr)
{
	__u64 off = addr - m->start + m->pgoff;

	for (size_t i = 0; i < m->bin->nsegs; i++) {
		const struct load_seg *s = &m->bin->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return true;
		}
	}
	*vaddr = off;
	return false;
}

static const struct usym *find_sym(const struct binary *b, __u64 vaddr)
{
	size_t lo = 0, hi = b->nsyms;

	if (!b->nsyms || vaddr < b->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->syms[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	/* among symbols at the same address, the first (sized) one */
	while (lo > 0 && b->syms[lo - 1].addr == b->syms[lo].addr)
		lo--;
	/* a symbol covers its size; unsized ones only their first byte */
	for (size_t i = lo; i < b->nsyms && b->syms[i].addr == b->syms[lo].addr; i++)
		if (vaddr < b->syms[i].addr + (b->syms[i].size ? b->syms[i].size : 1))
			return &b->syms[i];
	return NULL;
}

const char *usyms_resolve(struct usyms *u, __u32 pid, __u64 gen, __u64 addr, char *buf,
			  size_t n)
{
	const struct umap *m = NULL;
	struct uproc *up;
	__u64 vaddr;

	pthread_mutex_lock(&u->lock);
	up = hashmap_get(u->procs, &pid);
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (up && hashmap_put(u->procs, &pid, up)) {
			free(up);
			up = NULL;
		}
		if (up) {
			up->gen = gen;
			read_maps(u, pid, up);
		}
	} else if (gen && up->gen && gen > up->gen) {
		/* a later process has the pid now: its map, if it still runs */
		up->gen = gen;
		up->rescanned = false;
		up->nmaps = 0;
		perfmap_free(up->jit);
		up->jit = NULL;
		up->jit_size = 0;
		read_maps(u, pid, up);
	} else if (gen && up->gen && gen < up->gen) {
		up = NULL;	/* an earlier process of that pid: its map is gone */
	}
	if (up) {
		m = find_map(up, addr);
		if (!m && !up->rescanned) {
			/* mapped since (dlopen), if the process is still there */
			up->rescanned = true;
			if (!read_maps(u, pid, up))
				m = find_map(up, addr);
		}
	}
	if (!m) {
		snprintf(buf, n, "0x%llx", (unsigned long long)addr);
	} else if (!m->bin) {
		const char *jit = jit_map(pid, up) ? perfmap_find(up->jit, addr, &vaddr) : NULL;

		if (!jit && up->jit && jit_map(pid, up))	/* compiled since: read again */
			jit = perfmap_find(up->jit, addr, &vaddr);
		if (jit)
			snprintf(buf, n, "%s+0x%llx", jit, (unsigned long long)vaddr);
		else
			snprintf(buf, n, "[anon]+0x%llx", (unsigned long long)(addr - m->start));
	} else {
		const struct usym *s;

		to_elf_vaddr(m, addr, &vaddr);
		s = find_sym(m->bin, vaddr);
		if (s)
			snprintf(buf, n, "%s+0x%llx", s->name, (unsigned long long)(vaddr - s->addr));
		else
			snprintf(buf, n, "%s+0x%llx", m->bin->name, (unsigned long long)vaddr);
	}
	pthread_mutex_unlock(&u->lock);
	return buf;
}

/* Drops the cached binaries no process map points to; the caller holds
 * the lock. */
static void sweep_bins(struct usyms *u)
{
	struct hashmap *used = hashmap_new(sizeof(struct binary *));
	struct bin_key *stale = NULL;
	struct hm_entry *it;
	size_t b, nstale = 0;

	if (!used)
		return;
	for (it = NULL; (it = hashmap_next(u->procs, it, &b));) {
		const struct uproc *up = it->value;

		for (size_t i = 0; i < up->nmaps; i++)
			if (up->maps[i].bin && hashmap_put(used, &up->maps[i].bin, (void *)1))
				goto out;	/* out of memory: keep everything */
	}
	stale = calloc(u->bins->len ? u->bins->len : 1, sizeof(*stale));
	if (!stale)
		goto out;
	for (it = NULL; (it = hashmap_next(u->bins, it, &b));)
		if (!hashmap_get(used, &it->value))
			memcpy(&stale[nstale++], it->key, sizeof(*stale));
	for (size_t i = 0; i < nstale; i++)
		binary_free(hashmap_del(u->bins, &stale[i]));
out:
	free(stale);
	hashmap_free(used, NULL);
	u->bins_sweep_at = u->bins->len * 2 > BINS_SWEEP_MIN ? u->bins->len * 2 : BINS_SWEEP_MIN;
}

void usyms_forget(struct usyms *u, __u32 pid, __u64 gen)
{
	struct uproc *up;

	pthread_mutex_lock(&u->lock);
	up = hashmap_get(u->procs, &pid);
	if (up && (!gen || !up->gen || up->gen <= gen)) {
		uproc_free(hashmap_del(u->procs, &pid));
		if (u->bins->len >= u->bins_sweep_at)
			sweep_bins(u);
	}
	pthread_mutex_unlock(&u->lock);
}

size_t usyms_nbinaries(struct usyms *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = u->bins->len;
	pthread_mutex_unlock(&u->lock);
	return n;
}

long usyms_file_symbols(const char *path)
{
	struct binary *b;
	struct stat st;
	long n;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	b = binary_load(path, "test", &st, "", NULL);
	if (!b)
		return -1;
	n = (long)b->nsyms;
	binary_free(b);
	return n;
}
