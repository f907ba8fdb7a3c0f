#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/debuginfo.h"

const char *debuginfo_dir(void)
{
	const char *d = getenv("LATSCOPE_DEBUGINFO_DIR");

	return d && *d ? d : "/usr/lib/debug";
}

int debuginfo_build_id_path(const char *root, const char *dir, const unsigned char *id,
			    size_t len, char *buf, size_t n)
{
	char hex[2 * DEBUGINFO_ID_MAX + 1];
	int w;

	if (!len || len > DEBUGINFO_ID_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	w = snprintf(buf, n, "%s%s/.build-id/%.2s/%s.debug", root, dir, hex, hex + 2);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int debuginfo_link_path(const char *root, const char *dir, const char *path, const char *name,
			int i, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path) : 0, w;

	/* a name with a directory in it is not a debuglink gdb would follow */
	if (!*name || strchr(name, '/'))
		return -1;
	switch (i) {
	case 0:
		w = snprintf(buf, n, "%s%.*s/%s", root, dlen, path, name);
		break;
	case 1:
		w = snprintf(buf, n, "%s%.*s/.debug/%s", root, dlen, path, name);
		break;
	case 2:
		w = snprintf(buf, n, "%s%s%.*s/%s", root, dir, dlen, path, name);
		break;
	default:
		return -1;
	}
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

size_t debuginfo_build_id(Elf *elf, unsigned char *id, size_t max)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + name_off, "GNU", 4))
				continue;
			if (!nh.n_descsz || nh.n_descsz > max)
				return 0;
			memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
	}
	return 0;
}

const char *debuginfo_link_name(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".gnu_debuglink") || !(d = elf_getdata(scn, NULL)) || !d->d_size)
			continue;
		/* a NUL-terminated name, then padding and a CRC */
		if (!memchr(d->d_buf, 0, d->d_size))
			return NULL;
		return d->d_buf;
	}
	return NULL;
}
