/*
 * The rows of plausid's views (see view_rows.h): their names from the catalogue, their
 * rows in single-row mode, one PGresult of one row at a time, so that a view of a million
 * rows takes the memory of one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "db.h"
#include "strbuf.h"
#include "view_rows.h"

void view_names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* v_DATASET or v_DATASET_*: a view of that data set. */
static bool is_view_of(const char *name, const char *dataset) {
        size_t n = strlen(dataset);
        if (strncmp(name, "v_", 2) != 0 || strncmp(name + 2, dataset, n) != 0)
                return false;
        return name[2 + n] == '\0' || name[2 + n] == '_';
}

static bool is_view_of_any(const char *name, const char *const *datasets, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (is_view_of(name, datasets[i]))
                        return true;
        return false;
}

int view_rows_names(PGconn *conn, const char *schema, const char *const *datasets, size_t ndatasets, char ***ret,
                    size_t *ret_n, char **ret_error) {
        const char *params[] = {schema};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT c.relname FROM pg_catalog.pg_class c"
                         " JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace"
                         " WHERE s.nspname = $1 AND c.relkind IN ('v', 'm') ORDER BY c.relname COLLATE \"C\"",
                         1, params, &res, ret_error);
        if (r < 0)
                return r;
        char **names = NULL;
        size_t n = 0, cap = 0;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *name = PQgetvalue(res, i, 0);
                if (!is_view_of_any(name, datasets, ndatasets))
                        continue;
                char *copy = strdup(name);
                if (!copy || ARRAY_GROW(names, n, cap) < 0) {
                        free(copy);
                        view_names_free(names, n);
                        return -ENOMEM;
                }
                names[n++] = copy;
        }
        *ret = names;
        *ret_n = n;
        return 0;
}

/* The type OIDs of pg_type.h, which are fixed (a client cannot include the server's
 * headers); every other type is written as text. */
static enum view_kind kind_of(Oid type) {
        switch (type) {
        case 20: case 21: case 23: case 26: return VIEW_INTEGER;         /* int8 int2 int4 oid */
        case 700: case 701: case 1700: return VIEW_DECIMAL;              /* float4 float8 numeric */
        case 1082: return VIEW_DATE;
        case 1114: case 1184: return VIEW_TIMESTAMP;                     /* timestamp, timestamptz */
        case 16: return VIEW_BOOLEAN;
        default: return VIEW_TEXT;
        }
}

/* What the row loop keeps: the columns once announced, and one row's values. */
struct stream {
        view_columns_fn columns;
        view_row_fn row;
        void *userdata;
        struct view_column *cols;       /* NULL until the first result */
        const char **values;
        size_t n;
};

static void stream_done(struct stream *s) {
        free(s->cols);
        free(s->values);
}

static int announce(const PGresult *res, void *userdata) {
        struct stream *s = userdata;
        s->n = (size_t) PQnfields(res);
        s->cols = calloc(s->n ? s->n : 1, sizeof(*s->cols));
        s->values = calloc(s->n ? s->n : 1, sizeof(*s->values));
        if (!s->cols || !s->values)
                return -ENOMEM;
        for (size_t k = 0; k < s->n; k++)
                s->cols[k] = (struct view_column) {.name = PQfname(res, (int) k), .kind = kind_of(PQftype(res, (int) k))};
        int r = s->columns(s->userdata, s->cols, s->n);
        /* The names point into this result, which is cleared after it: no later use. */
        for (size_t k = 0; k < s->n; k++)
                s->cols[k].name = NULL;
        return r;
}

/* Row i of res to the caller. */
static int hand_on(const PGresult *res, int i, void *userdata) {
        struct stream *s = userdata;
        for (size_t k = 0; k < s->n; k++)
                s->values[k] = PQgetisnull(res, i, (int) k) ? NULL : PQgetvalue(res, i, (int) k);
        return s->row(s->userdata, s->values, s->n);
}

int view_rows_each(PGconn *conn, const char *schema, const char *view, const char *year, bool load_order,
                   view_columns_fn columns, view_row_fn row, void *userdata, char **ret_error) {
        _cleanup_(freep) char *s_ident = db_ident(schema);
        _cleanup_(freep) char *v_ident = db_ident(view);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        if (!s_ident || !v_ident)
                return -ENOMEM;
        int r = strbuf_printf(&sql, "SELECT * FROM %s.%s%s%s", s_ident, v_ident, year ? " WHERE berichtsjahr = $1" : "",
                              load_order ? " ORDER BY delivery_id, line" : "");
        if (r < 0)
                return r;
        r = db_exec(conn, "SET LOCAL DateStyle = ISO", ret_error);
        if (r < 0)
                return r;
        _cleanup_(stream_done) struct stream s = {.columns = columns, .row = row, .userdata = userdata};
        const char *params[] = {year};
        return db_each_row(conn, strbuf_str(&sql), year ? 1 : 0, params, announce, hand_on, &s, ret_error);
}
