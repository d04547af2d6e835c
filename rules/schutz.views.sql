-- plausid: requires schutz, hze
--
-- Views over the loaded § 42/§ 42a data (rules/schutz.yaml): Inobhutnahmen and vorläufige
-- Inobhutnahmen per 10,000 inhabitants under 18, how long they lasted, why, what followed,
-- whether a § 8a assessment came before -- and, linked with the hze data through
-- person_id, whether the young person had a Hilfe zur Erziehung before or got one after.
--
-- plausid runs this file in the plausid schema (search_path) once the tables schutz and
-- hze both exist, and again whenever the schutz pack or this file changed; every view is
-- dropped and created again. The tables hold the rows of the currently valid deliveries
-- only, so no view filters on deliveries.
--
-- CHOICE: the file requires hze (first line) and does not create hze's table itself, as
-- it does the population's (below): the link views read hze's months, andauernd and
-- person_id, and a stand-in for that table -- dozens of columns whose types follow
-- rules/hze.yaml -- would have to follow every change of that pack. So the § 42 views
-- appear with the first load after both tables exist; until hze data is loaded, the
-- schutz data is loaded and reported, but has no views.
--
-- The views read the tables schutz, hze and bevoelkerung; v_schutz_hilfebiografie also
-- reads hze's views, which the requires line allows (plausid runs this file again after
-- hze's, whose CASCADE drops it).
--
-- Choices made for all views (those of rules/gefaehrdung.views.sql, where they apply):
--   - The unit is land, regbez, kreis, gemeinde, einrichtung (the reporting unit of a
--     delivery). Every count is additive and every share comes with its numerator and
--     denominator; shares are numeric fractions between 0 and 1, NULL when the
--     denominator is 0; nothing is rounded. Medians cannot be summed.
--   - A measure is counted in the Berichtsjahr in which it ended (the statistic reports it
--     then; rule I02).
--   - The Sozialraum of a record: its own non-empty sozialraum, else 'ohne Zuordnung'.
--     The mapping zuordnung (rules/zuordnung.yaml) does NOT apply: it maps the keys of hze
--     cases, and § 42 records have a numbering of their own.
--   - Nothing here is suppressed (the office's own controlling), except in the committee
--     view v_strategiekarte_42, which suppresses small cells (see rules/hze.views.sql).
--   - Population: inhabitants under 18 (bevoelkerung, altersgruppe 1-3) of the same
--     Berichtsjahr and Sozialraum, as in rules/gefaehrdung.views.sql and v_hze_eckwert:
--     the population of another year is never used instead; no population (or 0) gives
--     the rate NULL. The Sozialraum names must be unique among the units; `gesamt`
--     (all ages) and a unit's own rows (sozialraum empty) are never summed here.
--   - Durations are days from beginn to ende (ende - beginn: the same day is 0), as the
--     pack's days().
--   - No personal identifiers: no person_id, no lfd_nr, and beginn and ende only as
--     months (dates on the 1st): the day, with the age group and the Sozialraum, comes
--     close to naming a child. person_id is used inside the link views only.

-- The population's table, empty until a population is loaded; the same statement as in
-- rules/gefaehrdung.views.sql (the columns and index plausid makes of
-- rules/bevoelkerung.yaml), so that the figures need no population to exist.
CREATE TABLE IF NOT EXISTS bevoelkerung (delivery_id bigint NOT NULL, line integer NOT NULL,
    berichtsjahr bigint, sozialraum text, altersgruppe text, anzahl bigint,
    land text, regbez text, kreis text, gemeinde text, einrichtung text);
CREATE INDEX IF NOT EXISTS bevoelkerung_delivery ON bevoelkerung USING brin (delivery_id);

-- v_schutz_massnahmen: one row per loaded measure, without personal identifiers:
--   sozialraum, sozialraum_herkunft  own ('Datensatz') or 'ohne Zuordnung'
--   ist_42, ist_42a      art 1 (Inobhutnahme § 42), art 2 (vorläufige, § 42a)
--   beginn_monat, ende_monat  the months of beginn and ende (dates on the 1st)
--   dauer_tage           ende - beginn in days (the same day: 0)
-- and the codes as loaded (labels in the table codes, dataset 'schutz').
DROP VIEW IF EXISTS v_schutz_massnahmen CASCADE;
CREATE VIEW v_schutz_massnahmen AS
SELECT s.berichtsjahr, s.land, s.regbez, s.kreis, s.gemeinde, s.einrichtung,
       coalesce(nullif(s.sozialraum, ''), 'ohne Zuordnung') AS sozialraum,
       CASE WHEN nullif(s.sozialraum, '') IS NOT NULL THEN 'Datensatz' ELSE 'ohne Zuordnung' END
           AS sozialraum_herkunft,
       s.art, s.art = '1' AS ist_42, s.art = '2' AS ist_42a,
       s.traeger, s.unterbringung, s.anregung,
       date_trunc('month', s.beginn)::date AS beginn_monat,
       date_trunc('month', s.ende)::date AS ende_monat,
       s.ende - s.beginn AS dauer_tage,
       s.geschlecht, s.altersgruppe,
       s.anlass1, nullif(s.anlass2, '') AS anlass2, nullif(s.anlass3, '') AS anlass3,
       s.vorherige_8a, s.anschluss,
       s.delivery_id, s.line
FROM schutz s;

-- v_schutz_kennzahlen: per Berichtsjahr x unit x Sozialraum (groups with at least one
-- measure):
--   massnahmen, inobhutnahmen_42, inobhutnahmen_42a  all, art 1, art 2
--   einwohner_unter18    inhabitants under 18 of the Sozialraum and year (NULL: none
--                        loaded); bevoelkerung has no unit, so this is the Sozialraum's whole
--                        population on every unit's row: take it once per Sozialraum when
--                        summing over units (v_schutz_eckwert does)
--   *_je_10000           10,000 x the count / einwohner_unter18 (the § 42a rate relates
--                        unaccompanied minors to the resident population, as published)
--   dauer_tage_summe*, dauer_tage_median*  all, § 42, § 42a: the sum (0 without measures,
--                        so that a mean can be recomputed) and the median (percentile_cont:
--                        the mean of the two middle values; NULL without measures)
--   vorherige_8a_ja, _nein, _unbekannt  a § 8a assessment before the measure (1, 2, 3);
--                        anteil_vorherige_8a = ja / vorherige_8a_bekannt (ja + nein):
--                        "unbekannt" is left out of the denominator, as the hze views do.
--                        Over all measures, § 42a included.
DROP VIEW IF EXISTS v_schutz_kennzahlen CASCADE;
CREATE VIEW v_schutz_kennzahlen AS
WITH unter18 AS (
    SELECT berichtsjahr, sozialraum, sum(anzahl)::bigint AS einwohner_unter18
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL
    GROUP BY berichtsjahr, sozialraum
), gruppen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
           count(*) AS massnahmen,
           count(*) FILTER (WHERE ist_42) AS inobhutnahmen_42,
           count(*) FILTER (WHERE ist_42a) AS inobhutnahmen_42a,
           sum(dauer_tage) AS dauer_tage_summe,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_tage) AS dauer_tage_median,
           coalesce(sum(dauer_tage) FILTER (WHERE ist_42), 0) AS dauer_tage_summe_42,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_tage) FILTER (WHERE ist_42) AS dauer_tage_median_42,
           coalesce(sum(dauer_tage) FILTER (WHERE ist_42a), 0) AS dauer_tage_summe_42a,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_tage) FILTER (WHERE ist_42a) AS dauer_tage_median_42a,
           count(*) FILTER (WHERE vorherige_8a = '1') AS vorherige_8a_ja,
           count(*) FILTER (WHERE vorherige_8a = '2') AS vorherige_8a_nein,
           count(*) FILTER (WHERE vorherige_8a = '3') AS vorherige_8a_unbekannt
    FROM v_schutz_massnahmen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum
)
SELECT g.berichtsjahr, g.land, g.regbez, g.kreis, g.gemeinde, g.einrichtung, g.sozialraum,
       g.massnahmen, g.inobhutnahmen_42, g.inobhutnahmen_42a,
       b.einwohner_unter18,
       10000 * g.massnahmen::numeric / nullif(b.einwohner_unter18, 0) AS massnahmen_je_10000,
       10000 * g.inobhutnahmen_42::numeric / nullif(b.einwohner_unter18, 0) AS inobhutnahmen_42_je_10000,
       10000 * g.inobhutnahmen_42a::numeric / nullif(b.einwohner_unter18, 0) AS inobhutnahmen_42a_je_10000,
       g.dauer_tage_summe, g.dauer_tage_median,
       g.dauer_tage_summe_42, g.dauer_tage_median_42,
       g.dauer_tage_summe_42a, g.dauer_tage_median_42a,
       g.vorherige_8a_ja, g.vorherige_8a_nein, g.vorherige_8a_unbekannt,
       g.vorherige_8a_ja + g.vorherige_8a_nein AS vorherige_8a_bekannt,
       g.vorherige_8a_ja::numeric / nullif(g.vorherige_8a_ja + g.vorherige_8a_nein, 0) AS anteil_vorherige_8a
FROM gruppen g
LEFT JOIN unter18 b ON b.berichtsjahr = g.berichtsjahr AND b.sozialraum = g.sozialraum;

-- v_schutz_eckwert: the rates per Berichtsjahr x Sozialraum with the measures of all
-- units summed (the population has no unit), as v_gefaehrdung_eckwert: rows are the
-- Berichtsjahre that have § 42 data, with every Sozialraum that has measures or
-- population in that year (population and no measure: 0); no population of the same
-- year: NULL.
DROP VIEW IF EXISTS v_schutz_eckwert CASCADE;
CREATE VIEW v_schutz_eckwert AS
WITH unter18 AS (
    SELECT berichtsjahr, sozialraum, sum(anzahl)::bigint AS einwohner_unter18
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL
    GROUP BY berichtsjahr, sozialraum
), massnahmen AS (
    SELECT berichtsjahr, sozialraum,
           count(*) AS massnahmen,
           count(*) FILTER (WHERE ist_42) AS inobhutnahmen_42,
           count(*) FILTER (WHERE ist_42a) AS inobhutnahmen_42a
    FROM v_schutz_massnahmen
    GROUP BY berichtsjahr, sozialraum
)
SELECT coalesce(m.berichtsjahr, b.berichtsjahr) AS berichtsjahr,
       coalesce(m.sozialraum, b.sozialraum) AS sozialraum,
       coalesce(m.massnahmen, 0) AS massnahmen,
       coalesce(m.inobhutnahmen_42, 0) AS inobhutnahmen_42,
       coalesce(m.inobhutnahmen_42a, 0) AS inobhutnahmen_42a,
       b.einwohner_unter18,
       10000 * coalesce(m.massnahmen, 0)::numeric / nullif(b.einwohner_unter18, 0) AS massnahmen_je_10000,
       10000 * coalesce(m.inobhutnahmen_42, 0)::numeric / nullif(b.einwohner_unter18, 0) AS inobhutnahmen_42_je_10000,
       10000 * coalesce(m.inobhutnahmen_42a, 0)::numeric / nullif(b.einwohner_unter18, 0) AS inobhutnahmen_42a_je_10000
FROM massnahmen m
FULL JOIN unter18 b ON b.berichtsjahr = m.berichtsjahr AND b.sozialraum = m.sozialraum
WHERE coalesce(m.berichtsjahr, b.berichtsjahr) IN (SELECT DISTINCT berichtsjahr FROM schutz);

-- v_strategiekarte_42: the § 42 figures of the Strategiekarte's Wächteramt page for the
-- Jugendhilfeausschuss -- a committee view with small cells suppressed, built as
-- v_strategiekarte_8a (rules/gefaehrdung.views.sql; the same rows, suppression and
-- population, restated here because neither file requires the other). One row per
-- Berichtsjahr x Jugendamt (land, regbez, kreis, gemeinde) x Sozialraum for the
-- Jugendamt-years with § 42/§ 42a data: every Sozialraum with measures (§ 42 or § 42a) or
-- with population under 18 in the year, 'ohne Zuordnung' when it has measures, and one
-- row of the whole Jugendamt.
--   ebene, sozialraum      'Sozialraum' and its name, or 'Jugendamt' and 'insgesamt'
--   inobhutnahmen          Inobhutnahmen nach § 42 (art 1; inobhutnahmen_42 of
--                          v_schutz_kennzahlen) that ended in the Berichtsjahr, the
--                          reporting units summed; one per young person. CHOICE: the
--                          vorläufige Inobhutnahmen of unaccompanied minors (§ 42a, art 2)
--                          are left out, as the Wächteramt figures keep § 42a apart
--                          (v_schutz_kennzahlen counts them in inobhutnahmen_42a): they are
--                          assigned by the federal distribution, not a sign of risk in the
--                          Sozialraum, and hardly ever return to their parents.
--   eckwert_42             10,000 x inobhutnahmen / inhabitants under 18 of the year (for
--                          the Jugendamt its own population rows, else the sum of its
--                          Sozialräume's), as eckwert_8a
--   dauer_median_tage      the median of their durations in days (ende - beginn, the same
--                          day 0; percentile_cont: the mean of the two middle values);
--                          the Jugendamt's over all its § 42 measures, not a median of medians
--   anteil_rueckkehr       of them, those followed by the return to the
--                          Personensorgeberechtigten (anschluss 1 "Rückkehr zu den
--                          Sorgeberechtigten"; 2, the return to a foster family or home, is
--                          not) / inobhutnahmen
-- <figure>_gesperrt and the suppression as in v_strategiekarte_8a: a count of 1 or 2, the
-- Eckwert and median of a suppressed count, a share whose numerator or complement is 1 or 2,
-- and the secondary suppression per Berichtsjahr x Jugendamt (the next-smallest count above
-- 0, the share of the smallest count strictly between 0 and 1, else the total).
DROP VIEW IF EXISTS v_strategiekarte_42 CASCADE;
CREATE VIEW v_strategiekarte_42 AS
WITH jahre AS (
    SELECT DISTINCT berichtsjahr, land, regbez, kreis, gemeinde FROM v_schutz_massnahmen
), zellen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,
           CASE WHEN grouping(sozialraum) = 1 THEN 'insgesamt' ELSE sozialraum END AS sozialraum,
           count(*) FILTER (WHERE ist_42) AS n,
           count(*) FILTER (WHERE ist_42 AND anschluss = '1') AS z,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_tage) FILTER (WHERE ist_42) AS median
    FROM v_schutz_massnahmen
    GROUP BY GROUPING SETS ((berichtsjahr, land, regbez, kreis, gemeinde, sozialraum),
                            (berichtsjahr, land, regbez, kreis, gemeinde))
), einheit AS (
    -- the Jugendämter that a Sozialraum's population rows of a year name
    SELECT DISTINCT berichtsjahr, sozialraum, land, regbez, kreis, gemeinde
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL AND nullif(land, '') IS NOT NULL
), bev AS (
    SELECT e.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, e.sozialraum, e.einwohner_unter18
    FROM v_schutz_eckwert e
    JOIN jahre j ON j.berichtsjahr = e.berichtsjahr
    WHERE e.einwohner_unter18 IS NOT NULL
      AND CASE WHEN EXISTS (SELECT 1 FROM einheit u WHERE u.berichtsjahr = e.berichtsjahr AND u.sozialraum = e.sozialraum)
               THEN EXISTS (SELECT 1 FROM einheit u WHERE u.berichtsjahr = e.berichtsjahr AND u.sozialraum = e.sozialraum
                              AND (u.land, u.regbez, u.kreis, u.gemeinde) = (j.land, j.regbez, j.kreis, j.gemeinde))
               ELSE EXISTS (SELECT 1 FROM v_schutz_massnahmen m WHERE m.sozialraum = e.sozialraum
                              AND (m.land, m.regbez, m.kreis, m.gemeinde) = (j.land, j.regbez, j.kreis, j.gemeinde))
                    OR (SELECT count(*) FROM jahre k WHERE k.berichtsjahr = e.berichtsjahr) = 1
          END
), sozialraeume AS (
    SELECT coalesce(c.berichtsjahr, b.berichtsjahr) AS berichtsjahr, coalesce(c.land, b.land) AS land,
           coalesce(c.regbez, b.regbez) AS regbez, coalesce(c.kreis, b.kreis) AS kreis,
           coalesce(c.gemeinde, b.gemeinde) AS gemeinde, coalesce(c.sozialraum, b.sozialraum) AS sozialraum,
           coalesce(c.n, 0) AS n, coalesce(c.z, 0) AS z, c.median,
           coalesce(e.einwohner_unter18, b.einwohner_unter18) AS einwohner
    FROM (SELECT * FROM zellen WHERE ebene = 'Sozialraum') c
    FULL JOIN bev b ON b.berichtsjahr = c.berichtsjahr AND b.land = c.land AND b.regbez = c.regbez
     AND b.kreis = c.kreis AND b.gemeinde = c.gemeinde AND b.sozialraum = c.sozialraum
    LEFT JOIN v_schutz_eckwert e ON e.berichtsjahr = c.berichtsjahr AND e.sozialraum = c.sozialraum
), eigene AS (
    -- a Jugendamt's own population under 18: rows with its unit and no Sozialraum
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, sum(anzahl)::bigint AS einwohner
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NULL AND nullif(land, '') IS NOT NULL
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde
), zeilen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, 'Sozialraum' AS ebene, sozialraum, n, z, median, einwohner
    FROM sozialraeume
    UNION ALL
    SELECT c.berichtsjahr, c.land, c.regbez, c.kreis, c.gemeinde, c.ebene, c.sozialraum, c.n, c.z, c.median,
           coalesce(o.einwohner,
                    (SELECT sum(s.einwohner)::bigint FROM sozialraeume s
                     WHERE s.berichtsjahr = c.berichtsjahr AND s.land = c.land AND s.regbez = c.regbez
                       AND s.kreis = c.kreis AND s.gemeinde = c.gemeinde))
    FROM zellen c
    LEFT JOIN eigene o ON o.berichtsjahr = c.berichtsjahr AND o.land = c.land AND o.regbez = c.regbez
     AND o.kreis = c.kreis AND o.gemeinde = c.gemeinde
    WHERE c.ebene = 'Jugendamt'
), n_klein AS (
    SELECT zl.*, zl.n BETWEEN 1 AND 2 AS klein,
           zl.ebene = 'Sozialraum' AND zl.n >= 3 AS kandidat
    FROM zeilen zl
), n_sperre AS (
    SELECT k.*,
           k.klein OR (count(*) FILTER (WHERE k.ebene = 'Sozialraum' AND k.klein) OVER ja = 1
                       AND NOT bool_or(k.ebene = 'Jugendamt' AND k.klein) OVER ja
                       AND CASE WHEN k.ebene = 'Jugendamt' THEN count(*) FILTER (WHERE k.kandidat) OVER ja = 0
                                ELSE k.kandidat AND row_number() OVER (PARTITION BY k.berichtsjahr, k.land, k.regbez,
                                         k.kreis, k.gemeinde, k.kandidat ORDER BY k.n, k.sozialraum) = 1 END)
               AS n_gesperrt
    FROM n_klein k
    WINDOW ja AS (PARTITION BY k.berichtsjahr, k.land, k.regbez, k.kreis, k.gemeinde)
), a_klein AS (
    SELECT s.*, s.n_gesperrt OR s.z BETWEEN 1 AND 2 OR s.n - s.z BETWEEN 1 AND 2 AS a_vor,
           s.ebene = 'Sozialraum' AND NOT (s.n_gesperrt OR s.z BETWEEN 1 AND 2 OR s.n - s.z BETWEEN 1 AND 2)
           AND s.z > 0 AND s.z < s.n AS a_kandidat
    FROM n_sperre s
), a_sperre AS (
    SELECT k.*,
           k.a_vor OR (count(*) FILTER (WHERE k.ebene = 'Sozialraum' AND k.a_vor) OVER ja = 1
                       AND NOT bool_or(k.ebene = 'Jugendamt' AND k.a_vor) OVER ja
                       AND CASE WHEN k.ebene = 'Jugendamt' THEN count(*) FILTER (WHERE k.a_kandidat) OVER ja = 0
                                ELSE k.a_kandidat AND row_number() OVER (PARTITION BY k.berichtsjahr, k.land, k.regbez,
                                         k.kreis, k.gemeinde, k.a_kandidat ORDER BY k.n, k.sozialraum) = 1 END)
               AS a_gesperrt
    FROM a_klein k
    WINDOW ja AS (PARTITION BY k.berichtsjahr, k.land, k.regbez, k.kreis, k.gemeinde)
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum,
       CASE WHEN NOT n_gesperrt THEN n END AS inobhutnahmen,
       n_gesperrt AS inobhutnahmen_gesperrt,
       CASE WHEN NOT n_gesperrt THEN 10000 * n::numeric / nullif(einwohner, 0) END AS eckwert_42,
       n_gesperrt AND coalesce(einwohner, 0) > 0 AS eckwert_42_gesperrt,
       CASE WHEN NOT n_gesperrt THEN median END AS dauer_median_tage,
       n_gesperrt AS dauer_median_tage_gesperrt,
       CASE WHEN NOT a_gesperrt THEN z::numeric / nullif(n, 0) END AS anteil_rueckkehr,
       a_gesperrt AS anteil_rueckkehr_gesperrt
FROM a_sperre;

-- v_schutz_anlass: the reasons, long format: one row per Berichtsjahr x unit x Sozialraum
-- x anlass that is named (codes 01-14; no row for a code no measure names), with the
-- pack's label (table codes, list anlass):
--   massnahmen_gesamt   all measures of the group (the same on every row of the group)
--   genannt             measures naming the reason as anlass1, 2 or 3 (rule I05 rejects a
--                       reason named twice, so a measure counts once); a measure has up
--                       to three reasons, so genannt adds up to more than massnahmen_gesamt
--                       and anteil_genannt (genannt / massnahmen_gesamt) to more than 1
--   hauptanlass         measures with the reason as anlass1, the main reason; these add
--                       up to massnahmen_gesamt, anteil_hauptanlass to 1
DROP VIEW IF EXISTS v_schutz_anlass CASCADE;
CREATE VIEW v_schutz_anlass AS
WITH anlaesse AS (
    SELECT m.berichtsjahr, m.land, m.regbez, m.kreis, m.gemeinde, m.einrichtung, m.sozialraum,
           a.anlass,
           count(*) AS genannt,
           count(*) FILTER (WHERE a.rang = 1) AS hauptanlass
    FROM v_schutz_massnahmen m
    CROSS JOIN LATERAL (VALUES (1, m.anlass1), (2, m.anlass2), (3, m.anlass3)) AS a (rang, anlass)
    WHERE a.anlass IS NOT NULL
    GROUP BY m.berichtsjahr, m.land, m.regbez, m.kreis, m.gemeinde, m.einrichtung, m.sozialraum, a.anlass
), gesamt AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, count(*) AS massnahmen_gesamt
    FROM v_schutz_massnahmen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum
)
SELECT a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde, a.einrichtung, a.sozialraum,
       a.anlass, c.label AS anlass_label,
       g.massnahmen_gesamt,
       a.genannt, a.genannt::numeric / g.massnahmen_gesamt AS anteil_genannt,
       a.hauptanlass, a.hauptanlass::numeric / g.massnahmen_gesamt AS anteil_hauptanlass
FROM anlaesse a
JOIN gesamt g ON g.berichtsjahr = a.berichtsjahr AND g.land = a.land AND g.regbez = a.regbez
 AND g.kreis = a.kreis AND g.gemeinde = a.gemeinde AND g.einrichtung = a.einrichtung AND g.sozialraum = a.sozialraum
LEFT JOIN codes c ON c.dataset = 'schutz' AND c.list = 'anlass' AND c.code = a.anlass;

-- v_schutz_anschluss: what followed the measure, long format: one row per Berichtsjahr x
-- unit x Sozialraum x anschluss that occurs, with the pack's label; massnahmen,
-- massnahmen_gesamt (all of the group, the same on every row of the group) and anteil
-- (the shares of a group add up to 1).
DROP VIEW IF EXISTS v_schutz_anschluss CASCADE;
CREATE VIEW v_schutz_anschluss AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum,
       e.anschluss, c.label AS anschluss_label,
       e.massnahmen, e.massnahmen_gesamt,
       e.massnahmen::numeric / e.massnahmen_gesamt AS anteil
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, anschluss,
           count(*) AS massnahmen,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum)::bigint
               AS massnahmen_gesamt
    FROM v_schutz_massnahmen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, anschluss
) e
LEFT JOIN codes c ON c.dataset = 'schutz' AND c.list = 'anschluss' AND c.code = e.anschluss;

-- v_schutz_verknuepfung: one row per loaded measure, linked with the hze data of the same
-- young person (person_id) and the same reporting unit; no identifiers.
--
--   (a) HzE before: an hze aid whose interval meets the 12 months before the month of
--       beginn, [month(beginn) - 12, month(beginn) - 1]: the aid began in or before the
--       window's last month and ended in or after its first. An aid still running
--       (andauernd 1, or ende empty) runs to the end of its Berichtsjahr, December: as far
--       as its row knows (the pack's overlap rule X02 reads coalesce(ende, report_end)).
--       The hze statistic reports a running aid again in the next Berichtsjahr, whose row
--       carries it on -- and a row that is out of date (the aid ended the next year) does
--       not count for later windows.
--   (b) HzE after: an hze aid that began in the month of ende or in the 3 months after,
--       [month(ende), month(ende) + 3].
--   hze months are dates on the 1st, so both are comparisons of months.
--
--   verknuepfung  per unit-year: 'nicht verknüpfbar' when the schutz records of the
--                 unit-year carry no person_id at all, or the hze rows of the unit (any
--                 year) carry none: then the link says nothing, neither yes nor no, and
--                 both statuses are 'nicht verknüpfbar'. Otherwise 'verknüpfbar'.
--   mit_person_id the measure has a person_id; one without (in a 'verknüpfbar'
--                 unit-year) has the statuses 'ohne Personenkennung'
--   status_vorher, status_danach  'HzE', 'keine HzE', or why neither:
--                 'nicht verknüpfbar', 'ohne Personenkennung', and
--                 'nicht auswertbar' (a) / 'noch nicht auswertbar' (b): the window reaches
--                 a Berichtsjahr for which the unit has no hze rows with a person_id
--                 loaded. An aid running in a month appears in the hze delivery of that
--                 month's year (begun, ended or ongoing there), so the answer "no" is
--                 known only when every year the window touches is loaded; a window into
--                 the next year is typical for (b) until that year's hze arrives ("noch
--                 nicht"). CHOICE: the same for (a), whose window reaches into the
--                 previous year, or into the current year while its hze is not yet
--                 delivered. CHOICE: such a measure is not evaluated even when an aid is
--                 found in the loaded years: counting the found ones but not the
--                 unknown ones would inflate the share.
--   hze_vorher, hze_danach  true/false for 'HzE'/'keine HzE', NULL otherwise
DROP VIEW IF EXISTS v_schutz_verknuepfung CASCADE;
CREATE VIEW v_schutz_verknuepfung AS
WITH hze_hilfen AS (
    SELECT land, regbez, kreis, gemeinde, einrichtung, berichtsjahr, person_id, beginn,
           CASE WHEN andauernd = '1' OR ende IS NULL THEN make_date(berichtsjahr::integer, 12, 1) ELSE ende END AS ende
    FROM v_hze
    WHERE nullif(person_id, '') IS NOT NULL
), hze_jahre AS (
    -- the unit-years whose hze rows can be linked
    SELECT DISTINCT land, regbez, kreis, gemeinde, einrichtung, berichtsjahr FROM hze_hilfen
), schutz_jahre AS (
    SELECT land, regbez, kreis, gemeinde, einrichtung, berichtsjahr,
           bool_or(nullif(person_id, '') IS NOT NULL) AS mit_person_id
    FROM schutz
    GROUP BY land, regbez, kreis, gemeinde, einrichtung, berichtsjahr
), m AS (
    SELECT s.berichtsjahr, s.land, s.regbez, s.kreis, s.gemeinde, s.einrichtung,
           coalesce(nullif(s.sozialraum, ''), 'ohne Zuordnung') AS sozialraum,
           s.art, nullif(s.person_id, '') AS person_id,
           date_trunc('month', s.beginn)::date AS beginn_monat,
           date_trunc('month', s.ende)::date AS ende_monat,
           sj.mit_person_id AND EXISTS (
               SELECT 1 FROM hze_jahre j
               WHERE j.land = s.land AND j.regbez = s.regbez AND j.kreis = s.kreis
                 AND j.gemeinde = s.gemeinde AND j.einrichtung = s.einrichtung) AS verknuepfbar,
           s.delivery_id, s.line
    FROM schutz s
    JOIN schutz_jahre sj ON sj.land = s.land AND sj.regbez = s.regbez AND sj.kreis = s.kreis
     AND sj.gemeinde = s.gemeinde AND sj.einrichtung = s.einrichtung AND sj.berichtsjahr = s.berichtsjahr
), l AS (
    SELECT m.*,
           -- every Berichtsjahr the window touches is loaded (a window of 12 months
           -- touches two at most, so its first and its last month's years suffice)
           EXISTS (SELECT 1 FROM hze_jahre j
                   WHERE j.land = m.land AND j.regbez = m.regbez AND j.kreis = m.kreis
                     AND j.gemeinde = m.gemeinde AND j.einrichtung = m.einrichtung
                     AND j.berichtsjahr = extract(year FROM m.beginn_monat - interval '12 months'))
           AND EXISTS (SELECT 1 FROM hze_jahre j
                   WHERE j.land = m.land AND j.regbez = m.regbez AND j.kreis = m.kreis
                     AND j.gemeinde = m.gemeinde AND j.einrichtung = m.einrichtung
                     AND j.berichtsjahr = extract(year FROM m.beginn_monat - interval '1 month')) AS vorher_abgedeckt,
           EXISTS (SELECT 1 FROM hze_jahre j
                   WHERE j.land = m.land AND j.regbez = m.regbez AND j.kreis = m.kreis
                     AND j.gemeinde = m.gemeinde AND j.einrichtung = m.einrichtung
                     AND j.berichtsjahr = extract(year FROM m.ende_monat))
           AND EXISTS (SELECT 1 FROM hze_jahre j
                   WHERE j.land = m.land AND j.regbez = m.regbez AND j.kreis = m.kreis
                     AND j.gemeinde = m.gemeinde AND j.einrichtung = m.einrichtung
                     AND j.berichtsjahr = extract(year FROM m.ende_monat + interval '3 months')) AS danach_abgedeckt,
           EXISTS (SELECT 1 FROM hze_hilfen h
                   WHERE h.land = m.land AND h.regbez = m.regbez AND h.kreis = m.kreis
                     AND h.gemeinde = m.gemeinde AND h.einrichtung = m.einrichtung AND h.person_id = m.person_id
                     AND h.beginn <= m.beginn_monat - interval '1 month'
                     AND h.ende >= m.beginn_monat - interval '12 months') AS gefunden_vorher,
           EXISTS (SELECT 1 FROM hze_hilfen h
                   WHERE h.land = m.land AND h.regbez = m.regbez AND h.kreis = m.kreis
                     AND h.gemeinde = m.gemeinde AND h.einrichtung = m.einrichtung AND h.person_id = m.person_id
                     AND h.beginn >= m.ende_monat
                     AND h.beginn <= m.ende_monat + interval '3 months') AS gefunden_danach
    FROM m
), st AS (
    SELECT l.*,
           CASE WHEN NOT verknuepfbar THEN 'nicht verknüpfbar'
                WHEN person_id IS NULL THEN 'ohne Personenkennung'
                WHEN NOT vorher_abgedeckt THEN 'nicht auswertbar'
                WHEN gefunden_vorher THEN 'HzE' ELSE 'keine HzE' END AS status_vorher,
           CASE WHEN NOT verknuepfbar THEN 'nicht verknüpfbar'
                WHEN person_id IS NULL THEN 'ohne Personenkennung'
                WHEN NOT danach_abgedeckt THEN 'noch nicht auswertbar'
                WHEN gefunden_danach THEN 'HzE' ELSE 'keine HzE' END AS status_danach
    FROM l
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, art,
       beginn_monat, ende_monat,
       CASE WHEN verknuepfbar THEN 'verknüpfbar' ELSE 'nicht verknüpfbar' END AS verknuepfung,
       person_id IS NOT NULL AS mit_person_id,
       status_vorher,
       CASE status_vorher WHEN 'HzE' THEN true WHEN 'keine HzE' THEN false END AS hze_vorher,
       status_danach,
       CASE status_danach WHEN 'HzE' THEN true WHEN 'keine HzE' THEN false END AS hze_danach,
       delivery_id, line
FROM st;

-- v_schutz_hze: the link figures per Berichtsjahr x unit x Sozialraum x art (1 § 42,
-- 2 § 42a), from v_schutz_verknuepfung:
--   verknuepfung        'verknüpfbar' or 'nicht verknüpfbar' (per unit-year, see above);
--                       when 'nicht verknüpfbar', every link figure below is NULL -- not 0:
--                       without person_id nothing is known
--   massnahmen          all measures of the group; ohne_person_id those without one (not
--                       in any denominator)
--   (a) vorher_nicht_auswertbar  window not covered by loaded hze years (not in the
--                       denominator); vorher_auswertbar the denominator; hze_vorher the
--                       measures whose young person had a HzE in the 12 months before;
--                       anteil_hze_vorher = hze_vorher / vorher_auswertbar
--   (b) danach_noch_nicht_auswertbar, danach_auswertbar, hze_danach (a HzE began within
--                       the month of ende and the 3 months after), anteil_hze_danach
-- massnahmen = ohne_person_id + vorher_nicht_auswertbar + vorher_auswertbar in a
-- 'verknüpfbar' group, and likewise for (b).
DROP VIEW IF EXISTS v_schutz_hze CASCADE;
CREATE VIEW v_schutz_hze AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, art, verknuepfung,
       count(*) AS massnahmen,
       count(*) FILTER (WHERE NOT mit_person_id) AS ohne_person_id,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE status_vorher = 'nicht auswertbar') END
           AS vorher_nicht_auswertbar,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE hze_vorher IS NOT NULL) END
           AS vorher_auswertbar,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE hze_vorher) END AS hze_vorher,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN
           count(*) FILTER (WHERE hze_vorher)::numeric / nullif(count(*) FILTER (WHERE hze_vorher IS NOT NULL), 0)
       END AS anteil_hze_vorher,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE status_danach = 'noch nicht auswertbar') END
           AS danach_noch_nicht_auswertbar,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE hze_danach IS NOT NULL) END
           AS danach_auswertbar,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN count(*) FILTER (WHERE hze_danach) END AS hze_danach,
       CASE WHEN verknuepfung = 'verknüpfbar' THEN
           count(*) FILTER (WHERE hze_danach)::numeric / nullif(count(*) FILTER (WHERE hze_danach IS NOT NULL), 0)
       END AS anteil_hze_danach
FROM v_schutz_verknuepfung
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, art, verknuepfung;

-- v_schutz_hilfebiografie: per young person with § 42/§ 42a measures, the measures and
-- the person's hze aids around them. FOR THE OFFICE'S PLANNERS ONLY, NOT FOR COMMITTEES:
-- it carries person_id (the case software's pseudonymous key) and single persons;
-- nothing is suppressed. Measures without person_id are left out.
-- Unlike the views above, it reads views of hze's file (v_hze_personenhilfen,
-- v_hze_hilfebiografie; allowed by the requires line: this file runs again after hze's).
-- CHOICE: the person is person_id within the Jugendamt (land, regbez, kreis, gemeinde),
-- as in hze's biography views, not within the reporting unit as v_schutz_verknuepfung
-- links: a Jugendamt's Notdienst and its ASD deliver as different units but share the
-- case software's ids. Its aids are those of v_hze_personenhilfen (an aid delivered in
-- several Berichtsjahre once). Months compare as months (dates on the 1st).
--   massnahmen, inobhutnahmen_42, inobhutnahmen_42a  all measures of the person, art 1
--                  (§ 42), art 2 (§ 42a), over all loaded Berichtsjahre
--   erster_beginn  the month of beginn of the first measure; letztes_ende the month of
--                  ende of the last
--   hze_hilfen     the person's hze aids (0: none loaded); of these
--   hze_vorher     began before the month of erster_beginn
--   hze_waehrenddessen  began from the month of erster_beginn to the month before
--                  letztes_ende (between or during the measures)
--   hze_danach     began in the month of letztes_ende or later
--                  (hze_vorher + hze_waehrenddessen + hze_danach = hze_hilfen)
--   hze_settingfolge  the settings of the aids in order (v_hze_hilfebiografie.settingfolge)
-- As far as the loaded hze data reach: a year of hze not loaded counts no aid (the
-- window-checked shares are v_schutz_hze's).
DROP VIEW IF EXISTS v_schutz_hilfebiografie CASCADE;
CREATE VIEW v_schutz_hilfebiografie AS
WITH p AS (
    SELECT land, regbez, kreis, gemeinde, person_id,
           count(*) AS massnahmen,
           count(*) FILTER (WHERE art = '1') AS inobhutnahmen_42,
           count(*) FILTER (WHERE art = '2') AS inobhutnahmen_42a,
           min(date_trunc('month', beginn))::date AS erster_beginn,
           max(date_trunc('month', ende))::date AS letztes_ende
    FROM schutz
    WHERE nullif(person_id, '') IS NOT NULL
    GROUP BY land, regbez, kreis, gemeinde, person_id
)
SELECT p.land, p.regbez, p.kreis, p.gemeinde, p.person_id,
       p.massnahmen, p.inobhutnahmen_42, p.inobhutnahmen_42a, p.erster_beginn, p.letztes_ende,
       count(a.beginn) AS hze_hilfen,
       count(a.beginn) FILTER (WHERE a.beginn < p.erster_beginn) AS hze_vorher,
       count(a.beginn) FILTER (WHERE a.beginn >= p.erster_beginn AND a.beginn < p.letztes_ende) AS hze_waehrenddessen,
       count(a.beginn) FILTER (WHERE a.beginn >= p.letztes_ende) AS hze_danach,
       min(b.settingfolge) AS hze_settingfolge
FROM p
LEFT JOIN v_hze_personenhilfen a ON a.land = p.land AND a.regbez = p.regbez AND a.kreis = p.kreis
      AND a.gemeinde = p.gemeinde AND a.person_id = p.person_id
LEFT JOIN v_hze_hilfebiografie b ON b.land = p.land AND b.regbez = p.regbez AND b.kreis = p.kreis
      AND b.gemeinde = p.gemeinde AND b.person_id = p.person_id
GROUP BY p.land, p.regbez, p.kreis, p.gemeinde, p.person_id, p.massnahmen, p.inobhutnahmen_42, p.inobhutnahmen_42a,
         p.erster_beginn, p.letztes_ende;
