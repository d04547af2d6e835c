/*
 * PostgreSQL's COPY ... FROM STDIN in text format, as plausid sends it: columns separated
 * by tabs, rows ended by a newline, backslash, tab, newline and carriage return escaped
 * with a backslash, NULL written as an empty field (NULL ''). Nothing else needs escaping:
 * what plausid sends is UTF-8, the connection's encoding.
 *
 * One escaper serves the data rows (the hot path of a load) and the rows of findings and
 * rejected records, which are spooled to a temporary file while the data's COPY holds the
 * connection (a connection carries one COPY at a time) and sent after it.
 */
#ifndef PLAUSID_COPY_H
#define PLAUSID_COPY_H

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

/*
 * Writers into a buffer whose room the caller reserved, each returning the end of what it
 * wrote. A data row is the hot path of a load (a million rows of forty columns), where
 * printf and a bounds check per byte cost more than the checking itself; they are inline
 * because they run per column.
 */

/* The most bytes copy_put_uint() and copy_put_int() write: 20 digits and a sign. */
#define COPY_INT_MAX 21
/* The most bytes copy_put_text() writes for len bytes: every byte escaped. */
#define COPY_TEXT_MAX(len) (2 * (len))

static inline char *copy_put_uint(char *p, unsigned long long v) {
        char tmp[COPY_INT_MAX];
        int n = 0;
        do
                tmp[n++] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        while (n > 0)
                *p++ = tmp[--n];
        return p;
}

static inline char *copy_put_int(char *p, long long v) {
        if (v < 0) {
                *p++ = '-';
                return copy_put_uint(p, 0ull - (unsigned long long) v);
        }
        return copy_put_uint(p, (unsigned long long) v);
}

/* s[0..len) escaped; runs without a character to escape are copied whole. */
static inline char *copy_put_text(char *p, const char *s, size_t len) {
        size_t run = 0;
        for (size_t i = 0; i < len; i++) {
                char c = s[i], e;
                switch (c) {
                case '\\': e = '\\'; break;
                case '\t': e = 't'; break;
                case '\n': e = 'n'; break;
                case '\r': e = 'r'; break;
                default: continue;
                }
                memcpy(p, s + run, i - run);
                p += i - run;
                *p++ = '\\';
                *p++ = e;
                run = i + 1;
        }
        memcpy(p, s + run, len - run);
        return p + (len - run);
}

/* Appends s[0..len) escaped to b, growing it: for rows off the hot path. */
_must_check_ int copy_append_text(struct strbuf *b, const char *s, size_t len);

/*
 * One COPY FROM STDIN on conn. copy_begin() runs sql, which must start it; copy_send()
 * hands data to libpq; copy_end() completes it, or with abort_reason aborts it (the server
 * then rolls the statement back), and collects every result. Each returns 0 or -EIO with
 * the server's or the connection's error in *ret_error (an aborted COPY is an error too).
 */
_must_check_ int copy_begin(PGconn *conn, const char *sql, char **ret_error);
_must_check_ int copy_send(PGconn *conn, const char *data, size_t len, char **ret_error);
_must_check_ int copy_end(PGconn *conn, const char *abort_reason, char **ret_error);

/*
 * COPY rows kept in a temporary file until the connection is free for them. Rows are
 * built in row (reused, so appending allocates only while it grows) and written with
 * spool_add_row().
 */
struct spool {
        FILE *f;                /* the rows in COPY text format */
        struct strbuf row;      /* the row being built */
        unsigned long rows;     /* rows written */
};

_must_check_ int spool_open(struct spool *s);
/* Writes row, ending it with a newline, and empties it for the next one. */
_must_check_ int spool_add_row(struct spool *s);
/* Sends every row as the data of the COPY that sql starts. */
_must_check_ int spool_send(struct spool *s, PGconn *conn, const char *sql, char **ret_error);
void spool_close(struct spool *s);

#endif
