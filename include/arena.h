/*
 * A bump allocator. A compiled rule pack lives in one arena and is freed as a unit, so the
 * compiler never frees individual nodes and a half-built pack is released in one call on
 * any error.
 */
#ifndef PLAUSID_ARENA_H
#define PLAUSID_ARENA_H

#include <stddef.h>

#include "util.h"

struct arena;

_must_check_ struct arena *arena_new(void);
void arena_free(struct arena *a);
DEFINE_CLEANUP_FUNC(struct arena, arena_free)

/* Zeroed memory aligned for any type; NULL only when out of memory. */
_must_check_ void *arena_alloc(struct arena *a, size_t size);
_must_check_ void *arena_array(struct arena *a, size_t n, size_t size);
_must_check_ char *arena_strdup(struct arena *a, const char *s);
_must_check_ char *arena_strndup(struct arena *a, const char *s, size_t n);
_must_check_ char *arena_printf(struct arena *a, const char *fmt, ...) _printf_(2, 3);

#endif
