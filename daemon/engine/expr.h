/*
 * Private to the expression compiler: the syntax tree between its two halves, the parser
 * (expr_parse.c: text -> nodes, names resolved) and the code generator (expr_gen.c: nodes
 * -> typed, folded byte code). Nothing else sees a node; the rest of the compiler calls
 * expr_compile() (compiler.h).
 */
#ifndef PLAUSID_ENGINE_EXPR_H
#define PLAUSID_ENGINE_EXPR_H

#include "compiler.h"

enum node_kind {
        N_INT, N_STR, N_FIELD, N_LEVEL, N_REPORT_END, N_CALL,
        N_CMP, N_IN, N_AND, N_OR, N_NOT, N_ADD, N_SUB,
};

struct node {
        enum node_kind kind;
        unsigned line, col;
        int64_t ival;
        const char *str;        /* N_STR text, N_CALL name, N_FIELD/N_LEVEL level name */
        int field;
        int level;
        int op;                 /* N_CMP: OP_EQ..OP_GE */
        bool negate;            /* N_IN: "not in" */
        struct node *a, *b;
        struct node **items;    /* N_IN list, N_CALL arguments */
        unsigned nitems;
};

/* Parses src into nodes; reports errors at their place. Returns 0, -EINVAL or -ENOMEM. */
int expr_parse(struct compiler *c, const char *src, const struct srcmap *map, struct node **ret);

#endif
