-- plausid: requires hze, bevoelkerung
--
-- Views that set the hze data against the population (rules/bevoelkerung.yaml). plausid
-- applies this file once both tables exist, and again whenever the bevoelkerung pack or
-- this file changed; every view is dropped and created again.
--
-- The views read the tables hze and bevoelkerung directly, not the views of
-- rules/hze.views.sql: those are dropped and created again whenever the hze pack or its
-- views change, and a view here that depended on them would be dropped with them
-- (CASCADE). The Fallzahl condition below is the one of v_hze_fallzahl.

-- v_bevoelkerung_unter21: inhabitants under 21 (altersgruppe 1-4: 0 to under 21) per
-- Berichtsjahr x Sozialraum, and all young people under 27 (1-5).
DROP VIEW IF EXISTS v_bevoelkerung_unter21 CASCADE;
CREATE VIEW v_bevoelkerung_unter21 AS
SELECT berichtsjahr, sozialraum,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4')))::bigint AS einwohner_unter21,
       sum(anzahl)::bigint AS einwohner_unter27
FROM bevoelkerung
GROUP BY berichtsjahr, sozialraum;

-- v_hze_eckwert: the Eckwert (Inanspruchnahme) per Berichtsjahr x Sozialraum: the
-- Fallzahl (aids ongoing at 31.12. plus aids ended in the Berichtsjahr) per 10,000
-- inhabitants under 21 of the Sozialraum.
--   fallzahl, eckwert          WITHOUT Erziehungsberatung (hilfeart 01-03) and WITHOUT
--                              Eingliederungshilfe § 35a (hilfeart 13), as usual in the
--                              published monitoring;
--   fallzahl_alle, eckwert_alle  the variant with all aids.
-- Choices:
--   - The aids of all reporting units are summed per Sozialraum: bevoelkerung has no unit,
--     so Sozialraum names must be unique among the units in the database (one Jugendamt's
--     Sozialräume).
--   - Aids of every age count (also § 41 aids of 21- to 26-year-olds), the denominator is
--     the population under 21: that is the published Eckwert's definition.
--   - Rows are the Berichtsjahre that have hze data, with every Sozialraum that has aids
--     or population in that year: a Sozialraum with population and no aid has Fallzahl 0
--     and Eckwert 0; aids without population of the same year and Sozialraum (also
--     aids without a Sozialraum, sozialraum NULL) have eckwert NULL. The population of
--     another year is never used instead.
DROP VIEW IF EXISTS v_hze_eckwert CASCADE;
CREATE VIEW v_hze_eckwert AS
WITH faelle AS (
    SELECT berichtsjahr, sozialraum,
           count(*) FILTER (WHERE hilfeart NOT IN ('01', '02', '03', '13')) AS fallzahl,
           count(*) AS fallzahl_alle
    FROM hze
    WHERE andauernd = '1' OR (andauernd = '2' AND extract(year FROM ende) = berichtsjahr)
    GROUP BY berichtsjahr, sozialraum
), jahre AS (
    SELECT DISTINCT berichtsjahr FROM hze
)
SELECT coalesce(f.berichtsjahr, b.berichtsjahr) AS berichtsjahr,
       coalesce(f.sozialraum, b.sozialraum) AS sozialraum,
       coalesce(f.fallzahl, 0) AS fallzahl,
       coalesce(f.fallzahl_alle, 0) AS fallzahl_alle,
       b.einwohner_unter21,
       10000 * coalesce(f.fallzahl, 0)::numeric / nullif(b.einwohner_unter21, 0) AS eckwert,
       10000 * coalesce(f.fallzahl_alle, 0)::numeric / nullif(b.einwohner_unter21, 0) AS eckwert_alle
FROM faelle f
FULL JOIN v_bevoelkerung_unter21 b ON b.berichtsjahr = f.berichtsjahr AND b.sozialraum = f.sozialraum
WHERE coalesce(f.berichtsjahr, b.berichtsjahr) IN (SELECT berichtsjahr FROM jahre);
