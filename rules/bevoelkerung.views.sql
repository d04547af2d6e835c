-- plausid: requires hze, bevoelkerung
--
-- Views that set the hze data against the population (rules/bevoelkerung.yaml) and the
-- SGB II rate (rules/sgb2.yaml). plausid applies this file once the tables hze and
-- bevoelkerung exist, again whenever the bevoelkerung pack or this file changed, and
-- again right after rules/hze.views.sql (the `requires` line): the views here read
-- v_hze_hilfen, and re-running hze's file drops them with it (CASCADE). Every view is
-- dropped and created again. The Fallzahl, the Sozialraum (own, mapped or 'ohne
-- Zuordnung'), the young people, Abgabe and Volljährige are those of v_hze_hilfen
-- (rules/hze.views.sql), never computed a second time here.
--
-- The Jugendamt is land, regbez, kreis, gemeinde: its reporting units (einrichtung: ASD,
-- Erziehungsberatungsstelle, ...) are summed. v_hze_eckwert (one Jugendamt's view, by
-- Sozialraum name) is kept as it was; the views from v_bevoelkerung_sozialraum on work
-- per Jugendamt, so two Jugendämter may both have a Sozialraum "Mitte".
--
-- Population of another year (the "nearest year", from v_hze_raum_bevoelkerung on): a
-- Berichtsjahr without its own population uses the population year nearest to it, the
-- earlier one of two equally near; bevoelkerung_jahr says which year was used and
-- bevoelkerung_ersatz is true when it is not the Berichtsjahr. v_hze_eckwert,
-- v_gefaehrdung_* and v_schutz_* never substitute (NULL, as before).

-- The mapping's table, empty until a mapping is loaded; the same statement as in
-- rules/hze.views.sql. Kept although hze's file now always runs first: a database whose
-- hze views were applied by an older plausid has no other.
CREATE TABLE IF NOT EXISTS zuordnung (delivery_id bigint NOT NULL, line integer NOT NULL,
    land text, regbez text, kreis text, gemeinde text, einrichtung text, lfd_nr text,
    berichtsjahr bigint, sozialraum text);
CREATE INDEX IF NOT EXISTS zuordnung_delivery ON zuordnung USING brin (delivery_id);

-- The SGB II rates' table (rules/sgb2.yaml), empty until rates are loaded: the columns
-- and index that plausid makes of the pack at its first load (decimal is numeric), so
-- that v_strategiekarte_hze can join it from the start and the first load finds it as
-- it would have made it.
CREATE TABLE IF NOT EXISTS sgb2 (delivery_id bigint NOT NULL, line integer NOT NULL,
    berichtsjahr bigint, sozialraum text, quote_unter15 numeric);
CREATE INDEX IF NOT EXISTS sgb2_delivery ON sgb2 USING brin (delivery_id);

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
-- Fallzahl (aids ongoing at 31.12. plus aids ended in the Berichtsjahr, v_hze_hilfen's
-- ist_fall) per 10,000 inhabitants under 21 of the Sozialraum.
--   fallzahl, eckwert          WITHOUT Erziehungsberatung (hilfeart 01-03) and WITHOUT
--                              Eingliederungshilfe § 35a (hilfeart 13), as usual in the
--                              published monitoring;
--   fallzahl_alle, eckwert_alle  the variant with all aids.
--   junge_menschen, junge_menschen_alle  the young people of those aids (v_hze_hilfen).
--                              The Eckwert itself counts aids, as published.
-- Choices:
--   - The aids of all reporting units are summed per Sozialraum NAME with the population
--     rows of that name (v_bevoelkerung_unter21): one Jugendamt's view. With several
--     Jugendämter in the database use v_hze_eckwert_varianten, which keeps them apart.
--   - Aids of every age count (also § 41 aids of 21- to 26-year-olds), the denominator is
--     the population under 21: that is the published Eckwert's definition.
--   - Rows are the Berichtsjahre that have hze data, with every Sozialraum that has aids
--     or population in that year: a Sozialraum with population and no aid has Fallzahl 0
--     and Eckwert 0; aids without population of the same year and Sozialraum (also
--     the group 'ohne Zuordnung') have eckwert NULL. The population of another year is
--     never used here (v_hze_eckwert_varianten uses the nearest year and says so).
-- Changed 2026: built on v_hze_hilfen instead of repeating its Fallzahl and mapping;
-- the figures are the same.
DROP VIEW IF EXISTS v_hze_eckwert CASCADE;
CREATE VIEW v_hze_eckwert AS
WITH faelle AS (
    SELECT berichtsjahr, sozialraum,
           count(*) FILTER (WHERE hilfeart NOT IN ('01', '02', '03', '13')) AS fallzahl,
           count(*) AS fallzahl_alle,
           (sum(junge_menschen) FILTER (WHERE hilfeart NOT IN ('01', '02', '03', '13')))::bigint AS junge_menschen,
           sum(junge_menschen)::bigint AS junge_menschen_alle
    FROM v_hze_hilfen
    WHERE ist_fall
    GROUP BY berichtsjahr, sozialraum
), jahre AS (
    SELECT DISTINCT berichtsjahr FROM v_hze
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

-- v_bevoelkerung_sozialraum: the population of a Sozialraum OF A JUGENDAMT per
-- population year x Jugendamt (land, regbez, kreis, gemeinde) x Sozialraum:
--   einwohner_unter18 (altersgruppe 1-3), einwohner_unter21 (1-4),
--   einwohner_18_bis_unter21 (4), einwohner_unter27 (1-5), einwohner_gesamt (gesamt);
--   NULL where the Sozialraum has no row of those groups.
--   mit_einheit  true: from rows that name the unit; false: from rows without unit.
-- Which Jugendamt a row belongs to:
--   - a row with its unit (land ... einrichtung filled) belongs to that unit's Jugendamt
--     only, so two Jugendämter may both have a Sozialraum "Mitte";
--   - a row without unit (the format before units) belongs to every Jugendamt whose
--     loaded aids (of any Berichtsjahr) carry that Sozialraum name, and, when the hze
--     data hold one Jugendamt only, to that one (so that its Sozialräume without any aid
--     keep their population, as in v_hze_eckwert);
--   - where a Jugendamt has rows with its unit for a Sozialraum and year, rows without
--     unit of the same name and year are not added to them (the unit's rows are the more
--     precise delivery; adding both would count people twice).
-- Rows of one Jugendamt's units (einrichtungen) for the same Sozialraum are added: a
-- Sozialraum whose population two units deliver in parts. A unit's own rows (no
-- Sozialraum) are v_bevoelkerung_jugendamt's, never a Sozialraum's.
DROP VIEW IF EXISTS v_bevoelkerung_sozialraum CASCADE;
CREATE VIEW v_bevoelkerung_sozialraum AS
WITH jugendaemter AS (
    SELECT DISTINCT land, regbez, kreis, gemeinde FROM v_hze_hilfen
), namen AS (
    SELECT DISTINCT land, regbez, kreis, gemeinde, sozialraum FROM v_hze_hilfen
), zeilen AS (
    SELECT b.berichtsjahr, b.land, b.regbez, b.kreis, b.gemeinde, b.sozialraum, b.altersgruppe, b.anzahl,
           true AS mit_einheit
    FROM bevoelkerung b
    WHERE nullif(b.sozialraum, '') IS NOT NULL AND nullif(b.einrichtung, '') IS NOT NULL
    UNION ALL
    SELECT b.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, b.sozialraum, b.altersgruppe, b.anzahl,
           false
    FROM bevoelkerung b
    JOIN jugendaemter j
      ON (SELECT count(*) FROM jugendaemter) = 1
      OR EXISTS (SELECT 1 FROM namen n
                 WHERE n.land = j.land AND n.regbez = j.regbez AND n.kreis = j.kreis AND n.gemeinde = j.gemeinde
                   AND n.sozialraum = b.sozialraum)
    WHERE nullif(b.sozialraum, '') IS NOT NULL AND nullif(b.einrichtung, '') IS NULL
), vorrang AS (
    SELECT *, bool_or(mit_einheit) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, sozialraum) AS hat_einheit
    FROM zeilen
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde, sozialraum,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3')))::bigint AS einwohner_unter18,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4')))::bigint AS einwohner_unter21,
       (sum(anzahl) FILTER (WHERE altersgruppe = '4'))::bigint AS einwohner_18_bis_unter21,
       (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4', '5')))::bigint AS einwohner_unter27,
       (sum(anzahl) FILTER (WHERE altersgruppe = 'gesamt'))::bigint AS einwohner_gesamt,
       bool_or(mit_einheit) AS mit_einheit
FROM vorrang
WHERE mit_einheit = hat_einheit
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, sozialraum;

-- v_bevoelkerung_jugendamt: the population of a Jugendamt per population year x
-- Jugendamt (land, regbez, kreis, gemeinde):
--   einwohner_gesamt (all ages, altersgruppe gesamt), einwohner_unter18 (1-3: 0-5,
--   6-11, 12-17), einwohner_unter21 (1-4), einwohner_18_bis_unter21 (4),
--   einwohner_unter27 (1-5);
--   groessenklasse  the size cluster by einwohner_gesamt: 'unter 50.000', '50.000 bis
--                   unter 150.000', '150.000 und mehr' (NULL without einwohner_gesamt);
--   quelle          'Jugendamt': the unit's own rows (sozialraum empty); 'Sozialräume':
--                   the Jugendamt has no own row in that year, so the sum of its
--                   Sozialräume (v_bevoelkerung_sozialraum) stands in.
-- Choices: the Jugendamt's figure is its own rows and never their sum with its
-- Sozialräume (rules/bevoelkerung.yaml); when several of its units deliver own rows in a
-- year, those of the lowest einrichtung number hold (they describe the same area; adding
-- them would count it twice). The sum of the Sozialräume stands in only for a year
-- without own rows; a figure of it is NULL when a Sozialraum lacks that age group (a sum
-- of some Sozialräume only would look like the whole). Jugendämter with own rows appear
-- whether or not they have hze data; the stand-in exists only for Jugendämter with hze
-- data (v_bevoelkerung_sozialraum).
DROP VIEW IF EXISTS v_bevoelkerung_jugendamt CASCADE;
CREATE VIEW v_bevoelkerung_jugendamt AS
WITH eigene AS (
    SELECT b.*, min(b.einrichtung) OVER (PARTITION BY b.berichtsjahr, b.land, b.regbez, b.kreis, b.gemeinde) AS erste
    FROM bevoelkerung b
    WHERE nullif(b.sozialraum, '') IS NULL AND nullif(b.einrichtung, '') IS NOT NULL
), eigen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           (sum(anzahl) FILTER (WHERE altersgruppe = 'gesamt'))::bigint AS einwohner_gesamt,
           (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3')))::bigint AS einwohner_unter18,
           (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4')))::bigint AS einwohner_unter21,
           (sum(anzahl) FILTER (WHERE altersgruppe = '4'))::bigint AS einwohner_18_bis_unter21,
           (sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3', '4', '5')))::bigint AS einwohner_unter27,
           'Jugendamt'::text AS quelle
    FROM eigene
    WHERE einrichtung = erste
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde
), summe AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           CASE WHEN count(einwohner_gesamt) = count(*) THEN sum(einwohner_gesamt) END::bigint,
           CASE WHEN count(einwohner_unter18) = count(*) THEN sum(einwohner_unter18) END::bigint,
           CASE WHEN count(einwohner_unter21) = count(*) THEN sum(einwohner_unter21) END::bigint,
           CASE WHEN count(einwohner_18_bis_unter21) = count(*) THEN sum(einwohner_18_bis_unter21) END::bigint,
           CASE WHEN count(einwohner_unter27) = count(*) THEN sum(einwohner_unter27) END::bigint,
           'Sozialräume'::text
    FROM v_bevoelkerung_sozialraum
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde
), beide AS (
    SELECT * FROM eigen
    UNION ALL
    SELECT s.* FROM summe s
    WHERE NOT EXISTS (SELECT 1 FROM eigen e
                      WHERE e.berichtsjahr = s.berichtsjahr AND e.land = s.land AND e.regbez = s.regbez
                        AND e.kreis = s.kreis AND e.gemeinde = s.gemeinde)
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde,
       einwohner_gesamt, einwohner_unter18, einwohner_unter21, einwohner_18_bis_unter21, einwohner_unter27,
       CASE WHEN einwohner_gesamt < 50000 THEN 'unter 50.000'
            WHEN einwohner_gesamt < 150000 THEN '50.000 bis unter 150.000'
            WHEN einwohner_gesamt >= 150000 THEN '150.000 und mehr' END AS groessenklasse,
       quelle
FROM beide;

-- v_hze_raum_bevoelkerung: the rows of the Jugendamt views and their population, per
-- Berichtsjahr with hze data x Jugendamt with hze data in it x row:
--   ebene 'Sozialraum': every Sozialraum with aids of the Fallzahl (also 'ohne
--         Zuordnung') or with population of the Jugendamt in the population year nearest
--         to the Berichtsjahr (v_bevoelkerung_sozialraum);
--   ebene 'Jugendamt', sozialraum 'insgesamt': the Jugendamt as a whole (its population
--         from v_bevoelkerung_jugendamt).
--   bevoelkerung_jahr   the population year used: the Berichtsjahr itself when that has
--                       the row's population (einwohner_unter21 given), else the nearest
--                       year that has it, of two equally near the earlier; NULL when no
--                       year has it
--   bevoelkerung_ersatz bevoelkerung_jahr is not the Berichtsjahr (false when NULL)
--   einwohner_unter18, einwohner_unter21, einwohner_18_bis_unter21, einwohner_gesamt
--                       of that year
--   groessenklasse      the Jugendamt's size cluster (v_bevoelkerung_jugendamt, its
--                       nearest year), on every row of the Jugendamt
-- A real Sozialraum named 'insgesamt' would be mistaken for the Jugendamt row.
DROP VIEW IF EXISTS v_hze_raum_bevoelkerung CASCADE;
CREATE VIEW v_hze_raum_bevoelkerung AS
WITH jahre AS (
    SELECT DISTINCT berichtsjahr, land, regbez, kreis, gemeinde FROM v_hze_hilfen
), bev AS (
    SELECT * FROM v_bevoelkerung_sozialraum WHERE einwohner_unter21 IS NOT NULL
), naechstes_jahr AS (
    -- the population year nearest to the Berichtsjahr among the Jugendamt's Sozialraum rows
    SELECT DISTINCT ON (j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde)
           j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, b.berichtsjahr AS bev_jahr
    FROM jahre j
    JOIN bev b ON b.land = j.land AND b.regbez = j.regbez AND b.kreis = j.kreis AND b.gemeinde = j.gemeinde
    ORDER BY j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, abs(b.berichtsjahr - j.berichtsjahr), b.berichtsjahr
), raeume AS (
    SELECT DISTINCT berichtsjahr, land, regbez, kreis, gemeinde, sozialraum FROM v_hze_hilfen WHERE ist_fall
    UNION
    SELECT n.berichtsjahr, n.land, n.regbez, n.kreis, n.gemeinde, b.sozialraum
    FROM naechstes_jahr n
    JOIN bev b ON b.land = n.land AND b.regbez = n.regbez AND b.kreis = n.kreis AND b.gemeinde = n.gemeinde
              AND b.berichtsjahr = n.bev_jahr
), sr AS (
    SELECT DISTINCT ON (r.berichtsjahr, r.land, r.regbez, r.kreis, r.gemeinde, r.sozialraum)
           r.berichtsjahr, r.land, r.regbez, r.kreis, r.gemeinde, r.sozialraum,
           b.berichtsjahr AS bevoelkerung_jahr, b.einwohner_unter18, b.einwohner_unter21,
           b.einwohner_18_bis_unter21, b.einwohner_gesamt
    FROM raeume r
    LEFT JOIN bev b ON b.land = r.land AND b.regbez = r.regbez AND b.kreis = r.kreis AND b.gemeinde = r.gemeinde
                   AND b.sozialraum = r.sozialraum
    ORDER BY r.berichtsjahr, r.land, r.regbez, r.kreis, r.gemeinde, r.sozialraum,
             abs(b.berichtsjahr - r.berichtsjahr), b.berichtsjahr
), ja AS (
    SELECT DISTINCT ON (j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde)
           j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde,
           b.berichtsjahr AS bevoelkerung_jahr, b.einwohner_unter18, b.einwohner_unter21,
           b.einwohner_18_bis_unter21, b.einwohner_gesamt, b.groessenklasse
    FROM jahre j
    LEFT JOIN v_bevoelkerung_jugendamt b
      ON b.land = j.land AND b.regbez = j.regbez AND b.kreis = j.kreis AND b.gemeinde = j.gemeinde
     AND b.einwohner_unter21 IS NOT NULL
    ORDER BY j.berichtsjahr, j.land, j.regbez, j.kreis, j.gemeinde, abs(b.berichtsjahr - j.berichtsjahr), b.berichtsjahr
)
SELECT sr.berichtsjahr, sr.land, sr.regbez, sr.kreis, sr.gemeinde, 'Sozialraum'::text AS ebene, sr.sozialraum,
       sr.bevoelkerung_jahr, coalesce(sr.bevoelkerung_jahr <> sr.berichtsjahr, false) AS bevoelkerung_ersatz,
       sr.einwohner_unter18, sr.einwohner_unter21, sr.einwohner_18_bis_unter21, sr.einwohner_gesamt,
       ja.groessenklasse
FROM sr
JOIN ja ON ja.berichtsjahr = sr.berichtsjahr AND ja.land = sr.land AND ja.regbez = sr.regbez
       AND ja.kreis = sr.kreis AND ja.gemeinde = sr.gemeinde
UNION ALL
SELECT berichtsjahr, land, regbez, kreis, gemeinde, 'Jugendamt', 'insgesamt',
       bevoelkerung_jahr, coalesce(bevoelkerung_jahr <> berichtsjahr, false),
       einwohner_unter18, einwohner_unter21, einwohner_18_bis_unter21, einwohner_gesamt, groessenklasse
FROM ja;

-- v_hze_eckwert_varianten: Eckwert variants in long format, per Berichtsjahr x Jugendamt
-- x row of v_hze_raum_bevoelkerung (ebene 'Sozialraum' or the Jugendamt 'insgesamt') x
-- variante x gruppe. Every aid counted is one of the Fallzahl (ist_fall: ongoing at
-- 31.12. or ended in the Berichtsjahr) unless the variant says otherwise.
--   variante 'fallzahl'   the Eckwert as published: without Erziehungsberatung (01-03)
--                         and § 35a (13); per 10,000 under 21 (= v_hze_eckwert's, but
--                         per Jugendamt and with the nearest year's population)
--            'bestand'    the same aids ongoing at 31.12. only (Bestand am Stichtag)
--            'alle'       all aids, EB and § 35a included
--            'setting'    the 'fallzahl' aids per setting (gruppe ambulant, teilstationär,
--                         stationär): the three add up to 'fallzahl'
--            'paragraph'  all aids per paragraph (gruppe § 27 Abs. 2 ... § 35a, EB's § 28
--                         included)
--            '35a'        Eingliederungshilfe § 35a (13) alone, per 10,000 under 21
--            '41'         aids of young adults: 18 or older at 31.12. (ongoing) or at the
--                         end (ended), ist_volljaehrig, without EB, § 35a included; per
--                         10,000 inhabitants 18 to under 21. Fortsetzungshilfen begun
--                         before 18 count: from the 18th birthday an aid continues as
--                         Hilfe für junge Volljährige (§ 41 SGB VIII), and most § 41 aids
--                         begin so; counting only aids begun at 18 or older (ist_41)
--                         would leave them out. Aids of 21- to 26-year-olds count too,
--                         against the 18- to 20-year-olds, as for the under-21 Eckwert.
--   gruppe               the setting or paragraph; NULL for the other variants
--   basis                the denominator: 'einwohner_unter21' or 'einwohner_18_bis_unter21'
--   zaehler              the aids counted; junge_menschen their young people
--   nenner               the population of the basis in bevoelkerung_jahr
--   eckwert              10,000 * zaehler / nenner (NULL without population or with 0)
--   bevoelkerung_jahr, bevoelkerung_ersatz  as v_hze_raum_bevoelkerung: the nearest
--                        year's population when the Berichtsjahr has none, marked
-- Rows: 'fallzahl', 'bestand', 'alle', '35a', '41' on every row of
-- v_hze_raum_bevoelkerung (zaehler 0 when there is no such aid); 'setting' and
-- 'paragraph' only for the groups that have aids there (a missing group is 0).
DROP VIEW IF EXISTS v_hze_eckwert_varianten CASCADE;
CREATE VIEW v_hze_eckwert_varianten AS
WITH gezaehlt AS (
    SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.sozialraum, h.junge_menschen,
           v.variante, v.gruppe
    FROM v_hze_hilfen h
    CROSS JOIN LATERAL (VALUES
        ('fallzahl', '', h.hilfeart NOT IN ('01', '02', '03', '13')),
        ('bestand', '', h.ist_andauernd AND h.hilfeart NOT IN ('01', '02', '03', '13')),
        ('alle', '', true),
        ('setting', h.setting, h.hilfeart NOT IN ('01', '02', '03', '13')),
        ('paragraph', h.paragraph, true),
        ('35a', '', h.hilfeart = '13'),
        ('41', '', h.ist_volljaehrig AND NOT h.ist_erziehungsberatung)
    ) v(variante, gruppe, zaehlt)
    WHERE h.ist_fall AND v.zaehlt
), zahlen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,
           CASE WHEN grouping(sozialraum) = 1 THEN 'insgesamt' ELSE sozialraum END AS sozialraum,
           variante, gruppe, count(*) AS zaehler, sum(junge_menschen) AS junge_menschen
    FROM gezaehlt
    GROUP BY GROUPING SETS ((berichtsjahr, land, regbez, kreis, gemeinde, sozialraum, variante, gruppe),
                            (berichtsjahr, land, regbez, kreis, gemeinde, variante, gruppe))
), zeilen AS (
    SELECT r.*, f.variante, f.gruppe
    FROM v_hze_raum_bevoelkerung r
    CROSS JOIN (VALUES ('fallzahl', ''), ('bestand', ''), ('alle', ''), ('35a', ''), ('41', '')) f(variante, gruppe)
    UNION ALL
    SELECT r.*, z.variante, z.gruppe
    FROM v_hze_raum_bevoelkerung r
    JOIN zahlen z USING (berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum)
    WHERE z.variante IN ('setting', 'paragraph')
)
SELECT r.berichtsjahr, r.land, r.regbez, r.kreis, r.gemeinde, r.ebene, r.sozialraum,
       r.variante, nullif(r.gruppe, '') AS gruppe,
       CASE WHEN r.variante = '41' THEN 'einwohner_18_bis_unter21' ELSE 'einwohner_unter21' END AS basis,
       coalesce(z.zaehler, 0) AS zaehler,
       coalesce(z.junge_menschen, 0) AS junge_menschen,
       CASE WHEN r.variante = '41' THEN r.einwohner_18_bis_unter21 ELSE r.einwohner_unter21 END AS nenner,
       10000 * coalesce(z.zaehler, 0)::numeric
           / nullif(CASE WHEN r.variante = '41' THEN r.einwohner_18_bis_unter21 ELSE r.einwohner_unter21 END, 0) AS eckwert,
       r.bevoelkerung_jahr, r.bevoelkerung_ersatz
FROM zeilen r
LEFT JOIN zahlen z USING (berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum, variante, gruppe);

-- v_hze_vergleich_jugendamt: Jugendämter compared, per Berichtsjahr x Jugendamt with hze
-- data:
--   fallzahl, einwohner_unter21, eckwert, bevoelkerung_jahr, bevoelkerung_ersatz
--       the Eckwert of the whole Jugendamt (v_hze_eckwert_varianten 'fallzahl',
--       'insgesamt': without EB and § 35a, per 10,000 under 21, nearest year marked)
--   ambulant, anteil_ambulant   ambulant aids / fallzahl, on the same base (without EB
--       and § 35a; teilstationär and stationär in the denominator only)
--   vollzeitpflege, heimerziehung, anteil_vollzeitpflege   § 33 (09, 10) / (§ 33 + § 34
--       (11)): Vollzeitpflege of the two stationary forms that replace the family;
--       NULL when there is neither
--   einwohner_gesamt, groessenklasse   of the Jugendamt (v_hze_raum_bevoelkerung)
--   jugendaemter_in_klasse   Jugendämter of the Berichtsjahr in the same size cluster
--       (with hze data in this database); eckwert_median_klasse the median of their
--       Eckwerte (percentile_cont; those without population left out). NULL without a
--       size cluster.
DROP VIEW IF EXISTS v_hze_vergleich_jugendamt CASCADE;
CREATE VIEW v_hze_vergleich_jugendamt AS
WITH ja AS (
    SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.zaehler AS fallzahl, e.nenner AS einwohner_unter21,
           e.eckwert, e.bevoelkerung_jahr, e.bevoelkerung_ersatz, r.einwohner_gesamt, r.groessenklasse
    FROM v_hze_eckwert_varianten e
    JOIN v_hze_raum_bevoelkerung r USING (berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum)
    WHERE e.ebene = 'Jugendamt' AND e.variante = 'fallzahl'
), anteile AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           count(*) FILTER (WHERE setting = 'ambulant' AND hilfeart NOT IN ('01', '02', '03', '13')) AS ambulant,
           count(*) FILTER (WHERE hilfeart IN ('09', '10')) AS vollzeitpflege,
           count(*) FILTER (WHERE hilfeart = '11') AS heimerziehung
    FROM v_hze_hilfen
    WHERE ist_fall
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde
), klassen AS (
    SELECT berichtsjahr, groessenklasse, count(*) AS jugendaemter_in_klasse,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY eckwert) AS eckwert_median_klasse
    FROM ja
    WHERE groessenklasse IS NOT NULL
    GROUP BY berichtsjahr, groessenklasse
)
SELECT ja.berichtsjahr, ja.land, ja.regbez, ja.kreis, ja.gemeinde,
       ja.fallzahl, ja.einwohner_unter21, ja.eckwert, ja.bevoelkerung_jahr, ja.bevoelkerung_ersatz,
       coalesce(a.ambulant, 0) AS ambulant, a.ambulant::numeric / nullif(ja.fallzahl, 0) AS anteil_ambulant,
       coalesce(a.vollzeitpflege, 0) AS vollzeitpflege, coalesce(a.heimerziehung, 0) AS heimerziehung,
       a.vollzeitpflege::numeric / nullif(a.vollzeitpflege + a.heimerziehung, 0) AS anteil_vollzeitpflege,
       ja.einwohner_gesamt, ja.groessenklasse, k.jugendaemter_in_klasse, k.eckwert_median_klasse
FROM ja
LEFT JOIN anteile a USING (berichtsjahr, land, regbez, kreis, gemeinde)
LEFT JOIN klassen k USING (berichtsjahr, groessenklasse);

-- v_hze_eckwert_veraenderung: change against the previous year, per Berichtsjahr x
-- Jugendamt x row (Sozialraum or 'insgesamt'), on the Eckwert of v_hze_eckwert_varianten
-- 'fallzahl' (without EB and § 35a):
--   fallzahl, eckwert, bevoelkerung_jahr        this year's
--   fallzahl_vorjahr, eckwert_vorjahr, bevoelkerung_jahr_vorjahr   the Berichtsjahr
--       before's. fallzahl_vorjahr is 0 when the Jugendamt has hze data of that year but
--       the row had neither aids nor population then, NULL when the Jugendamt has no hze
--       data of the year before; eckwert_vorjahr NULL when that year has no such row or
--       no population
--   veraenderung_fallzahl, veraenderung_eckwert  this year's minus the year before's
--   veraenderung_fallzahl_relativ, veraenderung_eckwert_relativ  that difference as a
--       fraction of the year before's (0.1 = +10 %); NULL when the year before's is 0
--       or NULL
-- Both Eckwerte may rest on substituted population (bevoelkerung_jahr): a change
-- between two years that use the same population year is a change of the aids only.
DROP VIEW IF EXISTS v_hze_eckwert_veraenderung CASCADE;
CREATE VIEW v_hze_eckwert_veraenderung AS
WITH e AS (
    SELECT * FROM v_hze_eckwert_varianten WHERE variante = 'fallzahl'
), jahre AS (
    SELECT DISTINCT berichtsjahr, land, regbez, kreis, gemeinde FROM v_hze_hilfen
)
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.ebene, e.sozialraum,
       e.zaehler AS fallzahl, e.eckwert, e.bevoelkerung_jahr,
       CASE WHEN j.berichtsjahr IS NOT NULL THEN coalesce(v.zaehler, 0) END AS fallzahl_vorjahr,
       v.eckwert AS eckwert_vorjahr, v.bevoelkerung_jahr AS bevoelkerung_jahr_vorjahr,
       e.zaehler - CASE WHEN j.berichtsjahr IS NOT NULL THEN coalesce(v.zaehler, 0) END AS veraenderung_fallzahl,
       (e.zaehler - v.zaehler)::numeric / nullif(v.zaehler, 0) AS veraenderung_fallzahl_relativ,
       e.eckwert - v.eckwert AS veraenderung_eckwert,
       (e.eckwert - v.eckwert) / nullif(v.eckwert, 0) AS veraenderung_eckwert_relativ
FROM e
LEFT JOIN jahre j ON j.berichtsjahr = e.berichtsjahr - 1 AND j.land = e.land AND j.regbez = e.regbez
                 AND j.kreis = e.kreis AND j.gemeinde = e.gemeinde
LEFT JOIN e v ON v.berichtsjahr = e.berichtsjahr - 1 AND v.land = e.land AND v.regbez = e.regbez
             AND v.kreis = e.kreis AND v.gemeinde = e.gemeinde AND v.ebene = e.ebene AND v.sozialraum = e.sozialraum;

-- v_strategiekarte_hze: the HzE-Strategiekarte for the Jugendhilfeausschuss, per
-- Berichtsjahr x Jugendamt x row: ebene 'Sozialraum' (every Sozialraum with aids or
-- population, 'ohne Zuordnung' when it has aids: the rows of v_hze_raum_bevoelkerung)
-- and ebene 'Jugendamt' (sozialraum 'insgesamt'). The report code reads exactly these
-- columns; add new ones at the end only.
--   fallzahl             aids of the Fallzahl without Erziehungsberatung (01-03) and
--                        § 35a (13) -- the "base" of every figure below
--   einwohner_unter21, bevoelkerung_jahr   the row's population under 21 and its year
--                        (the nearest year's when the Berichtsjahr has none)
--   eckwert              10,000 * fallzahl / einwohner_unter21
--   anteil_ambulant      ambulant aids of the base / fallzahl
--   anteil_vollzeitpflege  § 33 (09, 10) / (§ 33 + § 34 (11))
--   dauer_median         median months (beginn to ende) of the base's aids ended in the
--                        Berichtsjahr without Abgabe (beendigungsgrund 40)
--   anteil_planmaessig   beendigungsgrund 10 / those ended without Abgabe
--   sgb2_quote_unter15   the SGB II rate of under-15s (sgb2, percent as delivered) of the
--                        Sozialraum in the Berichtsjahr: public data, never suppressed.
--                        NULL on the Jugendamt row (the pack delivers per Sozialraum; a
--                        Jugendamt rate is no mean of them), when the year has no rate,
--                        and when several Jugendämter of the year have a Sozialraum of that
--                        name (sgb2 has no unit, the rate cannot be placed)
--   einwohner_gesamt, groessenklasse   of the Jugendamt, on every row
-- Suppression (committee view): every figure has a boolean <figure>_gesperrt; the
-- figure is NULL and _gesperrt true when suppressed, NULL and false when not available
-- (no population, no denominator). Young people are junge_menschen (v_hze_hilfen).
--   - fallzahl: primary when its young people are 1 or 2 (0 reveals nobody and is
--     shown). Secondary: when exactly one Sozialraum row of a Jugendamt-year is
--     suppressed and the Jugendamt row is shown, the shown Sozialraum row with the
--     fewest young people above 0 (then the lower fallzahl, then the name) is suppressed
--     too, so the total minus the shown rows gives only the sum of two cells. (A hidden
--     0 would betray the other; and when no row above 0 is left, the total has the one
--     suppressed cell's 1 or 2 young people and is suppressed itself.)
--   - eckwert: suppressed with its fallzahl (eckwert * population = fallzahl).
--   - a share: primary when its numerator's young people or the denominator's minus the
--     numerator's are 1 or 2, or the denominator's are under 3, or the row's fallzahl is
--     suppressed (its granularity would betray the hidden count). Secondary per share as
--     for fallzahl, the next row being the one with the fewest young people in the
--     numerator among the rows whose share is shown.
--   - dauer_median: when the ended aids it is taken over have 1 or 2 young people. A
--     median is not additive: no secondary suppression.
-- No counts beside the shares here: they would betray what is suppressed. The
-- unsuppressed numerators and denominators are in v_hze_eckwert_varianten ('setting'
-- ambulant / 'fallzahl'; 'paragraph' § 33 and § 34) and v_hze_beendigung (planmaessig,
-- beendet_ohne_abgabe of the paragraphs other than § 28 and § 35a).
DROP VIEW IF EXISTS v_strategiekarte_hze CASCADE;
CREATE VIEW v_strategiekarte_hze AS
WITH basis AS (
    SELECT h.*, h.ist_beendet AND NOT h.ist_abgabe AS ist_ende
    FROM v_hze_hilfen h
    WHERE h.ist_fall AND h.hilfeart NOT IN ('01', '02', '03', '13')
), zahlen AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde,
           CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,
           CASE WHEN grouping(sozialraum) = 1 THEN 'insgesamt' ELSE sozialraum END AS sozialraum,
           count(*) AS fallzahl, sum(junge_menschen) AS fall_jm,
           count(*) FILTER (WHERE setting = 'ambulant') AS amb,
           coalesce(sum(junge_menschen) FILTER (WHERE setting = 'ambulant'), 0) AS amb_jm,
           count(*) FILTER (WHERE hilfeart IN ('09', '10')) AS vzp,
           coalesce(sum(junge_menschen) FILTER (WHERE hilfeart IN ('09', '10')), 0) AS vzp_jm,
           count(*) FILTER (WHERE hilfeart IN ('09', '10', '11')) AS stat,
           coalesce(sum(junge_menschen) FILTER (WHERE hilfeart IN ('09', '10', '11')), 0) AS stat_jm,
           count(*) FILTER (WHERE ist_ende) AS ende,
           coalesce(sum(junge_menschen) FILTER (WHERE ist_ende), 0) AS ende_jm,
           count(*) FILTER (WHERE ist_ende AND beendigungsgrund = '10') AS plan,
           coalesce(sum(junge_menschen) FILTER (WHERE ist_ende AND beendigungsgrund = '10'), 0) AS plan_jm,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_monate) FILTER (WHERE ist_ende) AS dauer_median
    FROM basis
    GROUP BY GROUPING SETS ((berichtsjahr, land, regbez, kreis, gemeinde, sozialraum),
                            (berichtsjahr, land, regbez, kreis, gemeinde))
), zeilen AS (
    SELECT r.berichtsjahr, r.land, r.regbez, r.kreis, r.gemeinde, r.ebene, r.sozialraum,
           r.einwohner_unter21, r.bevoelkerung_jahr,
           coalesce(z.fallzahl, 0) AS fallzahl, coalesce(z.fall_jm, 0) AS fall_jm,
           coalesce(z.amb, 0) AS amb, coalesce(z.amb_jm, 0) AS amb_jm,
           coalesce(z.vzp, 0) AS vzp, coalesce(z.vzp_jm, 0) AS vzp_jm,
           coalesce(z.stat, 0) AS stat, coalesce(z.stat_jm, 0) AS stat_jm,
           coalesce(z.ende, 0) AS ende, coalesce(z.ende_jm, 0) AS ende_jm,
           coalesce(z.plan, 0) AS plan, coalesce(z.plan_jm, 0) AS plan_jm,
           z.dauer_median
    FROM v_hze_raum_bevoelkerung r
    LEFT JOIN zahlen z USING (berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum)
), primaer AS (
    SELECT *, fall_jm IN (1, 2) AS p_fall
    FROM zeilen
), fall AS (
    -- secondary suppression of the Fallzahl within each Jugendamt-year
    SELECT p.*,
           p.p_fall OR (p.ebene = 'Sozialraum' AND NOT p.p_fall AND p.fall_jm > 0
                        AND count(*) FILTER (WHERE p.p_fall AND p.ebene = 'Sozialraum') OVER g = 1
                        AND NOT bool_or(p.p_fall AND p.ebene = 'Jugendamt') OVER g
                        AND row_number() OVER (PARTITION BY p.berichtsjahr, p.land, p.regbez, p.kreis, p.gemeinde,
                                                            p.ebene, NOT p.p_fall AND p.fall_jm > 0
                                               ORDER BY p.fall_jm, p.fallzahl, p.sozialraum) = 1) AS g_fall
    FROM primaer p
    WINDOW g AS (PARTITION BY p.berichtsjahr, p.land, p.regbez, p.kreis, p.gemeinde)
), anteil_primaer AS (
    -- a share exists when its denominator has aids; primary suppression of each
    SELECT f.*,
           f.fallzahl > 0 AS x_amb,
           f.g_fall OR amb_jm IN (1, 2) OR fall_jm - amb_jm IN (1, 2) OR fall_jm < 3 AS p_amb,
           f.stat > 0 AS x_vzp,
           f.g_fall OR vzp_jm IN (1, 2) OR stat_jm - vzp_jm IN (1, 2) OR stat_jm < 3 AS p_vzp,
           f.ende > 0 AS x_plan,
           f.g_fall OR plan_jm IN (1, 2) OR ende_jm - plan_jm IN (1, 2) OR ende_jm < 3 AS p_plan
    FROM fall f
), anteil AS (
    -- secondary suppression of each share, as for the Fallzahl, among the rows where it exists
    SELECT a.*,
           a.x_amb AND (a.p_amb OR (a.ebene = 'Sozialraum'
               AND count(*) FILTER (WHERE a.x_amb AND a.p_amb AND a.ebene = 'Sozialraum') OVER g = 1
               AND NOT bool_or(a.x_amb AND a.p_amb AND a.ebene = 'Jugendamt') OVER g
               AND row_number() OVER (PARTITION BY a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde,
                                                   a.ebene, a.x_amb AND NOT a.p_amb
                                      ORDER BY a.amb_jm, a.amb, a.sozialraum) = 1)) AS g_amb,
           a.x_vzp AND (a.p_vzp OR (a.ebene = 'Sozialraum'
               AND count(*) FILTER (WHERE a.x_vzp AND a.p_vzp AND a.ebene = 'Sozialraum') OVER g = 1
               AND NOT bool_or(a.x_vzp AND a.p_vzp AND a.ebene = 'Jugendamt') OVER g
               AND row_number() OVER (PARTITION BY a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde,
                                                   a.ebene, a.x_vzp AND NOT a.p_vzp
                                      ORDER BY a.vzp_jm, a.vzp, a.sozialraum) = 1)) AS g_vzp,
           a.x_plan AND (a.p_plan OR (a.ebene = 'Sozialraum'
               AND count(*) FILTER (WHERE a.x_plan AND a.p_plan AND a.ebene = 'Sozialraum') OVER g = 1
               AND NOT bool_or(a.x_plan AND a.p_plan AND a.ebene = 'Jugendamt') OVER g
               AND row_number() OVER (PARTITION BY a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde,
                                                   a.ebene, a.x_plan AND NOT a.p_plan
                                      ORDER BY a.plan_jm, a.plan, a.sozialraum) = 1)) AS g_plan
    FROM anteil_primaer a
    WINDOW g AS (PARTITION BY a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde)
), sgb2_je_raum AS (
    -- the latest delivery's rate per year and name (a source with redelivery: append may
    -- hold one twice)
    SELECT DISTINCT ON (s.berichtsjahr, s.sozialraum) s.berichtsjahr, s.sozialraum, s.quote_unter15
    FROM sgb2 s
    ORDER BY s.berichtsjahr, s.sozialraum, s.delivery_id DESC, s.line DESC
), ja AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einwohner_gesamt, groessenklasse
    FROM v_hze_raum_bevoelkerung
    WHERE ebene = 'Jugendamt'
)
SELECT a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde, a.ebene, a.sozialraum,
       CASE WHEN NOT a.g_fall THEN a.fallzahl END AS fallzahl,
       a.g_fall AS fallzahl_gesperrt,
       a.einwohner_unter21, a.bevoelkerung_jahr,
       CASE WHEN NOT a.g_fall THEN 10000 * a.fallzahl::numeric / nullif(a.einwohner_unter21, 0) END AS eckwert,
       a.g_fall AND coalesce(a.einwohner_unter21, 0) > 0 AS eckwert_gesperrt,
       CASE WHEN a.x_amb AND NOT a.g_amb THEN a.amb::numeric / a.fallzahl END AS anteil_ambulant,
       a.g_amb AS anteil_ambulant_gesperrt,
       CASE WHEN a.x_vzp AND NOT a.g_vzp THEN a.vzp::numeric / a.stat END AS anteil_vollzeitpflege,
       a.g_vzp AS anteil_vollzeitpflege_gesperrt,
       CASE WHEN a.ende_jm NOT IN (1, 2) THEN a.dauer_median END AS dauer_median,
       a.ende_jm IN (1, 2) AS dauer_median_gesperrt,
       CASE WHEN a.x_plan AND NOT a.g_plan THEN a.plan::numeric / a.ende END AS anteil_planmaessig,
       a.g_plan AS anteil_planmaessig_gesperrt,
       CASE WHEN a.jugendaemter_mit_namen = 1 THEN s.quote_unter15 END AS sgb2_quote_unter15,
       ja.einwohner_gesamt, ja.groessenklasse
FROM (SELECT *, count(*) OVER (PARTITION BY berichtsjahr, ebene, sozialraum) AS jugendaemter_mit_namen FROM anteil) a
JOIN ja USING (berichtsjahr, land, regbez, kreis, gemeinde)
LEFT JOIN sgb2_je_raum s ON s.berichtsjahr = a.berichtsjahr AND s.sozialraum = a.sozialraum AND a.ebene = 'Sozialraum';
