/*
 * Rule packs: compile a YAML rule pack into an immutable, compact form. Column names are
 * resolved to indices, code lists to sorted lookup tables, expressions to byte code. A pack
 * that has errors yields every error as a diagnostic and no ruleset; a ruleset is only ever
 * handed out complete, so a caller can swap it in safely.
 */
#ifndef PLAUSID_RULESET_H
#define PLAUSID_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "reader.h"
#include "util.h"

enum severity {
        SEVERITY_ERROR,         /* the record is rejected */
        SEVERITY_WARNING,       /* the record is loaded, the finding listed */
        SEVERITY_FILE,          /* the whole delivery is rejected */
};

struct ruleset;

/* Limits a pack must stay within; exceeding one is a compile error that names it. */
#define RULESET_MAX_RULES 1000
#define RULESET_MAX_FIELDS 500
#define RULESET_MAX_CODES 5000
#define RULESET_MAX_EXPR_BYTES 4096
#define RULESET_MAX_EXPR_DEPTH 48
#define RULESET_MAX_FILE_BYTES (8u * 1024u * 1024u)

_must_check_ int ruleset_compile_file(const char *path, struct ruleset **ret, struct diaglist *diags);
/* Compiles from memory; name is used in diagnostics. */
_must_check_ int ruleset_compile_buffer(const char *name, const char *data, size_t len,
                                        struct ruleset **ret, struct diaglist *diags);
void ruleset_free(struct ruleset *rs);
DEFINE_CLEANUP_FUNC(struct ruleset, ruleset_free)

const char *ruleset_name(const struct ruleset *rs);
const char *ruleset_version(const struct ruleset *rs);
/* The CSV format's options (the defaults when the pack reads only fixed-width files). */
const struct reader_options *ruleset_input(const struct ruleset *rs);
/* The fixed-width layout of a Berichtsjahr, or NULL; and the format's encoding. */
const struct reader_layout *ruleset_fixed_layout(const struct ruleset *rs, int year);
enum reader_encoding ruleset_fixed_encoding(const struct ruleset *rs);

unsigned ruleset_rule_count(const struct ruleset *rs);
const char *ruleset_rule_id(const struct ruleset *rs, unsigned rule);
const char *ruleset_rule_title(const struct ruleset *rs, unsigned rule);
enum severity ruleset_rule_severity(const struct ruleset *rs, unsigned rule);
/* Rules checked against the database (previous_year, linked): only plausid load runs them. */
bool ruleset_rule_needs_database(const struct ruleset *rs, unsigned rule);
/* Rules of severity error across the records of a file that the loader also checks across
 * the parts of a unit-year (store/parts.c), when the pack has a delivery part: an overlap
 * rule, or a unique rule over the record key (the key's fields, in any order). */
enum ruleset_parts_kind {
        RULESET_PARTS_NONE,
        RULESET_PARTS_OVERLAP,
        RULESET_PARTS_KEY,
};
enum ruleset_parts_kind ruleset_rule_parts_kind(const struct ruleset *rs, unsigned rule);
/* Rules that only a fixed-width file can set off (record_type, delivery_year): the CSV
 * examples cannot show them; fixed-width test files do. */
bool ruleset_rule_fixed_only(const struct ruleset *rs, unsigned rule);
const char *severity_name(enum severity s);
/* The pack's fields: canonical name and German label; -1 from find when there is none. */
unsigned ruleset_field_count(const struct ruleset *rs);
const char *ruleset_field_name(const struct ruleset *rs, unsigned field);
const char *ruleset_field_label(const struct ruleset *rs, unsigned field);
int ruleset_field_find(const struct ruleset *rs, const char *name);
/* The fields of the record key (joined with '-' in findings) and of the reporting unit
 * (the delivery section; none without one), as field indices. */
const unsigned *ruleset_key(const struct ruleset *rs, unsigned *ret_n);
const unsigned *ruleset_delivery_unit(const struct ruleset *rs, unsigned *ret_n);
/* The field a delivery report counts records and findings by (the pack's report: group),
 * or -1 when the pack names none. */
int ruleset_report_group(const struct ruleset *rs);
/* The field naming the Berichtsjahr (dataset: year_field), and the field that splits a
 * unit-year into parts (delivery: part); -1 when the pack has none. */
int ruleset_year_field(const struct ruleset *rs);
int ruleset_delivery_part(const struct ruleset *rs);

/*
 * The parts of a pack that code outside the engine stores or compares: field types, code
 * lists, hierarchies and the parameters of previous_year rules. Narrow on purpose: the
 * store reads these, never the pack's body (daemon/engine/pack.h).
 */
enum field_type {
        FIELD_DIGITS,
        FIELD_CODE,
        FIELD_MONTH,
        FIELD_DATE,             /* a day: days since 1970-01-01 (calendar.h) */
        FIELD_INTEGER,
        FIELD_TEXT,
        FIELD_DECIMAL,          /* a number with up to 6 decimals: value * RULESET_DECIMAL_SCALE */
};
/* A decimal field holds its value times this (fixed point, 6 decimals). */
#define RULESET_DECIMAL_SCALE 1000000LL
enum field_type ruleset_field_type(const struct ruleset *rs, unsigned field);
/* The field that names a finding of the rule (its 'field', or the first one it reads); -1. */
int ruleset_rule_field(const struct ruleset *rs, unsigned rule);

/* Code lists: a code field's list (-1 for other fields), each list's name, and its codes
 * and labels in the list's order (a code's index is its position). */
unsigned ruleset_codelist_count(const struct ruleset *rs);
int ruleset_field_codelist(const struct ruleset *rs, unsigned field);
const char *ruleset_codelist_name(const struct ruleset *rs, unsigned list);
const char *const *ruleset_codelist_codes(const struct ruleset *rs, unsigned list, unsigned *ret_n);
const char *const *ruleset_codelist_labels(const struct ruleset *rs, unsigned list, unsigned *ret_n);

/* Hierarchies: name, the code field they classify, the level names, and per level its
 * distinct values. */
unsigned ruleset_hierarchy_count(const struct ruleset *rs);
const char *ruleset_hierarchy_name(const struct ruleset *rs, unsigned h);
unsigned ruleset_hierarchy_field(const struct ruleset *rs, unsigned h);
const char *const *ruleset_hierarchy_levels(const struct ruleset *rs, unsigned h, unsigned *ret_n);
const char *const *ruleset_level_values(const struct ruleset *rs, unsigned h, unsigned level, unsigned *ret_n);

/* How one level of a hierarchy is decided for one code. */
struct level_choice {
        int by_field;           /* -1: constant; else the code field that decides */
        int value;              /* constant, or the default; index into the level's values */
        const int *cases;       /* by_field's code index -> value index, -1 = default */
};
/* The choice for code index `code` of the hierarchy's field at `level`. */
const struct level_choice *ruleset_level_choice(const struct ruleset *rs, unsigned h, unsigned code, unsigned level);

/* Placeholders a rule kind provides to its messages besides expressions over the record;
 * ctx arrays of findings decided outside the checker (checker_emit) are indexed by them. */
enum message_ctx {
        CTX_FIELD, CTX_VALUE, CTX_EXPECTED, CTX_COUNT, CTX_COLUMN, CTX_REASON,
        CTX_FIRST, CTX_OTHER, CTX_SHARE, CTX_TOTAL,
        CTX_GROUP, CTX_BEGIN, CTX_END, CTX_OTHER_BEGIN, CTX_OTHER_END,
        CTX_YEAR, CTX_PREVIOUS_YEAR, CTX_KEY, CTX_LINE, CTX_DELIVERY, CTX_UNIT, CTX_PREVIOUS, CTX_CHANGE,
        CTX_FILE, CTX_WINDOW_FROM, CTX_WINDOW_TO, CTX_OTHER_DATASET, CTX_SPAN, CTX_OTHER_SPAN,
        _CTX_MAX,
};

struct strbuf;
/*
 * A message whose placeholders are all the kind's (no expressions over a record), filled
 * outside the checker: the store renders a linked rule's findings from the template it
 * stored, perhaps while another data set is loaded and this pack is not compiled. ctx is
 * indexed by enum message_ctx (NULL: empty); "{{" is a brace. A placeholder this plausid
 * does not know (a template stored by a newer one) is kept as written.
 */
_must_check_ int ruleset_message_render(const char *text, const char *const *ctx, struct strbuf *out);
/* A rule's message as written in the pack (with a message per format, the csv one). */
const char *ruleset_rule_message_text(const struct ruleset *rs, unsigned rule);

/* A previous_year rule, which store/previous_year.c runs against earlier deliveries. */
enum previous_year_kind {
        PREVIOUS_MISSING,       /* records of last year (a filter) must reappear this year */
        PREVIOUS_COUNT_CHANGE,  /* records per group may change by at most max_change */
};
struct previous_year_rule {
        enum previous_year_kind kind;
        int where_field;        /* missing: last year's records taken are where_field == where_code, */
        const char *where_code; /* -1 and NULL when all are */
        const unsigned *match;  /* missing: fields equal besides the key */
        unsigned nmatch;
        int by_field;           /* count_change: the field grouped by ... */
        int by_level;           /* ... or its hierarchy level (>= 0) */
        double max_change;
        int64_t min_count;      /* smaller counts (both years) are not compared */
};
/* The rule's parameters, or NULL when it is not a previous_year rule. */
const struct previous_year_rule *ruleset_rule_previous_year(const struct ruleset *rs, unsigned rule);

/*
 * A linked rule, which the store runs against another data set's table (rules/README.md,
 * "Linked rules"): a record of this data set (where_field == where_code, every match
 * field filled) needs a record of the other data set, of the same reporting unit and with
 * equal match fields, whose other_field month lies within [months_from, months_to] months
 * of this record's window_field month. The other data set's fields are named as they are
 * here (match and unit) or by name (other_field): its pack is not at hand.
 */
struct linked_rule {
        const char *dataset;    /* the other data set (its table) */
        int where_field;        /* -1 and NULL: every record is checked */
        const char *where_code;
        const unsigned *match;
        unsigned nmatch;
        unsigned window_field;  /* a month field of this pack */
        const char *other_field;
        int months_from, months_to;
};
/* The rule's parameters, or NULL when it is not a linked rule. */
const struct linked_rule *ruleset_rule_linked(const struct ruleset *rs, unsigned rule);


#endif
