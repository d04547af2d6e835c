/*
 * Growable arrays: one helper instead of a hand-written realloc doubling per module.
 *
 *     struct item *items = NULL; size_t n = 0, cap = 0;
 *     int r = ARRAY_GROW(items, n, cap);      room for items[n]
 *     if (r < 0) return r;
 *     items[n++] = x;
 */
#ifndef PLAUSID_ARRAY_H
#define PLAUSID_ARRAY_H

#include <stddef.h>

#include "util.h"

/* Makes room for at least need elements of size bytes in *array, whose capacity is *cap,
 * doubling (from 16). Returns 0 or -ENOMEM; on failure *array and *cap are untouched. */
_must_check_ int array_grow(void **array, size_t *cap, size_t need, size_t size);

/* Room for one more element after the n in use; cap must be a size_t. */
#define ARRAY_GROW(array, n, cap) array_grow((void **) &(array), &(cap), (size_t) (n) + 1, sizeof(*(array)))

#endif
