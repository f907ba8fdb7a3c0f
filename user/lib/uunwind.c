#include <dwarf.h>
#include <errno.h>
#include <elfutils/libdwfl.h>
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

/* Address spaces whose Dwfl is kept at most: each holds its modules' ELF
 * files mapped and their CFI once read (measured: ~1.2 MiB of RSS), and is
 * needed only while its processes have new stacks; building one again
 * costs ~0.3 ms. Past it, the least recently used goes. Processes forked
 * from one another (a PostgreSQL's backends, Apache's or nginx's workers)
 * map the same files at the same addresses and share one. */
#define UW_MAX_SPACES 16
/* The longest /proc/PID/maps read (a JVM's runs into the 10^4 lines) */
#define UW_MAX_MAPS (16u << 20)

/* x86-64 DWARF register numbers (the psABI's) */
#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7

/* One layout of mapped files (uunwind_maps_key) and its Dwfl. */
struct uw_space {
	__u64 key;
	Dwfl *dwfl;
	__u64 used;		/* when last used, in unwindings */
	/* the unwinding under way (under the lock) */
	__u32 pid;
	const struct uunwind_sample *cur;
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
	__u64 clock;		/* unwindings so far */
	__u64 built;		/* spaces made so far */
};

/* The process whose files are opened now (under the lock): modules are
 * opened lazily, through the root of whichever process of the space is
 * being unwound (the one that made the space may be gone). */
static __u32 uw_root_pid;

static int uw_find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		       char **file_name, Elf **elfp)
{
	char path[4200];

	if (name[0] != '/' || !uw_root_pid)
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	snprintf(path, sizeof(path), "/proc/%u/root%s", uw_root_pid, name);
	return dwfl_linux_proc_find_elf(mod, userdata, path, base, file_name, elfp);
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = uw_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static void uw_space_free(void *v)
{
	struct uw_space *sp = v;

	if (!sp)
		return;
	if (sp->dwfl)
		dwfl_end(sp->dwfl);
	free(sp);
}

struct uunwind *uunwind_new(void)
{
	struct uunwind *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	pthread_mutex_init(&u->lock, NULL);
	u->procs = hashmap_new(sizeof(__u32));
	u->spaces = hashmap_new(sizeof(__u64));
	if (!u->procs || !u->spaces) {
		uunwind_free(u);
		return NULL;
	}
	return u;
}

void uunwind_free(struct uunwind *u)
{
	if (!u)
		return;
	if (u->procs)
		hashmap_free(u->procs, free);
	if (u->spaces)
		hashmap_free(u->spaces, uw_space_free);
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

static pid_t uw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct uw_space *sp = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = sp;
	return (pid_t)sp->pid;
}

/* Memory is the stack copy only: a read outside it ends the unwinding
 * (the process's memory now is not what it was at the wait). */
static bool uw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct uunwind_sample *s = ((struct uw_space *)arg)->cur;

	if (!s || addr < s->sp || addr - s->sp > s->size || s->size - (addr - s->sp) < 8)
		return false;
	memcpy(result, (const char *)s->stack + (addr - s->sp), sizeof(*result));
	return true;
}

static bool uw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct uunwind_sample *s = ((struct uw_space *)arg)->cur;
	Dwarf_Word regs[2] = { s->bp, s->sp };	/* rbp, rsp */

	if (!dwfl_thread_state_registers(thread, DWARF_REG_RBP, 2, regs))
		return false;
	dwfl_thread_state_register_pc(thread, s->ip);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = uw_next_thread,
	.memory_read = uw_memory_read,
	.set_initial_registers = uw_set_initial_registers,
};

/* A Dwfl of the modules of maps (process pid's), attached to our thread
 * callbacks for sp; NULL when nothing could be read. */
static Dwfl *dwfl_for(struct uw_space *sp, const char *maps, __u32 pid)
{
	FILE *f = fmemopen((void *)maps, strlen(maps), "r");
	Dwfl *dwfl = NULL;

	uw_root_pid = pid;
	if (f && (dwfl = dwfl_begin(&proc_callbacks))) {
		dwfl_report_begin(dwfl);
		if (dwfl_linux_proc_maps_report(dwfl, f) || dwfl_report_end(dwfl, NULL, NULL) ||
		    !dwfl_attach_state(dwfl, NULL, (pid_t)pid, &thread_callbacks, sp)) {
			dwfl_end(dwfl);
			dwfl = NULL;
		}
	}
	if (f)
		fclose(f);
	return dwfl;
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
	if (!maps || stat(root, &st))
		goto out;
	p->space = uunwind_maps_key(maps, st.st_dev, st.st_ino);
	if ((sp = hashmap_get(u->spaces, &p->space)))
		goto out;
	if (u->spaces->len >= UW_MAX_SPACES) {
		for (it = NULL; (it = hashmap_next(u->spaces, it, &b));)
			if (!lru || ((struct uw_space *)it->value)->used < lru->used)
				lru = it->value;
		if (lru)
			uw_space_free(hashmap_del(u->spaces, &lru->key));
	}
	if (!(sp = calloc(1, sizeof(*sp))))
		goto out;
	sp->key = p->space;
	u->built++;
	if (!(sp->dwfl = dwfl_for(sp, maps, p->pid)) || hashmap_put(u->spaces, &sp->key, sp)) {
		uw_space_free(sp);
		sp = NULL;
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
	if (p->space)
		sp = hashmap_get(u->spaces, &p->space);
	/* a module mapped since (dlopen): the process's space is looked for
	 * again (the old one may be another process's still) */
	if (!sp || !dwfl_addrmodule(sp->dwfl, s->ip))
		sp = space_find(u, p);
	if (!sp) {
		err = -ESRCH;
		goto out;
	}
	sp->pid = pid;
	sp->cur = s;
	sp->used = ++u->clock;
	uw_root_pid = pid;
	/* ends in an error where the copy or the CFI ends: the frames
	 * found until then are the answer */
	dwfl_getthread_frames(sp->dwfl, (pid_t)pid, uw_frame, &fr);
	sp->cur = NULL;
	uw_root_pid = 0;
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

void uunwind_forget(struct uunwind *u, __u32 pid, __u64 gen)
{
	struct uw_proc *p;

	pthread_mutex_lock(&u->lock);
	p = hashmap_get(u->procs, &pid);
	if (p && (!gen || p->gen <= gen))
		free(hashmap_del(u->procs, &pid));
	pthread_mutex_unlock(&u->lock);
}

__u64 uunwind_spaces_built(struct uunwind *u)
{
	__u64 n;

	pthread_mutex_lock(&u->lock);
	n = u->built;
	pthread_mutex_unlock(&u->lock);
	return n;
}
