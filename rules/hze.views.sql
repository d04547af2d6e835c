-- Views over the loaded hze data: the key figures of youth-welfare controlling
-- (the domain reference key-figures.md), for dashboards that only have to select.
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
--   - Nothing here is suppressed: these views are for the office's own controlling and
--     must stay additive. A view or report for a committee suppresses every cell over
--     fewer than 3 young people -- junge_menschen, not the aids -- and any total from which
--     such a cell could be computed by subtraction.
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
-- Fallzahl, per Berichtsjahr x unit x Sozialraum:
--   anteil_ambulant        ambulant / faelle_ohne_eb: both without Erziehungsberatung
--                          (01-03), which would otherwise dominate; teilstationär aids
--                          count in the denominator only; § 35a is included.
--   anteil_vollzeitpflege  vollzeitpflege (09, 10) / stationaer, stationaer being every
--                          aid whose setting is stationär (also 12 and 13 at a stationary
--                          ort, and 15). A § 35a aid in a foster family (13 at ort 02/03)
--                          is stationär but not Vollzeitpflege.
--   junge_menschen         the young people of the faelle (see v_hze_hilfen)
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
       count(*) FILTER (WHERE setting = 'ambulant' AND NOT ist_erziehungsberatung)::numeric
           / nullif(count(*) FILTER (WHERE NOT ist_erziehungsberatung), 0) AS anteil_ambulant,
       count(*) FILTER (WHERE hilfeart IN ('09', '10'))::numeric
           / nullif(count(*) FILTER (WHERE setting = 'stationär'), 0) AS anteil_vollzeitpflege
FROM v_hze_hilfen
WHERE ist_fall
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;

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

-- v_hze_warnungen: warnings per Berichtsjahr x unit x Sozialraum x rule, for the
-- records that are loaded (the Sozialraum of a rejected record is not stored, only its
-- raw text): warned records and their share of the loaded records of that Sozialraum.
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
    FROM hze
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
