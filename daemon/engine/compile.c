/*
 * The rule-pack compiler's driver: a YAML document (read with libyaml's document loader)
 * into a struct ruleset.
 *
 * Sections are compiled in dependency order (dataset, code lists, fields, input,
 * hierarchies, key, delivery, report, rules, the epochs of the Berichtsjahre, example
 * base) whatever their order in the file; each section has a file of its own (compiler.h
 * lists them). Every problem is recorded as a diagnostic with the YAML position and
 * compilation goes on, so one run shows all errors of a pack. A pack with any error is
 * freed and never returned. The compiled pack lives in one arena; only the growable
 * constant pools are separate allocations.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

void compiler_verror(struct compiler *c, unsigned line, unsigned col, const char *fmt, va_list ap) {
        c->errors++;
        if (diaglist_vadd(c->diags, c->file, line, col, fmt, ap) < 0)
                c->nomem = true;
}

void compiler_error(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        compiler_verror(c, line, col, fmt, ap);
        va_end(ap);
}

char *compiler_strdup(struct compiler *c, const char *s) {
        char *p = arena_strdup(c->rs->arena, s);
        if (!p)
                c->nomem = true;
        return p;
}

/* ---- the dataset section ---- */

/* The tables of plausid's own schema (the migrations in sql/): a data set's table of that name would be
 * one of them, and its load would alter it. */
static bool is_plausid_table(const char *name) {
        static const char *const own[] = {"codes", "datasets", "deliveries", "delivery_scopes", "findings",
                                          "hierarchy", "linked_rules", "rejected_records", "schema_migrations"};
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (strcmp(name, own[i]) == 0)
                        return true;
        return false;
}

void compile_dataset(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        rs->year_field = -1;
        if (!n) {
                yamldoc_error(&c->yd, NULL, "the pack has no 'dataset' section");
                return;
        }
        if (!yamldoc_is_mapping(&c->yd, n, "dataset"))
                return;
        static const char *const keys[] = {"name", "version", "berichtsjahre", "year_field"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "dataset");
        const char *name = yamldoc_scalar(&c->yd, v[0], "dataset.name");
        if (!v[0])
                yamldoc_error(&c->yd, n, "dataset has no 'name'");
        else if (name && (!yamldoc_is_identifier(name) || strlen(name) > 48))
                yamldoc_error(&c->yd, v[0], "dataset.name '%s' must be a lower-case identifier of at most 48 characters (it names a table)",
                     name);
        else if (name && is_plausid_table(name))
                yamldoc_error(&c->yd, v[0], "dataset.name '%s' is one of plausid's own tables; choose another name", name);
        else if (name)
                rs->name = compiler_strdup(c, name);
        const char *version = yamldoc_scalar(&c->yd, v[1], "dataset.version");
        if (!v[1])
                yamldoc_error(&c->yd, n, "dataset has no 'version'");
        else if (version)
                rs->version = compiler_strdup(c, version);
        rs->year_first = 1900;
        rs->year_last = 2100;
        if (v[2] && yamldoc_is_sequence(&c->yd, v[2], "dataset.berichtsjahre")) {
                yaml_node_item_t *it = v[2]->data.sequence.items.start;
                int64_t a, b;
                if (v[2]->data.sequence.items.top - it != 2)
                        yamldoc_error(&c->yd, v[2], "dataset.berichtsjahre must be [first, last]");
                else if (yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[0]), 1900, 2100, &a, "the first Berichtsjahr") &&
                         yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[1]), 1900, 2100, &b, "the last Berichtsjahr")) {
                        if (a > b)
                                yamldoc_error(&c->yd, v[2], "dataset.berichtsjahre: %lld comes after %lld", (long long) a, (long long) b);
                        rs->year_first = (int) a;
                        rs->year_last = (int) b;
                }
        }
        /* Resolved after the fields are known (compile_year_field()). */
        c->year_field_node = v[3];
}

/* Joins every record rule's program into one, each followed by OP_VERDICT, so that a
 * record is checked by one run of the evaluator. Jumps are relative and end at their own
 * rule's end, which is where its OP_VERDICT sits. */
void link_checks(struct compiler *c) {
        struct ruleset *rs = c->rs;
        unsigned n = 0;
        for (unsigned i = 0; i < rs->nrules; i++)
                if (rs->rules[i].kind == RULE_CHECK)
                        n += rs->rules[i].prog.n + 1;
        struct insn *code = arena_array(rs->arena, n ? n : 1, sizeof(*code));
        if (!code) {
                c->nomem = true;
                return;
        }
        unsigned k = 0;
        for (unsigned i = 0; i < rs->nrules; i++) {
                const struct program *p = &rs->rules[i].prog;
                if (rs->rules[i].kind != RULE_CHECK)
                        continue;
                memcpy(code + k, p->code, p->n * sizeof(*code));
                k += p->n;
                code[k++] = (struct insn) {.op = OP_VERDICT, .b = i};
        }
        rs->checks = (struct program) {.code = code, .n = k, .type = VT_BOOL, .first_field = -1};
}

/* The compiler's own allocations; the pack it built is the caller's. */
static void compiler_done(struct compiler *c) {
        free(c->code);
        yamldoc_done(&c->yd);
}

static void compile_document(struct compiler *c) {
        yaml_node_t *root = yamldoc_node(&c->yd, 1);
        if (!root) {
                yamldoc_error(&c->yd, NULL, "the rule pack is empty");
                return;
        }
        if (!yamldoc_is_mapping(&c->yd, root, "the rule pack"))
                return;
        static const char *const keys[] = {"dataset", "input", "key", "codelists", "fields",
                                           "hierarchies", "rules", "example_base", "delivery", "report"};
        enum { K_DATASET, K_INPUT, K_KEY, K_CODELISTS, K_FIELDS, K_HIER, K_RULES, K_BASE, K_DELIVERY, K_REPORT };
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, root, keys, ELEMENTSOF(keys), v, "the rule pack");
        struct ruleset *rs = c->rs;
        for (int i = 0; i < _BUILTIN_MAX; i++)
                rs->builtin_rule[i] = -1;
        compile_dataset(c, v[K_DATASET]);
        compile_codelists(c, v[K_CODELISTS]);
        compile_fields(c, v[K_FIELDS]);
        compile_year_field(c);
        compile_input(c, v[K_INPUT]);
        compile_hierarchies(c, v[K_HIER]);
        compile_key(c, v[K_KEY]);
        compile_delivery(c, v[K_DELIVERY]);
        compile_report(c, v[K_REPORT]);
        compile_rules(c, v[K_RULES]);
        compile_input_rules(c);
        compile_alias_rule(c);
        compile_epochs(c);
        if (!c->errors && !c->nomem)
                link_checks(c);
        compile_example_base(c, v[K_BASE]);
}

int ruleset_compile_buffer(const char *name, const char *data, size_t len, struct ruleset **ret,
                           struct diaglist *diags) {
        if (len > RULESET_MAX_FILE_BYTES) {
                if (diaglist_add(diags, name, 0, 0, "rule pack too large (limit is %u bytes)", RULESET_MAX_FILE_BYTES) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        _cleanup_(ruleset_freep) struct ruleset *rs = calloc(1, sizeof(*rs));
        if (!rs)
                return -ENOMEM;
        rs->arena = arena_new();
        if (!rs->arena)
                return -ENOMEM;
        rs->path = arena_strdup(rs->arena, name);
        _cleanup_(compiler_done) struct compiler c = {.rs = rs, .diags = diags, .file = name};
        c.yd = (struct yamldoc) {.file = name, .diags = diags, .errors = &c.errors, .nomem = &c.nomem,
                                 .what = "a rule pack", .where = "in rule packs"};
        int r = yamldoc_load(&c.yd, data, len);
        if (r < 0)
                return r;
        compile_document(&c);
        if (c.nomem)
                return -ENOMEM;
        if (c.errors)
                return -EINVAL;
        *ret = TAKE_PTR(rs);
        return 0;
}

int ruleset_compile_file(const char *path, struct ruleset **ret, struct diaglist *diags) {
        _cleanup_(freep) char *data = NULL;
        size_t len;
        int r = yamldoc_read_file(path, RULESET_MAX_FILE_BYTES, "rule pack", diags, &data, &len);
        if (r < 0)
                return r;
        return ruleset_compile_buffer(path, data, len, ret, diags);
}

void ruleset_free(struct ruleset *rs) {
        if (!rs)
                return;
        pools_free(rs);
        arena_free(rs->arena);
        free(rs);
}

