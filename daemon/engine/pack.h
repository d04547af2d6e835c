/*
 * Private to the rule engine: the body of a compiled rule pack -- fields, code lists,
 * hierarchies, rules, messages, examples and the constant pools the byte code indexes.
 * The compiler builds it (compiler.h), the VM and the checker read it. Code outside the
 * engine reads a pack through the accessors of ruleset.h, never through this header
 * (white-box tests excepted), so that the layout can change without touching the store.
 */
#ifndef PLAUSID_ENGINE_PACK_H
#define PLAUSID_ENGINE_PACK_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "checker.h"
#include "program.h"
#include "ruleset.h"

/* Berichtsjahre first to last, both included (from > to: none). */
struct year_range {
        int from, to;
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
        struct year_range *years;       /* per code: the Berichtsjahre it holds for; NULL: all */
        /* An epoch's copy of a list with years (epochs.c): its direct table leaves out the
         * codes that do not hold in the epoch, and valid says which those are for the
         * binary search. NULL in the pack's own lists: every code is valid. */
        const bool *valid;
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
        const char *empty_alias;        /* a value read as empty (S08 counts it), or NULL */
        size_t empty_alias_len;
        bool column_required;
        bool required;          /* an empty value is P01: in rs->fields, in every Berichtsjahr;
                                 * in an epoch's fields (epochs.c), in the epoch's */
        struct year_range required_years;
        const struct hierarchy *hierarchy;
        unsigned line, col;
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

struct segment {
        const char *text;       /* literal text, or NULL */
        size_t len;
        int ctx;                /* >= 0: a context placeholder (enum message_ctx) */
        struct program prog;    /* otherwise: an expression (with cond: the condition) */
        enum { SEG_PLAIN, SEG_IF, SEG_ENDIF } cond;     /* {if EXPR} ... {/if} */
};

struct message {
        struct segment *segs;
        unsigned n;
};

/* One per row of the rule-kind table (rules.c). The checker and the store's database
 * rules (store/dbrules.c) switch over it to evaluate; the compiler looks a kind's
 * properties up in the table, never here. */
enum rule_kind {
        RULE_CHECK,
        RULE_BUILTIN,
        RULE_SHARE,
        RULE_UNIQUE,
        RULE_OVERLAP,
        RULE_PREVIOUS_YEAR,     /* against the previous Berichtsjahr in the database (load only) */
        RULE_LINKED,            /* against another data set in the database (load only) */
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
        BUILTIN_RECORD_TYPE,            /* fixed-width: a record of another type */
        BUILTIN_DELIVERY_YEAR,          /* fixed-width: the file's Berichtsjahr not to be found */
        BUILTIN_EMPTY_ALIAS,            /* a field's empty_alias value occurred (per file) */
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
        struct year_range years;        /* check: the Berichtsjahre the rule holds for */
        double max_share;
        unsigned *unique;       /* unique: the fields of the key */
        unsigned nunique;
        int group;              /* overlap: the grouping field */
        struct program begin, end;
        struct program running; /* overlap: the record's aid is still running (its end is a stand-in) */
        struct previous_year_rule previous;
        struct linked_rule linked;
        /* What the rule's message may name, from its kind (and builtin or previous_year
         * variant): placeholders as a bit set over enum message_ctx, and whether it may
         * read the record's fields, which only rules decided while the record is at hand
         * can. */
        unsigned placeholders;
        bool record_context;
        struct message message;
        const char *message_text;       /* message as written: the store renders linked
                                         * rules' findings from it (ruleset_message_render()) */
        struct message message_fixed;   /* for fixed-width files, when it differs (n > 0) */
        struct example *examples;
        unsigned nexamples;
        unsigned line;
};

/* A fixed-width layout and the Berichtsjahre it holds for (the law changes the record). */
struct fixed_layout {
        struct year_range years;
        struct reader_layout reader;
        unsigned line;                  /* in the pack, for diagnostics */
};

/* The formats a pack reads (input:): delimited text, the fixed-width record, or both. */
struct pack_input {
        bool csv, fixed;
        struct reader_options csv_options;
        enum reader_encoding fixed_encoding;
        const char *year_pattern;       /* finds the Berichtsjahr in a file name (fnmatch, YYYY) */
        struct fixed_layout *layouts;
        unsigned nlayouts;
};

/*
 * The pack's Berichtsjahre cut into epochs at every year where a code, a field's required
 * or a rule starts or stops holding (epochs.c): within an epoch, everything holds alike.
 * The checker looks a record's epoch up once by its year and then decodes with the
 * epoch's fields (their code lists and required resolved for it) and masks the verdicts
 * with the epoch's rules, so that the byte code and the decoding loop stay as they are.
 */
struct epoch {
        int first, last;        /* its Berichtsjahre */
        const struct field *fields;     /* rs->fields with required and codes for this epoch */
        const uint64_t *rules;  /* bit set of the rules that hold; NULL: all of them */
};

struct ruleset {
        struct arena *arena;
        const char *path;
        const char *name, *version;
        int year_first, year_last;
        int year_field;         /* -1 when the pack has none */
        struct pack_input input;
        struct epoch *epochs;   /* at least one, in order of their years */
        unsigned nepochs;
        uint8_t *epoch_of_year; /* [year - year_first]: its epoch (at most 201 years) */
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
        /* The constant pools (pools.c): growable while compiling, so allocated apart from
         * the arena and freed by ruleset_free(). */
        int64_t *ints;
        unsigned nints;
        const char **strings;
        unsigned nstrings;
        uint64_t **sets;        /* bit sets over code/level indices */
        unsigned nsets;
        unsigned max_stack;     /* deepest stack any program needs */
        struct program checks;  /* every record rule's program, each ending in OP_VERDICT */
};

/* The value index of one level of a field's hierarchy for the record in vals, or -1 when
 * the code or the field deciding the level is empty or invalid. Shared by the evaluator
 * and the view's derived columns (schema.c decides the same way in SQL). Inline: OP_LEVEL
 * runs it per record. */
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

/* codelist_find() for the lists without a direct table: a binary search. */
int codelist_search(const struct codelist *cl, const char *s, size_t len);

/* Looks a code up; returns its index or -1. Restores dropped leading zeros of all-digit
 * lists of one length; whether a field accepts that is the caller's decision. Inline: the
 * decoding loop asks it for every code field of every record. */
static inline int codelist_find(const struct codelist *cl, const char *s, size_t len) {
        if (!cl->direct)
                return codelist_search(cl, s, len);
        /* Short numeric codes, the common case: one table look-up. The numeric value of
         * "7" and "07" is the same, which is the zero restoration. */
        if (len == 0 || len > cl->common_len)
                return -1;
        unsigned v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        return cl->direct[v];
}

#endif
