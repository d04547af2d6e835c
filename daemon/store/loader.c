/*
 * Loading one export (see loader.h). The file is read once, streaming: every record goes
 * through the checker, a clean record straight into the COPY stream of the data set's
 * table, while findings and rejected records are spooled to temporary files in COPY text
 * format (a connection carries one COPY at a time) and sent after the data. Memory does not
 * grow with the file. The server converts and stores rows in its own process while this one
 * parses and checks, which is where the second core goes.
 *
 * Everything of a file happens in one transaction:
 *
 *   BEGIN; lock the source; duplicate?; INSERT delivery
 *   SAVEPOINT data; COPY records ...          <- the quality gate rolls back to here
 *   delete records that end-of-file rules rejected (overlaps), record scopes, redelivery
 *   COPY findings; COPY rejected_records; UPDATE delivery
 *   COMMIT
 *
 * Any failure, the server dying mid-COPY included, leaves the transaction to roll back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "copy.h"
#include "db.h"
#include "history.h"
#include "loader.h"
#include "schema.h"
#include "strbuf.h"

/* COPY data is handed to libpq in pieces of about this size. */
#define COPY_CHUNK (256u * 1024u)

struct scope {
        char *unit;
        long long year;
        char *part;
        unsigned long records;
};

struct load_state {
        PGconn *conn;
        const struct ruleset *rs;
        const struct table *t;
        const volatile sig_atomic_t *cancel;
        char delivery[24];              /* the delivery id as text, first column of every row */
        struct strbuf row;              /* COPY data not yet handed to libpq */
        struct column_value *values;
        struct spool findings;          /* spooled COPY rows for findings */
        struct spool rejected;          /* ... and for rejected_records */
        unsigned long loaded;           /* rows sent to the data set's table */
        unsigned long *late;            /* records rejected after they were sent (overlaps) */
        size_t nlate, late_cap;         /* grown with ARRAY_GROW */
        struct scope *scopes;
        size_t nscopes, scope_cap, last_scope;
        struct strbuf unit;             /* scratch: the current record's unit */
        int error;                      /* first failure inside a callback */
        char *error_text;
};

void load_result_done(struct load_result *r) {
        free(r->per_rule);
        free(r->unknown_columns);
        r->per_rule = NULL;
        r->unknown_columns = NULL;
}

static int fail(struct load_state *s, int e, const char *what) {
        if (!s->error) {
                s->error = e;
                if (!s->error_text && asprintf(&s->error_text, "%s: %s", what, strerror(-e)) < 0)
                        s->error_text = NULL;
        }
        return e;
}

/* One finding as a row of COPY findings. */
static int on_finding(void *userdata, const struct finding *f) {
        struct load_state *s = userdata;
        struct strbuf *b = &s->findings.row;
        int e = strbuf_printf(b, "%s\t%lu\t", s->delivery, f->line);
        if (e >= 0)
                e = copy_append_text(b, f->key, strlen(f->key));
        if (e >= 0)
                e = strbuf_printf(b, "\t%s\t%s\t", f->rule_id, severity_name(f->severity));
        if (e >= 0)
                e = copy_append_text(b, f->field, strlen(f->field));
        if (e >= 0)
                e = strbuf_putc(b, '\t');
        if (e >= 0)
                e = copy_append_text(b, f->value, strlen(f->value));
        if (e >= 0)
                e = strbuf_putc(b, '\t');
        if (e >= 0)
                e = copy_append_text(b, f->message, strlen(f->message));
        if (e >= 0)
                e = spool_add_row(&s->findings);
        return e < 0 ? fail(s, e, "spooling findings") : 0;
}

/* A rejected record's text as a row of COPY rejected_records. */
static int spool_rejected(struct load_state *s, unsigned long line, const char *raw, size_t len) {
        struct strbuf *b = &s->rejected.row;
        int e = strbuf_printf(b, "%s\t%lu\t", s->delivery, line);
        if (e >= 0)
                e = copy_append_text(b, raw, len);
        if (e >= 0)
                e = spool_add_row(&s->rejected);
        return e < 0 ? fail(s, e, "spooling rejected records") : 0;
}

static int flush_copy(struct load_state *s) {
        if (s->row.len == 0)
                return 0;
        _cleanup_(freep) char *error = NULL;
        int e = copy_send(s->conn, s->row.data, s->row.len, &error);
        if (e < 0) {
                if (!s->error_text)
                        s->error_text = TAKE_PTR(error);
                return fail(s, e, "COPY");
        }
        strbuf_reset(&s->row);
        return 0;
}

/* Appends a scope to the delivery's list. */
static int add_scope(struct load_state *s, const char *unit, long long year, const char *part, size_t part_len,
                     unsigned long records) {
        if (s->nscopes == s->scope_cap) {
                size_t cap = s->scope_cap ? s->scope_cap * 2 : 8;
                struct scope *n = realloc(s->scopes, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                s->scopes = n;
                s->scope_cap = cap;
        }
        struct scope sc = {.unit = strdup(unit), .year = year, .part = strndup(part, part_len), .records = records};
        if (!sc.unit || !sc.part) {
                free(sc.unit);
                free(sc.part);
                return -ENOMEM;
        }
        s->scopes[s->nscopes++] = sc;
        return 0;
}

/* Counts the record in its scope (unit, year, part). Exports come sorted by unit, so the
 * scope of the previous record is tried first. */
static int count_scope(struct load_state *s) {
        const struct table *t = s->t;
        strbuf_reset(&s->unit);
        int e = 0;
        for (unsigned k = 0; k < t->nunit && e >= 0; k++) {
                const struct column_value *v = &s->values[t->unit[k]];
                if (k)
                        e = strbuf_putc(&s->unit, '-');
                if (e >= 0 && !v->null)
                        e = strbuf_append(&s->unit, v->s, v->len);
        }
        if (e < 0)
                return e;
        long long year = t->year >= 0 && !s->values[t->year].null ? s->values[t->year].i : 0;
        const char *part = "";
        size_t part_len = 0;
        if (t->part >= 0 && !s->values[t->part].null) {
                part = s->values[t->part].s;
                part_len = s->values[t->part].len;
        }
        const char *unit = strbuf_str(&s->unit);
        for (size_t k = 0; k < s->nscopes; k++) {
                struct scope *sc = &s->scopes[(s->last_scope + k) % s->nscopes];
                if (sc->year == year && strcmp(sc->unit, unit) == 0 && strlen(sc->part) == part_len &&
                    memcmp(sc->part, part, part_len) == 0) {
                        sc->records++;
                        s->last_scope = (size_t) (sc - s->scopes);
                        return 0;
                }
        }
        s->last_scope = s->nscopes;
        return add_scope(s, unit, year, part, part_len, 1);
}

static int on_record(void *userdata, const struct checked_record *r) {
        struct load_state *s = userdata;
        if (s->cancel && *s->cancel)
                return fail(s, -ECANCELED, "stopped");
        if (r->rejected)
                return spool_rejected(s, r->line, r->raw, r->raw_len);
        const struct table *t = s->t;
        table_values(t, s->rs, r->values, s->values);
        /* The most a row can take: every text byte escaped, every number at full width. */
        size_t need = sizeof(s->delivery) + 24;
        for (unsigned k = 0; k < t->ncolumns; k++)
                if (t->columns[k].stored)
                        need += COPY_INT_MAX + 3 + (t->columns[k].type == COLUMN_TEXT && !s->values[k].null ? COPY_TEXT_MAX(s->values[k].len) : 0);
        struct strbuf *b = &s->row;
        int e = strbuf_reserve(b, need);
        if (e < 0)
                return fail(s, e, "building COPY rows");
        char *p = b->data + b->len;
        size_t dl = strlen(s->delivery);
        memcpy(p, s->delivery, dl);
        p += dl;
        *p++ = '\t';
        p = copy_put_uint(p, r->line);
        for (unsigned k = 0; k < t->ncolumns; k++) {
                const struct column_value *v = &s->values[k];
                if (!t->columns[k].stored)
                        continue;
                *p++ = '\t';
                if (v->null)
                        continue;       /* NULL '': an empty field costs the server no bytes */
                switch (t->columns[k].type) {
                case COLUMN_INTEGER:
                        p = copy_put_int(p, (long long) v->i);
                        break;
                case COLUMN_DATE: {
                        /* Months are year * 12 + month - 1 with years 1900-2100 (P03). */
                        int year = (int) (v->i / 12), month = (int) (v->i % 12) + 1;
                        p = copy_put_uint(p, (unsigned) year);
                        *p++ = '-';
                        *p++ = (char) ('0' + month / 10);
                        *p++ = (char) ('0' + month % 10);
                        memcpy(p, "-01", 3);
                        p += 3;
                        break;
                }
                case COLUMN_TEXT:
                        if (t->columns[k].plain) {
                                memcpy(p, v->s, v->len);
                                p += v->len;
                        } else
                                p = copy_put_text(p, v->s, v->len);
                        break;
                }
        }
        *p++ = '\n';
        b->len = (size_t) (p - b->data);
        b->data[b->len] = 0;
        e = count_scope(s);
        if (e < 0)
                return fail(s, e, "building COPY rows");
        s->loaded++;
        if (b->len >= COPY_CHUNK)
                return flush_copy(s);
        return 0;
}

/* Sends a spool as the data of a COPY. */
static int copy_spool(struct load_state *s, struct spool *sp, const char *sql) {
        int e = spool_send(sp, s->conn, sql, &s->error_text);
        return e < 0 ? fail(s, e, e == -EIO ? "COPY" : "reading the spool") : 0;
}

/* A record that an end-of-file rule (overlap) rejected after on_record() sent it: its text
 * goes to the error log now, its row is deleted once the COPY is over (remove_late()). The
 * checker delivers each such record once, in line order, after the last on_record(). */
static int on_late_record(void *userdata, const struct checked_record *r) {
        struct load_state *s = userdata;
        int e = ARRAY_GROW(s->late, s->nlate, s->late_cap);
        if (e < 0)
                return fail(s, e, "rejected records");
        s->late[s->nlate++] = r->line;
        return spool_rejected(s, r->line, r->raw, r->raw_len);
}


/* After rows were deleted again, the scopes are counted from the table itself. */
static int recount_scopes(struct load_state *s, const char *tab) {
        struct strbuf sql = {0};
        int e = strbuf_puts(&sql, "SELECT ");
        if (e >= 0)
                e = schema_unit_expression(s->t, NULL, &sql);
        if (e >= 0 && s->t->year >= 0) {
                _cleanup_(freep) char *col = db_ident(s->t->columns[s->t->year].name);
                e = col ? strbuf_printf(&sql, ", coalesce(%s, 0), ", col) : -ENOMEM;
        } else if (e >= 0)
                e = strbuf_puts(&sql, ", 0, ");
        if (e >= 0)
                e = schema_part_expression(s->t, NULL, &sql);
        if (e >= 0)
                e = strbuf_printf(&sql, ", count(*) FROM %s WHERE delivery_id = $1::bigint GROUP BY 1, 2, 3", tab);
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *params[] = {s->delivery};
        if (e >= 0)
                e = db_query(s->conn, strbuf_str(&sql), 1, params, &res, &s->error_text);
        strbuf_done(&sql);
        if (e < 0)
                return fail(s, e, "counting the delivery's scopes");
        for (size_t k = 0; k < s->nscopes; k++) {
                free(s->scopes[k].unit);
                free(s->scopes[k].part);
        }
        s->nscopes = s->last_scope = 0;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *part = PQgetvalue(res, i, 2);
                e = add_scope(s, PQgetvalue(res, i, 0), strtoll(PQgetvalue(res, i, 1), NULL, 10), part, strlen(part),
                              strtoul(PQgetvalue(res, i, 3), NULL, 10));
                if (e < 0)
                        return fail(s, e, "counting the delivery's scopes");
        }
        return 0;
}

/* Records that an end-of-file rule rejected after they were sent are deleted again (their
 * text is in the error log already, on_late_record()), and the scopes counted anew. */
static int remove_late(struct load_state *s, const char *tab) {
        _cleanup_(strbuf_done) struct strbuf sql = {0}, lines = {0};
        int e = strbuf_printf(&sql, "DELETE FROM %s WHERE delivery_id = $1 AND line = ANY($2::integer[])", tab);
        if (e < 0)
                return fail(s, e, "removing rejected records");
        for (size_t i = 0; i < s->nlate; i++)
                if ((e = strbuf_printf(&lines, "%s%lu", i ? "," : "{", s->late[i])) < 0)
                        return fail(s, e, "removing rejected records");
        if ((e = strbuf_putc(&lines, '}')) < 0)
                return fail(s, e, "removing rejected records");
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *params[] = {s->delivery, strbuf_str(&lines)};
        e = db_query(s->conn, strbuf_str(&sql), 2, params, &res, &s->error_text);
        if (e < 0)
                return fail(s, e, "removing rejected records");
        unsigned long deleted;
        e = db_affected(res, &deleted);
        if (e < 0)
                return fail(s, e, "removing rejected records");
        if (deleted == 0)
                return 0;
        s->loaded -= deleted;
        return recount_scopes(s, tab);
}

/*
 * Registers the delivery's scopes and applies the source's redelivery policy. Returns 1
 * when the policy rejects the delivery (reason filled), 0 otherwise.
 */
static int redeliver(struct load_state *s, const struct loader_options *o, const char *tab,
                     struct load_result *res) {
        char year[24], records[24];
        _cleanup_(strbuf_done) struct strbuf touched = {0};     /* earlier deliveries that lost rows */
        int te = strbuf_putc(&touched, '{');
        if (te < 0)
                return fail(s, te, "replacing an earlier delivery");
        for (size_t k = 0; k < s->nscopes; k++) {
                struct scope *sc = &s->scopes[k];
                snprintf(year, sizeof(year), "%lld", sc->year);
                snprintf(records, sizeof(records), "%lu", sc->records);
                const char *params[] = {s->delivery, sc->unit, year, sc->part, records, o->source};
                _cleanup_(db_clearp) PGresult *earlier = NULL;
                /* Earlier deliveries of this source that hold rows of the same scope. */
                int e = db_query(s->conn,
                                 "SELECT d.id FROM delivery_scopes x JOIN deliveries d ON d.id = x.delivery_id"
                                 " WHERE d.source = $6 AND d.status = 'loaded' AND d.id <> $1::bigint"
                                 " AND x.unit = $2 AND x.year = $3::integer AND x.part = $4 AND $5::integer > 0"
                                 " ORDER BY d.id",
                                 6, params, &earlier, &s->error_text);
                if (e < 0)
                        return fail(s, e, "looking up earlier deliveries");
                if (PQntuples(earlier) > 0 && o->redelivery == REDELIVERY_REJECT) {
                        snprintf(res->reason, sizeof(res->reason),
                                 "Für die Einheit %s, Jahr %s%s%s liegt bereits die Lieferung %s vor "
                                 "(Quelle %s nimmt keine Neulieferungen an).",
                                 sc->unit, year, *sc->part ? ", Teil " : "", sc->part, PQgetvalue(earlier, 0, 0),
                                 o->source);
                        return 1;
                }
                if (PQntuples(earlier) > 0 && o->redelivery == REDELIVERY_REPLACE) {
                        struct strbuf sql = {0};
                        e = strbuf_printf(&sql, "DELETE FROM %s WHERE delivery_id = $1::bigint AND ", tab);
                        if (e >= 0)
                                e = schema_unit_expression(s->t, NULL, &sql);
                        if (e >= 0)
                                e = strbuf_puts(&sql, " = $2");
                        if (e >= 0 && s->t->year >= 0) {
                                _cleanup_(freep) char *col = db_ident(s->t->columns[s->t->year].name);
                                e = col ? strbuf_printf(&sql, " AND %s = $3::bigint", col) : -ENOMEM;
                        } else if (e >= 0)
                                e = strbuf_puts(&sql, " AND $3::bigint IS NOT NULL");
                        if (e >= 0)
                                e = strbuf_puts(&sql, " AND ");
                        if (e >= 0)
                                e = schema_part_expression(s->t, NULL, &sql);
                        if (e >= 0)
                                e = strbuf_puts(&sql, " = $4");
                        for (int i = 0; i < PQntuples(earlier) && e >= 0; i++) {
                                const char *del[] = {PQgetvalue(earlier, i, 0), sc->unit, year, sc->part};
                                e = strbuf_printf(&touched, "%s%s", touched.len > 1 ? "," : "", del[0]);
                                PGresult *r = NULL;
                                if (e >= 0)
                                        e = db_query(s->conn, strbuf_str(&sql), 4, del, &r, &s->error_text);
                                if (e >= 0)
                                        res->replaced_rows += strtoul(PQcmdTuples(r), NULL, 10);
                                PQclear(r);
                                r = NULL;
                                if (e >= 0)
                                        e = db_query(s->conn,
                                                     "DELETE FROM delivery_scopes WHERE delivery_id = $1::bigint"
                                                     " AND unit = $2 AND year = $3::integer AND part = $4",
                                                     4, del, &r, &s->error_text);
                                PQclear(r);
                        }
                        strbuf_done(&sql);
                        if (e < 0)
                                return fail(s, e, "replacing an earlier delivery");
                }
                PGresult *r = NULL;
                e = db_query(s->conn,
                             "INSERT INTO delivery_scopes (delivery_id, unit, year, part, records)"
                             " VALUES ($1::bigint, $2, $3::integer, $4, $5::integer)",
                             5, params, &r, &s->error_text);
                PQclear(r);
                if (e < 0)
                        return fail(s, e, "registering the delivery's scope");
        }
        /* Earlier deliveries that lost rows and have no scope left are superseded as a whole;
         * one that keeps a part (its ended records, say) stays loaded. */
        int e = strbuf_putc(&touched, '}');
        if (e < 0)
                return fail(s, e, "replacing an earlier delivery");
        const char *params[] = {s->delivery, strbuf_str(&touched)};
        _cleanup_(db_clearp) PGresult *r = NULL;
        e = db_query(s->conn,
                     "UPDATE deliveries d SET status = 'superseded', superseded_by = $1::bigint,"
                     " reason = 'ersetzt durch Lieferung ' || $1"
                     " WHERE d.id = ANY($2::bigint[])"
                     " AND NOT EXISTS (SELECT 1 FROM delivery_scopes x WHERE x.delivery_id = d.id)",
                     2, params, &r, &s->error_text);
        if (e < 0)
                return fail(s, e, "marking superseded deliveries");
        res->superseded = strtoul(PQcmdTuples(r), NULL, 10);
        return 0;
}

static void rollback(PGconn *conn) {
        PQclear(PQexec(conn, "ROLLBACK"));
}

static void state_done(struct load_state *s) {
        strbuf_done(&s->row);
        strbuf_done(&s->unit);
        free(s->values);
        spool_close(&s->findings);
        spool_close(&s->rejected);
        free(s->late);
        for (size_t k = 0; k < s->nscopes; k++) {
                free(s->scopes[k].unit);
                free(s->scopes[k].part);
        }
        free(s->scopes);
}

/* Ends the data COPY: with an error message when checking failed, which aborts it. */
static int end_data_copy(struct load_state *s, const char *abort_reason) {
        if (!abort_reason && flush_copy(s) < 0)
                abort_reason = "plausid could not send the data";
        _cleanup_(freep) char *error = NULL;
        int e = copy_end(s->conn, abort_reason, &error);
        if (e < 0 && !s->error_text)
                s->error_text = TAKE_PTR(error);
        return e;
}

static int begin_load(struct load_state *s, const struct loader_options *o, char **ret_error) {
        _cleanup_(freep) char *schema = db_ident(o->schema);
        struct strbuf sql = {0};
        int e = schema ? strbuf_printf(&sql, "BEGIN; SET LOCAL search_path = %s;", schema) : -ENOMEM;
        if (e >= 0)
                e = db_exec(s->conn, strbuf_str(&sql), ret_error);
        strbuf_done(&sql);
        if (e < 0)
                return e;
        /* Loads of one source take turns: the duplicate test and the redelivery see every
         * committed delivery of the source. */
        const char *params[] = {o->source};
        PGresult *r = NULL;
        e = db_query(s->conn, "SELECT pg_advisory_xact_lock(hashtext('plausid.source.' || $1))", 1, params, &r,
                     ret_error);
        PQclear(r);
        return e;
}

int loader_load(PGconn *conn, const struct ruleset *rs, const struct table *t, const struct loader_options *o, int fd,
                const char *file_name, struct load_result *ret, char **ret_error) {
        struct load_state s = {.conn = conn, .rs = rs, .t = t, .cancel = o->cancel};
        struct load_result res = {.status = LOAD_LOADED};
        _cleanup_(checker_freep) struct checker *checker = NULL;
        _cleanup_(freep) char *tab = db_ident(t->name);
        char sha[DIGEST_HEX_LEN + 1];
        struct stat st;
        int e = 0;

        if (!tab)
                return -ENOMEM;
        if (fstat(fd, &st) < 0)
                return -errno;
        e = digest_fd(fd, sha);
        if (e < 0)
                return e;
        s.values = calloc(t->ncolumns ? t->ncolumns : 1, sizeof(*s.values));
        if (!s.values) {
                state_done(&s);
                return -ENOMEM;
        }
        e = spool_open(&s.findings);
        if (e >= 0)
                e = spool_open(&s.rejected);
        if (e < 0) {
                state_done(&s);
                return e;
        }

        e = begin_load(&s, o, ret_error);
        if (e < 0)
                goto out;

        /* Exactly once: this content was loaded before (and perhaps replaced since). */
        char size[24], mtime[24];
        snprintf(size, sizeof(size), "%lld", (long long) st.st_size);
        snprintf(mtime, sizeof(mtime), "%lld", (long long) st.st_mtime);
        {
                const char *params[] = {o->source, sha};
                _cleanup_(db_clearp) PGresult *dup = NULL;
                e = db_query(conn,
                             "SELECT id FROM deliveries WHERE source = $1 AND sha256 = $2"
                             " AND status IN ('loaded', 'superseded') ORDER BY id LIMIT 1",
                             2, params, &dup, ret_error);
                if (e < 0)
                        goto out;
                if (PQntuples(dup) > 0) {
                        res.status = LOAD_DUPLICATE;
                        res.duplicate_of = strtoll(PQgetvalue(dup, 0, 0), NULL, 10);
                        snprintf(res.reason, sizeof(res.reason), "gleicher Inhalt wie Lieferung %lld (SHA-256 %.12s…)",
                                 res.duplicate_of, sha);
                }
        }
        {
                const char *params[] = {o->source, ruleset_name(rs), file_name, size, sha, mtime,
                                        ruleset_name(rs), ruleset_version(rs), o->pack_sha256,
                                        res.status == LOAD_DUPLICATE ? "duplicate" : "loaded", NULL};
                char dup_of[24];
                if (res.status == LOAD_DUPLICATE) {
                        snprintf(dup_of, sizeof(dup_of), "%lld", res.duplicate_of);
                        params[10] = dup_of;
                }
                _cleanup_(db_clearp) PGresult *ins = NULL;
                e = db_query(conn,
                             "INSERT INTO deliveries (source, dataset, file_name, file_size, sha256, received_at,"
                             " rules_name, rules_version, rules_sha256, status, duplicate_of)"
                             " VALUES ($1, $2, $3, $4::bigint, $5, to_timestamp($6::bigint), $7, $8, $9, $10,"
                             " $11::bigint) RETURNING id",
                             11, params, &ins, ret_error);
                if (e < 0)
                        goto out;
                snprintf(s.delivery, sizeof(s.delivery), "%s", PQgetvalue(ins, 0, 0));
                res.delivery_id = strtoll(s.delivery, NULL, 10);
        }
        if (res.status == LOAD_DUPLICATE) {
                const char *params[] = {s.delivery, res.reason};
                PGresult *r = NULL;
                e = db_query(conn, "UPDATE deliveries SET reason = $2, loaded_at = clock_timestamp() WHERE id = $1::bigint",
                             2, params, &r, ret_error);
                PQclear(r);
                if (e >= 0)
                        e = db_exec(conn, "COMMIT", ret_error);
                goto out;
        }

        /* The records: COPY straight from the checker. */
        {
                struct strbuf sql = {0};
                e = strbuf_printf(&sql, "SAVEPOINT data; COPY %s (delivery_id, line", tab);
                for (unsigned k = 0; k < t->ncolumns && e >= 0; k++) {
                        if (!t->columns[k].stored)
                                continue;
                        _cleanup_(freep) char *col = db_ident(t->columns[k].name);
                        e = col ? strbuf_printf(&sql, ", %s", col) : -ENOMEM;
                }
                if (e >= 0)
                        e = strbuf_puts(&sql, ") FROM STDIN (NULL '')");
                if (e >= 0)
                        e = copy_begin(conn, strbuf_str(&sql), ret_error);
                strbuf_done(&sql);
                if (e < 0)
                        goto out;
        }
        /* The default socket buffer (about 200 KiB) is smaller than one COPY chunk: every
         * chunk then waits for the server to drain it, and checking and storing take turns
         * instead of running side by side (9.2 s instead of 5.1 s for a million records).
         * The kernel caps the size at net.core.wmem_max; a refusal only costs speed. */
        {
                int sndbuf = 4 << 20;
                (void) setsockopt(PQsocket(conn), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        }
        e = checker_new(rs, on_finding, &s, &checker);
        if (e < 0)
                goto out;
        checker_on_record(checker, on_record, &s);
        checker_on_late_record(checker, on_late_record, &s);
        /* The parse thread helps even though the server needs a core of its own to convert
         * and store the rows: measured 5.2 s with it, 5.5 s without, for a million records. */
        struct reader_options opts = *ruleset_input(rs);
        opts.threads = true;
        enum reader_encoding enc = READER_ENCODING_AUTO;
        if (lseek(fd, 0, SEEK_SET) < 0)
                e = -errno;
        if (e >= 0)
                e = checker_check_fd(checker, fd, &opts, &enc);
        if (e < 0) {
                int e2 = end_data_copy(&s, "plausid stopped checking the file");
                (void) e2;
                if (s.error_text) {
                        *ret_error = TAKE_PTR(s.error_text);
                } else if (asprintf(ret_error, "reading %s: %s", file_name, strerror(-e)) < 0)
                        *ret_error = NULL;
                e = s.error ? s.error : e;
                goto out;
        }
        e = end_data_copy(&s, NULL);
        if (e < 0)
                goto db_failed;
        snprintf(res.encoding, sizeof(res.encoding), "%s", reader_encoding_name(enc));

        if (s.nlate > 0 && remove_late(&s, tab) < 0)
                goto db_failed;

        const struct checker_stats *cs = checker_stats(checker);
        res.records = cs->records;
        res.rejected = cs->rejected;
        res.warned = cs->warned;
        double share = cs->records ? (double) cs->rejected / (double) cs->records : 0.0;
        if (cs->file_rejected) {
                res.status = LOAD_REJECTED;
                snprintf(res.reason, sizeof(res.reason), "Die Datei wurde als Ganzes abgewiesen (siehe Befunde der Zeile 0).");
        } else if (share > o->max_reject_share) {
                res.status = LOAD_REJECTED;
                char got[32], allowed[32];
                snprintf(res.reason, sizeof(res.reason),
                         "%lu von %lu Datensätzen (%s %%) abgewiesen, mehr als die zulässigen %s %%: "
                         "die Lieferung wurde als Ganzes abgewiesen.",
                         cs->rejected, cs->records, decimal_de(got, share * 100.0, false),
                         decimal_de(allowed, o->max_reject_share * 100.0, false));
        } else if (redeliver(&s, o, tab, &res) > 0)
                res.status = LOAD_REJECTED;
        if (s.error)
                goto db_failed;
        /* Comparisons with the previous year see this delivery's rows in place of the ones
         * it replaced. Their findings are warnings about the delivery as a whole. */
        if (res.status == LOAD_LOADED) {
                e = history_check(conn, rs, t, o->source, s.delivery, checker, &s.error_text);
                if (e < 0)
                        fail(&s, e, "comparing with the previous year");
        }
        if (s.error)
                goto db_failed;
        if (res.status == LOAD_REJECTED) {
                e = db_exec(conn, "ROLLBACK TO SAVEPOINT data", &s.error_text);
                if (e < 0)
                        goto db_failed;
                s.loaded = 0;
        }
        res.loaded = s.loaded;
        res.findings = s.findings.rows;

        if (copy_spool(&s, &s.findings,
                       "COPY findings (delivery_id, line, key, rule, severity, field, value, message) FROM STDIN") < 0 ||
            copy_spool(&s, &s.rejected, "COPY rejected_records (delivery_id, line, raw) FROM STDIN") < 0)
                goto db_failed;
        {
                char records[24], loaded[24], rejected[24], warned[24];
                snprintf(records, sizeof(records), "%lu", res.records);
                snprintf(loaded, sizeof(loaded), "%lu", res.loaded);
                snprintf(rejected, sizeof(rejected), "%lu", res.rejected);
                snprintf(warned, sizeof(warned), "%lu", res.warned);
                const char *params[] = {s.delivery, res.status == LOAD_REJECTED ? "rejected" : "loaded",
                                        res.status == LOAD_REJECTED ? res.reason : NULL,
                                        records, loaded, rejected, warned, res.encoding};
                PGresult *r = NULL;
                e = db_query(conn,
                             "UPDATE deliveries SET status = $2, reason = $3, records = $4::integer,"
                             " loaded = $5::integer, rejected = $6::integer, warned = $7::integer, encoding = $8,"
                             " loaded_at = clock_timestamp() WHERE id = $1::bigint",
                             8, params, &r, &s.error_text);
                PQclear(r);
                if (e < 0)
                        goto db_failed;
        }
        e = db_exec(conn, "COMMIT", &s.error_text);
        if (e < 0)
                goto db_failed;
        res.per_rule = calloc(ruleset_rule_count(rs) + 1, sizeof(unsigned long));
        if (res.per_rule)
                memcpy(res.per_rule, cs->per_rule, ruleset_rule_count(rs) * sizeof(unsigned long));
        if (checker_unknown_columns(checker))
                res.unknown_columns = strdup(checker_unknown_columns(checker));
        goto out;

db_failed:
        e = s.error && s.error != -EIO ? s.error : -EIO;
        *ret_error = s.error_text ? TAKE_PTR(s.error_text) : db_error_text(conn, NULL);
out:
        if (e < 0 && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
                rollback(conn);
        free(s.error_text);
        state_done(&s);
        if (e >= 0)
                *ret = res;
        else
                load_result_done(&res);
        return e;
}
