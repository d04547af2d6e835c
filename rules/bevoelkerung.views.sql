-- plausid: requires hze, bevoelkerung
--
-- Views that set the hze data against the population (rules/bevoelkerung.yaml). plausid
-- applies this file once both tables exist, and again whenever the bevoelkerung pack or
-- this file changed; every view is dropped and created again.
--
-- The views read the tables hze and bevoelkerung directly, not the views of
-- rules/hze.views.sql: those are dropped and created again whenever the hze pack or its
-- views change, and a view here that depended on them would be dropped with them
-- (CASCADE). The Fallzahl condition below is the one of v_hze_fallzahl, the Sozialraum
-- and the young people are assigned as in v_hze_hilfen (rules/hze.views.sql): the
-- record's own non-empty sozialraum, else the mapping's (the table zuordnung, joined on
-- unit + lfd_nr + Berichtsjahr, the latest delivery's row per key), else 'ohne Zuordnung'.

-- The mapping's table, empty until a mapping is loaded; the same statement as in
-- rules/hze.views.sql (either file may run first).
CREATE TABLE IF NOT EXISTS zuordnung (delivery_id bigint NOT NULL, line integer NOT NULL,
    land text, regbez text, kreis text, gemeinde text, einrichtung text, lfd_nr text,
    berichtsjahr bigint, sozialraum text);
CREATE INDEX IF NOT EXISTS zuordnung_delivery ON zuordnung USING brin (delivery_id);

-- v_bevoelkerung_unter21: inhabitants under 21 (altersgruppe 1-4: 0 to under 21) per
-- Berichtsjahr x Sozialraum, and all young people under 27 (1-5). The altersgruppe
-- `gesamt` (all ages) is never summed with them, and a unit's own rows (sozialraum empty,
-- rules/bevoelkerung.yaml) are no Sozialraum's: both are left out.
DROP VIEW IF EXISTS v_bevoelkerung_unter21 CASCADE;
CREATE VIEW v_bevoelkerung_unter21 AS
SELECT berichtsjahr, sozialraum,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4')))::bigint AS einwohner_unter21,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4', '5')))::bigint AS einwohner_unter27
FROM bevoelkerung
WHERE sozialraum IS NOT NULL AND altersgruppe IN ('1', '2', '3', '4', '5')
GROUP BY berichtsjahr, sozialraum;

-- v_hze_eckwert: the Eckwert (Inanspruchnahme) per Berichtsjahr x Sozialraum: the
-- Fallzahl (aids ongoing at 31.12. plus aids ended in the Berichtsjahr) per 10,000
-- inhabitants under 21 of the Sozialraum.
--   fallzahl, eckwert          WITHOUT Erziehungsberatung (hilfeart 01-03) and WITHOUT
--                              Eingliederungshilfe § 35a (hilfeart 13), as usual in the
--                              published monitoring;
--   fallzahl_alle, eckwert_alle  the variant with all aids.
--   junge_menschen, junge_menschen_alle  the young people of those aids: 1 +
--                              weitere_junge_menschen (empty: 0) for the family-oriented
--                              aids 07, 14, 16, 1 for every other aid (as v_hze_hilfen).
--                              The Eckwert itself counts aids, as published.
-- Choices:
--   - The aids of all reporting units are summed per Sozialraum: bevoelkerung has no unit,
--     so Sozialraum names must be unique among the units in the database (one Jugendamt's
--     Sozialräume).
--   - Aids of every age count (also § 41 aids of 21- to 26-year-olds), the denominator is
--     the population under 21: that is the published Eckwert's definition.
--   - Rows are the Berichtsjahre that have hze data, with every Sozialraum that has aids
--     or population in that year: a Sozialraum with population and no aid has Fallzahl 0
--     and Eckwert 0; aids without population of the same year and Sozialraum (also
--     the group 'ohne Zuordnung') have eckwert NULL. The population of another year is
--     never used instead.
DROP VIEW IF EXISTS v_hze_eckwert CASCADE;
CREATE VIEW v_hze_eckwert AS
WITH zuordnung_je_fall AS (
    SELECT DISTINCT ON (land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr)
           land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, sozialraum
    FROM zuordnung
    WHERE nullif(sozialraum, '') IS NOT NULL
    ORDER BY land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, delivery_id DESC, line DESC
), hilfen AS (
    SELECT h.berichtsjahr, h.hilfeart,
           coalesce(nullif(h.sozialraum, ''), z.sozialraum, 'ohne Zuordnung') AS sozialraum,
           CASE WHEN h.hilfeart IN ('07', '14', '16') THEN 1 + coalesce(h.weitere_junge_menschen, 0) ELSE 1 END
               AS junge_menschen
    FROM hze h
    LEFT JOIN zuordnung_je_fall z
      ON z.land = h.land AND z.regbez = h.regbez AND z.kreis = h.kreis AND z.gemeinde = h.gemeinde
     AND z.einrichtung = h.einrichtung AND z.lfd_nr = h.lfd_nr AND z.berichtsjahr = h.berichtsjahr
    WHERE h.andauernd = '1' OR (h.andauernd = '2' AND extract(year FROM h.ende) = h.berichtsjahr)
), faelle AS (
    SELECT berichtsjahr, sozialraum,
           count(*) FILTER (WHERE hilfeart NOT IN ('01', '02', '03', '13')) AS fallzahl,
           count(*) AS fallzahl_alle,
           (sum(junge_menschen) FILTER (WHERE hilfeart NOT IN ('01', '02', '03', '13')))::bigint AS junge_menschen,
           sum(junge_menschen)::bigint AS junge_menschen_alle
    FROM hilfen
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
       10000 * coalesce(f.fallzahl_alle, 0)::numeric / nullif(b.einwohner_unter21, 0) AS eckwert_alle,
       coalesce(f.junge_menschen, 0) AS junge_menschen,
       coalesce(f.junge_menschen_alle, 0) AS junge_menschen_alle
FROM faelle f
FULL JOIN v_bevoelkerung_unter21 b ON b.berichtsjahr = f.berichtsjahr AND b.sozialraum = f.sozialraum
WHERE coalesce(f.berichtsjahr, b.berichtsjahr) IN (SELECT berichtsjahr FROM jahre);
