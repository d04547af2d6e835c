#!/usr/bin/env bash
# Tests of `plausid export` against a real PostgreSQL that this script starts
# (tests/pg.sh) and stops: exports loaded with the real binary, views written to CSV and
# compared with the files in tests/export/expected/ (the rows sorted: a view without ORDER
# BY has no order), the file's frame byte by byte (BOM, ';', CRLF, mode 0640), German
# decimals recomputed from psql, --year, formulas guarded in text cells only, and every
# refusal: an unknown or hostile view name, --year on a view without berichtsjahr, an
# unwritable --out, the database down before and gone during the export (no file left).
#
#   tests/export/run.sh BUILD
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PLAUSID=$ROOT/$BUILD/plausid
E=tests/export
# shellcheck source=../pg.sh
. tests/pg.sh
# shellcheck source=../lib.sh
. tests/lib.sh

pg_suite export

# A copy of the packs whose hze views file has one view more: v_hze_langsam takes 50 ms
# a row, long enough to stop the server while an export of it runs.
R=$T/rules
mkdir -p "$R"
cp rules/hze.yaml rules/hze.views.sql rules/bevoelkerung.yaml rules/bevoelkerung.views.sql "$R"/
printf '\nDROP VIEW IF EXISTS v_hze_langsam;\nCREATE VIEW v_hze_langsam AS SELECT h.sozialraum, pg_sleep(0.05)::text AS pause FROM hze h;\n' \
        >>"$R/hze.views.sql"
cat >"$T/c.yaml" <<EOC
database:
  conninfo: ""
  schema: plausid
sources:
  - name: hze
    rules: $R/hze.yaml
    max_reject_share: 0.5
  - name: bevoelkerung
    rules: $R/bevoelkerung.yaml
EOC

run_export() { # run_export ARGS... ; sets $status, $out and $T/stderr
        out=$("$PLAUSID" export --config "$T/c.yaml" "$@" 2>"$T/stderr")
        status=$?
}

# The file with its rows sorted (the header stays first), bytes as they are.
sorted() {
        head -n 1 "$1"
        tail -n +2 "$1" | LC_ALL=C sort
}

# expect_file NAME EXPECTED ACTUAL: the two files, rows sorted, byte for byte.
expect_file() {
        if diff -u <(sorted "$2") <(sorted "$3") >"$T/diff.txt"; then
                pass
        else
                fail "$1" "- expected, + actual"
                cat -A "$T/diff.txt" >&2
        fi
}

# Every name in the directory, hidden ones included; "" when it is empty.
names_in() { (cd "$1" && find . -mindepth 1 -printf '%f\n' | sort | tr '\n' ' '); }

new_db t_export
"$PLAUSID" load --config "$T/c.yaml" --source bevoelkerung samples/bevoelkerung_2024.csv >/dev/null 2>&1
"$PLAUSID" load --config "$T/c.yaml" --source hze samples/hze_2024_nord.csv >/dev/null 2>&1
check "samples loaded" "40|344" "$(q "SELECT count(*) FROM plausid.bevoelkerung")|$(q "SELECT count(*) FROM plausid.hze")"

# ==== a sample's Eckwert, the file's frame ====
O=$T/out
mkdir -p "$O"
run_export --view v_hze_eckwert --out "$O/eckwert.csv"
check "eckwert: exit status and what was written" "0|Export: $O/eckwert.csv (8 Zeilen aus v_hze_eckwert)" "$status|$out"
expect_file "eckwert: the expected file" $E/expected/eckwert_samples.csv "$O/eckwert.csv"
check "eckwert: mode 0640" 640 "$(stat -c %a "$O/eckwert.csv")"
check "eckwert: begins with the UTF-8 byte-order mark" "efbbbf" "$(head -c 3 "$O/eckwert.csv" | od -An -tx1 | tr -d ' \n')"
check "eckwert: every line ends in CRLF, none in a bare LF" "9|9" \
        "$(grep -c $'\r$' "$O/eckwert.csv")|$(wc -l <"$O/eckwert.csv")"
check "eckwert: header with ';' between the column names" \
        $'\xef\xbb\xbfberichtsjahr;sozialraum;fallzahl;fallzahl_alle;einwohner_unter21;eckwert;eckwert_alle;junge_menschen;junge_menschen_alle\r' \
        "$(head -n 1 "$O/eckwert.csv")"
check "eckwert: only the temporary name's file was renamed: nothing else in the directory" "eckwert.csv " \
        "$(names_in "$O")"
# The decimals recomputed from the database's own text, independent of plausid's writer.
q "SELECT berichtsjahr || ';' || sozialraum || ';' || fallzahl || ';' || fallzahl_alle || ';' || einwohner_unter21
          || ';' || replace(eckwert::text, '.', ',') || ';' || replace(eckwert_alle::text, '.', ',')
          || ';' || junge_menschen || ';' || junge_menschen_alle
   FROM plausid.v_hze_eckwert ORDER BY 1" | sed 's/$/\r/' >"$T/eckwert.psql"
check "eckwert: German decimals as psql's text with a comma" "$(cat "$T/eckwert.psql")" \
        "$(tail -n +2 "$O/eckwert.csv" | LC_ALL=C sort)"
check "eckwert: a decimal comma in every row, no decimal point" "8|0" \
        "$(tail -n +2 "$O/eckwert.csv" | grep -c '^2024;[^;]*;[0-9]*;[0-9]*;[0-9]*;[0-9]*,[0-9]*;[0-9]*,[0-9]*;[0-9]*;[0-9]*'$'\r''$')|$(tail -n +2 "$O/eckwert.csv" | grep -c '\.')"

# --out - : the same bytes on stdout, nothing else there
"$PLAUSID" export --config "$T/c.yaml" --view v_hze_eckwert --out - >"$T/stdout.csv" 2>"$T/stderr"
check "stdout: exit 0, the same file" "0|ok" "$?|$(cmp -s "$O/eckwert.csv" "$T/stdout.csv" && echo ok)"
run_export --view v_hze_eckwert --format csv --out "$O/eckwert2.csv"
check "--format csv: the same file" "0|ok" "$status|$(cmp -s "$O/eckwert.csv" "$O/eckwert2.csv" && echo ok)"
rm -f "$O/eckwert2.csv"

# dates and timestamps the German way: v_hze's beginn, v_hze_datenqualitaet's arrival
run_export --view v_hze --out "$O/hze.csv"
check "v_hze: every record, personal columns included" "0|345" "$status|$(wc -l <"$O/hze.csv")"
# the first loaded record, its beginn written by the server's to_char
first=$(q "SELECT lfd_nr || ';2024;' || person_id || ';' || sozialraum || ';' || to_char(beginn, 'DD.MM.YYYY') || ';'
           FROM plausid.hze ORDER BY line LIMIT 1")
check "v_hze: beginn as DD.MM.YYYY ($first)" 1 "$(grep -cF ";$first" "$O/hze.csv")"
check "v_hze: no date left as YYYY-MM-DD" 0 "$(grep -cE '(^|;)[0-9]{4}-[0-9]{2}-[0-9]{2}(;|'$'\r''$)' "$O/hze.csv")"
run_export --view v_hze_datenqualitaet --out "$O/dq.csv"
check "v_hze_datenqualitaet: received_at and loaded_at as DD.MM.YYYY HH:MM:SS" \
        "$(q "SELECT count(*) FROM plausid.v_hze_datenqualitaet")" \
        "$(grep -cE ';[0-3][0-9]\.[01][0-9]\.20[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9];[0-3][0-9]\.[01][0-9]\.20[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9];' "$O/dq.csv")"
check "v_hze_datenqualitaet: dateibefund, a boolean, as 0 or 1" "0" \
        "$(tail -n +2 "$O/dq.csv" | grep -cvE ';[01]'$'\r''$')"

# ==== Sozialräume that Excel would compute, the numbers that stay numbers, --year ====
new_db t_grenz
"$PLAUSID" load --config "$T/c.yaml" --source hze $E/hze_2024_grenzfaelle.csv tests/views/hze_2023_asd.csv >/dev/null 2>&1
check "grenzfaelle: 4 records of 2024 and 5 of 2023 loaded" "2023|5,2024|4" \
        "$(q "SELECT string_agg(berichtsjahr || '|' || n, ',' ORDER BY berichtsjahr) FROM (SELECT berichtsjahr, count(*) n FROM plausid.hze GROUP BY 1) x")"
run_export --view v_hze_begonnen_beendet --out "$O/bb.csv"
check "begonnen_beendet: exit status" 0 "$status"
expect_file "begonnen_beendet: the expected file" $E/expected/begonnen_beendet.csv "$O/bb.csv"
check "a Sozialraum =SUMME(A1) is guarded" 1 "$(grep -c "^2024;05;9;13;000;100001;'=SUMME(A1);" "$O/bb.csv")"
check "a Sozialraum -Nord is guarded" 1 "$(grep -c "^2024;05;9;13;000;100001;'-Nord;" "$O/bb.csv")"
check "a Sozialraum -3 is a number and stays one" 1 "$(grep -c "^2024;05;9;13;000;100001;-3;" "$O/bb.csv")"
check "a negative saldo stays a number" 1 "$(grep -c ";Süd;§ 33;stationär;0;1;-1;0;0"$'\r''$' "$O/bb.csv")"
check "nothing else is guarded" 2 "$(grep -c "'" "$O/bb.csv")"

run_export --view v_hze_begonnen_beendet --year 2023 --out "$O/bb2023.csv"
check "--year 2023: only 2023's rows, all of them" \
        "0|$(q "SELECT count(*) FROM plausid.v_hze_begonnen_beendet WHERE berichtsjahr = 2023")|0" \
        "$status|$(tail -n +2 "$O/bb2023.csv" | grep -c '^2023;')|$(tail -n +2 "$O/bb2023.csv" | grep -vc '^2023;')"
check "--year 2023: the rows of 2023 as in the whole export" "$(grep '^2023;' "$O/bb.csv" | LC_ALL=C sort)" \
        "$(tail -n +2 "$O/bb2023.csv" | LC_ALL=C sort)"
run_export --view v_hze_begonnen_beendet --year 2019 --out "$O/bb2019.csv"
check "--year without rows: the header alone" "0|1" "$status|$(wc -l <"$O/bb2019.csv")"
rm -f "$O"/bb2019.csv

# ==== refusals: exit 2, a German message, no file ====
rm -rf "$O" && mkdir -p "$O"
run_export --view v_hze_datenqualitaet --year 2024 --out "$O/x.csv"
check "--year on a view without berichtsjahr" "2|1|" \
        "$status|$(grep -c "die Sicht 'v_hze_datenqualitaet' hat keine Spalte berichtsjahr" "$T/stderr")|$(names_in "$O")"
run_export --view hze --out "$O/x.csv"
check "the table, not a view: refused, the views listed" "2|1|" \
        "$status|$(grep -c "keine Sicht namens 'hze'; die Sichten sind: v_hze, .*v_hze_beendigung, .*v_hze_warnungen$" "$T/stderr")|$(names_in "$O")"
q "CREATE VIEW plausid.geheim AS SELECT 1 AS x" >/dev/null
q "CREATE VIEW public.v_hze_fremd AS SELECT 1 AS x" >/dev/null
run_export --view geheim --out "$O/x.csv"
check "a view in the schema that is not a data set's: refused" "2|1" "$status|$(grep -c "keine Sicht namens 'geheim'" "$T/stderr")"
run_export --view v_hze_fremd --out "$O/x.csv"
check "a data set's name in another schema: refused" "2|1" "$status|$(grep -c "keine Sicht namens 'v_hze_fremd'" "$T/stderr")"
rows=$(q "SELECT count(*) FROM plausid.hze")
run_export --view 'v_hze_fallzahl"; DROP TABLE plausid.hze; --' --out "$O/x.csv"
check "a hostile name: refused, nothing run" "2|1|$rows|" \
        "$status|$(grep -c "keine Sicht namens 'v_hze_fallzahl\"; DROP TABLE plausid.hze; --'" "$T/stderr")|$(q "SELECT count(*) FROM plausid.hze")|$(names_in "$O")"
run_export --view 'x"; drop table hze' --out "$O/x.csv"
check "the brief's hostile name: refused" "2|$rows" "$status|$(q "SELECT count(*) FROM plausid.hze")"
run_export --view V_HZE_FALLZAHL --out "$O/x.csv"
check "names are exact: V_HZE_FALLZAHL is not v_hze_fallzahl" 2 "$status"
run_export --view v_hze_fallzahl --format fixed --year 2024 --out "$O/x.txt"
check "--format fixed: only v_DATASET" "2|1|" "$status|$(grep -c -- "--format fixed schreibt die Datensätze" "$T/stderr")|$(names_in "$O")"
run_export --view v_hze --format fixed --out "$O/x.txt"
check "--format fixed: only with --year" "2|1|" "$status|$(grep -c -- "ohne --year" "$T/stderr")|$(names_in "$O")"
run_export --view v_hze --format festbreit --out "$O/x.txt"
check "--format festbreit: refused" "2|1" "$status|$(grep -c -- "--format: csv oder fixed" "$T/stderr")"
run_export --view v_hze_fallzahl --year 24 --out "$O/x.csv"
check "--year 24: not a year" "2|1" "$status|$(grep -c -- "--year: expected a year from 1900 to 2100" "$T/stderr")"
run_export --view v_hze_fallzahl
check "--out missing" "2|1" "$status|$(grep -c -- "--out FILE fehlt" "$T/stderr")"

run_export --view v_hze_fallzahl --out "$T/nirgends/x.csv"
check "--out in a directory that does not exist: named" "2|1" \
        "$status|$(grep -c "^$T/nirgends/x.csv: kann nicht angelegt werden: No such file or directory$" "$T/stderr")"
mkdir "$O/verzeichnis"
run_export --view v_hze_fallzahl --out "$O/verzeichnis"
check "--out a directory: named, no temporary file left" "2|1|verzeichnis " \
        "$status|$(grep -c "^$O/verzeichnis: kann nicht geschrieben werden" "$T/stderr")|$(names_in "$O")"
rmdir "$O/verzeichnis"
if [ "$(id -u)" -ne 0 ]; then
        mkdir -m 0555 "$O/nur-lesen"
        run_export --view v_hze_fallzahl --out "$O/nur-lesen/x.csv"
        check "--out in a read-only directory: named" "2|1" \
                "$status|$(grep -c "^$O/nur-lesen/x.csv: kann nicht angelegt werden: Permission denied$" "$T/stderr")"
        rmdir "$O/nur-lesen"
fi
echo alt >"$O/alt.csv"
run_export --view v_hze_datenqualitaet --year 2024 --out "$O/alt.csv"
check "a refused export leaves an older file of that name as it was" "2|alt" "$status|$(cat "$O/alt.csv")"
rm -f "$O/alt.csv"

# ==== day dates in the fixed-width record (tests/export/tage.yaml): the sender's bytes stay
#      while the loaded day is the same, in whatever form they wrote it; a corrected date
#      and one loaded from a CSV are written as DD.MM.YYYY at their positions ====
printf 'database:\n  conninfo: ""\n  schema: plausid\nsources:\n  - name: tage\n    rules: %s\n' \
        "$ROOT/tests/export/tage.yaml" >"$T/c_tage.yaml"
tage() { # tage ARGS... : plausid export of the source tage; sets $status
        "$PLAUSID" export --config "$T/c_tage.yaml" "$@" >/dev/null 2>"$T/stderr"
        status=$?
}
new_db t_tage
printf '%s\r\n' "T00101.03.202415.03.2024RSVD  " "T0021.3.2024  2024-03-15      " "T003 1.4.2024                 " \
        >"$T/tage_2024.txt"
"$PLAUSID" load --config "$T/c_tage.yaml" --source tage "$T/tage_2024.txt" >/dev/null 2>&1
check "dates fixed: loaded whole, the days as written" "3|001 2024-03-01 2024-03-15,002 2024-03-01 2024-03-15,003 2024-04-01 -" \
        "$(q "SELECT loaded FROM plausid.deliveries")|$(q "SELECT string_agg(nr || ' ' || to_char(beginn, 'YYYY-MM-DD') || ' '
                || coalesce(to_char(ende, 'YYYY-MM-DD'), '-'), ',' ORDER BY line) FROM plausid.tage")"
tage --view v_tage --format fixed --year 2024 --out "$O/tage.txt"
check "dates fixed: byte for byte as loaded, 1.3.2024 and 2024-03-15 kept" "0|same" \
        "$status|$(cmp -s "$T/tage_2024.txt" "$O/tage.txt" && echo same || cmp "$T/tage_2024.txt" "$O/tage.txt" 2>&1 | head -1)"
q "UPDATE plausid.tage SET ende = '2024-03-20' WHERE nr = '002'; UPDATE plausid.tage SET beginn = '2024-03-01' WHERE nr = '001'" >/dev/null
tage --view v_tage --format fixed --year 2024 --out "$O/tage2.txt"
check "dates fixed: a corrected date as DD.MM.YYYY, the rest as it came" \
        "0|T00101.03.202415.03.2024RSVD  |T0021.3.2024  20.03.2024      |T003 1.4.2024                 " \
        "$status|$(tr -d '\r' <"$O/tage2.txt" | paste -sd'|')"
new_db t_tage_csv
printf 'berichtsjahr;nr;beginn;ende\n2024;004;2024-04-01;5.4.2024\n2024;005;29.2.2024;\n' >"$T/tage.csv"
"$PLAUSID" load --config "$T/c_tage.yaml" --source tage "$T/tage.csv" >/dev/null 2>&1
tage --view v_tage --format fixed --year 2024 --out "$O/tage3.txt"
check "dates fixed: a CSV's dates as DD.MM.YYYY, an empty one blank" \
        "0|T00401.04.202405.04.2024      |T00529.02.2024                " \
        "$status|$(tr -d '\r' <"$O/tage3.txt" | paste -sd'|')"
rm -f "$O"/*.txt

# ==== the official fixed-width record round trip: loaded, exported, byte for byte ====
# A file without findings comes back as it was; one with rejected records comes back
# without them, every other line as it was (dropped leading zeros, stripped trailing
# blanks and a reserved position included); a corrected record is written anew at its
# field's positions only.
new_db t_fixed
"$ROOT/$BUILD/genhze" -n 3000 -s 5 -e 0 --crlf >"$T/clean.csv"
"$ROOT/$BUILD/csv2fixed" rules/hze.yaml 2024 <"$T/clean.csv" >"$T/jgh_2024_clean.txt"
"$PLAUSID" load --config "$T/c.yaml" --source hze "$T/jgh_2024_clean.txt" >/dev/null 2>&1
# (hze rev 2's warnings A01-A07 fire on some generated records; warnings do not
# change what is loaded or exported, so only errors are counted.)
check "fixed: the clean file loaded whole" "3000|0" \
        "$(q "SELECT loaded FROM plausid.deliveries")|$(q "SELECT count(*) FROM plausid.findings WHERE severity <> 'warning'")"
run_export --view v_hze --format fixed --year 2024 --out "$O/jgh_2024.txt"
check "fixed: exit 0, mode 0640" "0|640" "$status|$(stat -c %a "$O/jgh_2024.txt")"
check "fixed: byte for byte the file that was loaded" same \
        "$(cmp -s "$T/jgh_2024_clean.txt" "$O/jgh_2024.txt" && echo same || cmp "$T/jgh_2024_clean.txt" "$O/jgh_2024.txt" 2>&1 | head -1)"
new_db t_fixed2
"$ROOT/$BUILD/genhze" -n 3000 -s 6 -e 30 --crlf | awk -F';' -v OFS=';' 'NR > 1 { $9 = "" } 1' >"$T/mixed.csv"
"$ROOT/$BUILD/csv2fixed" rules/hze.yaml 2024 --strip <"$T/mixed.csv" >"$T/jgh_2024_mixed.txt"
# line 5 gets a mark in the reserved positions 127-130 (no field reads them)
awk 'NR == 5 { $0 = sprintf("%-208s", substr($0, 1, length($0) - 1)); $0 = substr($0, 1, 126) "RSVD" substr($0, 131) "\r" } 1' \
        "$T/jgh_2024_mixed.txt" >"$T/jgh_2024.txt"
"$PLAUSID" load --config "$T/c.yaml" --source hze "$T/jgh_2024.txt" >/dev/null 2>&1
rejected=$(q "SELECT rejected FROM plausid.deliveries")
check "fixed: the file with defects loaded (some rejected)" 1 "$((rejected > 20))"
q "SELECT line FROM plausid.hze ORDER BY line" >"$T/lines.txt"
awk 'NR == FNR { keep[$1] = 1; next } (FNR in keep)' "$T/lines.txt" "$T/jgh_2024.txt" >"$T/want.txt"
run_export --view v_hze --format fixed --year 2024 --out "$O/mixed.txt"
check "fixed: the loaded lines byte for byte, the rejected ones left out" "0|same" \
        "$status|$(cmp -s "$T/want.txt" "$O/mixed.txt" && echo same || cmp "$T/want.txt" "$O/mixed.txt" 2>&1 | head -1)"
# the record of line 5 is line n of the export (the rejected ones before it are left out)
n=$(grep -n '^5$' "$T/lines.txt" | cut -d: -f1)
check "fixed: the reserved positions kept" "RSVD" "$(sed -n "${n:-0}p" "$O/mixed.txt" | cut -c127-130)"
q "UPDATE plausid.hze SET hilfeart = '05', beginn = '2024-02-01' WHERE line = 5" >/dev/null
run_export --view v_hze --format fixed --year 2024 --out "$O/changed.txt"
# beginn is at 21-26, hilfeart at 28-29: the bytes that differ lie there, and the new
# values are there
check "fixed: a corrected record differs at its fields' positions only" "yes|022024|05" \
        "$(cmp -l <(sed -n "${n:-0}p" "$T/want.txt" | tr -d '\r\n' | awk '{ printf "%-208s", $0 }') \
                <(sed -n "${n:-0}p" "$O/changed.txt" | tr -d '\r\n') |
                awk '{ n++; if (!($1 >= 21 && $1 <= 26 || $1 >= 28 && $1 <= 29)) bad = 1 } END { print (n > 0 && !bad) ? "yes" : "no" }')|$(sed -n "${n:-0}p" "$O/changed.txt" | cut -c21-26)|$(sed -n "${n:-0}p" "$O/changed.txt" | cut -c28-29)"
check "fixed: written anew, the corrected record is the full 208 characters" 210 "$(sed -n "${n:-0}p" "$O/changed.txt" | wc -c)"
check "fixed: every other line unchanged" same \
        "$(cmp -s <(sed "${n:-0}d" "$T/want.txt") <(sed "${n:-0}d" "$O/changed.txt") && echo same || echo differs)"
q "UPDATE plausid.hze SET wohnort_ort = 'Ortsname, der länger ist als die vierzig Stellen des Satzes' WHERE line = 6" >/dev/null
run_export --view v_hze --format fixed --year 2024 --out "$O/wide.txt"
check "fixed: a value wider than its positions: exit 2, named, no file" "2|1|0" \
        "$status|$(grep -c "Feld wohnort_ort: der Wert ist breiter als seine Stellen" "$T/stderr")|$(names_in "$O" | grep -c wide)"
q "UPDATE plausid.hze SET wohnort_ort = 'Ωmega' WHERE line = 6" >/dev/null
run_export --view v_hze --format fixed --year 2024 --out "$O/greek.txt"
check "fixed: a character Latin-1 lacks: exit 2, named, no file" "2|1|0" \
        "$status|$(grep -c "Zeile 6, Feld wohnort_ort: der Wert hat ein Zeichen, das die Zeichenkodierung" "$T/stderr")|$(names_in "$O" | grep -c greek)"
rm -f "$O"/*.txt

# ==== the database gone during an export, and down before one ====
"$PLAUSID" export --config "$T/c.yaml" --view v_hze_langsam --out "$O/langsam.csv" >/dev/null 2>"$T/stderr" &
pid=$!
for _ in $(seq 100); do
        [ -n "$(names_in "$O")" ] && break
        sleep 0.1
done
check "gone: the export began (its temporary file is there)" 1 "$(names_in "$O" | grep -c '^\.langsam\.csv\..*\.tmp $')"
pg_stop_keep
wait $pid
status=$?
check "gone: exit 2, the database's error, no file at all" "2|1|" \
        "$status|$(grep -c "^plausid export: Fehler der Datenbank: .*; $O/langsam.csv wurde nicht geschrieben$" "$T/stderr")|$(names_in "$O")"
run_export --view v_hze_fallzahl --out "$O/x.csv"
check "down: exit 2, no connection, no file" "2|1|" \
        "$status|$(grep -c "^$T/c.yaml: keine Verbindung zur Datenbank: " "$T/stderr")|$(names_in "$O")"
pg_restart_stopped
run_export --view v_hze_fallzahl --out "$O/x.csv"
check "up again: the export works" "0" "$status"

summary
