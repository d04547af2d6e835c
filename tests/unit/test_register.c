/*
 * Unit tests of the delivery register (daemon/store/register.c) and the COPY text format
 * (daemon/store/copy.c). The register's tests run against a real PostgreSQL: tests/load/run.sh
 * runs this binary with PLAUSID_TEST_PG=1 and the PG* variables of the server it started
 * (tests/pg.sh), in a database of its own. Without PLAUSID_TEST_PG (the unit loop of
 * tests/run.sh) those tests are skipped; the ones that need no server run either way.
 *
 * Each database test runs in a transaction that is rolled back afterwards, in the schema
 * "reg" (migrated by the register's own schema code) or, to see what the register does
 * with a value that is not a number, in a schema "fake" whose tables look like the
 * register's but hold text where it expects numbers (ids, for the loader's statements) or
 * "fakeread" (the register's tables with text counts and lines, for the reports' reads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "db.h"
#include "register.h"
#include "rows.h"
#include "schema.h"

static PGconn *conn;

/* ---- without a server ---- */

static void test_copy_escapes_both_ways_alike(void **state) {
        (void) state;
        const char in[] = "a\\b\tc\nd\re \"f\" ä";
        const char want[] = "a\\\\b\\tc\\nd\\re \"f\" ä";
        char buf[COPY_TEXT_MAX(sizeof(in))];
        char *end = copy_put_text(buf, in, strlen(in));
        assert_int_equal(end - buf, strlen(want));
        assert_memory_equal(buf, want, strlen(want));
        struct strbuf b = {0};
        assert_int_equal(strbuf_puts(&b, "x"), 0);
        assert_int_equal(copy_append_text(&b, in, strlen(in)), 0);
        assert_string_equal(b.data + 1, want);
        /* Every byte escaped: the most the writer may need. */
        assert_int_equal(copy_append_text(&b, "\\\\\t\n", 4), 0);
        assert_string_equal(b.data + 1 + strlen(want), "\\\\\\\\\\t\\n");
        strbuf_done(&b);
}

static void test_copy_numbers_at_full_width(void **state) {
        (void) state;
        char buf[COPY_INT_MAX + 1];
        *copy_put_int(buf, LLONG_MIN) = 0;
        assert_string_equal(buf, "-9223372036854775808");
        *copy_put_uint(buf, ULLONG_MAX) = 0;
        assert_string_equal(buf, "18446744073709551615");
        *copy_put_int(buf, 0) = 0;
        assert_string_equal(buf, "0");
}

static void test_finding_row_escapes_every_text(void **state) {
        (void) state;
        struct finding f = {.line = 7, .key = "05-9\t13", .rule_id = "D02", .severity = SEVERITY_ERROR,
                            .field = "ende", .value = "a\\b", .message = "Zeile1\nZeile2"};
        struct strbuf b = {0};
        assert_int_equal(register_finding_row(&b, 42, &f), 0);
        assert_string_equal(strbuf_str(&b), "42\t7\t05-9\\t13\tD02\terror\tende\ta\\\\b\tZeile1\\nZeile2");
        strbuf_reset(&b);
        /* without fields (a late record before its row gave them): eight NULLs, \N */
        assert_int_equal(register_rejected_row(&b, 42, 9, "x;y\tz", 5, NULL), 0);
        assert_string_equal(strbuf_str(&b), "42\t9\tx;y\\tz\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N");
        /* with fields: a value escaped like the text, one without a value NULL, an empty text empty */
        struct register_text fields[REGISTER_REJECTED_FIELDS] = {
                {"05", 2}, {"9", 1}, {"13x", 2}, {NULL, 0}, {"1\t2", 3}, {"2O24", 4}, {"00001", 5}, {"S\\d", 3}};
        strbuf_reset(&b);
        assert_int_equal(register_rejected_row(&b, 42, 9, "", 0, fields), 0);
        assert_string_equal(strbuf_str(&b), "42\t9\t\t05\t9\t13\t\\N\t1\\t2\t2O24\t00001\tS\\\\d");
        strbuf_done(&b);
}

static void test_scopes_counted_per_unit_year_part(void **state) {
        (void) state;
        struct register_scopes l = {0};
        /* The part is not NUL-terminated where the loader takes it from. */
        assert_int_equal(register_scopes_count(&l, "05-9", 2024, "1x", 1), 0);
        assert_int_equal(register_scopes_count(&l, "05-9", 2024, "1y", 1), 0);
        assert_int_equal(register_scopes_count(&l, "05-9", 2024, "2", 1), 0);
        assert_int_equal(register_scopes_count(&l, "05-9", 2023, "2", 1), 0);
        assert_int_equal(register_scopes_count(&l, "05-9", 2024, "1", 1), 0);
        for (int i = 0; i < 40; i++)    /* more than ARRAY_GROW's first 16 */
                assert_int_equal(register_scopes_count(&l, "u", i, "", 0), 0);
        assert_int_equal(l.n, 43);
        assert_string_equal(l.scope[0].part, "1");
        assert_int_equal(l.scope[0].records, 3);
        assert_int_equal(l.scope[1].records, 1);
        assert_int_equal(l.scope[2].year, 2023);
        register_scopes_clear(&l);
        assert_int_equal(l.n, 0);
        assert_int_equal(register_scopes_add(&l, "a", 1, "p", 1, 5), 0);
        assert_int_equal(l.scope[0].records, 5);
        register_scopes_done(&l);
}

/* ---- against PostgreSQL ---- */

static int group_setup(void **state) {
        (void) state;
        if (!getenv("PLAUSID_TEST_PG"))
                return 0;
        char *error = NULL;
        if (db_connect("", &conn, &error) < 0 || schema_migrate(conn, "reg", &error) < 0 ||
            db_exec(conn,
                    "DROP SCHEMA IF EXISTS fake CASCADE; CREATE SCHEMA fake;"
                    " CREATE TABLE fake.deliveries (id text DEFAULT 'neu', source text, dataset text,"
                    "  file_name text, file_size bigint, sha256 text, received_at timestamptz, rules_name text,"
                    "  rules_version text, rules_sha256 text, status text, duplicate_of bigint, reason text);"
                    " CREATE TABLE fake.delivery_scopes (delivery_id bigint, unit text, year text, part text,"
                    "  records integer);"
                    " DROP SCHEMA IF EXISTS fakeread CASCADE; CREATE SCHEMA fakeread;"
                    " CREATE TABLE fakeread.deliveries (LIKE reg.deliveries INCLUDING DEFAULTS);"
                    " ALTER TABLE fakeread.deliveries ALTER records TYPE text;"
                    " CREATE TABLE fakeread.delivery_scopes (LIKE reg.delivery_scopes);"
                    " CREATE TABLE fakeread.findings (LIKE reg.findings);"
                    " ALTER TABLE fakeread.findings ALTER line TYPE text;",
                    &error) < 0) {
                fprintf(stderr, "test_register: %s\n", error ? error : "no memory");
                free(error);
                return -1;
        }
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        db_close(conn);
        return 0;
}

/* A transaction in schema (the search path), rolled back by teardown; the test is
 * skipped without a server. */
static void begin_in(const char *schema) {
        if (!conn)
                skip();
        char sql[128];
        snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL search_path = %s", schema);
        char *error = NULL;
        if (db_exec(conn, sql, &error) < 0)
                fail_msg("%s", error);
}

static int teardown(void **state) {
        (void) state;
        if (conn)
                PQclear(PQexec(conn, "ROLLBACK"));
        return 0;
}

static const struct register_delivery delivery = {
        .source = "hze", .dataset = "hze", .file_name = "a.csv", .file_size = 123, .sha256 = "abcdef0123456789",
        .received = 1700000000, .rules_name = "hze", .rules_version = "1", .rules_sha256 = "feed"};

/* One value of the register, as text. */
static char *value(const char *sql) {
        PGresult *res = PQexec(conn, sql);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_int_equal(PQntuples(res), 1);
        char *v = strdup(PQgetisnull(res, 0, 0) ? "NULL" : PQgetvalue(res, 0, 0));
        PQclear(res);
        return v;
}

static void assert_value(const char *sql, const char *want) {
        char *v = value(sql);
        assert_string_equal(v, want);
        free(v);
}

static void test_delivery_registered_found_finished(void **state) {
        (void) state;
        begin_in("reg");
        char *error = NULL;
        int64_t id = 0, dup = 0, id2 = 0;
        assert_int_equal(register_lock_source(conn, "hze", &error), 0);
        assert_int_equal(register_find_duplicate(conn, "hze", delivery.sha256, &dup, &error), 0);
        assert_int_equal(register_insert(conn, &delivery, &id, &error), 0);
        assert_true(id > 0);
        assert_int_equal(register_find_duplicate(conn, "hze", delivery.sha256, &dup, &error), 1);
        assert_int_equal(dup, id);
        struct register_delivery again = delivery;
        again.duplicate_of = id;
        assert_int_equal(register_insert(conn, &again, &id2, &error), 0);
        struct register_outcome out = {.status = REGISTER_DUPLICATE, .reason = "gleicher Inhalt"};
        assert_int_equal(register_finish(conn, id2, &out, &error), 0);
        out = (struct register_outcome) {.status = REGISTER_REJECTED, .reason = "zu viele",
                                         .counts = {400, 0, 56, 6}, .encoding = "utf-8"};
        assert_int_equal(register_finish(conn, id, &out, &error), 0);
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "SELECT string_agg(concat_ws('|', status, duplicate_of, reason, records, loaded, rejected, warned,"
                 " encoding, file_size, extract(epoch FROM received_at)::bigint, loaded_at IS NOT NULL), ';'"
                 " ORDER BY id)"
                 " FROM deliveries WHERE id >= %lld",
                 (long long) id);
        char *all = value(sql);
        char want[256];
        snprintf(want, sizeof(want),
                 "rejected|zu viele|400|0|56|6|utf-8|123|1700000000|t;"
                 "duplicate|%lld|gleicher Inhalt|0|0|0|0|123|1700000000|t",
                 (long long) id);
        assert_string_equal(all, want);
        free(all);
        /* A rejected delivery is no content loaded: the same file may come again. */
        assert_int_equal(register_find_duplicate(conn, "hze", delivery.sha256, &dup, &error), 0);
        free(error);
}

static void test_delivery_source(void **state) {
        (void) state;
        begin_in("public");     /* register_delivery_source names the schema itself */
        char *error = NULL, *source = NULL;
        int64_t id;
        assert_int_equal(db_exec(conn, "SET LOCAL search_path = reg", &error), 0);
        assert_int_equal(register_insert(conn, &delivery, &id, &error), 0);
        assert_int_equal(db_exec(conn, "SET LOCAL search_path = public", &error), 0);
        assert_int_equal(register_delivery_source(conn, "reg", id, &source, &error), 0);
        assert_string_equal(source, "hze");
        free(source);
        source = NULL;
        assert_int_equal(register_delivery_source(conn, "reg", id + 1000, &source, &error), -ENOENT);
        assert_null(source);
        assert_null(error);
        assert_int_equal(register_delivery_source(conn, "keine_solche", id, &source, &error), -EIO);
        assert_non_null(error);
        free(error);
}

static void test_scopes_earlier_replaced_superseded(void **state) {
        (void) state;
        begin_in("reg");
        char *error = NULL;
        int64_t d1, d2, d3;
        struct register_delivery d = delivery;
        assert_int_equal(register_insert(conn, &d, &d1, &error), 0);
        d.sha256 = "2";
        assert_int_equal(register_insert(conn, &d, &d2, &error), 0);
        d.sha256 = "3";
        assert_int_equal(register_insert(conn, &d, &d3, &error), 0);
        struct register_scope ongoing = {.unit = "05-9", .year = 2024, .part = "1", .records = 10};
        struct register_scope ended = {.unit = "05-9", .year = 2024, .part = "2", .records = 3};
        struct register_scope before = {.unit = "05-9", .year = 2023, .part = "1", .records = 8};
        assert_int_equal(register_scope_insert(conn, d1, &ongoing, &error), 0);
        assert_int_equal(register_scope_insert(conn, d1, &before, &error), 0);
        assert_int_equal(register_scope_insert(conn, d2, &ended, &error), 0);

        int64_t *ids = NULL;
        size_t n = 0;
        assert_int_equal(register_scope_earlier(conn, "hze", d3, &ongoing, &ids, &n, &error), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ids[0], d1);
        free(ids);
        ids = NULL;
        struct register_scope none = ongoing;
        none.records = 0;       /* a scope without records replaces nothing */
        assert_int_equal(register_scope_earlier(conn, "hze", d3, &none, &ids, &n, &error), 0);
        assert_int_equal(n, 0);
        assert_null(ids);
        assert_int_equal(register_scope_earlier(conn, "other", d3, &ongoing, &ids, &n, &error), 0);
        assert_int_equal(n, 0);

        struct register_unit_years years = {0};
        assert_int_equal(register_unit_years(conn, d1, &years, &error), 0);
        assert_int_equal(years.n, 2);
        assert_string_equal(years.unit_year[0].unit, "05-9");
        assert_int_equal(years.unit_year[0].year, 2023);
        assert_int_equal(years.unit_year[1].year, 2024);
        register_unit_years_done(&years);
        unsigned long parts = 0, previous = 0;
        assert_int_equal(register_unit_year_parts(conn, "hze", "05-9", 2024, &parts, &previous, &error), 0);
        assert_int_equal(parts, 2);
        assert_int_equal(previous, 1);

        /* d3 takes the ongoing part of 2024 and 2023 from d1: d1 has nothing left. d2 keeps
         * its ended part and stays loaded. */
        assert_int_equal(register_scope_delete(conn, d1, &ongoing, &error), 0);
        assert_int_equal(register_scope_delete(conn, d1, &before, &error), 0);
        unsigned long superseded = 99;
        assert_int_equal(register_supersede(conn, d3, (int64_t[]) {d1, d2, d1}, 3, &superseded, &error), 0);
        assert_int_equal(superseded, 1);
        assert_int_equal(register_supersede(conn, d3, NULL, 0, &superseded, &error), 0);
        assert_int_equal(superseded, 0);
        char sql[200], want[200];
        snprintf(sql, sizeof(sql),
                 "SELECT string_agg(concat_ws('|', status, superseded_by, reason), ';' ORDER BY id) FROM deliveries"
                 " WHERE id IN (%lld, %lld)",
                 (long long) d1, (long long) d2);
        snprintf(want, sizeof(want), "superseded|%lld|ersetzt durch Lieferung %lld;loaded", (long long) d3,
                 (long long) d3);
        assert_value(sql, want);
        free(error);
}

/* What the register does with a value that should be a number and is not: an error that
 * names it, never a 0. */
static void test_not_a_number_is_an_error(void **state) {
        (void) state;
        begin_in("fake");
        char *error = NULL;
        assert_int_equal(db_exec(conn,
                                 "INSERT INTO deliveries (id, source, sha256, status)"
                                 " VALUES ('zwölf', 'hze', 'abc', 'loaded');"
                                 " INSERT INTO delivery_scopes VALUES (1, '05-9', 'zwanzig', '1', 3)",
                                 &error),
                         0);
        int64_t id = 77;
        assert_int_equal(register_find_duplicate(conn, "hze", "abc", &id, &error), -EBADMSG);
        assert_int_equal(id, 77);
        assert_non_null(error);
        assert_non_null(strstr(error, "column 'id'"));
        free(error);
        error = NULL;

        /* An id that comes back from INSERT ... RETURNING as text. */
        assert_int_equal(register_insert(conn, &delivery, &id, &error), -EBADMSG);
        assert_int_equal(id, 77);
        assert_non_null(strstr(error, "column 'id'"));
        free(error);
        error = NULL;

        struct register_unit_years years = {0};
        assert_int_equal(register_unit_years(conn, 1, &years, &error), -EBADMSG);
        assert_int_equal(years.n, 0);
        assert_null(years.unit_year);
        assert_non_null(strstr(error, "column 'year'"));
        free(error);
}

/* ---- the reports' reads ---- */

/* Runs a statement in the test's transaction; the test fails with the server's error. */
_printf_(1, 2) static void run(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *sql = NULL;
        assert_true(vasprintf(&sql, fmt, ap) >= 0);
        va_end(ap);
        char *error = NULL;
        if (db_exec(conn, sql, &error) < 0)
                fail_msg("%s: %s", sql, error);
        free(sql);
}

/* Findings of delivery id: rows "(line, 'key', 'rule', 'severity'), ..." with no field,
 * value or message. */
static void add_findings(int64_t id, const char *rows) {
        run("INSERT INTO findings (delivery_id, line, key, rule, severity, field, value, message)"
            " SELECT %lld, line, key, rule, severity, '', '', '' FROM (VALUES %s) v (line, key, rule, severity)",
            (long long) id, rows);
}

/* A transaction in "reg" with one delivery registered: its id. */
static int64_t begin_with_delivery(void) {
        begin_in("reg");
        char *error = NULL;
        int64_t id;
        if (register_insert(conn, &delivery, &id, &error) < 0)
                fail_msg("%s", error);
        return id;
}

static void test_delivery_read_back(void **state) {
        (void) state;
        begin_in("reg");
        char *error = NULL;
        int64_t id, dup;
        assert_int_equal(register_insert(conn, &delivery, &id, &error), 0);
        struct register_outcome out = {.status = REGISTER_REJECTED, .reason = "zu viele",
                                       .counts = {400, 0, 56, 6}, .encoding = "windows-1252"};
        assert_int_equal(register_finish(conn, id, &out, &error), 0);
        struct register_delivery again = delivery;
        again.duplicate_of = id;
        assert_int_equal(register_insert(conn, &again, &dup, &error), 0);

        struct register_row d = {0};
        assert_int_equal(register_delivery_get(conn, id, &d, &error), 0);
        assert_int_equal(d.id, id);
        assert_string_equal(d.delivery.source, "hze");
        assert_string_equal(d.delivery.dataset, "hze");
        assert_string_equal(d.delivery.file_name, "a.csv");
        assert_int_equal(d.delivery.file_size, 123);
        assert_string_equal(d.delivery.sha256, delivery.sha256);
        assert_int_equal(d.delivery.received, 1700000000);
        assert_string_equal(d.delivery.rules_name, "hze");
        assert_string_equal(d.delivery.rules_version, "1");
        assert_string_equal(d.delivery.rules_sha256, "feed");
        assert_int_equal(d.delivery.duplicate_of, 0);
        assert_int_equal(d.outcome.status, REGISTER_REJECTED);
        assert_string_equal(d.outcome.reason, "zu viele");
        assert_string_equal(d.outcome.encoding, "windows-1252");
        assert_int_equal(d.outcome.counts.records, 400);
        assert_int_equal(d.outcome.counts.loaded, 0);
        assert_int_equal(d.outcome.counts.rejected, 56);
        assert_int_equal(d.outcome.counts.warned, 6);
        assert_true(d.loaded_at >= 1700000000);
        register_row_done(&d);

        /* Registered, not finished: no reason, no encoding, not loaded yet. */
        assert_int_equal(register_delivery_get(conn, dup, &d, &error), 0);
        assert_int_equal(d.outcome.status, REGISTER_DUPLICATE);
        assert_int_equal(d.delivery.duplicate_of, id);
        assert_null(d.outcome.reason);
        assert_null(d.outcome.encoding);
        assert_int_equal(d.loaded_at, 0);
        register_row_done(&d);

        /* None: -ENOENT without a message, the row untouched. */
        d.id = 4711;
        assert_int_equal(register_delivery_get(conn, dup + 1000, &d, &error), -ENOENT);
        assert_int_equal(d.id, 4711);
        assert_null(d.arena);
        assert_null(error);
}

/* What the findings' callback saw. */
struct seen {
        size_t n;
        size_t stop_at;                 /* the call that returns -ECANCELED; 0: none */
        PGconn *watch;                  /* if set, asked at the first call what the server does */
        char *server_state;             /* pg_stat_activity.state then (malloc'd) */
        bool in_order;
};

/* What the server does for conn, asked over another connection. */
static char *server_state(PGconn *other) {
        char *sql = NULL;
        assert_true(asprintf(&sql, "SELECT state FROM pg_stat_activity WHERE pid = %d", PQbackendPID(conn)) >= 0);
        PGresult *res = PQexec(other, sql);
        free(sql);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_int_equal(PQntuples(res), 1);
        char *state = strdup(PQgetvalue(res, 0, 0));
        PQclear(res);
        return state;
}

static int on_finding(void *userdata, const struct finding *f) {
        struct seen *s = userdata;
        /* 2000 findings, two per line: the n-th is g = 2000 - 2k - 1 + n % 2 on line k = n / 2. */
        size_t k = s->n / 2, g = 2000 - 2 * k - 1 + s->n % 2;
        char rule[16];
        snprintf(rule, sizeof(rule), "R%zu", g);
        s->in_order = s->in_order && f->line == k && strcmp(f->rule_id, rule) == 0 &&
                      f->severity == (g % 3 == 0 ? SEVERITY_WARNING : SEVERITY_ERROR) && strcmp(f->key, "05-9") == 0 &&
                      strcmp(f->field, "ende") == 0 && strcmp(f->value, "x\ty") == 0 && f->rule == 0 &&
                      strlen(f->message) > 1000;
        if (s->n == 0 && s->watch)
                s->server_state = server_state(s->watch);
        return ++s->n == s->stop_at ? -ECANCELED : 0;
}

static void test_findings_one_at_a_time(void **state) {
        (void) state;
        int64_t id = begin_with_delivery();
        char *error = NULL;
        run("INSERT INTO findings SELECT %lld, (2000 - g) / 2, '05-9', 'R' || g,"
            " CASE WHEN g %% 3 = 0 THEN 'warning' ELSE 'error' END, 'ende', E'x\\ty', repeat('m', 1000) || g"
            " FROM generate_series(1, 2000) g",
            (long long) id);
        /* 2 MB of findings: the first is handed on while the server is still sending the
         * rest (single-row mode), not after a result with all of them has arrived, when
         * the server would be idle again. */
        PGconn *other = NULL;
        assert_int_equal(db_connect("", &other, &error), 0);
        struct seen s = {.watch = other, .in_order = true};
        assert_int_equal(register_each_finding(conn, id, on_finding, &s, &error), 0);
        db_close(other);
        assert_int_equal(s.n, 2000);
        assert_true(s.in_order);
        assert_string_equal(s.server_state, "active");
        free(s.server_state);
        /* A callback's failure stops the query and comes back as it is; the connection is
         * ready for the next statement. */
        s = (struct seen) {.stop_at = 5, .in_order = true};
        assert_int_equal(register_each_finding(conn, id, on_finding, &s, &error), -ECANCELED);
        assert_int_equal(s.n, 5);
        assert_null(error);
        struct register_row d = {0};
        assert_int_equal(register_delivery_get(conn, id, &d, &error), 0);
        register_row_done(&d);
        s = (struct seen) {.in_order = true};
        assert_int_equal(register_each_finding(conn, id + 1000, on_finding, &s, &error), 0);
        assert_int_equal(s.n, 0);
}

static int on_text(void *userdata, unsigned long line, const char *raw, size_t len) {
        struct strbuf *b = userdata;
        int r = strbuf_printf(b, "%lu:", line);
        if (r >= 0)
                r = strbuf_append(b, raw, len);
        return r < 0 ? r : strbuf_putc(b, '|');
}

static void test_rejected_text_and_unit(void **state) {
        (void) state;
        int64_t id = begin_with_delivery();
        char *error = NULL, *unit = NULL;
        run("INSERT INTO rejected_records VALUES (%1$lld, 2, E'a;b\\tc'), (%1$lld, 9, 'neun'), (%1$lld, 17, 'Süd')",
            (long long) id);
        struct strbuf b = {0};
        assert_int_equal(register_rejected_text(conn, id, (unsigned long[]) {17, 2, 40}, 3, on_text, &b, &error), 0);
        assert_string_equal(strbuf_str(&b), "2:a;b\tc|17:Süd|");
        strbuf_done(&b);

        /* No finding with a key: no unit. */
        assert_int_equal(register_unit_of_findings(conn, id, 3, &unit, &error), 0);
        assert_string_equal(unit, "");
        free(unit);
        add_findings(id, "(0, '', 'F', 'file'), (2, '05-9-13-000-1', 'A', 'error'), (3, '05-9-13-000-2', 'A', 'error'),"
                         " (4, '05-9-14-000-3', 'A', 'error')");
        assert_int_equal(register_unit_of_findings(conn, id, 3, &unit, &error), 0);
        assert_string_equal(unit, "05-9-13");
        free(unit);
        assert_null(error);
}

/* A delivery of the list, as text: "id status units records/loaded/rejected/warned;". */
static int on_entry(void *userdata, const struct register_entry *e) {
        return strbuf_printf(userdata, "%lld %s %s %s %lu/%lu/%lu/%lu;", (long long) e->id, e->source,
                             register_status_name(e->status), e->units, e->counts.records, e->counts.loaded,
                             e->counts.rejected, e->counts.warned);
}

static int on_count(void *userdata, const char *source, unsigned long count) {
        return strbuf_printf(userdata, "%s %lu;", source, count);
}

static int on_rule_count(void *userdata, const struct register_rule_count *c) {
        return strbuf_printf(userdata, "%s %s %s %s %lu;", c->source, c->rule, c->month, severity_name(c->severity),
                             c->findings);
}

/* d1 superseded by d2, d3 a duplicate of d2, d4 rejected: what the overview reads. */
static void since_fixture(int64_t d[4]) {
        char *error = NULL;
        struct register_delivery x = delivery;
        for (int i = 0; i < 4; i++) {
                x.sha256 = (const char *[]) {"1", "2", "3", "4"}[i];
                x.duplicate_of = i == 2 ? d[1] : 0;
                assert_int_equal(register_insert(conn, &x, &d[i], &error), 0);
        }
        struct register_outcome out = {.status = REGISTER_LOADED, .counts = {10, 9, 1, 2}};
        assert_int_equal(register_finish(conn, d[1], &out, &error), 0);
        out = (struct register_outcome) {.status = REGISTER_REJECTED, .counts = {5, 0, 5, 0}};
        assert_int_equal(register_finish(conn, d[3], &out, &error), 0);
        struct register_scope a = {.unit = "05-9", .year = 2024, .part = "", .records = 6};
        struct register_scope b = {.unit = "05-8", .year = 2024, .part = "", .records = 3};
        assert_int_equal(register_scope_insert(conn, d[1], &a, &error), 0);
        assert_int_equal(register_scope_insert(conn, d[1], &b, &error), 0);
        unsigned long n;
        assert_int_equal(register_supersede(conn, d[1], &d[0], 1, &n, &error), 0);
        assert_int_equal(n, 1);
        add_findings(d[1], "(1, '', 'A', 'warning'), (2, '', 'A', 'warning')");
        add_findings(d[3], "(1, '', 'A', 'error'), (1, '', 'B', 'file')");
        assert_null(error);
}

static void test_deliveries_since(void **state) {
        (void) state;
        begin_in("reg");
        char *error = NULL;
        int64_t d[4];
        since_fixture(d);
        struct strbuf b = {0};
        assert_int_equal(register_deliveries_since(conn, "2000-01-01", on_entry, &b, &error), 0);
        char *want = NULL;
        assert_true(asprintf(&want,
                             "%lld hze superseded 05-8, 05-9 0/0/0/0;%lld hze loaded 05-8, 05-9 10/9/1/2;"
                             "%lld hze rejected  5/0/5/0;",
                             (long long) d[0], (long long) d[1], (long long) d[3]) >= 0);
        assert_string_equal(strbuf_str(&b), want);
        free(want);
        strbuf_reset(&b);
        assert_int_equal(register_deliveries_since(conn, "2023-11-16", on_entry, &b, &error), 0);
        assert_string_equal(strbuf_str(&b), "");
        assert_int_equal(register_duplicates_since(conn, "2000-01-01", on_count, &b, &error), 0);
        assert_string_equal(strbuf_str(&b), "hze 1;");
        strbuf_reset(&b);
        /* received 1700000000: 14 November 2023 in every time zone */
        assert_int_equal(register_rule_counts_since(conn, "2000-01-01", on_rule_count, &b, &error), 0);
        assert_string_equal(strbuf_str(&b), "hze A 2023-11 error 3;hze B 2023-11 file 1;");
        strbuf_reset(&b);
        assert_int_equal(register_deliveries_since(conn, "gestern", on_entry, &b, &error), -EIO);
        assert_non_null(error);
        free(error);
        strbuf_done(&b);
}

static int on_group(void *userdata, const char *value, unsigned long records, unsigned long warned,
                    unsigned long findings) {
        return strbuf_printf(userdata, "%s %lu %lu %lu;", value, records, warned, findings);
}

/* The loaded rows per group value, with their findings; the table's columns. */
static void test_group_counts_and_columns(void **state) {
        (void) state;
        int64_t id = begin_with_delivery();
        char *error = NULL;
        run("CREATE TABLE ds (delivery_id bigint, line integer, \"Kreis\" text);"
            " INSERT INTO ds VALUES (%1$lld, 2, '13'), (%1$lld, 3, '13'), (%1$lld, 4, '14'), (%1$lld, 5, NULL),"
            "  (%1$lld + 1, 6, '13')",
            (long long) id);
        add_findings(id, "(3, '', 'A', 'warning'), (3, '', 'B', 'warning'), (5, '', 'A', 'warning'),"
                         " (7, '', 'A', 'error')");
        struct strbuf b = {0};
        assert_int_equal(rows_count_groups(conn, "ds", "Kreis", id, on_group, &b, &error), 0);
        assert_string_equal(strbuf_str(&b), " 1 1 1;13 2 1 2;14 1 0 0;");
        strbuf_done(&b);
        bool has = false;
        assert_int_equal(schema_has_column(conn, "reg", "ds", "Kreis", &has, &error), 0);
        assert_true(has);
        assert_int_equal(schema_has_column(conn, "reg", "ds", "kreis", &has, &error), 0);
        assert_false(has);
        assert_null(error);
}

/* Callbacks that count the rows they get. */
static int count_finding(void *userdata, const struct finding *f) {
        (void) f;
        ++*(int *) userdata;
        return 0;
}

static int count_entry(void *userdata, const struct register_entry *e) {
        (void) e;
        ++*(int *) userdata;
        return 0;
}

static int count_rule(void *userdata, const struct register_rule_count *c) {
        (void) c;
        ++*(int *) userdata;
        return 0;
}

/* The reports' reads with a value that is not what its column holds: an error that names
 * the column, the row untouched, the callback never called with it. */
static void test_read_not_a_number_is_an_error(void **state) {
        (void) state;
        begin_in("fakeread");
        run("INSERT INTO deliveries (id, source, dataset, file_name, file_size, sha256, received_at, rules_name,"
            " rules_version, rules_sha256, status, records) VALUES"
            " (1, 'hze', 'hze', 'a.csv', 1, 'a', now(), 'hze', '1', 'f', 'loaded', 'viele'),"
            " (2, 'hze', 'hze', 'b.csv', 1, 'b', now(), 'hze', '1', 'f', 'verloren', '5'),"
            " (3, 'hze', 'hze', 'c.csv', 1, 'c', now(), 'hze', '1', 'f', 'loaded', '-5');"
            " INSERT INTO findings VALUES (1, 'eins', '', 'A', 'error', '', '', ''),"
            "  (2, '3', '', 'B', 'schlimm', '', '', '')");
        const struct {
                int64_t id;
                const char *column;
        } bad[] = {{1, "'records'"}, {2, "'status'"}, {3, "'records'"}};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *error = NULL;
                struct register_row d = {.id = 4711};
                assert_int_equal(register_delivery_get(conn, bad[i].id, &d, &error), -EBADMSG);
                assert_int_equal(d.id, 4711);
                assert_null(d.arena);
                assert_non_null(strstr(error, bad[i].column));
                free(error);
        }
        const struct {
                int64_t id;
                const char *column;
        } findings[] = {{1, "'line'"}, {2, "'severity'"}};
        int calls = 0;
        for (size_t i = 0; i < ELEMENTSOF(findings); i++) {
                char *error = NULL;
                assert_int_equal(register_each_finding(conn, findings[i].id, count_finding, &calls, &error),
                                 -EBADMSG);
                assert_non_null(strstr(error, findings[i].column));
                free(error);
        }
        char *error = NULL;
        assert_int_equal(register_deliveries_since(conn, "2000-01-01", count_entry, &calls, &error),
                         -EBADMSG);
        assert_non_null(strstr(error, "'records'"));
        free(error);
        error = NULL;
        assert_int_equal(calls, 0);
        assert_int_equal(register_rule_counts_since(conn, "2000-01-01", count_rule, &calls,
                                                    &error),
                         -EBADMSG);
        assert_non_null(strstr(error, "'severity'"));
        free(error);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_copy_escapes_both_ways_alike),
                cmocka_unit_test(test_copy_numbers_at_full_width),
                cmocka_unit_test(test_finding_row_escapes_every_text),
                cmocka_unit_test(test_scopes_counted_per_unit_year_part),
                cmocka_unit_test_setup_teardown(test_delivery_registered_found_finished, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_delivery_source, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_scopes_earlier_replaced_superseded, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_number_is_an_error, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_delivery_read_back, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_findings_one_at_a_time, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_rejected_text_and_unit, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_deliveries_since, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_group_counts_and_columns, NULL, teardown),
                cmocka_unit_test_setup_teardown(test_read_not_a_number_is_an_error, NULL, teardown),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
