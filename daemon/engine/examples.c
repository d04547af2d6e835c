/*
 * Examples: records a rule must pass or fail, kept in the pack beside the rule and run by
 * `plausid rules test` (ruletest.c) through the real reader and checker. An example names
 * only the fields it cares about; the pack's example_base fills the rest. Keys starting
 * with '_' shape the file instead of a record: several records (_records), dropped columns
 * (_drop), raw bytes after a record or the header (_append, _append_hex, _header_append).
 */
#include <errno.h>
#include <string.h>

#include "compiler.h"

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool compile_example_record(struct compiler *c, yaml_node_t *n, struct example_record *er, struct example *ex,
                                   bool allow_shape);

/* _append (text) or _append_hex (bytes as hex digits). Returns 1, 0 (reported) or -ENOMEM. */
static int compile_append(struct compiler *c, yaml_node_t *v, const char *name, struct example_record *er) {
        const char *s = yamldoc_scalar(&c->yd, v, name);
        if (!s)
                return 0;
        if (strcmp(name, "_append") == 0) {
                er->append = compiler_strdup(c, s);
                er->append_len = strlen(s);
                return 1;
        }
        size_t len = strlen(s);
        char *bytes = arena_alloc(c->rs->arena, len / 2 + 1);
        if (!bytes) {
                c->nomem = true;
                return -ENOMEM;
        }
        if (len % 2) {
                yamldoc_error(&c->yd, v, "_append_hex needs an even number of hex digits");
                return 0;
        }
        int ok = 1;
        for (size_t i = 0; i < len; i += 2) {
                int hi = hexval(s[i]), lo = hexval(s[i + 1]);
                if (hi < 0 || lo < 0) {
                        yamldoc_error(&c->yd, v, "_append_hex: '%c%c' is not a hex byte", s[i], s[i + 1]);
                        ok = 0;
                        break;
                }
                bytes[i / 2] = (char) (hi * 16 + lo);
        }
        /* Set even after a bad byte, as before: the example fails to compile anyway. */
        er->append = bytes;
        er->append_len = len / 2;
        return ok;
}

/* _records: [record, ...]. */
static int compile_records(struct compiler *c, yaml_node_t *v, struct example *ex) {
        if (!yamldoc_is_sequence(&c->yd, v, "_records"))
                return 0;
        yaml_node_item_t *it = v->data.sequence.items.start;
        size_t nrec = (size_t) (v->data.sequence.items.top - it);
        if (nrec == 0 || nrec > 1000) {
                yamldoc_error(&c->yd, v, "_records must hold 1 to 1000 records");
                return 0;
        }
        ex->records = arena_array(c->rs->arena, nrec, sizeof(*ex->records));
        if (!ex->records) {
                c->nomem = true;
                return -ENOMEM;
        }
        int ok = 1;
        for (size_t i = 0; i < nrec; i++) {
                yaml_node_t *rn = yamldoc_node(&c->yd, it[i]);
                if (!rn || !compile_example_record(c, rn, &ex->records[i], ex, false))
                        ok = 0;
        }
        ex->nrecords = (unsigned) nrec;
        return ok;
}

/* _drop: [field, ...] -- columns left out of the file. */
static int compile_drop(struct compiler *c, yaml_node_t *v, struct example *ex) {
        if (!yamldoc_is_sequence(&c->yd, v, "_drop"))
                return 0;
        yaml_node_item_t *it = v->data.sequence.items.start;
        size_t nd = (size_t) (v->data.sequence.items.top - it);
        ex->drop = arena_array(c->rs->arena, nd ? nd : 1, sizeof(char *));
        if (!ex->drop) {
                c->nomem = true;
                return -ENOMEM;
        }
        int ok = 1;
        for (size_t i = 0; i < nd; i++) {
                yaml_node_t *dn = yamldoc_node(&c->yd, it[i]);
                const char *d = yamldoc_scalar(&c->yd, dn, "a column");
                if (d && ruleset_field_find(c->rs, d) < 0) {
                        yamldoc_error(&c->yd, dn, "_drop: unknown field '%s'", d);
                        ok = 0;
                } else if (d)
                        ex->drop[ex->ndrop++] = compiler_strdup(c, d);
        }
        return ok;
}

/* A key starting with '_'. Returns 1, 0 (reported) or -ENOMEM. */
static int compile_shape_key(struct compiler *c, yaml_node_t *k, yaml_node_t *v, const char *name,
                             struct example_record *er, struct example *ex, bool allow_shape) {
        if (strcmp(name, "_append") == 0 || strcmp(name, "_append_hex") == 0)
                return compile_append(c, v, name, er);
        if (allow_shape && strcmp(name, "_records") == 0)
                return compile_records(c, v, ex);
        if (allow_shape && strcmp(name, "_header_append") == 0) {
                const char *h = yamldoc_scalar(&c->yd, v, name);
                if (!h)
                        return 0;
                ex->header_append = compiler_strdup(c, h);
                return 1;
        }
        if (allow_shape && strcmp(name, "_drop") == 0)
                return compile_drop(c, v, ex);
        if (allow_shape)
                yamldoc_error(&c->yd, k, "unknown example key '%s' (known: _records, _drop, _append, _append_hex, _header_append)",
                              name);
        else
                yamldoc_error(&c->yd, k, "'%s' cannot be used here (a single record knows only _append and _append_hex)",
                              name);
        return 0;
}

/* One record's fields (and, with allow_shape, the example's shape keys). */
static bool compile_example_record(struct compiler *c, yaml_node_t *n, struct example_record *er, struct example *ex,
                                   bool allow_shape) {
        struct ruleset *rs = c->rs;
        if (!yamldoc_is_mapping(&c->yd, n, "an example"))
                return false;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        er->names = arena_array(rs->arena, count ? count : 1, sizeof(char *));
        er->values = arena_array(rs->arena, count ? count : 1, sizeof(char *));
        if (!er->names || !er->values) {
                c->nomem = true;
                return false;
        }
        bool ok = true;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&c->yd, p->key), *v = yamldoc_node(&c->yd, p->value);
                const char *name = yamldoc_scalar(&c->yd, k, "a field name");
                if (!name || !v) {
                        ok = false;
                        continue;
                }
                if (name[0] == '_') {
                        int r = compile_shape_key(c, k, v, name, er, ex, allow_shape);
                        if (r < 0)
                                return false;
                        ok = ok && r > 0;
                        continue;
                }
                if (ruleset_field_find(rs, name) < 0) {
                        yamldoc_error(&c->yd, k, "example: unknown field '%s'", name);
                        ok = false;
                        continue;
                }
                er->names[er->n] = compiler_strdup(c, name);
                if (yamldoc_is_null(v))
                        er->values[er->n] = NULL;
                else {
                        const char *s = yamldoc_scalar(&c->yd, v, "an example value");
                        if (!s) {
                                ok = false;
                                continue;
                        }
                        er->values[er->n] = compiler_strdup(c, s);
                }
                er->n++;
        }
        return ok;
}

/* One example of the pass or fail list into ex. Returns false when it is not to count. */
static bool compile_example(struct compiler *c, yaml_node_t *en, struct example *ex) {
        struct example_record single = {0};
        if (!compile_example_record(c, en, &single, ex, true))
                return false;
        if (ex->nrecords > 0 && single.n > 0) {
                yamldoc_error(&c->yd, en, "an example with _records sets its fields inside the records");
                return false;
        }
        if (ex->nrecords == 0) {
                ex->records = arena_alloc(c->rs->arena, sizeof(*ex->records));
                if (!ex->records) {
                        c->nomem = true;
                        return false;
                }
                ex->records[0] = single;
                ex->nrecords = 1;
        } else if (single.append) {
                /* _append at example level applies to every record. */
                for (unsigned j = 0; j < ex->nrecords; j++)
                        if (!ex->records[j].append) {
                                ex->records[j].append = single.append;
                                ex->records[j].append_len = single.append_len;
                        }
        }
        return true;
}

void compile_examples(struct compiler *c, struct rule *r, yaml_node_t *n) {
        if (!yamldoc_is_mapping(&c->yd, n, "examples"))
                return;
        static const char *const keys[] = {"pass", "fail"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "examples");
        size_t total = 0;
        for (int i = 0; i < 2; i++)
                if (v[i] && yamldoc_is_sequence(&c->yd, v[i], keys[i]))
                        total += (size_t) (v[i]->data.sequence.items.top - v[i]->data.sequence.items.start);
        r->examples = arena_array(c->rs->arena, total ? total : 1, sizeof(*r->examples));
        if (!r->examples) {
                c->nomem = true;
                return;
        }
        for (int i = 0; i < 2; i++) {
                if (!v[i] || v[i]->type != YAML_SEQUENCE_NODE)
                        continue;
                for (yaml_node_item_t *it = v[i]->data.sequence.items.start; it < v[i]->data.sequence.items.top; it++) {
                        yaml_node_t *en = yamldoc_node(&c->yd, *it);
                        if (!en)
                                continue;
                        struct example *ex = &r->examples[r->nexamples];
                        *ex = (struct example) {.expect_fail = i == 1, .line = yamldoc_line(en)};
                        if (compile_example(c, en, ex))
                                r->nexamples++;
                        if (c->nomem)
                                return;
                }
        }
}

/* example_base: the record every example starts from. */
void compile_example_base(struct compiler *c, yaml_node_t *n) {
        if (!n)
                return;
        struct example shape = {0};     /* a base record has no shape keys */
        compile_example_record(c, n, &c->rs->base, &shape, false);
}
