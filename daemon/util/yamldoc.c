/*
 * YAML documents for the rule-pack compiler and the configuration: reading a file, the
 * pre-scan, loading, and the node accessors that report what is wrong where. Both readers
 * walk the document the same way, so a message like "unknown key 'x' in a rule (known
 * keys: ...)" reads the same in a rule pack and in the configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "yamldoc.h"

int yamldoc_read_file(const char *path, size_t max, const char *what, struct diaglist *diags, char **ret_data,
                      size_t *ret_len) {
        /* O_NONBLOCK: a FIFO in place of the file must not hang the open; it is refused
         * below as not a regular file. It changes nothing for a regular file. */
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                int e = -errno;
                if (diaglist_add(diags, path, 0, 0, "cannot open %s: %s", what, strerror(-e)) < 0)
                        return -ENOMEM;
                return e;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                if (diaglist_add(diags, path, 0, 0, "%s is not a regular file", what) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if ((uint64_t) st.st_size > max) {
                if (diaglist_add(diags, path, 0, 0, "%s too large (limit is %zu bytes)", what, max) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
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
        data[got] = '\0';
        *ret_data = TAKE_PTR(data);
        *ret_len = got;
        return 0;
}

/* Deeper flow nesting ([ and {) than any configuration or pack needs. */
#define FLOW_DEPTH_MAX 64

/*
 * Refuses flow collections nested deeper than FLOW_DEPTH_MAX before libyaml sees them: its
 * token scanner is quadratic in the depth (a 200 KB file of '[' took 68 s). A byte scan
 * that skips quoted scalars and comments; a bracket inside a plain scalar counts too, but
 * those come in pairs ("{value}" in a message) and never reach the limit.
 */
static int flow_depth_check(struct yamldoc *d, const char *data, size_t len) {
        unsigned depth = 0, line = 1, col = 0;
        char quote = 0;
        bool comment = false;
        for (size_t i = 0; i < len; i++) {
                char ch = data[i];
                col++;
                if (ch == '\n') {
                        line++;
                        col = 0;
                        comment = false;
                } else if (comment) {
                        continue;
                } else if (quote) {
                        if (ch == '\\' && quote == '"' && i + 1 < len)
                                i++, col++;
                        else if (ch == quote)
                                quote = 0;
                } else if (ch == '#' && (i == 0 || data[i - 1] == ' ' || data[i - 1] == '\t' || data[i - 1] == '\n')) {
                        comment = true;
                } else if (ch == '\'' || ch == '"') {
                        quote = ch;
                } else if (ch == '[' || ch == '{') {
                        if (++depth > FLOW_DEPTH_MAX)
                                return diaglist_add(d->diags, d->file, line, col,
                                                    "YAML nested deeper than %d levels of [ and {: refused", FLOW_DEPTH_MAX)
                                               < 0 ? -ENOMEM : -EINVAL;
                } else if ((ch == ']' || ch == '}') && depth > 0) {
                        depth--;
                }
        }
        return 0;
}

/*
 * Refuses what the document loader would accept silently: aliases (a shared node walked
 * twice could make a small file cost exponential time, and a file reads better written
 * out) and a second document after "---", which the loader ignores. Scanning the events
 * gives the position of the alias itself. Syntax errors are left to the loader.
 */
static int prescan(struct yamldoc *d, const char *data, size_t len) {
        yaml_parser_t p;
        yaml_event_t ev;
        if (!yaml_parser_initialize(&p))
                return -ENOMEM;
        yaml_parser_set_input_string(&p, (const unsigned char *) data, len);
        int r = 0, docs = 0;
        bool ended = false;
        while (yaml_parser_parse(&p, &ev)) {
                int e = 0;
                yaml_event_type_t type = ev.type;
                if (type == YAML_ALIAS_EVENT) {
                        e = diaglist_add(d->diags, d->file, (unsigned) ev.start_mark.line + 1,
                                         (unsigned) ev.start_mark.column + 1,
                                         "YAML alias '*%s': aliases are not supported %s; write the value out",
                                         (const char *) ev.data.alias.anchor, d->where);
                        r = -EINVAL;
                } else if (type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
                        e = diaglist_add(d->diags, d->file, (unsigned) ev.start_mark.line + 1,
                                         (unsigned) ev.start_mark.column + 1,
                                         "%s is one YAML document, but a second one begins here", d->what);
                        r = -EINVAL;
                }
                yaml_event_delete(&ev);
                if (e < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (type == YAML_STREAM_END_EVENT) {
                        ended = true;
                        break;
                }
        }
        /* A syntax error is the loader's to report; running out of memory (which libyaml
         * does not always flag as such, see yamldoc_load) is not an error in the file. */
        if (!ended && r != -ENOMEM && (p.error == YAML_MEMORY_ERROR || !p.problem))
                r = -ENOMEM;
        yaml_parser_delete(&p);
        return r;
}

/* Positions inside scalars are asked for once per node: a table of line starts makes each
 * a look-up instead of a walk from the top of the file. */
static int index_lines(struct yamldoc *d) {
        size_t n = 1;
        for (const char *p = d->source; (p = memchr(p, '\n', (size_t) (d->source + d->source_len - p))); p++)
                n++;
        if (!(d->line_start = malloc(n * sizeof(*d->line_start))))
                return -ENOMEM;
        d->line_start[0] = 0;
        d->nlines = 1;
        for (size_t i = 0; i < d->source_len; i++)
                if (d->source[i] == '\n')
                        d->line_start[d->nlines++] = i + 1;
        return 0;
}

int yamldoc_load(struct yamldoc *d, const char *data, size_t len) {
        d->source = data;
        d->source_len = len;
        int r = flow_depth_check(d, data, len);
        if (r < 0)
                return r;
        r = prescan(d, data, len);
        if (r < 0)
                return r;
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
        if (!yaml_parser_load(&parser, &d->doc)) {
                unsigned line = (unsigned) parser.problem_mark.line + 1, col = (unsigned) parser.problem_mark.column + 1;
                /* libyaml sets a problem text for every input error; when an allocation
                 * fails in some of its paths it reports no problem and not always
                 * YAML_MEMORY_ERROR. */
                if (parser.error == YAML_MEMORY_ERROR || !parser.problem)
                        r = -ENOMEM;
                else if (parser.context &&
                         diaglist_add(d->diags, d->file, line, col, "YAML: %s %s that began at %zu:%zu", parser.problem,
                                      parser.context, parser.context_mark.line + 1, parser.context_mark.column + 1) < 0)
                        r = -ENOMEM;
                else if (!parser.context && diaglist_add(d->diags, d->file, line, col, "YAML: %s", parser.problem) < 0)
                        r = -ENOMEM;
                else
                        r = -EINVAL;
                yaml_parser_delete(&parser);
                return r;
        }
        yaml_parser_delete(&parser);
        d->loaded = true;
        d->nnodes = (size_t) (d->doc.nodes.top - d->doc.nodes.start);
        d->seen = calloc(d->nnodes + 1, 1);
        if (!d->seen)
                return -ENOMEM;
        return index_lines(d);
}

size_t yamldoc_offset(const struct yamldoc *d, const yaml_node_t *n) {
        if (n->start_mark.line >= d->nlines)
                return d->source_len;
        const char *p = d->source + d->line_start[n->start_mark.line], *end = d->source + d->source_len;
        for (size_t col = 0; col < n->start_mark.column && p < end; col++) {
                p++;
                while (p < end && ((unsigned char) *p & 0xC0) == 0x80)
                        p++;
        }
        return (size_t) (p - d->source);
}

void yamldoc_done(struct yamldoc *d) {
        free(d->seen);
        d->seen = NULL;
        free(d->line_start);
        d->line_start = NULL;
        d->nlines = 0;
        if (d->loaded)
                yaml_document_delete(&d->doc);
        d->loaded = false;
}

void yamldoc_error(struct yamldoc *d, const yaml_node_t *n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        (*d->errors)++;
        if (diaglist_vadd(d->diags, d->file, n ? yamldoc_line(n) : 0, n ? yamldoc_col(n) : 0, fmt, ap) < 0)
                *d->nomem = true;
        va_end(ap);
}

yaml_node_t *yamldoc_node(struct yamldoc *d, int id) {
        yaml_node_t *n = yaml_document_get_node(&d->doc, id);
        if (!n)
                return NULL;
        size_t i = (size_t) (n - d->doc.nodes.start);
        if (i < d->nnodes) {
                if (d->seen[i]) {
                        /* The loader shares aliased nodes; walking them again could make a
                         * small file cost exponential time. */
                        if (d->seen[i] == 1)
                                yamldoc_error(d, n, "YAML aliases are not supported %s", d->where);
                        d->seen[i] = 2;
                        return NULL;
                }
                d->seen[i] = 1;
        }
        return n;
}

const char *yamldoc_scalar(struct yamldoc *d, const yaml_node_t *n, const char *what) {
        if (!n)
                return NULL;
        if (n->type != YAML_SCALAR_NODE) {
                yamldoc_error(d, n, "%s must be a single value", what);
                return NULL;
        }
        if (strlen((const char *) n->data.scalar.value) != n->data.scalar.length) {
                yamldoc_error(d, n, "%s contains a NUL character", what);
                return NULL;
        }
        return (const char *) n->data.scalar.value;
}

bool yamldoc_is_null(const yaml_node_t *n) {
        if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        const char *v = (const char *) n->data.scalar.value;
        return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

bool yamldoc_is_mapping(struct yamldoc *d, const yaml_node_t *n, const char *what) {
        if (n && n->type != YAML_MAPPING_NODE) {
                yamldoc_error(d, n, "%s must be a mapping (key: value)", what);
                return false;
        }
        return n != NULL;
}

bool yamldoc_is_sequence(struct yamldoc *d, const yaml_node_t *n, const char *what) {
        if (n && n->type != YAML_SEQUENCE_NODE) {
                yamldoc_error(d, n, "%s must be a list", what);
                return false;
        }
        return n != NULL;
}

/* A key a person could have meant as one: short, letters, digits, '_', '-', '.'. */
static bool plain_name(const char *s) {
        size_t len = strlen(s);
        if (len == 0 || len > 40)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-' || *s == '.'))
                        return false;
        return true;
}

static void unknown_key(struct yamldoc *d, yaml_node_t *k, const char *name, const char *const *allowed,
                        size_t nallowed, const char *what) {
        _cleanup_(strbuf_done) struct strbuf list = {0};
        for (size_t j = 0; j < nallowed; j++)
                if (strbuf_printf(&list, "%s%s", j ? ", " : "", allowed[j]) < 0) {
                        *d->nomem = true;
                        return;
                }
        if (d->quiet_odd_keys && !plain_name(name))
                yamldoc_error(d, k, "unknown key in %s (known keys: %s)", what, strbuf_str(&list));
        else
                yamldoc_error(d, k, "unknown key '%s' in %s (known keys: %s)", name, what, strbuf_str(&list));
}

void yamldoc_take_keys(struct yamldoc *d, const yaml_node_t *map, const char *const *allowed, size_t nallowed,
                       yaml_node_t **out, const char *what) {
        for (size_t i = 0; i < nallowed; i++)
                out[i] = NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(d, p->key);
                const char *name = yamldoc_scalar(d, k, "a key");
                if (!name)
                        continue;
                size_t i = 0;
                while (i < nallowed && strcmp(allowed[i], name) != 0)
                        i++;
                if (i == nallowed) {
                        unknown_key(d, k, name, allowed, nallowed, what);
                        continue;
                }
                if (out[i]) {
                        yamldoc_error(d, k, "key '%s' appears twice in %s", name, what);
                        continue;
                }
                out[i] = yamldoc_node(d, p->value);
        }
}

bool yamldoc_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *ret) {
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

bool yamldoc_get_int(struct yamldoc *d, const yaml_node_t *n, int64_t lo, int64_t hi, int64_t *ret,
                     const char *what) {
        const char *s = yamldoc_scalar(d, n, what);
        if (!s)
                return false;
        if (!yamldoc_parse_int(s, lo, hi, ret)) {
                yamldoc_error(d, n, "%s must be a whole number from %lld to %lld, not '%s'", what, (long long) lo,
                              (long long) hi, s);
                return false;
        }
        return true;
}

bool yamldoc_get_bool(struct yamldoc *d, const yaml_node_t *n, bool *ret, const char *what) {
        const char *s = yamldoc_scalar(d, n, what);
        if (!s)
                return false;
        if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
                *ret = true;
        else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
                *ret = false;
        else {
                yamldoc_error(d, n, "%s must be true or false, not '%s'", what, s);
                return false;
        }
        return true;
}

bool yamldoc_is_identifier(const char *s) {
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
                return false;
        for (s++; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}
