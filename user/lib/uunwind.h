/* User stacks unwound by the binaries' unwind tables (.eh_frame,
 * .debug_frame), the way `perf record --call-graph dwarf` does: from a few
 * registers and a copy of the top of the stack taken in the kernel, with
 * elfutils' libdwfl (dwfl_attach_state with our own thread callbacks, whose
 * memory is the copy). One Dwfl for every process: each binary (by build
 * id) is one module in it, opened once through the /proc/PID/root of the
 * first process that maps it (right in another mount namespace too), at
 * its own address above user space; a process's addresses are moved there
 * while unwinding (the pc, and every word read from the stack that points
 * into one of its binaries) and back after. So a new process of a binary
 * already seen reads its maps only: no file opened, no CFI read again. At
 * most 128 binaries and 1024 layouts of mapped files kept (LRU).
 * Thread-safe: one lock. */
#ifndef LATSCOPE_UUNWIND_H
#define LATSCOPE_UUNWIND_H

#include <stddef.h>
#include <linux/types.h>

struct uunwind;

/* Where the unwinding starts: the user registers and the stack copied
 * from sp up (size bytes). */
struct uunwind_sample {
	__u64 ip, sp, bp;
	const void *stack;
	size_t size;
};

struct uunwind *uunwind_new(void);
void uunwind_free(struct uunwind *u);
/* The frames of process pid (gen: its start time, as usyms has it) from s,
 * innermost first (the first is s->ip, the others return addresses) into
 * ips, at most n; the number of frames (0 when nothing unwinds: no module
 * holds ip) or a negative errno (-ESRCH: the process is gone). */
int uunwind_stack(struct uunwind *u, __u32 pid, __u64 gen, const struct uunwind_sample *s,
		  __u64 *ips, int n);
/* The function the call returning to ret (in process pid, alive) went to:
 * the call's target, through the PLT stub or the GOT slot of a call into
 * another module; 0 when the bytes before ret are no call we know. Names
 * the entry a tail call hides (glibc's sem_wait jumps to the unexported
 * __new_sem_wait_slow64: only its caller's call says sem_wait). */
__u64 uunwind_callee(__u32 pid, __u64 ret);
/* The same, kept for processes of the same binaries (by build id, the
 * same set of them) whatever their addresses: read once per binary's
 * return address. For a process whose stack was unwound by u. */
__u64 uunwind_callee_of(struct uunwind *u, __u32 pid, __u64 ret);
/* The pure parts, for tests. The call that returns to ret from code[0..5]
 * (the bytes at ret-6..ret-1): 1 and its target (call rel32), 2 and the
 * address of the slot it reads (call *disp(%rip)), 0: neither. */
int uunwind_decode_call(const unsigned char code[6], __u64 ret, __u64 *addr);
/* The GOT slot a PLT stub at addr jumps through ([endbr64] [bnd] jmp
 * *disp(%rip), from its first 16 bytes); 0: not a stub. */
__u64 uunwind_decode_plt(const unsigned char stub[16], __u64 addr);
/* How many address spaces were read (a layout of mapped files, again
 * after it was dropped) and binaries opened (by build id) so far. */
void uunwind_counts(struct uunwind *u, __u64 *spaces, __u64 *bins);
/* At most n binaries kept from now on (128 by default); the spaces are
 * read again. For tests. */
void uunwind_set_max_bins(struct uunwind *u, size_t n);
/* Drops what is kept for the process (not a later one's of the pid). */
void uunwind_forget(struct uunwind *u, __u32 pid, __u64 gen);
/* The identity of a process's mapped files for sharing a Dwfl: a hash of
 * the lines of maps (a /proc/PID/maps text) that map files, and of the
 * process's root directory (dev, ino). Never 0. Pure, for tests. */
__u64 uunwind_maps_key(const char *maps, __u64 root_dev, __u64 root_ino);
/* A file mapped in a process: the run of maps lines of one file (dev,
 * ino) from its mapping at offset 0; path points into the maps text. */
struct uunwind_file {
	__u64 start, end, dev, ino;
	const char *path;
	size_t path_len;
};
/* The files of maps (a /proc/PID/maps text) into files, at most max, in
 * address order; how many. Pure, for tests. */
int uunwind_parse_maps(const char *maps, struct uunwind_file *files, int max);

#endif
