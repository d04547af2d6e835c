/*
 * The expression compiler: source text -> syntax tree -> typed byte code.
 *
 * Parsing is recursive descent over a tiny grammar (or, and, not, comparison, in-list,
 * + and -, calls, field.level). The tree lives only during compilation, in the pack's arena.
 * Code generation checks types as it goes, so every type error names the place in the YAML
 * file, and it folds what is known at compile time: code literals become code indices, an
 * `in` list over a code field becomes one bit-set test.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

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

enum tok {
        T_END, T_INT, T_STR, T_IDENT,
        T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS,
        T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA, T_DOT, T_BAD,
};

struct parser {
        struct compiler *c;
        const char *src, *p;
        const struct srcmap *map;       /* where src is in the YAML file */
        enum tok tok;
        const char *tok_start;
        size_t tok_len;
        int64_t tok_int;
        char *tok_str;
        unsigned depth;
        bool failed;
};

static void position(const struct parser *ps, const char *at, unsigned *line, unsigned *col) {
        srcmap_position(ps->map, (size_t) (at - ps->src), line, col);
}

_printf_(3, 4) static void perr(struct parser *ps, const char *at, const char *fmt, ...) {
        if (ps->failed)
                return; /* one syntax error per expression: the rest would be noise */
        ps->failed = true;
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        unsigned line, col;
        position(ps, at, &line, &col);
        compiler_error(ps->c, line, col, "%s", msg);
}

static void next(struct parser *ps) {
        const char *p = ps->p;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        ps->tok_start = p;
        if (!*p) {
                ps->tok = T_END;
                ps->p = p;
                return;
        }
        char ch = *p;
        if (ch >= '0' && ch <= '9') {
                int64_t v = 0;
                while (*p >= '0' && *p <= '9') {
                        if (v > (INT64_MAX - 9) / 10) {
                                perr(ps, ps->tok_start, "number too large");
                                ps->tok = T_BAD;
                                return;
                        }
                        v = v * 10 + (*p++ - '0');
                }
                ps->tok = T_INT;
                ps->tok_int = v;
        } else if (ch == '\'' || ch == '"') {
                const char *s = ++p;
                while (*p && *p != ch)
                        p++;
                if (!*p) {
                        perr(ps, ps->tok_start, "string not closed");
                        ps->tok = T_BAD;
                        return;
                }
                ps->tok_str = arena_strndup(ps->c->rs->arena, s, (size_t) (p - s));
                if (!ps->tok_str)
                        ps->c->nomem = true;
                p++;
                ps->tok = T_STR;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') {
                while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                       *p == '_' || (unsigned char) *p >= 0x80)
                        p++;
                ps->tok = T_IDENT;
        } else {
                p++;
                switch (ch) {
                case '=':
                        if (*p == '=') {
                                p++;
                                ps->tok = T_EQ;
                        } else {
                                perr(ps, ps->tok_start, "'=' is not an operator; compare with '=='");
                                ps->tok = T_BAD;
                        }
                        break;
                case '!':
                        if (*p == '=') {
                                p++;
                                ps->tok = T_NE;
                        } else {
                                perr(ps, ps->tok_start, "'!' is not an operator; use 'not' or '!='");
                                ps->tok = T_BAD;
                        }
                        break;
                case '<':
                        ps->tok = *p == '=' ? (p++, T_LE) : T_LT;
                        break;
                case '>':
                        ps->tok = *p == '=' ? (p++, T_GE) : T_GT;
                        break;
                case '+': ps->tok = T_PLUS; break;
                case '-': ps->tok = T_MINUS; break;
                case '(': ps->tok = T_LPAREN; break;
                case ')': ps->tok = T_RPAREN; break;
                case '[': ps->tok = T_LBRACK; break;
                case ']': ps->tok = T_RBRACK; break;
                case ',': ps->tok = T_COMMA; break;
                case '.': ps->tok = T_DOT; break;
                default:
                        perr(ps, ps->tok_start, "unexpected character '%c'", ch);
                        ps->tok = T_BAD;
                }
        }
        ps->tok_len = (size_t) (p - ps->tok_start);
        ps->p = p;
}

static bool is_word(const struct parser *ps, const char *w) {
        return ps->tok == T_IDENT && ps->tok_len == strlen(w) && memcmp(ps->tok_start, w, ps->tok_len) == 0;
}

static struct node *mk(struct parser *ps, enum node_kind kind, const char *at) {
        struct node *n = arena_alloc(ps->c->rs->arena, sizeof(*n));
        if (!n) {
                ps->c->nomem = true;
                ps->failed = true;
                return NULL;
        }
        n->kind = kind;
        n->field = -1;
        n->level = -1;
        position(ps, at, &n->line, &n->col);
        return n;
}

static struct node *parse_or(struct parser *ps);

static const char *tok_text(struct parser *ps) {
        static const char *const names[] = {
                [T_END] = "end of expression", [T_INT] = "number", [T_STR] = "string",
                [T_IDENT] = "name", [T_EQ] = "'=='", [T_NE] = "'!='", [T_LT] = "'<'", [T_LE] = "'<='",
                [T_GT] = "'>'", [T_GE] = "'>='", [T_PLUS] = "'+'", [T_MINUS] = "'-'", [T_LPAREN] = "'('",
                [T_RPAREN] = "')'", [T_LBRACK] = "'['", [T_RBRACK] = "']'", [T_COMMA] = "','",
                [T_DOT] = "'.'", [T_BAD] = "invalid token",
        };
        return names[ps->tok];
}

static bool expect(struct parser *ps, enum tok t, const char *what) {
        if (ps->tok != t) {
                perr(ps, ps->tok_start, "expected %s, found %s", what, tok_text(ps));
                return false;
        }
        next(ps);
        return true;
}

static struct node *parse_primary(struct parser *ps) {
        const char *at = ps->tok_start;
        if (ps->failed)
                return NULL;
        if (ps->tok == T_INT || ps->tok == T_MINUS) {
                bool neg = ps->tok == T_MINUS;
                if (neg) {
                        next(ps);
                        if (ps->tok != T_INT) {
                                perr(ps, at, "'-' must be followed by a number here");
                                return NULL;
                        }
                }
                struct node *n = mk(ps, N_INT, at);
                if (n)
                        n->ival = neg ? -ps->tok_int : ps->tok_int;
                next(ps);
                return n;
        }
        if (ps->tok == T_STR) {
                struct node *n = mk(ps, N_STR, at);
                if (n)
                        n->str = ps->tok_str;
                next(ps);
                return n;
        }
        if (ps->tok == T_LPAREN) {
                next(ps);
                struct node *n = parse_or(ps);
                if (!expect(ps, T_RPAREN, "')'"))
                        return NULL;
                return n;
        }
        if (ps->tok != T_IDENT) {
                perr(ps, at, "expected a field, number, string or '(', found %s", tok_text(ps));
                return NULL;
        }
        char *name = arena_strndup(ps->c->rs->arena, ps->tok_start, ps->tok_len);
        if (!name) {
                ps->c->nomem = true;
                return NULL;
        }
        next(ps);
        if (ps->tok == T_LPAREN) {
                struct node *n = mk(ps, N_CALL, at);
                if (!n)
                        return NULL;
                n->str = name;
                next(ps);
                struct node *args[4];
                unsigned nargs = 0;
                if (ps->tok != T_RPAREN)
                        for (;;) {
                                struct node *a = parse_or(ps);
                                if (!a)
                                        return NULL;
                                if (nargs == ELEMENTSOF(args)) {
                                        perr(ps, at, "too many arguments to %s()", name);
                                        return NULL;
                                }
                                args[nargs++] = a;
                                if (ps->tok != T_COMMA)
                                        break;
                                next(ps);
                        }
                if (!expect(ps, T_RPAREN, "')' after the arguments"))
                        return NULL;
                n->items = arena_array(ps->c->rs->arena, nargs ? nargs : 1, sizeof(*n->items));
                if (!n->items) {
                        ps->c->nomem = true;
                        return NULL;
                }
                memcpy(n->items, args, nargs * sizeof(*args));
                n->nitems = nargs;
                return n;
        }
        if (strcmp(name, "report_end") == 0)
                return mk(ps, N_REPORT_END, at);
        int f = ruleset_field_index(ps->c->rs, name);
        if (f < 0) {
                perr(ps, at, "unknown field '%s'", name);
                return NULL;
        }
        struct node *n = mk(ps, N_FIELD, at);
        if (!n)
                return NULL;
        n->field = f;
        if (ps->tok == T_DOT) {
                next(ps);
                if (ps->tok != T_IDENT) {
                        perr(ps, ps->tok_start, "expected a hierarchy level after '.'");
                        return NULL;
                }
                const struct hierarchy *h = ps->c->rs->fields[f].hierarchy;
                if (!h) {
                        perr(ps, at, "field '%s' has no hierarchy, so it has no level '%.*s'", name,
                             (int) ps->tok_len, ps->tok_start);
                        return NULL;
                }
                int level = -1;
                for (unsigned i = 0; i < h->nlevels; i++)
                        if (strlen(h->levels[i]) == ps->tok_len && memcmp(h->levels[i], ps->tok_start, ps->tok_len) == 0)
                                level = (int) i;
                if (level < 0) {
                        perr(ps, ps->tok_start, "hierarchy '%s' has no level '%.*s'", h->name, (int) ps->tok_len,
                             ps->tok_start);
                        return NULL;
                }
                n->kind = N_LEVEL;
                n->level = level;
                next(ps);
        }
        return n;
}

static struct node *parse_add(struct parser *ps) {
        struct node *l = parse_primary(ps);
        while (l && (ps->tok == T_PLUS || ps->tok == T_MINUS)) {
                struct node *n = mk(ps, ps->tok == T_PLUS ? N_ADD : N_SUB, ps->tok_start);
                next(ps);
                if (!n)
                        return NULL;
                n->a = l;
                n->b = parse_primary(ps);
                if (!n->b)
                        return NULL;
                l = n;
        }
        return l;
}

static struct node *parse_cmp(struct parser *ps) {
        struct node *l = parse_add(ps);
        if (!l)
                return NULL;
        const char *at = ps->tok_start;
        int op = -1;
        switch (ps->tok) {
        case T_EQ: op = OP_EQ; break;
        case T_NE: op = OP_NE; break;
        case T_LT: op = OP_LT; break;
        case T_LE: op = OP_LE; break;
        case T_GT: op = OP_GT; break;
        case T_GE: op = OP_GE; break;
        default: break;
        }
        if (op >= 0) {
                next(ps);
                struct node *n = mk(ps, N_CMP, at);
                if (!n)
                        return NULL;
                n->op = op;
                n->a = l;
                n->b = parse_add(ps);
                return n->b ? n : NULL;
        }
        bool negate = false;
        if (is_word(ps, "not")) {
                /* "x not in [...]": look ahead for "in". */
                const char *save_p = ps->p;
                next(ps);
                if (!is_word(ps, "in")) {
                        perr(ps, at, "expected 'in' after 'not' here");
                        return NULL;
                }
                (void) save_p;
                negate = true;
        }
        if (!is_word(ps, "in"))
                return l;
        next(ps);
        struct node *n = mk(ps, N_IN, at);
        if (!n)
                return NULL;
        n->negate = negate;
        n->a = l;
        if (!expect(ps, T_LBRACK, "'[' after 'in'"))
                return NULL;
        struct node *items[256];
        unsigned nitems = 0;
        while (ps->tok != T_RBRACK) {
                struct node *item = parse_primary(ps);
                if (!item)
                        return NULL;
                if (item->kind != N_STR && item->kind != N_INT) {
                        perr(ps, at, "the list after 'in' may hold only strings and numbers");
                        return NULL;
                }
                if (nitems == ELEMENTSOF(items)) {
                        perr(ps, at, "too many values in the list (limit is %zu)", ELEMENTSOF(items));
                        return NULL;
                }
                items[nitems++] = item;
                if (ps->tok != T_COMMA)
                        break;
                next(ps);
        }
        if (!expect(ps, T_RBRACK, "']' to close the list"))
                return NULL;
        if (nitems == 0) {
                perr(ps, at, "the list after 'in' is empty");
                return NULL;
        }
        n->items = arena_array(ps->c->rs->arena, nitems, sizeof(*n->items));
        if (!n->items) {
                ps->c->nomem = true;
                return NULL;
        }
        memcpy(n->items, items, nitems * sizeof(*items));
        n->nitems = nitems;
        return n;
}

/* Depth counts parentheses, argument lists and chained 'not's: what a person sees as
 * nesting. */
static struct node *parse_not(struct parser *ps) {
        if (!is_word(ps, "not"))
                return parse_cmp(ps);
        if (++ps->depth > RULESET_MAX_EXPR_DEPTH) {
                perr(ps, ps->tok_start, "expression nested too deeply (limit is %d levels)", RULESET_MAX_EXPR_DEPTH);
                return NULL;
        }
        struct node *r;
        {
                struct node *n = mk(ps, N_NOT, ps->tok_start);
                next(ps);
                if (!n)
                        return NULL;
                n->a = parse_not(ps);
                r = n->a ? n : NULL;
        }
        ps->depth--;
        return r;
}

static struct node *parse_and(struct parser *ps) {
        struct node *l = parse_not(ps);
        while (l && is_word(ps, "and")) {
                struct node *n = mk(ps, N_AND, ps->tok_start);
                next(ps);
                if (!n)
                        return NULL;
                n->a = l;
                n->b = parse_not(ps);
                if (!n->b)
                        return NULL;
                l = n;
        }
        return l;
}

static struct node *parse_or(struct parser *ps) {
        if (++ps->depth > RULESET_MAX_EXPR_DEPTH) {
                perr(ps, ps->tok_start, "expression nested too deeply (limit is %d levels)", RULESET_MAX_EXPR_DEPTH);
                return NULL;
        }
        struct node *l = parse_and(ps);
        while (l && is_word(ps, "or")) {
                struct node *n = mk(ps, N_OR, ps->tok_start);
                next(ps);
                if (!n)
                        return NULL;
                n->a = l;
                n->b = parse_and(ps);
                if (!n->b)
                        return NULL;
                l = n;
        }
        ps->depth--;
        return l;
}

/* ---- code generation ---- */

struct gen {
        struct compiler *c;
        int first_field;
        bool failed;
};

struct type {
        enum value_type vt;
        int ref;                /* VT_CODE: field (its code list); VT_LEVEL: field with hierarchy */
        int level;
};

_printf_(3, 4) static void gerr(struct gen *g, const struct node *n, const char *fmt, ...) {
        g->failed = true;
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        compiler_error(g->c, n->line, n->col, "%s", msg);
}

static void emit(struct gen *g, enum opcode op, unsigned a, uint8_t a8, uint32_t b, int stack_delta) {
        struct compiler *c = g->c;
        if (c->ncode == c->cap_code) {
                unsigned cap = c->cap_code ? c->cap_code * 2 : 32;
                struct insn *p = realloc(c->code, cap * sizeof(*p));
                if (!p) {
                        c->nomem = true;
                        g->failed = true;
                        return;
                }
                c->code = p;
                c->cap_code = cap;
        }
        c->code[c->ncode++] = (struct insn) {.op = (uint8_t) op, .a8 = a8, .a = (uint16_t) a, .b = b};
        c->depth = (unsigned) ((int) c->depth + stack_delta);
        if (c->depth > c->max_depth)
                c->max_depth = c->depth;
}

/* Emits an integer comparison; when its operands are just a field and a constant, fuses
 * the three instructions into one, which is what most rule conditions are. */
static void emit_compare(struct gen *g, enum opcode op) {
        struct compiler *c = g->c;
        if (op >= OP_EQ && op <= OP_GE && c->ncode >= 2 && c->code[c->ncode - 2].op == OP_FIELD &&
            c->code[c->ncode - 1].op == OP_INT) {
                struct insn field = c->code[c->ncode - 2], k = c->code[c->ncode - 1];
                c->ncode -= 2;
                c->depth -= 2;
                emit(g, OP_FIELD_CMP, field.a, (uint8_t) op, k.b, +1);
                return;
        }
        emit(g, op, 0, 0, 0, -1);
}

static const char *type_name(const struct compiler *c, struct type t) {
        switch (t.vt) {
        case VT_BOOL: return "a truth value";
        case VT_INT: return "a number";
        case VT_MONTH: return "a month";
        case VT_CODE: return c->rs->fields[t.ref].codes ? "a code" : "a code";
        case VT_DIGITS: return "a digits field";
        case VT_TEXT: return "a text field";
        case VT_LEVEL: return "a hierarchy level";
        case VT_STRING: return "a string";
        }
        return "?";
}

static bool numeric(enum value_type vt) {
        return vt == VT_INT || vt == VT_DIGITS;
}

static struct type field_type(const struct compiler *c, int f) {
        switch (c->rs->fields[f].type) {
        case FIELD_DIGITS: return (struct type) {VT_DIGITS, f, -1};
        case FIELD_CODE: return (struct type) {VT_CODE, f, -1};
        case FIELD_MONTH: return (struct type) {VT_MONTH, f, -1};
        case FIELD_INTEGER: return (struct type) {VT_INT, f, -1};
        case FIELD_TEXT: return (struct type) {VT_TEXT, f, -1};
        }
        return (struct type) {VT_TEXT, f, -1};
}

static struct type gen_node(struct gen *g, const struct node *n);

/* Index of a string literal in the code list of field f (after restoring zeros), or -1. */
static int code_literal(struct gen *g, int f, const struct node *lit) {
        const struct field *fd = &g->c->rs->fields[f];
        int idx = codelist_find(fd->codes, lit->str, strlen(lit->str));
        if (idx < 0)
                gerr(g, lit, "'%s' is not a code of list '%s' (field %s)", lit->str, fd->codes->name, fd->name);
        return idx;
}

static int level_literal(struct gen *g, struct type t, const struct node *lit) {
        const struct hierarchy *h = g->c->rs->fields[t.ref].hierarchy;
        for (unsigned i = 0; i < h->nvalues[t.level]; i++)
                if (strcmp(h->values[t.level][i], lit->str) == 0)
                        return (int) i;
        gerr(g, lit, "'%s' is not a value of level '%s' of hierarchy '%s'", lit->str, h->levels[t.level], h->name);
        return -1;
}

static void emit_int(struct gen *g, int64_t v) {
        int k = compiler_add_int(g->c, v);
        if (k < 0) {
                g->failed = true;
                return;
        }
        emit(g, OP_INT, 0, 0, (uint32_t) k, +1);
}

/* A literal on one side of a comparison with a code or level: turn it into an index. */
static bool gen_literal_for(struct gen *g, struct type t, const struct node *lit) {
        if (lit->kind != N_STR)
                return false;
        int idx = t.vt == VT_CODE ? code_literal(g, t.ref, lit) : level_literal(g, t, lit);
        if (idx >= 0)
                emit_int(g, idx);
        return true;
}

static struct type gen_cmp(struct gen *g, const struct node *n) {
        const struct node *l = n->a, *r = n->b;
        struct type bool_t = {VT_BOOL, -1, -1};
        /* Literals against codes and levels: fold to indices. The literal may be on either
         * side; swap the operator when it is on the left. */
        int op = n->op;
        if (l->kind == N_STR && r->kind != N_STR) {
                const struct node *t = l;
                l = r;
                r = t;
                static const int swapped[] = {[OP_EQ] = OP_EQ, [OP_NE] = OP_NE, [OP_LT] = OP_GT,
                                              [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE};
                op = swapped[op];
        }
        struct type lt = gen_node(g, l);
        if (g->failed)
                return bool_t;
        if ((lt.vt == VT_CODE || lt.vt == VT_LEVEL) && r->kind == N_STR) {
                gen_literal_for(g, lt, r);
                if (lt.vt == VT_LEVEL && op != OP_EQ && op != OP_NE)
                        gerr(g, n, "hierarchy levels can only be compared with == and !=");
                emit_compare(g, (enum opcode) op);
                return bool_t;
        }
        struct type rt = gen_node(g, r);
        if (g->failed)
                return bool_t;
        bool ok;
        enum opcode emitted = (enum opcode) op;
        if (numeric(lt.vt) && numeric(rt.vt))
                ok = true;
        else if (lt.vt == VT_MONTH && rt.vt == VT_MONTH)
                ok = true;
        else if (lt.vt == VT_CODE && rt.vt == VT_CODE)
                ok = g->c->rs->fields[lt.ref].codes == g->c->rs->fields[rt.ref].codes;
        else if (lt.vt == VT_LEVEL && rt.vt == VT_LEVEL)
                ok = lt.ref == rt.ref && lt.level == rt.level && (op == OP_EQ || op == OP_NE);
        else if (lt.vt == VT_BOOL && rt.vt == VT_BOOL)
                ok = op == OP_EQ || op == OP_NE;
        else if ((lt.vt == VT_TEXT || lt.vt == VT_DIGITS || lt.vt == VT_STRING) &&
                 (rt.vt == VT_TEXT || rt.vt == VT_DIGITS || rt.vt == VT_STRING) &&
                 !(lt.vt == VT_STRING && rt.vt == VT_STRING)) {
                ok = op == OP_EQ || op == OP_NE;
                /* Digits were pushed as numbers; compare them as text against strings. */
                emitted = op == OP_EQ ? OP_STREQ : OP_STRNE;
        } else
                ok = false;
        if (!ok) {
                const struct field *fields = g->c->rs->fields;
                if (lt.vt == VT_CODE && rt.vt == VT_CODE)
                        gerr(g, n, "cannot compare codes of different lists: %s uses '%s', %s uses '%s'",
                             fields[lt.ref].name, fields[lt.ref].codes->name, fields[rt.ref].name,
                             fields[rt.ref].codes->name);
                else if (emitted == OP_STREQ || emitted == OP_STRNE || lt.vt == VT_LEVEL || lt.vt == VT_BOOL)
                        gerr(g, n, "%s can only be compared with == and !=", type_name(g->c, lt));
                else
                        gerr(g, n, "cannot compare %s with %s", type_name(g->c, lt), type_name(g->c, rt));
                return bool_t;
        }
        emit_compare(g, emitted);
        return bool_t;
}

static struct type gen_in(struct gen *g, const struct node *n) {
        struct type bool_t = {VT_BOOL, -1, -1};
        const struct node *l = n->a;
        struct type lt;
        bool fused = l->kind == N_FIELD && g->c->rs->fields[l->field].type == FIELD_CODE &&
                     g->c->rs->fields[l->field].codes;
        if (fused) {
                lt = field_type(g->c, l->field);
                if (g->first_field < 0)
                        g->first_field = l->field;
        } else
                lt = gen_node(g, l);
        if (g->failed)
                return bool_t;
        if (lt.vt == VT_CODE || lt.vt == VT_LEVEL) {
                unsigned nbits = lt.vt == VT_CODE ? g->c->rs->fields[lt.ref].codes->n
                                                  : g->c->rs->fields[lt.ref].hierarchy->nvalues[lt.level];
                int set = compiler_add_set(g->c, nbits);
                if (set < 0) {
                        g->failed = true;
                        return bool_t;
                }
                for (unsigned i = 0; i < n->nitems; i++) {
                        if (n->items[i]->kind != N_STR) {
                                gerr(g, n->items[i], "%s are strings: write '%lld' in quotes",
                                     lt.vt == VT_CODE ? "codes" : "level values", (long long) n->items[i]->ival);
                                continue;
                        }
                        int idx = lt.vt == VT_CODE ? code_literal(g, lt.ref, n->items[i])
                                                   : level_literal(g, lt, n->items[i]);
                        if (idx >= 0)
                                g->c->rs->sets[set][idx / 64] |= 1ull << (idx % 64);
                }
                if (fused)
                        emit(g, OP_FIELD_IN, (unsigned) l->field, 0, (uint32_t) set, +1);
                else
                        emit(g, OP_IN, 0, 0, (uint32_t) set, 0);
        } else if (numeric(lt.vt) && !(lt.vt == VT_DIGITS && n->items[0]->kind == N_STR)) {
                /* Rare: expand to a chain of equality tests. The value is re-evaluated per
                 * item, which is fine for the short lists this is meant for. */
                for (unsigned i = 0; i < n->nitems; i++) {
                        if (n->items[i]->kind != N_INT) {
                                gerr(g, n->items[i], "the list must hold numbers here");
                                return bool_t;
                        }
                        if (i > 0)
                                gen_node(g, l);
                        emit_int(g, n->items[i]->ival);
                        emit_compare(g, OP_EQ);
                        if (i > 0)
                                emit(g, OP_OR, 0, 0, 0, -1);
                }
        } else if (lt.vt == VT_TEXT || lt.vt == VT_DIGITS) {
                /* Text, or digits against strings ('007'): compared as text. */
                for (unsigned i = 0; i < n->nitems; i++) {
                        if (n->items[i]->kind != N_STR) {
                                gerr(g, n->items[i], "the list must hold strings here");
                                return bool_t;
                        }
                        if (i > 0)
                                gen_node(g, l);
                        int k = compiler_add_string(g->c, n->items[i]->str);
                        if (k < 0) {
                                g->failed = true;
                                return bool_t;
                        }
                        emit(g, OP_STR, 0, 0, (uint32_t) k, +1);
                        emit(g, OP_STREQ, 0, 0, 0, -1);
                        if (i > 0)
                                emit(g, OP_OR, 0, 0, 0, -1);
                }
        } else {
                gerr(g, n, "'in' needs a code, level, number or text on its left, not %s", type_name(g->c, lt));
                return bool_t;
        }
        if (n->negate)
                emit(g, OP_NOT, 0, 0, 0, 0);
        return bool_t;
}

static bool require(struct gen *g, const struct node *n, struct type t, enum value_type want, const char *what) {
        if (t.vt == want || (want == VT_INT && t.vt == VT_DIGITS))
                return true;
        if (!g->failed)
                gerr(g, n, "%s must be %s, not %s", what, type_name(g->c, (struct type) {want, -1, -1}),
                     type_name(g->c, t));
        return false;
}

static struct type gen_call(struct gen *g, const struct node *n) {
        struct type fail_t = {VT_BOOL, -1, -1};
        static const struct {
                const char *name;
                unsigned nargs;
        } functions[] = {
                {"empty", 1}, {"filled", 1}, {"age", 2}, {"months", 2}, {"year", 1},
                {"month", 1}, {"coalesce", 2}, {"label", 1},
        };
        int fn = -1;
        for (unsigned i = 0; i < ELEMENTSOF(functions); i++)
                if (strcmp(functions[i].name, n->str) == 0)
                        fn = (int) i;
        if (fn < 0) {
                gerr(g, n, "unknown function '%s'", n->str);
                return fail_t;
        }
        if (n->nitems != functions[fn].nargs) {
                gerr(g, n, "%s() takes %u argument%s, not %u", n->str, functions[fn].nargs,
                     functions[fn].nargs == 1 ? "" : "s", n->nitems);
                return fail_t;
        }
        const char *name = functions[fn].name;
        if (strcmp(name, "empty") == 0 || strcmp(name, "filled") == 0 || strcmp(name, "label") == 0) {
                const struct node *a = n->items[0];
                if (a->kind != N_FIELD) {
                        gerr(g, a, "%s() takes a field name", name);
                        return fail_t;
                }
                if (g->first_field < 0)
                        g->first_field = a->field;
                if (name[0] == 'l') {
                        if (!g->c->allow_label) {
                                gerr(g, n, "label() can only be used in messages");
                                return fail_t;
                        }
                        if (g->c->rs->fields[a->field].type != FIELD_CODE) {
                                gerr(g, a, "label() takes a code field");
                                return fail_t;
                        }
                        if (!g->c->rs->fields[a->field].codes) {
                                g->failed = true;
                                return fail_t;
                        }
                        emit(g, OP_LABEL, (unsigned) a->field, 0, 0, +1);
                        return (struct type) {VT_STRING, -1, -1};
                }
                emit(g, name[0] == 'e' ? OP_EMPTY : OP_FILLED, (unsigned) a->field, 0, 0, +1);
                return (struct type) {VT_BOOL, -1, -1};
        }
        if (strcmp(name, "coalesce") == 0) {
                struct type a = gen_node(g, n->items[0]);
                struct type b = gen_node(g, n->items[1]);
                if (g->failed)
                        return fail_t;
                if (a.vt != b.vt || (a.vt == VT_CODE && a.ref != b.ref && g->c->rs->fields[a.ref].codes !=
                                                                               g->c->rs->fields[b.ref].codes)) {
                        gerr(g, n, "coalesce() needs two values of the same type, not %s and %s",
                             type_name(g->c, a), type_name(g->c, b));
                        return fail_t;
                }
                emit(g, OP_COALESCE, 0, 0, 0, -1);
                return a;
        }
        if (strcmp(name, "age") == 0 || strcmp(name, "months") == 0) {
                struct type a = gen_node(g, n->items[0]);
                struct type b = gen_node(g, n->items[1]);
                if (g->failed || !require(g, n->items[0], a, VT_MONTH, "the first argument") ||
                    !require(g, n->items[1], b, VT_MONTH, "the second argument"))
                        return fail_t;
                emit(g, name[0] == 'a' ? OP_AGE : OP_MONTHS, 0, 0, 0, -1);
                return (struct type) {VT_INT, -1, -1};
        }
        /* year(), month() */
        struct type a = gen_node(g, n->items[0]);
        if (g->failed || !require(g, n->items[0], a, VT_MONTH, "the argument"))
                return fail_t;
        emit(g, name[0] == 'y' ? OP_YEAR : OP_MONTH, 0, 0, 0, 0);
        return (struct type) {VT_INT, -1, -1};
}

static struct type gen_node(struct gen *g, const struct node *n) {
        struct type bool_t = {VT_BOOL, -1, -1};
        if (g->failed)
                return bool_t;
        switch (n->kind) {
        case N_INT:
                emit_int(g, n->ival);
                return (struct type) {VT_INT, -1, -1};
        case N_STR: {
                int k = compiler_add_string(g->c, n->str);
                if (k < 0) {
                        g->failed = true;
                        return bool_t;
                }
                emit(g, OP_STR, 0, 0, (uint32_t) k, +1);
                return (struct type) {VT_STRING, -1, -1};
        }
        case N_FIELD:
                if (g->c->rs->fields[n->field].type == FIELD_CODE && !g->c->rs->fields[n->field].codes) {
                        /* The field has no code list, which was reported with the field. */
                        g->failed = true;
                        return bool_t;
                }
                if (g->first_field < 0)
                        g->first_field = n->field;
                if (g->c->rs->fields[n->field].type == FIELD_TEXT)
                        emit(g, OP_TOSTR, (unsigned) n->field, 0, 0, +1);
                else
                        emit(g, OP_FIELD, (unsigned) n->field, 0, 0, +1);
                return field_type(g->c, n->field);
        case N_LEVEL:
                if (g->first_field < 0)
                        g->first_field = n->field;
                emit(g, OP_LEVEL, (unsigned) n->field, (uint8_t) n->level, 0, +1);
                return (struct type) {VT_LEVEL, n->field, n->level};
        case N_REPORT_END:
                if (g->c->rs->year_field < 0) {
                        gerr(g, n, "report_end needs 'year_field' in the dataset section");
                        return bool_t;
                }
                emit(g, OP_REPORT_END, 0, 0, 0, +1);
                return (struct type) {VT_MONTH, -1, -1};
        case N_CALL:
                return gen_call(g, n);
        case N_CMP:
                return gen_cmp(g, n);
        case N_IN:
                return gen_in(g, n);
        case N_AND:
        case N_OR: {
                /* Short-circuit: a known false left side decides "and", a known true one "or";
                 * an unknown left side still needs the right (Kleene). The jump is relative,
                 * so programs can be concatenated without patching. */
                struct type a = gen_node(g, n->a);
                unsigned jump = g->c->ncode;
                emit(g, n->kind == N_AND ? OP_JFALSE : OP_JTRUE, 0, 0, 0, 0);
                struct type b = gen_node(g, n->b);
                if (!g->failed && (!require(g, n->a, a, VT_BOOL, "each side of 'and'/'or'") ||
                                   !require(g, n->b, b, VT_BOOL, "each side of 'and'/'or'")))
                        return bool_t;
                emit(g, n->kind == N_AND ? OP_AND : OP_OR, 0, 0, 0, -1);
                if (!g->failed)
                        g->c->code[jump].b = g->c->ncode - jump - 1;
                return bool_t;
        }
        case N_NOT: {
                struct type a = gen_node(g, n->a);
                if (!g->failed && !require(g, n->a, a, VT_BOOL, "the operand of 'not'"))
                        return bool_t;
                emit(g, OP_NOT, 0, 0, 0, 0);
                return bool_t;
        }
        case N_ADD:
        case N_SUB: {
                struct type a = gen_node(g, n->a);
                struct type b = gen_node(g, n->b);
                if (g->failed)
                        return bool_t;
                if (!numeric(b.vt) || !(numeric(a.vt) || a.vt == VT_MONTH)) {
                        gerr(g, n, "'%c' works on numbers and on a month plus or minus a number, not on %s and %s",
                             n->kind == N_ADD ? '+' : '-', type_name(g->c, a), type_name(g->c, b));
                        return bool_t;
                }
                emit(g, n->kind == N_ADD ? OP_ADD : OP_SUB, 0, 0, 0, -1);
                return a.vt == VT_MONTH ? a : (struct type) {VT_INT, -1, -1};
        }
        }
        return bool_t;
}

int expr_compile(struct compiler *c, const char *src, const struct srcmap *map, struct program *ret) {
        unsigned line, col;
        srcmap_position(map, 0, &line, &col);
        if (strlen(src) > RULESET_MAX_EXPR_BYTES) {
                compiler_error(c, line, col, "expression too long (limit is %d bytes)", RULESET_MAX_EXPR_BYTES);
                return -EINVAL;
        }
        struct parser ps = {.c = c, .src = src, .p = src, .map = map};
        next(&ps);
        struct node *root = ps.failed ? NULL : parse_or(&ps);
        if (root && !ps.failed && ps.tok != T_END)
                perr(&ps, ps.tok_start, "unexpected %s after the end of the expression", tok_text(&ps));
        if (c->nomem)
                return -ENOMEM;
        if (!root || ps.failed)
                return -EINVAL;

        struct gen g = {.c = c, .first_field = -1};
        c->ncode = 0;
        c->depth = c->max_depth = 0;
        struct type t = gen_node(&g, root);
        if (c->nomem)
                return -ENOMEM;
        if (g.failed)
                return -EINVAL;
        if (c->max_depth > VM_STACK) {
                compiler_error(c, line, col, "expression needs too deep a stack (limit is %d)", VM_STACK);
                return -EINVAL;
        }
        struct insn *code = arena_array(c->rs->arena, c->ncode, sizeof(*code));
        if (!code)
                return -ENOMEM;
        memcpy(code, c->code, c->ncode * sizeof(*code));
        *ret = (struct program) {
                .code = code,
                .n = c->ncode,
                .type = t.vt,
                .type_ref = t.ref,
                .type_level = t.level,
                .first_field = g.first_field,
                .line = line,
                .col = col,
        };
        if (c->max_depth > c->rs->max_stack)
                c->rs->max_stack = c->max_depth;
        return 0;
}
