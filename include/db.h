/*
 * Thin helpers over libpq shared by the schema and loader modules: connect, run a
 * statement, and turn a server error into one line that is safe to log. Errors come back
 * as a malloc'd message through ret_error; nothing here logs.
 *
 * Safe to log: the server's primary message and SQLSTATE, never DETAIL or CONTEXT (which
 * quote row values), and for data exceptions (class 22) not even the primary message,
 * since "invalid input syntax for type date: ..." quotes the value. Connection errors
 * never contain the password: libpq does not repeat it.
 */
#ifndef PLAUSID_DB_H
#define PLAUSID_DB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "util.h"

struct strbuf;

_must_check_ int db_connect(const char *conninfo, PGconn **ret, char **ret_error);
void db_close(PGconn *conn);
DEFINE_CLEANUP_FUNC(PGconn, db_close)
void db_clearp(PGresult **res);

/*
 * Server errors come back as one of two errnos, so that the daemon can tell a file's fault
 * from the system's: -EDOM when the server refused the data itself (SQLSTATE class 22, a
 * data exception, or 23, an integrity constraint); -EIO for everything else (privileges,
 * timeouts, resources, locks, the connection). db_error_errno() is that choice.
 */
int db_error_errno(const PGresult *res);

/* Runs sql (no parameters); -EIO or -EDOM with *ret_error on failure. */
_must_check_ int db_exec(PGconn *conn, const char *sql, char **ret_error);
/* Runs sql with text parameters; on success *ret is the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK), to be freed with PQclear. */
_must_check_ int db_query(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **ret,
                          char **ret_error);
/* db_query() for a statement whose result holds nothing to read (INSERT, UPDATE, DELETE
 * without RETURNING, a lock). */
_must_check_ int db_command(PGconn *conn, const char *sql, int nparams, const char *const *params, char **ret_error);
/* The error of a failed result or connection, as described above; never NULL. */
char *db_error_text(PGconn *conn, const PGresult *res);
/*
 * Runs sql and hands every row to row() (row i of res), one result of one row at a time
 * (single-row mode: memory does not grow with the result), until one fails; its negative
 * return is returned. columns(), if not NULL, gets the first result before its rows, once
 * -- also when there are none -- for a caller who needs the result's columns. Every
 * result is taken, after a failure too: the connection must be idle again for the next
 * statement. -EIO with the server's error in *ret_error.
 */
_must_check_ int db_each_row(PGconn *conn, const char *sql, int nparams, const char *const *params,
                             int (*columns)(const PGresult *res, void *userdata),
                             int (*row)(const PGresult *res, int i, void *userdata), void *userdata,
                             char **ret_error);
/* A quoted identifier ("name") or NULL on allocation failure; free with free(). */
char *db_ident(const char *name);

/*
 * Values read back from the server, checked: a NULL, a text that is not a number, or a
 * number out of range is -EBADMSG, never a silent 0, and *ret_error (unless NULL or set
 * already: the first error wins) says "the database gave a value that is not valid in
 * column 'NAME'". *ret is untouched on failure. Every number plausid reads from a result
 * goes through one of these.
 */
_must_check_ int db_get_int64(const PGresult *res, int row, int col, int64_t *ret, char **ret_error);
_must_check_ int db_get_ulong(const PGresult *res, int row, int col, unsigned long *ret, char **ret_error);
/* The rows an INSERT, UPDATE or DELETE touched (PQcmdTuples), checked likewise. */
_must_check_ int db_affected(const PGresult *res, unsigned long *ret, char **ret_error);

/* The same error for a value the caller found invalid (a status it does not know):
 * -EBADMSG, *ret_error naming the column. */
int db_value_error(const PGresult *res, int col, char **ret_error);

/* A list of numbers as one array parameter ("{2,17,40}", "{}" for none): add each, then
 * end it. The caller's strbuf starts empty. */
_must_check_ int db_array_add(struct strbuf *b, int64_t v);
/* A text element of an array parameter ("{\"a\",\"b-c\"}"), quoted and escaped: any text;
 * s NULL: an SQL NULL element. */
_must_check_ int db_array_add_text(struct strbuf *b, const char *s);
_must_check_ int db_array_end(struct strbuf *b);
/* The n numbers of v as one whole array parameter (the caller's strbuf starts empty). */
_must_check_ int db_int64_array(struct strbuf *b, const int64_t *v, size_t n);

/*
 * A number as a text parameter of a query, in a buffer that lives until the end of the
 * enclosing block (a compound literal): 24 bytes hold any 64-bit number with its sign, so
 * nothing is ever cut.  const char *params[] = {DB_INT64(id), DB_ULONG(count)};
 */
#define DB_INT64(v) db_int64_text((char[DB_NUM_MAX]) {0}, (int64_t) (v))
#define DB_ULONG(v) db_ulong_text((char[DB_NUM_MAX]) {0}, (unsigned long) (v))
#define DB_NUM_MAX 24
const char *db_int64_text(char buf[DB_NUM_MAX], int64_t v);
const char *db_ulong_text(char buf[DB_NUM_MAX], unsigned long v);

#endif
