#include <stdio.h>
#include <string.h>
#include "textfmt.h"

const char *fmt_duration(__u64 ns, char *buf, size_t n)
{
	double v = (double)ns;

	if (ns < 1000)
		snprintf(buf, n, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, n, v < 9999.5 ? "%.2fus" : "%.1fus", v / 1e3);
	else if (ns < 1000000000ULL)
		snprintf(buf, n, v < 9999.5e3 ? "%.2fms" : "%.1fms", v / 1e6);
	else if (ns < 60000000000ULL)
		snprintf(buf, n, "%.2fs", v / 1e9);
	else
		snprintf(buf, n, "%llum%02llus", (unsigned long long)(ns / 60000000000ULL),
			 (unsigned long long)(ns / 1000000000ULL % 60));
	return buf;
}

const char *sanitize(const char *s, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!n)
		return buf;
	while (*p && o + 1 < n) {
		unsigned c = *p;
		size_t len = 0, i;

		if (c < 0x20 || c == 0x7F) {
			buf[o++] = '?';
			p++;
			continue;
		}
		if (c < 0x80) {
			buf[o++] = (char)c;
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		for (i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				break;
		/* C1 controls (U+0080..U+009F) are terminal escapes too */
		if (!len || i < len || (c == 0xC2 && p[1] < 0xA0) || o + len >= n) {
			buf[o++] = '?';
			p++;
			continue;
		}
		memcpy(buf + o, p, len);
		o += len;
		p += len;
	}
	buf[o] = 0;
	return buf;
}
