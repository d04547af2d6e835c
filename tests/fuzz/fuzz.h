/*
 * Shared by the fuzz targets: the invariant check that aborts (libFuzzer then keeps the
 * input), and the invariants every list of diagnostics must hold.
 */
#ifndef PLAUSID_FUZZ_H
#define PLAUSID_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"

#define CHECK(cond)                                                                                    \
        do {                                                                                           \
                if (!(cond)) {                                                                         \
                        fprintf(stderr, "invariant violated at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                       \
                }                                                                                      \
        } while (0)

/* Within the limit, every one with a file and a message; with in_order, sorted by place
 * (the configuration reports in file order; the rule compiler by pass). */
static inline void check_diags(const struct diaglist *l, bool in_order) {
        CHECK(l->n <= (l->limit ? l->limit : 100));
        for (size_t i = 0; i < l->n; i++) {
                CHECK(l->items[i].file != NULL);
                CHECK(l->items[i].message != NULL);
                CHECK(l->items[i].message[0] != '\0');
                if (in_order && i > 0)
                        CHECK(l->items[i - 1].line < l->items[i].line ||
                              (l->items[i - 1].line == l->items[i].line && l->items[i - 1].col <= l->items[i].col));
        }
}

/* Same definition as the reader's: no overlong forms, surrogates, code points beyond
 * U+10FFFF, truncated sequences. NUL is refused unless allow_nul (fields are C strings, but
 * NUL does not decide the encoding). */
static inline bool utf8_check(const unsigned char *p, size_t n, bool allow_nul) {
        size_t i = 0;
        while (i < n) {
                unsigned char c = p[i];
                if (c == 0 && !allow_nul)
                        return false;
                if (c < 0x80) {
                        i++;
                        continue;
                }
                size_t len;
                unsigned char lo = 0x80, hi = 0xBF;
                if (c >= 0xC2 && c <= 0xDF)
                        len = 2;
                else if (c >= 0xE0 && c <= 0xEF) {
                        len = 3;
                        if (c == 0xE0)
                                lo = 0xA0;
                        else if (c == 0xED)
                                hi = 0x9F;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        len = 4;
                        if (c == 0xF0)
                                lo = 0x90;
                        else if (c == 0xF4)
                                hi = 0x8F;
                } else
                        return false;
                if (n - i < len || p[i + 1] < lo || p[i + 1] > hi)
                        return false;
                for (size_t k = 2; k < len; k++)
                        if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                                return false;
                i += len;
        }
        return true;
}

static inline bool utf8_valid(const unsigned char *p, size_t n) {
        return utf8_check(p, n, false);
}

/* The input as a file at its start: a memfd the target reads like an export. */
static inline int fuzz_memfd(const char *name, const uint8_t *data, size_t size) {
        int fd = memfd_create(name, MFD_CLOEXEC);
        CHECK(fd >= 0);
        for (size_t off = 0; off < size;) {
                ssize_t n = write(fd, data + off, size - off);
                CHECK(n > 0);
                off += (size_t) n;
        }
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        return fd;
}

#endif
