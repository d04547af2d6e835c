-- plausid schema, version 3: what a rejected record is about, beside its text.
-- Until version 2 a rejected record kept only its raw text, so data quality could be shown
-- per Sozialraum for warnings only (the loaded records have their fields in the data set's
-- table). Now the loader stores, in the same COPY as the text, the values of the fields a
-- report or dashboard groups by -- for any pack, each column filled where the pack has such
-- a field:
--   land, regbez, kreis, gemeinde, einrichtung, lfd_nr  the pack's fields of these names
--                (the reporting unit and the record's number within it)
--   berichtsjahr the pack's year field (dataset: year_field)
--   gruppe       the field the pack's delivery report groups by (report: group; for hze,
--                gefaehrdung, schutz, zuordnung, bevoelkerung and sgb2 the sozialraum,
--                for kennzahlen the kennzahl)
-- Every column is text, whatever the field's type in the data set's table: the value may
-- be the very thing that was invalid (a berichtsjahr "20x4", a kreis of three digits). A
-- valid value is written as a loaded record stores it (leading zeros restored), so it
-- joins the data set's tables and the mapping; an invalid one as it was read; an empty
-- one, or a field the pack lacks, as NULL. Records rejected before this version keep
-- NULL in every column.
--
-- CHOICE: columns, not one jsonb. A statistics office's dashboard (Power BI, Excel's
-- query editor, Grafana, Metabase) sees columns as they are, filters and groups by them
-- and joins them to the codes table without JSON operators; the fields that exist are a
-- fixed, short list (the unit of the official record), and a pack without one of them
-- leaves it NULL. Named by the role, gruppe, where packs name the field differently.
-- ADD COLUMN without a default rewrites nothing: old rows read as NULL at once.

ALTER TABLE rejected_records
    ADD COLUMN land text,
    ADD COLUMN regbez text,
    ADD COLUMN kreis text,
    ADD COLUMN gemeinde text,
    ADD COLUMN einrichtung text,
    ADD COLUMN berichtsjahr text,
    ADD COLUMN lfd_nr text,
    ADD COLUMN gruppe text;

COMMENT ON COLUMN rejected_records.land IS 'Land des abgewiesenen Datensatzes, wie geliefert (Text; NULL: leer oder vor Schema 3)';
COMMENT ON COLUMN rejected_records.regbez IS 'Regierungsbezirk, wie geliefert';
COMMENT ON COLUMN rejected_records.kreis IS 'Kreis, wie geliefert (gültig: mit führender Null wie in der Datentabelle)';
COMMENT ON COLUMN rejected_records.gemeinde IS 'Gemeinde, wie geliefert';
COMMENT ON COLUMN rejected_records.einrichtung IS 'Einrichtungs-Nr. der berichtenden Stelle, wie geliefert';
COMMENT ON COLUMN rejected_records.berichtsjahr IS 'Berichtsjahr (das Jahresfeld des Regelwerks), wie geliefert; kann ungültig sein';
COMMENT ON COLUMN rejected_records.lfd_nr IS 'laufende Nummer, wie geliefert (mit Einheit und Berichtsjahr der Schlüssel der Sozialraum-Zuordnung)';
COMMENT ON COLUMN rejected_records.gruppe IS 'Wert des Gruppierungsfelds des Lieferberichts (report: group; hze: sozialraum), wie geliefert';
