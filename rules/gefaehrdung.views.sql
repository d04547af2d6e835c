-- Views over the loaded § 8a data (rules/gefaehrdung.yaml): the figures of the
-- "Strategiekarte Wächteramt" -- how many Gefährdungseinschätzungen, per 10,000
-- inhabitants under 18, with what result, which kinds of risk, who made the risk known,
-- and what followed -- for dashboards that only have to select.
--
-- plausid runs this file in the plausid schema (search_path) whenever the gefaehrdung pack
-- or this file changed; every view is dropped and created again, so the file can be run
-- any number of times. The table gefaehrdung holds the rows of the currently valid
-- deliveries only (a later file of a unit-year replaces the earlier one), so no view
-- filters on deliveries.
--
-- Choices made for all views (those of rules/hze.views.sql and
-- rules/bevoelkerung.views.sql, where they apply):
--   - The unit is land, regbez, kreis, gemeinde, einrichtung (the reporting unit of a
--     delivery). Every count is additive and every share comes with its numerator and
--     denominator, so that a dashboard can sum over units and Sozialräume and divide
--     again. Shares are numeric fractions between 0 and 1 (not percent), NULL when the
--     denominator is 0; nothing is rounded.
--   - The Sozialraum of a record (every view's column sozialraum): the record's own
--     non-empty sozialraum, else the group 'ohne Zuordnung'. The mapping zuordnung
--     (rules/zuordnung.yaml) does NOT apply: it maps the keys of hze cases (unit + lfd_nr +
--     Berichtsjahr), and § 8a records have a numbering of their own -- an assessment's
--     lfd_nr is not a case's, so a join on it would assign the wrong Sozialraum. A real
--     Sozialraum named 'ohne Zuordnung' would be counted with the unassigned records.
--   - Nothing here is suppressed: these views are for the office's own controlling and
--     must stay additive. A view or report for a committee suppresses small cells (see
--     rules/hze.views.sql) -- § 8a figures of one Sozialraum are small. The one committee
--     view, v_strategiekarte_8a (at the end), suppresses them.
--   - Population: inhabitants under 18 (bevoelkerung, altersgruppe 1-3: 0 to under 18)
--     of the same Berichtsjahr and Sozialraum, as v_hze_eckwert takes the population under
--     21: the population of another year is never used instead; a group without
--     population of its year (also 'ohne Zuordnung') has the rate NULL, and so has a
--     population of 0. The Sozialraum is matched by name, whatever unit a population row
--     may name: the Sozialraum names must be unique among the units in the database (one
--     Jugendamt's Sozialräume). The altersgruppe `gesamt` (all ages) and a unit's own
--     rows (sozialraum empty) are never summed here.
--   - Assessments count the records, one per completed Gefährdungseinschätzung (the
--     pack's data set); a child assessed twice in a year counts twice, as in the
--     official statistic.
--   - ergebnis 1 akute, 2 latente Kindeswohlgefährdung (together: gefaehrdung, "a risk"),
--     3 keine Kindeswohlgefährdung, aber Hilfebedarf, 4 keine Kindeswohlgefährdung und
--     kein Hilfebedarf. Every loaded record has one (P01/P02 reject the others).

-- The population's table, empty until a population is loaded: plausid creates a data
-- set's table at its first load, but these views read it from the start. The columns are
-- those that plausid makes of rules/bevoelkerung.yaml (rules/README.md, "Deliveries,
-- storage and views": the year field bigint, the text and code fields text, the integer
-- bigint), so its first load finds the table as it would have made it. Creating it here,
-- and not waiting for it with "-- plausid: requires bevoelkerung", lets the § 8a figures
-- show before any population is loaded (their rates NULL until then).
CREATE TABLE IF NOT EXISTS bevoelkerung (delivery_id bigint NOT NULL, line integer NOT NULL,
    berichtsjahr bigint, sozialraum text, altersgruppe text, anzahl bigint,
    land text, regbez text, kreis text, gemeinde text, einrichtung text);
CREATE INDEX IF NOT EXISTS bevoelkerung_delivery ON bevoelkerung USING brin (delivery_id);

-- v_gefaehrdung_einschaetzungen: one row per loaded record, without personal identifiers
-- (no person_id, no lfd_nr), with the derived values the other views use:
--   sozialraum           the record's own, else 'ohne Zuordnung' (above)
--   sozialraum_herkunft  'Datensatz' or 'ohne Zuordnung' (as in v_hze_hilfen; there is no
--                        mapping here)
--   ist_gefaehrdung      ergebnis 1 or 2 (akute or latente Kindeswohlgefährdung)
--   vernachlaessigung, koerperliche_misshandlung, psychische_misshandlung,
--   sexuelle_gewalt      the kinds of risk (art_* = 1); several per assessment possible;
--                        rule G02 rejects a kind of risk with ergebnis 3 or 4
--   inobhutnahme_folgt, hilfe_folgt  the follow-ups (= 1)
-- anregung, geschlecht, alter, aufenthalt and ergebnis are the codes as loaded; their
-- labels are in the table codes (dataset 'gefaehrdung', list = the field's code list).
DROP VIEW IF EXISTS v_gefaehrdung_einschaetzungen CASCADE;
CREATE VIEW v_gefaehrdung_einschaetzungen AS
SELECT g.berichtsjahr, g.land, g.regbez, g.kreis, g.gemeinde, g.einrichtung,
       coalesce(nullif(g.sozialraum, ''), 'ohne Zuordnung') AS sozialraum,
       CASE WHEN nullif(g.sozialraum, '') IS NOT NULL THEN 'Datensatz' ELSE 'ohne Zuordnung' END
           AS sozialraum_herkunft,
       g.monat_abschluss, g.anregung, g.geschlecht, g."alter", g.aufenthalt, g.ergebnis,
       g.ergebnis IN ('1', '2') AS ist_gefaehrdung,
       g.art_vernachlaessigung = '1' AS vernachlaessigung,
       g.art_koerperlich = '1' AS koerperliche_misshandlung,
       g.art_psychisch = '1' AS psychische_misshandlung,
       g.art_sexuell = '1' AS sexuelle_gewalt,
       g.inobhutnahme_folgt = '1' AS inobhutnahme_folgt,
       g.hilfe_folgt = '1' AS hilfe_folgt,
       g.delivery_id, g.line
FROM gefaehrdung g;

-- v_gefaehrdung_kennzahlen: per Berichtsjahr x unit x Sozialraum (groups with at least
-- one assessment):
--   einschaetzungen          the assessments
--   einwohner_unter18        inhabitants under 18 of the Sozialraum and Berichtsjahr
--                            (NULL: none loaded). bevoelkerung has no unit, so this is
--                            the Sozialraum's whole population, repeated on the row of
--                            every unit that has assessments there: summing over units,
--                            take it once per Sozialraum (v_gefaehrdung_eckwert does).
--   einschaetzungen_je_10000 10,000 x einschaetzungen / einwohner_unter18: this unit's
--                            assessments in the Sozialraum against its whole population
--   gefaehrdungen_je_10000   likewise for the assessments that found a risk (1 or 2)
--   akut, latent, hilfebedarf, kein_hilfebedarf  ergebnis 1, 2, 3, 4; anteil_* of
--                            einschaetzungen (they add up to 1)
--   gefaehrdung              akut + latent, anteil_gefaehrdung of einschaetzungen
--   inobhutnahme_folgt, hilfe_folgt  the follow-ups; anteil_* of all einschaetzungen,
--                            whatever the result (by result: v_gefaehrdung_einschaetzungen)
DROP VIEW IF EXISTS v_gefaehrdung_kennzahlen CASCADE;
CREATE VIEW v_gefaehrdung_kennzahlen AS
WITH unter18 AS (
    SELECT berichtsjahr, sozialraum, sum(anzahl)::bigint AS einwohner_unter18
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL
    GROUP BY berichtsjahr, sozialraum
), gruppen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
           count(*) AS einschaetzungen,
           count(*) FILTER (WHERE ergebnis = '1') AS akut,
           count(*) FILTER (WHERE ergebnis = '2') AS latent,
           count(*) FILTER (WHERE ergebnis = '3') AS hilfebedarf,
           count(*) FILTER (WHERE ergebnis = '4') AS kein_hilfebedarf,
           count(*) FILTER (WHERE ist_gefaehrdung) AS gefaehrdung,
           count(*) FILTER (WHERE inobhutnahme_folgt) AS inobhutnahme_folgt,
           count(*) FILTER (WHERE hilfe_folgt) AS hilfe_folgt
    FROM v_gefaehrdung_einschaetzungen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum
)
SELECT g.berichtsjahr, g.land, g.regbez, g.kreis, g.gemeinde, g.einrichtung, g.sozialraum,
       g.einschaetzungen,
       b.einwohner_unter18,
       10000 * g.einschaetzungen::numeric / nullif(b.einwohner_unter18, 0) AS einschaetzungen_je_10000,
       10000 * g.gefaehrdung::numeric / nullif(b.einwohner_unter18, 0) AS gefaehrdungen_je_10000,
       g.akut, g.akut::numeric / g.einschaetzungen AS anteil_akut,
       g.latent, g.latent::numeric / g.einschaetzungen AS anteil_latent,
       g.hilfebedarf, g.hilfebedarf::numeric / g.einschaetzungen AS anteil_hilfebedarf,
       g.kein_hilfebedarf, g.kein_hilfebedarf::numeric / g.einschaetzungen AS anteil_kein_hilfebedarf,
       g.gefaehrdung, g.gefaehrdung::numeric / g.einschaetzungen AS anteil_gefaehrdung,
       g.inobhutnahme_folgt, g.inobhutnahme_folgt::numeric / g.einschaetzungen AS anteil_inobhutnahme_folgt,
       g.hilfe_folgt, g.hilfe_folgt::numeric / g.einschaetzungen AS anteil_hilfe_folgt
FROM gruppen g
LEFT JOIN unter18 b ON b.berichtsjahr = g.berichtsjahr AND b.sozialraum = g.sozialraum;

-- v_gefaehrdung_eckwert: the rates per Berichtsjahr x Sozialraum with the assessments of
-- all units summed (the population has no unit), as v_hze_eckwert does for the hze
-- Fallzahl: einschaetzungen and gefaehrdung (ergebnis 1 or 2), einwohner_unter18, and
-- both per 10,000 under 18. Rows are the Berichtsjahre that have § 8a data, with every
-- Sozialraum that has assessments or population in that year: a Sozialraum with
-- population and no assessment has 0 and the rate 0; assessments without population of
-- the same year and Sozialraum (also 'ohne Zuordnung') have the rate NULL.
DROP VIEW IF EXISTS v_gefaehrdung_eckwert CASCADE;
CREATE VIEW v_gefaehrdung_eckwert AS
WITH unter18 AS (
    SELECT berichtsjahr, sozialraum, sum(anzahl)::bigint AS einwohner_unter18
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL
    GROUP BY berichtsjahr, sozialraum
), einschaetzungen AS (
    SELECT berichtsjahr, sozialraum,
           count(*) AS einschaetzungen,
           count(*) FILTER (WHERE ist_gefaehrdung) AS gefaehrdung
    FROM v_gefaehrdung_einschaetzungen
    GROUP BY berichtsjahr, sozialraum
)
SELECT coalesce(e.berichtsjahr, b.berichtsjahr) AS berichtsjahr,
       coalesce(e.sozialraum, b.sozialraum) AS sozialraum,
       coalesce(e.einschaetzungen, 0) AS einschaetzungen,
       coalesce(e.gefaehrdung, 0) AS gefaehrdung,
       b.einwohner_unter18,
       10000 * coalesce(e.einschaetzungen, 0)::numeric / nullif(b.einwohner_unter18, 0) AS einschaetzungen_je_10000,
       10000 * coalesce(e.gefaehrdung, 0)::numeric / nullif(b.einwohner_unter18, 0) AS gefaehrdungen_je_10000
FROM einschaetzungen e
FULL JOIN unter18 b ON b.berichtsjahr = e.berichtsjahr AND b.sozialraum = e.sozialraum
WHERE coalesce(e.berichtsjahr, b.berichtsjahr) IN (SELECT DISTINCT berichtsjahr FROM gefaehrdung);

-- v_gefaehrdung_arten: the kinds of risk among the assessments that found one (ergebnis
-- 1 or 2, gefaehrdung = the denominator of every share), per Berichtsjahr x unit x
-- Sozialraum (groups with at least one such assessment): vernachlaessigung,
-- koerperliche_misshandlung, psychische_misshandlung, sexuelle_gewalt (art_* = 1) and
-- their anteil_*. An assessment may name several kinds, so the counts add up to more than
-- gefaehrdung and the shares to more than 1; mehrere_arten counts the assessments naming
-- two or more kinds.
DROP VIEW IF EXISTS v_gefaehrdung_arten CASCADE;
CREATE VIEW v_gefaehrdung_arten AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
       count(*) AS gefaehrdung,
       count(*) FILTER (WHERE vernachlaessigung) AS vernachlaessigung,
       count(*) FILTER (WHERE vernachlaessigung)::numeric / count(*) AS anteil_vernachlaessigung,
       count(*) FILTER (WHERE koerperliche_misshandlung) AS koerperliche_misshandlung,
       count(*) FILTER (WHERE koerperliche_misshandlung)::numeric / count(*) AS anteil_koerperliche_misshandlung,
       count(*) FILTER (WHERE psychische_misshandlung) AS psychische_misshandlung,
       count(*) FILTER (WHERE psychische_misshandlung)::numeric / count(*) AS anteil_psychische_misshandlung,
       count(*) FILTER (WHERE sexuelle_gewalt) AS sexuelle_gewalt,
       count(*) FILTER (WHERE sexuelle_gewalt)::numeric / count(*) AS anteil_sexuelle_gewalt,
       count(*) FILTER (WHERE vernachlaessigung::int + koerperliche_misshandlung::int
                              + psychische_misshandlung::int + sexuelle_gewalt::int >= 2) AS mehrere_arten
FROM v_gefaehrdung_einschaetzungen
WHERE ist_gefaehrdung
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;

-- v_gefaehrdung_anregung: who made the possible risk known, long format: one row per
-- Berichtsjahr x unit x Sozialraum x anregung that occurs (codes 1-10; no row for a
-- code without assessments), with the code's label from the table codes (the pack's own
-- label, rewritten whenever the pack changes):
--   einschaetzungen         the assessments with this anregung
--   einschaetzungen_gesamt  all assessments of the unit, year and Sozialraum (the same on
--                           every row of the group: sum it over the group's rows, not
--                           over anregungen)
--   anteil                  einschaetzungen / einschaetzungen_gesamt
--   gefaehrdung, anteil_gefaehrdung  of this anregung's assessments, those that found a
--                           risk (ergebnis 1 or 2): how often a source's report is borne out
DROP VIEW IF EXISTS v_gefaehrdung_anregung CASCADE;
CREATE VIEW v_gefaehrdung_anregung AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum,
       e.anregung, c.label AS anregung_label,
       e.einschaetzungen, e.einschaetzungen_gesamt,
       e.einschaetzungen::numeric / e.einschaetzungen_gesamt AS anteil,
       e.gefaehrdung,
       e.gefaehrdung::numeric / e.einschaetzungen AS anteil_gefaehrdung
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, anregung,
           count(*) AS einschaetzungen,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum)::bigint
               AS einschaetzungen_gesamt,
           count(*) FILTER (WHERE ist_gefaehrdung) AS gefaehrdung
    FROM v_gefaehrdung_einschaetzungen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, anregung
) e
LEFT JOIN codes c ON c.dataset = 'gefaehrdung' AND c.list = 'anregung' AND c.code = e.anregung;

-- v_strategiekarte_8a: the § 8a figures of the Strategiekarte's Wächteramt page for the
-- Jugendhilfeausschuss -- a committee view, so small cells are suppressed (unlike every
-- view above). One row per Berichtsjahr x Jugendamt (land, regbez, kreis, gemeinde: the
-- reporting units of a Jugendamt summed) x Sozialraum, for the Jugendamt-years with § 8a
-- data: every Sozialraum with assessments or with population under 18 in the year, the
-- group 'ohne Zuordnung' when it has assessments, and one row of the whole Jugendamt.
--   ebene             'Sozialraum', or 'Jugendamt' for the row of the whole Jugendamt
--   sozialraum        the Sozialraum (as in v_gefaehrdung_einschaetzungen), 'insgesamt' on
--                     the Jugendamt row
--   einschaetzungen   the completed § 8a assessments of the year (v_gefaehrdung_kennzahlen,
--                     summed over the Jugendamt's reporting units); one per child assessed
--   eckwert_8a        10,000 x einschaetzungen / inhabitants under 18 (altersgruppe 0-5,
--                     6-11, 12-17) of the same year: for a Sozialraum its population (as
--                     v_gefaehrdung_eckwert); for the Jugendamt its own population rows
--                     (bevoelkerung with its unit and no Sozialraum), else the sum of its
--                     Sozialräume's populations shown here. NULL without population.
--   anteil_gefaehrdung  akute + latente Kindeswohlgefährdung (ergebnis 1 or 2) /
--                     einschaetzungen; NULL when there is no assessment
-- Each figure has a column <figure>_gesperrt: true when the figure is suppressed (the
-- figure is NULL then; the report prints "·"); NULL with false means "not available"
-- ("–": no population, no assessment). Suppression, for the committee (a child assessed
-- counts as one young person):
--   - a count of 1 or 2 is suppressed (0 names nobody and is shown), and with it the
--     row's Eckwert and share (the Eckwert times the published population gives the count);
--   - a share is suppressed when its numerator or the denominator minus the numerator is
--     1 or 2, or when its count is suppressed;
--   - secondary suppression, per Berichtsjahr x Jugendamt (the Sozialraum rows and the
--     Jugendamt row as their total): when exactly one Sozialraum's count is suppressed and
--     the total is shown, the Sozialraum with the next-smallest count above 0 is
--     suppressed too (ties: the first name), so that the total minus the others does not
--     give the cell; a suppressed 0 would not hide it. Without such a Sozialraum the total
--     is suppressed. The same for the shares: when exactly one Sozialraum's share is
--     suppressed and the Jugendamt's is shown, the share of the Sozialraum with the
--     smallest count among those whose share lies strictly between 0 and 1 (a share of 0
--     or 1 would give the suppressed numerator away), else the Jugendamt's share.
-- CHOICE, which Jugendamt a Sozialraum's population belongs to (the population needs no
-- unit): the Jugendamt its population rows of the year name (land ... gemeinde), if they
-- name one; else the Jugendamt whose § 8a records name the Sozialraum in any year, or the
-- only Jugendamt with § 8a data in the year. A Sozialraum with population, no unit and no
-- record in a database of several Jugendämter has no row here: name the unit in the
-- population file.
DROP VIEW IF EXISTS v_strategiekarte_8a CASCADE;
CREATE VIEW v_strategiekarte_8a AS
WITH jahre AS (
    SELECT DISTINCT berichtsjahr, land, regbez, kreis, gemeinde FROM v_gefaehrdung_kennzahlen
), zellen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, sozialraum,
           sum(einschaetzungen)::bigint AS n, sum(gefaehrdung)::bigint AS z,
           max(einwohner_unter18) AS einwohner   -- the Sozialraum's, the same on every unit's row
    FROM v_gefaehrdung_kennzahlen
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, sozialraum
), einheit AS (
    -- the Jugendämter that a Sozialraum's population rows of a year name
    SELECT DISTINCT berichtsjahr, sozialraum, land, regbez, kreis, gemeinde
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NOT NULL AND nullif(land, '') IS NOT NULL
), bev AS (
    SELECT e.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, e.sozialraum, e.einwohner_unter18
    FROM v_gefaehrdung_eckwert e
    JOIN jahre j ON j.berichtsjahr = e.berichtsjahr
    WHERE e.einwohner_unter18 IS NOT NULL
      AND CASE WHEN EXISTS (SELECT 1 FROM einheit u WHERE u.berichtsjahr = e.berichtsjahr AND u.sozialraum = e.sozialraum)
               THEN EXISTS (SELECT 1 FROM einheit u WHERE u.berichtsjahr = e.berichtsjahr AND u.sozialraum = e.sozialraum
                              AND (u.land, u.regbez, u.kreis, u.gemeinde) = (j.land, j.regbez, j.kreis, j.gemeinde))
               ELSE EXISTS (SELECT 1 FROM v_gefaehrdung_einschaetzungen g WHERE g.sozialraum = e.sozialraum
                              AND (g.land, g.regbez, g.kreis, g.gemeinde) = (j.land, j.regbez, j.kreis, j.gemeinde))
                    OR (SELECT count(*) FROM jahre k WHERE k.berichtsjahr = e.berichtsjahr) = 1
          END
), sozialraeume AS (
    SELECT coalesce(c.berichtsjahr, b.berichtsjahr) AS berichtsjahr, coalesce(c.land, b.land) AS land,
           coalesce(c.regbez, b.regbez) AS regbez, coalesce(c.kreis, b.kreis) AS kreis,
           coalesce(c.gemeinde, b.gemeinde) AS gemeinde, coalesce(c.sozialraum, b.sozialraum) AS sozialraum,
           coalesce(c.n, 0) AS n, coalesce(c.z, 0) AS z, coalesce(c.einwohner, b.einwohner_unter18) AS einwohner
    FROM zellen c
    FULL JOIN bev b ON b.berichtsjahr = c.berichtsjahr AND b.land = c.land AND b.regbez = c.regbez
     AND b.kreis = c.kreis AND b.gemeinde = c.gemeinde AND b.sozialraum = c.sozialraum
), eigene AS (
    -- a Jugendamt's own population under 18: rows with its unit and no Sozialraum
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, sum(anzahl)::bigint AS einwohner
    FROM bevoelkerung
    WHERE altersgruppe IN ('1', '2', '3') AND sozialraum IS NULL AND nullif(land, '') IS NOT NULL
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde
), zeilen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, 'Sozialraum' AS ebene, sozialraum, n, z, einwohner
    FROM sozialraeume
    UNION ALL
    SELECT s.berichtsjahr, s.land, s.regbez, s.kreis, s.gemeinde, 'Jugendamt', 'insgesamt',
           sum(s.n)::bigint, sum(s.z)::bigint, coalesce(max(o.einwohner), sum(s.einwohner)::bigint)
    FROM sozialraeume s
    LEFT JOIN eigene o ON o.berichtsjahr = s.berichtsjahr AND o.land = s.land AND o.regbez = s.regbez
     AND o.kreis = s.kreis AND o.gemeinde = s.gemeinde
    GROUP BY s.berichtsjahr, s.land, s.regbez, s.kreis, s.gemeinde
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
       CASE WHEN NOT n_gesperrt THEN n END AS einschaetzungen,
       n_gesperrt AS einschaetzungen_gesperrt,
       CASE WHEN NOT n_gesperrt THEN 10000 * n::numeric / nullif(einwohner, 0) END AS eckwert_8a,
       n_gesperrt AND coalesce(einwohner, 0) > 0 AS eckwert_8a_gesperrt,
       CASE WHEN NOT a_gesperrt THEN z::numeric / nullif(n, 0) END AS anteil_gefaehrdung,
       a_gesperrt AS anteil_gefaehrdung_gesperrt
FROM a_sperre;
