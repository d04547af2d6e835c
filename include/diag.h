/*
 * Diagnostics: what a compiler or parser found wrong, with the place it found it. Modules
 * collect them into a list and return; only the program's main loop prints them, each as
 * "file:line:col: message".
 */
#ifndef PLAUSID_DIAG_H
#define PLAUSID_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct diag {
        char *file;             /* file the problem is in */
        unsigned line, col;     /* 1-based; 0 when the whole file is meant */
        char *message;          /* one sentence, no trailing newline */
};

struct diaglist {
        struct diag *items;
        size_t n, cap;
        size_t limit;           /* stop collecting after this many (0: 100) */
        size_t dropped;         /* how many were not collected because of the limit */
};

/* Adds a diagnostic; returns -ENOMEM when it could not be recorded. */
int diaglist_add(struct diaglist *l, const char *file, unsigned line, unsigned col,
                 const char *fmt, ...) _printf_(5, 6);
/* The same with a va_list, for functions that collect diagnostics of their own kind. */
int diaglist_vadd(struct diaglist *l, const char *file, unsigned line, unsigned col, const char *fmt,
                  va_list ap) _printf_(5, 0);
void diaglist_done(struct diaglist *l);
/* Writes every diagnostic as "file:line:col: message", one per line. */
void diaglist_print(const struct diaglist *l, FILE *out);

#endif
