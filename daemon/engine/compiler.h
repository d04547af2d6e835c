/*
 * Private to the rule-pack compiler: the state of one compilation and the interfaces
 * between its parts, which are split by concern the way Lua splits its compiler:
 *
 *   compile.c      the document: sections in dependency order, ruleset_compile_*()
 *   pools.c        the constant pools the byte code indexes (ints, strings, sets)
 *   srcmap.c       positions inside a scalar's text, for expression diagnostics
 *   codelists.c, fields.c, hierarchies.c    the pack's data model
 *   inputs.c       the formats a pack reads, with the fixed-width layouts
 *   epochs.c       Berichtsjahre: year ranges, and the epochs the checker resolves them by
 *   rules.c        the rules list, the keys every rule has, the rule-kind table
 *   kinds.c        one compile function per rule kind
 *   messages.c, examples.c                  a rule's message and examples
 *   expr_parse.c, expr_gen.c                the expression compiler (expr.h)
 *
 * One direction: sections call the rule compiler, which calls the expression compiler,
 * which calls only the pools and compiler_error(). Every problem becomes a diagnostic and
 * compilation goes on, so one run shows all errors of a pack.
 */
#ifndef PLAUSID_ENGINE_COMPILER_H
#define PLAUSID_ENGINE_COMPILER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "pack.h"
#include "yamldoc.h"

/* State of one compilation, passed to every part (no globals). */
struct compiler {
        struct ruleset *rs;     /* the pack being built */
        struct diaglist *diags;
        const char *file;
        unsigned errors;        /* diagnostics reported, by the compiler and by yd */
        bool nomem;
        struct yamldoc yd;      /* the document; counts its errors into errors */
        bool allow_label;       /* label() is for messages only */
        yaml_node_t *year_field_node;   /* dataset.year_field, resolved once fields are known */
        const yaml_node_t *first_range; /* the first berichtsjahre of a code, field or rule */
        /* pools under construction (pools.c) */
        size_t cap_ints, cap_strings, cap_sets;
        /* instructions of the expression being compiled (expr_gen.c) */
        struct insn *code;
        size_t ncode, cap_code;
        unsigned depth, max_depth;      /* simulated stack depth */
};

/* Reports an error at line:col of the pack (counted, collected into diags). */
void compiler_error(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...) _printf_(4, 5);
void compiler_verror(struct compiler *c, unsigned line, unsigned col, const char *fmt, va_list ap) _printf_(4, 0);
/* A copy in the pack's arena; NULL (and c->nomem) when out of memory. */
char *compiler_strdup(struct compiler *c, const char *s);

/* ---- constant pools (pools.c): each returns the index, or -ENOMEM (c->nomem set) ---- */
int compiler_add_int(struct compiler *c, int64_t v);
int compiler_add_string(struct compiler *c, const char *s);
/* A new, empty bit set of nbits bits. */
int compiler_add_set(struct compiler *c, unsigned nbits);
void pools_free(struct ruleset *rs);

/* ---- source positions (srcmap.c) ---- */

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
/* The map of scalar node n whose text is value, compiled from offset base on. */
struct srcmap srcmap_of(const struct compiler *c, const yaml_node_t *n, const char *value, size_t base);

/* ---- expressions (expr_parse.c, expr_gen.c) ---- */

/* Compiles an expression; reports errors at their place in the source. Returns 0, or
 * -EINVAL (errors reported) or -ENOMEM. */
int expr_compile(struct compiler *c, const char *src, const struct srcmap *map, struct program *ret);
/* The expression in scalar node n, which must yield want (VT_INT accepts digits); what
 * names it in messages. Returns 0 or -EINVAL / -ENOMEM like expr_compile(). */
int compile_expr_node(struct compiler *c, yaml_node_t *n, struct program *p, enum value_type want,
                      const char *what);
/* The same for an expression of any type, which the caller checks (p->type). */
int compile_expr_any(struct compiler *c, yaml_node_t *n, struct program *p, const char *what);

/* ---- sections (in the order compile.c calls them) ---- */

void compile_dataset(struct compiler *c, const yaml_node_t *n);
void compile_codelists(struct compiler *c, const yaml_node_t *n);
void compile_fields(struct compiler *c, const yaml_node_t *n);
void compile_year_field(struct compiler *c);
void compile_input(struct compiler *c, const yaml_node_t *n);
void compile_hierarchies(struct compiler *c, const yaml_node_t *n);
void compile_key(struct compiler *c, yaml_node_t *n);
void compile_delivery(struct compiler *c, yaml_node_t *n);
void compile_report(struct compiler *c, yaml_node_t *n);
void compile_rules(struct compiler *c, const yaml_node_t *n);
void compile_example_base(struct compiler *c, yaml_node_t *n);
/* After the rules: a format's findings need their rules (fixed-width: S02, S06, S07). */
void compile_input_rules(struct compiler *c);
/* A field's empty_alias needs the rule that tells the file (builtin empty_alias). */
void compile_alias_rule(struct compiler *c);

/* After the rules: the epochs of the pack's Berichtsjahre (epochs.c). */
void compile_epochs(struct compiler *c);
/* berichtsjahre: [from, to] in node n, which must lie within dataset.berichtsjahre; what
 * names it in errors. Returns false after reporting an error. */
bool compile_year_range(struct compiler *c, yaml_node_t *n, const char *what, struct year_range *ret);

/* The code list of that name, or NULL. */
const struct codelist *codelist_by_name(const struct ruleset *rs, const char *name);

/* Resolves a list of field names into the arena; returns the count, or -1 after reporting
 * errors. */
int compile_field_list(struct compiler *c, yaml_node_t *n, unsigned **ret, const char *what);

/* ---- rules (rules.c, kinds.c, messages.c, examples.c) ---- */

/* The YAML nodes a rule kind's compile function reads. */
#define RULE_MAX_COMPANIONS 2
struct rule_nodes {
        yaml_node_t *rule;      /* the rule's mapping, for errors about the rule as a whole */
        yaml_node_t *kind;      /* the value of the kind's own key */
        yaml_node_t *companion[RULE_MAX_COMPANIONS];    /* the row's companion keys, NULL when absent */
        yaml_node_t *field;     /* the rule's 'field', NULL when absent */
};

/* Compiles a rule of one kind into r (id, severity, field and kind already set). Returns
 * false when the rule's placeholders cannot be known (an unknown builtin), so that its
 * message is not compiled against the wrong ones. */
typedef bool (*rule_compile_fn)(struct compiler *c, struct rule *r, const struct rule_nodes *n);

/* One row per rule kind: adding a kind is a row, a compile function, its evaluation (the
 * checker, or store/dbrules.c for rules against the database) and its documentation. */
struct rule_kind_info {
        const char *key;        /* the YAML key that makes a rule of this kind */
        enum rule_kind kind;
        rule_compile_fn compile;
        const char *companions[RULE_MAX_COMPANIONS];    /* keys that go only with this one */
        unsigned placeholders;  /* bit set over enum message_ctx; a compile function refines
                                 * it for kinds with variants (builtin, previous_year) */
        bool record_context;    /* messages may read the record's fields */
        const char *no_examples;        /* why examples cannot show the kind; NULL: they can */
};

#define CTX_BIT(x) (1u << (x))

extern const struct rule_kind_info rule_kinds[];
extern const size_t rule_kinds_count;

bool compile_check(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_builtin(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_share(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_unique(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_overlap(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_previous_year(struct compiler *c, struct rule *r, const struct rule_nodes *n);
bool compile_linked(struct compiler *c, struct rule *r, const struct rule_nodes *n);

void compile_message(struct compiler *c, struct rule *r, yaml_node_t *n);
void compile_examples(struct compiler *c, struct rule *r, yaml_node_t *n);

/* Joins every record rule's program into rs->checks (after an error-free compilation). */
void link_checks(struct compiler *c);

#endif
