/*
 * Schema set-up (see schema.h). Statements are built with quoted identifiers (db_ident)
 * and values go as parameters, never spliced into SQL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbrules.h"
#include "schema.h"
#include "strbuf.h"

extern const char plausid_migration_001[];
extern const char plausid_migration_002[];
extern const char plausid_migration_003[];
extern const char plausid_migration_004[];

static const char *const migrations[] = {
        plausid_migration_001,
        plausid_migration_002,
        plausid_migration_003,
        plausid_migration_004,
};

/* Every schema change of every plausid process goes through this lock. */
#define SCHEMA_LOCK "SELECT pg_advisory_xact_lock(hashtext('plausid.schema'))"

static int begin_in_schema(PGconn *conn, const char *schema, bool create, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        if (!ident)
                return -ENOMEM;
        int r = strbuf_printf(&sql, "BEGIN; " SCHEMA_LOCK ";%s%s%s SET LOCAL search_path = %s;",
                              create ? " CREATE SCHEMA IF NOT EXISTS " : "", create ? ident : "", create ? ";" : "",
                              ident);
        if (r < 0)
                return r;
        return db_exec(conn, strbuf_str(&sql), ret_error);
}

int schema_begin_read(PGconn *conn, const char *schema, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        if (!ident)
                return -ENOMEM;
        /* jit off: the views that set aids against the population are planned far above
         * jit_above_cost on small tables, and compiling them cost 0.7 s of a 0.8 s query
         * (rules/README.md, "Reading them fast"). */
        int r = strbuf_printf(&sql,
                              "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = %s;"
                              " SET LOCAL jit = off",
                              ident);
        if (r < 0)
                return r;
        return db_exec(conn, strbuf_str(&sql), ret_error);
}

static void rollback(PGconn *conn) {
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* The migrations the schema lacks, inside the transaction schema_migrate() began. */
static int apply_migrations(PGconn *conn, char **ret_error) {
        int r = db_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                        ret_error);
        if (r < 0)
                return r;
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL, &res, ret_error);
        if (r < 0)
                return r;
        int64_t have;
        r = db_get_int64(res, 0, 0, &have, ret_error);
        if (r < 0)
                return r;
        if (have > (int64_t) ELEMENTSOF(migrations)) {
                if (asprintf(ret_error, "the database schema is at version %" PRId64 ", newer than this plausid (%zu)",
                             have, ELEMENTSOF(migrations)) < 0)
                        *ret_error = NULL;
                return -EPROTO;
        }
        for (int64_t v = have + 1; v <= (int64_t) ELEMENTSOF(migrations); v++) {
                r = db_exec(conn, migrations[v - 1], ret_error);
                if (r < 0)
                        return r;
                const char *params[] = {DB_INT64(v)};
                r = db_command(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, params, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int schema_migrate(PGconn *conn, const char *schema, char **ret_error) {
        int r = begin_in_schema(conn, schema, true, ret_error);
        if (r < 0)
                return r;
        r = apply_migrations(conn, ret_error);
        if (r >= 0)
                r = db_exec(conn, "COMMIT", ret_error);
        if (r < 0)
                rollback(conn);
        return r;
}

static const char *sql_type(enum column_type t) {
        switch (t) {
        case COLUMN_INTEGER:
                return "bigint";
        case COLUMN_DATE:
        case COLUMN_DAY:
                return "date";
        case COLUMN_NUMERIC:
                return "numeric";
        case COLUMN_TEXT:
                break;
        }
        return "text";
}

static int create_table(PGconn *conn, const struct table *t, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(strbuf_done) struct strbuf name = {0}, sql = {0};
        if (!tab)
                return -ENOMEM;
        int r = strbuf_printf(&name, "%s_delivery", t->name);
        if (r < 0)
                return r;
        _cleanup_(freep) char *idx = db_ident(strbuf_str(&name));
        if (!idx)
                return -ENOMEM;
        /* delivery_id only grows in the order rows are written, which is what a BRIN index
         * needs: deleting or replacing a delivery finds its block ranges, and the COPY of a
         * million rows does not pay for a B-tree entry per row. */
        r = strbuf_printf(&sql,
                          "CREATE TABLE IF NOT EXISTS %s (delivery_id bigint NOT NULL, line integer NOT NULL);"
                          " CREATE INDEX IF NOT EXISTS %s ON %s USING brin (delivery_id);",
                          tab, idx, tab);
        if (r < 0)
                return r;
        /* Columns one by one, so that a pack that gained a field extends its table. */
        for (unsigned k = 0; k < t->ncolumns; k++) {
                if (!t->columns[k].stored)
                        continue;
                _cleanup_(freep) char *col = db_ident(t->columns[k].name);
                if (!col)
                        return -ENOMEM;
                r = strbuf_printf(&sql, " ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;", tab, col,
                                  sql_type(t->columns[k].type));
                if (r < 0)
                        return r;
        }
        return db_exec(conn, strbuf_str(&sql), ret_error);
}

/* One column, qualified with alias when there is one. */
static int put_column(struct strbuf *out, const char *alias, const char *name) {
        _cleanup_(freep) char *col = db_ident(name);
        if (!col)
                return -ENOMEM;
        return alias ? strbuf_printf(out, "%s.%s", alias, col) : strbuf_puts(out, col);
}

/* v as an SQL literal, quotes doubled; NULL as NULL. */
static int put_literal(struct strbuf *out, const char *v) {
        if (!v)
                return strbuf_puts(out, "NULL");
        int r = strbuf_putc(out, '\'');
        for (; *v && r >= 0; v++)
                r = *v == '\'' ? strbuf_puts(out, "''") : strbuf_putc(out, *v);
        return r < 0 ? r : strbuf_putc(out, '\'');
}

struct level_sql {
        struct strbuf *out;
        const char *alias;
        const char *field, *level;
};

/* " WHEN <column> = '<code>' THEN <value>" */
static int put_when(struct strbuf *out, const char *column, const char *code, const char *value) {
        _cleanup_(strbuf_done) struct strbuf literal = {0};
        int r = put_literal(&literal, code);
        if (r < 0)
                return r;
        return strbuf_printf(out, " WHEN %s = %s THEN %s", column, strbuf_str(&literal), value);
}

/* A level decided by another field: the inner CASE over that field's codes, the level's
 * value when none of them matches. An empty deciding field gives NULL, as in the rules. */
static int put_decided(struct strbuf *out, const char *alias, const struct hierarchy_entry *h) {
        _cleanup_(strbuf_done) struct strbuf by = {0}, value = {0};
        int r = put_column(&by, alias, h->by_field);
        if (r < 0)
                return r;
        r = strbuf_printf(out, "(CASE WHEN %s IS NULL THEN NULL", strbuf_str(&by));
        for (unsigned i = 0; i < h->ncases && r >= 0; i++) {
                strbuf_reset(&value);
                r = put_literal(&value, h->case_values[i]);
                if (r >= 0)
                        r = put_when(out, strbuf_str(&by), h->case_codes[i], strbuf_str(&value));
        }
        if (r < 0)
                return r;
        r = strbuf_puts(out, " ELSE ");
        if (r < 0)
                return r;
        r = put_literal(out, h->value);
        if (r < 0)
                return r;
        return strbuf_puts(out, " END)");
}

/* One WHEN of a level's CASE: the code, and its value or (decided by another field) the
 * inner CASE over that field's codes. */
static int put_level_when(void *userdata, const struct hierarchy_entry *h) {
        struct level_sql *x = userdata;
        if (strcmp(h->field, x->field) != 0 || strcmp(h->level, x->level) != 0)
                return 0;
        _cleanup_(strbuf_done) struct strbuf column = {0}, value = {0};
        int r = put_column(&column, x->alias, h->field);
        if (r < 0)
                return r;
        r = h->by_field ? put_decided(&value, x->alias, h) : put_literal(&value, h->value);
        if (r < 0)
                return r;
        return put_when(x->out, strbuf_str(&column), h->code, strbuf_str(&value));
}

/* A level column as an expression over the stored columns: the hierarchy of the pack,
 * decided as hierarchy_level() decides it for the rules. */
static int level_expression(const struct table *t, const char *alias, const struct column *c, struct strbuf *out) {
        const char *field = t->columns[c->field].name;
        struct level_sql x = {.out = out, .alias = alias, .field = field, .level = c->name + strlen(field) + 1};
        int r = strbuf_puts(out, "(CASE");
        if (r < 0)
                return r;
        r = table_each_hierarchy_entry(t->rs, put_level_when, &x);
        if (r < 0)
                return r;
        return strbuf_puts(out, " END)");
}

/*
 * The view v_<dataset>: the derived level columns first, then every stored column. In
 * that order a pack that gains a field only appends to the view, which CREATE OR REPLACE
 * allows. When that is not enough (the levels changed), or when an earlier plausid stored
 * the level columns, what depends on them is dropped and every data set's views are
 * applied again.
 */
/* "SELECT <level expressions> AS <level columns>, t.* FROM <table> t" without the rows
 * rejected later, and in old the ALTER TABLE clauses that drop level columns an earlier
 * plausid stored. */
static int derived_select(const struct table *t, const char *tab, struct strbuf *select, struct strbuf *old) {
        int r = strbuf_puts(select, "SELECT ");
        for (unsigned k = 0; k < t->ncolumns && r >= 0; k++) {
                const struct column *c = &t->columns[k];
                if (c->stored)
                        continue;
                _cleanup_(freep) char *col = db_ident(c->name);
                if (!col)
                        return -ENOMEM;
                r = level_expression(t, "t", c, select);
                if (r >= 0)
                        r = strbuf_printf(select, " AS %s, ", col);
                if (r >= 0)
                        r = strbuf_printf(old, "%s DROP COLUMN IF EXISTS %s CASCADE", old->len ? "," : "", col);
        }
        if (r < 0)
                return r;
        /* A record a later delivery rejected (late_rejections, sql/004) stays in the table
         * with its finding but is in no view: every view reads the table through this one. */
        return strbuf_printf(select,
                             "t.* FROM %s t WHERE NOT EXISTS (SELECT 1 FROM late_rejections l"
                             " WHERE l.delivery_id = t.delivery_id AND l.line = t.line)",
                             tab);
}

static int create_derived_view(PGconn *conn, const struct table *t, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(strbuf_done) struct strbuf name = {0}, select = {0}, old = {0}, sql = {0};
        if (!tab)
                return -ENOMEM;
        int r = strbuf_printf(&name, "v_%s", t->name);
        if (r < 0)
                return r;
        _cleanup_(freep) char *view = db_ident(strbuf_str(&name));
        if (!view)
                return -ENOMEM;
        r = derived_select(t, tab, &select, &old);
        if (r < 0)
                return r;
        r = strbuf_printf(&sql, "SAVEPOINT derived; CREATE OR REPLACE VIEW %s AS %s", view, strbuf_str(&select));
        if (r < 0)
                return r;
        _cleanup_(freep) char *ignored = NULL;
        if (db_exec(conn, strbuf_str(&sql), &ignored) >= 0)
                return db_exec(conn, "RELEASE SAVEPOINT derived", ret_error);
        /* Level columns stored by an earlier plausid give way to the view's. */
        strbuf_reset(&sql);
        r = strbuf_printf(&sql, "ROLLBACK TO SAVEPOINT derived; DROP VIEW IF EXISTS %s CASCADE;", view);
        if (r >= 0 && old.len)
                r = strbuf_printf(&sql, " ALTER TABLE %s %s;", tab, strbuf_str(&old));
        if (r < 0)
                return r;
        r = strbuf_printf(&sql,
                          " CREATE VIEW %s AS %s;"
                          " UPDATE datasets SET views_applied = false WHERE views_sql IS NOT NULL",
                          view, strbuf_str(&select));
        if (r < 0)
                return r;
        return db_exec(conn, strbuf_str(&sql), ret_error);
}

struct export_ctx {
        PGconn *conn;
        const char *dataset;
        char **ret_error;
};

static int insert_code(void *userdata, const struct code_entry *c) {
        struct export_ctx *x = userdata;
        const char *params[] = {x->dataset, c->list, c->code, c->label};
        return db_command(x->conn, "INSERT INTO codes (dataset, list, code, label) VALUES ($1, $2, $3, $4)", 4, params,
                   x->ret_error);
}

/* items[0..n) as a text[] literal, {"a","b"}; the pack's own strings, escaped for it. */
static int put_text_array(struct strbuf *out, const char *const *items, unsigned n) {
        int r = strbuf_putc(out, '{');
        for (unsigned i = 0; i < n && r >= 0; i++) {
                r = strbuf_printf(out, "%s\"", i ? "," : "");
                for (const char *p = items[i]; *p && r >= 0; p++)
                        r = (*p == '"' || *p == '\\') ? strbuf_printf(out, "\\%c", *p) : strbuf_putc(out, *p);
                if (r >= 0)
                        r = strbuf_putc(out, '"');
        }
        return r < 0 ? r : strbuf_putc(out, '}');
}

static int insert_level(void *userdata, const struct hierarchy_entry *h) {
        struct export_ctx *x = userdata;
        /* The cases as a JSON object from two arrays; codes and values are the pack's own
         * strings, escaped by to_jsonb on the server rather than here. */
        _cleanup_(strbuf_done) struct strbuf keys = {0}, vals = {0};
        if (h->by_field) {
                int r = put_text_array(&keys, h->case_codes, h->ncases);
                if (r < 0)
                        return r;
                r = put_text_array(&vals, h->case_values, h->ncases);
                if (r < 0)
                        return r;
        }
        const char *params[] = {x->dataset, h->hierarchy, h->field, h->code, h->level, h->value, h->by_field,
                                h->by_field ? strbuf_str(&keys) : NULL, h->by_field ? strbuf_str(&vals) : NULL};
        return db_command(x->conn,
                   "INSERT INTO hierarchy (dataset, hierarchy, field, code, level, value, by_field, cases)"
                   " VALUES ($1, $2, $3, $4, $5, $6::text, $7::text,"
                   " CASE WHEN $7::text IS NULL THEN NULL"
                   " ELSE jsonb_object($8::text[], $9::text[]) || jsonb_build_object('default', $6::text) END)",
                   9, params, x->ret_error);
}

/*
 * Reads "<dir of pack>/<dataset>.views.sql": its text into *ret (NULL when there is no
 * such file), its "-- plausid: requires a, b" line as a text[] literal into *ret_requires,
 * and the file's path into *ret_path, for messages.
 */
static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* The whole file at path into text: -ENOENT (without a message) when there is none. */
static int read_text(const char *path, struct strbuf *text, char **ret_error) {
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        int r = 0;
        if (!f)
                r = -errno;
        char buf[8192];
        size_t n;
        while (r >= 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
                r = strbuf_append(text, buf, n);
        if (r >= 0 && ferror(f))
                r = -EIO;
        if (r < 0 && r != -ENOENT && r != -ENOMEM && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

/* "-- plausid: requires a, b" on the first line of text: as a text[] literal "{a,b}". */
static int put_requires(const char *text, struct strbuf *out) {
        const char *tag = "-- plausid: requires ";
        int r = strbuf_putc(out, '{');
        if (strncmp(text, tag, strlen(tag)) == 0)
                for (const char *p = text + strlen(tag); *p && *p != '\n' && r >= 0; p++)
                        if (*p != ' ' && *p != '\r')
                                r = strbuf_putc(out, *p);
        return r < 0 ? r : strbuf_putc(out, '}');
}

static int read_views(const char *pack_path, const char *dataset, char **ret, char **ret_requires, char **ret_path,
                      char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf path = {0}, text = {0}, req = {0};
        const char *slash = strrchr(pack_path, '/');
        int r = slash ? strbuf_printf(&path, "%.*s/%s.views.sql", (int) (slash - pack_path), pack_path, dataset)
                      : strbuf_printf(&path, "%s.views.sql", dataset);
        if (r < 0)
                return r;
        r = read_text(strbuf_str(&path), &text, ret_error);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = put_requires(strbuf_str(&text), &req);
        if (r < 0)
                return r;
        _cleanup_(freep) char *views = strdup(strbuf_str(&text));
        _cleanup_(freep) char *requires = strdup(strbuf_str(&req));
        _cleanup_(freep) char *where = strdup(strbuf_str(&path));
        if (!views || !requires || !where)
                return -ENOMEM;
        *ret = TAKE_PTR(views);
        *ret_requires = TAKE_PTR(requires);
        *ret_path = TAKE_PTR(where);
        return 0;
}

/*
 * Where in the views text PostgreSQL's error position points: the position is 1-based
 * and counts characters, not bytes (the text is UTF-8, the connection's encoding), so
 * continuation bytes are skipped. Returns false when there is no usable position.
 */
static bool views_position(const char *sql, const char *position, unsigned *ret_line, unsigned *ret_col) {
        if (!position || !*position)
                return false;
        char *end;
        errno = 0;
        unsigned long pos = strtoul(position, &end, 10);
        if (errno || *end || pos == 0)
                return false;
        unsigned long chars = 0;
        unsigned line = 1, col = 0;
        for (const unsigned char *p = (const unsigned char *) sql; *p; p++) {
                if ((*p & 0xc0) == 0x80)
                        continue;
                col++;
                if (++chars == pos) {
                        *ret_line = line;
                        *ret_col = col;
                        return true;
                }
                if (*p == '\n') {
                        line++;
                        col = 0;
                }
        }
        return false;
}

/*
 * Runs one data set's views text. A failure is reported as "file:line:col: message",
 * the file being the views file, the line and column those of the server's error position
 * when it gives one (a syntax error, an unknown column), else "file: message".
 */
static int exec_views(PGconn *conn, const char *file, const char *sql, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = PQexec(conn, sql);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        /* A views file that holds only comments is an empty query, and no error. */
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
                return 0;
        _cleanup_(freep) char *inner = db_error_text(conn, res);
        unsigned line, col;
        int r = res && views_position(sql, PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION), &line, &col)
                        ? asprintf(ret_error, "%s:%u:%u: %s", file, line, col, inner ? inner : "?")
                        : asprintf(ret_error, "%s: %s", file, inner ? inner : "?");
        if (r < 0)
                *ret_error = NULL;
        return -EIO;
}

/* Another data set's views, under a savepoint: a failure rolls them back, and they keep
 * waiting (*ret_skipped, returns 1) to fail loudly when their own data set is loaded
 * next. Returns 0 when they were applied. */
static int apply_other_views(PGconn *conn, const char *name, const char *sql, bool *ret_skipped, char **ret_error) {
        int r = db_exec(conn, "SAVEPOINT plausid_views", ret_error);
        if (r < 0)
                return r;
        _cleanup_(freep) char *error = NULL;
        if (exec_views(conn, name, sql, &error) >= 0)
                return db_exec(conn, "RELEASE SAVEPOINT plausid_views", ret_error);
        *ret_skipped = true;
        r = db_exec(conn, "ROLLBACK TO SAVEPOINT plausid_views", ret_error);
        return r < 0 ? r : 1;
}

/*
 * Applies every pack's views that wait and whose tables now all exist. The views of the
 * data set being prepared (dataset, read from views_path) must apply: their failure fails
 * the preparation, so that whoever changed the file learns it at once. The views of other
 * data sets that waited for this one's table are applied under a savepoint: a broken file
 * of another data set must not stop this data set's loads, and its path is not known here
 * to name it. They stay waiting (*ret_skipped) and fail loudly when their own data set is
 * loaded next, which reads the file again.
 *
 * A views file may build on the views of the data sets it requires (rules/README.md). Those
 * drop their views with CASCADE when they run again, which takes the dependent views with
 * them: so every file that requires a data set waits again once that data set's views were
 * applied, and files are applied one at a time, a file before those that require it. A
 * file runs at most once per call (tried), which also ends a cycle of requires.
 */
static int apply_pending_views(PGconn *conn, const char *dataset, const char *views_path, bool *ret_skipped,
                               char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf tried = {0};
        int r = 0;
        for (unsigned n = 0; r >= 0; n++) {
                const char *params[] = {strbuf_str(&tried)};
                /* The next file: ready (its tables exist), not tried, and none of the data
                 * sets it requires still waiting to be applied before it. */
                _cleanup_(db_clearp) PGresult *res = NULL;
                r = db_query(conn,
                             "SELECT d.dataset, d.views_sql, NOT EXISTS (SELECT 1 FROM unnest(d.views_requires) r"
                             "  WHERE to_regclass(quote_ident(r)) IS NULL),"
                             " EXISTS (SELECT 1 FROM datasets o WHERE o.dataset <> d.dataset AND NOT o.views_applied"
                             "  AND o.views_sql IS NOT NULL AND o.dataset = ANY(d.views_requires)"
                             "  AND NOT o.dataset = ANY(('{' || $1 || '}')::text[]))"
                             " FROM datasets d WHERE NOT d.views_applied AND d.views_sql IS NOT NULL"
                             " AND NOT d.dataset = ANY(('{' || $1 || '}')::text[])"
                             " ORDER BY 3 DESC, 4, 1 LIMIT 1",
                             1, params, &res, ret_error);
                if (r < 0 || PQntuples(res) == 0)
                        return r;
                const char *name = PQgetvalue(res, 0, 0), *sql = PQgetvalue(res, 0, 1);
                r = strbuf_printf(&tried, "%s\"%s\"", n ? "," : "", name);
                if (r < 0)
                        return r;
                if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
                        *ret_skipped = true;
                        continue;
                }
                r = strcmp(name, dataset) == 0 ? exec_views(conn, views_path ? views_path : "views", sql, ret_error)
                                               : apply_other_views(conn, name, sql, ret_skipped, ret_error);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;       /* failed: it keeps waiting */
                const char *applied[] = {name};
                r = db_command(conn,
                               "UPDATE datasets SET views_applied = (dataset = $1)"
                               " WHERE dataset = $1 OR ($1 = ANY(views_requires) AND views_sql IS NOT NULL)",
                               1, applied, ret_error);
        }
        return r;
}

/* A pack not seen before: its code lists, hierarchy and linked rules (which loads of
 * other data sets run, dbrules.h) anew, and its row in datasets (up: dataset, digest,
 * views text, requires). */
static int export_pack(PGconn *conn, const struct ruleset *rs, const char *const *up, char **ret_error) {
        struct export_ctx x = {conn, up[0], ret_error};
        int r = db_command(conn, "DELETE FROM codes WHERE dataset = $1", 1, up, ret_error);
        if (r < 0)
                return r;
        r = db_command(conn, "DELETE FROM hierarchy WHERE dataset = $1", 1, up, ret_error);
        if (r < 0)
                return r;
        r = table_each_code(rs, insert_code, &x);
        if (r < 0)
                return r;
        r = table_each_hierarchy_entry(rs, insert_level, &x);
        if (r < 0)
                return r;
        r = dbrules_store(conn, rs, ret_error);
        if (r < 0)
                return r;
        return db_command(conn,
                   "INSERT INTO datasets (dataset, rules_sha256, views_sql, views_requires)"
                   " VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT (dataset) DO UPDATE SET rules_sha256 = $2, views_sql = $3,"
                   "  views_requires = $4, views_applied = false, updated_at = now()",
                   4, up, ret_error);
}

/* schema_prepare_dataset() inside its transaction. */
static int prepare_dataset(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *pack_path,
                           const char *pack_sha256, bool *ret_skipped, char **ret_error) {
        int r = create_table(conn, t, ret_error);
        if (r < 0)
                return r;
        r = create_derived_view(conn, t, ret_error);
        if (r < 0)
                return r;
        /* The views file is read on every run, not only for a new pack: a file that was
         * changed on its own is applied again as soon as its text differs from the text
         * that was applied. */
        const char *dataset = ruleset_name(rs);
        _cleanup_(freep) char *views = NULL, *requires = NULL, *views_path = NULL;
        r = read_views(pack_path, dataset, &views, &requires, &views_path, ret_error);
        if (r < 0)
                return r;
        const char *up[] = {dataset, pack_sha256, views, requires ? requires : "{}"};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, "SELECT 1 FROM datasets WHERE dataset = $1 AND rules_sha256 = $2", 2, up, &res, ret_error);
        if (r < 0)
                return r;
        if (PQntuples(res) == 0)
                r = export_pack(conn, rs, up, ret_error);
        else
                /* A file that is gone leaves the views it created in place: which those were,
                 * only the file knew. */
                r = db_command(conn,
                        "UPDATE datasets SET views_sql = $3, views_requires = $4, views_applied = false,"
                        " updated_at = now() WHERE dataset = $1 AND rules_sha256 = $2"
                        " AND views_sql IS DISTINCT FROM $3",
                        4, up, ret_error);
        if (r < 0)
                return r;
        return apply_pending_views(conn, dataset, views_path, ret_skipped, ret_error);
}

int schema_prepare_dataset(PGconn *conn, const char *schema, const struct ruleset *rs, const struct table *t,
                           const char *pack_path, const char *pack_sha256, bool *ret_views_skipped, char **ret_error) {
        int r = begin_in_schema(conn, schema, false, ret_error);
        if (r < 0)
                return r;
        bool skipped = false;
        r = prepare_dataset(conn, rs, t, pack_path, pack_sha256, &skipped, ret_error);
        if (r >= 0)
                r = db_exec(conn, "COMMIT", ret_error);
        if (r < 0) {
                rollback(conn);
                return r;
        }
        if (ret_views_skipped)
                *ret_views_skipped = skipped;
        return 0;
}

int schema_unit_expression(const struct table *t, const char *alias, struct strbuf *out) {
        if (t->nunit == 0)
                return strbuf_puts(out, "''");
        int r = strbuf_puts(out, "concat_ws('-'");
        for (unsigned k = 0; k < t->nunit && r >= 0; k++) {
                _cleanup_(strbuf_done) struct strbuf col = {0};
                r = put_column(&col, alias, t->columns[t->unit[k]].name);
                if (r >= 0)
                        r = strbuf_printf(out, ", coalesce(%s, '')", strbuf_str(&col));
        }
        return r < 0 ? r : strbuf_putc(out, ')');
}

int schema_part_expression(const struct table *t, const char *alias, struct strbuf *out) {
        if (t->part < 0)
                return strbuf_puts(out, "''");
        _cleanup_(strbuf_done) struct strbuf col = {0};
        int r = put_column(&col, alias, t->columns[t->part].name);
        if (r < 0)
                return r;
        return strbuf_printf(out, "coalesce(%s, '')", strbuf_str(&col));
}

int schema_column(const struct table *t, const char *alias, unsigned field, int level, struct strbuf *out) {
        for (unsigned k = 0; k < t->ncolumns; k++)
                if (t->columns[k].field == field && t->columns[k].level == level)
                        return t->columns[k].stored ? put_column(out, alias, t->columns[k].name)
                                                    : level_expression(t, alias, &t->columns[k], out);
        return -ENOENT;
}

int schema_waiting_views(PGconn *conn, const char *schema, struct schema_waiting_view **ret, size_t *ret_n,
                         char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema), *sql = NULL;
        if (!ident)
                return -ENOMEM;
        if (asprintf(&sql,
                     "SELECT dataset, array_to_string(views_requires, ', ') FROM %s.datasets"
                     " WHERE NOT views_applied AND views_sql IS NOT NULL ORDER BY dataset",
                     ident) < 0) {
                sql = NULL;
                return -ENOMEM;
        }
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, sql, 0, NULL, &res, ret_error);
        if (r < 0)
                return r;
        /* The count is known: one allocation, no growing. */
        size_t n = (size_t) PQntuples(res);
        struct schema_waiting_view *v = n ? calloc(n, sizeof(*v)) : NULL;
        if (n && !v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                v[i].dataset = strdup(PQgetvalue(res, (int) i, 0));
                v[i].requires = strdup(PQgetvalue(res, (int) i, 1));
                if (!v[i].dataset || !v[i].requires) {
                        schema_waiting_views_free(v, n);
                        return -ENOMEM;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void schema_waiting_views_free(struct schema_waiting_view *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].dataset);
                free(v[i].requires);
        }
        free(v);
}

void schema_end_read(PGconn *conn) {
        rollback(conn);
}

int schema_has_column(PGconn *conn, const char *schema, const char *table, const char *column, bool *ret,
                      char **ret_error) {
        const char *params[] = {schema, table, column};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
                         " AND column_name = $3",
                         3, params, &res, ret_error);
        if (r < 0)
                return r;
        *ret = PQntuples(res) > 0;
        return 0;
}
