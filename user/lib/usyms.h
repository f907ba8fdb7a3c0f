/* User-space symbols: a process's memory map from /proc/PID/maps, and the
 * ELF symbol tables (.symtab, else .dynsym) of the files it maps, read with
 * libelf. Binaries are cached by device and inode, so each libc is read
 * once whatever the number of processes. A process's map is kept after it
 * exits (until usyms_forget), so its stacks still resolve after the end.
 * Thread-safe: one lock around everything. */
#ifndef LATSCOPE_USYMS_H
#define LATSCOPE_USYMS_H

#include <stddef.h>
#include <linux/types.h>

struct usyms;

struct usyms *usyms_new(void);
void usyms_free(struct usyms *u);
/* A process is (pid, gen): gen is its start time in any clock that grows
 * (0: whatever process has the pid), so that a reused pid is not read
 * through the map of the process that had it before. */

/* Reads the process's map (again) and loads the binaries it maps;
 * 0 or a negative errno (-ENOENT: the process is gone). */
int usyms_prepare(struct usyms *u, __u32 pid, __u64 gen);
/* "func+0x1c", "module+0x1f2e0" when no symbol covers it, "0x7f..." when
 * no mapping does (or the map kept for pid is of a later process). Reads
 * the map first if the process is not known yet, and once more if a live
 * process has no mapping for addr. Returns buf. */
const char *usyms_resolve(struct usyms *u, __u32 pid, __u64 gen, __u64 addr, char *buf,
			  size_t n);
/* Drops a process's map (the binaries stay cached); not a later one's
 * of the same pid. */
void usyms_forget(struct usyms *u, __u32 pid, __u64 gen);
/* How many function symbols usyms would load from the ELF file at path,
 * -1 if it refuses the file (not a regular file, not ELF, headers that do
 * not fit). For tests and checks; uses no cache. */
long usyms_file_symbols(const char *path);
/* How many binaries are cached (for tests). */
size_t usyms_nbinaries(struct usyms *u);

#endif
