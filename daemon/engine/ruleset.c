/*
 * The rule-pack compiler: YAML (read with libyaml's document loader) into a struct ruleset.
 *
 * Sections are compiled in dependency order (dataset, input, code lists, fields,
 * hierarchies, key, rules, example base) whatever their order in the file. Every problem is
 * recorded as a diagnostic with the YAML position and compilation goes on, so one run shows
 * all errors of a pack. A pack with any error is freed and never returned. The compiled pack
 * lives in one arena; only the growable constant pools are separate allocations.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "engine.h"
#include "yamldoc.h"

#define MAX_ID_LEN 16

struct yctx {
        struct compiler c;
        struct yamldoc yd;      /* the document; counts its errors into c */
};

void compiler_error(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...) {
        char msg[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        c->errors++;
        if (diaglist_add(c->diags, c->file, line, col, "%s", msg) < 0)
                c->nomem = true;
}

int compiler_add_int(struct compiler *c, int64_t v) {
        struct ruleset *rs = c->rs;
        for (unsigned i = 0; i < rs->nints; i++)
                if (rs->ints[i] == v)
                        return (int) i;
        if (rs->nints == c->cap_ints) {
                unsigned cap = c->cap_ints ? c->cap_ints * 2 : 16;
                int64_t *p = realloc(rs->ints, cap * sizeof(*p));
                if (!p) {
                        c->nomem = true;
                        return -ENOMEM;
                }
                rs->ints = p;
                c->cap_ints = cap;
        }
        rs->ints[rs->nints] = v;
        return (int) rs->nints++;
}

int compiler_add_string(struct compiler *c, const char *s) {
        struct ruleset *rs = c->rs;
        for (unsigned i = 0; i < rs->nstrings; i++)
                if (strcmp(rs->strings[i], s) == 0)
                        return (int) i;
        if (rs->nstrings == c->cap_strings) {
                unsigned cap = c->cap_strings ? c->cap_strings * 2 : 16;
                const char **p = realloc(rs->strings, cap * sizeof(*p));
                if (!p) {
                        c->nomem = true;
                        return -ENOMEM;
                }
                rs->strings = p;
                c->cap_strings = cap;
        }
        rs->strings[rs->nstrings] = s;
        return (int) rs->nstrings++;
}

int compiler_add_set(struct compiler *c, unsigned nbits) {
        struct ruleset *rs = c->rs;
        if (rs->nsets == c->cap_sets) {
                unsigned cap = c->cap_sets ? c->cap_sets * 2 : 16;
                uint64_t **p = realloc(rs->sets, cap * sizeof(*p));
                if (!p) {
                        c->nomem = true;
                        return -ENOMEM;
                }
                rs->sets = p;
                c->cap_sets = cap;
        }
        uint64_t *set = arena_array(rs->arena, nbits / 64 + 1, sizeof(uint64_t));
        if (!set) {
                c->nomem = true;
                return -ENOMEM;
        }
        rs->sets[rs->nsets] = set;
        return (int) rs->nsets++;
}

int ruleset_field_index(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++)
                if (strcmp(rs->fields[i].name, name) == 0)
                        return (int) i;
        return -1;
}

/* ---- YAML access ---- */

/*
 * Maps an offset into a scalar's text back to the YAML source. The text differs from the
 * source only in whitespace (indentation, folded line breaks) and in quoting (the quotes,
 * '' and backslash escapes), so walking both side by side, skipping whitespace and matching
 * the other characters one by one, finds the place. Where they stop matching (an escape
 * the walk does not know) the last matched place is as close as it gets.
 */
void srcmap_position(const struct srcmap *m, size_t offset, unsigned *ret_line, unsigned *ret_col) {
        const char *raw = m->source, *end = m->source + m->source_len;
        const char *r = raw + (m->index < m->source_len ? m->index : m->source_len);
        unsigned line = m->line, col = m->col;
        bool block = m->style == YAML_LITERAL_SCALAR_STYLE || m->style == YAML_FOLDED_SCALAR_STYLE;
        if (m->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || m->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
                r++;
                col++;
        } else if (block) {
                /* The text starts on the line after the indicator. */
                while (r < end && *r != '\n')
                        r++;
        }
#define ADVANCE()                                                              \
        do {                                                                   \
                if (*r == '\n') {                                              \
                        line++;                                                \
                        col = 1;                                               \
                } else if (((unsigned char) *r & 0xC0) != 0x80)                \
                        col++;                                                 \
                r++;                                                           \
        } while (0)
#define SKIP_SPACE()                                                           \
        while (r < end && (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')) \
                ADVANCE()
        size_t target = m->base + offset;
        for (size_t i = 0; i < target && m->value[i]; i++) {
                char ch = m->value[i];
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
                        continue;
                SKIP_SPACE();
                if (r >= end)
                        break;
                if (m->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && *r == '\\' && r + 1 < end) {
                        ADVANCE();
                        ADVANCE();
                        continue;
                }
                if (m->style == YAML_SINGLE_QUOTED_SCALAR_STYLE && *r == '\'' && r + 1 < end && r[1] == '\'') {
                        ADVANCE();
                        ADVANCE();
                        continue;
                }
                if (*r != ch)
                        break;
                ADVANCE();
        }
        /* The offset itself: on the next character that is not whitespace. */
        if (m->value[target] && m->value[target] != ' ' && m->value[target] != '\n')
                SKIP_SPACE();
#undef SKIP_SPACE
#undef ADVANCE
        *ret_line = line;
        *ret_col = col;
}

/* Byte offset of a node's start. libyaml's mark.index counts characters, not bytes, so it
 * is found from line and column instead. */
static size_t source_offset(const struct yctx *y, const yaml_node_t *n) {
        const char *p = y->yd.source, *end = y->yd.source + y->yd.source_len;
        for (size_t line = 0; line < n->start_mark.line && p < end; p++)
                if (*p == '\n')
                        line++;
        for (size_t col = 0; col < n->start_mark.column && p < end; col++) {
                p++;
                while (p < end && ((unsigned char) *p & 0xC0) == 0x80)
                        p++;
        }
        return (size_t) (p - y->yd.source);
}

static struct srcmap scalar_map(struct yctx *y, const yaml_node_t *n, const char *value, size_t base) {
        return (struct srcmap) {
                .source = y->yd.source,
                .source_len = y->yd.source_len,
                .index = source_offset(y, n),
                .line = yamldoc_line(n),
                .col = yamldoc_col(n),
                .style = n->data.scalar.style,
                .value = value,
                .base = base,
        };
}

static char *pdup(struct yctx *y, const char *s) {
        char *p = arena_strdup(y->c.rs->arena, s);
        if (!p)
                y->c.nomem = true;
        return p;
}

/* ---- sections ---- */

static void compile_dataset(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        rs->year_field = -1;
        if (!n) {
                yamldoc_error(&y->yd, NULL, "the pack has no 'dataset' section");
                return;
        }
        if (!yamldoc_is_mapping(&y->yd, n, "dataset"))
                return;
        static const char *const keys[] = {"name", "version", "berichtsjahre", "year_field"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "dataset");
        const char *name = yamldoc_scalar(&y->yd, v[0], "dataset.name");
        if (!v[0])
                yamldoc_error(&y->yd, n, "dataset has no 'name'");
        else if (name && (!yamldoc_is_identifier(name) || strlen(name) > 48))
                yamldoc_error(&y->yd, v[0], "dataset.name '%s' must be a lower-case identifier of at most 48 characters (it names a table)",
                     name);
        else if (name)
                rs->name = pdup(y, name);
        const char *version = yamldoc_scalar(&y->yd, v[1], "dataset.version");
        if (!v[1])
                yamldoc_error(&y->yd, n, "dataset has no 'version'");
        else if (version)
                rs->version = pdup(y, version);
        rs->year_first = 1900;
        rs->year_last = 2100;
        if (v[2] && yamldoc_is_sequence(&y->yd, v[2], "dataset.berichtsjahre")) {
                yaml_node_item_t *it = v[2]->data.sequence.items.start;
                int64_t a, b;
                if (v[2]->data.sequence.items.top - it != 2)
                        yamldoc_error(&y->yd, v[2], "dataset.berichtsjahre must be [first, last]");
                else if (yamldoc_get_int(&y->yd, yamldoc_node(&y->yd, it[0]), 1900, 2100, &a, "the first Berichtsjahr") &&
                         yamldoc_get_int(&y->yd, yamldoc_node(&y->yd, it[1]), 1900, 2100, &b, "the last Berichtsjahr")) {
                        if (a > b)
                                yamldoc_error(&y->yd, v[2], "dataset.berichtsjahre: %lld comes after %lld", (long long) a, (long long) b);
                        rs->year_first = (int) a;
                        rs->year_last = (int) b;
                }
        }
        if (v[3]) {
                /* Resolved after the fields are known; remember the node. */
                rs->year_field = -2 - (int) (v[3] - y->yd.doc.nodes.start);
        }
}

static void compile_input(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        rs->input = (struct reader_options) {.delimiter = ';', .encoding = READER_ENCODING_AUTO};
        if (!n || !yamldoc_is_mapping(&y->yd, n, "input"))
                return;
        static const char *const keys[] = {"delimiter", "encoding"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "input");
        const char *d = yamldoc_scalar(&y->yd, v[0], "input.delimiter");
        if (d) {
                if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
                        d = "\t";
                if (strlen(d) != 1 || *d == '"' || *d == '\n' || *d == '\r' || (unsigned char) *d >= 0x80)
                        yamldoc_error(&y->yd, v[0], "input.delimiter must be one ASCII character other than a quote or line break");
                else
                        rs->input.delimiter = *d;
        }
        const char *e = yamldoc_scalar(&y->yd, v[1], "input.encoding");
        if (e && reader_encoding_from_name(e, &rs->input.encoding) < 0)
                yamldoc_error(&y->yd, v[1], "input.encoding must be auto, utf-8, windows-1252 or iso-8859-15, not '%s'", e);
}

struct code_entry {
        uint64_t key;
        const char *code, *label;
        const yaml_node_t *node;
};

static int cmp_code(const void *a, const void *b) {
        const struct code_entry *x = a, *y = b;
        return x->key < y->key ? -1 : x->key > y->key;
}

static uint64_t pack8(const char *s) {
        uint64_t k = 0;
        size_t len = strlen(s);
        for (size_t i = 0; i < 8; i++)
                k = (k << 8) | (i < len ? (unsigned char) s[i] : 0);
        return k;
}

static void compile_codelists(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n || !yamldoc_is_mapping(&y->yd, n, "codelists"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->codelists = arena_array(rs->arena, count ? count : 1, sizeof(*rs->codelists));
        if (!rs->codelists) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&y->yd, p->key), *v = yamldoc_node(&y->yd, p->value);
                const char *name = yamldoc_scalar(&y->yd, k, "a code list name");
                if (!name || !v)
                        continue;
                if (!yamldoc_is_identifier(name)) {
                        yamldoc_error(&y->yd, k, "code list name '%s' must be a lower-case identifier", name);
                        continue;
                }
                bool twice = false;
                for (unsigned i = 0; i < rs->ncodelists; i++)
                        twice |= strcmp(rs->codelists[i].name, name) == 0;
                if (twice) {
                        yamldoc_error(&y->yd, k, "code list '%s' is defined twice", name);
                        continue;
                }
                if (!yamldoc_is_mapping(&y->yd, v, "a code list"))
                        continue;
                size_t ncodes = (size_t) (v->data.mapping.pairs.top - v->data.mapping.pairs.start);
                if (ncodes == 0) {
                        yamldoc_error(&y->yd, v, "code list '%s' is empty", name);
                        continue;
                }
                if (ncodes > RULESET_MAX_CODES) {
                        yamldoc_error(&y->yd, v, "code list '%s' has too many codes (limit is %d)", name, RULESET_MAX_CODES);
                        continue;
                }
                struct code_entry *e = calloc(ncodes, sizeof(*e));
                if (!e) {
                        y->c.nomem = true;
                        return;
                }
                size_t m = 0;
                for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                        yaml_node_t *ck = yamldoc_node(&y->yd, q->key), *cv = yamldoc_node(&y->yd, q->value);
                        const char *code = yamldoc_scalar(&y->yd, ck, "a code");
                        const char *label = yamldoc_scalar(&y->yd, cv, "a code's label");
                        if (!code || !label)
                                continue;
                        size_t len = strlen(code);
                        if (len == 0 || len > 8) {
                                yamldoc_error(&y->yd, ck, "code '%s' must have 1 to 8 characters", code);
                                continue;
                        }
                        e[m++] = (struct code_entry) {.key = pack8(code), .code = code, .label = label, .node = ck};
                }
                qsort(e, m, sizeof(*e), cmp_code);
                struct codelist *cl = &rs->codelists[rs->ncodelists++];
                cl->name = pdup(y, name);
                cl->line = yamldoc_line(k);
                cl->keys = arena_array(rs->arena, m ? m : 1, sizeof(*cl->keys));
                cl->codes = arena_array(rs->arena, m ? m : 1, sizeof(*cl->codes));
                cl->labels = arena_array(rs->arena, m ? m : 1, sizeof(*cl->labels));
                cl->lens = arena_array(rs->arena, m ? m : 1, sizeof(*cl->lens));
                if (!cl->keys || !cl->codes || !cl->labels || !cl->lens) {
                        free(e);
                        y->c.nomem = true;
                        return;
                }
                cl->common_len = m ? (unsigned) strlen(e[0].code) : 0;
                cl->all_digits = true;
                for (size_t i = 0; i < m; i++) {
                        if (i > 0 && e[i].key == e[i - 1].key) {
                                yamldoc_error(&y->yd, e[i].node, "code '%s' appears twice in code list '%s'", e[i].code, name);
                                continue;
                        }
                        if (strlen(e[i].code) != cl->common_len)
                                cl->common_len = 0;
                        for (const char *s = e[i].code; *s; s++)
                                if (*s < '0' || *s > '9')
                                        cl->all_digits = false;
                        cl->keys[cl->n] = e[i].key;
                        cl->codes[cl->n] = pdup(y, e[i].code);
                        cl->labels[cl->n] = pdup(y, e[i].label);
                        cl->lens[cl->n] = (uint8_t) strlen(e[i].code);
                        cl->n++;
                }
                free(e);
                if (cl->all_digits && cl->common_len && cl->common_len <= 4) {
                        unsigned size = 1;
                        for (unsigned i = 0; i < cl->common_len; i++)
                                size *= 10;
                        if (!(cl->direct = arena_array(rs->arena, size, sizeof(*cl->direct)))) {
                                y->c.nomem = true;
                                return;
                        }
                        for (unsigned i = 0; i < size; i++)
                                cl->direct[i] = -1;
                        for (unsigned i = 0; i < cl->n; i++)
                                cl->direct[atoi(cl->codes[i])] = (int16_t) i;
                }
        }
}

static const struct codelist *find_codelist(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->ncodelists; i++)
                if (strcmp(rs->codelists[i].name, name) == 0)
                        return &rs->codelists[i];
        return NULL;
}

/* True when a header name (field name or alias) is already taken by another field. */
static bool name_taken(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++) {
                if (strcasecmp(rs->fields[i].name, name) == 0)
                        return true;
                for (unsigned j = 0; j < rs->fields[i].naliases; j++)
                        if (strcasecmp(rs->fields[i].aliases[j], name) == 0)
                                return true;
        }
        return false;
}

static void compile_field(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        static const char *const keys[] = {"name", "label", "aliases", "type", "length", "max_length",
                                           "min", "max", "codes", "leading_zeros", "column", "required"};
        enum { K_NAME, K_LABEL, K_ALIASES, K_TYPE, K_LENGTH, K_MAXLEN, K_MIN, K_MAX, K_CODES, K_ZEROS, K_COLUMN,
               K_REQUIRED };
        yaml_node_t *v[ELEMENTSOF(keys)];
        if (!yamldoc_is_mapping(&y->yd, n, "a field"))
                return;
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "a field");
        const char *name = yamldoc_scalar(&y->yd, v[K_NAME], "field name");
        if (!v[K_NAME]) {
                yamldoc_error(&y->yd, n, "field has no 'name'");
                return;
        }
        if (!name)
                return;
        if (!yamldoc_is_identifier(name) || strlen(name) > 63) {
                yamldoc_error(&y->yd, v[K_NAME], "field name '%s' must be a lower-case identifier of at most 63 characters", name);
                return;
        }
        if (strcmp(name, "report_end") == 0 || strcmp(name, "and") == 0 || strcmp(name, "or") == 0 ||
            strcmp(name, "not") == 0 || strcmp(name, "in") == 0) {
                yamldoc_error(&y->yd, v[K_NAME], "'%s' is a reserved word and cannot name a field", name);
                return;
        }
        if (name_taken(rs, name)) {
                yamldoc_error(&y->yd, v[K_NAME], "field or alias '%s' is defined twice", name);
                return;
        }
        struct field *f = &rs->fields[rs->nfields];
        *f = (struct field) {.line = yamldoc_line(n), .col = yamldoc_col(n), .column_required = true, .min = INT64_MIN, .max = INT64_MAX};
        f->name = pdup(y, name);
        const char *label = yamldoc_scalar(&y->yd, v[K_LABEL], "field label");
        f->label = label ? pdup(y, label) : f->name;

        if (v[K_ALIASES] && yamldoc_is_sequence(&y->yd, v[K_ALIASES], "aliases")) {
                yaml_node_item_t *it = v[K_ALIASES]->data.sequence.items.start;
                size_t na = (size_t) (v[K_ALIASES]->data.sequence.items.top - it);
                f->aliases = arena_array(rs->arena, na ? na : 1, sizeof(char *));
                if (!f->aliases) {
                        y->c.nomem = true;
                        return;
                }
                for (size_t i = 0; i < na; i++) {
                        yaml_node_t *an = yamldoc_node(&y->yd, it[i]);
                        const char *a = yamldoc_scalar(&y->yd, an, "an alias");
                        if (!a)
                                continue;
                        if (!*a || name_taken(rs, a) || strcasecmp(a, name) == 0) {
                                yamldoc_error(&y->yd, an, "alias '%s' is empty or already names a field", a);
                                continue;
                        }
                        f->aliases[f->naliases++] = pdup(y, a);
                }
        }

        const char *type = yamldoc_scalar(&y->yd, v[K_TYPE], "field type");
        static const char *const types[] = {[FIELD_DIGITS] = "digits", [FIELD_CODE] = "code", [FIELD_MONTH] = "month",
                                            [FIELD_INTEGER] = "integer", [FIELD_TEXT] = "text"};
        int t = -1;
        for (unsigned i = 0; type && i < ELEMENTSOF(types); i++)
                if (strcmp(types[i], type) == 0)
                        t = (int) i;
        if (!v[K_TYPE])
                yamldoc_error(&y->yd, n, "field '%s' has no 'type'", name);
        else if (type && t < 0)
                yamldoc_error(&y->yd, v[K_TYPE], "field '%s': type must be digits, code, month, integer or text, not '%s'", name, type);
        f->type = t < 0 ? FIELD_TEXT : (enum field_type) t;

        int64_t num;
        if (v[K_LENGTH]) {
                if (f->type != FIELD_DIGITS)
                        yamldoc_error(&y->yd, v[K_LENGTH], "field '%s': 'length' is only for digits fields", name);
                else if (yamldoc_get_int(&y->yd, v[K_LENGTH], 1, 18, &num, "length"))
                        f->length = (unsigned) num;
        } else if (f->type == FIELD_DIGITS && t >= 0)
                yamldoc_error(&y->yd, n, "digits field '%s' needs a 'length'", name);
        if (v[K_MAXLEN]) {
                if (f->type != FIELD_TEXT)
                        yamldoc_error(&y->yd, v[K_MAXLEN], "field '%s': 'max_length' is only for text fields", name);
                else if (yamldoc_get_int(&y->yd, v[K_MAXLEN], 1, 65536, &num, "max_length"))
                        f->max_length = (unsigned) num;
        }
        for (int which = 0; which < 2; which++) {
                yaml_node_t *vn = v[which ? K_MAX : K_MIN];
                if (!vn)
                        continue;
                if (f->type != FIELD_INTEGER)
                        yamldoc_error(&y->yd, vn, "field '%s': '%s' is only for integer fields", name, which ? "max" : "min");
                else if (yamldoc_get_int(&y->yd, vn, -1000000000000LL, 1000000000000LL, &num, which ? "max" : "min")) {
                        if (which)
                                f->max = num;
                        else
                                f->min = num;
                }
        }
        if (f->min > f->max)
                yamldoc_error(&y->yd, n, "field '%s': min is greater than max", name);
        const char *codes = yamldoc_scalar(&y->yd, v[K_CODES], "codes");
        if (f->type == FIELD_CODE && t >= 0) {
                if (!v[K_CODES])
                        yamldoc_error(&y->yd, n, "code field '%s' needs 'codes' (the name of a code list)", name);
                else if (codes && !(f->codes = find_codelist(rs, codes)))
                        yamldoc_error(&y->yd, v[K_CODES], "field '%s': unknown code list '%s'", name, codes);
        } else if (v[K_CODES])
                yamldoc_error(&y->yd, v[K_CODES], "field '%s': 'codes' is only for code fields", name);
        const char *zeros = yamldoc_scalar(&y->yd, v[K_ZEROS], "leading_zeros");
        if (zeros) {
                if (strcmp(zeros, "restore") != 0 && strcmp(zeros, "keep") != 0)
                        yamldoc_error(&y->yd, v[K_ZEROS], "leading_zeros must be 'restore' or 'keep', not '%s'", zeros);
                else if (strcmp(zeros, "restore") == 0) {
                        if (f->type == FIELD_CODE && f->codes && (!f->codes->common_len || !f->codes->all_digits))
                                yamldoc_error(&y->yd, v[K_ZEROS],
                                     "field '%s': leading zeros can only be restored when all codes of list '%s' are digits of one length",
                                     name, f->codes->name);
                        else if (f->type != FIELD_CODE && f->type != FIELD_DIGITS)
                                yamldoc_error(&y->yd, v[K_ZEROS], "field '%s': leading_zeros is only for digits and code fields", name);
                        f->restore_zeros = true;
                }
        }
        const char *column = yamldoc_scalar(&y->yd, v[K_COLUMN], "column");
        if (column) {
                if (strcmp(column, "required") == 0)
                        f->column_required = true;
                else if (strcmp(column, "optional") == 0)
                        f->column_required = false;
                else
                        yamldoc_error(&y->yd, v[K_COLUMN], "column must be 'required' or 'optional', not '%s'", column);
        }
        if (v[K_REQUIRED])
                yamldoc_get_bool(&y->yd, v[K_REQUIRED], &f->required, "required");
        if (f->name)
                rs->nfields++;
}

static void compile_fields(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n) {
                yamldoc_error(&y->yd, NULL, "the pack has no 'fields' section");
                return;
        }
        if (!yamldoc_is_sequence(&y->yd, n, "fields"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_FIELDS) {
                yamldoc_error(&y->yd, n, "too many fields (limit is %d)", RULESET_MAX_FIELDS);
                return;
        }
        if (count == 0) {
                yamldoc_error(&y->yd, n, "the pack declares no fields");
                return;
        }
        rs->fields = arena_array(rs->arena, count, sizeof(*rs->fields));
        if (!rs->fields) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *f = yamldoc_node(&y->yd, *it);
                if (f)
                        compile_field(y, f);
        }
}

static int intern_level_value(struct yctx *y, struct hierarchy *h, unsigned level, const char *value, unsigned cap) {
        for (unsigned i = 0; i < h->nvalues[level]; i++)
                if (strcmp(h->values[level][i], value) == 0)
                        return (int) i;
        if (h->nvalues[level] == cap)
                return -1;
        h->values[level][h->nvalues[level]] = pdup(y, value);
        return (int) h->nvalues[level]++;
}

static void compile_level_choice(struct yctx *y, struct hierarchy *h, unsigned level, yaml_node_t *vn,
                                 struct level_choice *ch, unsigned cap) {
        struct ruleset *rs = y->c.rs;
        ch->by_field = -1;
        ch->value = -1;
        if (vn->type == YAML_SCALAR_NODE) {
                const char *s = yamldoc_scalar(&y->yd, vn, "a level value");
                if (s && (ch->value = intern_level_value(y, h, level, s, cap)) < 0)
                        yamldoc_error(&y->yd, vn, "too many distinct values for level '%s'", h->levels[level]);
                return;
        }
        if (!yamldoc_is_mapping(&y->yd, vn, "a level value"))
                return;
        static const char *const keys[] = {"by", "cases", "default"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, vn, keys, ELEMENTSOF(keys), v, "a decided level");
        const char *by = yamldoc_scalar(&y->yd, v[0], "by");
        const char *def = yamldoc_scalar(&y->yd, v[2], "default");
        if (!v[0] || !v[1] || !v[2]) {
                yamldoc_error(&y->yd, vn, "a decided level needs 'by', 'cases' and 'default'");
                return;
        }
        if (!by || !def)
                return;
        int bf = ruleset_field_index(rs, by);
        if (bf < 0 || rs->fields[bf].type != FIELD_CODE || !rs->fields[bf].codes) {
                yamldoc_error(&y->yd, v[0], "'by: %s' must name a code field", by);
                return;
        }
        ch->by_field = bf;
        if ((ch->value = intern_level_value(y, h, level, def, cap)) < 0)
                yamldoc_error(&y->yd, v[2], "too many distinct values for level '%s'", h->levels[level]);
        const struct codelist *cl = rs->fields[bf].codes;
        int *cases = arena_array(rs->arena, cl->n, sizeof(int));
        if (!cases) {
                y->c.nomem = true;
                return;
        }
        for (unsigned i = 0; i < cl->n; i++)
                cases[i] = -1;
        ch->cases = cases;
        if (!yamldoc_is_mapping(&y->yd, v[1], "cases"))
                return;
        for (yaml_node_pair_t *p = v[1]->data.mapping.pairs.start; p < v[1]->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&y->yd, p->key), *val = yamldoc_node(&y->yd, p->value);
                const char *code = yamldoc_scalar(&y->yd, k, "a code"), *value = yamldoc_scalar(&y->yd, val, "a level value");
                if (!code || !value)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0) {
                        yamldoc_error(&y->yd, k, "'%s' is not a code of list '%s' (field %s)", code, cl->name, by);
                        continue;
                }
                if (cases[idx] >= 0)
                        yamldoc_error(&y->yd, k, "code '%s' appears twice in cases", code);
                if ((cases[idx] = intern_level_value(y, h, level, value, cap)) < 0)
                        yamldoc_error(&y->yd, val, "too many distinct values for level '%s'", h->levels[level]);
        }
}

static void compile_hierarchy(struct yctx *y, const char *name, yaml_node_t *k, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!yamldoc_is_mapping(&y->yd, n, "a hierarchy"))
                return;
        static const char *const keys[] = {"field", "levels", "codes"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "a hierarchy");
        if (!v[0] || !v[1] || !v[2]) {
                yamldoc_error(&y->yd, n, "hierarchy '%s' needs 'field', 'levels' and 'codes'", name);
                return;
        }
        const char *fname = yamldoc_scalar(&y->yd, v[0], "field");
        if (!fname)
                return;
        int f = ruleset_field_index(rs, fname);
        if (f < 0 || rs->fields[f].type != FIELD_CODE || !rs->fields[f].codes) {
                yamldoc_error(&y->yd, v[0], "hierarchy '%s': '%s' is not a code field", name, fname);
                return;
        }
        if (rs->fields[f].hierarchy) {
                yamldoc_error(&y->yd, v[0], "field '%s' has a hierarchy already", fname);
                return;
        }
        if (!yamldoc_is_sequence(&y->yd, v[1], "levels"))
                return;
        struct hierarchy *h = &rs->hierarchies[rs->nhierarchies];
        h->name = pdup(y, name);
        h->field = (unsigned) f;
        yaml_node_item_t *it = v[1]->data.sequence.items.start;
        size_t nlevels = (size_t) (v[1]->data.sequence.items.top - it);
        if (nlevels == 0 || nlevels > 8) {
                yamldoc_error(&y->yd, v[1], "a hierarchy has 1 to 8 levels");
                return;
        }
        const struct codelist *cl = rs->fields[f].codes;
        unsigned cap = cl->n + 64;   /* a level has at most one value per code plus decided ones */
        h->levels = arena_array(rs->arena, nlevels, sizeof(char *));
        h->values = arena_array(rs->arena, nlevels, sizeof(char **));
        h->nvalues = arena_array(rs->arena, nlevels, sizeof(unsigned));
        h->choices = arena_array(rs->arena, (size_t) cl->n * nlevels, sizeof(*h->choices));
        if (!h->levels || !h->values || !h->nvalues || !h->choices) {
                y->c.nomem = true;
                return;
        }
        for (size_t i = 0; i < nlevels; i++) {
                yaml_node_t *ln = yamldoc_node(&y->yd, it[i]);
                const char *level = yamldoc_scalar(&y->yd, ln, "a level name");
                if (level && !yamldoc_is_identifier(level))
                        yamldoc_error(&y->yd, ln, "level name '%s' must be a lower-case identifier", level);
                for (size_t j = 0; level && j < i; j++)
                        if (h->levels[j] && strcmp(h->levels[j], level) == 0)
                                yamldoc_error(&y->yd, ln, "level '%s' appears twice", level);
                h->levels[i] = level ? pdup(y, level) : "?";
                if (!(h->values[i] = arena_array(rs->arena, cap, sizeof(char *)))) {
                        y->c.nomem = true;
                        return;
                }
                h->nlevels++;
        }
        for (size_t i = 0; i < (size_t) cl->n * nlevels; i++)
                h->choices[i] = (struct level_choice) {.by_field = -1, .value = -1};
        if (!yamldoc_is_mapping(&y->yd, v[2], "codes"))
                return;
        for (yaml_node_pair_t *p = v[2]->data.mapping.pairs.start; p < v[2]->data.mapping.pairs.top; p++) {
                yaml_node_t *ck = yamldoc_node(&y->yd, p->key), *cv = yamldoc_node(&y->yd, p->value);
                const char *code = yamldoc_scalar(&y->yd, ck, "a code");
                if (!code || !cv)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0 || strcmp(cl->codes[idx], code) != 0) {
                        yamldoc_error(&y->yd, ck, "'%s' is not a code of list '%s' (field %s)", code, cl->name, fname);
                        continue;
                }
                if (!yamldoc_is_mapping(&y->yd, cv, "a code's levels"))
                        continue;
                for (yaml_node_pair_t *q = cv->data.mapping.pairs.start; q < cv->data.mapping.pairs.top; q++) {
                        yaml_node_t *lk = yamldoc_node(&y->yd, q->key), *lv = yamldoc_node(&y->yd, q->value);
                        const char *level = yamldoc_scalar(&y->yd, lk, "a level name");
                        if (!level || !lv)
                                continue;
                        int l = -1;
                        for (unsigned j = 0; j < h->nlevels; j++)
                                if (strcmp(h->levels[j], level) == 0)
                                        l = (int) j;
                        if (l < 0) {
                                yamldoc_error(&y->yd, lk, "hierarchy '%s' has no level '%s'", name, level);
                                continue;
                        }
                        struct level_choice *ch = &h->choices[(size_t) idx * h->nlevels + (size_t) l];
                        if (ch->value >= 0) {
                                yamldoc_error(&y->yd, lk, "level '%s' of code '%s' is given twice", level, code);
                                continue;
                        }
                        compile_level_choice(y, h, (unsigned) l, lv, ch, cap);
                }
        }
        for (unsigned i = 0; i < cl->n; i++)
                for (unsigned l = 0; l < h->nlevels; l++)
                        if (h->choices[i * h->nlevels + l].value < 0) {
                                yamldoc_error(&y->yd, k, "hierarchy '%s': code '%s' has no value for level '%s'", name, cl->codes[i],
                                     h->levels[l]);
                                h->choices[i * h->nlevels + l].value = 0;
                                if (h->nvalues[l] == 0)
                                        h->values[l][h->nvalues[l]++] = "?";
                        }
        rs->fields[f].hierarchy = h;
        rs->nhierarchies++;
}

static void compile_hierarchies(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n || !yamldoc_is_mapping(&y->yd, n, "hierarchies"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->hierarchies = arena_array(rs->arena, count ? count : 1, sizeof(*rs->hierarchies));
        if (!rs->hierarchies) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&y->yd, p->key), *v = yamldoc_node(&y->yd, p->value);
                const char *name = yamldoc_scalar(&y->yd, k, "a hierarchy name");
                if (!name || !v)
                        continue;
                if (!yamldoc_is_identifier(name)) {
                        yamldoc_error(&y->yd, k, "hierarchy name '%s' must be a lower-case identifier", name);
                        continue;
                }
                bool twice = false;
                for (unsigned i = 0; i < rs->nhierarchies; i++)
                        twice |= strcmp(rs->hierarchies[i].name, name) == 0;
                if (twice) {
                        yamldoc_error(&y->yd, k, "hierarchy '%s' is defined twice", name);
                        continue;
                }
                compile_hierarchy(y, name, k, v);
        }
}

/* Resolves a list of field names; returns the count, or -1 after reporting errors. */
static int field_list(struct yctx *y, yaml_node_t *n, unsigned **ret, const char *what) {
        struct ruleset *rs = y->c.rs;
        if (!yamldoc_is_sequence(&y->yd, n, what))
                return -1;
        yaml_node_item_t *it = n->data.sequence.items.start;
        size_t count = (size_t) (n->data.sequence.items.top - it);
        if (count == 0 || count > 32) {
                yamldoc_error(&y->yd, n, "%s must list 1 to 32 fields", what);
                return -1;
        }
        unsigned *out = arena_array(rs->arena, count, sizeof(unsigned));
        if (!out) {
                y->c.nomem = true;
                return -1;
        }
        bool ok = true;
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *fn = yamldoc_node(&y->yd, it[i]);
                const char *name = yamldoc_scalar(&y->yd, fn, "a field name");
                int f = name ? ruleset_field_index(rs, name) : -1;
                if (name && f < 0)
                        yamldoc_error(&y->yd, fn, "%s: unknown field '%s'", what, name);
                if (f < 0)
                        ok = false;
                else
                        out[i] = (unsigned) f;
        }
        if (!ok)
                return -1;
        *ret = out;
        return (int) count;
}

/* ---- messages ---- */

static const char *const ctx_names[_CTX_MAX] = {
        [CTX_FIELD] = "field", [CTX_VALUE] = "value", [CTX_EXPECTED] = "expected", [CTX_COUNT] = "count",
        [CTX_COLUMN] = "column", [CTX_REASON] = "reason", [CTX_FIRST] = "first", [CTX_OTHER] = "other",
        [CTX_SHARE] = "share", [CTX_TOTAL] = "total", [CTX_GROUP] = "group", [CTX_BEGIN] = "begin",
        [CTX_END] = "end", [CTX_OTHER_BEGIN] = "other_begin", [CTX_OTHER_END] = "other_end",
        [CTX_YEAR] = "year", [CTX_PREVIOUS_YEAR] = "previous_year", [CTX_KEY] = "key", [CTX_LINE] = "line",
        [CTX_DELIVERY] = "delivery", [CTX_UNIT] = "unit", [CTX_PREVIOUS] = "previous", [CTX_CHANGE] = "change",
};

/* Placeholders each rule kind provides. */
static unsigned ctx_allowed(const struct rule *r) {
#define B(x) (1u << (x))
        switch (r->kind) {
        case RULE_CHECK: return 0;
        case RULE_SHARE: return B(CTX_SHARE) | B(CTX_COUNT) | B(CTX_TOTAL);
        case RULE_UNIQUE: return B(CTX_FIRST);
        case RULE_OVERLAP:
                return B(CTX_OTHER) | B(CTX_GROUP) | B(CTX_BEGIN) | B(CTX_END) | B(CTX_OTHER_BEGIN) |
                       B(CTX_OTHER_END);
        case RULE_PREVIOUS_YEAR:
                if (r->previous == PREVIOUS_MISSING)
                        return B(CTX_YEAR) | B(CTX_PREVIOUS_YEAR) | B(CTX_KEY) | B(CTX_LINE) | B(CTX_DELIVERY) |
                               B(CTX_UNIT) | B(CTX_VALUE);
                return B(CTX_YEAR) | B(CTX_PREVIOUS_YEAR) | B(CTX_UNIT) | B(CTX_GROUP) | B(CTX_COUNT) |
                       B(CTX_PREVIOUS) | B(CTX_CHANGE);
        case RULE_BUILTIN:
                switch (r->builtin) {
                case BUILTIN_MISSING_COLUMN: return B(CTX_COLUMN);
                case BUILTIN_FIELD_COUNT: return B(CTX_COUNT) | B(CTX_EXPECTED);
                case BUILTIN_SAME_AS_FIRST: return B(CTX_VALUE) | B(CTX_EXPECTED);
                case BUILTIN_REQUIRED: return B(CTX_FIELD);
                case BUILTIN_CODE: return B(CTX_FIELD) | B(CTX_VALUE);
                case BUILTIN_FORMAT: return B(CTX_FIELD) | B(CTX_VALUE) | B(CTX_EXPECTED);
                case BUILTIN_ENCODING: return 0;
                case BUILTIN_UNREADABLE: return B(CTX_REASON);
                default: return 0;
                }
        }
        return 0;
#undef B
}

static void compile_message(struct yctx *y, struct rule *r, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        const char *yaml_text = yamldoc_scalar(&y->yd, n, "message");
        if (!yaml_text)
                return;
        /* Segments point into the text, which must outlive the YAML document. */
        const char *text = pdup(y, yaml_text);
        if (!text)
                return;
        /* Per-record rules read fields in placeholders. Share rules, builtins that are not
         * about one record (missing columns, unreadable file) and overlap rules (decided when
         * the record is long gone) have no record to read: only their own placeholders. */
        bool record_context = !(r->kind == RULE_SHARE || r->kind == RULE_OVERLAP || r->kind == RULE_PREVIOUS_YEAR ||
                                (r->kind == RULE_BUILTIN &&
                                 (r->builtin == BUILTIN_MISSING_COLUMN || r->builtin == BUILTIN_UNREADABLE)));
        struct segment segs[64];
        unsigned nseg = 0;
        const char *p = text;
        bool ok = true;
        while (*p && ok) {
                /* One pass adds at most two segments: the text before a brace and the
                 * placeholder (or literal brace) itself. */
                if (nseg + 2 > ELEMENTSOF(segs)) {
                        yamldoc_error(&y->yd, n, "message has too many parts (limit is %zu)", ELEMENTSOF(segs));
                        return;
                }
                const char *brace = strchr(p, '{');
                if (!brace) {
                        segs[nseg++] = (struct segment) {.text = p, .len = strlen(p), .ctx = -1};
                        break;
                }
                if (brace > p)
                        segs[nseg++] = (struct segment) {.text = p, .len = (size_t) (brace - p), .ctx = -1};
                if (brace[1] == '{') {
                        segs[nseg++] = (struct segment) {.text = "{", .len = 1, .ctx = -1};
                        p = brace + 2;
                        continue;
                }
                const char *close = strchr(brace, '}');
                struct srcmap map = scalar_map(y, n, text, (size_t) (brace + 1 - text));
                unsigned line, col;
                if (!close) {
                        struct srcmap at_brace = scalar_map(y, n, text, (size_t) (brace - text));
                        srcmap_position(&at_brace, 0, &line, &col);
                        compiler_error(&y->c, line, col, "'{' in the message is not closed by '}'");
                        ok = false;
                        break;
                }
                srcmap_position(&map, 0, &line, &col);
                char *inner = arena_strndup(rs->arena, brace + 1, (size_t) (close - brace - 1));
                if (!inner) {
                        y->c.nomem = true;
                        return;
                }
                struct segment s = {.ctx = -1};
                unsigned allowed = ctx_allowed(r);
                bool known_elsewhere = false;
                for (int i = 0; i < _CTX_MAX; i++)
                        if (strcmp(inner, ctx_names[i]) == 0) {
                                if (allowed & (1u << i))
                                        s.ctx = i;
                                else
                                        known_elsewhere = true;
                        }
                if (s.ctx < 0 && (!record_context || (known_elsewhere && ruleset_field_index(rs, inner) < 0))) {
                        char list[200] = "";
                        for (int i = 0; i < _CTX_MAX; i++)
                                if (allowed & (1u << i)) {
                                        size_t len = strlen(list);
                                        snprintf(list + len, sizeof(list) - len, "%s{%s}", len ? ", " : "", ctx_names[i]);
                                }
                        if (record_context)
                                compiler_error(&y->c, line, col,
                                               "placeholder {%s} is not available in this kind of rule%s%s%s; fields are shown with their name, e.g. {%s}",
                                               inner, *list ? " (it has " : "", list, *list ? ")" : "",
                                               rs->nfields ? rs->fields[0].name : "feld");
                        else
                                compiler_error(&y->c, line, col, "unknown placeholder {%s} for this kind of rule (%s%s)",
                                               inner, *list ? "it has " : "it has none", list);
                        ok = false;
                        break;
                }
                if (s.ctx < 0) {
                        y->c.allow_label = true;
                        int e = expr_compile(&y->c, inner, &map, &s.prog);
                        y->c.allow_label = false;
                        if (e < 0) {
                                ok = false;
                                break;
                        }
                }
                segs[nseg++] = s;
                p = close + 1;
        }
        if (!ok)
                return;
        r->message.segs = arena_array(rs->arena, nseg ? nseg : 1, sizeof(*segs));
        if (!r->message.segs) {
                y->c.nomem = true;
                return;
        }
        memcpy(r->message.segs, segs, nseg * sizeof(*segs));
        r->message.n = nseg;
}

/* ---- examples ---- */

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool compile_example_record(struct yctx *y, yaml_node_t *n, struct example_record *er, struct example *ex,
                                   bool allow_shape) {
        struct ruleset *rs = y->c.rs;
        if (!yamldoc_is_mapping(&y->yd, n, "an example"))
                return false;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        er->names = arena_array(rs->arena, count ? count : 1, sizeof(char *));
        er->values = arena_array(rs->arena, count ? count : 1, sizeof(char *));
        if (!er->names || !er->values) {
                y->c.nomem = true;
                return false;
        }
        bool ok = true;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&y->yd, p->key), *v = yamldoc_node(&y->yd, p->value);
                const char *name = yamldoc_scalar(&y->yd, k, "a field name");
                if (!name || !v) {
                        ok = false;
                        continue;
                }
                if (name[0] == '_') {
                        if (strcmp(name, "_append") == 0 || strcmp(name, "_append_hex") == 0) {
                                const char *s = yamldoc_scalar(&y->yd, v, name);
                                if (!s) {
                                        ok = false;
                                        continue;
                                }
                                if (name[7] == '_') {
                                        size_t len = strlen(s);
                                        char *bytes = arena_alloc(rs->arena, len / 2 + 1);
                                        if (!bytes) {
                                                y->c.nomem = true;
                                                return false;
                                        }
                                        if (len % 2) {
                                                yamldoc_error(&y->yd, v, "_append_hex needs an even number of hex digits");
                                                ok = false;
                                                continue;
                                        }
                                        for (size_t i = 0; i < len; i += 2) {
                                                int hi = hexval(s[i]), lo = hexval(s[i + 1]);
                                                if (hi < 0 || lo < 0) {
                                                        yamldoc_error(&y->yd, v, "_append_hex: '%c%c' is not a hex byte", s[i], s[i + 1]);
                                                        ok = false;
                                                        break;
                                                }
                                                bytes[i / 2] = (char) (hi * 16 + lo);
                                        }
                                        er->append = bytes;
                                        er->append_len = len / 2;
                                } else {
                                        er->append = pdup(y, s);
                                        er->append_len = strlen(s);
                                }
                                continue;
                        }
                        if (allow_shape && strcmp(name, "_records") == 0) {
                                if (!yamldoc_is_sequence(&y->yd, v, "_records")) {
                                        ok = false;
                                        continue;
                                }
                                yaml_node_item_t *it = v->data.sequence.items.start;
                                size_t nrec = (size_t) (v->data.sequence.items.top - it);
                                if (nrec == 0 || nrec > 1000) {
                                        yamldoc_error(&y->yd, v, "_records must hold 1 to 1000 records");
                                        ok = false;
                                        continue;
                                }
                                ex->records = arena_array(rs->arena, nrec, sizeof(*ex->records));
                                if (!ex->records) {
                                        y->c.nomem = true;
                                        return false;
                                }
                                for (size_t i = 0; i < nrec; i++) {
                                        yaml_node_t *rn = yamldoc_node(&y->yd, it[i]);
                                        if (!rn || !compile_example_record(y, rn, &ex->records[i], ex, false))
                                                ok = false;
                                }
                                ex->nrecords = (unsigned) nrec;
                                continue;
                        }
                        if (allow_shape && strcmp(name, "_header_append") == 0) {
                                const char *h = yamldoc_scalar(&y->yd, v, name);
                                if (h)
                                        ex->header_append = pdup(y, h);
                                else
                                        ok = false;
                                continue;
                        }
                        if (allow_shape && strcmp(name, "_drop") == 0) {
                                if (!yamldoc_is_sequence(&y->yd, v, "_drop")) {
                                        ok = false;
                                        continue;
                                }
                                yaml_node_item_t *it = v->data.sequence.items.start;
                                size_t nd = (size_t) (v->data.sequence.items.top - it);
                                ex->drop = arena_array(rs->arena, nd ? nd : 1, sizeof(char *));
                                if (!ex->drop) {
                                        y->c.nomem = true;
                                        return false;
                                }
                                for (size_t i = 0; i < nd; i++) {
                                        yaml_node_t *dn = yamldoc_node(&y->yd, it[i]);
                                        const char *d = yamldoc_scalar(&y->yd, dn, "a column");
                                        if (d && ruleset_field_index(rs, d) < 0) {
                                                yamldoc_error(&y->yd, dn, "_drop: unknown field '%s'", d);
                                                ok = false;
                                        } else if (d)
                                                ex->drop[ex->ndrop++] = pdup(y, d);
                                }
                                continue;
                        }
                        if (allow_shape)
                                yamldoc_error(&y->yd, k, "unknown example key '%s' (known: _records, _drop, _append, _append_hex, _header_append)",
                                     name);
                        else
                                yamldoc_error(&y->yd, k, "'%s' cannot be used here (a single record knows only _append and _append_hex)",
                                     name);
                        ok = false;
                        continue;
                }
                if (ruleset_field_index(rs, name) < 0) {
                        yamldoc_error(&y->yd, k, "example: unknown field '%s'", name);
                        ok = false;
                        continue;
                }
                er->names[er->n] = pdup(y, name);
                if (yamldoc_is_null(v))
                        er->values[er->n] = NULL;
                else {
                        const char *s = yamldoc_scalar(&y->yd, v, "an example value");
                        if (!s) {
                                ok = false;
                                continue;
                        }
                        er->values[er->n] = pdup(y, s);
                }
                er->n++;
        }
        return ok;
}

static void compile_examples(struct yctx *y, struct rule *r, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!yamldoc_is_mapping(&y->yd, n, "examples"))
                return;
        static const char *const keys[] = {"pass", "fail"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "examples");
        size_t total = 0;
        for (int i = 0; i < 2; i++)
                if (v[i] && yamldoc_is_sequence(&y->yd, v[i], keys[i]))
                        total += (size_t) (v[i]->data.sequence.items.top - v[i]->data.sequence.items.start);
        r->examples = arena_array(rs->arena, total ? total : 1, sizeof(*r->examples));
        if (!r->examples) {
                y->c.nomem = true;
                return;
        }
        for (int i = 0; i < 2; i++) {
                if (!v[i] || v[i]->type != YAML_SEQUENCE_NODE)
                        continue;
                for (yaml_node_item_t *it = v[i]->data.sequence.items.start; it < v[i]->data.sequence.items.top; it++) {
                        yaml_node_t *en = yamldoc_node(&y->yd, *it);
                        if (!en)
                                continue;
                        struct example *ex = &r->examples[r->nexamples];
                        *ex = (struct example) {.expect_fail = i == 1, .line = yamldoc_line(en)};
                        struct example_record single = {0};
                        if (!compile_example_record(y, en, &single, ex, true))
                                continue;
                        if (ex->nrecords > 0 && single.n > 0) {
                                yamldoc_error(&y->yd, en, "an example with _records sets its fields inside the records");
                                continue;
                        }
                        if (ex->nrecords == 0) {
                                ex->records = arena_alloc(rs->arena, sizeof(*ex->records));
                                if (!ex->records) {
                                        y->c.nomem = true;
                                        return;
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
                        r->nexamples++;
                }
        }
}

/* ---- rules ---- */

static const char *const builtin_names[_BUILTIN_MAX] = {
        [BUILTIN_MISSING_COLUMN] = "missing_column", [BUILTIN_FIELD_COUNT] = "field_count",
        [BUILTIN_SAME_AS_FIRST] = "same_as_first", [BUILTIN_REQUIRED] = "required", [BUILTIN_CODE] = "code",
        [BUILTIN_FORMAT] = "format", [BUILTIN_ENCODING] = "encoding", [BUILTIN_UNREADABLE] = "unreadable",
};

static int compile_expr_node(struct yctx *y, yaml_node_t *n, struct program *p, enum value_type want,
                             const char *what) {
        const char *src = yamldoc_scalar(&y->yd, n, what);
        if (!src)
                return -EINVAL;
        struct srcmap map = scalar_map(y, n, src, 0);
        int e = expr_compile(&y->c, src, &map, p);
        if (e < 0)
                return e;
        if (p->type != want && !(want == VT_INT && p->type == VT_DIGITS)) {
                static const char *const names[] = {[VT_BOOL] = "a condition (true/false)", [VT_MONTH] = "a month"};
                yamldoc_error(&y->yd, n, "%s must be %s", what, want < ELEMENTSOF(names) && names[want] ? names[want] : "something else");
                return -EINVAL;
        }
        return 0;
}

/* Builds "when and not check" from two compiled programs by concatenating their code. */
static int combine_when_check(struct yctx *y, struct program *out, const struct program *when,
                              const struct program *check) {
        unsigned n = (when ? when->n + 1 : 0) + check->n + (when ? 2 : 1);
        struct insn *code = arena_array(y->c.rs->arena, n, sizeof(*code));
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
        if (when && y->c.rs->max_stack < VM_STACK)
                y->c.rs->max_stack++;
        if (y->c.rs->max_stack > VM_STACK) {
                yamldoc_error(&y->yd, NULL, "expression needs too deep a stack");
                return -EINVAL;
        }
        return 0;
}

/*
 * previous_year: {missing: {where: {FIELD: CODE}, match: [FIELD...]}}
 *             or {count_change: {by: FIELD[.LEVEL], max_change: 0.30, min_count: N}}
 * Compared at load time with the previous Berichtsjahr of the same reporting unit, so the
 * pack needs a year field and a delivery unit. Returns false when the kind is unknown.
 */
static bool compile_previous_year(struct yctx *y, struct rule *r, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        r->where_field = r->where_code = r->by_field = r->by_level = -1;
        if (!yamldoc_is_mapping(&y->yd, n, "previous_year"))
                return false;
        static const char *const keys[] = {"missing", "count_change"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "previous_year");
        if (!!v[0] + !!v[1] != 1) {
                yamldoc_error(&y->yd, n, "rule %s: previous_year needs exactly one of 'missing' and 'count_change'", r->id);
                return false;
        }
        if (rs->year_field < 0 || !rs->has_delivery)
                yamldoc_error(&y->yd, n,
                              "rule %s: previous_year needs the data set's year field and a 'delivery' section "
                              "(the reporting unit to compare)", r->id);
        if (v[0]) {
                r->previous = PREVIOUS_MISSING;
                if (!yamldoc_is_mapping(&y->yd, v[0], "missing"))
                        return true;
                static const char *const mkeys[] = {"where", "match"};
                yaml_node_t *m[ELEMENTSOF(mkeys)];
                yamldoc_take_keys(&y->yd, v[0], mkeys, ELEMENTSOF(mkeys), m, "missing");
                if (rs->nkey == 0)
                        yamldoc_error(&y->yd, v[0], "rule %s: 'missing' finds last year's records by the pack's 'key', "
                                      "and the pack has none", r->id);
                if (m[1]) {
                        int cnt = field_list(y, m[1], &r->match, "match");
                        if (cnt > 0)
                                r->nmatch = (unsigned) cnt;
                }
                if (m[0] && yamldoc_is_mapping(&y->yd, m[0], "where")) {
                        yaml_node_pair_t *pair = m[0]->data.mapping.pairs.start;
                        if (m[0]->data.mapping.pairs.top - pair != 1) {
                                yamldoc_error(&y->yd, m[0], "rule %s: 'where' takes one field and one of its codes", r->id);
                                return true;
                        }
                        yaml_node_t *kn = yamldoc_node(&y->yd, pair->key), *vn = yamldoc_node(&y->yd, pair->value);
                        const char *fname = yamldoc_scalar(&y->yd, kn, "a field name");
                        const char *code = yamldoc_scalar(&y->yd, vn, "a code");
                        int f = fname ? ruleset_field_index(rs, fname) : -1;
                        if (fname && f < 0)
                                yamldoc_error(&y->yd, kn, "where: unknown field '%s'", fname);
                        else if (f >= 0 && rs->fields[f].type != FIELD_CODE)
                                yamldoc_error(&y->yd, kn, "where: '%s' is not a code field", fname);
                        else if (f >= 0 && code) {
                                int c = codelist_find(rs->fields[f].codes, code, strlen(code));
                                if (c < 0)
                                        yamldoc_error(&y->yd, vn, "where: '%s' is not a code of %s", code, fname);
                                r->where_field = f;
                                r->where_code = c;
                        }
                }
        } else {
                r->previous = PREVIOUS_COUNT_CHANGE;
                if (!yamldoc_is_mapping(&y->yd, v[1], "count_change"))
                        return true;
                static const char *const ckeys[] = {"by", "max_change", "min_count"};
                yaml_node_t *c[ELEMENTSOF(ckeys)];
                yamldoc_take_keys(&y->yd, v[1], ckeys, ELEMENTSOF(ckeys), c, "count_change");
                if (!c[0] || !c[1])
                        yamldoc_error(&y->yd, v[1], "rule %s: count_change needs 'by' and 'max_change'", r->id);
                const char *by = yamldoc_scalar(&y->yd, c[0], "by");
                if (by) {
                        const char *dot = strchr(by, '.');
                        size_t flen = dot ? (size_t) (dot - by) : strlen(by);
                        int f = -1;
                        for (unsigned i = 0; i < rs->nfields && f < 0; i++)
                                if (strlen(rs->fields[i].name) == flen && memcmp(rs->fields[i].name, by, flen) == 0)
                                        f = (int) i;
                        const struct hierarchy *h = f >= 0 ? rs->fields[f].hierarchy : NULL;
                        if (f < 0)
                                yamldoc_error(&y->yd, c[0], "by: unknown field '%.*s'", (int) flen, by);
                        else if (!dot && rs->fields[f].type != FIELD_CODE)
                                yamldoc_error(&y->yd, c[0], "by: '%s' is not a code field", by);
                        else if (dot && !h)
                                yamldoc_error(&y->yd, c[0], "by: field '%.*s' has no hierarchy", (int) flen, by);
                        else if (dot) {
                                for (unsigned l = 0; l < h->nlevels && r->by_level < 0; l++)
                                        if (strcmp(h->levels[l], dot + 1) == 0)
                                                r->by_level = (int) l;
                                if (r->by_level < 0)
                                        yamldoc_error(&y->yd, c[0], "by: hierarchy '%s' has no level '%s'", h->name, dot + 1);
                        }
                        r->by_field = f;
                }
                const char *mc = yamldoc_scalar(&y->yd, c[1], "max_change");
                char *end = NULL;
                if (mc && (!*mc || (r->max_change = strtod(mc, &end), *end) || !(r->max_change >= 0) ||
                           r->max_change > 100))
                        yamldoc_error(&y->yd, c[1], "rule %s: max_change must be a number from 0 to 100 (0.30 = 30 %%), not '%s'",
                                      r->id, mc);
                if (c[2])
                        (void) yamldoc_get_int(&y->yd, c[2], 0, INT32_MAX, &r->min_count, "min_count");
                if (r->field < 0)
                        r->field = r->by_field;
        }
        return true;
}

static void compile_rule(struct yctx *y, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        static const char *const keys[] = {"id", "severity", "title", "message", "field", "check", "when",
                                           "builtin", "share", "max_share", "unique", "overlap", "previous_year",
                                           "examples"};
        enum { K_ID, K_SEV, K_TITLE, K_MSG, K_FIELD, K_CHECK, K_WHEN, K_BUILTIN, K_SHARE, K_MAXSHARE, K_UNIQUE,
               K_OVERLAP, K_PREVIOUS, K_EXAMPLES };
        yaml_node_t *v[ELEMENTSOF(keys)];
        if (!yamldoc_is_mapping(&y->yd, n, "a rule"))
                return;
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "a rule");
        struct rule *r = &rs->rules[rs->nrules];
        *r = (struct rule) {.field = -1, .group = -1, .line = yamldoc_line(n)};
        const char *id = yamldoc_scalar(&y->yd, v[K_ID], "id");
        if (!v[K_ID]) {
                yamldoc_error(&y->yd, n, "rule has no 'id'");
                return;
        }
        if (!id)
                return;
        bool id_ok = *id && strlen(id) <= MAX_ID_LEN;
        for (const char *s = id; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        id_ok = false;
        if (!id_ok) {
                yamldoc_error(&y->yd, v[K_ID], "rule id '%s' must be 1 to %d letters, digits or '_'", id, MAX_ID_LEN);
                return;
        }
        for (unsigned i = 0; i < rs->nrules; i++)
                if (strcmp(rs->rules[i].id, id) == 0) {
                        yamldoc_error(&y->yd, v[K_ID], "rule id '%s' is used twice (first on line %u)", id, rs->rules[i].line);
                        return;
                }
        r->id = pdup(y, id);
        const char *sev = yamldoc_scalar(&y->yd, v[K_SEV], "severity");
        if (!v[K_SEV])
                yamldoc_error(&y->yd, n, "rule %s has no 'severity'", id);
        else if (sev) {
                if (strcmp(sev, "error") == 0)
                        r->severity = SEVERITY_ERROR;
                else if (strcmp(sev, "warning") == 0)
                        r->severity = SEVERITY_WARNING;
                else if (strcmp(sev, "file") == 0)
                        r->severity = SEVERITY_FILE;
                else
                        yamldoc_error(&y->yd, v[K_SEV], "rule %s: severity must be error, warning or file, not '%s'", id, sev);
        }
        const char *title = yamldoc_scalar(&y->yd, v[K_TITLE], "title");
        r->title = title ? pdup(y, title) : r->id;
        const char *fname = yamldoc_scalar(&y->yd, v[K_FIELD], "field");
        if (fname && (r->field = ruleset_field_index(rs, fname)) < 0)
                yamldoc_error(&y->yd, v[K_FIELD], "rule %s: unknown field '%s'", id, fname);

        int kinds = !!v[K_CHECK] + !!v[K_BUILTIN] + !!v[K_SHARE] + !!v[K_UNIQUE] + !!v[K_OVERLAP] + !!v[K_PREVIOUS];
        if (kinds != 1) {
                char found[120] = "";
                static const int kind_keys[] = {K_CHECK, K_BUILTIN, K_SHARE, K_UNIQUE, K_OVERLAP, K_PREVIOUS};
                for (size_t i = 0; i < ELEMENTSOF(kind_keys); i++)
                        if (v[kind_keys[i]]) {
                                size_t len = strlen(found);
                                snprintf(found + len, sizeof(found) - len, "%s%s", len ? " and " : "", keys[kind_keys[i]]);
                        }
                if (kinds == 0)
                        yamldoc_error(&y->yd, n, "rule %s needs one of check, builtin, share, unique, overlap, previous_year",
                                      id);
                else
                        yamldoc_error(&y->yd, n, "rule %s has %s; a rule is of exactly one kind", id, found);
                return;
        }
        bool message_ok = true;
        if (v[K_WHEN] && !v[K_CHECK])
                yamldoc_error(&y->yd, v[K_WHEN], "rule %s: 'when' goes with 'check'", id);
        if (v[K_MAXSHARE] && !v[K_SHARE])
                yamldoc_error(&y->yd, v[K_MAXSHARE], "rule %s: 'max_share' goes with 'share'", id);

        if (v[K_CHECK]) {
                r->kind = RULE_CHECK;
                struct program check, when;
                int e1 = compile_expr_node(y, v[K_CHECK], &check, VT_BOOL, "check");
                int e2 = v[K_WHEN] ? compile_expr_node(y, v[K_WHEN], &when, VT_BOOL, "when") : 0;
                if (e1 >= 0 && e2 >= 0 && combine_when_check(y, &r->prog, v[K_WHEN] ? &when : NULL, &check) == -ENOMEM)
                        y->c.nomem = true;
                if (r->field < 0 && e1 >= 0)
                        r->field = r->prog.first_field;
        } else if (v[K_BUILTIN]) {
                r->kind = RULE_BUILTIN;
                const char *b = yamldoc_scalar(&y->yd, v[K_BUILTIN], "builtin");
                int which = -1;
                for (int i = 0; b && i < _BUILTIN_MAX; i++)
                        if (strcmp(builtin_names[i], b) == 0)
                                which = i;
                if (b && which < 0) {
                        yamldoc_error(&y->yd, v[K_BUILTIN],
                             "rule %s: unknown builtin '%s' (known: missing_column, field_count, same_as_first, required, code, format, encoding, unreadable)",
                             id, b);
                        message_ok = false; /* its placeholders are unknown too */
                }
                else if (which >= 0 && rs->builtin_rule[which] >= 0)
                        yamldoc_error(&y->yd, v[K_BUILTIN], "rule %s: builtin '%s' is already rule %s", id, b,
                             rs->rules[rs->builtin_rule[which]].id);
                else if (which >= 0) {
                        r->builtin = (enum builtin) which;
                        rs->builtin_rule[which] = (int) rs->nrules;
                        if (which == BUILTIN_SAME_AS_FIRST && !v[K_FIELD])
                                yamldoc_error(&y->yd, n, "rule %s: same_as_first needs 'field'", id);
                }
        } else if (v[K_SHARE]) {
                r->kind = RULE_SHARE;
                compile_expr_node(y, v[K_SHARE], &r->prog, VT_BOOL, "share");
                r->max_share = 0;
                const char *ms = yamldoc_scalar(&y->yd, v[K_MAXSHARE], "max_share");
                char *end = NULL;
                if (!v[K_MAXSHARE])
                        yamldoc_error(&y->yd, n, "rule %s: a share rule needs 'max_share'", id);
                else if (ms && (!*ms || (r->max_share = strtod(ms, &end), *end) || !(r->max_share >= 0) ||
                                r->max_share > 1))
                        yamldoc_error(&y->yd, v[K_MAXSHARE], "rule %s: max_share must be a number from 0 to 1, not '%s'", id, ms);
                if (r->field < 0)
                        r->field = r->prog.first_field;
        } else if (v[K_UNIQUE]) {
                r->kind = RULE_UNIQUE;
                if (v[K_UNIQUE]->type == YAML_SCALAR_NODE) {
                        const char *s = yamldoc_scalar(&y->yd, v[K_UNIQUE], "unique");
                        if (s && strcmp(s, "key") != 0)
                                yamldoc_error(&y->yd, v[K_UNIQUE], "rule %s: unique must be 'key' or a list of fields", id);
                        else if (s && rs->nkey == 0)
                                yamldoc_error(&y->yd, v[K_UNIQUE], "rule %s: 'unique: key' but the pack has no 'key'", id);
                        else {
                                r->unique = rs->key;
                                r->nunique = rs->nkey;
                        }
                } else {
                        int cnt = field_list(y, v[K_UNIQUE], &r->unique, "unique");
                        if (cnt > 0)
                                r->nunique = (unsigned) cnt;
                }
                if (r->field < 0 && r->nunique)
                        r->field = (int) r->unique[r->nunique - 1];
        } else if (v[K_PREVIOUS]) {
                r->kind = RULE_PREVIOUS_YEAR;
                if (!compile_previous_year(y, r, v[K_PREVIOUS]))
                        message_ok = false; /* which placeholders it has is not known */
        } else {
                r->kind = RULE_OVERLAP;
                if (yamldoc_is_mapping(&y->yd, v[K_OVERLAP], "overlap")) {
                        static const char *const okeys[] = {"group", "when", "begin", "end"};
                        yaml_node_t *o[ELEMENTSOF(okeys)];
                        yamldoc_take_keys(&y->yd, v[K_OVERLAP], okeys, ELEMENTSOF(okeys), o, "overlap");
                        if (!o[0] || !o[2] || !o[3])
                                yamldoc_error(&y->yd, v[K_OVERLAP], "rule %s: overlap needs 'group', 'begin' and 'end'", id);
                        const char *g = yamldoc_scalar(&y->yd, o[0], "group");
                        if (g && (r->group = ruleset_field_index(rs, g)) < 0)
                                yamldoc_error(&y->yd, o[0], "rule %s: unknown field '%s'", id, g);
                        if (o[1])
                                compile_expr_node(y, o[1], &r->prog, VT_BOOL, "when");
                        if (o[2])
                                compile_expr_node(y, o[2], &r->begin, VT_MONTH, "begin");
                        if (o[3])
                                compile_expr_node(y, o[3], &r->end, VT_MONTH, "end");
                        if (r->field < 0)
                                r->field = r->begin.first_field;
                }
        }
        if (!v[K_MSG])
                yamldoc_error(&y->yd, n, "rule %s has no 'message'", id);
        else if (message_ok)
                compile_message(y, r, v[K_MSG]);
        if (v[K_EXAMPLES] && r->kind == RULE_PREVIOUS_YEAR)
                yamldoc_error(&y->yd, v[K_EXAMPLES],
                              "rule %s: a previous_year rule compares with earlier deliveries in the database; "
                              "examples cannot show that (test it with plausid load)", id);
        else if (v[K_EXAMPLES])
                compile_examples(y, r, v[K_EXAMPLES]);
        rs->nrules++;
}

static void compile_rules(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n) {
                yamldoc_error(&y->yd, NULL, "the pack has no 'rules' section");
                return;
        }
        if (!yamldoc_is_sequence(&y->yd, n, "rules"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_RULES) {
                yamldoc_error(&y->yd, n, "too many rules (limit is %d)", RULESET_MAX_RULES);
                return;
        }
        rs->rules = arena_array(rs->arena, count ? count : 1, sizeof(*rs->rules));
        if (!rs->rules) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *r = yamldoc_node(&y->yd, *it);
                if (r)
                        compile_rule(y, r);
                if (y->c.nomem)
                        return;
        }
}

/* Joins every record rule's program into one, each followed by OP_VERDICT, so that a
 * record is checked by one run of the evaluator. Jumps are relative and end at their own
 * rule's end, which is where its OP_VERDICT sits. */
static void link_checks(struct yctx *y) {
        struct ruleset *rs = y->c.rs;
        unsigned n = 0;
        for (unsigned i = 0; i < rs->nrules; i++)
                if (rs->rules[i].kind == RULE_CHECK)
                        n += rs->rules[i].prog.n + 1;
        struct insn *code = arena_array(rs->arena, n ? n : 1, sizeof(*code));
        if (!code) {
                y->c.nomem = true;
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

static void compile_year_field(struct yctx *y) {
        struct ruleset *rs = y->c.rs;
        if (rs->year_field >= -1)
                return;
        yaml_node_t *n = &y->yd.doc.nodes.start[-2 - rs->year_field];
        rs->year_field = -1;
        const char *name = yamldoc_scalar(&y->yd, n, "year_field");
        if (!name)
                return;
        int f = ruleset_field_index(rs, name);
        if (f < 0 || (rs->fields[f].type != FIELD_DIGITS && rs->fields[f].type != FIELD_INTEGER))
                yamldoc_error(&y->yd, n, "year_field '%s' must name a digits or integer field", name);
        else
                rs->year_field = f;
}

/* delivery: {unit: [fields], part: field} -- what one delivery covers (rules/README.md). */
static void compile_delivery(struct yctx *y, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        rs->part_field = -1;
        if (!n || !yamldoc_is_mapping(&y->yd, n, "delivery"))
                return;
        static const char *const keys[] = {"unit", "part"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "delivery");
        rs->has_delivery = true;
        if (!v[0])
                yamldoc_error(&y->yd, n, "delivery needs 'unit': the fields that name the reporting unit");
        else {
                int cnt = field_list(y, v[0], &rs->unit, "delivery unit");
                if (cnt > 0)
                        rs->nunit = (unsigned) cnt;
        }
        if (v[1]) {
                const char *name = yamldoc_scalar(&y->yd, v[1], "delivery part");
                int f = name ? ruleset_field_index(rs, name) : -1;
                if (name && f < 0)
                        yamldoc_error(&y->yd, v[1], "delivery part: unknown field '%s'", name);
                else if (f >= 0 && rs->fields[f].type != FIELD_CODE)
                        yamldoc_error(&y->yd, v[1], "delivery part must be a code field ('%s' is not)", name);
                else
                        rs->part_field = f;
        }
        if (rs->year_field < 0)
                yamldoc_error(&y->yd, n, "delivery needs the data set's year field (dataset: year_field)");
}

/* report: {group: FIELD} -- the field a delivery report counts records and findings by
 * (the Sozialraum in hze); without it a report has no such section. */
static void compile_report(struct yctx *y, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        rs->report_group = -1;
        if (!n || !yamldoc_is_mapping(&y->yd, n, "report"))
                return;
        static const char *const keys[] = {"group"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, n, keys, ELEMENTSOF(keys), v, "report");
        const char *name = yamldoc_scalar(&y->yd, v[0], "report group");
        if (!v[0])
                yamldoc_error(&y->yd, n, "report needs 'group': the field a delivery report counts records by");
        else if (name && (rs->report_group = ruleset_field_index(rs, name)) < 0)
                yamldoc_error(&y->yd, v[0], "report group: unknown field '%s'", name);
}

static void compile_document(struct yctx *y) {
        yaml_node_t *root = yamldoc_node(&y->yd, 1);
        if (!root) {
                yamldoc_error(&y->yd, NULL, "the rule pack is empty");
                return;
        }
        if (!yamldoc_is_mapping(&y->yd, root, "the rule pack"))
                return;
        static const char *const keys[] = {"dataset", "input", "key", "codelists", "fields",
                                           "hierarchies", "rules", "example_base", "delivery", "report"};
        enum { K_DATASET, K_INPUT, K_KEY, K_CODELISTS, K_FIELDS, K_HIER, K_RULES, K_BASE, K_DELIVERY, K_REPORT };
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&y->yd, root, keys, ELEMENTSOF(keys), v, "the rule pack");
        struct ruleset *rs = y->c.rs;
        for (int i = 0; i < _BUILTIN_MAX; i++)
                rs->builtin_rule[i] = -1;
        compile_dataset(y, v[K_DATASET]);
        compile_input(y, v[K_INPUT]);
        compile_codelists(y, v[K_CODELISTS]);
        compile_fields(y, v[K_FIELDS]);
        compile_year_field(y);
        compile_hierarchies(y, v[K_HIER]);
        if (v[K_KEY]) {
                int cnt = field_list(y, v[K_KEY], &rs->key, "key");
                if (cnt > 0)
                        rs->nkey = (unsigned) cnt;
        }
        compile_delivery(y, v[K_DELIVERY]);
        compile_report(y, v[K_REPORT]);
        compile_rules(y, v[K_RULES]);
        if (!y->c.errors && !y->c.nomem)
                link_checks(y);
        if (v[K_BASE]) {
                struct example dummy = {0};
                compile_example_record(y, v[K_BASE], &rs->base, &dummy, false);
        }
}

int ruleset_compile_buffer(const char *name, const char *data, size_t len, struct ruleset **ret,
                           struct diaglist *diags) {
        if (len > RULESET_MAX_FILE_BYTES) {
                if (diaglist_add(diags, name, 0, 0, "rule pack too large (limit is %u bytes)", RULESET_MAX_FILE_BYTES) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        struct ruleset *rs = calloc(1, sizeof(*rs));
        if (!rs)
                return -ENOMEM;
        rs->arena = arena_new();
        if (!rs->arena) {
                ruleset_free(rs);
                return -ENOMEM;
        }
        rs->path = arena_strdup(rs->arena, name);
        struct yctx y = {.c = {.rs = rs, .diags = diags, .file = name}};
        y.yd = (struct yamldoc) {.file = name, .diags = diags, .errors = &y.c.errors, .nomem = &y.c.nomem,
                                 .what = "a rule pack", .where = "in rule packs"};
        int r = yamldoc_load(&y.yd, data, len);
        if (r < 0) {
                yamldoc_done(&y.yd);
                ruleset_free(rs);
                return r;
        }
        compile_document(&y);
        free(y.c.code);
        yamldoc_done(&y.yd);
        if (y.c.nomem)
                r = -ENOMEM;
        else if (y.c.errors)
                r = -EINVAL;
        if (r < 0) {
                ruleset_free(rs);
                return r;
        }
        *ret = rs;
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
        free(rs->ints);
        free(rs->strings);
        free(rs->sets);
        arena_free(rs->arena);
        free(rs);
}

const char *ruleset_name(const struct ruleset *rs) {
        return rs->name;
}

const char *ruleset_version(const struct ruleset *rs) {
        return rs->version;
}

const struct reader_options *ruleset_input(const struct ruleset *rs) {
        return &rs->input;
}

unsigned ruleset_rule_count(const struct ruleset *rs) {
        return rs->nrules;
}

const char *ruleset_rule_id(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].id;
}

const char *ruleset_rule_title(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].title;
}

enum severity ruleset_rule_severity(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].severity;
}

bool ruleset_rule_needs_database(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].kind == RULE_PREVIOUS_YEAR;
}

unsigned ruleset_field_count(const struct ruleset *rs) {
        return rs->nfields;
}

const char *ruleset_field_name(const struct ruleset *rs, unsigned field) {
        return rs->fields[field].name;
}

const char *ruleset_field_label(const struct ruleset *rs, unsigned field) {
        return rs->fields[field].label;
}

int ruleset_field_find(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++)
                if (strcmp(rs->fields[i].name, name) == 0)
                        return (int) i;
        return -1;
}

const unsigned *ruleset_key(const struct ruleset *rs, unsigned *ret_n) {
        *ret_n = rs->nkey;
        return rs->key;
}

int ruleset_report_group(const struct ruleset *rs) {
        return rs->report_group;
}

const unsigned *ruleset_delivery_unit(const struct ruleset *rs, unsigned *ret_n) {
        *ret_n = rs->has_delivery ? rs->nunit : 0;
        return rs->unit;
}

const char *severity_name(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "error";
        case SEVERITY_WARNING: return "warning";
        case SEVERITY_FILE: return "file";
        }
        return "?";
}
