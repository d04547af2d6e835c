/*
 * COPY FROM STDIN (see copy.h): the escaper for rows off the hot path, one COPY from start
 * to end, and rows spooled to a temporary file until the connection is free for them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "copy.h"
#include "db.h"

/* Spooled rows go to the server in pieces of this size. */
#define SPOOL_CHUNK (64u * 1024u)

int copy_append_text(struct strbuf *b, const char *s, size_t len) {
        int r = strbuf_reserve(b, COPY_TEXT_MAX(len));
        if (r < 0)
                return r;
        char *end = copy_put_text(b->data + b->len, s, len);
        b->len = (size_t) (end - b->data);
        b->data[b->len] = 0;
        return 0;
}

int copy_begin(PGconn *conn, const char *sql, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) != PGRES_COPY_IN) {
                *ret_error = db_error_text(conn, res);
                return -EIO;
        }
        return 0;
}

int copy_send(PGconn *conn, const char *data, size_t len, char **ret_error) {
        /* Callers send pieces of a few hundred KiB: far from INT_MAX. */
        if (len > 0 && PQputCopyData(conn, data, (int) len) != 1) {
                *ret_error = db_error_text(conn, NULL);
                return -EIO;
        }
        return 0;
}

int copy_end(PGconn *conn, const char *abort_reason, char **ret_error) {
        char *error = NULL;
        int e = -EIO;
        if (PQputCopyEnd(conn, abort_reason) != 1)
                error = db_error_text(conn, NULL);
        /* Every result, also after an error: the connection is usable again only then. */
        PGresult *res;
        while ((res = PQgetResult(conn))) {
                if (PQresultStatus(res) != PGRES_COMMAND_OK && !error) {
                        error = db_error_text(conn, res);
                        e = db_error_errno(res);
                }
                PQclear(res);
        }
        if (!error)
                return 0;
        *ret_error = error;
        return e;
}

int spool_open(struct spool *s) {
        *s = (struct spool) {.f = tmpfile()};
        return s->f ? 0 : -errno;
}

int spool_add_row(struct spool *s) {
        int r = strbuf_putc(&s->row, '\n');
        if (r < 0)
                return r;
        if (fwrite(s->row.data, 1, s->row.len, s->f) != s->row.len)
                return errno ? -errno : -EIO;
        strbuf_reset(&s->row);
        s->rows++;
        return 0;
}

int spool_send(struct spool *s, PGconn *conn, const char *sql, char **ret_error) {
        if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0)
                return -errno;
        int r = copy_begin(conn, sql, ret_error);
        if (r < 0)
                return r;
        char buf[SPOOL_CHUNK];
        size_t n;
        while (r >= 0 && (n = fread(buf, 1, sizeof(buf), s->f)) > 0)
                r = copy_send(conn, buf, n, ret_error);
        /* After a failed send, ending the COPY only collects its results: the first error
         * is the one to report. */
        _cleanup_(freep) char *later = NULL;
        const char *abort_reason = r < 0           ? "plausid could not send its spool file"
                                   : ferror(s->f) ? "plausid could not read its spool file"
                                                  : NULL;
        int e = copy_end(conn, abort_reason, r < 0 ? &later : ret_error);
        return r < 0 ? r : e;
}

void spool_close(struct spool *s) {
        if (s->f)
                fclose(s->f);
        strbuf_done(&s->row);
        *s = (struct spool) {0};
}
