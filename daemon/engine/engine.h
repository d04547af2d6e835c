/*
 * Private to the rule engine (compiler, expression compiler, evaluator, checker): the body
 * of a compiled rule pack and the byte code. Nothing outside the engine includes this.
 *
 * The byte code is a small stack machine. Every instruction is 8 bytes; operands are
 * indices into the pack (fields, constant pools, sets), never names, so evaluating a record
 * does no look-ups by name and allocates nothing. Truth values are three-valued: a value
 * read from an empty or invalid field is "unknown", comparisons with unknown are unknown,
 * and/or/not follow Kleene's logic. A rule fires only when its program yields a known true.
 */
#ifndef PLAUSID_ENGINE_H
#define PLAUSID_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ruleset.h"

enum field_type {
        FIELD_DIGITS,
        FIELD_CODE,
        FIELD_MONTH,
        FIELD_INTEGER,
        FIELD_TEXT,
};

struct codelist {
        const char *name;
        unsigned n;
        uint64_t *keys;         /* codes packed big-endian into 8 bytes, sorted ascending */
        const char **codes;     /* in the same (lexicographic) order; index = code index */
        const char **labels;
        uint8_t *lens;          /* length of each code */
        unsigned common_len;    /* length every code shares, 0 when they differ */
        bool all_digits;
        int16_t *direct;        /* all-digit codes of one length <= 4: value -> index, -1 */
        unsigned line;
};

struct hierarchy;

struct field {
        const char *name;
        const char *label;
        const char **aliases;
        unsigned naliases;
        enum field_type type;
        unsigned length;        /* digits: exact length */
        unsigned max_length;    /* text: limit in bytes, 0 = none */
        int64_t min, max;       /* integer range */
        const struct codelist *codes;
        bool restore_zeros;
        bool column_required;
        bool required;
        const struct hierarchy *hierarchy;
        unsigned line, col;
};

/* How one level of a hierarchy is decided for one code. */
struct level_choice {
        int by_field;           /* -1: constant; else the code field that decides */
        int value;              /* constant, or the default; index into the level's values */
        const int *cases;       /* by_field's code index -> value index, -1 = default */
};

struct hierarchy {
        const char *name;
        unsigned field;
        unsigned nlevels;
        const char **levels;
        const char ***values;   /* per level: its distinct values */
        unsigned *nvalues;
        struct level_choice *choices;   /* [code index * nlevels + level] */
};

enum value_type {
        VT_BOOL,
        VT_INT,
        VT_MONTH,               /* year * 12 + month - 1 */
        VT_CODE,                /* code index into a code list */
        VT_DIGITS,              /* digit string, also usable as an integer */
        VT_TEXT,
        VT_LEVEL,               /* value index of a hierarchy level */
        VT_STRING,              /* string literal or label() */
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
        OP_ADD, OP_SUB,
        OP_MONTHS,              /* pop b, a; push b - a */
        OP_YEAR, OP_MONTH,
        OP_AGE,                 /* pop at, birth; push whole years */
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

/* Placeholders that a rule kind provides to its messages (besides expressions). */
enum message_ctx {
        CTX_FIELD, CTX_VALUE, CTX_EXPECTED, CTX_COUNT, CTX_COLUMN, CTX_REASON,
        CTX_FIRST, CTX_OTHER, CTX_SHARE, CTX_TOTAL,
        CTX_GROUP, CTX_BEGIN, CTX_END, CTX_OTHER_BEGIN, CTX_OTHER_END,
        CTX_YEAR, CTX_PREVIOUS_YEAR, CTX_KEY, CTX_LINE, CTX_DELIVERY, CTX_UNIT, CTX_PREVIOUS, CTX_CHANGE,
        _CTX_MAX,
};

struct segment {
        const char *text;       /* literal text, or NULL */
        size_t len;
        int ctx;                /* >= 0: a context placeholder */
        struct program prog;    /* otherwise: an expression */
};

struct message {
        struct segment *segs;
        unsigned n;
};

enum rule_kind {
        RULE_CHECK,
        RULE_BUILTIN,
        RULE_SHARE,
        RULE_UNIQUE,
        RULE_OVERLAP,
        RULE_PREVIOUS_YEAR,     /* against the previous Berichtsjahr in the database (load only) */
};

enum previous_year_kind {
        PREVIOUS_MISSING,       /* records of last year (a filter) must reappear this year */
        PREVIOUS_COUNT_CHANGE,  /* records per group may change by at most max_change */
};

enum builtin {
        BUILTIN_MISSING_COLUMN,
        BUILTIN_FIELD_COUNT,
        BUILTIN_SAME_AS_FIRST,
        BUILTIN_REQUIRED,
        BUILTIN_CODE,
        BUILTIN_FORMAT,
        BUILTIN_ENCODING,
        BUILTIN_UNREADABLE,
        _BUILTIN_MAX,
};

struct example_record {
        unsigned n;
        const char **names;     /* field names */
        const char **values;    /* NULL: leave the column out */
        const char *append;     /* raw bytes appended to the record line */
        size_t append_len;
};

struct example {
        bool expect_fail;
        unsigned line;
        struct example_record *records;
        unsigned nrecords;
        const char **drop;
        unsigned ndrop;
        const char *header_append;      /* raw text appended to the header line */
};

struct rule {
        const char *id;
        const char *title;
        enum severity severity;
        enum rule_kind kind;
        enum builtin builtin;
        int field;              /* field the finding names; -1 = none */
        struct program prog;    /* check: "when and not check"; share: the condition */
        double max_share;
        unsigned *unique;       /* unique: the fields of the key */
        unsigned nunique;
        int group;              /* overlap: the grouping field */
        struct program begin, end;
        /* previous_year */
        enum previous_year_kind previous;
        int where_field;        /* missing: last year's records taken are where_field == where_code */
        int where_code;         /* (code index), -1 when all are */
        unsigned *match;        /* missing: fields equal besides the key */
        unsigned nmatch;
        int by_field;           /* count_change: the field grouped by ... */
        int by_level;           /* ... or its hierarchy level (>= 0) */
        double max_change;
        int64_t min_count;      /* smaller counts (both years) are not compared */
        struct message message;
        struct example *examples;
        unsigned nexamples;
        unsigned line;
};

struct ruleset {
        struct arena *arena;
        const char *path;
        const char *name, *version;
        int year_first, year_last;
        int year_field;         /* -1 when the pack has none */
        struct reader_options input;
        unsigned *key;
        unsigned nkey;
        /* delivery: what one delivery covers, for redeliveries (see rules/README.md) */
        bool has_delivery;
        unsigned *unit;         /* the fields naming the reporting unit */
        unsigned nunit;
        int part_field;         /* field whose value splits a unit-year into parts, -1 */
        int report_group;       /* field a delivery report counts records by, -1 */
        struct field *fields;
        unsigned nfields;
        struct codelist *codelists;
        unsigned ncodelists;
        struct hierarchy *hierarchies;
        unsigned nhierarchies;
        struct rule *rules;
        unsigned nrules;
        int builtin_rule[_BUILTIN_MAX]; /* rule index per builtin, -1 when the pack has none */
        struct example_record base;
        int64_t *ints;
        unsigned nints;
        const char **strings;
        unsigned nstrings;
        uint64_t **sets;        /* bit sets over code/level indices */
        unsigned nsets;
        unsigned max_stack;     /* deepest stack any program needs */
        struct program checks;  /* every record rule's program, each ending in OP_VERDICT */
};

/* The state of one field of the record being checked. */
enum field_state {
        FV_EMPTY,
        FV_OK,
        FV_INVALID,
};

struct field_value {
        uint8_t state;
        int64_t i;              /* month, integer, code index, or digits as a number */
        const char *s;          /* text after normalisation (restored zeros) */
        uint32_t len;
        const char *raw;        /* as read */
};

/* The value index of one level of a field's hierarchy for the record in vals, or -1 when
 * the code or the field deciding the level is empty or invalid. Shared by the evaluator
 * and the loader's derived columns so that both decide a setting the same way. */
static inline int hierarchy_level(const struct ruleset *rs, unsigned field, unsigned level,
                                  const struct field_value *vals) {
        const struct field_value *v = &vals[field];
        if (v->state != FV_OK)
                return -1;
        const struct hierarchy *h = rs->fields[field].hierarchy;
        const struct level_choice *ch = &h->choices[v->i * h->nlevels + level];
        if (ch->by_field < 0)
                return ch->value;
        if (vals[ch->by_field].state != FV_OK)
                return -1;
        int c = ch->cases[vals[ch->by_field].i];
        return c >= 0 ? c : ch->value;
}

struct checker;
/* Reports a finding about the file as a whole (line 0) that was decided outside the
 * checker, such as a comparison with earlier deliveries; ctx holds the message's
 * placeholders (indexed by enum message_ctx). It counts in the checker's statistics. */
_must_check_ int checker_emit(struct checker *c, unsigned rule, const char *key, const char *value,
                              const char *const *ctx);

struct vm_value {
        int64_t i;
        const char *s;
        uint32_t len;
        bool unknown;
};

#define VM_STACK 64

/* Evaluates a program on a record's decoded fields. OP_VERDICT sets bits in verdicts,
 * which may be NULL for programs without it. */
struct vm_value vm_eval(const struct ruleset *rs, const struct program *p, const struct field_value *vals,
                        uint64_t *verdicts);

/* Looks a code up; returns its index or -1. Applies the field's leading-zero rule. */
int codelist_find(const struct codelist *cl, const char *s, size_t len);

/*
 * Where a scalar's text came from in the YAML source, so that an offset into the text
 * (after unquoting, unescaping, folding) maps back to the line and column a person sees.
 */
struct srcmap {
        const char *source;     /* the whole YAML file */
        size_t source_len;
        size_t index;           /* byte index of the scalar's first character (or indicator) */
        unsigned line, col;     /* its position */
        int style;              /* yaml_scalar_style_t */
        const char *value;      /* the scalar's text */
        size_t base;            /* offset of the compiled text within value */
};

void srcmap_position(const struct srcmap *m, size_t offset, unsigned *ret_line, unsigned *ret_col);

/* Compiles an expression; reports errors to diags at their place in the source. Returns 0
 * or -EINVAL (errors reported) or -ENOMEM. */
struct compiler;
int expr_compile(struct compiler *c, const char *src, const struct srcmap *map, struct program *ret);

#endif

/* State of one compilation; shared by the pack compiler and the expression compiler. */
struct compiler {
        struct ruleset *rs;
        struct diaglist *diags;
        const char *file;
        unsigned errors;
        bool allow_label;       /* label() is for messages only */
        bool nomem;
        /* pools under construction */
        unsigned cap_ints, cap_strings, cap_sets;
        /* instructions of the expression being compiled */
        struct insn *code;
        unsigned ncode, cap_code;
        unsigned depth, max_depth;      /* simulated stack depth */
};

void compiler_error(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...) _printf_(4, 5);
int compiler_add_int(struct compiler *c, int64_t v);
int compiler_add_string(struct compiler *c, const char *s);
int compiler_add_set(struct compiler *c, unsigned nbits);
int ruleset_field_index(const struct ruleset *rs, const char *name);
