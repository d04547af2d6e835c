/*
 * Collected diagnostics. The list is capped so that a garbage input cannot make the compiler
 * print megabytes; the count of what was dropped is kept and printed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int diaglist_add(struct diaglist *l, const char *file, unsigned line, unsigned col,
                 const char *fmt, ...) {
        size_t limit = l->limit ? l->limit : 100;
        if (l->n >= limit) {
                l->dropped++;
                return 0;
        }
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 8;
                struct diag *p = realloc(l->items, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                l->items = p;
                l->cap = cap;
        }
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        char *f = strdup(file ? file : "");
        if (!f) {
                free(msg);
                return -ENOMEM;
        }
        l->items[l->n++] = (struct diag) {.file = f, .line = line, .col = col, .message = msg};
        return 0;
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
