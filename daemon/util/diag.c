/*
 * Collected diagnostics. The list is capped so that a garbage input cannot make the compiler
 * print megabytes; the count of what was dropped is kept and printed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "diag.h"

int diaglist_vadd(struct diaglist *l, const char *file, unsigned line, unsigned col, const char *fmt,
                  va_list ap) {
        size_t limit = l->limit ? l->limit : 100;
        if (l->n >= limit) {
                l->dropped++;
                return 0;
        }
        int r = ARRAY_GROW(l->items, l->n, l->cap);
        if (r < 0)
                return r;
        _cleanup_(freep) char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                return -ENOMEM;
        }
        char *f = strdup(file ? file : "");
        if (!f)
                return -ENOMEM;
        l->items[l->n++] = (struct diag) {.file = f, .line = line, .col = col, .message = TAKE_PTR(msg)};
        return 0;
}

int diaglist_add(struct diaglist *l, const char *file, unsigned line, unsigned col, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = diaglist_vadd(l, file, line, col, fmt, ap);
        va_end(ap);
        return r;
}

void diaglist_done(struct diaglist *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].file);
                free(l->items[i].message);
        }
        free(l->items);
        *l = (struct diaglist) {0};
}

void diaglist_print(const struct diaglist *l, FILE *out) {
        for (size_t i = 0; i < l->n; i++) {
                const struct diag *d = &l->items[i];
                if (d->line)
                        fprintf(out, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->message);
                else
                        fprintf(out, "%s: %s\n", d->file, d->message);
        }
        if (l->dropped)
                fprintf(out, "(%zu further errors not shown)\n", l->dropped);
}
