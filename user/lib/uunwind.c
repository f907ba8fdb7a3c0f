#include <dwarf.h>
#include <errno.h>
#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "lib/hashmap.h"
#include "lib/uunwind.h"

/* Processes whose Dwfl is kept at most: each holds its modules' ELF files
 * mapped and their CFI once read (measured: ~1.2 MiB of RSS per
 * PostgreSQL backend), and is needed only while the process has new
 * stacks; building one again costs ~0.3 ms. Past it, the least recently
 * used goes. */
#define UW_MAX_PROCS 16
/* The longest /proc/PID/maps read (a JVM's runs into the 10^4 lines) */
#define UW_MAX_MAPS (16u << 20)

/* x86-64 DWARF register numbers (the psABI's) */
#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7

struct uw_proc {
	__u32 pid;
	__u64 gen;
	Dwfl *dwfl;
	__u64 used;		/* when last used, in unwindings */
	/* the unwinding under way (under the lock) */
	const struct uunwind_sample *cur;
};

struct uunwind {
	pthread_mutex_t lock;
	struct hashmap *procs;	/* pid -> struct uw_proc */
	__u64 clock;		/* unwindings so far */
};

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static void uw_proc_free(void *v)
{
	struct uw_proc *p = v;

	if (!p)
		return;
	if (p->dwfl)
		dwfl_end(p->dwfl);
	free(p);
}

struct uunwind *uunwind_new(void)
{
	struct uunwind *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	pthread_mutex_init(&u->lock, NULL);
	u->procs = hashmap_new(sizeof(__u32));
	if (!u->procs) {
		free(u);
		return NULL;
	}
	return u;
}

void uunwind_free(struct uunwind *u)
{
	if (!u)
		return;
	hashmap_free(u->procs, uw_proc_free);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

/* One line of a maps text into out (at *len), its path put below root. */
static void rebase_line(const char *line, size_t n, const char *root, char *out, size_t *len)
{
	const char *path = memchr(line, '/', n);

	/* the path is the first '/' after the 5 leading fields */
	if (path) {
		int fields = 0;

		for (const char *c = line; c < path; c++)
			if (*c == ' ' && c[1] != ' ')
				fields++;
		if (fields < 5)
			path = NULL;
	}
	if (!path) {
		memcpy(out + *len, line, n);
		*len += n;
		return;
	}
	memcpy(out + *len, line, (size_t)(path - line));
	*len += (size_t)(path - line);
	memcpy(out + *len, root, strlen(root));
	*len += strlen(root);
	memcpy(out + *len, path, n - (size_t)(path - line));
	*len += n - (size_t)(path - line);
}

char *uunwind_maps_rebase(const char *maps, const char *root)
{
	size_t lines = 1, len = 0, rlen = strlen(root);
	const char *p = maps;
	char *out;

	for (const char *c = maps; *c; c++)
		lines += *c == '\n';
	out = malloc(strlen(maps) + lines * rlen + 1);
	if (!out)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		rebase_line(p, n, root, out, &len);
		p += n;
	}
	out[len] = 0;
	return out;
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
	struct uw_proc *p = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = p;
	return (pid_t)p->pid;
}

/* Memory is the stack copy only: a read outside it ends the unwinding
 * (the process's memory now is not what it was at the wait). */
static bool uw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct uunwind_sample *s = ((struct uw_proc *)arg)->cur;

	if (!s || addr < s->sp || addr - s->sp > s->size || s->size - (addr - s->sp) < 8)
		return false;
	memcpy(result, (const char *)s->stack + (addr - s->sp), sizeof(*result));
	return true;
}

static bool uw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct uunwind_sample *s = ((struct uw_proc *)arg)->cur;
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

/* A Dwfl of the process's modules as mapped now, attached to our thread
 * callbacks; NULL when the process is gone or nothing could be read. */
static Dwfl *dwfl_for(struct uw_proc *p)
{
	char root[48], *maps = read_maps(p->pid), *rebased;
	Dwfl *dwfl = NULL;
	FILE *f;
	int err;

	if (!maps)
		return NULL;
	snprintf(root, sizeof(root), "/proc/%u/root", p->pid);
	rebased = uunwind_maps_rebase(maps, root);
	free(maps);
	f = rebased ? fmemopen(rebased, strlen(rebased), "r") : NULL;
	if (f && (dwfl = dwfl_begin(&proc_callbacks))) {
		dwfl_report_begin(dwfl);
		err = dwfl_linux_proc_maps_report(dwfl, f);
		if (err || dwfl_report_end(dwfl, NULL, NULL) ||
		    !dwfl_attach_state(dwfl, NULL, (pid_t)p->pid, &thread_callbacks, p)) {
			dwfl_end(dwfl);
			dwfl = NULL;
		}
	}
	if (f)
		fclose(f);
	free(rebased);
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

/* The process's entry, a new one (or a new Dwfl) when the pid is now a
 * later process's; NULL on no memory. */
static struct uw_proc *proc_get(struct uunwind *u, __u32 pid, __u64 gen)
{
	struct uw_proc *p = hashmap_get(u->procs, &pid);

	if (p && gen > p->gen && p->dwfl) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
	}
	if (p) {
		p->gen = gen > p->gen ? gen : p->gen;
		return p;
	}
	if (u->procs->len >= UW_MAX_PROCS) {
		struct uw_proc *lru = NULL;
		struct hm_entry *it;
		size_t b;

		for (it = NULL; (it = hashmap_next(u->procs, it, &b));)
			if (!lru || ((struct uw_proc *)it->value)->used < lru->used)
				lru = it->value;
		if (lru)
			uw_proc_free(hashmap_del(u->procs, &lru->pid));
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

int uunwind_stack(struct uunwind *u, __u32 pid, __u64 gen, const struct uunwind_sample *s,
		  __u64 *ips, int n)
{
	struct uw_frames fr = { ips, 0, n };
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
	/* a module mapped since the Dwfl was made (dlopen): made again */
	if (p->dwfl && !dwfl_addrmodule(p->dwfl, s->ip)) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
	}
	if (!p->dwfl && !(p->dwfl = dwfl_for(p))) {
		err = -ESRCH;
		goto out;
	}
	p->cur = s;
	p->used = ++u->clock;
	/* ends in an error where the copy or the CFI ends: the frames
	 * found until then are the answer */
	dwfl_getthread_frames(p->dwfl, (pid_t)pid, uw_frame, &fr);
	p->cur = NULL;
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
		uw_proc_free(hashmap_del(u->procs, &pid));
	pthread_mutex_unlock(&u->lock);
}
