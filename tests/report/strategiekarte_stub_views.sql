-- Stand-ins for the views the Strategiekarte reads, created by tests/report/strategiekarte.sh
-- in its throwaway database ONLY while a view is missing from rules/ (the views are written
-- on other branches). Their figures do not matter: the test compares the report with
-- whatever the views say. psql -v need_hze=1|0 -v need_dq=1|0 says which. They only have the contract's columns and a suppressed cell.
SET search_path = plausid;

\if :need_hze

CREATE OR REPLACE VIEW v_strategiekarte_hze_stub_base AS
SELECT h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.sozialraum,
       count(*) FILTER (WHERE h.ist_fall AND h.hilfeart NOT IN ('01', '02', '03', '13')) AS fallzahl,
       count(*) FILTER (WHERE h.ist_fall AND h.setting = 'ambulant' AND h.hilfeart NOT IN ('01', '02', '03', '13')) AS ambulant,
       count(*) FILTER (WHERE h.ist_fall AND h.hilfeart IN ('09', '10')) AS vzp,
       count(*) FILTER (WHERE h.ist_fall AND h.hilfeart IN ('09', '10', '11')) AS stationaer,
       count(*) FILTER (WHERE h.ist_beendet) AS beendet,
       count(*) FILTER (WHERE h.ist_beendet AND h.beendigungsgrund = '10') AS planmaessig,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY h.dauer_monate) AS dauer_median
FROM v_hze_hilfen h
GROUP BY GROUPING SETS ((h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde, h.sozialraum),
                        (h.berichtsjahr, h.land, h.regbez, h.kreis, h.gemeinde));

CREATE OR REPLACE VIEW v_strategiekarte_hze AS
SELECT b.berichtsjahr, b.land, b.regbez, b.kreis, b.gemeinde,
       CASE WHEN b.sozialraum IS NULL THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,
       coalesce(b.sozialraum, 'insgesamt') AS sozialraum,
       CASE WHEN b.fallzahl >= 3 THEN b.fallzahl END AS fallzahl, b.fallzahl < 3 AS fallzahl_gesperrt,
       p.einwohner_unter21, p.berichtsjahr AS bevoelkerung_jahr,
       CASE WHEN b.fallzahl >= 3 THEN 10000.0 * b.fallzahl / nullif(p.einwohner_unter21, 0) END AS eckwert,
       b.fallzahl < 3 AS eckwert_gesperrt,
       CASE WHEN b.fallzahl >= 3 THEN b.ambulant::numeric / nullif(b.fallzahl, 0) END AS anteil_ambulant,
       b.fallzahl < 3 AS anteil_ambulant_gesperrt,
       CASE WHEN b.fallzahl >= 3 THEN b.vzp::numeric / nullif(b.stationaer, 0) END AS anteil_vollzeitpflege,
       b.fallzahl < 3 AS anteil_vollzeitpflege_gesperrt,
       CASE WHEN b.beendet >= 3 THEN b.dauer_median END AS dauer_median, b.beendet < 3 AS dauer_median_gesperrt,
       CASE WHEN b.beendet >= 3 THEN b.planmaessig::numeric / b.beendet END AS anteil_planmaessig,
       b.beendet < 3 AS anteil_planmaessig_gesperrt,
       s.quote_unter15 AS sgb2_quote_unter15,
       NULL::bigint AS einwohner_gesamt, NULL::text AS groessenklasse
FROM v_strategiekarte_hze_stub_base b
LEFT JOIN LATERAL (SELECT u.berichtsjahr, u.einwohner_unter21 FROM v_bevoelkerung_unter21 u
                   WHERE u.sozialraum = b.sozialraum
                   ORDER BY abs(u.berichtsjahr - b.berichtsjahr), u.berichtsjahr DESC LIMIT 1) p ON true
LEFT JOIN sgb2 s ON s.berichtsjahr = b.berichtsjahr AND s.sozialraum = b.sozialraum;
\endif

\if :need_dq
CREATE OR REPLACE VIEW v_hze_datenqualitaet_sozialraum AS
SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum,
       count(*) + 2 * (sozialraum = 'Nord')::int AS datensaetze, count(*) AS geladen,
       2 * (sozialraum = 'Nord')::int AS abgelehnt,
       2 * (sozialraum = 'Nord')::int::numeric / (count(*) + 2 * (sozialraum = 'Nord')::int) AS anteil_abgelehnt,
       count(*) FILTER (WHERE familiensituation = '5') AS gewarnt,
       count(*) FILTER (WHERE familiensituation = '5')::numeric / count(*) AS anteil_gewarnt
FROM v_hze_hilfen
GROUP BY berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum;
\endif
