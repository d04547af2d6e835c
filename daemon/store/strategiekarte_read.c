/*
 * The Strategiekarte's reads (strategiekarte_read.h). The report prints what these give;
 * the only arithmetic is the sum over the Einrichtungen of the two per-Einrichtung
 * data-quality views -- their counts are additive and each share comes with its
 * numerator and denominator (rules/hze.views.sql), so the shares per Sozialraum are the
 * summed numerator over the summed denominator, never a sum of shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "strategiekarte_read.h"
#include "strbuf.h"

static int failf(char **ret_error, int e, const char *fmt, ...) _printf_(3, 4);
static int failf(char **ret_error, int e, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return e;
}

/* The filter every query shares: $1 the year, $2..$5 the unit. */
#define SK_WHERE "berichtsjahr = $1 AND land = $2 AND regbez = $3 AND kreis = $4 AND gemeinde = $5"
#define SK_ORDER "ebene = 'Jugendamt', sozialraum = 'ohne Zuordnung', sozialraum"

static int query_unit(PGconn *conn, const char *sql, int year, const struct sk_unit *u, PGresult **ret,
                      char **ret_error) {
        const char *params[] = {DB_INT64(year), u->part[0], u->part[1], u->part[2], u->part[3]};
        return db_query(conn, sql, 5, params, ret, ret_error);
}

int sk_read_exists(PGconn *conn, const char *view, bool *ret, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *params[] = {view};
        int r = db_query(conn, "SELECT to_regclass($1) IS NOT NULL", 1, params, &res, ret_error);
        if (r < 0)
                return r;
        *ret = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        return 0;
}

/* ---- the Jugendamt ---- */

static int parse_unit(const char *s, struct sk_unit *u, char **ret_error) {
        if (strlen(s) >= sizeof(u->buf))
                return failf(ret_error, -EINVAL, "--unit '%s': zu lang", s);
        strcpy(u->text, s);
        strcpy(u->buf, s);
        char *p = u->buf;
        for (int i = 0; i < 4; i++) {
                u->part[i] = p;
                p = strchr(p, '-');
                if ((p == NULL) != (i == 3) || (p && p == u->part[i]) || !*u->part[i])
                        return failf(ret_error, -EINVAL,
                                     "--unit '%s': ein Jugendamt wird als Land-Regierungsbezirk-Kreis-Gemeinde "
                                     "geschrieben, etwa 05-9-13-000", s);
                if (p)
                        *p++ = '\0';
        }
        return 0;
}

/* The units with figures in the year, each joined with '-'. */
static int units_of_year(PGconn *conn, int year, PGresult **ret, char **ret_error) {
        const char *params[] = {DB_INT64(year)};
        return db_query(conn,
                        "SELECT concat_ws('-', land, regbez, kreis, gemeinde) FROM v_strategiekarte_hze "
                        "WHERE berichtsjahr = $1 GROUP BY land, regbez, kreis, gemeinde "
                        "ORDER BY land, regbez, kreis, gemeinde",
                        1, params, ret, ret_error);
}

/* "A, B" of the first column of res. */
static int list_of(const PGresult *res, char **ret) {
        _cleanup_(strbuf_done) struct strbuf b = {0};
        for (int i = 0; i < PQntuples(res); i++) {
                int r = strbuf_printf(&b, "%s%s", i ? ", " : "", PQgetvalue(res, i, 0));
                if (r < 0)
                        return r;
        }
        *ret = strdup(strbuf_str(&b));
        return *ret ? 0 : -ENOMEM;
}

static int no_data(PGconn *conn, int year, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT coalesce(string_agg(DISTINCT berichtsjahr::text, ', '), 'keine') "
                         "FROM v_strategiekarte_hze",
                         0, NULL, &res, ret_error);
        if (r < 0)
                return r;
        return failf(ret_error, -ENODATA, "für das Berichtsjahr %d gibt es keine Daten; Berichtsjahre mit Daten: %s",
                     year, PQgetvalue(res, 0, 0));
}

int sk_read_unit(PGconn *conn, int year, const char *asked, struct sk_unit *ret, char **ret_error) {
        bool there;
        int r = sk_read_exists(conn, "v_strategiekarte_hze", &there, ret_error);
        if (r < 0)
                return r;
        if (!there)
                return failf(ret_error, -ENOENT, "die Sicht v_strategiekarte_hze fehlt: Hilfen zur Erziehung und "
                             "Bevölkerung sind noch nicht geladen (plausid load)");
        _cleanup_(db_clearp) PGresult *units = NULL;
        if ((r = units_of_year(conn, year, &units, ret_error)) < 0)
                return r;
        int n = PQntuples(units);
        if (n == 0)
                return no_data(conn, year, ret_error);
        _cleanup_(freep) char *list = NULL;
        if ((r = list_of(units, &list)) < 0)
                return r;
        if (!asked && n > 1)
                return failf(ret_error, -ENOTUNIQ, "die Datenbank enthält für %d mehrere Jugendämter: %s; bitte eines "
                             "mit --unit wählen", year, list);
        const char *want = asked ? asked : PQgetvalue(units, 0, 0);
        if ((r = parse_unit(want, ret, ret_error)) < 0)
                return r;
        for (int i = 0; i < n; i++)
                if (strcmp(PQgetvalue(units, i, 0), want) == 0)
                        return 0;
        return failf(ret_error, -ESRCH, "das Jugendamt %s hat im Berichtsjahr %d keine Daten; Jugendämter mit "
                     "Daten: %s", want, year, list);
}

/* ---- the rows ---- */

int sk_read_rows(PGconn *conn, const char *view, const char *const *columns, size_t ncolumns, int year,
                 const struct sk_unit *u, PGresult **ret, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = strbuf_puts(&sql, "SELECT sozialraum, ebene");
        for (size_t k = 0; r == 0 && k < ncolumns; k++)
                r = strbuf_printf(&sql, ", %s", columns[k]);
        if (r == 0)
                r = strbuf_printf(&sql, " FROM %s WHERE " SK_WHERE " ORDER BY " SK_ORDER, view);
        return r < 0 ? r : query_unit(conn, strbuf_str(&sql), year, u, ret, ret_error);
}

int sk_read_verlauf(PGconn *conn, int year, const struct sk_unit *u, PGresult **ret, char **ret_error) {
        return query_unit(conn,
                          "SELECT sozialraum, ebene, berichtsjahr, eckwert, eckwert_gesperrt FROM v_strategiekarte_hze "
                          "WHERE berichtsjahr BETWEEN $1::int - 4 AND $1::int AND land = $2 AND regbez = $3 "
                          "AND kreis = $4 AND gemeinde = $5 ORDER BY sozialraum, berichtsjahr",
                          year, u, ret, ret_error);
}

/* Per Sozialraum and, as the grouping set (), for the Jugendamt ('insgesamt'). */
#define SK_SUMMED_HEAD                                                                  \
        "SELECT coalesce(sozialraum, 'insgesamt') AS sozialraum,"                       \
        " CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,"
#define SK_SUMMED_TAIL " WHERE " SK_WHERE " GROUP BY GROUPING SETS ((sozialraum), ())"

static const char datenqualitaet_sql[] =
        SK_SUMMED_HEAD
        " sum(datensaetze) AS datensaetze, sum(abgelehnt) AS abgelehnt,"
        " sum(abgelehnt)::numeric / nullif(sum(datensaetze), 0) AS anteil_abgelehnt,"
        " sum(gewarnt) AS gewarnt, sum(gewarnt)::numeric / nullif(sum(datensaetze), 0) AS anteil_gewarnt"
        " FROM v_hze_datenqualitaet_sozialraum" SK_SUMMED_TAIL;

static const char unbekannt_sql[] =
        SK_SUMMED_HEAD
        " sum(datensaetze) AS datensaetze,"
        " sum(familiensituation_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_familiensituation_unbekannt,"
        " sum(herkunft_ausland_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_herkunft_ausland_unbekannt,"
        " sum(deutsch_zuhause_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_deutsch_zuhause_unbekannt,"
        " sum(transferleistungen_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_transferleistungen_unbekannt"
        " FROM v_hze_unbekannt" SK_SUMMED_TAIL;

/* The sums, each row with zeile_gesperrt from its row of page 1. */
static const char summed_sql[] =
        "WITH s AS (%s) "
        "SELECT s.*, coalesce(k.fallzahl_gesperrt, false) AS zeile_gesperrt FROM s "
        "LEFT JOIN v_strategiekarte_hze k ON k.berichtsjahr = $1 AND k.land = $2 AND k.regbez = $3 AND k.kreis = $4 "
        " AND k.gemeinde = $5 AND k.ebene = s.ebene AND k.sozialraum = s.sozialraum "
        "ORDER BY s.ebene = 'Jugendamt', s.sozialraum = 'ohne Zuordnung', s.sozialraum";

int sk_read_summed(PGconn *conn, enum sk_summed which, int year, const struct sk_unit *u, PGresult **ret,
                   char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = strbuf_printf(&sql, summed_sql, which == SK_SUMMED_DATENQUALITAET ? datenqualitaet_sql : unbekannt_sql);
        if (r < 0)
                return r;
        _cleanup_(db_clearp) PGresult *res = NULL;
        if ((r = query_unit(conn, strbuf_str(&sql), year, u, &res, ret_error)) < 0)
                return r;
        /* Without a row for the year and the unit, the grouping set () still gives its total:
         * no rows then (*ret NULL). */
        if (PQntuples(res) == 1)
                PQclear(TAKE_PTR(res));
        *ret = TAKE_PTR(res);
        return 0;
}
