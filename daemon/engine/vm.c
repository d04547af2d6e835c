/*
 * The evaluator: one loop over a program's instructions with a fixed stack on the C stack.
 * It allocates nothing and looks nothing up by name; every operand is an index the
 * compiler resolved. Unknown propagates through comparisons and arithmetic, and and/or/not
 * follow Kleene's three-valued logic.
 */
#include <string.h>

#include "calendar.h"
#include "pack.h"

static inline int64_t floordiv(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct vm_value vm_eval(const struct ruleset *rs, const struct program *p, const struct field_value *vals,
                        uint64_t *verdicts) {
        struct vm_value st[VM_STACK];
        unsigned sp = 0;
        const struct insn *pc = p->code, *end = p->code + p->n;
        for (; pc < end; pc++) {
                switch ((enum opcode) pc->op) {
                case OP_FIELD:
                case OP_TOSTR: {
                        const struct field_value *v = &vals[pc->a];
                        st[sp++] = (struct vm_value) {.i = v->i, .s = v->s, .len = v->len, .unknown = v->state != FV_OK};
                        break;
                }
                case OP_FIELD_CMP: {
                        const struct field_value *v = &vals[pc->a];
                        int64_t k = rs->ints[pc->b];
                        struct vm_value r = {.unknown = v->state != FV_OK};
                        if (!r.unknown)
                                switch (pc->a8) {
                                case OP_EQ: r.i = v->i == k; break;
                                case OP_NE: r.i = v->i != k; break;
                                case OP_LT: r.i = v->i < k; break;
                                case OP_LE: r.i = v->i <= k; break;
                                case OP_GT: r.i = v->i > k; break;
                                default: r.i = v->i >= k; break;
                                }
                        st[sp++] = r;
                        break;
                }
                case OP_JFALSE:
                        if (!st[sp - 1].unknown && !st[sp - 1].i)
                                pc += pc->b;
                        break;
                case OP_JTRUE:
                        if (!st[sp - 1].unknown && st[sp - 1].i)
                                pc += pc->b;
                        break;
                case OP_VERDICT:
                        sp--;
                        if (!st[sp].unknown && st[sp].i)
                                verdicts[pc->b / 64] |= 1ull << (pc->b % 64);
                        break;
                case OP_EMPTY:
                        st[sp++] = (struct vm_value) {.i = vals[pc->a].state == FV_EMPTY};
                        break;
                case OP_FILLED:
                        st[sp++] = (struct vm_value) {.i = vals[pc->a].state != FV_EMPTY};
                        break;
                case OP_INT:
                        st[sp++] = (struct vm_value) {.i = rs->ints[pc->b]};
                        break;
                case OP_STR: {
                        const char *s = rs->strings[pc->b];
                        st[sp++] = (struct vm_value) {.s = s, .len = (uint32_t) strlen(s)};
                        break;
                }
                case OP_REPORT_END: {
                        const struct field_value *v = &vals[rs->year_field];
                        st[sp++] = (struct vm_value) {.i = v->i * 12 + 11, .unknown = v->state != FV_OK};
                        break;
                }
                case OP_LEVEL: {
                        int li = hierarchy_level(rs, pc->a, pc->a8, vals);
                        struct vm_value r = {.unknown = li < 0};
                        if (li >= 0) {
                                r.i = li;
                                r.s = rs->fields[pc->a].hierarchy->values[pc->a8][li];
                                r.len = (uint32_t) strlen(r.s);
                        }
                        st[sp++] = r;
                        break;
                }
                case OP_LABEL: {
                        const struct field_value *v = &vals[pc->a];
                        struct vm_value r = {.unknown = v->state != FV_OK};
                        if (!r.unknown) {
                                r.s = rs->fields[pc->a].codes->labels[v->i];
                                r.len = (uint32_t) strlen(r.s);
                        }
                        st[sp++] = r;
                        break;
                }
#define CMP(OPC, EXPR)                                                                   \
                case OPC: {                                                              \
                        struct vm_value *a = &st[sp - 2], *b = &st[sp - 1];             \
                        a->unknown = a->unknown || b->unknown;                          \
                        a->i = a->unknown ? 0 : (EXPR);                                 \
                        sp--;                                                           \
                        break;                                                          \
                }
                CMP(OP_EQ, a->i == b->i)
                CMP(OP_NE, a->i != b->i)
                CMP(OP_LT, a->i < b->i)
                CMP(OP_LE, a->i <= b->i)
                CMP(OP_GT, a->i > b->i)
                CMP(OP_GE, a->i >= b->i)
                CMP(OP_STREQ, a->len == b->len && memcmp(a->s, b->s, a->len) == 0)
                CMP(OP_STRNE, !(a->len == b->len && memcmp(a->s, b->s, a->len) == 0))
#undef CMP
                /* Arithmetic that leaves int64_t has no meaningful answer (an 18-digit field
                 * added to itself): the result is unknown, like an invalid field, rather than
                 * a wrapped number that would decide a rule. */
#define ARITH(OPC, BUILTIN, X, Y, POST)                                                  \
                case OPC: {                                                              \
                        struct vm_value *a = &st[sp - 2], *b = &st[sp - 1];             \
                        int64_t r = 0;                                                   \
                        a->unknown = a->unknown || b->unknown || BUILTIN(X, Y, &r);      \
                        a->i = a->unknown ? 0 : POST(r);                                 \
                        sp--;                                                           \
                        break;                                                          \
                }
#define AS_IS(r) (r)
#define IN_YEARS(r) floordiv((r), 12)
                ARITH(OP_ADD, __builtin_add_overflow, a->i, b->i, AS_IS)
                ARITH(OP_SUB, __builtin_sub_overflow, a->i, b->i, AS_IS)
                ARITH(OP_DIFF, __builtin_sub_overflow, b->i, a->i, AS_IS)
                ARITH(OP_AGE, __builtin_sub_overflow, b->i, a->i, IN_YEARS)
#undef ARITH
#undef AS_IS
#undef IN_YEARS
                case OP_IN: {
                        struct vm_value *a = &st[sp - 1];
                        if (!a->unknown) {
                                const uint64_t *set = rs->sets[pc->b];
                                a->i = (set[a->i / 64] >> (a->i % 64)) & 1;
                        }
                        break;
                }
                case OP_FIELD_IN: {
                        const struct field_value *v = &vals[pc->a];
                        struct vm_value r = {.unknown = v->state != FV_OK};
                        if (!r.unknown) {
                                const uint64_t *set = rs->sets[pc->b];
                                r.i = (set[v->i / 64] >> (v->i % 64)) & 1;
                        }
                        st[sp++] = r;
                        break;
                }
                case OP_AND: {
                        struct vm_value *a = &st[sp - 2], *b = &st[sp - 1];
                        bool af = !a->unknown && !a->i, bf = !b->unknown && !b->i;
                        if (af || bf)
                                *a = (struct vm_value) {.i = 0};
                        else
                                *a = (struct vm_value) {.i = 1, .unknown = a->unknown || b->unknown};
                        sp--;
                        break;
                }
                case OP_OR: {
                        struct vm_value *a = &st[sp - 2], *b = &st[sp - 1];
                        bool at = !a->unknown && a->i, bt = !b->unknown && b->i;
                        if (at || bt)
                                *a = (struct vm_value) {.i = 1};
                        else
                                *a = (struct vm_value) {.i = 0, .unknown = a->unknown || b->unknown};
                        sp--;
                        break;
                }
                case OP_NOT:
                        st[sp - 1].i = !st[sp - 1].i;
                        break;
                case OP_YEAR:
                        st[sp - 1].i = floordiv(st[sp - 1].i, 12);
                        break;
                case OP_MONTH:
                        st[sp - 1].i = st[sp - 1].i - floordiv(st[sp - 1].i, 12) * 12 + 1;
                        break;
                case OP_MONTH_OF:
                        st[sp - 1].i = calendar_month_of_days(st[sp - 1].i);
                        break;
                case OP_AGE_DATE: {
                        /* Whole years as the law counts them (BGB § 187 (2), § 188 (2)): one
                         * more on each birthday; born on 29.02., on 01.03. of a common year. */
                        struct vm_value *a = &st[sp - 2], *b = &st[sp - 1];
                        int64_t by, ay;
                        unsigned bm, bd, am, ad;
                        calendar_civil_from_days(a->i, &by, &bm, &bd);
                        calendar_civil_from_days(b->i, &ay, &am, &ad);
                        a->unknown = a->unknown || b->unknown;
                        a->i = a->unknown ? 0 : ay - by - (am < bm || (am == bm && ad < bd));
                        sp--;
                        break;
                }
                case OP_COALESCE:
                        if (st[sp - 2].unknown)
                                st[sp - 2] = st[sp - 1];
                        sp--;
                        break;
                }
        }
        return sp ? st[sp - 1] : (struct vm_value) {.unknown = true};
}
