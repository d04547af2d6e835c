/*
 * One compile function per rule kind, each a row of the rule-kind table (rules.c). A
 * function reads its kind's YAML (struct rule_nodes), fills the kind's part of struct rule
 * and, for kinds with variants (builtin, previous_year), the placeholders its messages
 * have. The keys every rule has (id, severity, title, field, message, examples) are
 * compiled by rules.c before and after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "strbuf.h"

/* Builds "when and not check" from two compiled programs by concatenating their code. */
static int combine_when_check(struct compiler *c, struct program *out, const struct program *when,
                              const struct program *check) {
        unsigned n = (when ? when->n + 1 : 0) + check->n + (when ? 2 : 1);
        struct insn *code = arena_array(c->rs->arena, n, sizeof(*code));
        if (!code)
                return -ENOMEM;
        unsigned k = 0;
        if (when) {
                memcpy(code, when->code, when->n * sizeof(*code));
                k = when->n;
                /* Most records fail the "when": skip the check for them. */
                code[k++] = (struct insn) {.op = OP_JFALSE, .b = check->n + 2};
        }
        memcpy(code + k, check->code, check->n * sizeof(*code));
        k += check->n;
        code[k++] = (struct insn) {.op = OP_NOT};
        if (when)
                code[k++] = (struct insn) {.op = OP_AND};
        *out = *check;
        out->code = code;
        out->n = k;
        out->first_field = check->first_field >= 0 ? check->first_field : (when ? when->first_field : -1);
        /* The check runs with the when-result below it on the stack. */
        if (when && c->rs->max_stack < VM_STACK)
                c->rs->max_stack++;
        if (c->rs->max_stack > VM_STACK) {
                yamldoc_error(&c->yd, NULL, "expression needs too deep a stack");
                return -EINVAL;
        }
        return 0;
}

/* check: CONDITION, when: CONDITION -- a record rule: fires when "when" holds and "check"
 * does not. */
bool compile_check(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        yaml_node_t *when_node = n->companion[0];
        struct program check, when;
        int e1 = compile_expr_node(c, n->kind, &check, VT_BOOL, "check");
        int e2 = when_node ? compile_expr_node(c, when_node, &when, VT_BOOL, "when") : 0;
        if (e1 >= 0 && e2 >= 0 && combine_when_check(c, &r->prog, when_node ? &when : NULL, &check) == -ENOMEM)
                c->nomem = true;
        if (r->field < 0 && e1 >= 0)
                r->field = r->prog.first_field;
        return true;
}

/* The checks built into the checker: the YAML name, the placeholders their messages get,
 * and whether they are about one record (missing columns and an unreadable file are not). */
static const struct {
        const char *name;
        unsigned placeholders;
        bool record_context;
} builtins[_BUILTIN_MAX] = {
        [BUILTIN_MISSING_COLUMN] = {"missing_column", CTX_BIT(CTX_COLUMN), false},
        [BUILTIN_FIELD_COUNT] = {"field_count", CTX_BIT(CTX_COUNT) | CTX_BIT(CTX_EXPECTED), true},
        [BUILTIN_SAME_AS_FIRST] = {"same_as_first", CTX_BIT(CTX_VALUE) | CTX_BIT(CTX_EXPECTED), true},
        [BUILTIN_REQUIRED] = {"required", CTX_BIT(CTX_FIELD), true},
        [BUILTIN_CODE] = {"code", CTX_BIT(CTX_FIELD) | CTX_BIT(CTX_VALUE), true},
        [BUILTIN_FORMAT] = {"format", CTX_BIT(CTX_FIELD) | CTX_BIT(CTX_VALUE) | CTX_BIT(CTX_EXPECTED), true},
        [BUILTIN_ENCODING] = {"encoding", 0, true},
        [BUILTIN_UNREADABLE] = {"unreadable", CTX_BIT(CTX_REASON), false},
        [BUILTIN_RECORD_TYPE] = {"record_type", CTX_BIT(CTX_VALUE) | CTX_BIT(CTX_EXPECTED), true},
        [BUILTIN_DELIVERY_YEAR] = {"delivery_year", CTX_BIT(CTX_REASON), false},
        [BUILTIN_EMPTY_ALIAS] = {"empty_alias", CTX_BIT(CTX_FIELD) | CTX_BIT(CTX_VALUE) | CTX_BIT(CTX_COUNT), false},
};

static void unknown_builtin(struct compiler *c, const struct rule *r, yaml_node_t *n, const char *b) {
        _cleanup_(strbuf_done) struct strbuf known = {0};
        for (int i = 0; i < _BUILTIN_MAX; i++)
                if (strbuf_printf(&known, "%s%s", i ? ", " : "", builtins[i].name) < 0) {
                        c->nomem = true;
                        return;
                }
        yamldoc_error(&c->yd, n, "rule %s: unknown builtin '%s' (known: %s)", r->id, b, strbuf_str(&known));
}

/* builtin: NAME -- one of the checker's own checks, at most one rule each. */
bool compile_builtin(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        struct ruleset *rs = c->rs;
        const char *b = yamldoc_scalar(&c->yd, n->kind, "builtin");
        int which = -1;
        for (int i = 0; b && i < _BUILTIN_MAX; i++)
                if (strcmp(builtins[i].name, b) == 0)
                        which = i;
        if (b && which < 0) {
                unknown_builtin(c, r, n->kind, b);
                return false; /* its placeholders are unknown too */
        }
        if (which >= 0 && rs->builtin_rule[which] >= 0)
                yamldoc_error(&c->yd, n->kind, "rule %s: builtin '%s' is already rule %s", r->id, b,
                              rs->rules[rs->builtin_rule[which]].id);
        else if (which >= 0) {
                r->builtin = (enum builtin) which;
                rs->builtin_rule[which] = (int) rs->nrules;
                if (which == BUILTIN_SAME_AS_FIRST && !n->field)
                        yamldoc_error(&c->yd, n->rule, "rule %s: same_as_first needs 'field'", r->id);
        }
        r->placeholders = builtins[r->builtin].placeholders;
        r->record_context = builtins[r->builtin].record_context;
        return true;
}

/* A number from lo to hi, all of s (strtod's syntax); NaN is refused. */
static bool parse_fraction(const char *s, double lo, double hi, double *ret) {
        char *end = NULL;
        if (!*s)
                return false;
        *ret = strtod(s, &end);
        return !*end && *ret >= lo && *ret <= hi;
}

/* share: CONDITION, max_share: 0.05 -- at most that share of the file's records may meet
 * the condition; decided at the end of the file. */
bool compile_share(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        yaml_node_t *max = n->companion[0];
        compile_expr_node(c, n->kind, &r->prog, VT_BOOL, "share");
        r->max_share = 0;
        const char *ms = yamldoc_scalar(&c->yd, max, "max_share");
        if (!max)
                yamldoc_error(&c->yd, n->rule, "rule %s: a share rule needs 'max_share'", r->id);
        else if (ms && !parse_fraction(ms, 0, 1, &r->max_share))
                yamldoc_error(&c->yd, max, "rule %s: max_share must be a number from 0 to 1, not '%s'", r->id, ms);
        if (r->field < 0)
                r->field = r->prog.first_field;
        return true;
}

/* unique: key | [FIELD, ...] -- no two records of the file share these fields' values. */
bool compile_unique(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        struct ruleset *rs = c->rs;
        if (n->kind->type == YAML_SCALAR_NODE) {
                const char *s = yamldoc_scalar(&c->yd, n->kind, "unique");
                if (s && strcmp(s, "key") != 0)
                        yamldoc_error(&c->yd, n->kind, "rule %s: unique must be 'key' or a list of fields", r->id);
                else if (s && rs->nkey == 0)
                        yamldoc_error(&c->yd, n->kind, "rule %s: 'unique: key' but the pack has no 'key'", r->id);
                else {
                        r->unique = rs->key;
                        r->nunique = rs->nkey;
                }
        } else {
                int cnt = compile_field_list(c, n->kind, &r->unique, "unique");
                if (cnt > 0)
                        r->nunique = (unsigned) cnt;
        }
        if (r->field < 0 && r->nunique)
                r->field = (int) r->unique[r->nunique - 1];
        return true;
}

/* An overlap's begin or end: a month or a date. */
static bool compile_interval_end(struct compiler *c, yaml_node_t *n, struct program *p, const char *what) {
        if (compile_expr_any(c, n, p, what) < 0)
                return false;
        if (p->type == VT_MONTH || p->type == VT_DATE)
                return true;
        yamldoc_error(&c->yd, n, "%s must be a month or a date", what);
        return false;
}

/* overlap: {group: FIELD, when: CONDITION, begin: MONTH|DATE, end: MONTH|DATE} -- two
 * records of a group must not overlap in time; decided at the end of the file. Begin and
 * end are both months or both dates: which day of a month would a month end be? */
bool compile_overlap(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        if (!yamldoc_is_mapping(&c->yd, n->kind, "overlap"))
                return true;
        static const char *const okeys[] = {"group", "when", "begin", "end", "running"};
        yaml_node_t *o[ELEMENTSOF(okeys)];
        yamldoc_take_keys(&c->yd, n->kind, okeys, ELEMENTSOF(okeys), o, "overlap");
        if (!o[0] || !o[2] || !o[3])
                yamldoc_error(&c->yd, n->kind, "rule %s: overlap needs 'group', 'begin' and 'end'", r->id);
        const char *g = yamldoc_scalar(&c->yd, o[0], "group");
        if (g && (r->group = ruleset_field_find(c->rs, g)) < 0)
                yamldoc_error(&c->yd, o[0], "rule %s: unknown field '%s'", r->id, g);
        if (o[1])
                compile_expr_node(c, o[1], &r->prog, VT_BOOL, "when");
        if (o[4])
                compile_expr_node(c, o[4], &r->running, VT_BOOL, "running");
        bool begin = o[2] && compile_interval_end(c, o[2], &r->begin, "begin");
        bool end = o[3] && compile_interval_end(c, o[3], &r->end, "end");
        if (begin && end && r->begin.type != r->end.type)
                yamldoc_error(&c->yd, o[3],
                              "rule %s: begin is %s and end is %s; both must be months or both dates "
                              "(month_of() turns a date into a month)",
                              r->id, r->begin.type == VT_DATE ? "a date" : "a month",
                              r->end.type == VT_DATE ? "a date" : "a month");
        if (r->field < 0)
                r->field = r->begin.first_field;
        return true;
}

/* where: {FIELD: CODE} of a 'missing' or a linked rule: the records it takes. */
static void compile_where(struct compiler *c, const struct rule *r, yaml_node_t *n, int *ret_field,
                          const char **ret_code) {
        struct ruleset *rs = c->rs;
        yaml_node_pair_t *pair = n->data.mapping.pairs.start;
        if (n->data.mapping.pairs.top - pair != 1) {
                yamldoc_error(&c->yd, n, "rule %s: 'where' takes one field and one of its codes", r->id);
                return;
        }
        yaml_node_t *kn = yamldoc_node(&c->yd, pair->key), *vn = yamldoc_node(&c->yd, pair->value);
        const char *fname = yamldoc_scalar(&c->yd, kn, "a field name");
        const char *code = yamldoc_scalar(&c->yd, vn, "a code");
        int f = fname ? ruleset_field_find(rs, fname) : -1;
        if (fname && f < 0)
                yamldoc_error(&c->yd, kn, "where: unknown field '%s'", fname);
        else if (f >= 0 && rs->fields[f].type != FIELD_CODE)
                yamldoc_error(&c->yd, kn, "where: '%s' is not a code field", fname);
        else if (f >= 0 && code && rs->fields[f].codes) {
                /* (A code field without its list has its own error already.) */
                const struct codelist *cl = rs->fields[f].codes;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0)
                        yamldoc_error(&c->yd, vn, "where: '%s' is not a code of %s", code, fname);
                *ret_field = f;
                *ret_code = idx >= 0 ? cl->codes[idx] : NULL;
        }
}

/* missing: {where: {FIELD: CODE}, match: [FIELD, ...]} */
static void compile_missing(struct compiler *c, struct rule *r, yaml_node_t *n) {
        struct previous_year_rule *py = &r->previous;
        py->kind = PREVIOUS_MISSING;
        if (!yamldoc_is_mapping(&c->yd, n, "missing"))
                return;
        static const char *const mkeys[] = {"where", "match"};
        yaml_node_t *m[ELEMENTSOF(mkeys)];
        yamldoc_take_keys(&c->yd, n, mkeys, ELEMENTSOF(mkeys), m, "missing");
        if (c->rs->nkey == 0)
                yamldoc_error(&c->yd, n, "rule %s: 'missing' finds last year's records by the pack's 'key', "
                              "and the pack has none", r->id);
        if (m[1]) {
                unsigned *match = NULL;
                int cnt = compile_field_list(c, m[1], &match, "match");
                py->match = match;
                if (cnt > 0)
                        py->nmatch = (unsigned) cnt;
        }
        if (m[0] && yamldoc_is_mapping(&c->yd, m[0], "where"))
                compile_where(c, r, m[0], &py->where_field, &py->where_code);
}

/* by: FIELD or FIELD.LEVEL of a 'count_change' rule. */
static void compile_by(struct compiler *c, struct rule *r, yaml_node_t *n, const char *by) {
        struct ruleset *rs = c->rs;
        struct previous_year_rule *py = &r->previous;
        const char *dot = strchr(by, '.');
        size_t flen = dot ? (size_t) (dot - by) : strlen(by);
        int f = -1;
        for (unsigned i = 0; i < rs->nfields && f < 0; i++)
                if (strlen(rs->fields[i].name) == flen && memcmp(rs->fields[i].name, by, flen) == 0)
                        f = (int) i;
        const struct hierarchy *h = f >= 0 ? rs->fields[f].hierarchy : NULL;
        if (f < 0)
                yamldoc_error(&c->yd, n, "by: unknown field '%.*s'", (int) flen, by);
        else if (!dot && rs->fields[f].type != FIELD_CODE)
                yamldoc_error(&c->yd, n, "by: '%s' is not a code field", by);
        else if (dot && !h)
                yamldoc_error(&c->yd, n, "by: field '%.*s' has no hierarchy", (int) flen, by);
        else if (dot) {
                for (unsigned l = 0; l < h->nlevels && py->by_level < 0; l++)
                        if (strcmp(h->levels[l], dot + 1) == 0)
                                py->by_level = (int) l;
                if (py->by_level < 0)
                        yamldoc_error(&c->yd, n, "by: hierarchy '%s' has no level '%s'", h->name, dot + 1);
        }
        py->by_field = f;
}

/* count_change: {by: FIELD[.LEVEL], max_change: 0.30, min_count: N} */
static void compile_count_change(struct compiler *c, struct rule *r, yaml_node_t *n) {
        struct previous_year_rule *py = &r->previous;
        py->kind = PREVIOUS_COUNT_CHANGE;
        if (!yamldoc_is_mapping(&c->yd, n, "count_change"))
                return;
        static const char *const ckeys[] = {"by", "max_change", "min_count"};
        yaml_node_t *v[ELEMENTSOF(ckeys)];
        yamldoc_take_keys(&c->yd, n, ckeys, ELEMENTSOF(ckeys), v, "count_change");
        if (!v[0] || !v[1])
                yamldoc_error(&c->yd, n, "rule %s: count_change needs 'by' and 'max_change'", r->id);
        const char *by = yamldoc_scalar(&c->yd, v[0], "by");
        if (by)
                compile_by(c, r, v[0], by);
        const char *mc = yamldoc_scalar(&c->yd, v[1], "max_change");
        if (mc && !parse_fraction(mc, 0, 100, &py->max_change))
                yamldoc_error(&c->yd, v[1], "rule %s: max_change must be a number from 0 to 100 (0.30 = 30 %%), not '%s'",
                              r->id, mc);
        if (v[2])
                (void) yamldoc_get_int(&c->yd, v[2], 0, INT32_MAX, &py->min_count, "min_count");
        if (r->field < 0)
                r->field = py->by_field;
}

/*
 * previous_year: {missing: ...} or {count_change: ...}
 * Compared at load time with the previous Berichtsjahr of the same reporting unit
 * (store/previous_year.c), so the pack needs a year field and a delivery unit. Returns false
 * when the variant is not known, and with it the message's placeholders.
 */
bool compile_previous_year(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        struct ruleset *rs = c->rs;
        struct previous_year_rule *py = &r->previous;
        py->where_field = py->by_field = py->by_level = -1;
        if (!yamldoc_is_mapping(&c->yd, n->kind, "previous_year"))
                return false;
        static const char *const keys[] = {"missing", "count_change"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n->kind, keys, ELEMENTSOF(keys), v, "previous_year");
        if (!!v[0] + !!v[1] != 1) {
                yamldoc_error(&c->yd, n->kind, "rule %s: previous_year needs exactly one of 'missing' and 'count_change'",
                              r->id);
                return false;
        }
        if (rs->year_field < 0 || !rs->has_delivery)
                yamldoc_error(&c->yd, n->kind,
                              "rule %s: previous_year needs the data set's year field and a 'delivery' section "
                              "(the reporting unit to compare)", r->id);
        if (v[0]) {
                compile_missing(c, r, v[0]);
                r->placeholders = CTX_BIT(CTX_YEAR) | CTX_BIT(CTX_PREVIOUS_YEAR) | CTX_BIT(CTX_KEY) | CTX_BIT(CTX_LINE) |
                                  CTX_BIT(CTX_DELIVERY) | CTX_BIT(CTX_UNIT) | CTX_BIT(CTX_VALUE);
        } else {
                compile_count_change(c, r, v[1]);
                r->placeholders = CTX_BIT(CTX_YEAR) | CTX_BIT(CTX_PREVIOUS_YEAR) | CTX_BIT(CTX_UNIT) | CTX_BIT(CTX_GROUP) |
                                  CTX_BIT(CTX_COUNT) | CTX_BIT(CTX_PREVIOUS) | CTX_BIT(CTX_CHANGE);
        }
        return true;
}

/* The types a window may be measured in: a month (a date field, once there is one, goes
 * here too: both are stored as a date and compared by month). */
static bool month_like(enum field_type t) {
        /* A day date is compared by its month too (the window is in months). */
        return t == FIELD_MONTH || t == FIELD_DATE;
}

/* The window's months: [FROM, TO], each from -1200 to 1200 (a hundred years), FROM <= TO. */
static void compile_months(struct compiler *c, const struct rule *r, yaml_node_t *n, struct linked_rule *l) {
        if (!yamldoc_is_sequence(&c->yd, n, "months"))
                return;
        yaml_node_item_t *it = n->data.sequence.items.start;
        if (n->data.sequence.items.top - it != 2) {
                yamldoc_error(&c->yd, n, "rule %s: months is [from, to], two numbers of months", r->id);
                return;
        }
        int64_t m[2];
        bool ok = true;
        for (int i = 0; i < 2; i++)
                ok = yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[i]), -1200, 1200, &m[i], "months") && ok;
        if (ok && m[0] > m[1])
                yamldoc_error(&c->yd, n, "rule %s: months [%lld, %lld]: the first must not be after the second",
                              r->id, (long long) m[0], (long long) m[1]);
        l->months_from = (int) m[0];
        l->months_to = (int) m[1];
}

/* window: {field: MONTH FIELD, other: NAME, months: [FROM, TO]} */
static void compile_window(struct compiler *c, struct rule *r, yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        struct linked_rule *l = &r->linked;
        if (!yamldoc_is_mapping(&c->yd, n, "window"))
                return;
        static const char *const keys[] = {"field", "other", "months"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "window");
        if (!v[0] || !v[1] || !v[2])
                yamldoc_error(&c->yd, n, "rule %s: window needs 'field', 'other' and 'months'", r->id);
        const char *f = yamldoc_scalar(&c->yd, v[0], "window field");
        int fi = f ? ruleset_field_find(rs, f) : -1;
        if (f && fi < 0)
                yamldoc_error(&c->yd, v[0], "rule %s: window: unknown field '%s'", r->id, f);
        else if (fi >= 0 && !month_like(rs->fields[fi].type))
                yamldoc_error(&c->yd, v[0], "rule %s: window: '%s' is not a month field", r->id, f);
        else if (fi >= 0)
                l->window_field = (unsigned) fi;
        /* The other data set's field: its pack is not at hand, only its name can be checked. */
        const char *o = yamldoc_scalar(&c->yd, v[1], "window other");
        if (o && (!yamldoc_is_identifier(o) || strlen(o) > 63))
                yamldoc_error(&c->yd, v[1], "rule %s: window: other '%s' must be a field name (a lower-case identifier)",
                              r->id, o);
        else if (o)
                l->other_field = compiler_strdup(c, o);
        if (v[2])
                compile_months(c, r, v[2], l);
        if (r->field < 0 && fi >= 0)
                r->field = fi;
}

/*
 * linked: {dataset: NAME, where: {FIELD: CODE}, match: [FIELD, ...], window: {...}}
 * A record needs a record of another data set in the database (store/linked.c). Only a
 * warning: the other data set may arrive after the record was loaded, and a loaded record
 * cannot be taken back then.
 */
bool compile_linked(struct compiler *c, struct rule *r, const struct rule_nodes *n) {
        struct ruleset *rs = c->rs;
        struct linked_rule *l = &r->linked;
        l->where_field = -1;
        if (!yamldoc_is_mapping(&c->yd, n->kind, "linked"))
                return true;
        static const char *const keys[] = {"dataset", "where", "match", "window"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n->kind, keys, ELEMENTSOF(keys), v, "linked");
        if (!v[0] || !v[2] || !v[3])
                yamldoc_error(&c->yd, n->kind, "rule %s: linked needs 'dataset', 'match' and 'window'", r->id);
        if (r->severity != SEVERITY_WARNING)
                yamldoc_error(&c->yd, n->rule, "rule %s: a linked rule can only be a warning (a record loaded before "
                              "the other data set arrives cannot be rejected any more)", r->id);
        if (rs->year_field < 0 || !rs->has_delivery || rs->nunit == 0)
                yamldoc_error(&c->yd, n->kind, "rule %s: linked needs the data set's year field and a 'delivery' "
                              "section with a unit (the reporting unit both data sets share)", r->id);
        const char *ds = yamldoc_scalar(&c->yd, v[0], "linked dataset");
        if (ds && (!yamldoc_is_identifier(ds) || strlen(ds) > 48))
                yamldoc_error(&c->yd, v[0], "rule %s: linked dataset '%s' must be a data set's name", r->id, ds);
        else if (ds)
                l->dataset = compiler_strdup(c, ds);
        if (v[1] && yamldoc_is_mapping(&c->yd, v[1], "where"))
                compile_where(c, r, v[1], &l->where_field, &l->where_code);
        if (v[2]) {
                unsigned *match = NULL;
                int cnt = compile_field_list(c, v[2], &match, "match");
                l->match = match;
                if (cnt > 0)
                        l->nmatch = (unsigned) cnt;
        }
        if (v[3])
                compile_window(c, r, v[3]);
        return true;
}
