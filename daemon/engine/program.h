/*
 * Private to the rule engine: the byte code and the evaluator's entry point, the engine's
 * lopcodes.h. The compiler emits programs (compiler.h), the VM runs them (vm.c), the
 * checker hands the VM a record's decoded fields (checker.h's struct field_value).
 *
 * The byte code is a small stack machine. Every instruction is 8 bytes; operands are
 * indices into the pack (fields, constant pools, sets), never names, so evaluating a record
 * does no look-ups by name and allocates nothing. Truth values are three-valued: a value
 * read from an empty or invalid field is "unknown", comparisons with unknown are unknown,
 * and/or/not follow Kleene's logic. A rule fires only when its program yields a known true.
 */
#ifndef PLAUSID_ENGINE_PROGRAM_H
#define PLAUSID_ENGINE_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "ruleset.h"

enum value_type {
        VT_BOOL,
        VT_INT,
        VT_MONTH,               /* year * 12 + month - 1 */
        VT_DATE,                /* days since 1970-01-01 (calendar.h) */
        VT_CODE,                /* code index into a code list */
        VT_DIGITS,              /* digit string, also usable as an integer */
        VT_TEXT,
        VT_LEVEL,               /* value index of a hierarchy level */
        VT_STRING,              /* string literal or label() */
        VT_DEC,                 /* a decimal field: value * RULESET_DECIMAL_SCALE */
};

enum opcode {
        OP_FIELD,               /* a: field; push its value, unknown when empty/invalid */
        OP_EMPTY,               /* a: field; push true when the field is empty */
        OP_FILLED,              /* a: field */
        OP_INT,                 /* b: index into ints; push the constant */
        OP_STR,                 /* b: index into strings */
        OP_REPORT_END,          /* push December of the record's Berichtsjahr */
        OP_LEVEL,               /* a: field, a8: level; push the level's value index */
        OP_LABEL,               /* a: field; push the code's label as a string */
        OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,       /* integer comparison */
        OP_STREQ, OP_STRNE,     /* string comparison */
        OP_IN,                  /* b: set index; pop integer, push membership */
        OP_FIELD_IN,            /* a: field, b: set; fused OP_FIELD + OP_IN for code fields */
        OP_AND, OP_OR, OP_NOT,
        OP_ADD, OP_SUB,         /* also a month or date plus or minus months or days */
        OP_DIFF,                /* pop b, a; push b - a: months(), days() */
        OP_YEAR, OP_MONTH,      /* of a month */
        OP_MONTH_OF,            /* a date's month: year(d) and month(d) are OP_MONTH_OF, OP_YEAR/OP_MONTH */
        OP_AGE,                 /* pop at, birth (months); push whole years */
        OP_AGE_DATE,            /* pop at, birth (dates); push whole years, the birthday counted */
        OP_COALESCE,
        OP_TOSTR,               /* a: field; push the field's text (for digits/text compares) */
        OP_FIELD_CMP,           /* a: field, a8: OP_EQ..OP_GE, b: ints index; fused field-constant compare */
        OP_JFALSE,              /* if the top is a known false, skip b instructions (short-circuit and) */
        OP_JTRUE,               /* if the top is a known true, skip b instructions (short-circuit or) */
        OP_VERDICT,             /* pop; if a known true, set bit b of the verdict set (rule b fires) */
};

struct insn {
        uint8_t op;
        uint8_t a8;
        uint16_t a;
        uint32_t b;
};

struct program {
        const struct insn *code;
        unsigned n;
        enum value_type type;   /* type of the result */
        int type_ref;           /* VT_CODE: the field whose code list; VT_LEVEL: hierarchy field */
        int type_level;         /* VT_LEVEL: the level */
        int first_field;        /* first field the expression reads, -1 = none */
        unsigned line, col;
};

struct vm_value {
        int64_t i;
        const char *s;
        uint32_t len;
        bool unknown;
};

/* The evaluator's stack lives on the C stack: the compiler refuses a program that needs
 * more (compiler.h's max_depth), so vm_eval never checks. */
#define VM_STACK 64

/* Evaluates a program on a record's decoded fields. OP_VERDICT sets bits in verdicts,
 * which may be NULL for programs without it. */
struct vm_value vm_eval(const struct ruleset *rs, const struct program *p, const struct field_value *vals,
                        uint64_t *verdicts);

#endif
