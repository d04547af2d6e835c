/*
 * The rules section: the list of rules, the keys every rule has (id, severity, title,
 * field, message, examples) and the rule-kind table. A rule is of exactly one kind, named
 * by the one kind key it has; the table gives each kind's compile function (kinds.c), the
 * keys that go only with it, the placeholders its messages get and whether examples can
 * show it. compile_rule() knows no kind by name: a new kind is a new row.
 */
#include <errno.h>
#include <string.h>

#include "compiler.h"
#include "strbuf.h"

#define MAX_ID_LEN 16

const struct rule_kind_info rule_kinds[] = {
        {.key = "check", .kind = RULE_CHECK, .compile = compile_check, .companions = {"when"},
         .record_context = true},
        /* placeholders and record_context per builtin: compile_builtin() */
        {.key = "builtin", .kind = RULE_BUILTIN, .compile = compile_builtin},
        {.key = "share", .kind = RULE_SHARE, .compile = compile_share, .companions = {"max_share"},
         .placeholders = CTX_BIT(CTX_SHARE) | CTX_BIT(CTX_COUNT) | CTX_BIT(CTX_TOTAL)},
        {.key = "unique", .kind = RULE_UNIQUE, .compile = compile_unique, .placeholders = CTX_BIT(CTX_FIRST),
         .record_context = true},
        {.key = "overlap", .kind = RULE_OVERLAP, .compile = compile_overlap,
         .placeholders = CTX_BIT(CTX_OTHER) | CTX_BIT(CTX_GROUP) | CTX_BIT(CTX_BEGIN) | CTX_BIT(CTX_END) |
                         CTX_BIT(CTX_OTHER_BEGIN) | CTX_BIT(CTX_OTHER_END) | CTX_BIT(CTX_SPAN) | CTX_BIT(CTX_OTHER_SPAN)},
        /* placeholders per variant: compile_previous_year() */
        {.key = "previous_year", .kind = RULE_PREVIOUS_YEAR, .compile = compile_previous_year,
         .no_examples = "a previous_year rule compares with earlier deliveries in the database; "
                        "examples cannot show that (test it with plausid load)"},
        {.key = "linked", .kind = RULE_LINKED, .compile = compile_linked,
         .placeholders = CTX_BIT(CTX_VALUE) | CTX_BIT(CTX_KEY) | CTX_BIT(CTX_LINE) | CTX_BIT(CTX_DELIVERY) |
                         CTX_BIT(CTX_FILE) | CTX_BIT(CTX_WINDOW_FROM) | CTX_BIT(CTX_WINDOW_TO) |
                         CTX_BIT(CTX_OTHER_DATASET) | CTX_BIT(CTX_UNIT) | CTX_BIT(CTX_YEAR),
         .no_examples = "a linked rule looks for records of another data set in the database; "
                        "examples cannot show that (test it with plausid load)"},
};
const size_t rule_kinds_count = ELEMENTSOF(rule_kinds);

/* A rule's keys: the common ones, then each kind's key followed by its companions, then
 * examples -- the order "unknown key" messages list them in. */
enum { K_ID, K_SEV, K_TITLE, K_MSG, K_FIELD, K_YEARS, _K_COMMON };
#define RULE_MAX_KEYS (_K_COMMON + ELEMENTSOF(rule_kinds) * (1 + RULE_MAX_COMPANIONS) + 1)
struct rule_keys {
        const char *names[RULE_MAX_KEYS];
        size_t n;
        size_t kind[ELEMENTSOF(rule_kinds)];    /* index of each kind's key in names */
        size_t examples;
};

static void rule_keys_init(struct rule_keys *k) {
        static const char *const common[_K_COMMON] = {"id", "severity", "title", "message", "field", "berichtsjahre"};
        k->n = 0;
        for (size_t i = 0; i < _K_COMMON; i++)
                k->names[k->n++] = common[i];
        for (size_t i = 0; i < ELEMENTSOF(rule_kinds); i++) {
                k->kind[i] = k->n;
                k->names[k->n++] = rule_kinds[i].key;
                for (size_t j = 0; j < RULE_MAX_COMPANIONS && rule_kinds[i].companions[j]; j++)
                        k->names[k->n++] = rule_kinds[i].companions[j];
        }
        k->examples = k->n;
        k->names[k->n++] = "examples";
}

/* id, severity, title and field. Returns false when the rule cannot be compiled further
 * (no usable id). */
static bool compile_rule_head(struct compiler *c, struct rule *r, yaml_node_t *n, yaml_node_t *const *v) {
        struct ruleset *rs = c->rs;
        const char *id = yamldoc_scalar(&c->yd, v[K_ID], "id");
        if (!v[K_ID]) {
                yamldoc_error(&c->yd, n, "rule has no 'id'");
                return false;
        }
        if (!id)
                return false;
        bool id_ok = *id && strlen(id) <= MAX_ID_LEN;
        for (const char *s = id; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        id_ok = false;
        if (!id_ok) {
                yamldoc_error(&c->yd, v[K_ID], "rule id '%s' must be 1 to %d letters, digits or '_'", id, MAX_ID_LEN);
                return false;
        }
        for (unsigned i = 0; i < rs->nrules; i++)
                if (strcmp(rs->rules[i].id, id) == 0) {
                        yamldoc_error(&c->yd, v[K_ID], "rule id '%s' is used twice (first on line %u)", id, rs->rules[i].line);
                        return false;
                }
        r->id = compiler_strdup(c, id);
        if (!r->id)
                return false;
        const char *sev = yamldoc_scalar(&c->yd, v[K_SEV], "severity");
        if (!v[K_SEV])
                yamldoc_error(&c->yd, n, "rule %s has no 'severity'", id);
        else if (sev) {
                if (strcmp(sev, "error") == 0)
                        r->severity = SEVERITY_ERROR;
                else if (strcmp(sev, "warning") == 0)
                        r->severity = SEVERITY_WARNING;
                else if (strcmp(sev, "file") == 0)
                        r->severity = SEVERITY_FILE;
                else
                        yamldoc_error(&c->yd, v[K_SEV], "rule %s: severity must be error, warning or file, not '%s'", id, sev);
        }
        const char *title = yamldoc_scalar(&c->yd, v[K_TITLE], "title");
        r->title = title ? compiler_strdup(c, title) : r->id;
        const char *fname = yamldoc_scalar(&c->yd, v[K_FIELD], "field");
        if (fname && (r->field = ruleset_field_find(rs, fname)) < 0)
                yamldoc_error(&c->yd, v[K_FIELD], "rule %s: unknown field '%s'", id, fname);
        return true;
}

/* The row of the one kind key the rule has, or NULL after reporting none or several. */
static const struct rule_kind_info *rule_kind_of(struct compiler *c, const struct rule *r, yaml_node_t *n,
                                                 yaml_node_t *const *v, const struct rule_keys *k) {
        const struct rule_kind_info *found = NULL;
        unsigned count = 0;
        _cleanup_(strbuf_done) struct strbuf all = {0}, given = {0};
        int e = 0;
        for (size_t i = 0; i < ELEMENTSOF(rule_kinds) && e >= 0; i++) {
                e = strbuf_printf(&all, "%s%s", i ? ", " : "", rule_kinds[i].key);
                if (e >= 0 && v[k->kind[i]]) {
                        found = &rule_kinds[i];
                        e = strbuf_printf(&given, "%s%s", count++ ? " and " : "", rule_kinds[i].key);
                }
        }
        if (e < 0) {
                c->nomem = true;
                return NULL;
        }
        if (count == 1)
                return found;
        if (count == 0)
                yamldoc_error(&c->yd, n, "rule %s needs one of %s", r->id, strbuf_str(&all));
        else
                yamldoc_error(&c->yd, n, "rule %s has %s; a rule is of exactly one kind", r->id, strbuf_str(&given));
        return NULL;
}

/* berichtsjahre: [from, to] -- a record rule that holds only for records of those years
 * (the epochs' rule sets, epochs.c). The other kinds are about a file, several records or
 * the database, where a record's year does not decide. */
static void compile_rule_years(struct compiler *c, struct rule *r, yaml_node_t *n) {
        if (!n)
                return;
        if (r->kind != RULE_CHECK) {
                yamldoc_error(&c->yd, n, "rule %s: 'berichtsjahre' is only for check rules", r->id);
                return;
        }
        compile_year_range(c, n, "berichtsjahre", &r->years);
}

static void compile_rule(struct compiler *c, yaml_node_t *n, const struct rule_keys *k) {
        struct ruleset *rs = c->rs;
        yaml_node_t *v[RULE_MAX_KEYS];
        if (!yamldoc_is_mapping(&c->yd, n, "a rule"))
                return;
        yamldoc_take_keys(&c->yd, n, k->names, k->n, v, "a rule");
        struct rule *r = &rs->rules[rs->nrules];
        *r = (struct rule) {.field = -1, .group = -1, .line = yamldoc_line(n),
                            .years = {.from = rs->year_first, .to = rs->year_last}};
        if (!compile_rule_head(c, r, n, v))
                return;
        const struct rule_kind_info *kind = rule_kind_of(c, r, n, v, k);
        if (!kind)
                return;
        /* A companion without its kind's key: "when" without "check". */
        for (size_t i = 0; i < ELEMENTSOF(rule_kinds); i++)
                for (size_t j = 0; j < RULE_MAX_COMPANIONS && rule_kinds[i].companions[j]; j++)
                        if (v[k->kind[i] + 1 + j] && !v[k->kind[i]])
                                yamldoc_error(&c->yd, v[k->kind[i] + 1 + j], "rule %s: '%s' goes with '%s'", r->id,
                                              rule_kinds[i].companions[j], rule_kinds[i].key);
        size_t ki = (size_t) (kind - rule_kinds);
        struct rule_nodes nodes = {.rule = n, .kind = v[k->kind[ki]], .field = v[K_FIELD]};
        for (size_t j = 0; j < RULE_MAX_COMPANIONS && kind->companions[j]; j++)
                nodes.companion[j] = v[k->kind[ki] + 1 + j];
        r->kind = kind->kind;
        r->placeholders = kind->placeholders;
        r->record_context = kind->record_context;
        compile_rule_years(c, r, v[K_YEARS]);
        bool message_ok = kind->compile(c, r, &nodes);
        if (!v[K_MSG])
                yamldoc_error(&c->yd, n, "rule %s has no 'message'", r->id);
        else if (message_ok)
                compile_message(c, r, v[K_MSG]);
        yaml_node_t *examples = v[k->examples];
        if (examples && kind->no_examples)
                yamldoc_error(&c->yd, examples, "rule %s: %s", r->id, kind->no_examples);
        else if (examples)
                compile_examples(c, r, examples);
        rs->nrules++;
}

void compile_rules(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        if (!n) {
                yamldoc_error(&c->yd, NULL, "the pack has no 'rules' section");
                return;
        }
        if (!yamldoc_is_sequence(&c->yd, n, "rules"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_RULES) {
                yamldoc_error(&c->yd, n, "too many rules (limit is %d)", RULESET_MAX_RULES);
                return;
        }
        rs->rules = arena_array(rs->arena, count ? count : 1, sizeof(*rs->rules));
        if (!rs->rules) {
                c->nomem = true;
                return;
        }
        struct rule_keys keys;
        rule_keys_init(&keys);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *r = yamldoc_node(&c->yd, *it);
                if (r)
                        compile_rule(c, r, &keys);
                if (c->nomem)
                        return;
        }
}

int compile_expr_any(struct compiler *c, yaml_node_t *n, struct program *p, const char *what) {
        const char *src = yamldoc_scalar(&c->yd, n, what);
        if (!src)
                return -EINVAL;
        struct srcmap map = srcmap_of(c, n, src, 0);
        return expr_compile(c, src, &map, p);
}

int compile_expr_node(struct compiler *c, yaml_node_t *n, struct program *p, enum value_type want,
                      const char *what) {
        int e = compile_expr_any(c, n, p, what);
        if (e < 0)
                return e;
        if (p->type != want && !(want == VT_INT && p->type == VT_DIGITS)) {
                static const char *const names[] = {[VT_BOOL] = "a condition (true/false)", [VT_MONTH] = "a month"};
                yamldoc_error(&c->yd, n, "%s must be %s", what, want < ELEMENTSOF(names) && names[want] ? names[want] : "something else");
                return -EINVAL;
        }
        return 0;
}
