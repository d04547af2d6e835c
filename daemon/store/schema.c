/*
 * Schema set-up (see schema.h). Statements are built with quoted identifiers (db_ident)
 * and values go as parameters, never spliced into SQL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "schema.h"
#include "strbuf.h"

extern const char plausid_migration_001[];

static const char *const migrations[] = {
        plausid_migration_001,
};

/* Every schema change of every plausid process goes through this lock. */
#define SCHEMA_LOCK "SELECT pg_advisory_xact_lock(hashtext('plausid.schema'))"

static int begin_in_schema(PGconn *conn, const char *schema, bool create, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        if (!ident)
                return -ENOMEM;
        struct strbuf sql = {0};
        int e = strbuf_puts(&sql, "BEGIN; " SCHEMA_LOCK ";");
        if (e >= 0 && create)
                e = strbuf_printf(&sql, " CREATE SCHEMA IF NOT EXISTS %s;", ident);
        if (e >= 0)
                e = strbuf_printf(&sql, " SET LOCAL search_path = %s;", ident);
        if (e >= 0)
                e = db_exec(conn, strbuf_str(&sql), ret_error);
        strbuf_done(&sql);
        return e;
}

int schema_begin_read(PGconn *conn, const char *schema, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int e = ident ? strbuf_printf(&sql,
                                      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = %s",
                                      ident)
                      : -ENOMEM;
        return e < 0 ? e : db_exec(conn, strbuf_str(&sql), ret_error);
}

static void rollback(PGconn *conn) {
        PQclear(PQexec(conn, "ROLLBACK"));
}

int schema_migrate(PGconn *conn, const char *schema, char **ret_error) {
        int e = begin_in_schema(conn, schema, true, ret_error);
        if (e < 0)
                return e;
        _cleanup_(db_clearp) PGresult *res = NULL;
        e = db_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    ret_error);
        if (e >= 0)
                e = db_query(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL, &res,
                             ret_error);
        if (e < 0) {
                rollback(conn);
                return e;
        }
        int have = atoi(PQgetvalue(res, 0, 0));
        if (have > (int) ELEMENTSOF(migrations)) {
                if (asprintf(ret_error, "the database schema is at version %d, newer than this plausid (%zu)", have,
                             ELEMENTSOF(migrations)) < 0)
                        *ret_error = NULL;
                rollback(conn);
                return -EPROTO;
        }
        for (int v = have + 1; v <= (int) ELEMENTSOF(migrations) && e >= 0; v++) {
                e = db_exec(conn, migrations[v - 1], ret_error);
                char version[16];
                snprintf(version, sizeof(version), "%d", v);
                const char *params[] = {version};
                PGresult *r = NULL;
                if (e >= 0)
                        e = db_query(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, params, &r,
                                     ret_error);
                PQclear(r);
        }
        if (e >= 0)
                e = db_exec(conn, "COMMIT", ret_error);
        if (e < 0)
                rollback(conn);
        return e;
}

static const char *sql_type(enum column_type t) {
        switch (t) {
        case COLUMN_INTEGER:
                return "bigint";
        case COLUMN_DATE:
                return "date";
        case COLUMN_TEXT:
                break;
        }
        return "text";
}

static int create_table(PGconn *conn, const struct table *t, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        struct strbuf name = {0}, sql = {0};
        int e = tab ? strbuf_printf(&name, "%s_delivery", t->name) : -ENOMEM;
        _cleanup_(freep) char *idx = e >= 0 ? db_ident(strbuf_str(&name)) : NULL;
        if (e >= 0 && !idx)
                e = -ENOMEM;
        if (e >= 0)
                e = strbuf_printf(&sql,
                                  "CREATE TABLE IF NOT EXISTS %s (delivery_id bigint NOT NULL, line integer NOT NULL);"
                                  " CREATE INDEX IF NOT EXISTS %s ON %s USING brin (delivery_id);",
                                  tab, idx, tab);
        /* delivery_id only grows in the order rows are written, which is what a BRIN index
         * needs: deleting or replacing a delivery finds its block ranges, and the COPY of a
         * million rows does not pay for a B-tree entry per row. */
        /* Columns one by one, so that a pack that gained a field extends its table. */
        for (unsigned k = 0; k < t->ncolumns && e >= 0; k++) {
                if (!t->columns[k].stored)
                        continue;
                _cleanup_(freep) char *col = db_ident(t->columns[k].name);
                e = col ? strbuf_printf(&sql, " ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;", tab, col,
                                        sql_type(t->columns[k].type))
                        : -ENOMEM;
        }
        if (e >= 0)
                e = db_exec(conn, strbuf_str(&sql), ret_error);
        strbuf_done(&name);
        strbuf_done(&sql);
        return e;
}

/* One column, qualified with alias when there is one. */
static int put_column(struct strbuf *out, const char *alias, const char *name) {
        _cleanup_(freep) char *col = db_ident(name);
        if (!col)
                return -ENOMEM;
        return alias ? strbuf_printf(out, "%s.%s", alias, col) : strbuf_puts(out, col);
}

static int put_literal(struct strbuf *out, const char *v) {
        int e = strbuf_putc(out, '\'');
        for (; *v && e >= 0; v++)
                e = *v == '\'' ? strbuf_puts(out, "''") : strbuf_putc(out, *v);
        return e >= 0 ? strbuf_putc(out, '\'') : e;
}

struct level_sql {
        struct strbuf *out;
        const char *alias;
        const char *field, *level;
};

/* One WHEN of a level's CASE: the code, and its value or (decided by another field) the
 * inner CASE over that field's codes. An empty deciding field gives NULL, as in the rules. */
static int put_level_when(void *userdata, const struct hierarchy_entry *h) {
        struct level_sql *x = userdata;
        if (strcmp(h->field, x->field) != 0 || strcmp(h->level, x->level) != 0)
                return 0;
        int e = strbuf_puts(x->out, " WHEN ");
        e = e >= 0 ? put_column(x->out, x->alias, h->field) : e;
        e = e >= 0 ? strbuf_puts(x->out, " = ") : e;
        e = e >= 0 ? put_literal(x->out, h->code) : e;
        e = e >= 0 ? strbuf_puts(x->out, " THEN ") : e;
        if (h->by_field) {
                e = e >= 0 ? strbuf_puts(x->out, "(CASE WHEN ") : e;
                e = e >= 0 ? put_column(x->out, x->alias, h->by_field) : e;
                e = e >= 0 ? strbuf_puts(x->out, " IS NULL THEN NULL") : e;
                for (unsigned i = 0; i < h->ncases && e >= 0; i++) {
                        e = strbuf_puts(x->out, " WHEN ");
                        e = e >= 0 ? put_column(x->out, x->alias, h->by_field) : e;
                        e = e >= 0 ? strbuf_puts(x->out, " = ") : e;
                        e = e >= 0 ? put_literal(x->out, h->case_codes[i]) : e;
                        e = e >= 0 ? strbuf_puts(x->out, " THEN ") : e;
                        e = e >= 0 ? put_literal(x->out, h->case_values[i]) : e;
                }
                e = e >= 0 ? strbuf_puts(x->out, " ELSE ") : e;
        }
        if (e >= 0)
                e = h->value ? put_literal(x->out, h->value) : strbuf_puts(x->out, "NULL");
        if (e >= 0 && h->by_field)
                e = strbuf_puts(x->out, " END)");
        return e;
}

/* A level column as an expression over the stored columns: the hierarchy of the pack,
 * decided as hierarchy_level() decides it for the rules. */
static int level_expression(const struct table *t, const char *alias, const struct column *c, struct strbuf *out) {
        const char *field = t->columns[c->field].name;
        struct level_sql x = {.out = out, .alias = alias, .field = field, .level = c->name + strlen(field) + 1};
        int e = strbuf_puts(out, "(CASE");
        e = e >= 0 ? table_each_hierarchy_entry(t->rs, put_level_when, &x) : e;
        return e >= 0 ? strbuf_puts(out, " END)") : e;
}

/*
 * The view v_<dataset>: the derived level columns first, then every stored column. In
 * that order a pack that gains a field only appends to the view, which CREATE OR REPLACE
 * allows. When that is not enough (the levels changed), or when an earlier plausid stored
 * the level columns, what depends on them is dropped and every data set's views are
 * applied again.
 */
static int create_derived_view(PGconn *conn, const struct table *t, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(strbuf_done) struct strbuf name = {0};
        _cleanup_(strbuf_done) struct strbuf select = {0};
        _cleanup_(strbuf_done) struct strbuf old = {0};
        int e = tab ? strbuf_printf(&name, "v_%s", t->name) : -ENOMEM;
        _cleanup_(freep) char *view = e >= 0 ? db_ident(strbuf_str(&name)) : NULL;
        if (e >= 0 && !view)
                return -ENOMEM;
        e = e >= 0 ? strbuf_puts(&select, "SELECT ") : e;
        for (unsigned k = 0; k < t->ncolumns && e >= 0; k++) {
                const struct column *c = &t->columns[k];
                if (c->stored)
                        continue;
                _cleanup_(freep) char *col = db_ident(c->name);
                e = col ? level_expression(t, "t", c, &select) : -ENOMEM;
                e = e >= 0 ? strbuf_printf(&select, " AS %s, ", col) : e;
                e = e >= 0 ? strbuf_printf(&old, "%s DROP COLUMN IF EXISTS %s CASCADE", old.len ? "," : "", col) : e;
        }
        e = e >= 0 ? strbuf_printf(&select, "t.* FROM %s t", tab) : e;
        if (e < 0)
                return e;
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        e = strbuf_printf(&sql, "SAVEPOINT derived; CREATE OR REPLACE VIEW %s AS %s", view, strbuf_str(&select));
        if (e < 0)
                return e;
        _cleanup_(freep) char *ignored = NULL;
        if (db_exec(conn, strbuf_str(&sql), &ignored) >= 0)
                return db_exec(conn, "RELEASE SAVEPOINT derived", ret_error);
        /* Level columns stored by an earlier plausid give way to the view's. */
        strbuf_reset(&sql);
        e = strbuf_printf(&sql, "ROLLBACK TO SAVEPOINT derived; DROP VIEW IF EXISTS %s CASCADE;", view);
        if (e >= 0 && old.len)
                e = strbuf_printf(&sql, " ALTER TABLE %s %s;", tab, strbuf_str(&old));
        if (e >= 0)
                e = strbuf_printf(&sql,
                                  " CREATE VIEW %s AS %s;"
                                  " UPDATE datasets SET views_applied = false WHERE views_sql IS NOT NULL",
                                  view, strbuf_str(&select));
        return e < 0 ? e : db_exec(conn, strbuf_str(&sql), ret_error);
}

struct export_ctx {
        PGconn *conn;
        const char *dataset;
        char **ret_error;
};

static int insert_code(void *userdata, const struct code_entry *c) {
        struct export_ctx *x = userdata;
        const char *params[] = {x->dataset, c->list, c->code, c->label};
        PGresult *r = NULL;
        int e = db_query(x->conn, "INSERT INTO codes (dataset, list, code, label) VALUES ($1, $2, $3, $4)", 4,
                         params, &r, x->ret_error);
        PQclear(r);
        return e;
}

static int insert_level(void *userdata, const struct hierarchy_entry *h) {
        struct export_ctx *x = userdata;
        int e = 0;
        /* The cases as a JSON object; codes and values are the pack's own strings, escaped
         * by to_jsonb on the server rather than here. */
        const char *params[7] = {x->dataset, h->hierarchy, h->field, h->code, h->level, h->value, NULL};
        struct strbuf keys = {0}, vals = {0};
        if (h->by_field) {
                e = strbuf_puts(&keys, "{");
                for (unsigned i = 0; i < h->ncases && e >= 0; i++) {
                        e = strbuf_printf(&keys, "%s\"", i ? "," : "");
                        for (const char *p = h->case_codes[i]; *p && e >= 0; p++)
                                e = (*p == '"' || *p == '\\') ? strbuf_printf(&keys, "\\%c", *p) : strbuf_putc(&keys, *p);
                        if (e >= 0)
                                e = strbuf_puts(&keys, "\"");
                }
                if (e >= 0)
                        e = strbuf_puts(&keys, "}");
                e = e >= 0 ? strbuf_puts(&vals, "{") : e;
                for (unsigned i = 0; i < h->ncases && e >= 0; i++) {
                        e = strbuf_printf(&vals, "%s\"", i ? "," : "");
                        for (const char *p = h->case_values[i]; *p && e >= 0; p++)
                                e = (*p == '"' || *p == '\\') ? strbuf_printf(&vals, "\\%c", *p) : strbuf_putc(&vals, *p);
                        if (e >= 0)
                                e = strbuf_puts(&vals, "\"");
                }
                if (e >= 0)
                        e = strbuf_puts(&vals, "}");
        }
        const char *all[9] = {params[0], params[1], params[2], params[3], params[4], params[5],
                              h->by_field, h->by_field ? strbuf_str(&keys) : NULL,
                              h->by_field ? strbuf_str(&vals) : NULL};
        PGresult *r = NULL;
        if (e >= 0)
                e = db_query(x->conn,
                             "INSERT INTO hierarchy (dataset, hierarchy, field, code, level, value, by_field, cases)"
                             " VALUES ($1, $2, $3, $4, $5, $6::text, $7::text,"
                             " CASE WHEN $7::text IS NULL THEN NULL"
                             " ELSE jsonb_object($8::text[], $9::text[]) || jsonb_build_object('default', $6::text) END)",
                             9, all, &r, x->ret_error);
        PQclear(r);
        strbuf_done(&keys);
        strbuf_done(&vals);
        return e;
}

/*
 * Reads "<dir of pack>/<dataset>.views.sql": its text into *ret (NULL when there is no
 * such file), its "-- plausid: requires a, b" line as a text[] literal into *ret_requires,
 * and the file's path into *ret_path, for messages.
 */
static int read_views(const char *pack_path, const char *dataset, char **ret, char **ret_requires, char **ret_path,
                      char **ret_error) {
        struct strbuf path = {0};
        const char *slash = strrchr(pack_path, '/');
        int e = slash ? strbuf_printf(&path, "%.*s/%s.views.sql", (int) (slash - pack_path), pack_path, dataset)
                      : strbuf_printf(&path, "%s.views.sql", dataset);
        if (e < 0)
                return e;
        FILE *f = fopen(strbuf_str(&path), "re");
        if (!f) {
                e = errno == ENOENT ? 0 : -errno;
                if (e < 0 && asprintf(ret_error, "%s: %s", strbuf_str(&path), strerror(-e)) < 0)
                        *ret_error = NULL;
                strbuf_done(&path);
                return e;
        }
        struct strbuf text = {0};
        char buf[8192];
        size_t n;
        while (e >= 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
                e = strbuf_append(&text, buf, n);
        if (e >= 0 && ferror(f)) {
                e = -EIO;
                if (asprintf(ret_error, "%s: %s", strbuf_str(&path), strerror(EIO)) < 0)
                        *ret_error = NULL;
        }
        fclose(f);
        if (e < 0) {
                strbuf_done(&path);
                strbuf_done(&text);
                return e;
        }
        /* "-- plausid: requires a, b" on the first line: as a text[] literal "{a,b}". */
        struct strbuf req = {0};
        const char *tag = "-- plausid: requires ";
        e = strbuf_puts(&req, "{");
        if (e >= 0 && strncmp(strbuf_str(&text), tag, strlen(tag)) == 0) {
                const char *p = strbuf_str(&text) + strlen(tag);
                for (; *p && *p != '\n' && e >= 0; p++)
                        if (*p != ' ' && *p != '\r')
                                e = strbuf_putc(&req, *p);
        }
        if (e >= 0)
                e = strbuf_puts(&req, "}");
        char *views = e >= 0 ? strdup(strbuf_str(&text)) : NULL;
        char *requires = e >= 0 ? strdup(strbuf_str(&req)) : NULL;
        char *where = e >= 0 ? strdup(strbuf_str(&path)) : NULL;
        strbuf_done(&path);
        strbuf_done(&text);
        strbuf_done(&req);
        if (!views || !requires || !where) {
                free(views);
                free(requires);
                free(where);
                return e < 0 ? e : -ENOMEM;
        }
        *ret = views;
        *ret_requires = requires;
        *ret_path = where;
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

/*
 * Applies every pack's views that wait and whose tables now all exist. The views of the
 * data set being prepared (dataset, read from views_path) must apply: their failure fails
 * the preparation, so that whoever changed the file learns it at once. The views of other
 * data sets that waited for this one's table are applied under a savepoint: a broken file
 * of another data set must not stop this data set's loads, and its path is not known here
 * to name it. They stay waiting (*ret_skipped) and fail loudly when their own data set is
 * loaded next, which reads the file again.
 */
static int apply_pending_views(PGconn *conn, const char *dataset, const char *views_path, bool *ret_skipped,
                               char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn,
                         "SELECT dataset, views_sql, NOT EXISTS (SELECT 1 FROM unnest(views_requires) r"
                         "  WHERE to_regclass(quote_ident(r)) IS NULL)"
                         " FROM datasets WHERE NOT views_applied AND views_sql IS NOT NULL ORDER BY dataset",
                         0, NULL, &res, ret_error);
        for (int i = 0; e >= 0 && i < PQntuples(res); i++) {
                const char *name = PQgetvalue(res, i, 0);
                if (strcmp(PQgetvalue(res, i, 2), "t") != 0) {
                        *ret_skipped = true;
                        continue;
                }
                bool own = strcmp(name, dataset) == 0;
                if (own) {
                        e = exec_views(conn, views_path ? views_path : "views", PQgetvalue(res, i, 1), ret_error);
                        if (e < 0)
                                break;
                } else {
                        e = db_exec(conn, "SAVEPOINT plausid_views", ret_error);
                        if (e < 0)
                                break;
                        _cleanup_(freep) char *error = NULL;
                        if (exec_views(conn, name, PQgetvalue(res, i, 1), &error) < 0) {
                                e = db_exec(conn, "ROLLBACK TO SAVEPOINT plausid_views", ret_error);
                                *ret_skipped = true;
                                continue;
                        }
                        e = db_exec(conn, "RELEASE SAVEPOINT plausid_views", ret_error);
                        if (e < 0)
                                break;
                }
                const char *params[] = {name};
                PGresult *r = NULL;
                e = db_query(conn, "UPDATE datasets SET views_applied = true WHERE dataset = $1", 1, params, &r,
                             ret_error);
                PQclear(r);
        }
        return e;
}

int schema_prepare_dataset(PGconn *conn, const char *schema, const struct ruleset *rs, const struct table *t,
                           const char *pack_path, const char *pack_sha256, bool *ret_views_skipped, char **ret_error) {
        bool skipped = false;
        int e = begin_in_schema(conn, schema, false, ret_error);
        if (e < 0)
                return e;
        e = create_table(conn, t, ret_error);
        if (e >= 0)
                e = create_derived_view(conn, t, ret_error);
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *dataset = ruleset_name(rs);
        const char *params[] = {dataset, pack_sha256};
        /* The views file is read on every run, not only for a new pack: a file that was
         * changed on its own is applied again as soon as its text differs from the text
         * that was applied. */
        _cleanup_(freep) char *views = NULL;
        _cleanup_(freep) char *requires = NULL;
        _cleanup_(freep) char *views_path = NULL;
        if (e >= 0)
                e = read_views(pack_path, dataset, &views, &requires, &views_path, ret_error);
        const char *up[] = {dataset, pack_sha256, views, requires ? requires : "{}"};
        if (e >= 0)
                e = db_query(conn, "SELECT 1 FROM datasets WHERE dataset = $1 AND rules_sha256 = $2", 2, params, &res,
                             ret_error);
        if (e >= 0 && PQntuples(res) == 0) {
                /* A pack not seen before: its code lists, hierarchy and views anew. */
                struct export_ctx x = {conn, dataset, ret_error};
                PGresult *r = NULL;
                e = db_query(conn, "DELETE FROM codes WHERE dataset = $1", 1, params, &r, ret_error);
                PQclear(r);
                r = NULL;
                if (e >= 0)
                        e = db_query(conn, "DELETE FROM hierarchy WHERE dataset = $1", 1, params, &r, ret_error);
                PQclear(r);
                r = NULL;
                if (e >= 0)
                        e = table_each_code(rs, insert_code, &x);
                if (e >= 0)
                        e = table_each_hierarchy_entry(rs, insert_level, &x);
                if (e >= 0)
                        e = db_query(conn,
                                     "INSERT INTO datasets (dataset, rules_sha256, views_sql, views_requires)"
                                     " VALUES ($1, $2, $3, $4)"
                                     " ON CONFLICT (dataset) DO UPDATE SET rules_sha256 = $2, views_sql = $3,"
                                     "  views_requires = $4, views_applied = false, updated_at = now()",
                                     4, up, &r, ret_error);
                PQclear(r);
        } else if (e >= 0) {
                /* A file that is gone leaves the views it created in place: which those were,
                 * only the file knew. */
                PGresult *r = NULL;
                e = db_query(conn,
                             "UPDATE datasets SET views_sql = $3, views_requires = $4, views_applied = false,"
                             " updated_at = now() WHERE dataset = $1 AND rules_sha256 = $2"
                             " AND views_sql IS DISTINCT FROM $3",
                             4, up, &r, ret_error);
                PQclear(r);
        }
        if (e >= 0)
                e = apply_pending_views(conn, dataset, views_path, &skipped, ret_error);
        if (e >= 0)
                e = db_exec(conn, "COMMIT", ret_error);
        if (e < 0) {
                rollback(conn);
                return e;
        }
        if (ret_views_skipped)
                *ret_views_skipped = skipped;
        return 0;
}


int schema_unit_expression(const struct table *t, const char *alias, struct strbuf *out) {
        if (t->nunit == 0)
                return strbuf_puts(out, "''");
        int e = strbuf_puts(out, "concat_ws('-'");
        for (unsigned k = 0; k < t->nunit && e >= 0; k++) {
                e = strbuf_puts(out, ", coalesce(");
                if (e >= 0)
                        e = put_column(out, alias, t->columns[t->unit[k]].name);
                if (e >= 0)
                        e = strbuf_puts(out, ", '')");
        }
        return e >= 0 ? strbuf_putc(out, ')') : e;
}

int schema_part_expression(const struct table *t, const char *alias, struct strbuf *out) {
        if (t->part < 0)
                return strbuf_puts(out, "''");
        int e = strbuf_puts(out, "coalesce(");
        if (e >= 0)
                e = put_column(out, alias, t->columns[t->part].name);
        return e >= 0 ? strbuf_puts(out, ", '')") : e;
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
