#include "lib/utf8.h"

size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cpp)
{
	unsigned c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80) {
		cp = c;
		len = 1;
		goto out;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
out:
	if (cpp)
		*cpp = cp;
	return len;
}
