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
 * register's but hold text where it expects numbers.
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
        assert_int_equal(register_rejected_row(&b, 42, 9, "x;y\tz", 5), 0);
        assert_string_equal(strbuf_str(&b), "42\t9\tx;y\\tz");
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
                    "  records integer);",
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
        assert_non_null(strstr(error, "deliveries.id"));
        free(error);
        error = NULL;

        /* An id that comes back from INSERT ... RETURNING as text. */
        assert_int_equal(register_insert(conn, &delivery, &id, &error), -EBADMSG);
        assert_int_equal(id, 77);
        assert_non_null(strstr(error, "deliveries.id"));
        free(error);
        error = NULL;

        struct register_unit_years years = {0};
        assert_int_equal(register_unit_years(conn, 1, &years, &error), -EBADMSG);
        assert_int_equal(years.n, 0);
        assert_null(years.unit_year);
        assert_non_null(strstr(error, "delivery_scopes.year"));
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
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
