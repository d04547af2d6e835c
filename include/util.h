/*
 * Small helpers shared by every module: scope-bound cleanup in the style of systemd's
 * alloc-util.h, and the attribute that makes callers look at fallible results. Nothing here
 * allocates on its own or logs.
 */
#ifndef PLAUSID_UTIL_H
#define PLAUSID_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _must_check_ __attribute__((warn_unused_result))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _always_inline_ __attribute__((always_inline))

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Hands ownership of a pointer to the caller and leaves NULL behind, so that the cleanup
 * function of the scope it came from does nothing. */
#define TAKE_PTR(p)                       \
        ({                                \
                __typeof__(p) _p_ = (p);  \
                (p) = NULL;               \
                _p_;                      \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

/* A number with one decimal the German way, "14,0" ("+14,0" with sign), for messages and
 * reports; buf needs 32 bytes. */
static inline const char *decimal_de(char buf[32], double v, bool sign) {
        snprintf(buf, 32, sign ? "%+.1f" : "%.1f", v);
        for (char *p = buf; *p; p++)
                if (*p == '.')
                        *p = ',';
        return buf;
}

#define DEFINE_CLEANUP_FUNC(type, func)             \
        static inline void func##p(type **p) {      \
                func(*p);                           \
        }

#endif
