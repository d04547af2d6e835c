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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "engine.h"

#define MAX_ID_LEN 16

struct yctx {
        struct compiler c;
        const char *source;     /* the YAML text, for positions inside scalars */
        size_t source_len;
        yaml_document_t *doc;
        unsigned char *seen;    /* per node: visited already (aliases are refused) */
        size_t nnodes;
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

static unsigned nline(const yaml_node_t *n) {
        return (unsigned) n->start_mark.line + 1;
}

static unsigned ncol(const yaml_node_t *n) {
        return (unsigned) n->start_mark.column + 1;
}

_printf_(3, 4) static void yerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...) {
        char msg[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        compiler_error(&y->c, n ? nline(n) : 0, n ? ncol(n) : 0, "%s", msg);
}

static yaml_node_t *node(struct yctx *y, int id) {
        yaml_node_t *n = yaml_document_get_node(y->doc, id);
        if (!n)
                return NULL;
        size_t i = (size_t) (n - y->doc->nodes.start);
        if (i < y->nnodes) {
                if (y->seen[i]) {
                        /* The loader shares aliased nodes; walking them again could make a
                         * small file cost exponential time. */
                        if (y->seen[i] == 1)
                                yerr(y, n, "YAML aliases are not supported in rule packs");
                        y->seen[i] = 2;
                        return NULL;
                }
                y->seen[i] = 1;
        }
        return n;
}

static const char *scalar(struct yctx *y, const yaml_node_t *n, const char *what) {
        if (!n)
                return NULL;
        if (n->type != YAML_SCALAR_NODE) {
                yerr(y, n, "%s must be a single value", what);
                return NULL;
        }
        if (strlen((const char *) n->data.scalar.value) != n->data.scalar.length) {
                yerr(y, n, "%s contains a NUL character", what);
                return NULL;
        }
        return (const char *) n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n) {
        if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        const char *v = (const char *) n->data.scalar.value;
        return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

static bool is_mapping(struct yctx *y, const yaml_node_t *n, const char *what) {
        if (n && n->type != YAML_MAPPING_NODE) {
                yerr(y, n, "%s must be a mapping (key: value)", what);
                return false;
        }
        return n != NULL;
}

static bool is_sequence(struct yctx *y, const yaml_node_t *n, const char *what) {
        if (n && n->type != YAML_SEQUENCE_NODE) {
                yerr(y, n, "%s must be a list", what);
                return false;
        }
        return n != NULL;
}

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
        const char *p = y->source, *end = y->source + y->source_len;
        for (size_t line = 0; line < n->start_mark.line && p < end; p++)
                if (*p == '\n')
                        line++;
        for (size_t col = 0; col < n->start_mark.column && p < end; col++) {
                p++;
                while (p < end && ((unsigned char) *p & 0xC0) == 0x80)
                        p++;
        }
        return (size_t) (p - y->source);
}

static struct srcmap scalar_map(struct yctx *y, const yaml_node_t *n, const char *value, size_t base) {
        return (struct srcmap) {
                .source = y->source,
                .source_len = y->source_len,
                .index = source_offset(y, n),
                .line = nline(n),
                .col = ncol(n),
                .style = n->data.scalar.style,
                .value = value,
                .base = base,
        };
}

struct kv {
        yaml_node_t *key;
        yaml_node_t *value;
        const char *name;
};

/*
 * Walks a mapping whose keys must come from `allowed`; unknown and repeated keys are
 * errors. Values land in out[] in the order of `allowed` (NULL when absent).
 */
static void take_keys(struct yctx *y, const yaml_node_t *map, const char *const *allowed, size_t nallowed,
                      yaml_node_t **out, const char *what) {
        for (size_t i = 0; i < nallowed; i++)
                out[i] = NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(y, p->key);
                const char *name = scalar(y, k, "a key");
                if (!name)
                        continue;
                size_t i = 0;
                while (i < nallowed && strcmp(allowed[i], name) != 0)
                        i++;
                if (i == nallowed) {
                        char list[400] = "";
                        for (size_t j = 0; j < nallowed; j++) {
                                size_t len = strlen(list);
                                snprintf(list + len, sizeof(list) - len, "%s%s", j ? ", " : "", allowed[j]);
                        }
                        yerr(y, k, "unknown key '%s' in %s (known keys: %s)", name, what, list);
                        continue;
                }
                if (out[i]) {
                        yerr(y, k, "key '%s' appears twice in %s", name, what);
                        continue;
                }
                out[i] = node(y, p->value);
        }
}

static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *ret) {
        if (!s || !*s)
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || v < lo || v > hi)
                return false;
        *ret = v;
        return true;
}

static bool get_int(struct yctx *y, const yaml_node_t *n, int64_t lo, int64_t hi, int64_t *ret, const char *what) {
        const char *s = scalar(y, n, what);
        if (!s)
                return false;
        if (!parse_int(s, lo, hi, ret)) {
                yerr(y, n, "%s must be a whole number from %lld to %lld, not '%s'", what, (long long) lo,
                     (long long) hi, s);
                return false;
        }
        return true;
}

static bool get_bool(struct yctx *y, const yaml_node_t *n, bool *ret, const char *what) {
        const char *s = scalar(y, n, what);
        if (!s)
                return false;
        if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
                *ret = true;
        else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
                *ret = false;
        else {
                yerr(y, n, "%s must be true or false, not '%s'", what, s);
                return false;
        }
        return true;
}

static bool is_identifier(const char *s) {
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
                return false;
        for (s++; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
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
                yerr(y, NULL, "the pack has no 'dataset' section");
                return;
        }
        if (!is_mapping(y, n, "dataset"))
                return;
        static const char *const keys[] = {"name", "version", "berichtsjahre", "year_field"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "dataset");
        const char *name = scalar(y, v[0], "dataset.name");
        if (!v[0])
                yerr(y, n, "dataset has no 'name'");
        else if (name && (!is_identifier(name) || strlen(name) > 48))
                yerr(y, v[0], "dataset.name '%s' must be a lower-case identifier of at most 48 characters (it names a table)",
                     name);
        else if (name)
                rs->name = pdup(y, name);
        const char *version = scalar(y, v[1], "dataset.version");
        if (!v[1])
                yerr(y, n, "dataset has no 'version'");
        else if (version)
                rs->version = pdup(y, version);
        rs->year_first = 1900;
        rs->year_last = 2100;
        if (v[2] && is_sequence(y, v[2], "dataset.berichtsjahre")) {
                yaml_node_item_t *it = v[2]->data.sequence.items.start;
                int64_t a, b;
                if (v[2]->data.sequence.items.top - it != 2)
                        yerr(y, v[2], "dataset.berichtsjahre must be [first, last]");
                else if (get_int(y, node(y, it[0]), 1900, 2100, &a, "the first Berichtsjahr") &&
                         get_int(y, node(y, it[1]), 1900, 2100, &b, "the last Berichtsjahr")) {
                        if (a > b)
                                yerr(y, v[2], "dataset.berichtsjahre: %lld comes after %lld", (long long) a, (long long) b);
                        rs->year_first = (int) a;
                        rs->year_last = (int) b;
                }
        }
        if (v[3]) {
                /* Resolved after the fields are known; remember the node. */
                rs->year_field = -2 - (int) (v[3] - y->doc->nodes.start);
        }
}

static void compile_input(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        rs->input = (struct reader_options) {.delimiter = ';', .encoding = READER_ENCODING_AUTO};
        if (!n || !is_mapping(y, n, "input"))
                return;
        static const char *const keys[] = {"delimiter", "encoding"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "input");
        const char *d = scalar(y, v[0], "input.delimiter");
        if (d) {
                if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
                        d = "\t";
                if (strlen(d) != 1 || *d == '"' || *d == '\n' || *d == '\r' || (unsigned char) *d >= 0x80)
                        yerr(y, v[0], "input.delimiter must be one ASCII character other than a quote or line break");
                else
                        rs->input.delimiter = *d;
        }
        const char *e = scalar(y, v[1], "input.encoding");
        if (e && reader_encoding_from_name(e, &rs->input.encoding) < 0)
                yerr(y, v[1], "input.encoding must be auto, utf-8, windows-1252 or iso-8859-15, not '%s'", e);
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
        if (!n || !is_mapping(y, n, "codelists"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->codelists = arena_array(rs->arena, count ? count : 1, sizeof(*rs->codelists));
        if (!rs->codelists) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
                const char *name = scalar(y, k, "a code list name");
                if (!name || !v)
                        continue;
                if (!is_identifier(name)) {
                        yerr(y, k, "code list name '%s' must be a lower-case identifier", name);
                        continue;
                }
                bool twice = false;
                for (unsigned i = 0; i < rs->ncodelists; i++)
                        twice |= strcmp(rs->codelists[i].name, name) == 0;
                if (twice) {
                        yerr(y, k, "code list '%s' is defined twice", name);
                        continue;
                }
                if (!is_mapping(y, v, "a code list"))
                        continue;
                size_t ncodes = (size_t) (v->data.mapping.pairs.top - v->data.mapping.pairs.start);
                if (ncodes == 0) {
                        yerr(y, v, "code list '%s' is empty", name);
                        continue;
                }
                if (ncodes > RULESET_MAX_CODES) {
                        yerr(y, v, "code list '%s' has too many codes (limit is %d)", name, RULESET_MAX_CODES);
                        continue;
                }
                struct code_entry *e = calloc(ncodes, sizeof(*e));
                if (!e) {
                        y->c.nomem = true;
                        return;
                }
                size_t m = 0;
                for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                        yaml_node_t *ck = node(y, q->key), *cv = node(y, q->value);
                        const char *code = scalar(y, ck, "a code");
                        const char *label = scalar(y, cv, "a code's label");
                        if (!code || !label)
                                continue;
                        size_t len = strlen(code);
                        if (len == 0 || len > 8) {
                                yerr(y, ck, "code '%s' must have 1 to 8 characters", code);
                                continue;
                        }
                        e[m++] = (struct code_entry) {.key = pack8(code), .code = code, .label = label, .node = ck};
                }
                qsort(e, m, sizeof(*e), cmp_code);
                struct codelist *cl = &rs->codelists[rs->ncodelists++];
                cl->name = pdup(y, name);
                cl->line = nline(k);
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
                                yerr(y, e[i].node, "code '%s' appears twice in code list '%s'", e[i].code, name);
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
        if (!is_mapping(y, n, "a field"))
                return;
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "a field");
        const char *name = scalar(y, v[K_NAME], "field name");
        if (!v[K_NAME]) {
                yerr(y, n, "field has no 'name'");
                return;
        }
        if (!name)
                return;
        if (!is_identifier(name) || strlen(name) > 63) {
                yerr(y, v[K_NAME], "field name '%s' must be a lower-case identifier of at most 63 characters", name);
                return;
        }
        if (strcmp(name, "report_end") == 0 || strcmp(name, "and") == 0 || strcmp(name, "or") == 0 ||
            strcmp(name, "not") == 0 || strcmp(name, "in") == 0) {
                yerr(y, v[K_NAME], "'%s' is a reserved word and cannot name a field", name);
                return;
        }
        if (name_taken(rs, name)) {
                yerr(y, v[K_NAME], "field or alias '%s' is defined twice", name);
                return;
        }
        struct field *f = &rs->fields[rs->nfields];
        *f = (struct field) {.line = nline(n), .col = ncol(n), .column_required = true, .min = INT64_MIN, .max = INT64_MAX};
        f->name = pdup(y, name);
        const char *label = scalar(y, v[K_LABEL], "field label");
        f->label = label ? pdup(y, label) : f->name;

        if (v[K_ALIASES] && is_sequence(y, v[K_ALIASES], "aliases")) {
                yaml_node_item_t *it = v[K_ALIASES]->data.sequence.items.start;
                size_t na = (size_t) (v[K_ALIASES]->data.sequence.items.top - it);
                f->aliases = arena_array(rs->arena, na ? na : 1, sizeof(char *));
                if (!f->aliases) {
                        y->c.nomem = true;
                        return;
                }
                for (size_t i = 0; i < na; i++) {
                        yaml_node_t *an = node(y, it[i]);
                        const char *a = scalar(y, an, "an alias");
                        if (!a)
                                continue;
                        if (!*a || name_taken(rs, a) || strcasecmp(a, name) == 0) {
                                yerr(y, an, "alias '%s' is empty or already names a field", a);
                                continue;
                        }
                        f->aliases[f->naliases++] = pdup(y, a);
                }
        }

        const char *type = scalar(y, v[K_TYPE], "field type");
        static const char *const types[] = {[FIELD_DIGITS] = "digits", [FIELD_CODE] = "code", [FIELD_MONTH] = "month",
                                            [FIELD_INTEGER] = "integer", [FIELD_TEXT] = "text"};
        int t = -1;
        for (unsigned i = 0; type && i < ELEMENTSOF(types); i++)
                if (strcmp(types[i], type) == 0)
                        t = (int) i;
        if (!v[K_TYPE])
                yerr(y, n, "field '%s' has no 'type'", name);
        else if (type && t < 0)
                yerr(y, v[K_TYPE], "field '%s': type must be digits, code, month, integer or text, not '%s'", name, type);
        f->type = t < 0 ? FIELD_TEXT : (enum field_type) t;

        int64_t num;
        if (v[K_LENGTH]) {
                if (f->type != FIELD_DIGITS)
                        yerr(y, v[K_LENGTH], "field '%s': 'length' is only for digits fields", name);
                else if (get_int(y, v[K_LENGTH], 1, 18, &num, "length"))
                        f->length = (unsigned) num;
        } else if (f->type == FIELD_DIGITS && t >= 0)
                yerr(y, n, "digits field '%s' needs a 'length'", name);
        if (v[K_MAXLEN]) {
                if (f->type != FIELD_TEXT)
                        yerr(y, v[K_MAXLEN], "field '%s': 'max_length' is only for text fields", name);
                else if (get_int(y, v[K_MAXLEN], 1, 65536, &num, "max_length"))
                        f->max_length = (unsigned) num;
        }
        for (int which = 0; which < 2; which++) {
                yaml_node_t *vn = v[which ? K_MAX : K_MIN];
                if (!vn)
                        continue;
                if (f->type != FIELD_INTEGER)
                        yerr(y, vn, "field '%s': '%s' is only for integer fields", name, which ? "max" : "min");
                else if (get_int(y, vn, -1000000000000LL, 1000000000000LL, &num, which ? "max" : "min")) {
                        if (which)
                                f->max = num;
                        else
                                f->min = num;
                }
        }
        if (f->min > f->max)
                yerr(y, n, "field '%s': min is greater than max", name);
        const char *codes = scalar(y, v[K_CODES], "codes");
        if (f->type == FIELD_CODE && t >= 0) {
                if (!v[K_CODES])
                        yerr(y, n, "code field '%s' needs 'codes' (the name of a code list)", name);
                else if (codes && !(f->codes = find_codelist(rs, codes)))
                        yerr(y, v[K_CODES], "field '%s': unknown code list '%s'", name, codes);
        } else if (v[K_CODES])
                yerr(y, v[K_CODES], "field '%s': 'codes' is only for code fields", name);
        const char *zeros = scalar(y, v[K_ZEROS], "leading_zeros");
        if (zeros) {
                if (strcmp(zeros, "restore") != 0 && strcmp(zeros, "keep") != 0)
                        yerr(y, v[K_ZEROS], "leading_zeros must be 'restore' or 'keep', not '%s'", zeros);
                else if (strcmp(zeros, "restore") == 0) {
                        if (f->type == FIELD_CODE && f->codes && (!f->codes->common_len || !f->codes->all_digits))
                                yerr(y, v[K_ZEROS],
                                     "field '%s': leading zeros can only be restored when all codes of list '%s' are digits of one length",
                                     name, f->codes->name);
                        else if (f->type != FIELD_CODE && f->type != FIELD_DIGITS)
                                yerr(y, v[K_ZEROS], "field '%s': leading_zeros is only for digits and code fields", name);
                        f->restore_zeros = true;
                }
        }
        const char *column = scalar(y, v[K_COLUMN], "column");
        if (column) {
                if (strcmp(column, "required") == 0)
                        f->column_required = true;
                else if (strcmp(column, "optional") == 0)
                        f->column_required = false;
                else
                        yerr(y, v[K_COLUMN], "column must be 'required' or 'optional', not '%s'", column);
        }
        if (v[K_REQUIRED])
                get_bool(y, v[K_REQUIRED], &f->required, "required");
        if (f->name)
                rs->nfields++;
}

static void compile_fields(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n) {
                yerr(y, NULL, "the pack has no 'fields' section");
                return;
        }
        if (!is_sequence(y, n, "fields"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_FIELDS) {
                yerr(y, n, "too many fields (limit is %d)", RULESET_MAX_FIELDS);
                return;
        }
        if (count == 0) {
                yerr(y, n, "the pack declares no fields");
                return;
        }
        rs->fields = arena_array(rs->arena, count, sizeof(*rs->fields));
        if (!rs->fields) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *f = node(y, *it);
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
                const char *s = scalar(y, vn, "a level value");
                if (s && (ch->value = intern_level_value(y, h, level, s, cap)) < 0)
                        yerr(y, vn, "too many distinct values for level '%s'", h->levels[level]);
                return;
        }
        if (!is_mapping(y, vn, "a level value"))
                return;
        static const char *const keys[] = {"by", "cases", "default"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, vn, keys, ELEMENTSOF(keys), v, "a decided level");
        const char *by = scalar(y, v[0], "by");
        const char *def = scalar(y, v[2], "default");
        if (!v[0] || !v[1] || !v[2]) {
                yerr(y, vn, "a decided level needs 'by', 'cases' and 'default'");
                return;
        }
        if (!by || !def)
                return;
        int bf = ruleset_field_index(rs, by);
        if (bf < 0 || rs->fields[bf].type != FIELD_CODE || !rs->fields[bf].codes) {
                yerr(y, v[0], "'by: %s' must name a code field", by);
                return;
        }
        ch->by_field = bf;
        if ((ch->value = intern_level_value(y, h, level, def, cap)) < 0)
                yerr(y, v[2], "too many distinct values for level '%s'", h->levels[level]);
        const struct codelist *cl = rs->fields[bf].codes;
        int *cases = arena_array(rs->arena, cl->n, sizeof(int));
        if (!cases) {
                y->c.nomem = true;
                return;
        }
        for (unsigned i = 0; i < cl->n; i++)
                cases[i] = -1;
        ch->cases = cases;
        if (!is_mapping(y, v[1], "cases"))
                return;
        for (yaml_node_pair_t *p = v[1]->data.mapping.pairs.start; p < v[1]->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(y, p->key), *val = node(y, p->value);
                const char *code = scalar(y, k, "a code"), *value = scalar(y, val, "a level value");
                if (!code || !value)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0) {
                        yerr(y, k, "'%s' is not a code of list '%s' (field %s)", code, cl->name, by);
                        continue;
                }
                if (cases[idx] >= 0)
                        yerr(y, k, "code '%s' appears twice in cases", code);
                if ((cases[idx] = intern_level_value(y, h, level, value, cap)) < 0)
                        yerr(y, val, "too many distinct values for level '%s'", h->levels[level]);
        }
}

static void compile_hierarchy(struct yctx *y, const char *name, yaml_node_t *k, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!is_mapping(y, n, "a hierarchy"))
                return;
        static const char *const keys[] = {"field", "levels", "codes"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "a hierarchy");
        if (!v[0] || !v[1] || !v[2]) {
                yerr(y, n, "hierarchy '%s' needs 'field', 'levels' and 'codes'", name);
                return;
        }
        const char *fname = scalar(y, v[0], "field");
        if (!fname)
                return;
        int f = ruleset_field_index(rs, fname);
        if (f < 0 || rs->fields[f].type != FIELD_CODE || !rs->fields[f].codes) {
                yerr(y, v[0], "hierarchy '%s': '%s' is not a code field", name, fname);
                return;
        }
        if (rs->fields[f].hierarchy) {
                yerr(y, v[0], "field '%s' has a hierarchy already", fname);
                return;
        }
        if (!is_sequence(y, v[1], "levels"))
                return;
        struct hierarchy *h = &rs->hierarchies[rs->nhierarchies];
        h->name = pdup(y, name);
        h->field = (unsigned) f;
        yaml_node_item_t *it = v[1]->data.sequence.items.start;
        size_t nlevels = (size_t) (v[1]->data.sequence.items.top - it);
        if (nlevels == 0 || nlevels > 8) {
                yerr(y, v[1], "a hierarchy has 1 to 8 levels");
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
                yaml_node_t *ln = node(y, it[i]);
                const char *level = scalar(y, ln, "a level name");
                if (level && !is_identifier(level))
                        yerr(y, ln, "level name '%s' must be a lower-case identifier", level);
                for (size_t j = 0; level && j < i; j++)
                        if (h->levels[j] && strcmp(h->levels[j], level) == 0)
                                yerr(y, ln, "level '%s' appears twice", level);
                h->levels[i] = level ? pdup(y, level) : "?";
                if (!(h->values[i] = arena_array(rs->arena, cap, sizeof(char *)))) {
                        y->c.nomem = true;
                        return;
                }
                h->nlevels++;
        }
        for (size_t i = 0; i < (size_t) cl->n * nlevels; i++)
                h->choices[i] = (struct level_choice) {.by_field = -1, .value = -1};
        if (!is_mapping(y, v[2], "codes"))
                return;
        for (yaml_node_pair_t *p = v[2]->data.mapping.pairs.start; p < v[2]->data.mapping.pairs.top; p++) {
                yaml_node_t *ck = node(y, p->key), *cv = node(y, p->value);
                const char *code = scalar(y, ck, "a code");
                if (!code || !cv)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0 || strcmp(cl->codes[idx], code) != 0) {
                        yerr(y, ck, "'%s' is not a code of list '%s' (field %s)", code, cl->name, fname);
                        continue;
                }
                if (!is_mapping(y, cv, "a code's levels"))
                        continue;
                for (yaml_node_pair_t *q = cv->data.mapping.pairs.start; q < cv->data.mapping.pairs.top; q++) {
                        yaml_node_t *lk = node(y, q->key), *lv = node(y, q->value);
                        const char *level = scalar(y, lk, "a level name");
                        if (!level || !lv)
                                continue;
                        int l = -1;
                        for (unsigned j = 0; j < h->nlevels; j++)
                                if (strcmp(h->levels[j], level) == 0)
                                        l = (int) j;
                        if (l < 0) {
                                yerr(y, lk, "hierarchy '%s' has no level '%s'", name, level);
                                continue;
                        }
                        struct level_choice *ch = &h->choices[(size_t) idx * h->nlevels + (size_t) l];
                        if (ch->value >= 0) {
                                yerr(y, lk, "level '%s' of code '%s' is given twice", level, code);
                                continue;
                        }
                        compile_level_choice(y, h, (unsigned) l, lv, ch, cap);
                }
        }
        for (unsigned i = 0; i < cl->n; i++)
                for (unsigned l = 0; l < h->nlevels; l++)
                        if (h->choices[i * h->nlevels + l].value < 0) {
                                yerr(y, k, "hierarchy '%s': code '%s' has no value for level '%s'", name, cl->codes[i],
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
        if (!n || !is_mapping(y, n, "hierarchies"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->hierarchies = arena_array(rs->arena, count ? count : 1, sizeof(*rs->hierarchies));
        if (!rs->hierarchies) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
                const char *name = scalar(y, k, "a hierarchy name");
                if (!name || !v)
                        continue;
                if (!is_identifier(name)) {
                        yerr(y, k, "hierarchy name '%s' must be a lower-case identifier", name);
                        continue;
                }
                bool twice = false;
                for (unsigned i = 0; i < rs->nhierarchies; i++)
                        twice |= strcmp(rs->hierarchies[i].name, name) == 0;
                if (twice) {
                        yerr(y, k, "hierarchy '%s' is defined twice", name);
                        continue;
                }
                compile_hierarchy(y, name, k, v);
        }
}

/* Resolves a list of field names; returns the count, or -1 after reporting errors. */
static int field_list(struct yctx *y, yaml_node_t *n, unsigned **ret, const char *what) {
        struct ruleset *rs = y->c.rs;
        if (!is_sequence(y, n, what))
                return -1;
        yaml_node_item_t *it = n->data.sequence.items.start;
        size_t count = (size_t) (n->data.sequence.items.top - it);
        if (count == 0 || count > 32) {
                yerr(y, n, "%s must list 1 to 32 fields", what);
                return -1;
        }
        unsigned *out = arena_array(rs->arena, count, sizeof(unsigned));
        if (!out) {
                y->c.nomem = true;
                return -1;
        }
        bool ok = true;
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *fn = node(y, it[i]);
                const char *name = scalar(y, fn, "a field name");
                int f = name ? ruleset_field_index(rs, name) : -1;
                if (name && f < 0)
                        yerr(y, fn, "%s: unknown field '%s'", what, name);
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
        const char *yaml_text = scalar(y, n, "message");
        if (!yaml_text)
                return;
        /* Segments point into the text, which must outlive the YAML document. */
        const char *text = pdup(y, yaml_text);
        if (!text)
                return;
        /* Per-record rules read fields in placeholders. Share rules, builtins that are not
         * about one record (missing columns, unreadable file) and overlap rules (decided when
         * the record is long gone) have no record to read: only their own placeholders. */
        bool record_context = !(r->kind == RULE_SHARE || r->kind == RULE_OVERLAP ||
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
                        yerr(y, n, "message has too many parts (limit is %zu)", ELEMENTSOF(segs));
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
        if (!is_mapping(y, n, "an example"))
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
                yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
                const char *name = scalar(y, k, "a field name");
                if (!name || !v) {
                        ok = false;
                        continue;
                }
                if (name[0] == '_') {
                        if (strcmp(name, "_append") == 0 || strcmp(name, "_append_hex") == 0) {
                                const char *s = scalar(y, v, name);
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
                                                yerr(y, v, "_append_hex needs an even number of hex digits");
                                                ok = false;
                                                continue;
                                        }
                                        for (size_t i = 0; i < len; i += 2) {
                                                int hi = hexval(s[i]), lo = hexval(s[i + 1]);
                                                if (hi < 0 || lo < 0) {
                                                        yerr(y, v, "_append_hex: '%c%c' is not a hex byte", s[i], s[i + 1]);
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
                                if (!is_sequence(y, v, "_records")) {
                                        ok = false;
                                        continue;
                                }
                                yaml_node_item_t *it = v->data.sequence.items.start;
                                size_t nrec = (size_t) (v->data.sequence.items.top - it);
                                if (nrec == 0 || nrec > 1000) {
                                        yerr(y, v, "_records must hold 1 to 1000 records");
                                        ok = false;
                                        continue;
                                }
                                ex->records = arena_array(rs->arena, nrec, sizeof(*ex->records));
                                if (!ex->records) {
                                        y->c.nomem = true;
                                        return false;
                                }
                                for (size_t i = 0; i < nrec; i++) {
                                        yaml_node_t *rn = node(y, it[i]);
                                        if (!rn || !compile_example_record(y, rn, &ex->records[i], ex, false))
                                                ok = false;
                                }
                                ex->nrecords = (unsigned) nrec;
                                continue;
                        }
                        if (allow_shape && strcmp(name, "_header_append") == 0) {
                                const char *h = scalar(y, v, name);
                                if (h)
                                        ex->header_append = pdup(y, h);
                                else
                                        ok = false;
                                continue;
                        }
                        if (allow_shape && strcmp(name, "_drop") == 0) {
                                if (!is_sequence(y, v, "_drop")) {
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
                                        yaml_node_t *dn = node(y, it[i]);
                                        const char *d = scalar(y, dn, "a column");
                                        if (d && ruleset_field_index(rs, d) < 0) {
                                                yerr(y, dn, "_drop: unknown field '%s'", d);
                                                ok = false;
                                        } else if (d)
                                                ex->drop[ex->ndrop++] = pdup(y, d);
                                }
                                continue;
                        }
                        if (allow_shape)
                                yerr(y, k, "unknown example key '%s' (known: _records, _drop, _append, _append_hex, _header_append)",
                                     name);
                        else
                                yerr(y, k, "'%s' cannot be used here (a single record knows only _append and _append_hex)",
                                     name);
                        ok = false;
                        continue;
                }
                if (ruleset_field_index(rs, name) < 0) {
                        yerr(y, k, "example: unknown field '%s'", name);
                        ok = false;
                        continue;
                }
                er->names[er->n] = pdup(y, name);
                if (is_null(v))
                        er->values[er->n] = NULL;
                else {
                        const char *s = scalar(y, v, "an example value");
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
        if (!is_mapping(y, n, "examples"))
                return;
        static const char *const keys[] = {"pass", "fail"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "examples");
        size_t total = 0;
        for (int i = 0; i < 2; i++)
                if (v[i] && is_sequence(y, v[i], keys[i]))
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
                        yaml_node_t *en = node(y, *it);
                        if (!en)
                                continue;
                        struct example *ex = &r->examples[r->nexamples];
                        *ex = (struct example) {.expect_fail = i == 1, .line = nline(en)};
                        struct example_record single = {0};
                        if (!compile_example_record(y, en, &single, ex, true))
                                continue;
                        if (ex->nrecords > 0 && single.n > 0) {
                                yerr(y, en, "an example with _records sets its fields inside the records");
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
        const char *src = scalar(y, n, what);
        if (!src)
                return -EINVAL;
        struct srcmap map = scalar_map(y, n, src, 0);
        int e = expr_compile(&y->c, src, &map, p);
        if (e < 0)
                return e;
        if (p->type != want && !(want == VT_INT && p->type == VT_DIGITS)) {
                static const char *const names[] = {[VT_BOOL] = "a condition (true/false)", [VT_MONTH] = "a month"};
                yerr(y, n, "%s must be %s", what, want < ELEMENTSOF(names) && names[want] ? names[want] : "something else");
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
                yerr(y, NULL, "expression needs too deep a stack");
                return -EINVAL;
        }
        return 0;
}

static void compile_rule(struct yctx *y, yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        static const char *const keys[] = {"id", "severity", "title", "message", "field", "check", "when",
                                           "builtin", "share", "max_share", "unique", "overlap", "examples"};
        enum { K_ID, K_SEV, K_TITLE, K_MSG, K_FIELD, K_CHECK, K_WHEN, K_BUILTIN, K_SHARE, K_MAXSHARE, K_UNIQUE,
               K_OVERLAP, K_EXAMPLES };
        yaml_node_t *v[ELEMENTSOF(keys)];
        if (!is_mapping(y, n, "a rule"))
                return;
        take_keys(y, n, keys, ELEMENTSOF(keys), v, "a rule");
        struct rule *r = &rs->rules[rs->nrules];
        *r = (struct rule) {.field = -1, .group = -1, .line = nline(n)};
        const char *id = scalar(y, v[K_ID], "id");
        if (!v[K_ID]) {
                yerr(y, n, "rule has no 'id'");
                return;
        }
        if (!id)
                return;
        bool id_ok = *id && strlen(id) <= MAX_ID_LEN;
        for (const char *s = id; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        id_ok = false;
        if (!id_ok) {
                yerr(y, v[K_ID], "rule id '%s' must be 1 to %d letters, digits or '_'", id, MAX_ID_LEN);
                return;
        }
        for (unsigned i = 0; i < rs->nrules; i++)
                if (strcmp(rs->rules[i].id, id) == 0) {
                        yerr(y, v[K_ID], "rule id '%s' is used twice (first on line %u)", id, rs->rules[i].line);
                        return;
                }
        r->id = pdup(y, id);
        const char *sev = scalar(y, v[K_SEV], "severity");
        if (!v[K_SEV])
                yerr(y, n, "rule %s has no 'severity'", id);
        else if (sev) {
                if (strcmp(sev, "error") == 0)
                        r->severity = SEVERITY_ERROR;
                else if (strcmp(sev, "warning") == 0)
                        r->severity = SEVERITY_WARNING;
                else if (strcmp(sev, "file") == 0)
                        r->severity = SEVERITY_FILE;
                else
                        yerr(y, v[K_SEV], "rule %s: severity must be error, warning or file, not '%s'", id, sev);
        }
        const char *title = scalar(y, v[K_TITLE], "title");
        r->title = title ? pdup(y, title) : r->id;
        const char *fname = scalar(y, v[K_FIELD], "field");
        if (fname && (r->field = ruleset_field_index(rs, fname)) < 0)
                yerr(y, v[K_FIELD], "rule %s: unknown field '%s'", id, fname);

        int kinds = !!v[K_CHECK] + !!v[K_BUILTIN] + !!v[K_SHARE] + !!v[K_UNIQUE] + !!v[K_OVERLAP];
        if (kinds != 1) {
                char found[80] = "";
                static const int kind_keys[] = {K_CHECK, K_BUILTIN, K_SHARE, K_UNIQUE, K_OVERLAP};
                for (size_t i = 0; i < ELEMENTSOF(kind_keys); i++)
                        if (v[kind_keys[i]]) {
                                size_t len = strlen(found);
                                snprintf(found + len, sizeof(found) - len, "%s%s", len ? " and " : "", keys[kind_keys[i]]);
                        }
                if (kinds == 0)
                        yerr(y, n, "rule %s needs one of check, builtin, share, unique, overlap", id);
                else
                        yerr(y, n, "rule %s has %s; a rule is of exactly one kind", id, found);
                return;
        }
        bool message_ok = true;
        if (v[K_WHEN] && !v[K_CHECK])
                yerr(y, v[K_WHEN], "rule %s: 'when' goes with 'check'", id);
        if (v[K_MAXSHARE] && !v[K_SHARE])
                yerr(y, v[K_MAXSHARE], "rule %s: 'max_share' goes with 'share'", id);

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
                const char *b = scalar(y, v[K_BUILTIN], "builtin");
                int which = -1;
                for (int i = 0; b && i < _BUILTIN_MAX; i++)
                        if (strcmp(builtin_names[i], b) == 0)
                                which = i;
                if (b && which < 0) {
                        yerr(y, v[K_BUILTIN],
                             "rule %s: unknown builtin '%s' (known: missing_column, field_count, same_as_first, required, code, format, encoding, unreadable)",
                             id, b);
                        message_ok = false; /* its placeholders are unknown too */
                }
                else if (which >= 0 && rs->builtin_rule[which] >= 0)
                        yerr(y, v[K_BUILTIN], "rule %s: builtin '%s' is already rule %s", id, b,
                             rs->rules[rs->builtin_rule[which]].id);
                else if (which >= 0) {
                        r->builtin = (enum builtin) which;
                        rs->builtin_rule[which] = (int) rs->nrules;
                        if (which == BUILTIN_SAME_AS_FIRST && !v[K_FIELD])
                                yerr(y, n, "rule %s: same_as_first needs 'field'", id);
                }
        } else if (v[K_SHARE]) {
                r->kind = RULE_SHARE;
                compile_expr_node(y, v[K_SHARE], &r->prog, VT_BOOL, "share");
                r->max_share = 0;
                const char *ms = scalar(y, v[K_MAXSHARE], "max_share");
                char *end = NULL;
                if (!v[K_MAXSHARE])
                        yerr(y, n, "rule %s: a share rule needs 'max_share'", id);
                else if (ms && (!*ms || (r->max_share = strtod(ms, &end), *end) || !(r->max_share >= 0) ||
                                r->max_share > 1))
                        yerr(y, v[K_MAXSHARE], "rule %s: max_share must be a number from 0 to 1, not '%s'", id, ms);
                if (r->field < 0)
                        r->field = r->prog.first_field;
        } else if (v[K_UNIQUE]) {
                r->kind = RULE_UNIQUE;
                if (v[K_UNIQUE]->type == YAML_SCALAR_NODE) {
                        const char *s = scalar(y, v[K_UNIQUE], "unique");
                        if (s && strcmp(s, "key") != 0)
                                yerr(y, v[K_UNIQUE], "rule %s: unique must be 'key' or a list of fields", id);
                        else if (s && rs->nkey == 0)
                                yerr(y, v[K_UNIQUE], "rule %s: 'unique: key' but the pack has no 'key'", id);
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
        } else {
                r->kind = RULE_OVERLAP;
                if (is_mapping(y, v[K_OVERLAP], "overlap")) {
                        static const char *const okeys[] = {"group", "when", "begin", "end"};
                        yaml_node_t *o[ELEMENTSOF(okeys)];
                        take_keys(y, v[K_OVERLAP], okeys, ELEMENTSOF(okeys), o, "overlap");
                        if (!o[0] || !o[2] || !o[3])
                                yerr(y, v[K_OVERLAP], "rule %s: overlap needs 'group', 'begin' and 'end'", id);
                        const char *g = scalar(y, o[0], "group");
                        if (g && (r->group = ruleset_field_index(rs, g)) < 0)
                                yerr(y, o[0], "rule %s: unknown field '%s'", id, g);
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
                yerr(y, n, "rule %s has no 'message'", id);
        else if (message_ok)
                compile_message(y, r, v[K_MSG]);
        if (v[K_EXAMPLES])
                compile_examples(y, r, v[K_EXAMPLES]);
        rs->nrules++;
}

static void compile_rules(struct yctx *y, const yaml_node_t *n) {
        struct ruleset *rs = y->c.rs;
        if (!n) {
                yerr(y, NULL, "the pack has no 'rules' section");
                return;
        }
        if (!is_sequence(y, n, "rules"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_RULES) {
                yerr(y, n, "too many rules (limit is %d)", RULESET_MAX_RULES);
                return;
        }
        rs->rules = arena_array(rs->arena, count ? count : 1, sizeof(*rs->rules));
        if (!rs->rules) {
                y->c.nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *r = node(y, *it);
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
        yaml_node_t *n = &y->doc->nodes.start[-2 - rs->year_field];
        rs->year_field = -1;
        const char *name = scalar(y, n, "year_field");
        if (!name)
                return;
        int f = ruleset_field_index(rs, name);
        if (f < 0 || (rs->fields[f].type != FIELD_DIGITS && rs->fields[f].type != FIELD_INTEGER))
                yerr(y, n, "year_field '%s' must name a digits or integer field", name);
        else
                rs->year_field = f;
}

static void compile_document(struct yctx *y) {
        yaml_node_t *root = node(y, 1);
        if (!root) {
                yerr(y, NULL, "the rule pack is empty");
                return;
        }
        if (!is_mapping(y, root, "the rule pack"))
                return;
        static const char *const keys[] = {"dataset", "input", "key", "codelists", "fields",
                                           "hierarchies", "rules", "example_base"};
        enum { K_DATASET, K_INPUT, K_KEY, K_CODELISTS, K_FIELDS, K_HIER, K_RULES, K_BASE };
        yaml_node_t *v[ELEMENTSOF(keys)];
        take_keys(y, root, keys, ELEMENTSOF(keys), v, "the rule pack");
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
        compile_rules(y, v[K_RULES]);
        if (!y->c.errors && !y->c.nomem)
                link_checks(y);
        if (v[K_BASE]) {
                struct example dummy = {0};
                compile_example_record(y, v[K_BASE], &rs->base, &dummy, false);
        }
}

/*
 * Refuses what the document loader would accept silently: aliases (a shared node walked
 * twice could make a small file cost exponential time, and a pack reads better written
 * out) and a second document after "---", which the loader ignores. Scanning the events
 * gives the position of the alias itself. Syntax errors are left to the loader.
 */
static int prescan(const char *name, const char *data, size_t len, struct diaglist *diags) {
        yaml_parser_t p;
        yaml_event_t ev;
        if (!yaml_parser_initialize(&p))
                return -ENOMEM;
        yaml_parser_set_input_string(&p, (const unsigned char *) data, len);
        int r = 0, docs = 0;
        while (yaml_parser_parse(&p, &ev)) {
                int e = 0;
                yaml_event_type_t type = ev.type;
                if (type == YAML_ALIAS_EVENT) {
                        e = diaglist_add(diags, name, (unsigned) ev.start_mark.line + 1, (unsigned) ev.start_mark.column + 1,
                                         "YAML alias '*%s': aliases are not supported in rule packs; write the value out",
                                         (const char *) ev.data.alias.anchor);
                        r = -EINVAL;
                } else if (type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
                        e = diaglist_add(diags, name, (unsigned) ev.start_mark.line + 1, (unsigned) ev.start_mark.column + 1,
                                         "a rule pack is one YAML document, but a second one begins here");
                        r = -EINVAL;
                }
                yaml_event_delete(&ev);
                if (e < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (type == YAML_STREAM_END_EVENT)
                        break;
        }
        yaml_parser_delete(&p);
        return r;
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
        int pre = prescan(name, data, len, diags);
        if (pre < 0) {
                ruleset_free(rs);
                return pre;
        }
        struct yctx y = {.c = {.rs = rs, .diags = diags, .file = name}, .source = data, .source_len = len};

        yaml_parser_t parser;
        yaml_document_t doc;
        int r = 0;
        if (!yaml_parser_initialize(&parser)) {
                ruleset_free(rs);
                return -ENOMEM;
        }
        yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
        if (!yaml_parser_load(&parser, &doc)) {
                unsigned line = (unsigned) parser.problem_mark.line + 1, col = (unsigned) parser.problem_mark.column + 1;
                /* libyaml sets a problem text for every input error; when an allocation
                 * fails in some of its paths it reports no problem and not always
                 * YAML_MEMORY_ERROR. */
                if (parser.error == YAML_MEMORY_ERROR || !parser.problem)
                        r = -ENOMEM;
                else if (parser.context &&
                         diaglist_add(diags, name, line, col, "YAML: %s %s that began at %zu:%zu", parser.problem,
                                      parser.context, parser.context_mark.line + 1, parser.context_mark.column + 1) < 0)
                        r = -ENOMEM;
                else if (!parser.context && diaglist_add(diags, name, line, col, "YAML: %s", parser.problem) < 0)
                        r = -ENOMEM;
                else
                        r = -EINVAL;
                yaml_parser_delete(&parser);
                ruleset_free(rs);
                return r;
        }
        y.doc = &doc;
        y.nnodes = (size_t) (doc.nodes.top - doc.nodes.start);
        y.seen = calloc(y.nnodes + 1, 1);
        if (!y.seen)
                y.c.nomem = true;
        else
                compile_document(&y);
        free(y.seen);
        free(y.c.code);
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
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
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                int e = -errno;
                if (diaglist_add(diags, path, 0, 0, "cannot open rule pack: %s", strerror(-e)) < 0)
                        return -ENOMEM;
                return e;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                if (diaglist_add(diags, path, 0, 0, "rule pack is not a regular file") < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if ((uint64_t) st.st_size > RULESET_MAX_FILE_BYTES)
                return ruleset_compile_buffer(path, "", RULESET_MAX_FILE_BYTES + 1, ret, diags);
        _cleanup_(freep) char *data = malloc((size_t) st.st_size + 1);
        if (!data)
                return -ENOMEM;
        size_t got = 0;
        while (got < (size_t) st.st_size) {
                ssize_t n = read(fd, data + got, (size_t) st.st_size - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        return ruleset_compile_buffer(path, data, got, ret, diags);
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

const char *severity_name(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "error";
        case SEVERITY_WARNING: return "warning";
        case SEVERITY_FILE: return "file";
        }
        return "?";
}
