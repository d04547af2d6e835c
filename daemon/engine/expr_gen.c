/*
 * The expression compiler's back half and its entry point: nodes (expr.h) -> typed byte
 * code (program.h). Code generation checks types as it goes, so every type error names
 * the place in the YAML file, and it folds what is known at compile time: code literals
 * become code indices, an `in` list over a code field becomes one bit-set test, a field
 * compared with a constant becomes one fused instruction. Constants go to the pools
 * (pools.c); the instructions are built in the compiler's growable buffer and copied into
 * the arena once the expression is complete.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "expr.h"

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
        va_list ap;
        va_start(ap, fmt);
        compiler_verror(g->c, n->line, n->col, fmt, ap);
        va_end(ap);
}

static void emit(struct gen *g, enum opcode op, unsigned a, uint8_t a8, uint32_t b, int stack_delta) {
        struct compiler *c = g->c;
        if (ARRAY_GROW(c->code, c->ncode, c->cap_code) < 0) {
                c->nomem = true;
                g->failed = true;
                return;
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
        case VT_DATE: return "a date";
        case VT_CODE: return c->rs->fields[t.ref].codes ? "a code" : "a code";
        case VT_DIGITS: return "a digits field";
        case VT_TEXT: return "a text field";
        case VT_LEVEL: return "a hierarchy level";
        case VT_STRING: return "a string";
        case VT_DEC: return "a decimal number";
        }
        return "?";
}

static bool numeric(enum value_type vt) {
        return vt == VT_INT || vt == VT_DIGITS;
}

/* A date and a month meet only through month_of(): a day cannot be made of a month, and
 * comparing a date with a month silently by its first day would decide rules by a guess. */
static const char *month_hint(struct type a, struct type b) {
        if ((a.vt == VT_DATE && b.vt == VT_MONTH) || (a.vt == VT_MONTH && b.vt == VT_DATE))
                return " (month_of() turns a date into a month)";
        return "";
}

static struct type field_type(const struct compiler *c, int f) {
        switch (c->rs->fields[f].type) {
        case FIELD_DIGITS: return (struct type) {VT_DIGITS, f, -1};
        case FIELD_CODE: return (struct type) {VT_CODE, f, -1};
        case FIELD_MONTH: return (struct type) {VT_MONTH, f, -1};
        case FIELD_DATE: return (struct type) {VT_DATE, f, -1};
        case FIELD_INTEGER: return (struct type) {VT_INT, f, -1};
        case FIELD_TEXT: return (struct type) {VT_TEXT, f, -1};
        case FIELD_DECIMAL: return (struct type) {VT_DEC, f, -1};
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
        /* A decimal against an integer literal: the literal goes right, to be scaled. */
        bool dec_literal = l->kind == N_INT && r->kind == N_FIELD &&
                           g->c->rs->fields[r->field].type == FIELD_DECIMAL;
        if ((l->kind == N_STR && r->kind != N_STR) || dec_literal) {
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
        /* A decimal compares with an integer literal (quote <= 100) in its fixed point, and
         * with another decimal; not with an integer field (no silent scaling at run time). */
        if (lt.vt == VT_DEC && r->kind == N_INT) {
                int64_t lim = INT64_MAX / RULESET_DECIMAL_SCALE;
                if (r->ival > lim || r->ival < -lim)
                        gerr(g, r, "the number %lld is too large to compare with a decimal", (long long) r->ival);
                else
                        emit_int(g, r->ival * RULESET_DECIMAL_SCALE);
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
        else if (lt.vt == VT_DEC && rt.vt == VT_DEC)
                ok = true;
        else if ((lt.vt == VT_MONTH || lt.vt == VT_DATE) && rt.vt == lt.vt)
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
                        gerr(g, n, "cannot compare %s with %s%s", type_name(g->c, lt), type_name(g->c, rt),
                             month_hint(lt, rt));
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
        const char *hint = month_hint((struct type) {want, -1, -1}, t);
        if (want == VT_DATE && t.vt == VT_MONTH)
                hint = " (a month has no day: months() counts months, month_of() turns a date into a month)";
        if (!g->failed)
                gerr(g, n, "%s must be %s, not %s%s", what, type_name(g->c, (struct type) {want, -1, -1}),
                     type_name(g->c, t), hint);
        return false;
}

/* year(), month() and age() take a month or a date. */
static bool require_time(struct gen *g, const struct node *n, struct type t, const char *what) {
        if (t.vt == VT_MONTH || t.vt == VT_DATE)
                return true;
        if (!g->failed)
                gerr(g, n, "%s must be a month or a date, not %s", what, type_name(g->c, t));
        return false;
}

static struct type gen_call(struct gen *g, const struct node *n) {
        struct type fail_t = {VT_BOOL, -1, -1};
        static const struct {
                const char *name;
                unsigned nargs;
        } functions[] = {
                {"empty", 1}, {"filled", 1}, {"age", 2}, {"months", 2}, {"days", 2}, {"year", 1},
                {"month", 1}, {"month_of", 1}, {"coalesce", 2}, {"label", 1},
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
        if (strcmp(name, "age") == 0) {
                struct type a = gen_node(g, n->items[0]);
                struct type b = gen_node(g, n->items[1]);
                if (g->failed || !require_time(g, n->items[0], a, "the first argument") ||
                    !require(g, n->items[1], b, a.vt, "the second argument"))
                        return fail_t;
                emit(g, a.vt == VT_DATE ? OP_AGE_DATE : OP_AGE, 0, 0, 0, -1);
                return (struct type) {VT_INT, -1, -1};
        }
        if (strcmp(name, "months") == 0 || strcmp(name, "days") == 0) {
                enum value_type want = name[0] == 'm' ? VT_MONTH : VT_DATE;
                struct type a = gen_node(g, n->items[0]);
                struct type b = gen_node(g, n->items[1]);
                if (g->failed || !require(g, n->items[0], a, want, "the first argument") ||
                    !require(g, n->items[1], b, want, "the second argument"))
                        return fail_t;
                emit(g, OP_DIFF, 0, 0, 0, -1);
                return (struct type) {VT_INT, -1, -1};
        }
        struct type a = gen_node(g, n->items[0]);
        if (g->failed)
                return fail_t;
        if (strcmp(name, "month_of") == 0) {
                if (!require(g, n->items[0], a, VT_DATE, "the argument"))
                        return fail_t;
                emit(g, OP_MONTH_OF, 0, 0, 0, 0);
                return (struct type) {VT_MONTH, -1, -1};
        }
        /* year(), month(): of a month, or of a date's month */
        if (!require_time(g, n->items[0], a, "the argument"))
                return fail_t;
        if (a.vt == VT_DATE)
                emit(g, OP_MONTH_OF, 0, 0, 0, 0);
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
                /* A month plus months, a date plus days: months(a, b) and days(a, b) are
                 * the differences, so that a - b never silently mixes the two. */
                if (!numeric(b.vt) || !(numeric(a.vt) || a.vt == VT_MONTH || a.vt == VT_DATE)) {
                        const char *hint = "";
                        if (n->kind == N_SUB && a.vt == b.vt && a.vt == VT_DATE)
                                hint = " (days(a, b) is b - a in days)";
                        else if (n->kind == N_SUB && a.vt == b.vt && a.vt == VT_MONTH)
                                hint = " (months(a, b) is b - a in months)";
                        gerr(g, n, "'%c' works on numbers and on a month or date plus or minus a number, not on %s and %s%s",
                             n->kind == N_ADD ? '+' : '-', type_name(g->c, a), type_name(g->c, b), hint);
                        return bool_t;
                }
                emit(g, n->kind == N_ADD ? OP_ADD : OP_SUB, 0, 0, 0, -1);
                return a.vt == VT_MONTH || a.vt == VT_DATE ? a : (struct type) {VT_INT, -1, -1};
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
        struct node *root;
        int r = expr_parse(c, src, map, &root);
        if (r < 0)
                return r;

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
