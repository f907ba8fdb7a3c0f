#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lib/textfmt.h"
#include "lib/utf8.h"

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

/* Code points that are not control bytes but still steer how a terminal
 * shows the line: C1 controls, bidirectional overrides and isolates (a
 * name could reverse the text after it), line and paragraph separators. */
static bool steers_terminal(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x061C || cp == 0xFEFF;
}

const char *sanitize(const char *s, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, left = strlen(s);

	if (!n)
		return buf;
	while (*p && o + 1 < n) {
		uint32_t cp;
		size_t len = utf8_seq(p, left, &cp);

		if (!len || o + len >= n) {
			/* a byte of no valid character, or of one that does not
			 * fit whole */
			buf[o++] = '?';
			len = 1;
		} else if (cp < 0x20 || cp == 0x7F || steers_terminal(cp)) {
			buf[o++] = '?';	/* one for the whole character */
		} else {
			memcpy(buf + o, p, len);
			o += len;
		}
		p += len;
		left -= len;
	}
	buf[o] = 0;
	return buf;
}
