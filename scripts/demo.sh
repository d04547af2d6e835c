#!/usr/bin/env bash
# make demo: checks the sample exports in samples/ against rules/hze.yaml and shows what a
# controller would get, then starts a throwaway PostgreSQL under a scratch directory, loads
# the samples with plausid load, adds the sample population as a second source and shows
# what landed in the tables and the dashboard views, loads a sample as the official
# fixed-width record (no Sozialraum) and its Sozialraum mapping as a third source, the
# § 8a and § 42 samples and the figures of the Strategiekarte Wächteramt; finally runs the daemon (plausid run)
# on a scratch drop directory, drops exports into it and shows them archived or in
# quarantine. Last, the sample city's three Berichtsjahre (samples/stadt/, written by
# scripts/samples/stadt.py) go into a database of their own, and plausid report writes its
# Strategiekarte for 2024; the demo ends with the path of the HTML file.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=$BUILD/demo
mkdir -p "$OUT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The rule pack compiles and its examples pass"
"$BUILD/plausid" rules test rules/hze.yaml | tail -1

say "plausid check on the sample exports"
echo "\$ plausid check --rules rules/hze.yaml --rejects $OUT/findings.csv samples/hze_*.csv"
"$BUILD/plausid" check --rules rules/hze.yaml --rejects "$OUT/findings.csv" samples/hze_*.csv
status=$?
echo "(exit status $status: 0 = nothing rejected, 1 = records or a file rejected, 2 = could not run)"

say "plausid check on the official fixed-width record (208 characters, Latin-1, Berichtsjahr from the name)"
echo "\$ plausid check --rules rules/hze.yaml samples/jgh_2024_west.txt"
"$BUILD/plausid" check --rules rules/hze.yaml samples/jgh_2024_west.txt
echo "its first record:"
head -n 1 samples/jgh_2024_west.txt | tr -d '\r' | sed 's/^/  |/; s/$/|/'

say "The findings for the controller: $OUT/findings.csv (UTF-8 with BOM, ';' -- opens in Excel)"
rows=$(($(wc -l <"$OUT/findings.csv") - 1))
echo "$rows findings; the first ones:"
head -n 12 "$OUT/findings.csv" | sed '1s/^\xEF\xBB\xBF//' | cut -c1-220
[ "$status" -le 1 ] || exit 1

say "A throwaway PostgreSQL (unix socket in a scratch directory, stopped at the end)"
. tests/pg.sh
pg_start || exit 1
trap pg_stop EXIT
echo "PGHOST=$PGHOST"
cat >"$OUT/plausid.yaml" <<EOC
# demo configuration: the database comes from the PG* environment
database:
  conninfo: ""
  schema: plausid
sources:
  - name: hze
    rules: $PWD/rules/hze.yaml
    max_reject_share: 0.20
  - name: bevoelkerung
    rules: $PWD/rules/bevoelkerung.yaml
  - name: zuordnung
    rules: $PWD/rules/zuordnung.yaml
  - name: gefaehrdung
    rules: $PWD/rules/gefaehrdung.yaml
  - name: schutz
    rules: $PWD/rules/schutz.yaml
EOC

say "plausid load of every sample, then the first one again"
echo "\$ plausid load --config $OUT/plausid.yaml --source hze samples/hze_*.csv samples/hze_2024_ost.csv"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source hze samples/hze_*.csv samples/hze_2024_ost.csv
echo "(exit status $?: 0 = all loaded or duplicates, 1 = a file rejected as a whole, 2 = failure)"

say "The delivery register"
psql -X -P pager=off -c "SELECT id, file_name, status, records, loaded, rejected, warned, left(coalesce(reason, ''), 60) AS reason FROM plausid.deliveries ORDER BY id"
say "Loaded records per Sozialraum and setting"
psql -X -P pager=off -c "SELECT sozialraum, hilfeart_setting, count(*) FROM plausid.v_hze GROUP BY 1, 2 ORDER BY 1, 2"
say "Top findings"
psql -X -P pager=off -c "SELECT rule, severity, count(*), min(message) AS example FROM plausid.findings GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 10"

say "plausid load of the population per Sozialraum, a second source"
echo "\$ plausid load --config $OUT/plausid.yaml --source bevoelkerung samples/bevoelkerung_2024.csv"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source bevoelkerung samples/bevoelkerung_2024.csv
echo "(with both tables in place, the Eckwert views of rules/bevoelkerung.views.sql are created)"

say "Dashboard views (rules/README.md): v_hze_fallzahl, summed per Sozialraum"
psql -X -P pager=off -c "SELECT berichtsjahr, sozialraum, sum(andauernd) AS andauernd, sum(beendet) AS beendet, sum(fallzahl) AS fallzahl, sum(fallzahl) FILTER (WHERE setting = 'stationär') AS stationaer FROM plausid.v_hze_fallzahl GROUP BY 1, 2 ORDER BY 1, 2"
say "v_hze_eckwert: Hilfen per 10,000 inhabitants under 21 (without Erziehungsberatung and § 35a; all aids)"
psql -X -P pager=off -c "SELECT berichtsjahr, sozialraum, fallzahl, einwohner_unter21, round(eckwert, 1) AS eckwert, fallzahl_alle, round(eckwert_alle, 1) AS eckwert_alle FROM plausid.v_hze_eckwert ORDER BY 1, 2"

say "Strategiekarte Wächteramt: the § 8a assessments and § 42 Inobhutnahmen of the same Jugendamt"
echo "\$ plausid load --config $OUT/plausid.yaml --source gefaehrdung samples/gefaehrdung_2024.csv"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source gefaehrdung samples/gefaehrdung_2024.csv
echo "\$ plausid load --config $OUT/plausid.yaml --source schutz samples/schutz_2024.csv"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source schutz samples/schutz_2024.csv
say "v_gefaehrdung_eckwert: § 8a assessments and risks found per 10,000 under 18"
psql -X -P pager=off -c "SELECT berichtsjahr, sozialraum, einschaetzungen, gefaehrdung, einwohner_unter18, round(einschaetzungen_je_10000, 1) AS je_10000, round(gefaehrdungen_je_10000, 1) AS gefaehrdungen_je_10000 FROM plausid.v_gefaehrdung_eckwert ORDER BY 1, 2"
say "v_gefaehrdung_kennzahlen, the Jugendamt as a whole: results and what followed"
psql -X -P pager=off -c "SELECT berichtsjahr, sum(einschaetzungen) AS einschaetzungen, sum(akut) AS akut, sum(latent) AS latent, sum(hilfebedarf) AS hilfebedarf, sum(kein_hilfebedarf) AS kein_bedarf, sum(inobhutnahme_folgt) AS inobhutnahme_folgt, sum(hilfe_folgt) AS hilfe_folgt FROM plausid.v_gefaehrdung_kennzahlen GROUP BY 1 ORDER BY 1"
say "v_gefaehrdung_arten: kinds of risk among the assessments that found one (several per assessment)"
psql -X -P pager=off -c "SELECT berichtsjahr, sum(gefaehrdung) AS gefaehrdung, sum(vernachlaessigung) AS vernachlaessigung, sum(koerperliche_misshandlung) AS koerperlich, sum(psychische_misshandlung) AS psychisch, sum(sexuelle_gewalt) AS sexuell FROM plausid.v_gefaehrdung_arten GROUP BY 1 ORDER BY 1"
say "v_schutz_eckwert: Inobhutnahmen per 10,000 under 18, § 42 and § 42a apart"
psql -X -P pager=off -c "SELECT berichtsjahr, sozialraum, inobhutnahmen_42, inobhutnahmen_42a, einwohner_unter18, round(inobhutnahmen_42_je_10000, 1) AS je_10000_42, round(inobhutnahmen_42a_je_10000, 1) AS je_10000_42a FROM plausid.v_schutz_eckwert ORDER BY 1, 2"
say "v_schutz_massnahmen, the Jugendamt as a whole: median duration in days, a § 8a before (a median is not summed from v_schutz_kennzahlen)"
psql -X -P pager=off -c "SELECT berichtsjahr, count(*) AS massnahmen, percentile_cont(0.5) WITHIN GROUP (ORDER BY dauer_tage) AS median_tage, count(*) FILTER (WHERE vorherige_8a = '1') AS mit_8a_vorher, count(*) FILTER (WHERE vorherige_8a = '2') AS ohne_8a_vorher FROM plausid.v_schutz_massnahmen GROUP BY 1 ORDER BY 1"
say "v_schutz_hze: the link through person_id -- a HzE in the 12 months before, one within 3 months after"
psql -X -P pager=off -c "SELECT berichtsjahr, art, verknuepfung, sum(massnahmen) AS massnahmen, sum(ohne_person_id) AS ohne_person_id, sum(vorher_auswertbar) AS vorher_auswertbar, sum(hze_vorher) AS hze_vorher, sum(danach_auswertbar) AS danach_auswertbar, sum(hze_danach) AS hze_danach, sum(danach_noch_nicht_auswertbar) AS danach_offen FROM plausid.v_schutz_hze GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
echo "(a measure whose window reaches a year without loaded hze data is 'nicht auswertbar', not 0)"

say "The Sozialraum through the mapping: the sued sample as the official fixed-width record, which has none"
echo "\$ csv2fixed rules/hze.yaml 2024 <samples/hze_2024_sued_cp1252.csv >$OUT/jgh_2024_sued.txt"
"$BUILD/csv2fixed" rules/hze.yaml 2024 <samples/hze_2024_sued_cp1252.csv >"$OUT/jgh_2024_sued.txt"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source hze "$OUT/jgh_2024_sued.txt"
echo "(it replaces the CSV of the same unit and year; its records have no Sozialraum)"
psql -X -P pager=off -c "SELECT delivery_id, file_name, datensaetze, sozialraum_zuordnung, ohne_zuordnung, round(anteil_ohne_zuordnung, 3) AS anteil_ohne FROM plausid.v_hze_datenqualitaet_zuordnung ORDER BY 1"
echo "\$ plausid load --config $OUT/plausid.yaml --source zuordnung samples/zuordnung_2024_sued.csv"
"$BUILD/plausid" load --config "$OUT/plausid.yaml" --source zuordnung samples/zuordnung_2024_sued.csv
echo "(the mapping of the case-management software: every case of the export but two)"
psql -X -P pager=off -c "SELECT delivery_id, file_name, datensaetze, sozialraum_zuordnung, ohne_zuordnung, round(anteil_ohne_zuordnung, 3) AS anteil_ohne FROM plausid.v_hze_datenqualitaet_zuordnung ORDER BY 1"
psql -X -P pager=off -c "SELECT berichtsjahr, sozialraum, fallzahl, junge_menschen, einwohner_unter21, round(eckwert, 1) AS eckwert, fallzahl_alle, junge_menschen_alle, round(eckwert_alle, 1) AS eckwert_alle FROM plausid.v_hze_eckwert ORDER BY 1, 2"

say "plausid run: the daemon on a scratch directory (as systemd would run it, here in the background)"
RUN=$(cd "$OUT" && pwd)/run
rm -rf "$RUN"
mkdir -p "$RUN"
cat >"$OUT/plausid-run.yaml" <<EOC
database:
  conninfo: ""
  schema: plausid
sources:
  - name: hze
    rules: $PWD/rules/hze.yaml
    max_reject_share: 0.20
    drop: $RUN/drop
    archive: $RUN/archive
    quarantine: $RUN/quarantine
    reports: $RUN/reports
EOC
before=$(psql -X -At -c "SELECT coalesce(max(id), 0) FROM plausid.deliveries")
"$BUILD/plausid" run --config "$OUT/plausid-run.yaml" 2>"$OUT/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; pg_stop' EXIT
for _ in $(seq 1 100); do [ -d "$RUN/drop/.processing" ] && break; sleep 0.1; done
"$BUILD/genhze" -n 2000 -s 7 -e 5 >"$RUN/.neu.tmp"
"$BUILD/genhze" -n 500 -s 8 -e 400 >"$RUN/.schlecht.tmp"
echo "dropping: a new export (2000 records), one with many errors, an export loaded before, and the"
echo "official fixed-width record of another Einrichtung (recognised by its first line)"
cp samples/jgh_2024_west.txt "$RUN/drop/.fixed.tmp" && mv "$RUN/drop/.fixed.tmp" "$RUN/drop/jgh_2024_west.txt"
mv "$RUN/.neu.tmp" "$RUN/drop/hze_2024_neu.csv"
mv "$RUN/.schlecht.tmp" "$RUN/drop/hze_2024_schlecht.csv"
cp samples/hze_2024_ost.csv "$RUN/drop/.copy.tmp" && mv "$RUN/drop/.copy.tmp" "$RUN/drop/hze_2024_ost.csv"
for _ in $(seq 1 100); do
        [ -z "$(ls -A "$RUN/drop" | grep -v '^\.processing$')" ] && [ -z "$(ls -A "$RUN/drop/.processing")" ] && break
        sleep 0.1
done
kill -TERM $daemon
wait $daemon
echo "daemon exit status $? after SIGTERM; its log (file names, delivery ids, counts -- never record values):"
sed 's/^/  /' "$OUT/daemon.log"
say "The deliveries the daemon registered (the fixed-width one read as iso-8859-1)"
psql -X -P pager=off -c "SELECT id, file_name, status, records, loaded, rejected, encoding FROM plausid.deliveries WHERE id > $before ORDER BY id"
say "Where the files went"
(cd "$RUN" && find archive quarantine -type f | sort | sed 's/^/  /')
echo "quarantine reason:"
sed 's/^/  /' "$RUN"/quarantine/*.reason.txt

# The Strategiekarte needs a Jugendamt's complete Berichtsjahre, and the sections above left
# the samples' 2024 replaced delivery by delivery (and the daemon's generated export on
# top): the sample city gets a database of its own.
say "The Strategiekarte of the sample city: three Berichtsjahre in a database of their own"
new_db stadt
echo "PGDATABASE=$PGDATABASE"
STADT=$(cd "$OUT" && pwd)
cat >"$OUT/stadt.yaml" <<EOC
database:
  conninfo: ""
  schema: plausid
sources:
  - name: hze
    rules: $PWD/rules/hze.yaml
  - name: bevoelkerung
    rules: $PWD/rules/bevoelkerung.yaml
  - name: sgb2
    rules: $PWD/rules/sgb2.yaml
  - name: kennzahlen
    rules: $PWD/rules/kennzahlen.yaml
  - name: gefaehrdung
    rules: $PWD/rules/gefaehrdung.yaml
  - name: schutz
    rules: $PWD/rules/schutz.yaml
EOC
sload() {
        echo "\$ plausid load --config $OUT/stadt.yaml --source $*"
        "$BUILD/plausid" load --config "$OUT/stadt.yaml" --source "$@"
}
echo "(each Berichtsjahr checked against the one before: X03, an aid ongoing at 31.12. that is missing"
echo " the next year -- here because its record of the next year was rejected --, and X04)"
sload hze samples/stadt/hze_2022.csv samples/stadt/hze_2023.csv samples/stadt/hze_2024.csv
sload bevoelkerung samples/stadt/bevoelkerung_2022.csv samples/stadt/bevoelkerung_2023.csv samples/bevoelkerung_2024.csv
sload sgb2 samples/stadt/sgb2_2022.csv samples/stadt/sgb2_2023.csv samples/sgb2_2024.csv
sload kennzahlen samples/kennzahlen_2024.csv
sload gefaehrdung samples/gefaehrdung_2024.csv
sload schutz samples/schutz_2024.csv
psql -X -P pager=off -c "SELECT id, file_name, status, records, loaded, rejected, warned FROM plausid.deliveries ORDER BY id"
say "The Strategiekarte's question: Eckwert against the SGB II rate of children under 15, 2022-2024"
psql -X -P pager=off -c "SELECT e.sozialraum, max(s.quote_unter15) FILTER (WHERE e.berichtsjahr = 2024) AS sgb2_2024, round(max(e.eckwert) FILTER (WHERE e.berichtsjahr = 2022)) AS eckwert_2022, round(max(e.eckwert) FILTER (WHERE e.berichtsjahr = 2023)) AS eckwert_2023, round(max(e.eckwert) FILTER (WHERE e.berichtsjahr = 2024)) AS eckwert_2024, max(e.fallzahl) FILTER (WHERE e.berichtsjahr = 2024) AS fallzahl_2024 FROM plausid.v_hze_eckwert e LEFT JOIN plausid.sgb2 s USING (berichtsjahr, sozialraum) GROUP BY 1 ORDER BY 2 NULLS LAST"
echo "(Südstadt: a low rate and a high use; Eving: a high rate and a low use -- the Sozialräume the Strategiekarte asks about)"

say "plausid report --strategiekarte: the report for the Jugendhilfeausschuss"
echo "\$ plausid report --config $OUT/stadt.yaml --strategiekarte --year 2024 --out $STADT/strategiekarte"
rm -rf "$STADT/strategiekarte"
mkdir -p "$STADT/strategiekarte"
"$BUILD/plausid" report --config "$OUT/stadt.yaml" --strategiekarte --year 2024 --out "$STADT/strategiekarte"
status=$?
karte=$(ls "$STADT"/strategiekarte/strategiekarte_2024_*.html 2>/dev/null | head -n 1)
if [ "$status" -ne 0 ] || [ -z "$karte" ]; then
        echo "the Strategiekarte was not written (exit status $status)"
        exit 1
fi
say "Done"
echo "Strategiekarte: $karte"
