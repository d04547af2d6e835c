/*
 * Bump allocator in chunks. Allocations are never freed one by one; arena_free releases
 * every chunk. Large requests get a chunk of their own so that a big table does not waste
 * the rest of the current chunk.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u

struct arena_chunk {
        struct arena_chunk *next;
        size_t used, size;
        _Alignas(16) unsigned char data[];
};

struct arena {
        struct arena_chunk *head;
};

struct arena *arena_new(void) {
        return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a) {
        if (!a)
                return;
        for (struct arena_chunk *c = a->head, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(a);
}

void *arena_alloc(struct arena *a, size_t size) {
        size = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
        if (size == 0)
                size = ARENA_ALIGN;
        struct arena_chunk *c = a->head;
        if (!c || c->size - c->used < size) {
                size_t chunk = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
                struct arena_chunk *n = calloc(1, sizeof(*n) + chunk);
                if (!n)
                        return NULL;
                n->size = chunk;
                if (size > ARENA_CHUNK / 4 && c) {
                        /* Keep filling the current chunk: link the big one behind it. */
                        n->used = size;
                        n->next = c->next;
                        c->next = n;
                        return n->data;
                }
                n->next = c;
                a->head = c = n;
        }
        void *p = c->data + c->used;
        c->used += size;
        return p;
}

void *arena_array(struct arena *a, size_t n, size_t size) {
        if (size && n > SIZE_MAX / size)
                return NULL;
        return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        if (!p)
                return NULL;
        memcpy(p, s, n);
        p[n] = 0;
        return p;
}

char *arena_strdup(struct arena *a, const char *s) {
        return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return NULL;
        char *p = arena_alloc(a, (size_t) n + 1);
        if (!p)
                return NULL;
        va_start(ap, fmt);
        vsnprintf(p, (size_t) n + 1, fmt, ap);
        va_end(ap);
        return p;
}
