#include <gelf.h>
#include <lzma.h>
#include <stdint.h>
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

#define MINIDEBUG_MAX (64u << 20)

/* The data of elf's section called name, NULL if none. */
static Elf_Data *section_named(Elf *elf, const char *want)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    (name = elf_strptr(elf, shstrndx, sh.sh_name)) && !strcmp(name, want))
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

/* xz data into a new buffer (its length in *len); NULL if it is not xz,
 * is cut, or grows past MINIDEBUG_MAX. */
static void *unxz(const void *in, size_t n, size_t *len)
{
	lzma_stream st = LZMA_STREAM_INIT;
	size_t cap = n * 4 > 65536 ? n * 4 : 65536;
	unsigned char *out = NULL;
	lzma_ret r = LZMA_OK;

	if (lzma_stream_decoder(&st, MINIDEBUG_MAX, 0) != LZMA_OK)
		return NULL;
	st.next_in = in;
	st.avail_in = n;
	while (r == LZMA_OK && cap <= MINIDEBUG_MAX) {
		unsigned char *o = realloc(out, cap);

		if (!o)
			break;
		out = o;
		st.next_out = out + st.total_out;
		st.avail_out = cap - st.total_out;
		r = lzma_code(&st, LZMA_FINISH);
		if (r == LZMA_OK || (r == LZMA_BUF_ERROR && !st.avail_out)) {
			r = LZMA_OK;
			cap *= 2;
		}
	}
	*len = st.total_out;
	lzma_end(&st);
	if (r != LZMA_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

Elf *debuginfo_minidebug(Elf *elf, void **image)
{
	Elf_Data *d = section_named(elf, ".gnu_debugdata");
	size_t len;
	Elf *m;

	*image = NULL;
	if (!d || !d->d_buf || !d->d_size || !(*image = unxz(d->d_buf, d->d_size, &len)))
		return NULL;
	m = elf_memory(*image, len);
	if (m && elf_kind(m) == ELF_K_ELF)
		return m;
	if (m)
		elf_end(m);
	free(*image);
	*image = NULL;
	return NULL;
}

const char *debuginfo_link_name(Elf *elf)
{
	Elf_Data *d = section_named(elf, ".gnu_debuglink");

	/* a NUL-terminated name, then padding and a CRC */
	if (!d || !d->d_buf || !d->d_size || !memchr(d->d_buf, 0, d->d_size))
		return NULL;
	return d->d_buf;
}
