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
    SELECT CASE WHEN r.berichtsjahr ~ '^[0-9]{4}$' AND r.berichtsjahr::bigint = ANY (l.jahre)
                THEN r.berichtsjahr::bigint ELSE l.jahr END AS berichtsjahr,
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
