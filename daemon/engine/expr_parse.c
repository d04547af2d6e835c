/*
 * The expression compiler's front half: a lexer and a recursive-descent parser over a tiny
 * grammar (or, and, not, comparison, in-list, + and -, calls, field.level) that turns an
 * expression's text into nodes (expr.h). Names are resolved here, so an unknown field or
 * level is reported where it is written; types are expr_gen.c's business. The nodes live
 * in the pack's arena only for the compilation. One syntax error per expression: after the
 * first, the rest of the text would only produce noise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

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
        unsigned line, col;
        position(ps, at, &line, &col);
        va_list ap;
        va_start(ap, fmt);
        compiler_verror(ps->c, line, col, fmt, ap);
        va_end(ap);
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

/* name(arguments): the name is checked by expr_gen.c, which knows the functions. */
static struct node *parse_call(struct parser *ps, char *name, const char *at) {
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

/* field.level: n becomes the level of field name's hierarchy. */
static bool parse_level(struct parser *ps, struct node *n, const char *name, const char *at) {
        int f = n->field;
        next(ps);
        if (ps->tok != T_IDENT) {
                perr(ps, ps->tok_start, "expected a hierarchy level after '.'");
                return false;
        }
        const struct hierarchy *h = ps->c->rs->fields[f].hierarchy;
        if (!h) {
                perr(ps, at, "field '%s' has no hierarchy, so it has no level '%.*s'", name,
                     (int) ps->tok_len, ps->tok_start);
                return false;
        }
        int level = -1;
        for (unsigned i = 0; i < h->nlevels; i++)
                if (strlen(h->levels[i]) == ps->tok_len && memcmp(h->levels[i], ps->tok_start, ps->tok_len) == 0)
                        level = (int) i;
        if (level < 0) {
                perr(ps, ps->tok_start, "hierarchy '%s' has no level '%.*s'", h->name, (int) ps->tok_len,
                     ps->tok_start);
                return false;
        }
        n->kind = N_LEVEL;
        n->level = level;
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
        if (ps->tok == T_LPAREN)
                return parse_call(ps, name, at);
        if (strcmp(name, "report_end") == 0)
                return mk(ps, N_REPORT_END, at);
        int f = ruleset_field_find(ps->c->rs, name);
        if (f < 0) {
                perr(ps, at, "unknown field '%s'", name);
                return NULL;
        }
        struct node *n = mk(ps, N_FIELD, at);
        if (!n)
                return NULL;
        n->field = f;
        if (ps->tok == T_DOT && !parse_level(ps, n, name, at))
                return NULL;
        return n;
}

/* Left-associative operators over operand(): l op operand op operand ... */
static struct node *parse_left(struct parser *ps, struct node *l, struct node *(*operand)(struct parser *ps),
                               int (*kind_of)(const struct parser *ps)) {
        int kind;
        while (l && (kind = kind_of(ps)) >= 0) {
                struct node *n = mk(ps, (enum node_kind) kind, ps->tok_start);
                next(ps);
                if (!n)
                        return NULL;
                n->a = l;
                n->b = operand(ps);
                if (!n->b)
                        return NULL;
                l = n;
        }
        return l;
}

static int add_kind(const struct parser *ps) {
        return ps->tok == T_PLUS ? N_ADD : ps->tok == T_MINUS ? N_SUB : -1;
}

static struct node *parse_add(struct parser *ps) {
        return parse_left(ps, parse_primary(ps), parse_primary, add_kind);
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

static int and_kind(const struct parser *ps) {
        return is_word(ps, "and") ? N_AND : -1;
}

static int or_kind(const struct parser *ps) {
        return is_word(ps, "or") ? N_OR : -1;
}

static struct node *parse_and(struct parser *ps) {
        return parse_left(ps, parse_not(ps), parse_not, and_kind);
}

static struct node *parse_or(struct parser *ps) {
        if (++ps->depth > RULESET_MAX_EXPR_DEPTH) {
                perr(ps, ps->tok_start, "expression nested too deeply (limit is %d levels)", RULESET_MAX_EXPR_DEPTH);
                return NULL;
        }
        struct node *l = parse_left(ps, parse_and(ps), parse_and, or_kind);
        ps->depth--;
        return l;
}

int expr_parse(struct compiler *c, const char *src, const struct srcmap *map, struct node **ret) {
        struct parser ps = {.c = c, .src = src, .p = src, .map = map};
        next(&ps);
        struct node *root = ps.failed ? NULL : parse_or(&ps);
        if (root && !ps.failed && ps.tok != T_END)
                perr(&ps, ps.tok_start, "unexpected %s after the end of the expression", tok_text(&ps));
        if (c->nomem)
                return -ENOMEM;
        if (!root || ps.failed)
                return -EINVAL;
        *ret = root;
        return 0;
}
