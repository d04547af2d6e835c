/*
 * The constant pools the byte code indexes: integers, strings and bit sets over code or
 * level indices. An instruction carries a pool index, never a value wider than its 32-bit
 * operand, so every instruction stays 8 bytes. Equal integers and strings are pooled once.
 * The pools grow while the pack compiles (ARRAY_GROW) and belong to the ruleset afterwards;
 * the sets themselves live in the arena.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "compiler.h"

int compiler_add_int(struct compiler *c, int64_t v) {
        struct ruleset *rs = c->rs;
        for (unsigned i = 0; i < rs->nints; i++)
                if (rs->ints[i] == v)
                        return (int) i;
        int r = ARRAY_GROW(rs->ints, rs->nints, c->cap_ints);
        if (r < 0) {
                c->nomem = true;
                return r;
        }
        rs->ints[rs->nints] = v;
        return (int) rs->nints++;
}

int compiler_add_string(struct compiler *c, const char *s) {
        struct ruleset *rs = c->rs;
        for (unsigned i = 0; i < rs->nstrings; i++)
                if (strcmp(rs->strings[i], s) == 0)
                        return (int) i;
        int r = ARRAY_GROW(rs->strings, rs->nstrings, c->cap_strings);
        if (r < 0) {
                c->nomem = true;
                return r;
        }
        rs->strings[rs->nstrings] = s;
        return (int) rs->nstrings++;
}

int compiler_add_set(struct compiler *c, unsigned nbits) {
        struct ruleset *rs = c->rs;
        int r = ARRAY_GROW(rs->sets, rs->nsets, c->cap_sets);
        if (r < 0) {
                c->nomem = true;
                return r;
        }
        uint64_t *set = arena_array(rs->arena, nbits / 64 + 1, sizeof(uint64_t));
        if (!set) {
                c->nomem = true;
                return -ENOMEM;
        }
        rs->sets[rs->nsets] = set;
        return (int) rs->nsets++;
}

void pools_free(struct ruleset *rs) {
        free(rs->ints);
        free(rs->strings);
        free(rs->sets);
}
