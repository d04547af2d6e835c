-- Views over the loaded hze data: the key figures of youth-welfare controlling
-- (defined in rules/README.md, "Dashboard views", with sources), for dashboards that only have to select.
--
-- plausid runs this file in the plausid schema (search_path) whenever the hze pack or
-- this file changed; every view is dropped and created again, so the file can be run any
-- number of times. The table hze holds the rows of the currently valid deliveries only
-- (replaced deliveries are deleted by the loader), so no view filters on deliveries.
--
-- Choices made for all views:
--   - The unit is land, regbez, kreis, gemeinde, einrichtung (the reporting unit of a
--     delivery). Sums over units, Sozialräume, paragraphs and settings are left to the
--     dashboard: every count is additive, and every share comes with its numerator and
--     denominator, so that it can be recomputed at a coarser level. Medians cannot.
--   - The Sozialraum of a record (every view's column sozialraum, see v_hze_hilfen): its
--     own non-empty sozialraum (a CSV export that has the column) wins; else the
--     Sozialraum that the mapping (the data set zuordnung, rules/zuordnung.yaml, its own
--     source) gives the record's identity, unit + lfd_nr + Berichtsjahr; else the group
--     'ohne Zuordnung'. The official fixed-width record has no Sozialraum, so its records
--     are assigned through the mapping only. Like hze, the table zuordnung holds the rows
--     of the currently valid deliveries only (a redelivered unit-year replaces the
--     earlier one, a rejected delivery has no rows): the mapping needs no delivery filter
--     either. Should a key still be there twice (a source with redelivery: append), the
--     row of the latest delivery holds.
--   - Young people, not only aids: junge_menschen counts the aid's young person plus, for
--     the family-oriented aids (hilfeart 07, 14, 16), the further young people of the
--     family (weitere_junge_menschen, positions 41-42 of the fixed-width record; empty in
--     a CSV export, counted as 0). Every other aid counts 1.
--   - Nothing here is suppressed, except in v_hze_leistungserbringer_ausschuss: these
--     views are for the office's own controlling and must stay additive. A view or report
--     for a committee (the views ending in _ausschuss, v_strategiekarte_*) suppresses every
--     cell over fewer than 3 young people -- junge_menschen, not the aids -- and any total
--     from which such a cell could be computed by subtraction.
--   - paragraph and setting are the hierarchy levels of hilfeart (hilfeart_paragraph,
--     hilfeart_setting of the view v_hze, which plausid derives from the pack's
--     hierarchy); the setting of 12 and 13 depends on ort, as in the rules.
--   - Erziehungsberatung is hilfeart 01-03 (§ 28), Vollzeitpflege 09 and 10 (§ 33),
--     Eingliederungshilfe § 35a is 13. § 41 has no code: an aid of a person who was 18
--     or older at Beginn.
--   - Shares are numeric fractions between 0 and 1 (not percent), NULL when the
--     denominator is 0; nothing is rounded.
--   - Ages are whole years from month and year: (months from geburt to beginn) div 12,
--     as the rule pack's age(). Durations are months from beginn to ende (the same month
--     is 0), as the pack's months().
--   - Zuständigkeitswechsel (changed 2026, see rules/README.md "Dashboard views"): a
--     record with uebernahme 1 is an aid that began at another Jugendamt and was taken
--     over; beendigungsgrund 40 (Abgabe an ein anderes Jugendamt) ends only this
--     Jugendamt's responsibility, not the aid. So "begonnen" (ist_begonnen,
--     v_hze_begonnen_beendet.begonnen) no longer counts takeovers, "beendet" in
--     v_hze_begonnen_beendet no longer counts Abgaben, and v_hze_dauer (and the new
--     v_hze_dauer_setting, v_hze_dauerklassen) leave Abgaben out: the time under this
--     Jugendamt is not the aid's duration. Takeovers and Abgaben have their own columns
--     (uebernommen, abgegeben). This is the convention of the published monitoring (the
--     HzE-Monitor of the Dortmund AKJStat and Destatis count "begonnene Hilfen" without
--     Zuständigkeitswechsel and "beendete Hilfen" without Abgaben). Earlier, begonnen
--     was begonnen + uebernommen of now, beendet was beendet + abgegeben.
--     The Fallzahl (v_hze_fallzahl, ist_fall) still counts both: a taken-over aid and
--     one handed over were this Jugendamt's cases in the Berichtsjahr.
--   - Volljährige: ist_41 (junge_volljaehrige, anteil_41) stays "18 or older at Beginn";
--     ist_volljaehrig is the second figure of the key-figure definitions: 18 or older at
--     31.12. of the Berichtsjahr (ongoing aids) or at the end (ended aids), so
--     Fortsetzungshilfen begun before 18 count too. Age from months as above, with
--     December of the Berichtsjahr or the month of ende in place of beginn.

-- The mapping's table, empty until a mapping is loaded: plausid creates a data set's table
-- at its first load, but these views read it from the start. The columns are those that
-- plausid makes of rules/zuordnung.yaml (rules/README.md, "Deliveries, storage and
-- views"), so its first load finds the table as it would have made it. The same statement
-- is in rules/bevoelkerung.views.sql, which may run first.
CREATE TABLE IF NOT EXISTS zuordnung (delivery_id bigint NOT NULL, line integer NOT NULL,
    land text, regbez text, kreis text, gemeinde text, einrichtung text, lfd_nr text,
    berichtsjahr bigint, sozialraum text);
CREATE INDEX IF NOT EXISTS zuordnung_delivery ON zuordnung USING brin (delivery_id);

-- v_hze_hilfen: one row per loaded record, without personal identifiers (no person_id,
-- lfd_nr, geburt), with the derived values the other views use:
--   ist_andauernd  the aid was ongoing at 31.12. of the Berichtsjahr (andauernd = 1)
--   ist_beendet    the aid ended in the Berichtsjahr (andauernd = 2, year of ende =
--                  berichtsjahr; rule D05 rejects other end years, the view checks anyway)
--   ist_fall       counted in the Fallzahl: ist_andauernd or ist_beendet
--   ist_begonnen   the aid began in the Berichtsjahr and was not taken over from another
--                  Jugendamt (changed: takeovers were counted until 2026). Counting begun
--                  aids only among the records of their own Berichtsjahr counts each aid
--                  once: an aid begun in 2023 and still running is delivered in 2023 and
--                  again in 2024.
--   ist_uebernahme uebernahme = 1: taken over from another Jugendamt (Zuständigkeitswechsel)
--   ist_uebernommen_im_jahr  a takeover whose beginn lies in the Berichtsjahr: what
--                  ist_begonnen counted until 2026 beside the aids begun here
--   ist_abgabe     an ended aid with beendigungsgrund 40 (Abgabe an ein anderes Jugendamt)
--   alter_beginn   age in whole years at Beginn; ist_41 = alter_beginn >= 18
--   alter_stichtag age in whole years in December of the Berichtsjahr (ongoing aid) or in
--                  the month of ende (ended aid); ist_volljaehrig = alter_stichtag >= 18
--   dauer_monate   duration of an ended aid in months, NULL for ongoing ones (also filled
--                  for an Abgabe: the views that count durations leave those out)
--   dauer_bisher_monate  duration so far of an ongoing aid: months from beginn to December
--                  of the Berichtsjahr (begun in December: 0); NULL for ended ones
--   sozialraum     the record's own, else the mapping's, else 'ohne Zuordnung' (above)
--   sozialraum_herkunft  where it came from: 'Datensatz', 'Zuordnung', 'ohne Zuordnung'
--   junge_menschen the young people of the aid: 1 + weitere_junge_menschen (empty: 0) for
--                  hilfeart 07, 14, 16; 1 for every other aid
DROP VIEW IF EXISTS v_hze_hilfen CASCADE;
CREATE VIEW v_hze_hilfen AS
SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.einrichtung,
       coalesce(nullif(h.sozialraum, ''), z.sozialraum, 'ohne Zuordnung') AS sozialraum,
       CASE WHEN nullif(h.sozialraum, '') IS NOT NULL THEN 'Datensatz'
            WHEN z.sozialraum IS NOT NULL THEN 'Zuordnung'
            ELSE 'ohne Zuordnung' END AS sozialraum_herkunft,
       h.hilfeart, h.hilfeart_paragraph AS paragraph, h.hilfeart_setting AS setting, h.ort,
       h.andauernd = '1' AS ist_andauernd,
       h.andauernd = '2' AND extract(year FROM h.ende) = h.berichtsjahr AS ist_beendet,
       h.andauernd = '1' OR (h.andauernd = '2' AND extract(year FROM h.ende) = h.berichtsjahr) AS ist_fall,
       extract(year FROM h.beginn) = h.berichtsjahr AND h.uebernahme IS DISTINCT FROM '1' AS ist_begonnen,
       h.hilfeart IN ('01', '02', '03') AS ist_erziehungsberatung,
       a.alter_beginn,
       a.alter_beginn >= 18 AS ist_41,
       CASE WHEN h.andauernd = '2' THEN
            (12 * (extract(year FROM h.ende) - extract(year FROM h.beginn))
             + extract(month FROM h.ende) - extract(month FROM h.beginn))::integer
       END AS dauer_monate,
       h.beendigungsgrund, h.familiensituation, h.herkunft_ausland, h.deutsch_zuhause,
       h.transferleistungen,
       (CASE WHEN h.hilfeart IN ('07', '14', '16') THEN 1 + coalesce(h.weitere_junge_menschen, 0) ELSE 1 END)::integer
           AS junge_menschen,
       h.delivery_id, h.line,
       h.uebernahme IS NOT DISTINCT FROM '1' AS ist_uebernahme,
       h.uebernahme IS NOT DISTINCT FROM '1' AND extract(year FROM h.beginn) = h.berichtsjahr AS ist_uebernommen_im_jahr,
       coalesce(h.andauernd = '2' AND h.beendigungsgrund = '40', false) AS ist_abgabe,
       a.alter_stichtag,
       a.alter_stichtag >= 18 AS ist_volljaehrig,
       CASE WHEN h.andauernd = '1' THEN
            (12 * (h.berichtsjahr - extract(year FROM h.beginn)) + 12 - extract(month FROM h.beginn))::integer
       END AS dauer_bisher_monate
FROM v_hze h
LEFT JOIN (
    -- the mapping, one row per key (the latest delivery's), empty Sozialräume left out
    SELECT DISTINCT ON (land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr)
           land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, sozialraum
    FROM zuordnung
    WHERE nullif(sozialraum, '') IS NOT NULL
    ORDER BY land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, delivery_id DESC, line DESC
) z ON z.land = h.land AND z.regbez = h.regbez AND z.kreis = h.kreis AND z.gemeinde = h.gemeinde
   AND z.einrichtung = h.einrichtung AND z.lfd_nr = h.lfd_nr AND z.berichtsjahr = h.berichtsjahr
CROSS JOIN LATERAL (
    SELECT ((12 * (extract(year FROM h.beginn) - extract(year FROM h.geburt))
             + extract(month FROM h.beginn) - extract(month FROM h.geburt))::integer / 12) AS alter_beginn,
           (CASE WHEN h.andauernd = '1' THEN
                 12 * (h.berichtsjahr - extract(year FROM h.geburt)) + 12 - extract(month FROM h.geburt)
            ELSE 12 * (extract(year FROM h.ende) - extract(year FROM h.geburt))
                 + extract(month FROM h.ende) - extract(month FROM h.geburt)
            END)::integer / 12 AS alter_stichtag
) a;

-- v_hze_fallzahl: the Fallzahl per Berichtsjahr x unit x Sozialraum x paragraph x
-- setting: aids ongoing at 31.12. (andauernd) plus aids ended in the Berichtsjahr
-- (beendet). All aids, Erziehungsberatung and § 35a included; the Eckwert
-- (v_hze_eckwert, rules/bevoelkerung.views.sql) leaves them out. junge_menschen: the
-- young people of those aids (see v_hze_hilfen).
DROP VIEW IF EXISTS v_hze_fallzahl CASCADE;
CREATE VIEW v_hze_fallzahl AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting,
       count(*) FILTER (WHERE ist_andauernd) AS andauernd,
       count(*) FILTER (WHERE ist_beendet) AS beendet,
       count(*) AS fallzahl,
       sum(junge_menschen) AS junge_menschen
FROM v_hze_hilfen
WHERE ist_fall
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting;

-- v_hze_begonnen_beendet: aids begun and aids ended in the Berichtsjahr (by the year of
-- beginn and the year of ende) per Berichtsjahr x unit x Sozialraum x paragraph x
-- setting, and their difference. Both are counted among the records of the Berichtsjahr
-- itself (see ist_begonnen above): an aid begun in the year is delivered in that year
-- either as ended or as ongoing, so it is counted exactly once.
--   begonnen     begun in the year, without takeovers (ist_begonnen)
--   beendet      ended in the year, without Abgaben (beendigungsgrund 40)
--   saldo        begonnen - beendet
--   uebernommen  takeovers (uebernahme 1) whose beginn lies in the Berichtsjahr; the
--                record has no date of the takeover itself, so a takeover of an aid begun
--                in an earlier year is in no begun count (it is in the Fallzahl)
--   abgegeben    ended in the year with beendigungsgrund 40
-- Changed 2026 (header): begonnen + uebernommen and beendet + abgegeben are the former
-- begonnen and beendet.
DROP VIEW IF EXISTS v_hze_begonnen_beendet CASCADE;
CREATE VIEW v_hze_begonnen_beendet AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting,
       count(*) FILTER (WHERE ist_begonnen) AS begonnen,
       count(*) FILTER (WHERE ist_beendet AND NOT ist_abgabe) AS beendet,
       count(*) FILTER (WHERE ist_begonnen) - count(*) FILTER (WHERE ist_beendet AND NOT ist_abgabe) AS saldo,
       count(*) FILTER (WHERE ist_uebernommen_im_jahr) AS uebernommen,
       count(*) FILTER (WHERE ist_beendet AND ist_abgabe) AS abgegeben
FROM v_hze_hilfen
WHERE ist_begonnen OR ist_beendet OR (ist_uebernommen_im_jahr)
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting;

-- v_hze_dauer: duration in months of the aids ended in the Berichtsjahr, per
-- Berichtsjahr x unit x paragraph: number of ended aids, the sum of months (so that the
-- average can be recomputed over several units), average and median (percentile_cont:
-- the mean of the two middle values when the number is even). Changed 2026 (header): an
-- aid handed over to another Jugendamt (beendigungsgrund 40, Abgabe) is left out, from
-- beendet as from the durations: the time it ran for this Jugendamt is not the aid's
-- duration. Until 2026 it counted; v_hze_beendigung.abgabe has their number.
-- Per Sozialraum and setting: v_hze_dauer_setting, v_hze_dauerklassen.
DROP VIEW IF EXISTS v_hze_dauer CASCADE;
CREATE VIEW v_hze_dauer AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, paragraph,
       count(*) AS beendet,
       sum(dauer_monate) AS dauer_summe,
       avg(dauer_monate) AS dauer_mittel,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_monate) AS dauer_median
FROM v_hze_hilfen
WHERE ist_beendet AND NOT ist_abgabe
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, paragraph;

-- v_hze_dauer_setting: durations per Berichtsjahr x unit x Sozialraum x setting.
--   beendet, dauer_summe, dauer_mittel, dauer_median: the aids ended in the Berichtsjahr
--       without Abgaben (as v_hze_dauer), their months from beginn to ende
--   andauernd, dauer_bisher_summe, dauer_bisher_mittel, dauer_bisher_median: the aids
--       ongoing at 31.12., their months from beginn to December of the Berichtsjahr
--       (dauer_bisher_monate): how long the running aids have run so far. Not a duration
--       of completed aids; kept in separate columns so the two are never mixed.
-- A group with neither (only Abgaben) has no row; a mean or median over no aid is NULL.
DROP VIEW IF EXISTS v_hze_dauer_setting CASCADE;
CREATE VIEW v_hze_dauer_setting AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting,
       count(*) FILTER (WHERE ist_beendet) AS beendet,
       sum(dauer_monate) FILTER (WHERE ist_beendet) AS dauer_summe,
       avg(dauer_monate) FILTER (WHERE ist_beendet) AS dauer_mittel,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_monate) FILTER (WHERE ist_beendet) AS dauer_median,
       count(*) FILTER (WHERE ist_andauernd) AS andauernd,
       sum(dauer_bisher_monate) FILTER (WHERE ist_andauernd) AS dauer_bisher_summe,
       avg(dauer_bisher_monate) FILTER (WHERE ist_andauernd) AS dauer_bisher_mittel,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_bisher_monate) FILTER (WHERE ist_andauernd) AS dauer_bisher_median
FROM v_hze_hilfen
WHERE ist_andauernd OR (ist_beendet AND NOT ist_abgabe)
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting;

-- v_hze_dauerklassen: the aids ended in the Berichtsjahr without Abgaben (as
-- v_hze_dauer) per Berichtsjahr x unit x Sozialraum x setting, in duration bands of
-- dauer_monate (months from beginn to ende): unter 6 Monate (0-5), 6 bis unter 12 (6-11),
-- 12 bis unter 24 (12-23), 24 Monate und mehr (24-). Each band with its share of beendet.
DROP VIEW IF EXISTS v_hze_dauerklassen CASCADE;
CREATE VIEW v_hze_dauerklassen AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting,
       count(*) AS beendet,
       count(*) FILTER (WHERE dauer_monate < 6) AS unter_6,
       count(*) FILTER (WHERE dauer_monate >= 6 AND dauer_monate < 12) AS von_6_bis_unter_12,
       count(*) FILTER (WHERE dauer_monate >= 12 AND dauer_monate < 24) AS von_12_bis_unter_24,
       count(*) FILTER (WHERE dauer_monate >= 24) AS ab_24,
       count(*) FILTER (WHERE dauer_monate < 6)::numeric / count(*) AS anteil_unter_6,
       count(*) FILTER (WHERE dauer_monate >= 6 AND dauer_monate < 12)::numeric / count(*) AS anteil_6_bis_unter_12,
       count(*) FILTER (WHERE dauer_monate >= 12 AND dauer_monate < 24)::numeric / count(*) AS anteil_12_bis_unter_24,
       count(*) FILTER (WHERE dauer_monate >= 24)::numeric / count(*) AS anteil_ab_24
FROM v_hze_hilfen
WHERE ist_beendet AND NOT ist_abgabe
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting;

-- v_hze_beendigung: planmäßige Beendigung per Berichtsjahr x unit x Sozialraum x
-- paragraph x setting. Of the aids ended in the Berichtsjahr (beendet), those handed over
-- to another Jugendamt (beendigungsgrund 40, abgabe) are not counted: the aid did not
-- end, only the responsibility moved. anteil_planmaessig = planmaessig (beendigungsgrund
-- 10, gemäß Hilfeplan/Beratungszielen) / beendet_ohne_abgabe.
DROP VIEW IF EXISTS v_hze_beendigung CASCADE;
CREATE VIEW v_hze_beendigung AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting,
       count(*) AS beendet,
       count(*) FILTER (WHERE beendigungsgrund = '40') AS abgabe,
       count(*) FILTER (WHERE beendigungsgrund IS DISTINCT FROM '40') AS beendet_ohne_abgabe,
       count(*) FILTER (WHERE beendigungsgrund = '10') AS planmaessig,
       count(*) FILTER (WHERE beendigungsgrund = '10')::numeric
           / nullif(count(*) FILTER (WHERE beendigungsgrund IS DISTINCT FROM '40'), 0) AS anteil_planmaessig
FROM v_hze_hilfen
WHERE ist_beendet
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting;

-- v_hze_lebenslagen: the situation of the young people and their families, over the
-- aids of the Fallzahl (ongoing at 31.12. or ended in the Berichtsjahr), per Berichtsjahr
-- x unit x Sozialraum x paragraph x setting:
--   alleinerziehend         familiensituation 2 (Elternteil lebt allein ohne Partner)
--   transferleistungen      transferleistungen 1 (lives wholly or partly on SGB II/XII,
--                           Kinderzuschlag)
--   nicht_deutsch_zuhause   deutsch_zuhause 2 (German is not mainly spoken at home)
--   herkunft_ausland        herkunft_ausland 1 (at least one parent of foreign origin)
--   junge_volljaehrige      § 41: 18 or older at Beginn (anteil_41)
--   volljaehrige            18 or older at 31.12. of the Berichtsjahr (ongoing aids) or
--                           at the end (ended aids), Fortsetzungshilfen included
--                           (ist_volljaehrig; anteil_volljaehrig)
--   alter_beginn_mittel     average age at Beginn (alter_beginn_summe / faelle)
--   junge_menschen          the young people of the faelle (see v_hze_hilfen)
-- A share's denominator is the number of aids for which the answer is KNOWN
-- (*_bekannt): familiensituation 5 and an empty herkunft_ausland, deutsch_zuhause or
-- transferleistungen mean "unbekannt" and are left out, so that poor data does not
-- lower the share. How often that happens is v_hze_unbekannt. The § 41 share and the
-- age are over all aids (geburt is always filled).
DROP VIEW IF EXISTS v_hze_lebenslagen CASCADE;
CREATE VIEW v_hze_lebenslagen AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting,
       count(*) AS faelle,
       sum(junge_menschen) AS junge_menschen,
       count(*) FILTER (WHERE familiensituation IN ('1', '2', '3', '4')) AS familiensituation_bekannt,
       count(*) FILTER (WHERE familiensituation = '2') AS alleinerziehend,
       count(*) FILTER (WHERE familiensituation = '2')::numeric
           / nullif(count(*) FILTER (WHERE familiensituation IN ('1', '2', '3', '4')), 0) AS anteil_alleinerziehend,
       count(*) FILTER (WHERE transferleistungen IN ('1', '2')) AS transferleistungen_bekannt,
       count(*) FILTER (WHERE transferleistungen = '1') AS transferleistungen,
       count(*) FILTER (WHERE transferleistungen = '1')::numeric
           / nullif(count(*) FILTER (WHERE transferleistungen IN ('1', '2')), 0) AS anteil_transferleistungen,
       count(*) FILTER (WHERE deutsch_zuhause IN ('1', '2')) AS deutsch_zuhause_bekannt,
       count(*) FILTER (WHERE deutsch_zuhause = '2') AS nicht_deutsch_zuhause,
       count(*) FILTER (WHERE deutsch_zuhause = '2')::numeric
           / nullif(count(*) FILTER (WHERE deutsch_zuhause IN ('1', '2')), 0) AS anteil_nicht_deutsch_zuhause,
       count(*) FILTER (WHERE herkunft_ausland IN ('1', '2')) AS herkunft_ausland_bekannt,
       count(*) FILTER (WHERE herkunft_ausland = '1') AS herkunft_ausland,
       count(*) FILTER (WHERE herkunft_ausland = '1')::numeric
           / nullif(count(*) FILTER (WHERE herkunft_ausland IN ('1', '2')), 0) AS anteil_herkunft_ausland,
       sum(alter_beginn) AS alter_beginn_summe,
       avg(alter_beginn) AS alter_beginn_mittel,
       count(*) FILTER (WHERE ist_41) AS junge_volljaehrige,
       count(*) FILTER (WHERE ist_41)::numeric / count(*) AS anteil_41,
       count(*) FILTER (WHERE ist_volljaehrig) AS volljaehrige,
       count(*) FILTER (WHERE ist_volljaehrig)::numeric / count(*) AS anteil_volljaehrig
FROM v_hze_hilfen
WHERE ist_fall
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting;

-- v_hze_leistungsbereiche: ambulant share and Vollzeitpflege share over the aids of the
-- Fallzahl, per Berichtsjahr x unit x Sozialraum.
--   anteil_ambulant        ambulant_eckwertbasis / faelle_eckwertbasis: the ambulant aids
--                          among all aids, both without Erziehungsberatung (01-03) and
--                          without § 35a (13), the base of the Eckwert (v_hze_eckwert);
--                          teilstationär aids count in the denominator only.
--   anteil_vollzeitpflege  vollzeitpflege / vollzeitpflege_heimerziehung: Vollzeitpflege
--                          § 33 (hilfeart 09, 10) of Vollzeitpflege + Heimerziehung § 34
--                          (hilfeart 11, heimerziehung), the two forms of care outside the
--                          family that the published statistics set side by side.
--   faelle, junge_menschen all aids and their young people (see v_hze_hilfen)
--   faelle_ohne_eb, ambulant_ohne_eb   without Erziehungsberatung only (§ 35a included)
--   teilstationaer, stationaer         aids by setting (stationaer: every aid whose
--                          setting is stationär, 12 and 13 at a stationary ort and 15 too)
--   faelle_eckwertbasis    without 01-03 and 13 (the denominator of anteil_ambulant)
--   ambulant_eckwertbasis  of those, the ambulant ones (its numerator)
--   heimerziehung          hilfeart 11 (§ 34)
--   vollzeitpflege_heimerziehung  vollzeitpflege + heimerziehung (the denominator of
--                          anteil_vollzeitpflege)
--   anteil_ambulant_mit_35a          the figure anteil_ambulant was until 2026:
--                          ambulant_ohne_eb / faelle_ohne_eb
--   anteil_vollzeitpflege_stationaer the figure anteil_vollzeitpflege was until 2026:
--                          vollzeitpflege / stationaer
-- Changed 2026 (rules/README.md, "Dashboard views"): anteil_ambulant was ambulant /
-- all aids without Erziehungsberatung, § 35a included, while the Eckwert leaves § 35a out;
-- anteil_vollzeitpflege was Vollzeitpflege / every stationary aid (§ 35a in a foster family
-- or a home, 12 at a stationary ort and 15 included). Both now use the base a planner
-- compares them with; the old figures stay as the last two columns. Sources (HzE-Monitor
-- of the AKJStat, Destatis) and what was not found: rules/README.md.
DROP VIEW IF EXISTS v_hze_leistungsbereiche CASCADE;
CREATE VIEW v_hze_leistungsbereiche AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
       count(*) AS faelle,
       sum(junge_menschen) AS junge_menschen,
       count(*) FILTER (WHERE NOT ist_erziehungsberatung) AS faelle_ohne_eb,
       count(*) FILTER (WHERE setting = 'ambulant' AND NOT ist_erziehungsberatung) AS ambulant_ohne_eb,
       count(*) FILTER (WHERE setting = 'teilstationär') AS teilstationaer,
       count(*) FILTER (WHERE setting = 'stationär') AS stationaer,
       count(*) FILTER (WHERE hilfeart IN ('09', '10')) AS vollzeitpflege,
       count(*) FILTER (WHERE setting = 'ambulant' AND NOT ist_erziehungsberatung AND hilfeart <> '13')::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_erziehungsberatung AND hilfeart <> '13'), 0) AS anteil_ambulant,
       count(*) FILTER (WHERE hilfeart IN ('09', '10'))::numeric
           / nullif(count(*) FILTER (WHERE hilfeart IN ('09', '10', '11')), 0) AS anteil_vollzeitpflege,
       count(*) FILTER (WHERE NOT ist_erziehungsberatung AND hilfeart <> '13') AS faelle_eckwertbasis,
       count(*) FILTER (WHERE setting = 'ambulant' AND NOT ist_erziehungsberatung AND hilfeart <> '13') AS ambulant_eckwertbasis,
       count(*) FILTER (WHERE hilfeart = '11') AS heimerziehung,
       count(*) FILTER (WHERE hilfeart IN ('09', '10', '11')) AS vollzeitpflege_heimerziehung,
       count(*) FILTER (WHERE setting = 'ambulant' AND NOT ist_erziehungsberatung)::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_erziehungsberatung), 0) AS anteil_ambulant_mit_35a,
       count(*) FILTER (WHERE hilfeart IN ('09', '10'))::numeric
           / nullif(count(*) FILTER (WHERE setting = 'stationär'), 0) AS anteil_vollzeitpflege_stationaer
FROM v_hze_hilfen
WHERE ist_fall
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;

-- ---------------------------------------------------------------------------------------
-- Dimensions: who runs the aids, who suggested them, why, for whom, how they ended and
-- what followed. Office views (no suppression), each per Berichtsjahr x unit (land ...
-- einrichtung) x Sozialraum x setting or paragraph, long format: one row per code that
-- occurs (no row for a code no aid has), its German label from the table codes (the
-- pack's code list, rewritten with the pack), the count and the group's total beside it
-- (the same on every row of a group), and the share = count / total. The codes are read
-- from the loaded record (v_hze_merkmale); Sozialraum, setting, paragraph, the Fallzahl,
-- Abgaben and young people are v_hze_hilfen's.
-- ---------------------------------------------------------------------------------------

-- v_hze_merkmale: one row per loaded record: the columns of v_hze_hilfen that the
-- dimension views group and filter by, and the record's codes that they count: traeger,
-- anregung, geschlecht, grund1-grund3, aufenthalt_nachher, anschlusshilfe,
-- weitere_junge_menschen (as loaded; empty = NULL). No personal identifiers (no
-- person_id, lfd_nr, geburt).
DROP VIEW IF EXISTS v_hze_merkmale CASCADE;
CREATE VIEW v_hze_merkmale AS
SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.einrichtung, h.sozialraum,
       h.hilfeart, h.paragraph, h.setting, h.ist_fall, h.ist_beendet, h.ist_abgabe,
       h.beendigungsgrund, h.junge_menschen,
       r.traeger, r.anregung, r.geschlecht, r.grund1, r.grund2, r.grund3,
       r.aufenthalt_nachher, r.anschlusshilfe, r.weitere_junge_menschen,
       h.delivery_id, h.line
FROM v_hze_hilfen h
JOIN hze r ON r.delivery_id = h.delivery_id AND r.line = h.line;

-- v_hze_traeger: the aids of the Fallzahl by the Träger that carries them out, per
-- Berichtsjahr x unit x Sozialraum x setting x traeger:
--   traeger, traeger_label  the code and its label (10 öffentlicher Träger, 21-29 the
--                  welfare associations and other free Träger, 30 Wirtschaftsunternehmen,
--                  40 Pflegefamilie)
--   traegergruppe  'öffentlich' (10), 'frei' (21-29), 'privat-gewerblich' (30),
--                  'Pflegefamilie' (40): sum a group's rows for the öffentlich/frei split
--   faelle, junge_menschen  the aids with this Träger and their young people
--   faelle_gesamt  all aids of the group (Berichtsjahr x unit x Sozialraum x setting)
--   anteil         faelle / faelle_gesamt (the rows of a group add up to 1)
DROP VIEW IF EXISTS v_hze_traeger CASCADE;
CREATE VIEW v_hze_traeger AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum, e.setting,
       e.traeger, c.label AS traeger_label,
       CASE WHEN e.traeger = '10' THEN 'öffentlich'
            WHEN e.traeger BETWEEN '21' AND '29' THEN 'frei'
            WHEN e.traeger = '30' THEN 'privat-gewerblich'
            WHEN e.traeger = '40' THEN 'Pflegefamilie' END AS traegergruppe,
       e.faelle, e.junge_menschen, e.faelle_gesamt,
       e.faelle::numeric / e.faelle_gesamt AS anteil
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, traeger,
           count(*) AS faelle,
           sum(junge_menschen) AS junge_menschen,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting)::bigint
               AS faelle_gesamt
    FROM v_hze_merkmale
    WHERE ist_fall
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, traeger
) e
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'traeger' AND c.code = e.traeger;

-- v_hze_anregung: the access routes, the aids of the Fallzahl by the institution or
-- person who suggested the aid (anregung 1 junger Mensch ... 8 sonstige), per
-- Berichtsjahr x unit x Sozialraum x setting x anregung: anregung, anregung_label,
-- faelle and junge_menschen with this anregung, faelle_gesamt (all aids of the group),
-- anteil = faelle / faelle_gesamt.
DROP VIEW IF EXISTS v_hze_anregung CASCADE;
CREATE VIEW v_hze_anregung AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum, e.setting,
       e.anregung, c.label AS anregung_label,
       e.faelle, e.junge_menschen, e.faelle_gesamt,
       e.faelle::numeric / e.faelle_gesamt AS anteil
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, anregung,
           count(*) AS faelle,
           sum(junge_menschen) AS junge_menschen,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting)::bigint
               AS faelle_gesamt
    FROM v_hze_merkmale
    WHERE ist_fall
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, anregung
) e
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'anregung' AND c.code = e.anregung;

-- v_hze_gruende: the reasons for the aid (grund1 Hauptgrund, grund2, grund3) over the
-- aids of the Fallzahl, per Berichtsjahr x unit x Sozialraum x setting x grund that is
-- named:
--   grund, grund_label  the code (10-18) and its label
--   faelle_gesamt       all aids of the group
--   genannt             aids naming the reason as grund1, 2 or 3, each aid once (rule H07
--                       rejects a reason named twice; counted once even so); an aid names
--                       up to three, so genannt adds up to more than faelle_gesamt and
--                       anteil_genannt (genannt / faelle_gesamt) to more than 1
--   hauptgrund          aids with the reason as grund1; these add up to faelle_gesamt,
--                       anteil_hauptgrund (hauptgrund / faelle_gesamt) to 1
DROP VIEW IF EXISTS v_hze_gruende CASCADE;
CREATE VIEW v_hze_gruende AS
WITH gruende AS (
    SELECT m.berichtsjahr, m.land, m.regbez, m.kreis, m.gemeinde, m.einrichtung, m.sozialraum, m.setting,
           g.grund,
           count(DISTINCT (m.delivery_id, m.line)) AS genannt,
           count(*) FILTER (WHERE g.rang = 1) AS hauptgrund
    FROM v_hze_merkmale m
    CROSS JOIN LATERAL (VALUES (1, m.grund1), (2, m.grund2), (3, m.grund3)) AS g (rang, grund)
    WHERE m.ist_fall AND g.grund IS NOT NULL
    GROUP BY m.berichtsjahr, m.land, m.regbez, m.kreis, m.gemeinde, m.einrichtung, m.sozialraum, m.setting, g.grund
), gesamt AS (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, count(*) AS faelle_gesamt
    FROM v_hze_merkmale
    WHERE ist_fall
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting
)
SELECT a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde, a.einrichtung, a.sozialraum, a.setting,
       a.grund, c.label AS grund_label,
       g.faelle_gesamt,
       a.genannt, a.genannt::numeric / g.faelle_gesamt AS anteil_genannt,
       a.hauptgrund, a.hauptgrund::numeric / g.faelle_gesamt AS anteil_hauptgrund
FROM gruende a
JOIN gesamt g ON g.berichtsjahr = a.berichtsjahr AND g.land = a.land AND g.regbez = a.regbez
 AND g.kreis = a.kreis AND g.gemeinde = a.gemeinde AND g.einrichtung = a.einrichtung
 AND g.sozialraum = a.sozialraum AND g.setting = a.setting
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'grund' AND c.code = a.grund;

-- v_hze_geschlecht: the aids of the Fallzahl by the sex of the aid's young person
-- (geschlecht 1 männlich, 2 weiblich, 3 divers, 4 ohne Angabe), per Berichtsjahr x unit
-- x Sozialraum x setting x geschlecht: geschlecht, geschlecht_label, faelle,
-- faelle_gesamt (all aids of the group), anteil = faelle / faelle_gesamt. Aids, not young
-- people: the further young people of a family aid have their own sex in the family
-- block and are not counted here.
DROP VIEW IF EXISTS v_hze_geschlecht CASCADE;
CREATE VIEW v_hze_geschlecht AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum, e.setting,
       e.geschlecht, c.label AS geschlecht_label,
       e.faelle, e.faelle_gesamt,
       e.faelle::numeric / e.faelle_gesamt AS anteil
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, geschlecht,
           count(*) AS faelle,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting)::bigint
               AS faelle_gesamt
    FROM v_hze_merkmale
    WHERE ist_fall
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, geschlecht
) e
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'geschlecht' AND c.code = e.geschlecht;

-- v_hze_rueckkehr: Rückkehr in die Familie after a stationary aid, per Berichtsjahr x unit
-- x Sozialraum x paragraph, over the aids ended in the Berichtsjahr whose setting is
-- stationär:
--   beendet            ended without Abgabe (beendigungsgrund 40: the aid went on
--                      elsewhere, its aufenthalt_nachher says nothing about its outcome)
--   rueckkehr          of those, aufenthalt_nachher 01: back with the parents, a parent or
--                      the Sorgeberechtigten, the family of origin
--   anteil_rueckkehr   rueckkehr / beendet
--   verwandtenfamilie  of those, aufenthalt_nachher 02 (Verwandtenfamilie): not counted as
--                      Rückkehr, beside it for a planner who counts relatives too
--   abgegeben          the stationary aids handed over (40), left out of the above
DROP VIEW IF EXISTS v_hze_rueckkehr CASCADE;
CREATE VIEW v_hze_rueckkehr AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph,
       count(*) FILTER (WHERE NOT ist_abgabe) AS beendet,
       count(*) FILTER (WHERE NOT ist_abgabe AND aufenthalt_nachher = '01') AS rueckkehr,
       count(*) FILTER (WHERE NOT ist_abgabe AND aufenthalt_nachher = '01')::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_abgabe), 0) AS anteil_rueckkehr,
       count(*) FILTER (WHERE NOT ist_abgabe AND aufenthalt_nachher = '02') AS verwandtenfamilie,
       count(*) FILTER (WHERE ist_abgabe) AS abgegeben
FROM v_hze_merkmale
WHERE ist_beendet AND setting = 'stationär'
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph;

-- v_hze_anschlusshilfe: what followed the aids ended in the Berichtsjahr without Abgabe
-- (beendigungsgrund 40, whose follow-up is the same aid at another Jugendamt), per
-- Berichtsjahr x unit x Sozialraum x setting x anschlusshilfe (2 Weiterverweisung,
-- 3 Beratung nach § 16, 4 Hilfe zur Erziehung, 5 Eingliederungshilfe § 35a, 6 keine
-- bekannt; 1 Fortführung nach Zuständigkeitswechsel belongs to an Abgabe, rule A05):
-- anschlusshilfe, anschlusshilfe_label, beendet with it, beendet_gesamt (all ended aids
-- without Abgabe of the group), anteil = beendet / beendet_gesamt.
DROP VIEW IF EXISTS v_hze_anschlusshilfe CASCADE;
CREATE VIEW v_hze_anschlusshilfe AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum, e.setting,
       e.anschlusshilfe, c.label AS anschlusshilfe_label,
       e.beendet, e.beendet_gesamt,
       e.beendet::numeric / e.beendet_gesamt AS anteil
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, anschlusshilfe,
           count(*) AS beendet,
           sum(count(*)) OVER (PARTITION BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting)::bigint
               AS beendet_gesamt
    FROM v_hze_merkmale
    WHERE ist_beendet AND NOT ist_abgabe
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, setting, anschlusshilfe
) e
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'anschlusshilfe' AND c.code = e.anschlusshilfe;

-- v_hze_abbrueche: aids ended against the Hilfeplan (Abbrüche), per Berichtsjahr x unit x
-- Sozialraum x paragraph x setting, over the aids ended in the Berichtsjahr:
--   beendet             ended without Abgabe (beendigungsgrund 40): as
--                       v_hze_beendigung.beendet_ohne_abgabe
--   abbrueche           beendigungsgrund 20, 21 or 22 (abweichend vom Hilfeplan)
--   abbruch_sorgeberechtigte  20: broken off by the Sorgeberechtigten or the young adult
--   abbruch_einrichtung       21: by the Einrichtung, the Pflegefamilie or the Dienst
--   abbruch_minderjaehriger   22: by the minor
--   anteil_*            each count / beendet
--   abgegeben           ended with 40, left out of the above
DROP VIEW IF EXISTS v_hze_abbrueche CASCADE;
CREATE VIEW v_hze_abbrueche AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting,
       count(*) FILTER (WHERE NOT ist_abgabe) AS beendet,
       count(*) FILTER (WHERE beendigungsgrund IN ('20', '21', '22')) AS abbrueche,
       count(*) FILTER (WHERE beendigungsgrund IN ('20', '21', '22'))::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_abgabe), 0) AS anteil_abbrueche,
       count(*) FILTER (WHERE beendigungsgrund = '20') AS abbruch_sorgeberechtigte,
       count(*) FILTER (WHERE beendigungsgrund = '20')::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_abgabe), 0) AS anteil_abbruch_sorgeberechtigte,
       count(*) FILTER (WHERE beendigungsgrund = '21') AS abbruch_einrichtung,
       count(*) FILTER (WHERE beendigungsgrund = '21')::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_abgabe), 0) AS anteil_abbruch_einrichtung,
       count(*) FILTER (WHERE beendigungsgrund = '22') AS abbruch_minderjaehriger,
       count(*) FILTER (WHERE beendigungsgrund = '22')::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_abgabe), 0) AS anteil_abbruch_minderjaehriger,
       count(*) FILTER (WHERE ist_abgabe) AS abgegeben
FROM v_hze_merkmale
WHERE ist_beendet
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, paragraph, setting;

-- v_hze_familienhilfen: the family-oriented aids (hilfeart 07 Sozialpädagogische
-- Familienhilfe, 14 and 16 Hilfen nach § 27) of the Fallzahl, per Berichtsjahr x unit x
-- Sozialraum x hilfeart:
--   hilfeart, hilfeart_label, paragraph, setting  the aid and its hierarchy levels
--   hilfen              the aids
--   junge_menschen      their young people: 1 + weitere_junge_menschen each (v_hze_hilfen)
--   junge_menschen_je_hilfe  junge_menschen / hilfen
--   weitere_junge_menschen   the further young people of the families as reported
--   hilfen_ohne_angabe  aids without the number of further young people (empty: a CSV
--                       export has no family block; counted as 1 young person), so that
--                       junge_menschen_je_hilfe is a lower bound when this is not 0
DROP VIEW IF EXISTS v_hze_familienhilfen CASCADE;
CREATE VIEW v_hze_familienhilfen AS
SELECT e.berichtsjahr, e.land, e.regbez, e.kreis, e.gemeinde, e.einrichtung, e.sozialraum,
       e.hilfeart, c.label AS hilfeart_label, e.paragraph, e.setting,
       e.hilfen, e.junge_menschen,
       e.junge_menschen::numeric / e.hilfen AS junge_menschen_je_hilfe,
       e.weitere_junge_menschen, e.hilfen_ohne_angabe
FROM (
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, hilfeart, paragraph, setting,
           count(*) AS hilfen,
           sum(junge_menschen) AS junge_menschen,
           coalesce(sum(weitere_junge_menschen), 0) AS weitere_junge_menschen,
           count(*) FILTER (WHERE weitere_junge_menschen IS NULL) AS hilfen_ohne_angabe
    FROM v_hze_merkmale
    WHERE ist_fall AND hilfeart IN ('07', '14', '16')
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, hilfeart, paragraph, setting
) e
LEFT JOIN codes c ON c.dataset = 'hze' AND c.list = 'hilfeart' AND c.code = e.hilfeart;

-- v_hze_datenqualitaet: per hze delivery and rule, from the delivery register and the
-- findings: every delivery with findings, whatever its status (a delivery rejected as a
-- whole is what the quality dialogue is about; filter on status for the loaded ones).
--   befunde                the findings of the rule (P01, P02 and P03 report every
--                          field of a record they concern, so this may exceed the
--                          records)
--   datensaetze            the records the delivery had (deliveries.records)
--   datensaetze_betroffen  records with a finding of the rule: rejected ones for an
--                          error rule, loaded with a warning for a warning rule
--   anteil_betroffen       datensaetze_betroffen / datensaetze
--   dateibefund            the rule reported about the whole file (line 0: S01, S05, and
--                          the share rules F03, F04); such findings count no record.
-- Deliveries without findings have no row here; see deliveries itself.
DROP VIEW IF EXISTS v_hze_datenqualitaet CASCADE;
CREATE VIEW v_hze_datenqualitaet AS
SELECT d.id AS delivery_id, d.source, d.file_name, d.received_at, d.loaded_at, d.status,
       d.rules_version, f.rule, f.severity,
       count(*) AS befunde,
       d.records AS datensaetze,
       count(DISTINCT f.line) FILTER (WHERE f.line > 0) AS datensaetze_betroffen,
       (count(DISTINCT f.line) FILTER (WHERE f.line > 0))::numeric / nullif(d.records, 0) AS anteil_betroffen,
       bool_or(f.line = 0) AS dateibefund
FROM deliveries d
JOIN findings f ON f.delivery_id = d.id
WHERE d.dataset = 'hze'
GROUP BY d.id, f.rule, f.severity;

-- v_hze_datenqualitaet_zuordnung: per hze delivery, how its loaded records got their
-- Sozialraum (see v_hze_hilfen), so that the quality dialogue sees the unassigned share:
--   datensaetze            the delivery's records in the table now (those a later
--                          delivery replaced are gone)
--   sozialraum_datensatz   with a Sozialraum of their own (a CSV export's column)
--   sozialraum_zuordnung   without one, assigned through the loaded mapping
--   ohne_zuordnung         neither: the group 'ohne Zuordnung' of the other views
--   anteil_ohne_zuordnung  ohne_zuordnung / datensaetze
-- The figures follow the mapping: a mapping loaded after the statistics file assigns its
-- records from then on. Deliveries without loaded records (rejected, duplicate,
-- superseded) have no row: they have nothing to assign.
DROP VIEW IF EXISTS v_hze_datenqualitaet_zuordnung CASCADE;
CREATE VIEW v_hze_datenqualitaet_zuordnung AS
SELECT d.id AS delivery_id, d.source, d.file_name, d.received_at, d.loaded_at, d.status,
       count(*) AS datensaetze,
       count(*) FILTER (WHERE h.sozialraum_herkunft = 'Datensatz') AS sozialraum_datensatz,
       count(*) FILTER (WHERE h.sozialraum_herkunft = 'Zuordnung') AS sozialraum_zuordnung,
       count(*) FILTER (WHERE h.sozialraum_herkunft = 'ohne Zuordnung') AS ohne_zuordnung,
       count(*) FILTER (WHERE h.sozialraum_herkunft = 'ohne Zuordnung')::numeric / count(*) AS anteil_ohne_zuordnung
FROM deliveries d
JOIN v_hze_hilfen h ON h.delivery_id = d.id
WHERE d.dataset = 'hze'
GROUP BY d.id;

-- v_hze_datenqualitaet_sozialraum: loaded, rejected and warned records per Berichtsjahr x
-- unit x Sozialraum, over the current deliveries -- the data-quality page of the
-- Strategiekarte report reads it. One row per group that has a record:
--   datensaetze       geladen + abgelehnt
--   geladen           the loaded records (the rows of v_hze_hilfen)
--   abgelehnt         the rejected records: not loaded because of an error finding
--                     (table rejected_records), also those an overlap rule (X02) rejected
--                     at the end of the file
--   anteil_abgelehnt  abgelehnt / datensaetze
--   gewarnt           loaded records with at least one warning (findings of severity
--                     warning on the record; a linked rule's warning placed later counts)
--   anteil_gewarnt    gewarnt / datensaetze (over all records, rejected ones included, so
--                     that the two shares add up to the share of records with a finding)
-- Current deliveries: status 'loaded' with at least one scope (delivery_scopes), i.e. the
-- deliveries whose rows are in hze now. Left out: deliveries rejected as a whole (by the
-- quality gate or a file finding) -- none of their records is in any key figure, and
-- counting them beside the corrected delivery that follows would count the unit-year
-- twice; v_hze_datenqualitaet and the delivery register show them. Left out as well:
-- superseded and duplicate deliveries, and a 'loaded' delivery without a single loaded
-- record (every record rejected under a gate that let it pass): it has no scope, so no
-- later delivery would ever replace it. A delivery that lost only one part (its ended
-- records) to a later one still counts all its rejected records: the part of a rejected
-- record is not kept (it may be what is invalid).
-- A rejected record's fields are kept as delivered (rejected_records, schema version 3;
-- a record rejected before that has none: it counts in its delivery's year and main unit,
-- 'ohne Zuordnung'):
--   berichtsjahr  its own, when that is one of the years its delivery covers (the years of
--                 the delivery's loaded records); else -- not a year, a year that no loaded
--                 record of the file has, or none at all -- the delivery's year (the one
--                 most of its loaded records have, the later one on a tie). Its quality
--                 belongs to the file it came in.
--   unit          its own land ... einrichtung, as delivered (an invalid value forms a
--                 group of its own, which shows the defect); a record without any of them
--                 (a line that could not be split into fields, S02/S03) takes the unit of
--                 the delivery's main scope (the one with most loaded records).
--   sozialraum    as for loaded records (v_hze_hilfen): its own non-empty sozialraum (as
--                 delivered, even when that is what is invalid), else the mapping's
--                 (zuordnung) for its unit + lfd_nr + Berichtsjahr as above, else
--                 'ohne Zuordnung'.
-- Not suppressed: these figures count records of an export -- a row was rejected or
-- warned -- not characteristics of young people (no age, sex, aid or reason), and the
-- office needs the exact small numbers to find and correct the records. geladen and
-- datensaetze are counts of aids of the Sozialraum, though: a committee page that
-- suppresses a Sozialraum's case figures must not print them for that Sozialraum.
DROP VIEW IF EXISTS v_hze_datenqualitaet_sozialraum CASCADE;
CREATE VIEW v_hze_datenqualitaet_sozialraum AS
WITH lieferung AS (
    -- per current delivery: the years it covers, and its main scope's year and unit
    SELECT delivery_id, array_agg(year) AS jahre,
           (array_agg(year ORDER BY n DESC, year DESC, einheit))[1] AS jahr,
           (array_agg(einheit ORDER BY n DESC, year DESC, einheit))[1] AS einheit
    FROM (SELECT s.delivery_id, s.year, s.unit AS einheit, sum(s.records) AS n
          FROM delivery_scopes s
          JOIN deliveries d ON d.id = s.delivery_id AND d.dataset = 'hze' AND d.status = 'loaded'
          GROUP BY s.delivery_id, s.year, s.unit) x
    GROUP BY delivery_id
), abgelehnt AS (
    -- (two WHENs: AND does not promise to test the pattern before the cast)
    SELECT CASE WHEN r.berichtsjahr !~ '^[0-9]{4}$' THEN l.jahr
                WHEN r.berichtsjahr::bigint = ANY (l.jahre) THEN r.berichtsjahr::bigint
                ELSE l.jahr END AS berichtsjahr,
           CASE WHEN e.ohne THEN split_part(l.einheit, '-', 1) ELSE r.land END AS land,
           CASE WHEN e.ohne THEN split_part(l.einheit, '-', 2) ELSE r.regbez END AS regbez,
           CASE WHEN e.ohne THEN split_part(l.einheit, '-', 3) ELSE r.kreis END AS kreis,
           CASE WHEN e.ohne THEN split_part(l.einheit, '-', 4) ELSE r.gemeinde END AS gemeinde,
           CASE WHEN e.ohne THEN split_part(l.einheit, '-', 5) ELSE r.einrichtung END AS einrichtung,
           r.lfd_nr, r.gruppe
    FROM rejected_records r
    JOIN lieferung l ON l.delivery_id = r.delivery_id
    CROSS JOIN LATERAL (SELECT num_nonnulls(r.land, r.regbez, r.kreis, r.gemeinde, r.einrichtung) = 0 AS ohne) e
), datensatz AS (
    SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.einrichtung, h.sozialraum,
           false AS ist_abgelehnt,
           EXISTS (SELECT 1 FROM findings f WHERE f.delivery_id = h.delivery_id AND f.line = h.line
                   AND f.severity = 'warning') AS ist_gewarnt
    FROM v_hze_hilfen h
    UNION ALL
    SELECT a.berichtsjahr, a.land, a.regbez, a.kreis, a.gemeinde, a.einrichtung,
           coalesce(nullif(a.gruppe, ''), z.sozialraum, 'ohne Zuordnung'), true, false
    FROM abgelehnt a
    LEFT JOIN (
        -- the mapping as v_hze_hilfen reads it: one row per key, the latest delivery's
        SELECT DISTINCT ON (land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr)
               land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, sozialraum
        FROM zuordnung
        WHERE nullif(sozialraum, '') IS NOT NULL
        ORDER BY land, regbez, kreis, gemeinde, einrichtung, lfd_nr, berichtsjahr, delivery_id DESC, line DESC
    ) z ON z.land = a.land AND z.regbez = a.regbez AND z.kreis = a.kreis AND z.gemeinde = a.gemeinde
       AND z.einrichtung = a.einrichtung AND z.lfd_nr = a.lfd_nr AND z.berichtsjahr = a.berichtsjahr
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
       count(*) AS datensaetze,
       count(*) FILTER (WHERE NOT ist_abgelehnt) AS geladen,
       count(*) FILTER (WHERE ist_abgelehnt) AS abgelehnt,
       count(*) FILTER (WHERE ist_abgelehnt)::numeric / nullif(count(*), 0) AS anteil_abgelehnt,
       count(*) FILTER (WHERE ist_gewarnt) AS gewarnt,
       count(*) FILTER (WHERE ist_gewarnt)::numeric / nullif(count(*), 0) AS anteil_gewarnt
FROM datensatz
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;

-- v_hze_warnungen: warnings per Berichtsjahr x unit x Sozialraum x rule, for the
-- records that are loaded: warned records and their share of the loaded records of that
-- Sozialraum. A rejected record's warnings are not counted here (it is in no key figure);
-- its Sozialraum is kept since 2026 (rejected_records, schema version 3), and
-- v_hze_datenqualitaet_sozialraum counts rejected, warned and loaded records per
-- Sozialraum side by side.
-- Findings about the whole file (line 0) have no Sozialraum and are not counted.
DROP VIEW IF EXISTS v_hze_warnungen CASCADE;
CREATE VIEW v_hze_warnungen AS
SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.einrichtung, h.sozialraum, f.rule,
       count(DISTINCT (h.delivery_id, h.line)) AS datensaetze_gewarnt,
       n.datensaetze,
       count(DISTINCT (h.delivery_id, h.line))::numeric / n.datensaetze AS anteil_gewarnt
FROM v_hze_hilfen h
JOIN findings f ON f.delivery_id = h.delivery_id AND f.line = h.line AND f.severity = 'warning'
JOIN (SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, count(*) AS datensaetze
      FROM v_hze_hilfen
      GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum) n
  ON n.berichtsjahr = h.berichtsjahr AND n.land = h.land AND n.regbez = h.regbez AND n.kreis = h.kreis
 AND n.gemeinde = h.gemeinde AND n.einrichtung = h.einrichtung AND n.sozialraum = h.sozialraum
GROUP BY h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.einrichtung, h.sozialraum, f.rule, n.datensaetze;

-- v_hze_unbekannt: how often the family-structure fields say "unbekannt", per
-- Berichtsjahr x unit x Sozialraum, over all loaded records: familiensituation 5
-- (an empty familiensituation is rejected by F01), and an empty herkunft_ausland,
-- deutsch_zuhause or transferleistungen (empty means unbekannt there, also when the
-- column is missing from the export). The shares are of all loaded records
-- (datensaetze); F03 and F04 warn per file above 20 %.
DROP VIEW IF EXISTS v_hze_unbekannt CASCADE;
CREATE VIEW v_hze_unbekannt AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
       count(*) AS datensaetze,
       count(*) FILTER (WHERE familiensituation = '5') AS familiensituation_unbekannt,
       count(*) FILTER (WHERE herkunft_ausland IS NULL) AS herkunft_ausland_unbekannt,
       count(*) FILTER (WHERE deutsch_zuhause IS NULL) AS deutsch_zuhause_unbekannt,
       count(*) FILTER (WHERE transferleistungen IS NULL) AS transferleistungen_unbekannt,
       count(*) FILTER (WHERE familiensituation = '5')::numeric / count(*) AS anteil_familiensituation_unbekannt,
       count(*) FILTER (WHERE herkunft_ausland IS NULL)::numeric / count(*) AS anteil_herkunft_ausland_unbekannt,
       count(*) FILTER (WHERE deutsch_zuhause IS NULL)::numeric / count(*) AS anteil_deutsch_zuhause_unbekannt,
       count(*) FILTER (WHERE transferleistungen IS NULL)::numeric / count(*) AS anteil_transferleistungen_unbekannt
FROM v_hze_hilfen
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;

-- ---------------------------------------------------------------------------------------
-- Leistungserbringer: the provider level of the quality dialogue (§§ 78b, 79a SGB VIII)
-- ---------------------------------------------------------------------------------------
-- The provider of an aid is the optional CSV column leistungserbringer (rules/hze.yaml):
-- the case software's own id of the provider, not an item of the official record (which
-- knows only the kind of Träger). Records without one -- every fixed-width record, and a
-- CSV export without the column or with it empty -- form the group 'ohne Angabe'.
-- CHOICE: the group is the Jugendamt (land, regbez, kreis, gemeinde), not the reporting
-- unit: the quality dialogue with a provider is held by the Jugendamt, whose units (ASD,
-- Erziehungsberatungsstelle, ...) may all place aids with the same provider; and there is
-- no Sozialraum: per provider and Sozialraum almost every cell would be small.

-- v_hze_leistungserbringer: per Berichtsjahr x Jugendamt (land, regbez, kreis, gemeinde) x
-- leistungserbringer x setting, over the aids of the Fallzahl (ongoing at 31.12. or ended
-- in the Berichtsjahr). For the office's own controlling: NOT suppressed (a committee reads
-- v_hze_leistungserbringer_ausschuss).
--   faelle          the Fallzahl: aids ongoing at 31.12. plus aids ended in the year, with
--                   takeovers and Abgaben (as v_hze_fallzahl)
--   junge_menschen  the young people of those aids (v_hze_hilfen.junge_menschen)
--   beendet         aids ended in the Berichtsjahr, without Abgaben (beendigungsgrund 40:
--                   only the responsibility moved); every figure below is over these
--   dauer_summe, dauer_mittel, dauer_median  months from beginn to ende of the ended aids
--                   (NULL without an ended aid); median by percentile_cont, as v_hze_dauer
--   planmaessig     ended with beendigungsgrund 10 (gemäß Hilfeplan/Beratungszielen);
--                   anteil_planmaessig = planmaessig / beendet
--   abbruch_sorgeberechtigte  beendigungsgrund 20: ended otherwise than planned, by the
--                   Sorgeberechtigten or the young adult (junger Volljähriger)
--   abbruch_einrichtung       beendigungsgrund 21: by the Einrichtung, Pflegefamilie or
--                   Dienst -- the provider itself broke off
--   abbruch_minderjaehrige    beendigungsgrund 22: by the minor young person
--   rueckkehr_familie  stationary aids (setting stationär) ended with aufenthalt_nachher 01
--                   (bei Eltern/Elternteil/Sorgeberechtigten: back in the family of origin;
--                   02 Verwandtenfamilie is not counted); anteil_rueckkehr_familie =
--                   rueckkehr_familie / beendet. On the rows of other settings both are
--                   NULL: the figure is about stationary aids only.
-- beendet = planmaessig + the three abbruch_* + adoption (30) + sonstige (50).
DROP VIEW IF EXISTS v_hze_leistungserbringer CASCADE;
CREATE VIEW v_hze_leistungserbringer AS
WITH f AS (
    SELECT v.berichtsjahr, v.land, v.regbez, v.kreis, v.gemeinde,
           coalesce(nullif(h.leistungserbringer, ''), 'ohne Angabe') AS leistungserbringer,
           v.setting, v.junge_menschen, v.dauer_monate, v.beendigungsgrund, h.aufenthalt_nachher,
           v.ist_beendet AND NOT v.ist_abgabe AS ist_beendet
    FROM v_hze_hilfen v
    JOIN hze h ON h.delivery_id = v.delivery_id AND h.line = v.line
    WHERE v.ist_fall
)
SELECT berichtsjahr, land, regbez, kreis, gemeinde, leistungserbringer, setting,
       count(*) AS faelle,
       sum(junge_menschen) AS junge_menschen,
       count(*) FILTER (WHERE ist_beendet) AS beendet,
       sum(dauer_monate) FILTER (WHERE ist_beendet) AS dauer_summe,
       avg(dauer_monate) FILTER (WHERE ist_beendet) AS dauer_mittel,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_monate) FILTER (WHERE ist_beendet) AS dauer_median,
       count(*) FILTER (WHERE ist_beendet AND beendigungsgrund = '10') AS planmaessig,
       count(*) FILTER (WHERE ist_beendet AND beendigungsgrund = '10')::numeric
           / nullif(count(*) FILTER (WHERE ist_beendet), 0) AS anteil_planmaessig,
       count(*) FILTER (WHERE ist_beendet AND beendigungsgrund = '20') AS abbruch_sorgeberechtigte,
       count(*) FILTER (WHERE ist_beendet AND beendigungsgrund = '21') AS abbruch_einrichtung,
       count(*) FILTER (WHERE ist_beendet AND beendigungsgrund = '22') AS abbruch_minderjaehrige,
       CASE WHEN setting = 'stationär' THEN
           count(*) FILTER (WHERE ist_beendet AND aufenthalt_nachher = '01') END AS rueckkehr_familie,
       CASE WHEN setting = 'stationär' THEN
           count(*) FILTER (WHERE ist_beendet AND aufenthalt_nachher = '01')::numeric
               / nullif(count(*) FILTER (WHERE ist_beendet), 0) END AS anteil_rueckkehr_familie
FROM f
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, leistungserbringer, setting;

-- v_hze_leistungserbringer_ausschuss: the figures of v_hze_leistungserbringer, same rows
-- and names, for the Jugendhilfeausschuss: a provider's cell over few young people is
-- personal data. Each figure is followed by <figure>_gesperrt: true = suppressed (the
-- figure is NULL, the report prints "·"); a NULL with _gesperrt false is "not available"
-- (no ended aid, or rueckkehr_familie on a non-stationary row; the report prints "–").
--   Primary suppression: a count is suppressed when the young people it is about
--   (junge_menschen of its aids, not the aids) are 1 or 2. A 0 is shown: it is about no
--   one. faelle and junge_menschen are about the same young people and are suppressed
--   together; dauer_summe, dauer_mittel and dauer_median go with beendet (their aids).
--   Shares: suppressed when the numerator's young people, or the denominator's minus the
--   numerator's, are 1 or 2, when the denominator's are 1 or 2 (with 0 the share is NULL,
--   not available), or when the numerator or the denominator is suppressed (share x the
--   shown one would give the other).
--   Secondary suppression: the total protected is the Jugendamt's total per Berichtsjahr
--   and setting of each count (faelle/junge_menschen, beendet with dauer_summe,
--   planmaessig, the three abbruch_*, rueckkehr_familie) -- the figure a report of the
--   Jugendamt shows per setting (v_hze_fallzahl, v_hze_beendigung summed per setting).
--   The group is the providers of that Jugendamt, year and setting, 'ohne Angabe'
--   included. When exactly one cell of the group is suppressed, the next-smallest other
--   cell with a positive count is suppressed too: the smallest count, CHOICE: preferring
--   counts of 2 and more (a suppressed 1 beside a second suppressed 1 would be known
--   from their difference to the total, 2 = 1 + 1), ties by young people, then by
--   leistungserbringer. A 0 is never chosen (a count of 0 is visible from beendet = 0 or
--   adds nothing). When no other cell has a positive count the total is the suppressed
--   cell itself, under 3, and is suppressed wherever it is shown. Two or more suppressed
--   cells in a group need no further cell. Not protected here: totals over settings or
--   over Jugendämter (no view of this file shows a provider's total; a report that adds
--   one must suppress again).
DROP VIEW IF EXISTS v_hze_leistungserbringer_ausschuss CASCADE;
CREATE VIEW v_hze_leistungserbringer_ausschuss AS
WITH f AS (
    SELECT v.berichtsjahr, v.land, v.regbez, v.kreis, v.gemeinde,
           coalesce(nullif(h.leistungserbringer, ''), 'ohne Angabe') AS leistungserbringer,
           v.setting, v.junge_menschen, v.beendigungsgrund, h.aufenthalt_nachher,
           v.ist_beendet AND NOT v.ist_abgabe AS ist_beendet
    FROM v_hze_hilfen v
    JOIN hze h ON h.delivery_id = v.delivery_id AND h.line = v.line
    WHERE v.ist_fall
), zellen AS (
    -- one row per cell and count: the count (wert) and its young people (jm)
    SELECT f.berichtsjahr, f.land, f.regbez, f.kreis, f.gemeinde, f.leistungserbringer, f.setting,
           k.kennzahl, sum(k.wert) AS wert, sum(k.wert * f.junge_menschen) AS jm
    FROM f
    CROSS JOIN LATERAL (VALUES
        ('faelle', 1),
        ('beendet', CASE WHEN f.ist_beendet THEN 1 ELSE 0 END),
        ('planmaessig', CASE WHEN f.ist_beendet AND f.beendigungsgrund = '10' THEN 1 ELSE 0 END),
        ('abbruch_sorgeberechtigte', CASE WHEN f.ist_beendet AND f.beendigungsgrund = '20' THEN 1 ELSE 0 END),
        ('abbruch_einrichtung', CASE WHEN f.ist_beendet AND f.beendigungsgrund = '21' THEN 1 ELSE 0 END),
        ('abbruch_minderjaehrige', CASE WHEN f.ist_beendet AND f.beendigungsgrund = '22' THEN 1 ELSE 0 END),
        ('rueckkehr_familie', CASE WHEN f.ist_beendet AND f.aufenthalt_nachher = '01' THEN 1 ELSE 0 END)
    ) AS k (kennzahl, wert)
    WHERE k.kennzahl <> 'rueckkehr_familie' OR f.setting = 'stationär'
    GROUP BY f.berichtsjahr, f.land, f.regbez, f.kreis, f.gemeinde, f.leistungserbringer, f.setting, k.kennzahl
), primaer AS (
    SELECT z.*, z.jm BETWEEN 1 AND 2 AS primaer
    FROM zellen z
), rang AS (
    SELECT p.*,
           count(*) FILTER (WHERE p.primaer) OVER gruppe AS primaer_in_gruppe,
           row_number() OVER (gruppe ORDER BY p.primaer OR p.wert = 0, p.wert = 1, p.wert, p.jm, p.leistungserbringer) AS rang
    FROM primaer p
    WINDOW gruppe AS (PARTITION BY p.berichtsjahr, p.land, p.regbez, p.kreis, p.gemeinde, p.setting, p.kennzahl)
), sperre AS (
    -- per cell: which counts are suppressed, and the young people the shares need
    SELECT berichtsjahr, land, regbez, kreis, gemeinde, leistungserbringer, setting,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'faelle') AS faelle,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'beendet') AS beendet,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'planmaessig') AS planmaessig,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'abbruch_sorgeberechtigte') AS abbruch_sorgeberechtigte,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'abbruch_einrichtung') AS abbruch_einrichtung,
           bool_or(gesperrt) FILTER (WHERE kennzahl = 'abbruch_minderjaehrige') AS abbruch_minderjaehrige,
           coalesce(bool_or(gesperrt) FILTER (WHERE kennzahl = 'rueckkehr_familie'), false) AS rueckkehr_familie,
           sum(jm) FILTER (WHERE kennzahl = 'beendet') AS jm_beendet,
           sum(jm) FILTER (WHERE kennzahl = 'planmaessig') AS jm_planmaessig,
           sum(jm) FILTER (WHERE kennzahl = 'rueckkehr_familie') AS jm_rueckkehr
    FROM (SELECT r.*,
                 r.primaer OR (r.primaer_in_gruppe = 1 AND NOT r.primaer AND r.wert > 0 AND r.rang = 1) AS gesperrt
          FROM rang r) g
    GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, leistungserbringer, setting
), s AS (
    SELECT sp.*,
           sp.planmaessig OR sp.beendet OR sp.jm_beendet BETWEEN 1 AND 2
               OR sp.jm_beendet - sp.jm_planmaessig BETWEEN 1 AND 2 AS anteil_planmaessig,
           sp.setting = 'stationär' AND (sp.rueckkehr_familie OR sp.beendet OR sp.jm_beendet BETWEEN 1 AND 2
               OR sp.jm_beendet - sp.jm_rueckkehr BETWEEN 1 AND 2) AS anteil_rueckkehr_familie
    FROM sperre sp
)
SELECT o.berichtsjahr, o.land, o.regbez, o.kreis, o.gemeinde, o.leistungserbringer, o.setting,
       CASE WHEN NOT s.faelle THEN o.faelle END AS faelle, s.faelle AS faelle_gesperrt,
       CASE WHEN NOT s.faelle THEN o.junge_menschen END AS junge_menschen, s.faelle AS junge_menschen_gesperrt,
       CASE WHEN NOT s.beendet THEN o.beendet END AS beendet, s.beendet AS beendet_gesperrt,
       CASE WHEN NOT s.beendet THEN o.dauer_summe END AS dauer_summe, s.beendet AS dauer_summe_gesperrt,
       CASE WHEN NOT s.beendet THEN o.dauer_mittel END AS dauer_mittel, s.beendet AS dauer_mittel_gesperrt,
       CASE WHEN NOT s.beendet THEN o.dauer_median END AS dauer_median, s.beendet AS dauer_median_gesperrt,
       CASE WHEN NOT s.planmaessig THEN o.planmaessig END AS planmaessig, s.planmaessig AS planmaessig_gesperrt,
       CASE WHEN NOT s.anteil_planmaessig THEN o.anteil_planmaessig END AS anteil_planmaessig,
           s.anteil_planmaessig AS anteil_planmaessig_gesperrt,
       CASE WHEN NOT s.abbruch_sorgeberechtigte THEN o.abbruch_sorgeberechtigte END AS abbruch_sorgeberechtigte,
           s.abbruch_sorgeberechtigte AS abbruch_sorgeberechtigte_gesperrt,
       CASE WHEN NOT s.abbruch_einrichtung THEN o.abbruch_einrichtung END AS abbruch_einrichtung,
           s.abbruch_einrichtung AS abbruch_einrichtung_gesperrt,
       CASE WHEN NOT s.abbruch_minderjaehrige THEN o.abbruch_minderjaehrige END AS abbruch_minderjaehrige,
           s.abbruch_minderjaehrige AS abbruch_minderjaehrige_gesperrt,
       CASE WHEN NOT s.rueckkehr_familie THEN o.rueckkehr_familie END AS rueckkehr_familie,
           s.rueckkehr_familie AS rueckkehr_familie_gesperrt,
       CASE WHEN NOT s.anteil_rueckkehr_familie THEN o.anteil_rueckkehr_familie END AS anteil_rueckkehr_familie,
           s.anteil_rueckkehr_familie AS anteil_rueckkehr_familie_gesperrt
FROM v_hze_leistungserbringer o
JOIN s ON s.berichtsjahr = o.berichtsjahr AND s.land = o.land AND s.regbez = o.regbez AND s.kreis = o.kreis
      AND s.gemeinde = o.gemeinde AND s.leistungserbringer = o.leistungserbringer AND s.setting = o.setting;

-- ---------------------------------------------------------------------------------------
-- Hilfebiografien: the aids of one young person across Berichtsjahre
-- ---------------------------------------------------------------------------------------
-- FOR THE OFFICE'S PLANNERS ONLY, NOT FOR COMMITTEES: these views carry person_id, the
-- case software's pseudonymous person key, and show single aids; nothing is suppressed.
-- Only records with a person_id count (an export without the column, or the fixed-width
-- record, which has none, gives no biography).
--
-- CHOICE (one aid across Berichtsjahre): an aid is delivered again every year it runs
-- (ongoing at 31.12., then ended), so its records of several Berichtsjahre are one aid.
-- It is identified by the person and its start: Jugendamt (land, regbez, kreis,
-- gemeinde) + person_id + beginn + hilfeart, not by unit + lfd_nr + beginn + hilfeart:
-- lfd_nr is unique only per unit and Berichtsjahr (its keeping from year to year is the
-- exporter's promise, which X03 checks with a warning), and the person key also joins the
-- records of one aid that moved between two units of the Jugendamt. The price: two
-- distinct aids of one person with the same hilfeart beginning in the same month count
-- as one. The aid's state (ende, reasons, setting, unit) is that of its latest record
-- (latest Berichtsjahr, then latest delivery); an aid whose latest record is ongoing is
-- "laufend" as far as the loaded data know (its next year may be missing: X03).
-- CHOICE (the person): person_id within the Jugendamt. The ids are those of a Jugendamt's
-- case software; two Jugendämter's ids are not the same person's, so they are never
-- joined. Within a Jugendamt all its reporting units share them.
-- Months: "months from a to b" is 12 x (year(b) - year(a)) + month(b) - month(a), as the
-- pack's months(): the same month is 0.

-- v_hze_personenhilfen: one row per aid of a person (its records of all Berichtsjahre
-- joined as above):
--   land, regbez, kreis, gemeinde, person_id, beginn, hilfeart: the aid's identity
--   paragraph, setting, einrichtung  of its latest record
--   erstes_berichtsjahr, letztes_berichtsjahr, meldungen  the Berichtsjahre in which it
--                 was delivered, first, last, and how many records it has
--   laufend       its latest record is ongoing at 31.12. (andauernd 1)
--   ende, beendigungsgrund, aufenthalt_nachher, anschlusshilfe  of an ended aid (else
--                 NULL); ist_abgabe: ended with 40, Abgabe an ein anderes Jugendamt
--   monate_bis_neue_hilfe  for an ended aid: months from its ende to the beginn of the
--                 next aid of the same person that begins in the month of ende or later
--                 (NULL: none loaded)
--   neue_hilfe_binnen_12_monaten  for an ended aid without Abgabe: true when another aid
--                 of the person begins within the month of ende and the 12 months after
--                 (0 <= months <= 12), false when none does; NULL when the aid is running
--                 or an Abgabe, or when the window is not covered: it reaches into the
--                 next Berichtsjahr, and the Jugendamt has no records with person_id of
--                 that year loaded (an aid begun then would be in that year's delivery).
--                 CHOICE, as in v_schutz_verknuepfung: such an aid is not evaluated even
--                 when a new aid is found, since counting only the found ones would
--                 inflate the share.
--   anschluss_gefunden  for an ended aid without Abgabe whose anschlusshilfe names a
--                 follow-up aid in this statistic (4 Hilfe zur Erziehung, 5
--                 Eingliederungshilfe § 35a): true when an aid of that kind (4: any
--                 hilfeart but 13; 5: hilfeart 13) of the same person begins within the
--                 month of ende and the 3 months after, false when none does; NULL for
--                 other aids, or when the window reaches a Berichtsjahr not loaded (as
--                 above). anschlusshilfe 1 (Fortführung nach Zuständigkeitswechsel) goes
--                 with an Abgabe, 2, 3 and 6 name nothing this statistic holds.
DROP VIEW IF EXISTS v_hze_personenhilfen CASCADE;
CREATE VIEW v_hze_personenhilfen AS
WITH r AS (
    SELECT DISTINCT ON (land, regbez, kreis, gemeinde, person_id, beginn, hilfeart)
           land, regbez, kreis, gemeinde, person_id, beginn, hilfeart,
           hilfeart_paragraph AS paragraph, hilfeart_setting AS setting, einrichtung,
           min(berichtsjahr) OVER aid AS erstes_berichtsjahr,
           berichtsjahr AS letztes_berichtsjahr,
           count(*) OVER aid AS meldungen,
           andauernd = '1' AS laufend,
           CASE WHEN andauernd = '2' THEN ende END AS ende,
           CASE WHEN andauernd = '2' THEN beendigungsgrund END AS beendigungsgrund,
           CASE WHEN andauernd = '2' THEN aufenthalt_nachher END AS aufenthalt_nachher,
           CASE WHEN andauernd = '2' THEN anschlusshilfe END AS anschlusshilfe
    FROM v_hze
    WHERE nullif(person_id, '') IS NOT NULL
    WINDOW aid AS (PARTITION BY land, regbez, kreis, gemeinde, person_id, beginn, hilfeart)
    ORDER BY land, regbez, kreis, gemeinde, person_id, beginn, hilfeart, berichtsjahr DESC, delivery_id DESC, line DESC
), jahre AS (
    -- the Berichtsjahre of a Jugendamt whose records can be linked
    SELECT DISTINCT land, regbez, kreis, gemeinde, berichtsjahr
    FROM v_hze
    WHERE nullif(person_id, '') IS NOT NULL
), folge AS (
    -- per ended aid, the other aids of the same person beginning in the month of ende or
    -- later: a join per person (a person has few aids), not a search per aid
    SELECT r.land, r.regbez, r.kreis, r.gemeinde, r.person_id, r.beginn, r.hilfeart,
           min((12 * (extract(year FROM n.beginn) - extract(year FROM r.ende))
                + extract(month FROM n.beginn) - extract(month FROM r.ende))::integer) AS monate_bis_neue_hilfe,
           bool_or(n.beginn <= r.ende + interval '3 months'
                   AND CASE r.anschlusshilfe WHEN '4' THEN n.hilfeart <> '13' WHEN '5' THEN n.hilfeart = '13' END)
               AS anschluss_da
    FROM r
    JOIN r n ON n.land = r.land AND n.regbez = r.regbez AND n.kreis = r.kreis AND n.gemeinde = r.gemeinde
            AND n.person_id = r.person_id AND n.beginn >= r.ende
            AND (n.beginn, n.hilfeart) <> (r.beginn, r.hilfeart)
    WHERE r.ende IS NOT NULL
    GROUP BY r.land, r.regbez, r.kreis, r.gemeinde, r.person_id, r.beginn, r.hilfeart
), a AS (
    SELECT r.*,
           coalesce(r.ende IS NOT NULL AND r.beendigungsgrund = '40', false) AS ist_abgabe,
           f.monate_bis_neue_hilfe,
           coalesce(f.anschluss_da, false) AS anschluss_da,
           EXISTS (SELECT 1 FROM jahre j
                   WHERE j.land = r.land AND j.regbez = r.regbez AND j.kreis = r.kreis AND j.gemeinde = r.gemeinde
                     AND j.berichtsjahr = extract(year FROM r.ende + interval '12 months')) AS folge_abgedeckt,
           EXISTS (SELECT 1 FROM jahre j
                   WHERE j.land = r.land AND j.regbez = r.regbez AND j.kreis = r.kreis AND j.gemeinde = r.gemeinde
                     AND j.berichtsjahr = extract(year FROM r.ende + interval '3 months')) AS anschluss_abgedeckt
    FROM r
    LEFT JOIN folge f ON f.land = r.land AND f.regbez = r.regbez AND f.kreis = r.kreis AND f.gemeinde = r.gemeinde
          AND f.person_id = r.person_id AND f.beginn = r.beginn AND f.hilfeart = r.hilfeart
)
SELECT land, regbez, kreis, gemeinde, person_id, beginn, hilfeart, paragraph, setting, einrichtung,
       erstes_berichtsjahr, letztes_berichtsjahr, meldungen, laufend,
       ende, beendigungsgrund, ist_abgabe, aufenthalt_nachher, anschlusshilfe,
       monate_bis_neue_hilfe,
       CASE WHEN ende IS NOT NULL AND NOT ist_abgabe AND folge_abgedeckt THEN
           coalesce(monate_bis_neue_hilfe <= 12, false) END AS neue_hilfe_binnen_12_monaten,
       CASE WHEN ende IS NOT NULL AND NOT ist_abgabe AND anschlusshilfe IN ('4', '5') AND anschluss_abgedeckt THEN
           anschluss_da END AS anschluss_gefunden
FROM a;

-- v_hze_hilfebiografie: one row per person (Jugendamt + person_id) with at least one aid
-- with person_id; office planners only (above):
--   hilfen           the person's distinct aids (an aid delivered in several Berichtsjahre
--                    counts once)
--   erster_beginn    the beginn of the first aid
--   letztes_ende     the latest ende of the person's ended aids (NULL: none ended)
--   laufende_hilfen  aids still running (their latest record ongoing); 0: all ended
--   settingfolge     the settings of the aids in the order of beginn (same month: by
--                    hilfeart), joined by ' → ', e.g. 'ambulant → stationär'
--   hilfeartfolge    the same with the hilfeart codes, e.g. '07 → 11'
--   stationaere_hilfen  aids with setting stationär
DROP VIEW IF EXISTS v_hze_hilfebiografie CASCADE;
CREATE VIEW v_hze_hilfebiografie AS
SELECT land, regbez, kreis, gemeinde, person_id,
       count(*) AS hilfen,
       min(beginn) AS erster_beginn,
       max(ende) AS letztes_ende,
       count(*) FILTER (WHERE laufend) AS laufende_hilfen,
       string_agg(setting, ' → ' ORDER BY beginn, hilfeart) AS settingfolge,
       string_agg(hilfeart, ' → ' ORDER BY beginn, hilfeart) AS hilfeartfolge,
       count(*) FILTER (WHERE setting = 'stationär') AS stationaere_hilfen
FROM v_hze_personenhilfen
GROUP BY land, regbez, kreis, gemeinde, person_id;

-- v_hze_hilfefolgen: whether an ended aid was followed by a new aid of the same young
-- person within 12 months (v_hze_personenhilfen.neue_hilfe_binnen_12_monaten), per
-- Berichtsjahr of the ende x Jugendamt x setting of the ended aid; aids with person_id,
-- ended without Abgabe (40); office planners only (above):
--   beendet          the ended aids (with person_id, without Abgabe)
--   nicht_auswertbar their 12 months reach a Berichtsjahr the Jugendamt has not loaded
--                    (with person_id): not counted below
--   auswertbar       beendet - nicht_auswertbar, the denominator
--   neue_hilfe_binnen_12_monaten  another aid of the person began in the month of ende or
--                    in the 12 months after (any hilfeart, Erziehungsberatung included)
--   anteil_neue_hilfe_binnen_12_monaten  neue_hilfe_binnen_12_monaten / auswertbar
DROP VIEW IF EXISTS v_hze_hilfefolgen CASCADE;
CREATE VIEW v_hze_hilfefolgen AS
SELECT extract(year FROM ende)::bigint AS berichtsjahr, land, regbez, kreis, gemeinde, setting,
       count(*) AS beendet,
       count(*) FILTER (WHERE neue_hilfe_binnen_12_monaten IS NULL) AS nicht_auswertbar,
       count(*) FILTER (WHERE neue_hilfe_binnen_12_monaten IS NOT NULL) AS auswertbar,
       count(*) FILTER (WHERE neue_hilfe_binnen_12_monaten) AS neue_hilfe_binnen_12_monaten,
       count(*) FILTER (WHERE neue_hilfe_binnen_12_monaten)::numeric
           / nullif(count(*) FILTER (WHERE neue_hilfe_binnen_12_monaten IS NOT NULL), 0)
           AS anteil_neue_hilfe_binnen_12_monaten
FROM v_hze_personenhilfen
WHERE ende IS NOT NULL AND NOT ist_abgabe
GROUP BY extract(year FROM ende), land, regbez, kreis, gemeinde, setting;

-- v_hze_hilfeketten: a plausibility of the chains through anschlusshilfe, per Berichtsjahr
-- of the ende x Jugendamt: of the aids with person_id ended without Abgabe whose
-- anschlusshilfe names a follow-up aid in this statistic, how often such an aid of the
-- same person is found (v_hze_personenhilfen.anschluss_gefunden); office planners only:
--   anschluss_genannt  anschlusshilfe 4 (Hilfe zur Erziehung) or 5 (Eingliederungshilfe
--                    § 35a); anschluss_hze and anschluss_35a each
--   nicht_auswertbar the month of ende + 3 reaches a Berichtsjahr not loaded (with
--                    person_id): not counted below
--   auswertbar       anschluss_genannt - nicht_auswertbar, the denominator
--   gefunden         an aid of the named kind (4: any hilfeart but 13; 5: 13) began in the
--                    month of ende or the 3 months after; nicht_gefunden = auswertbar -
--                    gefunden: the chain the record names is not in the data (the
--                    follow-up aid is elsewhere, not yet delivered, or anschlusshilfe wrong)
--   anteil_gefunden  gefunden / auswertbar
DROP VIEW IF EXISTS v_hze_hilfeketten CASCADE;
CREATE VIEW v_hze_hilfeketten AS
SELECT extract(year FROM ende)::bigint AS berichtsjahr, land, regbez, kreis, gemeinde,
       count(*) AS anschluss_genannt,
       count(*) FILTER (WHERE anschlusshilfe = '4') AS anschluss_hze,
       count(*) FILTER (WHERE anschlusshilfe = '5') AS anschluss_35a,
       count(*) FILTER (WHERE anschluss_gefunden IS NULL) AS nicht_auswertbar,
       count(*) FILTER (WHERE anschluss_gefunden IS NOT NULL) AS auswertbar,
       count(*) FILTER (WHERE anschluss_gefunden) AS gefunden,
       count(*) FILTER (WHERE NOT anschluss_gefunden) AS nicht_gefunden,
       count(*) FILTER (WHERE anschluss_gefunden)::numeric
           / nullif(count(*) FILTER (WHERE anschluss_gefunden IS NOT NULL), 0) AS anteil_gefunden
FROM v_hze_personenhilfen
WHERE ende IS NOT NULL AND NOT ist_abgabe AND anschlusshilfe IN ('4', '5')
GROUP BY extract(year FROM ende), land, regbez, kreis, gemeinde;
