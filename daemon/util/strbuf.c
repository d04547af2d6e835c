/*
 * Growable buffer. Capacity doubles, so appending n bytes costs amortised O(n).
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

void strbuf_done(struct strbuf *b) {
        free(b->data);
        *b = (struct strbuf) {0};
}

int strbuf_grow(struct strbuf *b, size_t extra) {
        if (b->cap - b->len > extra)
                return 0;
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len <= extra) {
                if (cap > SIZE_MAX / 2)
                        return -ENOMEM;
                cap *= 2;
        }
        char *p = realloc(b->data, cap);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->cap = cap;
        return 0;
}

int strbuf_puts(struct strbuf *b, const char *s) {
        return strbuf_append(b, s, strlen(s));
}

int strbuf_putc(struct strbuf *b, char c) {
        return strbuf_append(b, &c, 1);
}

int strbuf_printf(struct strbuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        int r = strbuf_reserve(b, (size_t) n);
        if (r < 0)
                return r;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t) n;
        return 0;
}
