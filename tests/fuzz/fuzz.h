/*
 * Shared by the fuzz targets: the invariant check that aborts (libFuzzer then keeps the
 * input), and the invariants every list of diagnostics must hold.
 */
#ifndef PLAUSID_FUZZ_H
#define PLAUSID_FUZZ_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
