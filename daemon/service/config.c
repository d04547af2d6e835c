/*
 * The configuration reader (include/config.h).
 *
 * Every key is one row of cf_keys[]: its section, name, type, the member it fills, whether
 * it is required, reloadable or needed by the daemon, and its default written as in the
 * file -- pgbouncer's CF_ABS table. Parsing, the defaults, the known keys named in "unknown
 * key" messages, the daemon's check for directories and the reload comparison all read the
 * same rows, so a new key is one new row (and a line in config.example.yaml).
 *
 * The YAML walk is the rule compiler's (yamldoc.c): every error is collected at its
 * line:col and parsing goes on. Diagnostics are sorted into file order at the end, because
 * unknown keys are found while a mapping is walked and bad values after it. A value of
 * type CF_SECRET is never put into a message; neither is a key that does not look like a
 * name (a connection string pasted one line too far in would be a key).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "strbuf.h"
#include "yamldoc.h"

enum cf_section {
        SEC_DATABASE,           /* keys of struct config */
        SEC_SOURCE,             /* keys of struct source_config, one mapping per source */
        _SEC_MAX,
};

static const char *const section_names[_SEC_MAX] = {[SEC_DATABASE] = "database", [SEC_SOURCE] = "sources"};

enum cf_type {
        CF_SECRET,              /* char *: any text, never shown in a message */
        CF_NAME,                /* char *: [a-z][a-z0-9_]*, at most CONFIG_MAX_NAME bytes */
        CF_SCHEMA,              /* char *: a CF_NAME that PostgreSQL allows for a schema */
        CF_GROUP,               /* char *: a system group's name, [a-z_][a-z0-9_-]*, at most 32 bytes */
        CF_PATTERN,             /* char *: a shell pattern with YYYY, finding a year in a file name */
        CF_PATH,                /* char *: resolved against the config file's directory */
        CF_UINT,                /* unsigned: a whole number from min to max */
        CF_SHARE,               /* double: a decimal number from 0 to 1 */
        CF_BOOL,                /* bool */
        CF_ENUM,                /* an enum: the index of the value in names[] */
};

enum {
        CF_REQUIRED = 1 << 0,   /* an error when missing or empty */
        CF_RELOAD = 1 << 1,     /* a change applies on reload; otherwise after a restart */
        CF_DAEMON = 1 << 2,     /* a directory: optional in the file, required by the daemon */
};

struct cf_key {
        enum cf_section section;
        const char *name;
        enum cf_type type;
        size_t offset;          /* of the member in struct config or struct source_config */
        unsigned flags;
        const char *def;        /* default, written as in the file; NULL: none (the member stays NULL) */
        unsigned min, max;      /* CF_UINT */
        const char *const *names;       /* CF_ENUM: the values, NULL-terminated, index = enum value */
};

#define CF_DB(key_, type_, member_, flags_, def_, ...)                                                   \
        {.section = SEC_DATABASE, .name = key_, .type = type_, .offset = offsetof(struct config, member_), \
         .flags = flags_, .def = def_, __VA_ARGS__}
#define CF_SRC(key_, type_, member_, flags_, def_, ...)                                                        \
        {.section = SEC_SOURCE, .name = key_, .type = type_, .offset = offsetof(struct source_config, member_), \
         .flags = flags_, .def = def_, __VA_ARGS__}

static const char *const redelivery_names[] = {
        [REDELIVERY_REPLACE] = "replace", [REDELIVERY_APPEND] = "append", [REDELIVERY_REJECT] = "reject", NULL};
static const char *const watch_names[] = {[WATCH_INOTIFY] = "inotify", [WATCH_POLL] = "poll", NULL};
static const char *const format_names[] = {
        [CHECKER_FORMAT_AUTO] = "auto", [CHECKER_FORMAT_CSV] = "csv", [CHECKER_FORMAT_FIXED] = "fixed", NULL};

/* CF_ENUM members are written as int. */
_Static_assert(sizeof(enum redelivery) == sizeof(int), "enum redelivery is not int-sized");
_Static_assert(sizeof(enum watch_mode) == sizeof(int), "enum watch_mode is not int-sized");
_Static_assert(sizeof(enum checker_format) == sizeof(int), "enum checker_format is not int-sized");

/*
 * The database is set up once at start (connection, schema migrations). A source's
 * directories and watch mode are opened and watched at start, and the service's sandbox
 * (ReadWritePaths) names them, so they too change only with a restart; what decides how a
 * delivery is checked and loaded applies from the next file on.
 */
static const struct cf_key cf_keys[] = {
        CF_DB("conninfo", CF_SECRET, conninfo, 0, ""),
        CF_DB("schema", CF_SCHEMA, schema, 0, "plausid"),
        CF_SRC("name", CF_NAME, name, CF_REQUIRED, NULL),
        CF_SRC("rules", CF_PATH, rules, CF_REQUIRED | CF_RELOAD, NULL),
        CF_SRC("drop", CF_PATH, drop, CF_DAEMON, NULL),
        CF_SRC("archive", CF_PATH, archive, CF_DAEMON, NULL),
        CF_SRC("quarantine", CF_PATH, quarantine, CF_DAEMON, NULL),
        CF_SRC("reports", CF_PATH, reports, CF_DAEMON, NULL),
        CF_SRC("redelivery", CF_ENUM, redelivery, CF_RELOAD, "replace", .names = redelivery_names),
        CF_SRC("max_reject_share", CF_SHARE, max_reject_share, CF_RELOAD, "0.10"),
        CF_SRC("watch", CF_ENUM, watch, 0, "inotify", .names = watch_names),
        CF_SRC("scan_interval", CF_UINT, scan_interval, CF_RELOAD, "30", .min = 1, .max = 86400),
        CF_SRC("stable_seconds", CF_UINT, stable_seconds, CF_RELOAD, "5", .min = 1, .max = 3600),
        CF_SRC("done_marker", CF_BOOL, done_marker, CF_RELOAD, "false"),
        CF_SRC("report_group", CF_GROUP, report_group, CF_RELOAD, NULL),
        CF_SRC("report_records", CF_UINT, report_records, CF_RELOAD, "500", .min = 1, .max = 100000),
        CF_SRC("format", CF_ENUM, format, CF_RELOAD, "auto", .names = format_names),
        CF_SRC("berichtsjahr", CF_UINT, berichtsjahr, CF_RELOAD, NULL, .min = 1900, .max = 2100),
        CF_SRC("berichtsjahr_from_name", CF_PATTERN, berichtsjahr_from_name, CF_RELOAD, NULL),
};

#define NKEYS ELEMENTSOF(cf_keys)

struct cctx {
        struct yamldoc yd;
        unsigned errors;
        bool nomem;
        struct config *c;
        const char *base_dir;   /* relative paths resolve against it; NULL: they stay relative */
        /* per source and row of cf_keys: the value's node, for checks across keys */
        const yaml_node_t *found[CONFIG_MAX_SOURCES][NKEYS];
};

/* The row of cf_keys for a member of struct source_config. */
static size_t source_row(size_t offset) {
        size_t k = 0;
        while (k < NKEYS - 1 && !(cf_keys[k].section == SEC_SOURCE && cf_keys[k].offset == offset))
                k++;
        return k;
}

static void *member(void *base, const struct cf_key *k) {
        return (char *) base + k->offset;
}

static const void *cmember(const void *base, const struct cf_key *k) {
        return (const char *) base + k->offset;
}

/* "a, b or c" (last: " or "), malloc'd; NULL when out of memory. */
static char *join_list(const char *const *items, size_t n, const char *last) {
        _cleanup_(strbuf_done) struct strbuf b = {0};
        for (size_t i = 0; i < n; i++)
                if (strbuf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? last : ", ", items[i]) < 0)
                        return NULL;
        return strdup(strbuf_str(&b));
}

static size_t count_names(const char *const *names) {
        size_t n = 0;
        while (names[n])
                n++;
        return n;
}

static char *sdup(struct cctx *x, const char *s) {
        char *p = arena_strdup(x->c->arena, s);
        if (!p)
                x->nomem = true;
        return p;
}

/*
 * base + "/" + rel (rel alone when it is absolute or base is NULL), with empty and "."
 * components dropped and no trailing '/'. ".." stays: dropping it with the component
 * before would be wrong where that component is a symbolic link.
 */
static char *resolve_path(struct cctx *x, const char *rel) {
        char *p = rel[0] == '/' || !x->base_dir ? arena_strdup(x->c->arena, rel)
                                                : arena_printf(x->c->arena, "%s/%s", x->base_dir, rel);
        if (!p) {
                x->nomem = true;
                return NULL;
        }
        size_t o = 0;
        if (p[0] == '/')
                o = 1;
        for (const char *s = p; *s;) {
                while (*s == '/')
                        s++;
                const char *e = s;
                while (*e && *e != '/')
                        e++;
                size_t len = (size_t) (e - s);
                if (len > 0 && !(len == 1 && s[0] == '.')) {
                        if (o > 0 && p[o - 1] != '/')
                                p[o++] = '/';
                        memmove(p + o, s, len);
                        o += len;
                }
                s = e;
        }
        if (o == 0)
                p[o++] = '.';
        p[o] = '\0';
        return p;
}

/*
 * A decimal number from 0 to 1 written with a point: "0.1", "0.10", ".5", "1". Not strtod,
 * which also takes "1e-1", "0x1p-3" and "nan", and under a German LC_NUMERIC wants "0,1".
 * The digits are read as an integer and divided once, so that "0.3" is the double 0.3.
 */
static bool parse_share(const char *s, double *ret) {
        /* Both operands of the division exact (digits below 2^53, powers of ten up to
         * 1e22) make the quotient the correctly rounded value, as strtod's. */
        static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        uint64_t mant = 0;
        unsigned ndigits = 0, nfrac = 0;
        bool point = false;
        for (; *s; s++) {
                if (*s == '.' && !point) {
                        point = true;
                        continue;
                }
                if (*s < '0' || *s > '9' || mant > ((UINT64_C(1) << 53) - 9) / 10 || nfrac + point >= ELEMENTSOF(pow10))
                        return false;
                mant = mant * 10 + (uint64_t) (*s - '0');
                nfrac += point;
                ndigits++;
        }
        if (ndigits == 0 || (double) mant > pow10[nfrac])
                return false;
        *ret = (double) mant / pow10[nfrac];
        return true;
}

static bool name_ok(const char *s) {
        return *s >= 'a' && *s <= 'z' && yamldoc_is_identifier(s) && strlen(s) <= CONFIG_MAX_NAME;
}

/* A system group's name: [a-z_][a-z0-9_-]*, at most 32 bytes. */
static bool group_ok(const char *s) {
        bool ok = (*s >= 'a' && *s <= 'z') || *s == '_';
        for (const char *c = s; *c && ok; c++)
                ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        return ok && strlen(s) <= 32;
}

/* A share, or the error that says what is wrong with it: a comma where the point
 * belongs is named as such. */
static void set_share(struct cctx *x, const struct cf_key *k, double *p, const char *s, const yaml_node_t *n) {
        if (parse_share(s, p))
                return;
        /* The hint is only for values short enough to be a share; a longer one gets the
         * plain message, nothing is cut. */
        char dot[32];
        double ignored;
        const char *comma = strchr(s, ',');
        if (comma && strlen(s) < sizeof(dot) && !strchr(comma + 1, ',')) {
                memcpy(dot, s, strlen(s) + 1);
                dot[comma - s] = '.';
                if (parse_share(dot, &ignored)) {
                        yamldoc_error(&x->yd, n, "%s needs a decimal point, not a comma: %s, not '%s'", k->name, dot, s);
                        return;
                }
        }
        yamldoc_error(&x->yd, n, "%s must be a number from 0 to 1 (0.1 is 10 %%), not '%s'", k->name, s);
}

/* Sets a member from text: a value from the file (n its node) or a default (n NULL). */
static void set_text(struct cctx *x, const struct cf_key *k, void *base, const char *s, const yaml_node_t *n) {
        void *p = member(base, k);
        switch (k->type) {
        case CF_SECRET:
                if (strlen(s) > CONFIG_MAX_CONNINFO)
                        yamldoc_error(&x->yd, n, "%s is too long (limit is %d bytes)", k->name, CONFIG_MAX_CONNINFO);
                else
                        *(char **) p = sdup(x, s);
                return;
        case CF_NAME:
        case CF_SCHEMA:
                if (!name_ok(s))
                        yamldoc_error(&x->yd, n,
                                      "%s '%s' must be a lower-case name: a letter, then letters, digits or '_', at most %d characters",
                                      k->section == SEC_SOURCE ? "source name" : k->name, s, CONFIG_MAX_NAME);
                else if (k->type == CF_SCHEMA && strncmp(s, "pg_", 3) == 0)
                        yamldoc_error(&x->yd, n, "%s '%s': names beginning with pg_ are reserved by PostgreSQL", k->name, s);
                else
                        *(char **) p = sdup(x, s);
                return;
        case CF_GROUP:
                if (!group_ok(s))
                        yamldoc_error(&x->yd, n,
                                      "%s '%s' must be a group name: a lower-case letter or '_', then letters, digits, '_' or '-', at most 32 characters",
                                      k->name, s);
                else
                        *(char **) p = sdup(x, s);
                return;
        case CF_PATTERN: {
                char why[128];
                int e = checker_year_pattern_check(s, why, sizeof(why));
                if (e == -ENOMEM)
                        x->nomem = true;
                else if (e < 0 || !*s)
                        yamldoc_error(&x->yd, n, "%s: %s", k->name, e < 0 ? why : "it is empty");
                else
                        *(char **) p = sdup(x, s);
                return;
        }
        case CF_PATH: {
                if (!*s) {
                        yamldoc_error(&x->yd, n, "%s must not be empty (leave the key out instead)", k->name);
                        return;
                }
                char *path = resolve_path(x, s);
                if (path && strlen(path) > CONFIG_MAX_PATH)
                        yamldoc_error(&x->yd, n, "%s is too long (limit is %d bytes once resolved)", k->name,
                                      CONFIG_MAX_PATH);
                else
                        *(char **) p = path;
                return;
        }
        case CF_SHARE:
                set_share(x, k, p, s, n);
                return;
        case CF_ENUM: {
                for (int i = 0; k->names[i]; i++)
                        if (strcmp(k->names[i], s) == 0) {
                                *(int *) p = i;
                                return;
                        }
                _cleanup_(freep) char *list = join_list(k->names, count_names(k->names), " or ");
                if (!list) {
                        x->nomem = true;
                        return;
                }
                yamldoc_error(&x->yd, n, "%s must be %s, not '%s'", k->name, list, s);
                return;
        }
        case CF_UINT:
        case CF_BOOL: {
                /* Only defaults come here; values from the file are read from their node. */
                int64_t v;
                if (k->type == CF_BOOL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
                        *(bool *) p = s[0] == 't';
                else if (k->type == CF_UINT && yamldoc_parse_int(s, k->min, k->max, &v))
                        *(unsigned *) p = (unsigned) v;
                else
                        yamldoc_error(&x->yd, n, "the default of %s does not parse", k->name);
                return;
        }
        }
}

static void set_value(struct cctx *x, const struct cf_key *k, void *base, const yaml_node_t *n) {
        int64_t v;
        switch (k->type) {
        case CF_UINT:
                if (yamldoc_get_int(&x->yd, n, k->min, k->max, &v, k->name))
                        *(unsigned *) member(base, k) = (unsigned) v;
                return;
        case CF_BOOL:
                yamldoc_get_bool(&x->yd, n, member(base, k), k->name);
                return;
        default: {
                const char *s = yamldoc_scalar(&x->yd, n, k->name);
                if (s)
                        set_text(x, k, base, s, n);
                return;
        }
        }
}

/*
 * Fills base from a mapping of one section's keys: the defaults first, then what the file
 * says. found[] gets the value node per row of cf_keys (NULL when the key is absent).
 * Required keys that are missing are left to the caller, which knows how to name the
 * place; required keys without a value are reported here.
 */
static void parse_keys(struct cctx *x, enum cf_section sec, const yaml_node_t *map, void *base,
                       const yaml_node_t **found, const char *what) {
        const char *names[NKEYS];
        size_t rows[NKEYS], n = 0;
        for (size_t i = 0; i < NKEYS; i++) {
                found[i] = NULL;
                if (cf_keys[i].section != sec)
                        continue;
                rows[n] = i;
                names[n++] = cf_keys[i].name;
                if (cf_keys[i].def)
                        set_text(x, &cf_keys[i], base, cf_keys[i].def, NULL);
        }
        if (!map)
                return;
        yaml_node_t *v[NKEYS];
        yamldoc_take_keys(&x->yd, map, names, n, v, what);
        for (size_t j = 0; j < n; j++) {
                const struct cf_key *k = &cf_keys[rows[j]];
                found[rows[j]] = v[j];
                if (!v[j])
                        continue;
                if (yamldoc_is_null(v[j])) {
                        /* "key:" with nothing after it: the default, as if it were left out. */
                        if (k->flags & CF_REQUIRED)
                                yamldoc_error(&x->yd, v[j], "%s needs a value", k->name);
                        continue;
                }
                set_value(x, k, base, v[j]);
        }
}

static void parse_database(struct cctx *x, const yaml_node_t *n) {
        const yaml_node_t *found[NKEYS];
        if (n && (yamldoc_is_null(n) || !yamldoc_is_mapping(&x->yd, n, "database")))
                n = NULL;
        parse_keys(x, SEC_DATABASE, n, x->c, found, "database");
}

static void parse_source(struct cctx *x, size_t i, const yaml_node_t *n) {
        struct source_config *s = &x->c->sources[i];
        *s = (struct source_config) {.line = yamldoc_line(n), .col = yamldoc_col(n)};
        bool mapping = yamldoc_is_mapping(&x->yd, n, "a source");
        parse_keys(x, SEC_SOURCE, mapping ? n : NULL, s, x->found[i], "a source");
        if (!mapping)
                return;
        for (size_t k = 0; k < NKEYS; k++) {
                if (cf_keys[k].section != SEC_SOURCE || !(cf_keys[k].flags & CF_REQUIRED) || x->found[i][k])
                        continue;
                if (s->name)
                        yamldoc_error(&x->yd, n, "source '%s' has no '%s'", s->name, cf_keys[k].name);
                else
                        yamldoc_error(&x->yd, n, "source has no '%s'", cf_keys[k].name);
        }
        for (size_t j = 0; s->name && j < i; j++)
                if (x->c->sources[j].name && strcmp(x->c->sources[j].name, s->name) == 0) {
                        yamldoc_error(&x->yd, x->found[i][source_row(offsetof(struct source_config, name))],
                                      "source name '%s' is used twice (first on line %u)", s->name, x->c->sources[j].line);
                        break;
                }
}

/*
 * A directory as the daemon will find it: the real path of the longest part that exists
 * (symbolic links, "..", "." resolved by the kernel), the rest resolved by its spelling,
 * relative paths against the working directory, no trailing slash. So "./x/../drop" and
 * "drop/" are "drop", whether or not it exists yet. NULL when out of memory.
 */
static char *dir_identity(const char *path) {
        char *real = realpath(path, NULL);
        if (real || errno == ENOMEM)
                return real;
        _cleanup_(freep) char *abs = NULL;
        if (path[0] == '/')
                abs = strdup(path);
        else {
                _cleanup_(freep) char *cwd = getcwd(NULL, 0);
                if (cwd && asprintf(&abs, "%s/%s", cwd, path) < 0)
                        abs = NULL;
        }
        if (!abs)
                return NULL;
        char *slash = strrchr(abs, '/');
        const char *name = slash + 1;
        *slash = '\0';
        _cleanup_(freep) char *parent = dir_identity(*abs ? abs : "/");
        if (!parent)
                return NULL;
        if (!*name || strcmp(name, ".") == 0)
                return TAKE_PTR(parent);
        if (strcmp(name, "..") == 0) {
                char *up = strrchr(parent, '/');
                up[up == parent] = '\0';       /* "/a" -> "/", "/a/b" -> "/a" */
                return TAKE_PTR(parent);
        }
        char *out;
        return asprintf(&out, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", name) < 0 ? NULL : out;
}

/* 0: different and apart; 1: the same directory; 2: a inside b; 3: b inside a. */
static int dir_relation(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la == lb)
                return strcmp(a, b) == 0;
        const char *outer = la < lb ? a : b, *inner = la < lb ? b : a;
        size_t lo = la < lb ? la : lb;
        bool inside = strncmp(outer, inner, lo) == 0 && (inner[lo] == '/' || strcmp(outer, "/") == 0);
        return !inside ? 0 : la > lb ? 2 : 3;
}

/* Directory a of source i (its identity ia) against directory b of source j. */
static void check_directory_pair(struct cctx *x, size_t i, size_t a, const char *ia, size_t j, size_t b) {
        const struct config *c = x->c;
        if (!(cf_keys[b].flags & CF_DAEMON))
                return;
        const char *pb = *(char *const *) cmember(&c->sources[j], &cf_keys[b]);
        if (!pb)
                return;
        _cleanup_(freep) char *ib = dir_identity(pb);
        if (!ib) {
                x->nomem = true;
                return;
        }
        bool drop = cf_keys[a].offset == offsetof(struct source_config, drop) ||
                    cf_keys[b].offset == offsetof(struct source_config, drop);
        int rel = dir_relation(ia, ib);
        if (rel == 0 || (a == b && !drop))
                return;
        static const char *const how[] = {
                [1] = "is the same directory as", [2] = "lies inside", [3] = "holds"};
        yamldoc_error(&x->yd, x->found[i][a], "%s of source '%s' %s %s of source '%s' (line %u)",
                      cf_keys[a].name, c->sources[i].name ? c->sources[i].name : "?", how[rel],
                      cf_keys[b].name, c->sources[j].name ? c->sources[j].name : "?",
                      x->found[j][b] ? yamldoc_line(x->found[j][b]) : c->sources[j].line);
}

/*
 * The daemon's directories are apart: a drop directory belongs to one source and is
 * nothing else, and none of drop, archive, quarantine and reports lies inside another or
 * is another kind's directory -- two sources watching one directory would both take every
 * export, and a drop directory that is also (or holds) an archive or quarantine would take
 * back what was just put away. Compared as the daemon will find them (dir_identity), not
 * by spelling. Sources may share an archive, a quarantine or a reports directory.
 */
static void check_directories(struct cctx *x) {
        const struct config *c = x->c;
        for (size_t i = 0; i < c->nsources; i++)
                for (size_t a = 0; a < NKEYS; a++) {
                        if (!(cf_keys[a].flags & CF_DAEMON))
                                continue;
                        const char *pa = *(char *const *) cmember(&c->sources[i], &cf_keys[a]);
                        if (!pa)
                                continue;
                        _cleanup_(freep) char *ia = dir_identity(pa);
                        if (!ia) {
                                x->nomem = true;
                                return;
                        }
                        /* every directory named before this one, in the order of the table */
                        for (size_t j = 0; j <= i; j++)
                                for (size_t b = 0; b < (j == i ? a : NKEYS); b++)
                                        check_directory_pair(x, i, a, ia, j, b);
                }
}
static void parse_sources(struct cctx *x, const yaml_node_t *n) {
        if (!n) {
                yamldoc_error(&x->yd, NULL, "the configuration has no 'sources' section");
                return;
        }
        if (!yamldoc_is_null(n) && !yamldoc_is_sequence(&x->yd, n, "sources"))
                return;
        size_t count = n->type == YAML_SEQUENCE_NODE ? (size_t) (n->data.sequence.items.top - n->data.sequence.items.start)
                                                     : 0;
        if (count == 0) {
                yamldoc_error(&x->yd, n, "sources is empty: the configuration needs at least one source");
                return;
        }
        if (count > CONFIG_MAX_SOURCES) {
                yamldoc_error(&x->yd, n, "too many sources (limit is %d)", CONFIG_MAX_SOURCES);
                return;
        }
        x->c->sources = arena_array(x->c->arena, count, sizeof(*x->c->sources));
        if (!x->c->sources) {
                x->nomem = true;
                return;
        }
        for (size_t i = 0; i < count; i++) {
                const yaml_node_t *sn = yamldoc_node(&x->yd, n->data.sequence.items.start[i]);
                if (!sn)
                        continue;       /* an alias, reported */
                parse_source(x, i, sn);
                x->c->nsources = i + 1;
                if (x->nomem)
                        return;
        }
        check_directories(x);
}

static void parse_document(struct cctx *x) {
        yaml_node_t *root = yamldoc_node(&x->yd, 1);
        if (!root) {
                yamldoc_error(&x->yd, NULL, "the configuration is empty");
                return;
        }
        if (!yamldoc_is_mapping(&x->yd, root, "the configuration"))
                return;
        yaml_node_t *v[_SEC_MAX];
        yamldoc_take_keys(&x->yd, root, section_names, _SEC_MAX, v, "the configuration");
        parse_database(x, v[SEC_DATABASE]);
        parse_sources(x, v[SEC_SOURCE]);
}

/* Puts the diagnostics from index `from` on into file order (stable: insertion sort over
 * at most the list's limit). Whole-file ones (line 0) come first. */
static void sort_diags(struct diaglist *l, size_t from) {
        for (size_t i = from + 1; i < l->n; i++) {
                struct diag d = l->items[i];
                size_t j = i;
                while (j > from && (l->items[j - 1].line > d.line ||
                                    (l->items[j - 1].line == d.line && l->items[j - 1].col > d.col))) {
                        l->items[j] = l->items[j - 1];
                        j--;
                }
                l->items[j] = d;
        }
}

int config_load_buffer(const char *name, const char *data, size_t len, const char *base_dir, struct config **ret,
                       struct diaglist *diags) {
        if (len > CONFIG_MAX_FILE_BYTES) {
                if (diaglist_add(diags, name, 0, 0, "configuration file too large (limit is %u bytes)",
                                 CONFIG_MAX_FILE_BYTES) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        _cleanup_(arena_freep) struct arena *a = arena_new();
        if (!a)
                return -ENOMEM;
        struct config *c = arena_alloc(a, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->arena = a;
        c->path = arena_strdup(a, name);
        if (!c->path)
                return -ENOMEM;
        /* The per-source node table is a few KB: on the heap, not the stack. */
        _cleanup_(freep) struct cctx *x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        x->c = c;
        x->base_dir = base_dir;
        x->yd = (struct yamldoc) {.file = name, .diags = diags, .errors = &x->errors, .nomem = &x->nomem,
                                  .what = "the configuration", .where = "in the configuration", .quiet_odd_keys = true};
        size_t from = diags->n;
        int r = yamldoc_load(&x->yd, data, len);
        if (r == 0) {
                parse_document(x);
                r = x->nomem ? -ENOMEM : x->errors ? -EINVAL : 0;
        }
        yamldoc_done(&x->yd);
        sort_diags(diags, from);
        if (r < 0)
                return r;
        TAKE_PTR(a);
        *ret = c;
        return 0;
}

/* The directory a configuration file is in, absolute. */
static int config_dir(const char *path, char **ret) {
        const char *slash = strrchr(path, '/');
        char *dir;
        if (path[0] == '/')
                dir = strndup(path, slash == path ? 1 : (size_t) (slash - path));
        else {
                _cleanup_(freep) char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                if (!slash)
                        dir = TAKE_PTR(cwd);
                else if (asprintf(&dir, "%s/%.*s", cwd, (int) (slash - path), path) < 0)
                        dir = NULL;
        }
        if (!dir)
                return -ENOMEM;
        *ret = dir;
        return 0;
}

int config_load_file(const char *path, struct config **ret, struct diaglist *diags) {
        _cleanup_(freep) char *data = NULL;
        size_t len;
        int r = yamldoc_read_file(path, CONFIG_MAX_FILE_BYTES, "configuration file", diags, &data, &len);
        if (r < 0)
                return r;
        _cleanup_(freep) char *dir = NULL;
        r = config_dir(path, &dir);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (diaglist_add(diags, path, 0, 0, "cannot find the current directory to resolve relative paths: %s",
                                 strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        return config_load_buffer(path, data, len, dir, ret, diags);
}

void config_free(struct config *c) {
        if (c)
                arena_free(c->arena);
}

const struct source_config *config_find_source(const struct config *c, const char *name) {
        for (size_t i = 0; i < c->nsources; i++)
                if (strcmp(c->sources[i].name, name) == 0)
                        return &c->sources[i];
        return NULL;
}

int config_source_require_dirs(const struct source_config *s, struct diaglist *diags, const char *config_path) {
        const char *dirs[NKEYS];
        size_t ndirs = 0;
        for (size_t k = 0; k < NKEYS; k++)
                if (cf_keys[k].flags & CF_DAEMON)
                        dirs[ndirs++] = cf_keys[k].name;
        _cleanup_(freep) char *list = join_list(dirs, ndirs, " and ");
        if (!list)
                return -ENOMEM;
        int r = 0;
        for (size_t k = 0; k < NKEYS; k++) {
                if (!(cf_keys[k].flags & CF_DAEMON) || *(char *const *) cmember(s, &cf_keys[k]))
                        continue;
                if (diaglist_add(diags, config_path, s->line, s->col,
                                 "source '%s' has no '%s' directory; the daemon needs %s", s->name, cf_keys[k].name,
                                 list) < 0)
                        return -ENOMEM;
                r = -EINVAL;
        }
        return r;
}

static bool key_differs(const struct cf_key *k, const void *a, const void *b) {
        const void *pa = cmember(a, k), *pb = cmember(b, k);
        switch (k->type) {
        case CF_SECRET:
        case CF_NAME:
        case CF_SCHEMA:
        case CF_GROUP:
        case CF_PATTERN:
        case CF_PATH: {
                const char *sa = *(char *const *) pa, *sb = *(char *const *) pb;
                return (!sa || !sb) ? sa != sb : strcmp(sa, sb) != 0;
        }
        case CF_UINT: return *(const unsigned *) pa != *(const unsigned *) pb;
        case CF_SHARE: return *(const double *) pa != *(const double *) pb;
        case CF_BOOL: return *(const bool *) pa != *(const bool *) pb;
        case CF_ENUM: return *(const int *) pa != *(const int *) pb;
        }
        return true;
}

int config_reload_check(const struct config *old, const struct config *new_config, struct diaglist *diags) {
        const char *file = new_config->path;
        int r = 0;
#define REPORT(line, col, ...)                                                  \
        do {                                                                    \
                if (diaglist_add(diags, file, line, col, __VA_ARGS__) < 0)      \
                        return -ENOMEM;                                         \
                r = -EINVAL;                                                    \
        } while (0)
        for (size_t k = 0; k < NKEYS; k++)
                if (cf_keys[k].section == SEC_DATABASE && !(cf_keys[k].flags & CF_RELOAD) &&
                    key_differs(&cf_keys[k], old, new_config))
                        REPORT(0, 0, "database.%s changed; it takes effect after a restart", cf_keys[k].name);
        for (size_t i = 0; i < new_config->nsources; i++) {
                const struct source_config *s = &new_config->sources[i], *o = config_find_source(old, s->name);
                if (!o) {
                        REPORT(s->line, s->col, "source '%s' is new; sources are added by a restart", s->name);
                        continue;
                }
                for (size_t k = 0; k < NKEYS; k++)
                        if (cf_keys[k].section == SEC_SOURCE && !(cf_keys[k].flags & CF_RELOAD) &&
                            key_differs(&cf_keys[k], o, s))
                                REPORT(s->line, s->col, "source '%s': %s changed; it takes effect after a restart",
                                       s->name, cf_keys[k].name);
        }
        for (size_t i = 0; i < old->nsources; i++)
                if (!config_find_source(new_config, old->sources[i].name))
                        REPORT(0, 0, "source '%s' was removed; sources are removed by a restart", old->sources[i].name);
#undef REPORT
        return r;
}

const char *redelivery_name(enum redelivery r) {
        return (unsigned) r < ELEMENTSOF(redelivery_names) - 1 ? redelivery_names[r] : "?";
}

const char *watch_mode_name(enum watch_mode w) {
        return (unsigned) w < ELEMENTSOF(watch_names) - 1 ? watch_names[w] : "?";
}
