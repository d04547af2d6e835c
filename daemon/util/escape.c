/*
 * Text from outside (file names, values) made safe to show: see escape.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* The length of the valid UTF-8 sequence at p that is no C1 control, 0 when there is
 * none (a stray continuation byte, a short or overlong sequence, a surrogate). */
static size_t utf8_printable(const unsigned char *p) {
        size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
        if (p[0] >= 0xf5)
                n = 0;
        uint32_t c = n == 2 ? p[0] & 0x1f : n == 3 ? p[0] & 0x0f : p[0] & 0x07;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (p[i] & 0x3f);
        }
        bool overlong = (n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff));
        bool bad = overlong || (c >= 0xd800 && c <= 0xdfff) || (n == 2 && c < 0xa0);
        return bad ? 0 : n;
}

char *text_escape(const char *s, bool one_line) {
        char *out = malloc(4 * strlen(s) + 1), *o = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = *p >= 0x80 ? utf8_printable(p) : 1;
                if (one_line && (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ')) {
                        if (o > out && o[-1] != ' ')
                                *o++ = ' ';
                        p++;
                } else if (*p == '\\') {
                        o = stpcpy(o, "\\\\");
                        p++;
                } else if (n == 0 || *p < 0x20 || *p == 0x7f) {
                        o += sprintf(o, "\\x%02x", *p++);
                } else {
                        memcpy(o, p, n);
                        o += n;
                        p += n;
                }
        }
        while (one_line && o > out && o[-1] == ' ')
                o--;
        *o = '\0';
        return out;
}

