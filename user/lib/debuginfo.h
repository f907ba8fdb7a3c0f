/* Where a binary's separate debug information lives (gdb's rules): by its
 * build id, /usr/lib/debug/.build-id/xx/yyyy.debug, else by its
 * .gnu_debuglink name, next to the binary, in its .debug/ directory, or
 * below /usr/lib/debug. The paths are put below a root (/proc/PID/root for
 * a process of another mount namespace). */
#ifndef LATSCOPE_DEBUGINFO_H
#define LATSCOPE_DEBUGINFO_H

#include <stddef.h>
#include <libelf.h>

#define DEBUGINFO_ID_MAX 64	/* build ids are 20 bytes (SHA-1); room for more */

/* The debug directory: /usr/lib/debug, or $LATSCOPE_DEBUGINFO_DIR when set
 * (tests: a host without debug packages). */
const char *debuginfo_dir(void);
/* root + dir + "/.build-id/xx/yyyy.debug" into buf; -1 when it does not fit
 * or the id is empty. */
int debuginfo_build_id_path(const char *root, const char *dir, const unsigned char *id,
			    size_t len, char *buf, size_t n);
/* The i-th (from 0) place a .gnu_debuglink name of the binary at path (a
 * path in root) may be: its directory, its directory's .debug/, dir and its
 * directory. -1 past the last, or when it does not fit. */
int debuginfo_link_path(const char *root, const char *dir, const char *path, const char *name,
			int i, char *buf, size_t n);
/* The build id (NT_GNU_BUILD_ID) of elf into id; its length, 0 if none. */
size_t debuginfo_build_id(Elf *elf, unsigned char *id, size_t max);
/* The .gnu_debuglink file name of elf (in elf's memory), NULL if none. */
const char *debuginfo_link_name(Elf *elf);
/* MiniDebugInfo: the ELF image xz-compressed in elf's .gnu_debugdata
 * (Fedora's binaries: a .symtab of the functions .dynsym lacks), as an Elf
 * over memory in *image (free it after elf_end); NULL if none or not
 * readable. At most 64 MiB decompressed: the file is another user's. */
Elf *debuginfo_minidebug(Elf *elf, void **image);

#endif
