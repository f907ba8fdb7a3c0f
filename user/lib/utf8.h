/* UTF-8 as the JSON writer and the terminal both need it checked. */
#ifndef LATSCOPE_UTF8_H
#define LATSCOPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * overlongs, surrogates and code points past U+10FFFF are invalid. The
 * code point goes to *cp when cp is not NULL. */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

#endif
