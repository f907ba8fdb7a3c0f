/* Formatting for people: durations, and kernel strings made safe to print
 * on a terminal. */
#ifndef LATSCOPE_TEXTFMT_H
#define LATSCOPE_TEXTFMT_H

#include <stddef.h>
#include <linux/types.h>

/* "850ns", "12.3us", "4.56ms", "1.20s", "3m02s": at most 7 characters. */
const char *fmt_duration(__u64 ns, char *buf, size_t n);
/* Copy of s with every control byte, DEL, C1 control, bidirectional
 * override, line separator and byte of invalid UTF-8 (overlongs and
 * surrogates too) replaced by '?': nothing a process names itself can
 * drive the terminal or make a line read as something else. */
const char *sanitize(const char *s, char *buf, size_t n);

#endif
