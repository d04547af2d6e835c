/*
 * A growable byte buffer that is reused across records: after the first few records it has
 * reached its working size and appending no longer allocates.
 */
#ifndef PLAUSID_STRBUF_H
#define PLAUSID_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util.h"

struct strbuf {
        char *data;     /* always NUL-terminated once anything was appended */
        size_t len;     /* bytes in use, without the terminating NUL */
        size_t cap;     /* bytes allocated */
};

void strbuf_done(struct strbuf *b);
static inline void strbuf_reset(struct strbuf *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = 0;
}
_must_check_ int strbuf_grow(struct strbuf *b, size_t extra);

/* Makes room for extra more bytes plus the terminating NUL. */
_must_check_ static inline int strbuf_reserve(struct strbuf *b, size_t extra) {
        if (b->cap - b->len > extra)
                return 0;
        return strbuf_grow(b, extra);
}

/* Inline because the reader appends every field of every record: the fast path is a
 * compare and a memcpy. */
_must_check_ static inline int strbuf_append(struct strbuf *b, const void *data, size_t n) {
        int r = strbuf_reserve(b, n);
        if (r < 0)
                return r;
        if (n)
                memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}
_must_check_ int strbuf_puts(struct strbuf *b, const char *s);
_must_check_ int strbuf_putc(struct strbuf *b, char c);
_must_check_ int strbuf_printf(struct strbuf *b, const char *fmt, ...) _printf_(2, 3);
/* The buffer's text, "" when nothing was appended. */
static inline const char *strbuf_str(const struct strbuf *b) {
        return b->data ? b->data : "";
}

#endif
