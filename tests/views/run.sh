#!/usr/bin/env bash
# Tests of the dashboard views (rules/hze.views.sql, rules/bevoelkerung.views.sql,
# rules/gefaehrdung.views.sql, rules/schutz.views.sql) against
# a real PostgreSQL that this script starts (tests/pg.sh) and stops. The fixture exports in
# tests/views/ are loaded with the real binary; each view's output is compared with an
# expected file in tests/views/expected/ whose numbers were computed by hand (see
# tests/views/README.md). Then: a views file that changed on its own is applied again, and
# a broken views file is reported with its name, line and column.
#
#   tests/views/run.sh BUILD
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PLAUSID=$ROOT/$BUILD/plausid
V=tests/views
# shellcheck source=../pg.sh
. tests/pg.sh
# shellcheck source=../lib.sh
. tests/lib.sh

pg_suite views

# expect NAME EXPECTED_FILE QUERY: the query's rows (psql unaligned, '|', NULL empty)
# must equal the file.
expect() {
        if ! q "$3" >"$T/actual.txt" 2>"$T/psql.err"; then
                fail "$1" "the query failed"
                cat "$T/psql.err" >&2
        elif diff -u "$2" "$T/actual.txt" >"$T/diff.txt"; then
                pass
        else
                fail "$1" "- expected, + actual"
                cat "$T/diff.txt" >&2
        fi
}

write_config() { # write_config FILE RULES_DIR
        cat >"$1" <<EOC
database:
  conninfo: ""
  schema: plausid
sources:
  - name: hze
    rules: $2/hze.yaml
    max_reject_share: 0.5
  - name: bevoelkerung
    rules: $2/bevoelkerung.yaml
  - name: zuordnung
    rules: $2/zuordnung.yaml
  - name: gefaehrdung
    rules: $2/gefaehrdung.yaml
  - name: schutz
    rules: $2/schutz.yaml
EOC
}

load() { # load CONFIG SOURCE FILE... ; sets $status, $out and $T/stderr
        out=$("$PLAUSID" load --config "$1" --source "$2" "${@:3}" 2>"$T/stderr")
        status=$?
}

# The order of the columns and rows that every comparison uses. land, regbez, kreis and
# gemeinde are the same in every fixture record; they are checked once.
UNIT="berichtsjahr, einrichtung, sozialraum"
ORDER="ORDER BY berichtsjahr, einrichtung, sozialraum NULLS LAST"

# ==== the views on the fixtures, with the real rules/ ====
new_db t_views
write_config "$T/c.yaml" "$ROOT/rules"

# population first: its views wait for hze; a preliminary delivery is replaced by the
# final one of the same year (the pack has no delivery section: a year is one scope)
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024_vorlaeufig.csv
check "population first: exit status" 0 "$status"
check "population first: its views wait for hze" 1 "$(grep -c "views of bevoelkerung wait" <<<"$out")"
check "population first: no Eckwert view yet" "" "$(q "SELECT to_regclass('plausid.v_hze_eckwert')")"
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024.csv $V/bevoelkerung_2025.csv
check "population: final 2024 and 2025 loaded" "0|superseded,loaded,loaded" \
        "$status|$(q "SELECT string_agg(status, ',' ORDER BY id) FROM plausid.deliveries")"
check "population: the preliminary rows are gone" "0|20" \
        "$(q "SELECT count(*) FILTER (WHERE delivery_id = 1), count(*) FROM plausid.bevoelkerung")"
check "population: B10 warns about the 0 and loads it" "B10|West|1" \
        "$(q "SELECT f.rule, b.sozialraum, count(*) FROM plausid.findings f JOIN plausid.bevoelkerung b USING (delivery_id, line) GROUP BY 1, 2")"

load "$T/c.yaml" hze $V/hze_2023_asd.csv $V/hze_2024_asd.csv $V/hze_2024_eb_cp1252.csv
check "hze: three files loaded" "0|loaded|3" \
        "$status|$(q "SELECT status, count(*) FROM plausid.deliveries WHERE dataset = 'hze' GROUP BY status")"
check "hze: rows loaded (5 + 17 + 4)" 26 "$(q "SELECT count(*) FROM plausid.hze")"
check "hze: both views files applied" "bevoelkerung|true,hze|true" \
        "$(q "SELECT string_agg(dataset || '|' || views_applied, ',' ORDER BY dataset) FROM plausid.datasets")"
check "hze: the views exist" "v_bevoelkerung,v_bevoelkerung_unter21,v_hze,v_hze_beendigung,v_hze_begonnen_beendet,v_hze_datenqualitaet,v_hze_datenqualitaet_sozialraum,v_hze_datenqualitaet_zuordnung,v_hze_dauer,v_hze_dauer_setting,v_hze_dauerklassen,v_hze_eckwert,v_hze_fallzahl,v_hze_hilfen,v_hze_lebenslagen,v_hze_leistungsbereiche,v_hze_unbekannt,v_hze_warnungen" \
        "$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.views WHERE table_schema = 'plausid'")"
check "hze: one Jugendamt in the fixtures" "05|9|13|000" \
        "$(q "SELECT DISTINCT land, regbez, kreis, gemeinde FROM plausid.v_hze_fallzahl")"
check "v_hze_hilfen: no personal identifiers" 0 \
        "$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name = 'v_hze_hilfen' AND column_name IN ('person_id', 'lfd_nr', 'geburt')")"

expect "v_hze_fallzahl" $V/expected/fallzahl.txt \
        "SELECT $UNIT, paragraph, setting, andauernd, beendet, fallzahl FROM plausid.v_hze_fallzahl $ORDER, paragraph, setting"
expect "v_hze_begonnen_beendet" $V/expected/begonnen_beendet.txt \
        "SELECT $UNIT, paragraph, setting, begonnen, beendet, saldo, uebernommen, abgegeben FROM plausid.v_hze_begonnen_beendet $ORDER, paragraph, setting"
expect "v_hze_dauer" $V/expected/dauer.txt \
        "SELECT berichtsjahr, einrichtung, paragraph, beendet, dauer_summe, round(dauer_mittel, 4), dauer_median
         FROM plausid.v_hze_dauer ORDER BY berichtsjahr, einrichtung, paragraph"
expect "v_hze_beendigung" $V/expected/beendigung.txt \
        "SELECT $UNIT, paragraph, setting, beendet, abgabe, beendet_ohne_abgabe, planmaessig, round(anteil_planmaessig, 4)
         FROM plausid.v_hze_beendigung $ORDER, paragraph, setting"
expect "v_hze_lebenslagen" $V/expected/lebenslagen.txt \
        "SELECT $UNIT, paragraph, setting, faelle,
                familiensituation_bekannt, alleinerziehend, round(anteil_alleinerziehend, 4),
                transferleistungen_bekannt, transferleistungen, round(anteil_transferleistungen, 4),
                deutsch_zuhause_bekannt, nicht_deutsch_zuhause, round(anteil_nicht_deutsch_zuhause, 4),
                herkunft_ausland_bekannt, herkunft_ausland, round(anteil_herkunft_ausland, 4),
                alter_beginn_summe, round(alter_beginn_mittel, 4), junge_volljaehrige, round(anteil_41, 4)
         FROM plausid.v_hze_lebenslagen $ORDER, paragraph, setting"
expect "v_hze_leistungsbereiche" $V/expected/leistungsbereiche.txt \
        "SELECT $UNIT, faelle, faelle_ohne_eb, ambulant_ohne_eb, teilstationaer, stationaer, vollzeitpflege,
                round(anteil_ambulant, 4), round(anteil_vollzeitpflege, 4)
         FROM plausid.v_hze_leistungsbereiche $ORDER"
expect "v_hze_datenqualitaet" $V/expected/datenqualitaet.txt \
        "SELECT delivery_id, file_name, status, rule, severity, befunde, datensaetze, datensaetze_betroffen,
                round(anteil_betroffen, 4), dateibefund
         FROM plausid.v_hze_datenqualitaet ORDER BY delivery_id, rule"
expect "v_hze_warnungen" $V/expected/warnungen.txt \
        "SELECT $UNIT, rule, datensaetze_gewarnt, datensaetze, round(anteil_gewarnt, 4)
         FROM plausid.v_hze_warnungen $ORDER, rule"
expect "v_hze_unbekannt" $V/expected/unbekannt.txt \
        "SELECT $UNIT, datensaetze, familiensituation_unbekannt, herkunft_ausland_unbekannt, deutsch_zuhause_unbekannt,
                transferleistungen_unbekannt, round(anteil_familiensituation_unbekannt, 4),
                round(anteil_herkunft_ausland_unbekannt, 4), round(anteil_deutsch_zuhause_unbekannt, 4),
                round(anteil_transferleistungen_unbekannt, 4)
         FROM plausid.v_hze_unbekannt $ORDER"
expect "v_bevoelkerung_unter21" $V/expected/bevoelkerung_unter21.txt \
        "SELECT berichtsjahr, sozialraum, einwohner_unter21, einwohner_unter27 FROM plausid.v_bevoelkerung_unter21 ORDER BY 1, 2"
expect "v_hze_eckwert" $V/expected/eckwert.txt \
        "SELECT berichtsjahr, sozialraum, fallzahl, fallzahl_alle, einwohner_unter21, round(eckwert, 4), round(eckwert_alle, 4)
         FROM plausid.v_hze_eckwert ORDER BY berichtsjahr, sozialraum NULLS LAST"

# ---- the population with units and `gesamt` (rules/bevoelkerung.yaml): the same
# Sozialraum figures, so the same expected files; gesamt and a unit's own rows never
# count into a Sozialraum ----
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024_einheiten.csv
check "population with units: loaded, replaces 2024, B10 on West's 0 only" "0|21|B10|West" \
        "$status|$(q "SELECT count(*) FROM plausid.bevoelkerung WHERE berichtsjahr = 2024")|$(q "SELECT f.rule, b.sozialraum FROM plausid.findings f JOIN plausid.bevoelkerung b USING (delivery_id, line) WHERE b.delivery_id = (SELECT max(id) FROM plausid.deliveries)")"
check "population with units: the unit's own figures (under 18: 1300 + 1100 + 600; all ages)" "3000|25000|05-9-13-000-100001" \
        "$(q "SELECT sum(anzahl) FILTER (WHERE altersgruppe IN ('1', '2', '3')), sum(anzahl) FILTER (WHERE altersgruppe = 'gesamt'),
                     min(concat_ws('-', land, regbez, kreis, gemeinde, einrichtung))
              FROM plausid.bevoelkerung WHERE berichtsjahr = 2024 AND sozialraum IS NULL")"
expect "v_bevoelkerung_unter21 with units and gesamt" $V/expected/bevoelkerung_unter21.txt \
        "SELECT berichtsjahr, sozialraum, einwohner_unter21, einwohner_unter27 FROM plausid.v_bevoelkerung_unter21 ORDER BY 1, 2"
expect "v_hze_eckwert with units and gesamt" $V/expected/eckwert.txt \
        "SELECT berichtsjahr, sozialraum, fallzahl, fallzahl_alle, einwohner_unter21, round(eckwert, 4), round(eckwert_alle, 4)
         FROM plausid.v_hze_eckwert ORDER BY berichtsjahr, sozialraum NULLS LAST"

# The views agree with each other: the Eckwert's Fallzahl is v_hze_fallzahl without
# § 28 (Erziehungsberatung) and § 35a; shares recomputed from the counts over all units.
check "Eckwert's Fallzahl = v_hze_fallzahl without § 28 and § 35a" "15|15|21|21" \
        "$(q "SELECT (SELECT sum(fallzahl) FROM plausid.v_hze_fallzahl WHERE berichtsjahr = 2024 AND paragraph NOT IN ('§ 28', '§ 35a')),
                     (SELECT sum(fallzahl) FROM plausid.v_hze_eckwert WHERE berichtsjahr = 2024),
                     (SELECT sum(fallzahl) FROM plausid.v_hze_fallzahl WHERE berichtsjahr = 2024),
                     (SELECT sum(fallzahl_alle) FROM plausid.v_hze_eckwert WHERE berichtsjahr = 2024)")"
check "planmäßig over all units 2024: 6 of 10" "11|1|6|10|0.6000" \
        "$(q "SELECT sum(beendet), sum(abgabe), sum(planmaessig), sum(beendet_ohne_abgabe), round(sum(planmaessig) / sum(beendet_ohne_abgabe), 4)
              FROM plausid.v_hze_beendigung WHERE berichtsjahr = 2024")"

# ---- a corrected delivery replaces the EB unit's 2024 rows: the views follow ----
load "$T/c.yaml" hze $V/hze_2024_eb_korrektur_cp1252.csv
check "correction: loaded, the first EB delivery superseded" "0|superseded|loaded" \
        "$status|$(q "SELECT status FROM plausid.deliveries WHERE id = 6")|$(q "SELECT status FROM plausid.deliveries WHERE id = 7")"
check "correction: Fallzahl of the EB unit in Süd" "2|1|3" \
        "$(q "SELECT andauernd, beendet, fallzahl FROM plausid.v_hze_fallzahl WHERE einrichtung = '100002' AND sozialraum = 'Süd'")"
check "correction: Eckwert without EB unchanged, with all aids higher" "7|11|35.0000|55.0000" \
        "$(q "SELECT fallzahl, fallzahl_alle, round(eckwert, 4), round(eckwert_alle, 4) FROM plausid.v_hze_eckwert WHERE berichtsjahr = 2024 AND sozialraum = 'Süd'")"
check "correction: the superseded delivery's findings stay, marked" "6|superseded|H06" \
        "$(q "SELECT delivery_id, status, rule FROM plausid.v_hze_datenqualitaet WHERE delivery_id >= 6")"

# ==== takeovers, Abgaben, Volljährige, duration bands (tests/views/hze_2024_kanten.csv) ====
# A database of its own: unit 100009, 2024, 13 records (README: "Kanten"); the figures of
# the other fixtures stay as they are.
new_db t_kanten
load "$T/c.yaml" hze $V/hze_2024_kanten.csv
check "kanten: 13 records loaded, no finding" "0|13|0" \
        "$status|$(q "SELECT count(*) FROM plausid.hze")|$(q "SELECT count(*) FROM plausid.findings")"
expect "kanten: v_hze_hilfen per record" $V/expected/hilfen_kanten.txt \
        "SELECT line, sozialraum, setting, ist_uebernahme, ist_uebernommen_im_jahr, ist_abgabe, ist_begonnen, ist_beendet,
                ist_fall, alter_beginn, ist_41, alter_stichtag, ist_volljaehrig, dauer_monate, dauer_bisher_monate
         FROM plausid.v_hze_hilfen ORDER BY line"
KU="sozialraum, paragraph, setting"
expect "kanten: v_hze_fallzahl counts takeovers and Abgaben" $V/expected/fallzahl_kanten.txt \
        "SELECT $KU, andauernd, beendet, fallzahl FROM plausid.v_hze_fallzahl ORDER BY $KU"
expect "kanten: v_hze_begonnen_beendet without takeovers and Abgaben" $V/expected/begonnen_beendet_kanten.txt \
        "SELECT $KU, begonnen, beendet, saldo, uebernommen, abgegeben FROM plausid.v_hze_begonnen_beendet ORDER BY $KU"
expect "kanten: v_hze_dauer without Abgaben" $V/expected/dauer_kanten.txt \
        "SELECT paragraph, beendet, dauer_summe, round(dauer_mittel, 4), dauer_median FROM plausid.v_hze_dauer ORDER BY paragraph"
expect "kanten: v_hze_dauer_setting" $V/expected/dauer_setting_kanten.txt \
        "SELECT sozialraum, setting, beendet, dauer_summe, round(dauer_mittel, 4), dauer_median,
                andauernd, dauer_bisher_summe, round(dauer_bisher_mittel, 4), dauer_bisher_median
         FROM plausid.v_hze_dauer_setting ORDER BY sozialraum, setting"
expect "kanten: v_hze_dauerklassen, the band edges" $V/expected/dauerklassen_kanten.txt \
        "SELECT sozialraum, setting, beendet, unter_6, von_6_bis_unter_12, von_12_bis_unter_24, ab_24,
                round(anteil_unter_6, 4), round(anteil_6_bis_unter_12, 4), round(anteil_12_bis_unter_24, 4), round(anteil_ab_24, 4)
         FROM plausid.v_hze_dauerklassen ORDER BY sozialraum, setting"
expect "kanten: v_hze_lebenslagen, § 41 and Volljährige" $V/expected/lebenslagen_kanten.txt \
        "SELECT $KU, faelle, junge_volljaehrige, round(anteil_41, 4), volljaehrige, round(anteil_volljaehrig, 4)
         FROM plausid.v_hze_lebenslagen ORDER BY $KU"
# The views agree with each other: the bands make up beendet; v_hze_dauer_setting's ended
# aids are v_hze_dauer's and v_hze_beendigung's without Abgabe, while the Fallzahl keeps
# the Abgabe (8 ended); the old begun and ended counts are the new ones plus the takeovers
# and the Abgaben (6 and 8).
check "kanten: bands, Dauer and Beendigung agree" "0|7|7|7|8" \
        "$(q "SELECT count(*) FROM plausid.v_hze_dauerklassen WHERE unter_6 + von_6_bis_unter_12 + von_12_bis_unter_24 + ab_24 <> beendet")|$(q "SELECT sum(beendet) FROM plausid.v_hze_dauer_setting")|$(q "SELECT sum(beendet) FROM plausid.v_hze_dauer")|$(q "SELECT sum(beendet_ohne_abgabe) FROM plausid.v_hze_beendigung")|$(q "SELECT sum(beendet) FROM plausid.v_hze_fallzahl")"
check "kanten: begonnen + uebernommen, beendet + abgegeben" "5|1|7|1" \
        "$(q "SELECT sum(begonnen), sum(uebernommen), sum(beendet), sum(abgegeben) FROM plausid.v_hze_begonnen_beendet")"

# ==== rejected records per Sozialraum (tests/views/hze_2024_qualitaet.csv; README: "Qualität") ====
# A database of its own: unit 100010, 2024, 12 records, 7 of them rejected, 2 warned, and a
# mapping (zuordnung_2024_qualitaet.csv) for the records without a Sozialraum.
new_db t_qualitaet
DQ="SELECT berichtsjahr, land, regbez, kreis, gemeinde, einrichtung, sozialraum, datensaetze, geladen, abgelehnt,
           round(anteil_abgelehnt, 4), gewarnt, round(anteil_gewarnt, 4)
    FROM plausid.v_hze_datenqualitaet_sozialraum ORDER BY berichtsjahr, einrichtung, sozialraum"
load "$T/c.yaml" zuordnung $V/zuordnung_2024_qualitaet.csv
check "qualitaet: the mapping loaded" "0|4" "$status|$(q "SELECT count(*) FROM plausid.zuordnung")"
# 7 of 12 rejected is over the gate of 0.5: rejected as a whole, so no row in the view
load "$T/c.yaml" hze $V/hze_2024_qualitaet.csv
check "qualitaet: over the gate, rejected as a whole, its 7 rejected records kept" "1|rejected|7" \
        "$status|$(q "SELECT status FROM plausid.deliveries WHERE id = 2")|$(q "SELECT count(*) FROM plausid.rejected_records WHERE delivery_id = 2")"
check "qualitaet: a delivery rejected as a whole is not in the view" 0 \
        "$(q "SELECT count(*) FROM plausid.v_hze_datenqualitaet_sozialraum")"
sed 's/max_reject_share: 0.5/max_reject_share: 0.6/' "$T/c.yaml" >"$T/c_qualitaet.yaml"
load "$T/c_qualitaet.yaml" hze $V/hze_2024_qualitaet.csv
check "qualitaet: with a gate of 0.6 loaded: 12 records, 5 loaded, 7 rejected, 2 warned" "0|loaded|12|5|7|2" \
        "$status|$(q "SELECT status, records, loaded, rejected, warned FROM plausid.deliveries WHERE id = 3")"
check "qualitaet: the rejected records' fields as delivered" \
"6|05|9|13|000|100010|2024|00005|Nord
7|05|9|13|000|100010|2024|00006|Süd
8|05|9|13|000|100010|2024|00007|
9|05|9|13|000|100010|2O24|00008|
10|05|9|13|000|100010|2024|00009|
11||||||||
12|05|9|13|000|10001O|2024|00011|Nord" \
        "$(q "SELECT line, land, regbez, kreis, gemeinde, einrichtung, berichtsjahr, lfd_nr, gruppe FROM plausid.rejected_records WHERE delivery_id = 3 ORDER BY line")"
expect "qualitaet: v_hze_datenqualitaet_sozialraum" $V/expected/datenqualitaet_sozialraum_qualitaet.txt "$DQ"
check "qualitaet: the view adds up to the register's counts (records, loaded, rejected, warned)" "12|5|7|2" \
        "$(q "SELECT sum(datensaetze), sum(geladen), sum(abgelehnt), sum(gewarnt) FROM plausid.v_hze_datenqualitaet_sozialraum")"
# A record rejected before schema version 3 has no fields: it counts in its delivery's
# year and main unit, 'ohne Zuordnung' (as the unreadable line 11 does).
q "UPDATE plausid.rejected_records SET land = NULL, regbez = NULL, kreis = NULL, gemeinde = NULL, einrichtung = NULL,
          berichtsjahr = NULL, lfd_nr = NULL, gruppe = NULL WHERE delivery_id = 3 AND line = 7" >/dev/null
check "qualitaet: a rejected record without fields (schema before 3): Süd 1 less, ohne Zuordnung 1 more" "Süd:0,ohne Zuordnung:3" \
        "$(q "SELECT string_agg(sozialraum || ':' || abgelehnt, ',' ORDER BY sozialraum) FROM plausid.v_hze_datenqualitaet_sozialraum WHERE einrichtung = '100010' AND sozialraum IN ('Süd', 'ohne Zuordnung')")"

# ==== a views file that changed on its own (same pack) is applied again ====
R=$T/rules
mkdir -p "$R"
cp rules/hze.yaml rules/hze.views.sql rules/bevoelkerung.yaml rules/bevoelkerung.views.sql rules/zuordnung.yaml "$R"/
new_db t_change
write_config "$T/c2.yaml" "$R"
# A view of the population's file built on a view of hze's file: CASCADE drops it whenever
# hze's views run again, and plausid must apply the population's file after them.
printf '\nDROP VIEW IF EXISTS v_auf_hilfen CASCADE;\nCREATE VIEW v_auf_hilfen AS SELECT count(*) AS n FROM v_hze_hilfen;\n' \
        >>"$R/bevoelkerung.views.sql"
load "$T/c2.yaml" bevoelkerung $V/bevoelkerung_2024.csv
load "$T/c2.yaml" hze $V/hze_2024_asd.csv
check "change: loaded with a copy of the packs" "0|t" "$status|$(q "SELECT to_regclass('plausid.v_hze_eckwert') IS NOT NULL")"
check "change: a view built on another file's view is there" 17 "$(q "SELECT n FROM plausid.v_auf_hilfen")"
printf '\nDROP VIEW IF EXISTS v_hze_neu CASCADE;\nCREATE VIEW v_hze_neu AS SELECT count(*) AS n FROM hze;\n' >>"$R/hze.views.sql"
load "$T/c2.yaml" hze $V/hze_2024_asd.csv
check "change: a duplicate file, but the changed views are applied" "0|17" "$status|$(q "SELECT n FROM plausid.v_hze_neu")"
check "change: the stored text is the file's" "$(md5sum <"$R/hze.views.sql" | cut -d' ' -f1)" \
        "$(q "SELECT md5(views_sql) FROM plausid.datasets WHERE dataset = 'hze'")"
check "change: the Eckwert survives the hze views being applied again" "t|4" \
        "$(q "SELECT to_regclass('plausid.v_hze_eckwert') IS NOT NULL, count(*) FROM plausid.v_hze_eckwert")"
check "change: the view built on v_hze_hilfen is applied again after hze's file" "17|t" \
        "$(q "SELECT n FROM plausid.v_auf_hilfen")|$(q "SELECT bool_and(views_applied) FROM plausid.datasets WHERE views_sql IS NOT NULL")"

# ==== a broken views file of the data set being loaded: reported, nothing loaded ====
cp "$R/hze.views.sql" "$T/hze.views.sql.good"
line=$(($(wc -l <"$R/hze.views.sql") + 1))
# An umlaut before the error: the server counts characters, not bytes.
printf "CREATE VIEW v_kaputt AS SELECT 'ä' AS a, kaputt FROM hze;\n" >>"$R/hze.views.sql"
rows="$(q "SELECT count(*) FROM plausid.hze")|$(q "SELECT count(*) FROM plausid.deliveries")"
load "$T/c2.yaml" hze $V/hze_2023_asd.csv
check "broken views: exit status" 2 "$status"
check "broken views: file:line:col and the server's message" 1 \
        "$(grep -c "$R/hze.views.sql:$line:42: column \"kaputt\" does not exist" "$T/stderr")"
check "broken views: nothing of the file loaded, not even its delivery row" "$rows" \
        "$(q "SELECT count(*) FROM plausid.hze")|$(q "SELECT count(*) FROM plausid.deliveries")"
check "broken views: the views in place are kept" 17 "$(q "SELECT n FROM plausid.v_hze_neu")"
cp "$T/hze.views.sql.good" "$R/hze.views.sql"
load "$T/c2.yaml" hze $V/hze_2023_asd.csv
check "broken views: once repaired the file loads" "0|22" "$status|$(q "SELECT n FROM plausid.v_hze_neu")"

# ==== a broken views file of ANOTHER data set does not stop this one's loads ====
new_db t_wait
cp rules/bevoelkerung.views.sql "$R/bevoelkerung.views.sql"
sed -i 's/::bigint AS einwohner_unter27/::bigint + sum(anzahl_kaputt) AS einwohner_unter27/' "$R/bevoelkerung.views.sql"
bline=$(grep -n anzahl_kaputt "$R/bevoelkerung.views.sql" | cut -d: -f1)
load "$T/c2.yaml" bevoelkerung $V/bevoelkerung_2024.csv
check "other broken: population loads, its views wait" "0|1" "$status|$(grep -c "views of bevoelkerung wait" <<<"$out")"
load "$T/c2.yaml" hze $V/hze_2024_asd.csv
check "other broken: hze loads all the same" "0|17" "$status|$(q "SELECT count(*) FROM plausid.hze")"
check "other broken: hze's views applied, the population's still waiting" "bevoelkerung|false,hze|true||t" \
        "$(q "SELECT string_agg(dataset || '|' || views_applied, ',' ORDER BY dataset) FROM plausid.datasets")|$(q "SELECT to_regclass('plausid.v_hze_eckwert')")|$(q "SELECT to_regclass('plausid.v_hze_fallzahl') IS NOT NULL")"
load "$T/c2.yaml" bevoelkerung $V/bevoelkerung_2024.csv
check "other broken: reported when its own data set is loaded" "2|1" \
        "$status|$(grep -c "$R/bevoelkerung.views.sql:$bline:[0-9]*: column \"anzahl_kaputt\" does not exist" "$T/stderr")"
cp rules/bevoelkerung.views.sql "$R/bevoelkerung.views.sql"
load "$T/c2.yaml" bevoelkerung $V/bevoelkerung_2024.csv
check "other broken: repaired, the Eckwert is there" "0|70.0000" \
        "$status|$(q "SELECT round(eckwert, 4) FROM plausid.v_hze_eckwert WHERE sozialraum = 'Nord'")"

# ==== the sample population: every Sozialraum of the hze samples has its population ====
new_db t_samples
load "$T/c.yaml" bevoelkerung samples/bevoelkerung_2024.csv
check "samples: population loads without findings" "0|40|0" \
        "$status|$(q "SELECT count(*) FROM plausid.bevoelkerung")|$(q "SELECT count(*) FROM plausid.findings")"
load "$T/c.yaml" hze samples/hze_2024_sued_cp1252.csv
check "samples: every Sozialraum of the export has an Eckwert" "0|8|0" \
        "$status|$(q "SELECT count(*) FROM plausid.v_hze_eckwert WHERE eckwert > 0")|$(q "SELECT count(*) FROM plausid.v_hze_eckwert WHERE eckwert IS NULL")"
# the same export as the official fixed-width record (no Sozialraum) and the sample mapping,
# which leaves out two of its cases (00299, 00300)
"$ROOT/$BUILD/csv2fixed" rules/hze.yaml 2024 <samples/hze_2024_sued_cp1252.csv >"$T/jgh_2024_sued.txt"
load "$T/c.yaml" hze "$T/jgh_2024_sued.txt"
load "$T/c.yaml" zuordnung samples/zuordnung_2024_sued.csv
check "samples: the mapping loads without findings" "0|0" "$status|$(q "SELECT count(*) FROM plausid.findings f JOIN plausid.deliveries d ON d.id = f.delivery_id WHERE d.dataset = 'zuordnung'")"
check "samples: the fixed-width records get their Sozialraum from the mapping, but two" "0|2|t" \
        "$(q "SELECT sozialraum_datensatz, ohne_zuordnung, sozialraum_zuordnung + 2 = datensaetze FROM plausid.v_hze_datenqualitaet_zuordnung WHERE file_name = 'jgh_2024_sued.txt'")"
check "samples: every Sozialraum has its Eckwert again, the two are 'ohne Zuordnung'" "8|ohne Zuordnung" \
        "$(q "SELECT count(*) FROM plausid.v_hze_eckwert WHERE eckwert > 0")|$(q "SELECT string_agg(sozialraum, ',') FROM plausid.v_hze_eckwert WHERE eckwert IS NULL")"

# ==== the Sozialraum through the mapping (rules/zuordnung.yaml; README: "Zuordnung") ====
# A fixed-width statistics file (no Sozialraum) of unit 100003, made from
# hze_2024_ost_statistik.csv with csv2fixed, a CSV export of unit 100004 with a sozialraum
# column, a mapping of both units and its redelivery for unit 100003.
zuordnung_fixtures() { # zuordnung_fixtures CONFIG: loads deliveries 1 to 4
        load "$1" bevoelkerung $V/bevoelkerung_2024.csv
        load "$1" hze "$T/jgh_2024.txt"
        load "$1" zuordnung $V/zuordnung_2024.csv
        load "$1" hze $V/hze_2024_sozialraum.csv
}
"$ROOT/$BUILD/csv2fixed" rules/hze.yaml 2024 <$V/hze_2024_ost_statistik.csv >"$T/jgh_2024.txt"
new_db t_zuordnung
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024.csv
load "$T/c.yaml" hze "$T/jgh_2024.txt"
check "zuordnung: the fixed-width file loaded, without Sozialraum, with the family block" "0|iso-8859-1|8|0|10" \
        "$status|$(q "SELECT encoding FROM plausid.deliveries WHERE id = 2")|$(q "SELECT count(*), count(sozialraum), sum(weitere_junge_menschen) FROM plausid.hze")"
check "zuordnung: before any mapping every record is 'ohne Zuordnung'" "2|8|0|0|8|1.0000" \
        "$(q "SELECT delivery_id, datensaetze, sozialraum_datensatz, sozialraum_zuordnung, ohne_zuordnung, round(anteil_ohne_zuordnung, 4) FROM plausid.v_hze_datenqualitaet_zuordnung")"
check "zuordnung: ... a group without population: no Eckwert; Nord, Süd, West at 0" "6|8|||3|0" \
        "$(q "SELECT fallzahl, fallzahl_alle, einwohner_unter21, eckwert FROM plausid.v_hze_eckwert WHERE sozialraum = 'ohne Zuordnung'")|$(q "SELECT count(*), sum(fallzahl_alle) FROM plausid.v_hze_eckwert WHERE sozialraum <> 'ohne Zuordnung'")"
check "zuordnung: the views made the empty mapping table" "0|f" \
        "$(q "SELECT count(*) FROM plausid.zuordnung")|$(q "SELECT EXISTS (SELECT 1 FROM plausid.datasets WHERE dataset = 'zuordnung')")"
columns() { q "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name = 'zuordnung'"; }
made_by_views=$(columns)
load "$T/c.yaml" zuordnung $V/zuordnung_2024.csv
check "zuordnung: the mapping loads into the table the views made" "0|9|9" \
        "$status|$(q "SELECT records FROM plausid.deliveries WHERE id = 3")|$(q "SELECT count(*) FROM plausid.zuordnung")"
load "$T/c.yaml" hze $V/hze_2024_sozialraum.csv
check "zuordnung: the CSV export loaded" "0|3" "$status|$(q "SELECT count(*) FROM plausid.hze WHERE delivery_id = 4")"
expect "zuordnung: each record's Sozialraum, where from, its young people" $V/expected/zuordnung_hilfen.txt \
        "SELECT einrichtung, line, sozialraum, sozialraum_herkunft, hilfeart, junge_menschen
         FROM plausid.v_hze_hilfen ORDER BY einrichtung, line"
EW="SELECT berichtsjahr, sozialraum, fallzahl, fallzahl_alle, einwohner_unter21, round(eckwert, 4), round(eckwert_alle, 4),
           junge_menschen, junge_menschen_alle FROM plausid.v_hze_eckwert ORDER BY berichtsjahr, sozialraum"
expect "zuordnung: Eckwert per Sozialraum" $V/expected/zuordnung_eckwert.txt "$EW"
check "zuordnung: unassigned share per delivery" "2|0|6|2|0.2500,4|1|1|1|0.3333" \
        "$(q "SELECT string_agg(concat_ws('|', delivery_id, sozialraum_datensatz, sozialraum_zuordnung, ohne_zuordnung, round(anteil_ohne_zuordnung, 4)), ',' ORDER BY delivery_id) FROM plausid.v_hze_datenqualitaet_zuordnung")"

# the mapping of unit 100003 delivered again: it replaces the first one's rows of that
# unit-year (those of unit 100004 stay); 00008's empty Sozialraum is a warning (Z10)
load "$T/c.yaml" zuordnung $V/zuordnung_2024_korrektur.csv
check "zuordnung: redelivery loaded with its Z10 warning" "0|loaded|6|1|Z10" \
        "$status|$(q "SELECT status || '|' || loaded || '|' || warned FROM plausid.deliveries WHERE id = 5")|$(q "SELECT string_agg(rule, ',') FROM plausid.findings WHERE delivery_id = 5")"
check "zuordnung: the first mapping keeps only unit 100004's rows" "loaded|3:2,5:6" \
        "$(q "SELECT status FROM plausid.deliveries WHERE id = 3")|$(q "SELECT string_agg(delivery_id || ':' || n, ',' ORDER BY delivery_id) FROM (SELECT delivery_id, count(*) AS n FROM plausid.zuordnung GROUP BY 1) x")"
expect "zuordnung: Eckwert per Sozialraum after the redelivered mapping" $V/expected/zuordnung_eckwert_korrektur.txt "$EW"
expect "zuordnung: unassigned share per delivery after the redelivered mapping" $V/expected/zuordnung_datenqualitaet.txt \
        "SELECT delivery_id, file_name, status, datensaetze, sozialraum_datensatz, sozialraum_zuordnung, ohne_zuordnung,
                round(anteil_ohne_zuordnung, 4)
         FROM plausid.v_hze_datenqualitaet_zuordnung ORDER BY delivery_id"
# The two files assign alike: v_hze_fallzahl (rules/hze.views.sql) summed per Sozialraum is
# the Eckwert's Fallzahl with all aids (rules/bevoelkerung.views.sql), aids and young people.
check "zuordnung: v_hze_fallzahl and v_hze_eckwert assign alike" "4|0" \
        "$(q "SELECT count(*), count(*) FILTER (WHERE f.fallzahl IS DISTINCT FROM e.fallzahl_alle OR f.junge_menschen IS DISTINCT FROM e.junge_menschen_alle)
              FROM (SELECT berichtsjahr, sozialraum, sum(fallzahl) AS fallzahl, sum(junge_menschen) AS junge_menschen
                    FROM plausid.v_hze_fallzahl GROUP BY 1, 2) f
              FULL JOIN plausid.v_hze_eckwert e USING (berichtsjahr, sozialraum)")"
check "zuordnung: the other views group by the same Sozialräume" "Nord,Süd,West,ohne Zuordnung|Nord,Süd,West,ohne Zuordnung|Nord,Süd,West,ohne Zuordnung" \
        "$(q "SELECT string_agg(DISTINCT sozialraum, ',') FROM plausid.v_hze_leistungsbereiche")|$(q "SELECT string_agg(DISTINCT sozialraum, ',') FROM plausid.v_hze_unbekannt")|$(q "SELECT string_agg(DISTINCT sozialraum, ',') FROM plausid.v_hze_lebenslagen")"

# The table the views made is the one the loader makes of the pack.
new_db t_zuordnung_zuerst
load "$T/c.yaml" zuordnung $V/zuordnung_2024.csv
check "zuordnung: loaded first, the loader's table has the views' columns" "0|$made_by_views" "$status|$(columns)"

# The tests see a join that is wrong: with the mapping joined on the wrong number, the
# figures above are not met.
cp rules/hze.yaml rules/hze.views.sql rules/bevoelkerung.yaml rules/bevoelkerung.views.sql rules/zuordnung.yaml "$R"/
sed -i 's/z\.lfd_nr = h\.lfd_nr/z.lfd_nr = h.einrichtung/' "$R/hze.views.sql" "$R/bevoelkerung.views.sql"
check "zuordnung: the join broken on purpose in both views files" "2" "$(cat "$R"/*.views.sql | grep -c 'z.lfd_nr = h.einrichtung')"
new_db t_zuordnung_kaputt
zuordnung_fixtures "$T/c2.yaml"
expect_differs() { # expect_differs NAME EXPECTED_FILE QUERY
        q "$3" >"$T/actual.txt" 2>&1
        if diff -q "$2" "$T/actual.txt" >/dev/null; then fail "$1" "the broken join gave the expected figures"; else pass; fi
}
expect_differs "zuordnung: a broken join misses the per-record expectation" $V/expected/zuordnung_hilfen.txt \
        "SELECT einrichtung, line, sozialraum, sozialraum_herkunft, hilfeart, junge_menschen
         FROM plausid.v_hze_hilfen ORDER BY einrichtung, line"
expect_differs "zuordnung: a broken join misses the Eckwert expectation" $V/expected/zuordnung_eckwert.txt "$EW"

# ==== the § 8a views (rules/gefaehrdung.views.sql; README: "Gefährdungseinschätzungen") ====
# Two units, 2024 and 2025, loaded before any population: the file needs no other table
# and makes the population's table itself.
GEF="$V/gefaehrdung_2024_asd.csv $V/gefaehrdung_2024_kjnd.csv $V/gefaehrdung_2025_asd.csv"
bev_columns() {
        q "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name = 'bevoelkerung'"
        q "SELECT indexdef FROM pg_indexes WHERE schemaname = 'plausid' AND tablename = 'bevoelkerung'"
}
new_db t_gefaehrdung
# shellcheck disable=SC2086
load "$T/c.yaml" gefaehrdung $GEF
check "gefaehrdung: three files loaded, record 13 rejected (G01), G06 on two files" "0|loaded,loaded,loaded|12,4,3|G01,G06,G06" \
        "$status|$(q "SELECT string_agg(status, ',' ORDER BY id), string_agg(loaded::text, ',' ORDER BY id) FROM plausid.deliveries")|$(q "SELECT string_agg(rule, ',' ORDER BY rule) FROM plausid.findings")"
check "gefaehrdung: views applied at once, requiring nothing" "t|{}" \
        "$(q "SELECT views_applied, views_requires FROM plausid.datasets WHERE dataset = 'gefaehrdung'")"
check "gefaehrdung: the views made the empty population table" "0|f" \
        "$(q "SELECT count(*) FROM plausid.bevoelkerung")|$(q "SELECT EXISTS (SELECT 1 FROM plausid.datasets WHERE dataset = 'bevoelkerung')")"
check "gefaehrdung: without population no rate, on any row" "8|0|0|0|6|0" \
        "$(q "SELECT count(*), count(einwohner_unter18), count(einschaetzungen_je_10000), count(gefaehrdungen_je_10000) FROM plausid.v_gefaehrdung_kennzahlen")|$(q "SELECT count(*), count(einschaetzungen_je_10000) FROM plausid.v_gefaehrdung_eckwert")"
made_by_views=$(bev_columns)
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024.csv $V/bevoelkerung_2025.csv
check "gefaehrdung: the population loads into the table the views made; its views wait for hze" "0|20|1" \
        "$status|$(q "SELECT count(*) FROM plausid.bevoelkerung")|$(grep -c "views of bevoelkerung wait" <<<"$out")"
check "v_gefaehrdung_einschaetzungen: no personal identifiers" 0 \
        "$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name = 'v_gefaehrdung_einschaetzungen' AND column_name IN ('person_id', 'lfd_nr')")"
expect "v_gefaehrdung_einschaetzungen" $V/expected/gefaehrdung_einschaetzungen.txt \
        "SELECT berichtsjahr, einrichtung, line, sozialraum, sozialraum_herkunft, anregung, ergebnis, ist_gefaehrdung,
                vernachlaessigung, koerperliche_misshandlung, psychische_misshandlung, sexuelle_gewalt,
                inobhutnahme_folgt, hilfe_folgt
         FROM plausid.v_gefaehrdung_einschaetzungen ORDER BY berichtsjahr, einrichtung, line"
GK="SELECT $UNIT, einschaetzungen, einwohner_unter18, round(einschaetzungen_je_10000, 4), round(gefaehrdungen_je_10000, 4),
           akut, round(anteil_akut, 4), latent, round(anteil_latent, 4), hilfebedarf, round(anteil_hilfebedarf, 4),
           kein_hilfebedarf, round(anteil_kein_hilfebedarf, 4), gefaehrdung, round(anteil_gefaehrdung, 4),
           inobhutnahme_folgt, round(anteil_inobhutnahme_folgt, 4), hilfe_folgt, round(anteil_hilfe_folgt, 4)
    FROM plausid.v_gefaehrdung_kennzahlen $ORDER"
expect "v_gefaehrdung_kennzahlen" $V/expected/gefaehrdung_kennzahlen.txt "$GK"
check "v_gefaehrdung_kennzahlen: Süd 2025 has population of 2024 only: NULL" "2|||" \
        "$(q "SELECT einschaetzungen, einwohner_unter18, einschaetzungen_je_10000, gefaehrdungen_je_10000 FROM plausid.v_gefaehrdung_kennzahlen WHERE berichtsjahr = 2025 AND sozialraum = 'Süd'")"
expect "v_gefaehrdung_eckwert" $V/expected/gefaehrdung_eckwert.txt \
        "SELECT berichtsjahr, sozialraum, einschaetzungen, gefaehrdung, einwohner_unter18, round(einschaetzungen_je_10000, 4),
                round(gefaehrdungen_je_10000, 4)
         FROM plausid.v_gefaehrdung_eckwert ORDER BY berichtsjahr, sozialraum"
expect "v_gefaehrdung_arten" $V/expected/gefaehrdung_arten.txt \
        "SELECT $UNIT, gefaehrdung, vernachlaessigung, round(anteil_vernachlaessigung, 4),
                koerperliche_misshandlung, round(anteil_koerperliche_misshandlung, 4),
                psychische_misshandlung, round(anteil_psychische_misshandlung, 4),
                sexuelle_gewalt, round(anteil_sexuelle_gewalt, 4), mehrere_arten
         FROM plausid.v_gefaehrdung_arten $ORDER"
GA="SELECT $UNIT, anregung, anregung_label, einschaetzungen, einschaetzungen_gesamt, round(anteil, 4), gefaehrdung,
           round(anteil_gefaehrdung, 4)
    FROM plausid.v_gefaehrdung_anregung $ORDER, anregung::integer"
expect "v_gefaehrdung_anregung" $V/expected/gefaehrdung_anregung.txt "$GA"
# The views agree with each other.
check "gefaehrdung: the four results make up every group" 0 \
        "$(q "SELECT count(*) FROM plausid.v_gefaehrdung_kennzahlen WHERE akut + latent + hilfebedarf + kein_hilfebedarf <> einschaetzungen
                 OR anteil_akut + anteil_latent + anteil_hilfebedarf + anteil_kein_hilfebedarf <> 1")"
check "gefaehrdung: anregung and arten sum to the Kennzahlen of their groups" "8|0|7|0" \
        "$(q "SELECT count(*), count(*) FILTER (WHERE a.n IS DISTINCT FROM k.einschaetzungen OR a.g IS DISTINCT FROM k.gefaehrdung)
              FROM plausid.v_gefaehrdung_kennzahlen k
              LEFT JOIN (SELECT berichtsjahr, einrichtung, sozialraum, sum(einschaetzungen) AS n, sum(gefaehrdung) AS g
                         FROM plausid.v_gefaehrdung_anregung GROUP BY 1, 2, 3) a USING (berichtsjahr, einrichtung, sozialraum)")|$(q "SELECT count(*), count(*) FILTER (WHERE a.gefaehrdung IS DISTINCT FROM k.gefaehrdung)
              FROM plausid.v_gefaehrdung_arten a JOIN plausid.v_gefaehrdung_kennzahlen k USING (berichtsjahr, einrichtung, sozialraum)")"
check "gefaehrdung: the Eckwert is the Kennzahlen summed over units" "7|0" \
        "$(q "SELECT count(*), count(*) FILTER (WHERE coalesce(k.n, 0) <> e.einschaetzungen OR coalesce(k.g, 0) <> e.gefaehrdung)
              FROM plausid.v_gefaehrdung_eckwert e
              LEFT JOIN (SELECT berichtsjahr, sozialraum, sum(einschaetzungen) AS n, sum(gefaehrdung) AS g
                         FROM plausid.v_gefaehrdung_kennzahlen GROUP BY 1, 2) k USING (berichtsjahr, sozialraum)")"
# The labels are the pack's, from the table codes: a changed label shows at once.
q "UPDATE plausid.codes SET label = 'Schule (geändert)' WHERE dataset = 'gefaehrdung' AND list = 'anregung' AND code = '3'" >/dev/null
check "gefaehrdung: anregung labels come from the table codes" "Schule (geändert)|3" \
        "$(q "SELECT DISTINCT anregung_label FROM plausid.v_gefaehrdung_anregung WHERE anregung = '3'")|$(q "SELECT count(*) FROM plausid.v_gefaehrdung_anregung WHERE anregung = '3'")"

# The population loaded first: the table is the loader's, the views file leaves it alone.
new_db t_gefaehrdung_bev_zuerst
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024.csv $V/bevoelkerung_2025.csv
check "gefaehrdung: the loader's population table is the one the views made" "0|$made_by_views" "$status|$(bev_columns)"
# shellcheck disable=SC2086
load "$T/c.yaml" gefaehrdung $GEF
check "gefaehrdung: population first, then the § 8a files" "0|20" "$status|$(q "SELECT count(*) FROM plausid.bevoelkerung")"
expect "v_gefaehrdung_kennzahlen, population loaded first" $V/expected/gefaehrdung_kennzahlen.txt "$GK"
# The population with units and gesamt: the same Sozialraum figures, the same rates.
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024_einheiten.csv
check "gefaehrdung: population with units and gesamt loaded" "0|26" "$status|$(q "SELECT count(*) FROM plausid.bevoelkerung")"
expect "v_gefaehrdung_kennzahlen with units and gesamt" $V/expected/gefaehrdung_kennzahlen.txt "$GK"
expect "v_gefaehrdung_eckwert with units and gesamt" $V/expected/gefaehrdung_eckwert.txt \
        "SELECT berichtsjahr, sozialraum, einschaetzungen, gefaehrdung, einwohner_unter18, round(einschaetzungen_je_10000, 4),
                round(gefaehrdungen_je_10000, 4)
         FROM plausid.v_gefaehrdung_eckwert ORDER BY berichtsjahr, sozialraum"

# ==== the § 42/§ 42a views (rules/schutz.views.sql; README: "Inobhutnahmen") ====
# Measures of four units and three years, loaded first: the views wait for hze. Then the
# population and the hze data with person_id of units 100001 (2023, 2024), 100003 (2024)
# and 100004 (2023-2025), and without of 100002 (2024).
SCHUTZ="$V/schutz_2023_asd.csv $V/schutz_2024_asd.csv $V/schutz_2024_kjnd.csv $V/schutz_2025_asd.csv $V/schutz_2025_notdienst.csv"
HZE_SCHUTZ="$V/hze_2023_schutz.csv $V/hze_2024_schutz.csv $V/hze_2024_schutz_ohne_person_id.csv $V/hze_2024_schutz_andere_einheiten.csv $V/hze_2025_schutz.csv"
new_db t_schutz
# shellcheck disable=SC2086
load "$T/c.yaml" schutz $SCHUTZ
check "schutz: five files loaded, the views wait for hze" "0|23|1|f|" \
        "$status|$(q "SELECT count(*) FROM plausid.schutz")|$(grep -c "views of schutz wait for the tables they need (schutz, hze)" <<<"$out")|$(q "SELECT views_applied FROM plausid.datasets WHERE dataset = 'schutz'")|$(q "SELECT to_regclass('plausid.v_schutz_kennzahlen')")"
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024.csv $V/bevoelkerung_2025.csv
check "schutz: the population loads, the views still wait" "0|f" "$status|$(q "SELECT views_applied FROM plausid.datasets WHERE dataset = 'schutz'")"
# shellcheck disable=SC2086
load "$T/c.yaml" hze $HZE_SCHUTZ
check "schutz: hze loaded, the views applied" "0|19|t" \
        "$status|$(q "SELECT count(*) FROM plausid.hze")|$(q "SELECT views_applied FROM plausid.datasets WHERE dataset = 'schutz'")"
check "schutz: no personal identifiers, no days" 0 \
        "$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name IN ('v_schutz_massnahmen', 'v_schutz_verknuepfung') AND column_name IN ('person_id', 'lfd_nr', 'beginn', 'ende')")"
expect "v_schutz_massnahmen" $V/expected/schutz_massnahmen.txt \
        "SELECT berichtsjahr, einrichtung, line, sozialraum, sozialraum_herkunft, art, beginn_monat, ende_monat, dauer_tage,
                anlass1, anlass2, anlass3, vorherige_8a, anschluss
         FROM plausid.v_schutz_massnahmen ORDER BY berichtsjahr, einrichtung, line"
expect "v_schutz_kennzahlen" $V/expected/schutz_kennzahlen.txt \
        "SELECT $UNIT, massnahmen, inobhutnahmen_42, inobhutnahmen_42a, einwohner_unter18, round(massnahmen_je_10000, 4),
                round(inobhutnahmen_42_je_10000, 4), round(inobhutnahmen_42a_je_10000, 4),
                dauer_tage_summe, dauer_tage_median, dauer_tage_summe_42, dauer_tage_median_42,
                dauer_tage_summe_42a, dauer_tage_median_42a,
                vorherige_8a_ja, vorherige_8a_nein, vorherige_8a_unbekannt, vorherige_8a_bekannt, round(anteil_vorherige_8a, 4)
         FROM plausid.v_schutz_kennzahlen $ORDER"
expect "v_schutz_eckwert" $V/expected/schutz_eckwert.txt \
        "SELECT berichtsjahr, sozialraum, massnahmen, inobhutnahmen_42, inobhutnahmen_42a, einwohner_unter18,
                round(massnahmen_je_10000, 4), round(inobhutnahmen_42_je_10000, 4), round(inobhutnahmen_42a_je_10000, 4)
         FROM plausid.v_schutz_eckwert ORDER BY berichtsjahr, sozialraum"
# The population with units and gesamt: the same Sozialraum figures, the same rates.
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2024_einheiten.csv
check "schutz: population with units and gesamt loaded" 0 "$status"
expect "v_schutz_eckwert with units and gesamt" $V/expected/schutz_eckwert.txt \
        "SELECT berichtsjahr, sozialraum, massnahmen, inobhutnahmen_42, inobhutnahmen_42a, einwohner_unter18,
                round(massnahmen_je_10000, 4), round(inobhutnahmen_42_je_10000, 4), round(inobhutnahmen_42a_je_10000, 4)
         FROM plausid.v_schutz_eckwert ORDER BY berichtsjahr, sozialraum"
expect "v_schutz_anlass" $V/expected/schutz_anlass.txt \
        "SELECT $UNIT, anlass, anlass_label, massnahmen_gesamt, genannt, round(anteil_genannt, 4), hauptanlass,
                round(anteil_hauptanlass, 4)
         FROM plausid.v_schutz_anlass $ORDER, anlass"
expect "v_schutz_anschluss" $V/expected/schutz_anschluss.txt \
        "SELECT $UNIT, anschluss, anschluss_label, massnahmen, massnahmen_gesamt, round(anteil, 4)
         FROM plausid.v_schutz_anschluss $ORDER, anschluss"
expect "v_schutz_verknuepfung" $V/expected/schutz_verknuepfung.txt \
        "SELECT berichtsjahr, einrichtung, line, sozialraum, art, beginn_monat, ende_monat, verknuepfung, mit_person_id,
                status_vorher, hze_vorher, status_danach, hze_danach
         FROM plausid.v_schutz_verknuepfung ORDER BY berichtsjahr, einrichtung, line"
SH="SELECT $UNIT, art, verknuepfung, massnahmen, ohne_person_id, vorher_nicht_auswertbar, vorher_auswertbar, hze_vorher,
           round(anteil_hze_vorher, 4), danach_noch_nicht_auswertbar, danach_auswertbar, hze_danach, round(anteil_hze_danach, 4)
    FROM plausid.v_schutz_hze $ORDER, art"
expect "v_schutz_hze" $V/expected/schutz_hze.txt "$SH"
# The views agree with each other.
check "schutz: every linkable measure is in exactly one class, (a) and (b)" "9|0" \
        "$(q "SELECT count(*), count(*) FILTER (WHERE massnahmen <> ohne_person_id + vorher_nicht_auswertbar + vorher_auswertbar
                                                 OR massnahmen <> ohne_person_id + danach_noch_nicht_auswertbar + danach_auswertbar)
              FROM plausid.v_schutz_hze WHERE verknuepfung = 'verknüpfbar'")"
check "schutz: link figures, reasons and follow-ups sum to the Kennzahlen of their groups" "10|0|0|0" \
        "$(q "SELECT count(*),
                     count(*) FILTER (WHERE k.massnahmen IS DISTINCT FROM (SELECT sum(massnahmen) FROM plausid.v_schutz_hze h
                                      WHERE (h.berichtsjahr, h.einrichtung, h.sozialraum) = (k.berichtsjahr, k.einrichtung, k.sozialraum))),
                     count(*) FILTER (WHERE k.massnahmen IS DISTINCT FROM (SELECT sum(hauptanlass) FROM plausid.v_schutz_anlass a
                                      WHERE (a.berichtsjahr, a.einrichtung, a.sozialraum) = (k.berichtsjahr, k.einrichtung, k.sozialraum))),
                     count(*) FILTER (WHERE k.massnahmen IS DISTINCT FROM (SELECT sum(massnahmen) FROM plausid.v_schutz_anschluss a
                                      WHERE (a.berichtsjahr, a.einrichtung, a.sozialraum) = (k.berichtsjahr, k.einrichtung, k.sozialraum)))
              FROM plausid.v_schutz_kennzahlen k")"
check "schutz: the Eckwert is the Kennzahlen summed over units" "8|0" \
        "$(q "SELECT count(*), count(*) FILTER (WHERE coalesce(k.n, 0) <> e.massnahmen OR coalesce(k.n42a, 0) <> e.inobhutnahmen_42a)
              FROM plausid.v_schutz_eckwert e
              LEFT JOIN (SELECT berichtsjahr, sozialraum, sum(massnahmen) AS n, sum(inobhutnahmen_42a) AS n42a
                         FROM plausid.v_schutz_kennzahlen GROUP BY 1, 2) k USING (berichtsjahr, sozialraum)")"

# hze 2025 of unit 100001 arrives: the windows that reached into 2025 are evaluated now.
# 2024 Süd: record 8 (ende 10.2024, its aid began 12.2024) counts; 2025: record 1's (b)
# finds nothing, record 2 (S21) had no aid before and one after, record 3 neither.
load "$T/c.yaml" hze $V/hze_2025_schutz_asd.csv
check "schutz: hze 2025 of the unit loaded" 0 "$status"
check "schutz: the windows into 2025 are evaluated now" \
        "2024|Süd|1|0|4|0|0|4|3,2024|Süd|2|0|1|0|0|1|0,2025|Nord|1|0|1|1|0|1|0,2025|Süd|1|0|1|0|0|1|1,2025|Süd|2|0|1|0|0|1|0" \
        "$(q "SELECT string_agg(concat_ws('|', berichtsjahr, sozialraum, art, vorher_nicht_auswertbar, vorher_auswertbar, hze_vorher,
                                          danach_noch_nicht_auswertbar, danach_auswertbar, hze_danach), ',' ORDER BY berichtsjahr, sozialraum, art)
              FROM plausid.v_schutz_hze WHERE einrichtung = '100001' AND berichtsjahr >= 2024 AND sozialraum IN ('Nord', 'Süd')
                AND NOT (berichtsjahr = 2024 AND sozialraum = 'Nord')")"


# ==== the Strategiekarte's Wächteramt page: committee views with suppression ====
# (rules/gefaehrdung.views.sql v_strategiekarte_8a, rules/schutz.views.sql
# v_strategiekarte_42; README: "Wächteramt"). The report codes against these columns.
S8A_COLS="berichtsjahr,land,regbez,kreis,gemeinde,ebene,sozialraum,einschaetzungen,einschaetzungen_gesperrt,eckwert_8a,eckwert_8a_gesperrt,anteil_gefaehrdung,anteil_gefaehrdung_gesperrt"
S42_COLS="berichtsjahr,land,regbez,kreis,gemeinde,ebene,sozialraum,inobhutnahmen,inobhutnahmen_gesperrt,eckwert_42,eckwert_42_gesperrt,dauer_median_tage,dauer_median_tage_gesperrt,anteil_rueckkehr,anteil_rueckkehr_gesperrt"
view_columns() { q "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'plausid' AND table_name = '$1'"; }
SK42="SELECT berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum, inobhutnahmen, inobhutnahmen_gesperrt,
             round(eckwert_42, 4), eckwert_42_gesperrt, dauer_median_tage, dauer_median_tage_gesperrt,
             round(anteil_rueckkehr, 4), anteil_rueckkehr_gesperrt
      FROM plausid.v_strategiekarte_42 ORDER BY berichtsjahr, land, regbez, kreis, gemeinde, ebene DESC, sozialraum"
SK8A="SELECT berichtsjahr, land, regbez, kreis, gemeinde, ebene, sozialraum, einschaetzungen, einschaetzungen_gesperrt,
             round(eckwert_8a, 4), eckwert_8a_gesperrt, round(anteil_gefaehrdung, 4), anteil_gefaehrdung_gesperrt
      FROM plausid.v_strategiekarte_8a ORDER BY berichtsjahr, land, regbez, kreis, gemeinde, ebene DESC, sozialraum"
# § 42 on the database above (population 2024 with units and gesamt, hze 2025 of 100001),
# plus a second Jugendamt's 2023 measures (05-9-13-001) and a 2023 population of both
load "$T/c.yaml" schutz $V/schutz_2023_waechter.csv
load "$T/c.yaml" bevoelkerung $V/bevoelkerung_2023_waechter.csv
check "waechter: the 2023 § 42 file of Jugendamt 05-9-13-001 and the 2023 population loaded" "0|14|32" \
        "$status|$(q "SELECT count(*) FROM plausid.schutz WHERE gemeinde = '001'")|$(q "SELECT count(*) FROM plausid.bevoelkerung WHERE berichtsjahr = 2023")"
check "v_strategiekarte_42: the columns the report reads" "$S42_COLS" "$(view_columns v_strategiekarte_42)"
expect "v_strategiekarte_42" $V/expected/strategiekarte_42_waechter.txt "$SK42"
# The counts behind the suppressed cells are those of v_schutz_kennzahlen (§ 42 only).
check "v_strategiekarte_42: inobhutnahmen are v_schutz_kennzahlen's inobhutnahmen_42" "31|31|35" \
        "$(q "SELECT sum(inobhutnahmen) FROM plausid.v_strategiekarte_42 WHERE ebene = 'Jugendamt' AND NOT inobhutnahmen_gesperrt")|$(q "SELECT sum(inobhutnahmen_42) FROM plausid.v_schutz_kennzahlen WHERE berichtsjahr = 2023 AND gemeinde = '001' OR berichtsjahr = 2024 OR berichtsjahr = 2025")|$(q "SELECT sum(massnahmen) FROM plausid.v_schutz_kennzahlen WHERE berichtsjahr = 2023 AND gemeinde = '001' OR berichtsjahr = 2024 OR berichtsjahr = 2025")"
# § 8a: the § 8a files, two 2023 files of the two Jugendämter, and the populations
GEF_W="$GEF $V/gefaehrdung_2023_waechter_a.csv $V/gefaehrdung_2023_waechter_b.csv"
BEV_W="$V/bevoelkerung_2023_waechter.csv $V/bevoelkerung_2024.csv $V/bevoelkerung_2025.csv"
new_db t_waechter
# shellcheck disable=SC2086
load "$T/c.yaml" gefaehrdung $GEF_W
# shellcheck disable=SC2086
load "$T/c.yaml" bevoelkerung $BEV_W
check "waechter: § 8a and population loaded" "0|43|52" \
        "$status|$(q "SELECT count(*) FROM plausid.gefaehrdung")|$(q "SELECT count(*) FROM plausid.bevoelkerung")"
check "v_strategiekarte_8a: the columns the report reads" "$S8A_COLS" "$(view_columns v_strategiekarte_8a)"
expect "v_strategiekarte_8a" $V/expected/strategiekarte_8a_waechter.txt "$SK8A"
# Each Jugendamt-year's total is the sum of its Sozialräume in v_gefaehrdung_kennzahlen.
check "v_strategiekarte_8a: the shown totals are v_gefaehrdung_kennzahlen's" "11,13,16,3" \
        "$(q "SELECT string_agg(s.einschaetzungen::text, ',' ORDER BY s.berichtsjahr, s.gemeinde) FROM plausid.v_strategiekarte_8a s
              WHERE s.ebene = 'Jugendamt' AND s.einschaetzungen = (SELECT sum(k.einschaetzungen) FROM plausid.v_gefaehrdung_kennzahlen k
                    WHERE k.berichtsjahr = s.berichtsjahr AND k.gemeinde = s.gemeinde)")"

# The tests see a suppression that is wrong: without the secondary suppression of counts
# (in v_strategiekarte_8a) and of shares (in v_strategiekarte_42) the figures above are
# not met.
RW=$T/rules_waechter
mkdir -p "$RW"
cp rules/*.yaml rules/*.views.sql "$RW"/
sed -i 's/k\.klein OR (count/k.klein OR false AND (count/' "$RW/gefaehrdung.views.sql"
sed -i 's/k\.a_vor OR (count/k.a_vor OR false AND (count/' "$RW/schutz.views.sql"
check "waechter: the secondary suppression broken on purpose" "1|1" \
        "$(grep -c 'klein OR false AND' "$RW/gefaehrdung.views.sql")|$(grep -c 'a_vor OR false AND' "$RW/schutz.views.sql")"
write_config "$T/c3.yaml" "$RW"
new_db t_waechter_kaputt
# shellcheck disable=SC2086
load "$T/c3.yaml" gefaehrdung $GEF_W
# shellcheck disable=SC2086
load "$T/c3.yaml" bevoelkerung $BEV_W
check "waechter: the broken v_strategiekarte_8a is there, with every row" 19 "$(q "SELECT count(*) FROM plausid.v_strategiekarte_8a")"
expect_differs "waechter: without secondary suppression of counts v_strategiekarte_8a misses" \
        $V/expected/strategiekarte_8a_waechter.txt "$SK8A"
# shellcheck disable=SC2086
load "$T/c3.yaml" schutz $SCHUTZ $V/schutz_2023_waechter.csv
# shellcheck disable=SC2086
load "$T/c3.yaml" hze $HZE_SCHUTZ $V/hze_2025_schutz_asd.csv
load "$T/c3.yaml" bevoelkerung $V/bevoelkerung_2024_einheiten.csv
check "waechter: the broken v_strategiekarte_42 is there, with every row" 18 "$(q "SELECT count(*) FROM plausid.v_strategiekarte_42")"
expect_differs "waechter: without secondary suppression of shares v_strategiekarte_42 misses" \
        $V/expected/strategiekarte_42_waechter.txt "$SK42"

summary
