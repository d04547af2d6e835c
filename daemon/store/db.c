/*
 * libpq helpers (see db.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "strbuf.h"

void db_close(PGconn *conn) {
        if (conn)
                PQfinish(conn);
}

void db_clearp(PGresult **res) {
        PQclear(*res);
}

static char *trimmed_dup(const char *s) {
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                n--;
        return strndup(s, n);
}

int db_error_errno(const PGresult *res) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        return state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) ? -EDOM : -EIO;
}

char *db_error_text(PGconn *conn, const PGresult *res) {
        char *out = NULL;
        if (res) {
                const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
                const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
                if (state && strncmp(state, "22", 2) == 0) {
                        if (asprintf(&out, "the database refused a value (SQLSTATE %s)", state) < 0)
                                out = NULL;
                } else if (primary) {
                        if (asprintf(&out, "%s (SQLSTATE %s)", primary, state ? state : "?") < 0)
                                out = NULL;
                }
        }
        if (!out && conn && *PQerrorMessage(conn))
                out = trimmed_dup(PQerrorMessage(conn));
        if (!out)
                out = strdup("unknown database error");
        return out;
}

/* libpq prints server notices ("relation already exists, skipping") to stderr by default;
 * only the main loop speaks, and it has nothing to say about those. */
static void ignore_notice(void *arg, const char *message) {
        (void) arg;
        (void) message;
}

int db_connect(const char *conninfo, PGconn **ret, char **ret_error) {
        /* COPY data and all text plausid sends are UTF-8, whatever the server's default. */
        const char *keys[] = {"dbname", "client_encoding", "application_name", NULL};
        const char *vals[] = {conninfo ? conninfo : "", "UTF8", "plausid", NULL};
        PGconn *conn = PQconnectdbParams(keys, vals, 1);
        if (!conn)
                return -ENOMEM;
        if (PQstatus(conn) != CONNECTION_OK) {
                *ret_error = db_error_text(conn, NULL);
                PQfinish(conn);
                return -ECONNREFUSED;
        }
        PQsetNoticeProcessor(conn, ignore_notice, NULL);
        *ret = conn;
        return 0;
}

int db_query(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **ret,
             char **ret_error) {
        PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
                *ret_error = db_error_text(conn, res);
                int e = db_error_errno(res);
                PQclear(res);
                return e;
        }
        *ret = res;
        return 0;
}

int db_command(PGconn *conn, const char *sql, int nparams, const char *const *params, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        return db_query(conn, sql, nparams, params, &res, ret_error);
}

int db_exec(PGconn *conn, const char *sql, char **ret_error) {
        PGresult *res = PQexec(conn, sql);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
                *ret_error = db_error_text(conn, res);
                int e = db_error_errno(res);
                PQclear(res);
                return e;
        }
        PQclear(res);
        return 0;
}

char *db_ident(const char *name) {
        size_t n = strlen(name), quotes = 0;
        for (size_t i = 0; i < n; i++)
                quotes += name[i] == '"';
        char *out = malloc(n + quotes + 3), *p = out;
        if (!out)
                return NULL;
        *p++ = '"';
        for (size_t i = 0; i < n; i++) {
                if (name[i] == '"')
                        *p++ = '"';
                *p++ = name[i];
        }
        *p++ = '"';
        *p = 0;
        return out;
}

/* A decimal number filling the whole text, within [min, max]. */
static int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno || v < min || v > max)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* A value that is not what its column holds: -EBADMSG, said once. */
static int bad_value(const char *what, const char *name, char **ret_error) {
        if (ret_error && !*ret_error && asprintf(ret_error, "%s '%s'", what, name) < 0)
                *ret_error = NULL;
        return -EBADMSG;
}

static int get_number(const PGresult *res, int row, int col, int64_t min, int64_t max, int64_t *ret,
                      char **ret_error) {
        if (row >= PQntuples(res) || col >= PQnfields(res))
                return bad_value("the database gave no value in column", col < PQnfields(res) ? PQfname(res, col) : "?",
                                 ret_error);
        if (PQgetisnull(res, row, col) || parse_int64(PQgetvalue(res, row, col), min, max, ret) < 0)
                return db_value_error(res, col, ret_error);
        return 0;
}

int db_value_error(const PGresult *res, int col, char **ret_error) {
        return bad_value("the database gave a value that is not valid in column", PQfname(res, col), ret_error);
}

int db_get_int64(const PGresult *res, int row, int col, int64_t *ret, char **ret_error) {
        return get_number(res, row, col, INT64_MIN, INT64_MAX, ret, ret_error);
}

int db_get_ulong(const PGresult *res, int row, int col, unsigned long *ret, char **ret_error) {
        int64_t v;
        int r = get_number(res, row, col, 0, ULONG_MAX > INT64_MAX ? INT64_MAX : (int64_t) ULONG_MAX, &v, ret_error);
        if (r < 0)
                return r;
        *ret = (unsigned long) v;
        return 0;
}

int db_affected(const PGresult *res, unsigned long *ret, char **ret_error) {
        int64_t v;
        const char *count = PQcmdTuples((PGresult *) res);
        if (parse_int64(count, 0, INT64_MAX, &v) < 0)
                return bad_value("the server's count of rows touched is not a number:", count, ret_error);
        *ret = (unsigned long) v;
        return 0;
}

int db_array_add(struct strbuf *b, int64_t v) {
        return strbuf_printf(b, "%c%" PRId64, b->len ? ',' : '{', v);
}

int db_array_add_text(struct strbuf *b, const char *s) {
        if (!s)
                return strbuf_puts(b, b->len ? ",NULL" : "{NULL");
        int r = strbuf_puts(b, b->len ? ",\"" : "{\"");
        for (; *s && r >= 0; s++)
                r = *s == '"' || *s == '\\' ? strbuf_printf(b, "\\%c", *s) : strbuf_putc(b, *s);
        return r < 0 ? r : strbuf_putc(b, '"');
}

int db_array_end(struct strbuf *b) {
        return b->len ? strbuf_putc(b, '}') : strbuf_puts(b, "{}");
}

int db_int64_array(struct strbuf *b, const int64_t *v, size_t n) {
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = db_array_add(b, v[i]);
        return r < 0 ? r : db_array_end(b);
}

const char *db_int64_text(char buf[DB_NUM_MAX], int64_t v) {
        snprintf(buf, DB_NUM_MAX, "%" PRId64, v);
        return buf;
}

const char *db_ulong_text(char buf[DB_NUM_MAX], unsigned long v) {
        snprintf(buf, DB_NUM_MAX, "%lu", v);
        return buf;
}

int db_each_row(PGconn *conn, const char *sql, int nparams, const char *const *params,
                int (*columns)(const PGresult *res, void *userdata),
                int (*row)(const PGresult *res, int i, void *userdata), void *userdata, char **ret_error) {
        if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
                *ret_error = db_error_text(conn, NULL);
                return -EIO;
        }
        int r = 0;
        if (!PQsetSingleRowMode(conn)) {
                *ret_error = db_error_text(conn, NULL);
                r = -EIO;
        }
        for (PGresult *res; (res = PQgetResult(conn)); PQclear(res)) {
                ExecStatusType st = PQresultStatus(res);
                if (r >= 0 && st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
                        *ret_error = db_error_text(conn, res);
                        r = -EIO;
                }
                if (r >= 0 && columns) {
                        r = columns(res, userdata);
                        columns = NULL;
                }
                for (int i = 0; r >= 0 && i < PQntuples(res); i++)
                        r = row(res, i, userdata);
        }
        return r < 0 ? r : 0;
}
