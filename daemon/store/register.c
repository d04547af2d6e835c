/*
 * The delivery register (see register.h). Values go to the server as text parameters,
 * numbers formatted here; numbers come back through db.h's checked readers, and one that
 * is not a number is an error that names the column, never a 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "copy.h"
#include "db.h"
#include "escape.h"
#include "register.h"

static const char *const status_names[_REGISTER_STATUS_MAX] = {
        [REGISTER_LOADED] = "loaded",
        [REGISTER_REJECTED] = "rejected",
        [REGISTER_DUPLICATE] = "duplicate",
        [REGISTER_SUPERSEDED] = "superseded",
};

const char *register_status_name(enum register_status status) {
        return (size_t) status < ELEMENTSOF(status_names) ? status_names[status] : "?";
}

int register_lock_source(PGconn *conn, const char *source, char **ret_error) {
        const char *params[] = {source};
        return db_command(conn, "SELECT pg_advisory_xact_lock(hashtext('plausid.source.' || $1))", 1, params,
                          ret_error);
}

int register_try_active(PGconn *conn, const char *source, bool *ret_active, char **ret_error) {
        const char *params[] = {source};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, "SELECT pg_try_advisory_lock(hashtext('plausid.active.' || $1))", 1, params, &res,
                         ret_error);
        if (r < 0)
                return r;
        *ret_active = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        return 0;
}

/* The id in the first column of the first row: 1 with *ret_id, 0 when there is no row. */
static int first_id(const PGresult *res, int64_t *ret_id, char **ret_error) {
        if (PQntuples(res) == 0)
                return 0;
        int64_t id;
        int r = db_get_int64(res, 0, 0, &id, ret_error);
        if (r < 0)
                return r;
        *ret_id = id;
        return 1;
}

int register_find_duplicate(PGconn *conn, const char *source, const char *sha256, int64_t *ret_id,
                            char **ret_error) {
        const char *params[] = {source, sha256};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT id FROM deliveries WHERE source = $1 AND sha256 = $2"
                         " AND status IN ('loaded', 'superseded') ORDER BY id LIMIT 1",
                         2, params, &res, ret_error);
        return r < 0 ? r : first_id(res, ret_id, ret_error);
}

int register_insert(PGconn *conn, const struct register_delivery *d, int64_t *ret_id, char **ret_error) {
        bool dup = d->duplicate_of != 0;
        /* The name as a person can read it and PostgreSQL takes it: a name that is not
         * valid UTF-8 (a Latin-1 "ü" from an old share) would fail the insert, and the file
         * would never load. Only the register's copy is escaped; the file keeps its name. */
        _cleanup_(freep) char *name = text_escape(d->file_name, false);
        if (!name)
                return -ENOMEM;
        const char *params[] = {d->source, d->dataset, name, DB_INT64(d->file_size), d->sha256,
                                DB_INT64(d->received), d->rules_name, d->rules_version, d->rules_sha256,
                                register_status_name(dup ? REGISTER_DUPLICATE : REGISTER_LOADED),
                                dup ? DB_INT64(d->duplicate_of) : NULL};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "INSERT INTO deliveries (source, dataset, file_name, file_size, sha256, received_at,"
                         " rules_name, rules_version, rules_sha256, status, duplicate_of)"
                         " VALUES ($1, $2, $3, $4::bigint, $5, to_timestamp($6::bigint), $7, $8, $9, $10,"
                         " $11::bigint) RETURNING id",
                         (int) ELEMENTSOF(params), params, &res, ret_error);
        if (r < 0)
                return r;
        return db_get_int64(res, 0, 0, ret_id, ret_error);
}

int register_finish(PGconn *conn, int64_t id, const struct register_outcome *o, char **ret_error) {
        const char *params[] = {DB_INT64(id), register_status_name(o->status), o->reason, DB_ULONG(o->counts.records),
                                DB_ULONG(o->counts.loaded), DB_ULONG(o->counts.rejected), DB_ULONG(o->counts.warned),
                                o->encoding};
        return db_command(conn,
                   "UPDATE deliveries SET status = $2, reason = $3, records = $4::integer,"
                   " loaded = $5::integer, rejected = $6::integer, warned = $7::integer, encoding = $8,"
                   " loaded_at = clock_timestamp() WHERE id = $1::bigint",
                   (int) ELEMENTSOF(params), params, ret_error);
}

int register_delivery_source(PGconn *conn, const char *schema, int64_t id, char **ret_source, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        _cleanup_(freep) char *sql = NULL;
        if (!ident || asprintf(&sql, "SELECT source FROM %s.deliveries WHERE id = $1::bigint", ident) < 0) {
                sql = NULL;
                return -ENOMEM;
        }
        const char *params[] = {DB_INT64(id)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, sql, 1, params, &res, ret_error);
        if (r < 0)
                return r;
        if (PQntuples(res) == 0)
                return -ENOENT;
        char *source = strdup(PQgetvalue(res, 0, 0));
        if (!source)
                return -ENOMEM;
        *ret_source = source;
        return 0;
}

int register_find_finished(PGconn *conn, const char *schema, const char *source, const char *sha256,
                           int64_t *ret_id, bool *ret_rejected, char **ret_error) {
        _cleanup_(freep) char *ident = db_ident(schema);
        _cleanup_(freep) char *sql = NULL;
        if (!ident || asprintf(&sql,
                               "SELECT id, status = 'rejected' FROM %s.deliveries WHERE source = $1 AND sha256 = $2"
                               " AND status IN ('loaded', 'superseded', 'rejected') ORDER BY id DESC LIMIT 1",
                               ident) < 0) {
                sql = NULL;
                return -ENOMEM;
        }
        const char *params[] = {source, sha256};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, sql, 2, params, &res, ret_error);
        if (r < 0 || (r = first_id(res, ret_id, ret_error)) <= 0)
                return r;
        *ret_rejected = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        return 1;
}

/* ---- scopes ---- */

int register_scopes_add(struct register_scopes *l, const char *unit, int64_t year, const char *part, size_t part_len,
                        unsigned long records) {
        int r = ARRAY_GROW(l->scope, l->n, l->cap);
        if (r < 0)
                return r;
        struct register_scope sc = {.unit = strdup(unit), .year = year, .part = strndup(part, part_len),
                                    .records = records};
        if (!sc.unit || !sc.part) {
                free(sc.unit);
                free(sc.part);
                return -ENOMEM;
        }
        l->scope[l->n++] = sc;
        return 0;
}

int register_scopes_count(struct register_scopes *l, const char *unit, int64_t year, const char *part,
                          size_t part_len) {
        for (size_t k = 0; k < l->n; k++) {
                struct register_scope *sc = &l->scope[(l->last + k) % l->n];
                if (sc->year == year && strcmp(sc->unit, unit) == 0 && strlen(sc->part) == part_len &&
                    memcmp(sc->part, part, part_len) == 0) {
                        sc->records++;
                        l->last = (size_t) (sc - l->scope);
                        return 0;
                }
        }
        l->last = l->n;
        return register_scopes_add(l, unit, year, part, part_len, 1);
}

void register_scopes_clear(struct register_scopes *l) {
        for (size_t k = 0; k < l->n; k++) {
                free(l->scope[k].unit);
                free(l->scope[k].part);
        }
        l->n = l->last = 0;
}

void register_scopes_done(struct register_scopes *l) {
        register_scopes_clear(l);
        free(l->scope);
        *l = (struct register_scopes) {0};
}

int register_scope_insert(PGconn *conn, int64_t delivery, const struct register_scope *sc, char **ret_error) {
        const char *params[] = {DB_INT64(delivery), sc->unit, DB_INT64(sc->year), sc->part, DB_ULONG(sc->records)};
        return db_command(conn,
                   "INSERT INTO delivery_scopes (delivery_id, unit, year, part, records)"
                   " VALUES ($1::bigint, $2, $3::integer, $4, $5::integer)",
                   (int) ELEMENTSOF(params), params, ret_error);
}

int register_scope_delete(PGconn *conn, int64_t delivery, const struct register_scope *sc, char **ret_error) {
        const char *params[] = {DB_INT64(delivery), sc->unit, DB_INT64(sc->year), sc->part};
        return db_command(conn,
                   "DELETE FROM delivery_scopes WHERE delivery_id = $1::bigint"
                   " AND unit = $2 AND year = $3::integer AND part = $4",
                   (int) ELEMENTSOF(params), params, ret_error);
}

int register_scope_earlier(PGconn *conn, const char *source, int64_t delivery, const struct register_scope *sc,
                           int64_t **ret_ids, size_t *ret_n, char **ret_error) {
        const char *params[] = {DB_INT64(delivery), sc->unit, DB_INT64(sc->year), sc->part, DB_ULONG(sc->records),
                                source};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT d.id FROM delivery_scopes x JOIN deliveries d ON d.id = x.delivery_id"
                         " WHERE d.source = $6 AND d.status = 'loaded' AND d.id <> $1::bigint"
                         " AND x.unit = $2 AND x.year = $3::integer AND x.part = $4 AND $5::integer > 0"
                         " ORDER BY d.id",
                         (int) ELEMENTSOF(params), params, &res, ret_error);
        if (r < 0)
                return r;
        size_t n = (size_t) PQntuples(res);
        _cleanup_(freep) int64_t *ids = n ? calloc(n, sizeof(*ids)) : NULL;
        if (n && !ids)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = db_get_int64(res, (int) i, 0, &ids[i], ret_error);
                if (r < 0)
                        return r;
        }
        *ret_ids = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

int register_supersede(PGconn *conn, int64_t by, const int64_t *ids, size_t n, unsigned long *ret_superseded,
                       char **ret_error) {
        if (n == 0) {
                *ret_superseded = 0;
                return 0;
        }
        _cleanup_(strbuf_done) struct strbuf list = {0};
        int r = db_int64_array(&list, ids, n);
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(by), strbuf_str(&list)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn,
                     "UPDATE deliveries d SET status = 'superseded', superseded_by = $1::bigint,"
                     " reason = 'ersetzt durch Lieferung ' || $1"
                     " WHERE d.id = ANY($2::bigint[])"
                     " AND NOT EXISTS (SELECT 1 FROM delivery_scopes x WHERE x.delivery_id = d.id)",
                     (int) ELEMENTSOF(params), params, &res, ret_error);
        if (r < 0)
                return r;
        return db_affected(res, ret_superseded, ret_error);
}

/* ---- scopes for the previous-year rules ---- */

void register_unit_years_done(struct register_unit_years *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->unit_year[i].unit);
        free(l->unit_year);
        *l = (struct register_unit_years) {0};
}

int register_unit_years(PGconn *conn, int64_t delivery, struct register_unit_years *ret, char **ret_error) {
        const char *params[] = {DB_INT64(delivery)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT DISTINCT unit, year FROM delivery_scopes"
                         " WHERE delivery_id = $1::bigint AND records > 0 ORDER BY 1, 2",
                         1, params, &res, ret_error);
        if (r < 0)
                return r;
        size_t n = (size_t) PQntuples(res);
        _cleanup_(register_unit_years_done) struct register_unit_years l = {
                .unit_year = calloc(n ? n : 1, sizeof(*l.unit_year))};
        if (!l.unit_year)
                return -ENOMEM;
        for (; l.n < n; l.n++) {
                struct register_unit_year *uy = &l.unit_year[l.n];
                r = db_get_int64(res, (int) l.n, 1, &uy->year, ret_error);
                if (r < 0)
                        return r;
                uy->unit = strdup(PQgetvalue(res, (int) l.n, 0));
                if (!uy->unit)
                        return -ENOMEM;
        }
        *ret = l;
        l = (struct register_unit_years) {0};
        return 0;
}

int register_unit_year_parts(PGconn *conn, const char *source, const char *unit, int64_t year,
                             unsigned long *ret_parts, unsigned long *ret_previous, char **ret_error) {
        const char *params[] = {source, unit, DB_INT64(year)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT count(DISTINCT x.part) FILTER (WHERE x.year = $3::integer),"
                         " count(*) FILTER (WHERE x.year = $3::integer - 1)"
                         " FROM delivery_scopes x JOIN deliveries d ON d.id = x.delivery_id"
                         " WHERE d.source = $1 AND d.status = 'loaded' AND x.unit = $2"
                         " AND x.year IN ($3::integer, $3::integer - 1) AND x.records > 0",
                         3, params, &res, ret_error);
        if (r < 0)
                return r;
        unsigned long parts, previous;
        r = db_get_ulong(res, 0, 0, &parts, ret_error);
        if (r >= 0)
                r = db_get_ulong(res, 0, 1, &previous, ret_error);
        if (r < 0)
                return r;
        *ret_parts = parts;
        *ret_previous = previous;
        return 0;
}

/* ---- findings placed on records of earlier deliveries ---- */

/* Rows of (delivery id, count) to fn. */
static int each_delivery_count(const PGresult *res, register_delivery_count_fn fn, void *userdata,
                               char **ret_error) {
        for (int i = 0; i < PQntuples(res); i++) {
                int64_t id;
                unsigned long count;
                int r = db_get_int64(res, i, 0, &id, ret_error);
                if (r >= 0)
                        r = db_get_ulong(res, i, 1, &count, ret_error);
                if (r >= 0)
                        r = fn(userdata, id, count);
                if (r < 0)
                        return r;
        }
        return 0;
}

int register_take_back_findings(PGconn *conn, const char *rows_sql, int nparams, const char *const *params,
                                register_delivery_count_fn fn, void *userdata, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = strbuf_printf(&sql,
                              "WITH gone AS (DELETE FROM findings f USING (%s) x WHERE f.rule = $1"
                              " AND f.delivery_id = x.delivery_id AND f.line = x.line RETURNING f.delivery_id)"
                              " SELECT delivery_id, count(*) FROM gone GROUP BY 1 ORDER BY 1",
                              rows_sql);
        if (r < 0)
                return r;
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), nparams, params, &res, ret_error);
        return r < 0 ? r : each_delivery_count(res, fn, userdata, ret_error);
}

int register_recount_warned(PGconn *conn, const int64_t *ids, size_t n, register_delivery_count_fn fn,
                            void *userdata, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf list = {0};
        int r = db_int64_array(&list, ids, n);
        if (r < 0)
                return r;
        const char *params[] = {strbuf_str(&list)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn,
                     "UPDATE deliveries d SET warned = (SELECT count(*) FROM (SELECT 1 FROM findings f"
                     "  WHERE f.delivery_id = d.id AND f.line > 0 GROUP BY f.line"
                     "  HAVING bool_and(f.severity = 'warning')) w)"
                     " WHERE d.id = ANY($1::bigint[]) RETURNING d.id, d.warned",
                     1, params, &res, ret_error);
        return r < 0 ? r : each_delivery_count(res, fn, userdata, ret_error);
}

/* ---- findings and rejected records ---- */

const char register_copy_findings[] =
        "COPY findings (delivery_id, line, key, rule, severity, field, value, message) FROM STDIN";
const char register_copy_rejected[] =
        "COPY rejected_records (delivery_id, line, raw, land, regbez, kreis, gemeinde, einrichtung, berichtsjahr,"
        " lfd_nr, gruppe) FROM STDIN";

const char *const register_rejected_columns[REGISTER_REJECTED_FIELDS] = {
        [REGISTER_REJECTED_LAND] = "land",
        [REGISTER_REJECTED_REGBEZ] = "regbez",
        [REGISTER_REJECTED_KREIS] = "kreis",
        [REGISTER_REJECTED_GEMEINDE] = "gemeinde",
        [REGISTER_REJECTED_EINRICHTUNG] = "einrichtung",
        [REGISTER_REJECTED_BERICHTSJAHR] = "berichtsjahr",
        [REGISTER_REJECTED_LFD_NR] = "lfd_nr",
        [REGISTER_REJECTED_GRUPPE] = "gruppe",
};

/* Appends tab-separated text columns, each escaped. */
static int put_texts(struct strbuf *b, const char *const *texts, size_t n) {
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = strbuf_putc(b, '\t');
                if (r >= 0)
                        r = copy_append_text(b, texts[i], strlen(texts[i]));
        }
        return r;
}

int register_finding_row(struct strbuf *b, int64_t delivery, const struct finding *f) {
        const char *texts[] = {f->key, f->rule_id, severity_name(f->severity), f->field, f->value, f->message};
        int r = strbuf_printf(b, "%" PRId64 "\t%lu", delivery, f->line);
        return r < 0 ? r : put_texts(b, texts, ELEMENTSOF(texts));
}

/* A field without a value is COPY's default NULL, \N (raw, NOT NULL, may be empty). */
int register_rejected_row(struct strbuf *b, int64_t delivery, unsigned long line, const char *raw, size_t len,
                          const struct register_text *fields) {
        int r = strbuf_printf(b, "%" PRId64 "\t%lu\t", delivery, line);
        if (r >= 0)
                r = copy_append_text(b, raw, len);
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS && r >= 0; k++) {
                r = strbuf_putc(b, '\t');
                if (r >= 0)
                        r = fields && fields[k].s ? copy_append_text(b, fields[k].s, fields[k].len)
                                                  : strbuf_puts(b, "\\N");
        }
        return r;
}

void register_rejected_batch_done(struct register_rejected_batch *b) {
        strbuf_done(&b->lines);
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS; k++)
                strbuf_done(&b->values[k]);
        b->n = 0;
}

int register_rejected_batch_add(struct register_rejected_batch *b, unsigned long line, const char *const *values) {
        int r = db_array_add(&b->lines, (int64_t) line);
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS && r >= 0; k++)
                r = db_array_add_text(&b->values[k], values[k]);
        if (r >= 0)
                b->n++;
        return r;
}

int register_rejected_batch_update(PGconn *conn, int64_t delivery, struct register_rejected_batch *b,
                                   char **ret_error) {
        if (b->n == 0)
                return 0;
        int r = db_array_end(&b->lines);
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS && r >= 0; k++)
                r = db_array_end(&b->values[k]);
        if (r < 0)
                return r;
        const char *params[2 + REGISTER_REJECTED_FIELDS] = {DB_INT64(delivery), strbuf_str(&b->lines)};
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS; k++)
                params[2 + k] = strbuf_str(&b->values[k]);
        return db_command(conn,
                          "UPDATE rejected_records r SET land = v.land, regbez = v.regbez, kreis = v.kreis,"
                          " gemeinde = v.gemeinde, einrichtung = v.einrichtung, berichtsjahr = v.berichtsjahr,"
                          " lfd_nr = v.lfd_nr, gruppe = v.gruppe"
                          " FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
                          "  $8::text[], $9::text[], $10::text[])"
                          "  AS v (line, land, regbez, kreis, gemeinde, einrichtung, berichtsjahr, lfd_nr, gruppe)"
                          " WHERE r.delivery_id = $1::bigint AND r.line = v.line",
                          2 + REGISTER_REJECTED_FIELDS, params, ret_error);
}
