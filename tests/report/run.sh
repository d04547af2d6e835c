#!/usr/bin/env bash
# Tests of the reports from the database -- `plausid load` with a reports directory,
# `plausid report --delivery` and `--since` -- against a real PostgreSQL that this script
# starts and stops, and of what a controller sees: the report opened in headless Chromium,
# a screenshot taken, the rendered text checked for the summary figures, a PDF printed.
# The Strategiekarte (report --strategiekarte) has its own file, strategiekarte.sh, sourced
# at the end.
#
#   tests/report/run.sh BUILD
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PLAUSID=$ROOT/$BUILD/plausid
# shellcheck source=../pg.sh
. tests/pg.sh
# shellcheck source=../lib.sh
. tests/lib.sh

pg_suite report

contains() { # contains NAME FILE TEXT: TEXT (fixed string) occurs in FILE
        if grep -qF -- "$3" "$2" 2>/dev/null; then check "$1" yes yes; else check "$1" "$3" "(not in $2)"; fi
}

# Self-contained: nothing fetched from anywhere (no http(s):, <link>, <script>, @import,
# url(), src= other than data:), so the page works offline and from a mail attachment.
self_contained() { # self_contained FILE: prints what refers outside, nothing when clean
        grep -noiE 'https?:[^"<]*|<link[^>]*|<script[^>]*|<iframe|<object|<embed|@import|url\(' "$1"
        grep -noiE 'src=[^ >]*' "$1" | grep -viE "src=[\"']?data:"
}

write_config() { # write_config FILE REPORTS_DIR [extra source keys...]
        local f=$1 reports=$2
        shift 2
        {
                echo "database:"
                echo "  conninfo: \"\""
                echo "  schema: plausid"
                echo "sources:"
                echo "  - name: hze"
                echo "    rules: $ROOT/rules/hze.yaml"
                echo "    reports: $reports"
                for kv in "$@"; do echo "    $kv"; done
        } >"$f"
}

# ---- plausid load writes each delivery's report into the reports directory ----
new_db t_report
mkdir -p "$T/reports"
write_config "$T/c.yaml" "$T/reports"
out=$("$PLAUSID" load --config "$T/c.yaml" --source hze samples/hze_2024_nord.csv 2>"$T/stderr")
check "load: exit 1 (rejected by the gate)" 1 $?
check "load: says where the report went" "report: $T/reports/delivery-1.html" "$(grep '^report:' <<<"$out")"
check "load: HTML and CSV, mode 0640" "640 640" \
        "$(stat -c %a "$T/reports/delivery-1.html" "$T/reports/delivery-1.csv" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "load: no temporary file left" "" "$(find "$T/reports" -name '.*' -type f)"
# The CSV holds every finding in the --rejects format; the database gives them in line
# order, check in the order found (overlaps last): the same rows.
"$PLAUSID" check --rules rules/hze.yaml --rejects "$T/check.csv" samples/hze_2024_nord.csv >/dev/null
check "csv: the same header (BOM, ';')" "$(head -1 "$T/check.csv")" "$(head -1 "$T/reports/delivery-1.csv")"
check "csv: the same findings as check --rejects" "$(tail -n +2 "$T/check.csv" | sort)" \
        "$(tail -n +2 "$T/reports/delivery-1.csv" | sort)"
check "csv: CRLF line ends" "$(wc -l <"$T/check.csv")" "$(grep -c $'\r$' "$T/reports/delivery-1.csv")"
h=$T/reports/delivery-1.html
contains "html: the delivery in the header" "$h" "<dt>Lieferung</dt><dd>Nr. 1</dd>"
contains "html: the source" "$h" "<dt>Quelle</dt><dd>hze</dd>"
contains "html: the rule pack" "$h" "<dt>Regelwerk</dt><dd>hze 2024.1</dd>"
contains "html: the SHA-256" "$h" "$(sha256sum samples/hze_2024_nord.csv | cut -c1-64)"
contains "html: rejected as a whole, with the reason" "$h" \
        '<p class="verdict v-bad" id="ergebnis">Als Ganzes abgewiesen: 56 von 400 Datensätzen (14,0 %) abgewiesen'
contains "html: records read" "$h" '<div class="card" id="anzahl-gelesen"><span class="num">400</span>'
contains "html: none loaded" "$h" '<div class="card" id="anzahl-geladen"><span class="num">0</span>'
contains "html: rejected" "$h" '<div class="card" id="anzahl-abgewiesen"><span class="num">56</span><span class="lbl">abgewiesen (14,0&#160;%)'
contains "html: rule titles from the pack" "$h" \
        '<tr><td class="id">X02</td><td><span class="sev sev-error">Fehler</span></td><td>Überschneidung stationärer Hilfen</td><td class="n">2</td>'
contains "html: field labels from the pack" "$h" '<tr><td class="id">geburt</td><td>Geburtsmonat/-jahr</td>'
contains "html: a rejected record's text from rejected_records" "$h" \
        '<pre class="raw">05;9;13;000;512345;00143;2024;P000121;Südstadt;11.2019;'
contains "html: every rejected record" "$h" '<p id="abgewiesen-anzahl">Alle 56 abgewiesenen Datensätze'
contains "html: the CSV linked" "$h" '<a href="delivery-1.csv">delivery-1.csv</a>'
check "html: no group table for a rejected delivery" 0 "$(grep -c 'id="gruppen"' "$h")"
check "html: self-contained" "" "$(self_contained "$h")"

# ---- a loaded delivery: Sozialräume from the data set's table ----
new_db t_report2
mkdir -p "$T/r2"
write_config "$T/c2.yaml" "$T/r2" "max_reject_share: 0.5"
"$PLAUSID" load --config "$T/c2.yaml" --source hze samples/hze_2024_nord.csv >/dev/null 2>&1
check "loaded: exit 0" 0 $?
h=$T/r2/delivery-1.html
contains "loaded: verdict" "$h" '<p class="verdict v-ok" id="ergebnis">Geladen.</p>'
contains "loaded: loaded count" "$h" '<div class="card" id="anzahl-geladen"><span class="num">344</span>'
luet=$(q "SELECT count(*) FROM plausid.hze WHERE sozialraum = 'Lütgendortmund'")
contains "loaded: Sozialraum counts = the table's" "$h" "<tr><td>Lütgendortmund</td><td class=\"n\">$luet</td>"
contains "loaded: the group section named by the pack's label" "$h" "<h2>Nach Sozialraum / ASD-Bezirk</h2>"
contains "loaded: says whose Sozialraum is counted" "$h" \
        "Das Feld „Sozialraum / ASD-Bezirk“ abgewiesener Datensätze speichert die Datenbank nicht."
# a duplicate gets its report too
"$PLAUSID" load --config "$T/c2.yaml" --source hze samples/hze_2024_nord.csv >"$T/dup.out" 2>&1
contains "duplicate: report written" "$T/dup.out" "report: $T/r2/delivery-2.html"
contains "duplicate: verdict" "$T/r2/delivery-2.html" "Doppelte Lieferung, nicht erneut geladen: gleicher Inhalt wie Lieferung 1"
# a load without a reports directory writes none and says nothing of it
write_config "$T/c3.yaml" "$T/none"
sed -i '/reports:/d' "$T/c3.yaml"
out=$("$PLAUSID" load --config "$T/c3.yaml" --source hze samples/hze_2024_ost.csv 2>&1)
check "no reports directory: no report line" 0 "$(grep -c '^report:' <<<"$out")"

# ---- records without a Sozialraum: the group "ohne Zuordnung"; the mapping is not used ----
# (decisions: the report groups by the record's own Sozialraum, else "ohne Zuordnung"; the
# mapping that the views use may come later or be corrected, the report is about the file)
new_db t_report_zuordnung
mkdir -p "$T/rz"
write_config "$T/cz.yaml" "$T/rz"
printf '  - name: zuordnung\n    rules: %s\n' "$ROOT/rules/zuordnung.yaml" >>"$T/cz.yaml"
"$PLAUSID" load --config "$T/cz.yaml" --source zuordnung tests/views/zuordnung_2024.csv >/dev/null 2>&1
check "ohne Zuordnung: the mapping loaded" "0|2" "$?|$(q "SELECT count(*) FROM plausid.zuordnung WHERE einrichtung = '100004'")"
"$PLAUSID" load --config "$T/cz.yaml" --source hze tests/views/hze_2024_sozialraum.csv >/dev/null 2>&1
check "ohne Zuordnung: the export loaded" 0 $?
h=$T/rz/delivery-2.html
contains "ohne Zuordnung: the record's own Sozialraum" "$h" '<tr><td>West</td><td class="n">1</td>'
contains "ohne Zuordnung: the two without one, though the mapping has one of them" "$h" \
        '<tr><td><span class="muted">ohne Zuordnung</span></td><td class="n">2</td>'
check "ohne Zuordnung: no group from the mapping" 0 "$(grep -c '<tr><td>Süd</td>' "$h")"
check "ohne Zuordnung: the views do assign it" "Süd:1,West:1,ohne Zuordnung:1" \
        "$(q "SELECT string_agg(sozialraum || ':' || n, ',' ORDER BY sozialraum) FROM (SELECT sozialraum, count(*) AS n FROM plausid.v_hze_hilfen GROUP BY 1) x")"

# ---- the group field is the pack's (report: group), not a column plausid knows ----
# tests/golden/report-group-kreis groups by kreis (its records have a sozialraum too);
# report-no-group is the same pack without report:.
new_db t_report3
mkdir -p "$T/r3"
group_config() { # group_config FILE KREIS_PACK
        cat >"$1" <<EOF
database:
  conninfo: ""
  schema: plausid
sources:
  - name: kreis
    rules: $2
    reports: $T/r3
    max_reject_share: 0.5
  - name: ohne
    rules: $ROOT/tests/golden/report-no-group/pack.yaml
    reports: $T/r3
    max_reject_share: 0.5
EOF
}
group_config "$T/c4.yaml" "$ROOT/tests/golden/report-group-kreis/pack.yaml"
kreis_input=tests/golden/report-group-kreis/input.csv
"$PLAUSID" load --config "$T/c4.yaml" --source kreis "$kreis_input" >/dev/null 2>&1
check "group kreis: loaded" 0 $?
"$PLAUSID" load --config "$T/c4.yaml" --source ohne "$kreis_input" >/dev/null 2>&1
check "no group: loaded" 0 $?
h=$T/r3/delivery-1.html
contains "group kreis: the section named by the field's label, escaped" "$h" "<h2>Nach Kreis &amp; kreisfreie Stadt</h2>"
contains "group kreis: the loaded records of kreis 13 (one rejected, one warned)" "$h" \
        '<tr><td>13</td><td class="n">2</td><td class="n">0</td><td class="n">0,0&#160;%</td><td class="n">1</td><td class="n">1</td></tr>'
contains "group kreis: the note names the field" "$h" \
        "Das Feld „Kreis &amp; kreisfreie Stadt“ abgewiesener Datensätze speichert die Datenbank nicht."
check "group kreis: no row per Sozialraum" 0 "$(grep -c '<tr><td>Nord</td>' "$h")"
check "no group: a pack without report: has no group section" 0 "$(grep -c 'id="gruppen"' "$T/r3/delivery-2.html")"
"$PLAUSID" check --rules tests/golden/report-no-group/pack.yaml --report "$T/check-no-group.html" "$kreis_input" \
        >/dev/null 2>&1
check "no group: check --report has no group section either" "0|1" \
        "$(grep -c 'id="gruppen"' "$T/check-no-group.html")|$(grep -c 'id="felder"' "$T/check-no-group.html")"
# A pack that does not compile (its errors are printed): the report, without titles and groups.
printf 'dataset: [\n' >"$T/broken.yaml"
group_config "$T/c5.yaml" "$T/broken.yaml"
"$PLAUSID" report --config "$T/c5.yaml" --delivery 1 --out "$T/r3" >/dev/null 2>&1
check "pack does not compile: report written" 0 $?
check "pack does not compile: no group section, no rule titles" "0|1" \
        "$(grep -c 'id="gruppen"' "$h")|$(grep -c '<td class="id">K04</td><td><span class="sev sev-warning">Warnung</span></td><td></td>' "$h")"

# ---- plausid report --delivery: regenerated from the database ----
rm -f "$T/reports/delivery-1.html" "$T/reports/delivery-1.csv"
export PGDATABASE=t_report
out=$("$PLAUSID" report --config "$T/c.yaml" --delivery 1 2>&1)
check "report --delivery: exit 0, where it went" "0|report: $T/reports/delivery-1.html" "$?|$out"
check "report --delivery: the same CSV again" "$(tail -n +2 "$T/check.csv" | sort)" \
        "$(tail -n +2 "$T/reports/delivery-1.csv" | sort)"
mkdir -p "$T/elsewhere"
"$PLAUSID" report --config "$T/c.yaml" --delivery 1 --out "$T/elsewhere" --max-records 3 --group 4242 >/dev/null 2>&1
check "report --out: written there" "yes" "$([ -f "$T/elsewhere/delivery-1.html" ] && echo yes)"
check "report --group: the files' group" "4242 4242" \
        "$(stat -c %g "$T/elsewhere/delivery-1.html" "$T/elsewhere/delivery-1.csv" | tr '\n' ' ' | sed 's/ $//')"
contains "report --max-records: the first 3, the total stated" "$T/elsewhere/delivery-1.html" \
        "Gezeigt werden die ersten 3 von 56 abgewiesenen Datensätzen"
check "report --max-records: 3 records shown" 3 "$(grep -c '<article class="rec"' "$T/elsewhere/delivery-1.html")"
"$PLAUSID" report --config "$T/c.yaml" --delivery 99 >/dev/null 2>"$T/err"
check "report: unknown delivery, exit 2" "2|plausid report: there is no such delivery" "$?|$(cat "$T/err")"
"$PLAUSID" report --config "$T/c.yaml" --delivery 1 --since 2024-01-01 >/dev/null 2>&1
check "report: --delivery and --since together, exit 2" 2 $?
# Every number read back is checked: a count the register should never hold is an error
# that names its column, not a number made up from it.
q "UPDATE plausid.deliveries SET records = -5 WHERE id = 1"
"$PLAUSID" report --config "$T/c.yaml" --delivery 1 --out "$T/elsewhere" >/dev/null 2>"$T/err"
check "report: a negative count in the register, exit 2, the column named" \
        "2|plausid report: the database gave a value that is not valid in column 'records'" "$?|$(cat "$T/err")"
q "UPDATE plausid.deliveries SET records = 400 WHERE id = 1"

# ---- plausid report --since: the overview over time ----
"$PLAUSID" load --config "$T/c.yaml" --source hze samples/hze_2024_west.csv samples/hze_2024_ost.csv \
        samples/hze_2024_sued_cp1252.csv >/dev/null 2>&1
"$PLAUSID" load --config "$T/c.yaml" --source hze samples/hze_2024_ost.csv >/dev/null 2>&1 # a duplicate
mkdir -p "$T/ov"
out=$("$PLAUSID" report --config "$T/c.yaml" --since 2000-01-01 --out "$T/ov" 2>&1)
check "since: exit 0, the overview and its count" "0|overview: $T/ov/uebersicht-2000-01-01.html (4 deliveries, each with its report beside it)" \
        "$?|$out"
o=$T/ov/uebersicht-2000-01-01.html
contains "since: title" "$o" "<h1>Übersicht der Lieferungen seit 01.01.2000</h1>"
contains "since: the totals" "$o" \
        '<p id="uebersicht-anzahl">4 Lieferungen aus 1 Quelle: 800 Datensätze gelesen, 79 abgewiesen (9,9&#160;%)'
contains "since: duplicates counted, not listed" "$o" "Nicht aufgeführt: 1 doppelte Lieferung(en)"
contains "since: the unit of a delivery rejected by the gate, from its findings' keys" "$o" \
        "<h3>Meldende Einheit 05-9-13-000-512345</h3>"
contains "since: a file rejected at its header has no unit" "$o" "<h3>Meldende Einheit unbekannt"
contains "since: a trend chart" "$o" 'aria-label="Anteil abgewiesener Datensätze je Lieferung"'
contains "since: the rejection rate of a delivery" "$o" '<td class="n">56</td><td class="n">14,0&#160;%</td>'
contains "since: top rules with titles" "$o" '<td class="id">A05</td><td>Abgabe und nachfolgende Hilfe passen nicht zusammen</td>'
links=$(grep -o 'href="delivery-[0-9]*\.html"' "$o" | sort -u | sed 's/href="//; s/"//' | tr '\n' ' ')
check "since: links to the four delivery reports" "delivery-1.html delivery-2.html delivery-3.html delivery-4.html " "$links"
missing=""
for l in $links; do [ -f "$T/ov/$l" ] && [ -f "$T/ov/${l%.html}.csv" ] || missing+="$l "; done
check "since: every linked report is there, with its CSV" "" "$missing"
check "since: mode 0640" "640" "$(stat -c %a "$o")"
"$PLAUSID" report --config "$T/c.yaml" --since 2999-01-01 --out "$T/ov" >/dev/null 2>&1
contains "since: a day with nothing after it" "$T/ov/uebersicht-2999-01-01.html" "Seit diesem Tag ist keine Lieferung eingegangen."
"$PLAUSID" report --config "$T/c.yaml" --since 1.1.2024 --out "$T/ov" >/dev/null 2>"$T/err"
check "since: a malformed day, exit 2" "2|plausid report: '1.1.2024' is not a day as YYYY-MM-DD" "$?|$(cat "$T/err")"
"$PLAUSID" report --config "$T/c.yaml" --since 2000-01-01 --out "$T/nonexistent" >/dev/null 2>&1
check "since: an out directory that does not exist, exit 2" 2 $?
# ---- the § 8a data set: the same reports, with its own rules' titles and fields' labels ----
# samples/gefaehrdung_2024.csv: 151 assessments (header on line 1), one defect each in the
# records of lines 42 (G01), 57 (G02), 63 (G03), 79 (G04), 92 (P02: anregung 11), 133 (X01,
# the record of line 132 again) and a warning in line 101 (G05): 6 rejected, 1 warned.
new_db t_report_8a
mkdir -p "$T/r8a"
cat >"$T/c8a.yaml" <<EOC
database:
  conninfo: ""
  schema: plausid
sources:
  - name: gefaehrdung
    rules: $ROOT/rules/gefaehrdung.yaml
    reports: $T/r8a
EOC
out=$("$PLAUSID" load --config "$T/c8a.yaml" --source gefaehrdung samples/gefaehrdung_2024.csv 2>"$T/stderr")
check "§ 8a: loaded, its report written" "0|report: $T/r8a/delivery-1.html" "$?|$(grep '^report:' <<<"$out")"
h=$T/r8a/delivery-1.html
contains "§ 8a: records read" "$h" '<div class="card" id="anzahl-gelesen"><span class="num">151</span>'
contains "§ 8a: rejected" "$h" '<div class="card" id="anzahl-abgewiesen"><span class="num">6</span>'
contains "§ 8a: rule title" "$h" "Gefährdung ohne Art der Gefährdung"
contains "§ 8a: field label" "$h" "Ergebnis der Gefährdungseinschätzung"
contains "§ 8a: a rejected record with its line and key" "$h" \
        'Zeile 42 · Schlüssel <span class="mono">05-9-13-000-512345-00041-2024</span>'
check "§ 8a: findings per rule and line" "G01:42 G02:57 G03:63 G04:79 G05:101 P02:92 X01:133 " \
        "$(q "SELECT string_agg(rule || ':' || line, ' ' ORDER BY rule) || ' ' FROM plausid.findings WHERE delivery_id = 1")"
check "§ 8a: loaded, rejected, warned" "145|6|1" "$(q "SELECT loaded, rejected, warned FROM plausid.deliveries WHERE id = 1")"
mkdir -p "$T/ov8a"
out=$("$PLAUSID" report --config "$T/c8a.yaml" --since 2000-01-01 --out "$T/ov8a" 2>&1)
check "§ 8a: report --since" "0|overview: $T/ov8a/uebersicht-2000-01-01.html (1 deliveries, each with its report beside it)" "$?|$out"
contains "§ 8a: the overview names the source" "$T/ov8a/uebersicht-2000-01-01.html" "Quelle gefaehrdung"
contains "§ 8a: the overview's top rules with titles" "$T/ov8a/uebersicht-2000-01-01.html" \
        '<td class="id">G04</td><td>Abschluss nicht im Berichtsjahr</td>'

# ---- the § 42 data set, into the same database: its report, dates as DD.MM.YYYY ----
# samples/schutz_2024.csv: 71 measures; errors in the records of lines 7 (I01), 16 (I02),
# 35 (I03), 42 (I05), warnings in 46 (I06: 01.02. to 15.06.2024, 135 days), 49 (I04) and
# 72 (I07: the person's measure of line 52 again, a day later): 4 rejected, 3 warned.
cat >>"$T/c8a.yaml" <<EOC
  - name: schutz
    rules: $ROOT/rules/schutz.yaml
    reports: $T/r8a
EOC
out=$("$PLAUSID" load --config "$T/c8a.yaml" --source schutz samples/schutz_2024.csv 2>"$T/stderr")
# Loading schutz evaluates the § 8a pack's V02 (rules/gefaehrdung.yaml): of the § 8a
# records with inobhutnahme_folgt = 1 whose window (month of completion and the 3 after)
# lies in 2024's loaded schutz months (to 12.2024), those of lines 116 (01.2024), 117
# (08.2024), 127 (03.2024) and 143 (08.2024) have no measure of their person: 4 V02 on
# delivery 1, whose report is therefore written again. (Line 63's person lost its measure,
# line 7 of schutz, to I01, but line 63 is itself rejected by G03; lines 67 and 148 end
# their window in 2025.)
check "§ 42: loaded, its report written, the § 8a report written again" \
        "0|report: $T/r8a/delivery-2.html report: $T/r8a/delivery-1.html" "$?|$(grep '^report:' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check "§ 42: V02 on the § 8a delivery" "1:116 1:117 1:127 1:143" \
        "$(q "SELECT string_agg(delivery_id || ':' || line, ' ' ORDER BY line) FROM plausid.findings WHERE rule = 'V02'")"
contains "§ 42: the rewritten § 8a report shows V02" "$T/r8a/delivery-1.csv" "Nach der Gefährdungseinschätzung folgte laut Datensatz eine Inobhutnahme"
h=$T/r8a/delivery-2.html
contains "§ 42: rule title" "$h" "§ 42a ohne Anlass „unbegleitete Einreise“"
contains "§ 42: field label" "$h" "Ende der Maßnahme"
contains "§ 42: a warning with days and dates, in the CSV" "$T/r8a/delivery-2.csv" "Die Maßnahme dauerte 135 Tage (01.02.2024 bis 15.06.2024)"
check "§ 42: findings per rule and line" "I01:7 I02:16 I03:35 I04:49 I05:42 I06:46 I07:72 " \
        "$(q "SELECT string_agg(rule || ':' || line, ' ' ORDER BY rule) || ' ' FROM plausid.findings WHERE delivery_id = 2")"
check "§ 42: loaded, rejected, warned" "67|4|3" "$(q "SELECT loaded, rejected, warned FROM plausid.deliveries WHERE id = 2")"
check "§ 42: dates stored as dates" "date|2024-02-01|2024-06-15" \
        "$(q "SELECT pg_typeof(beginn), beginn, ende FROM plausid.schutz WHERE line = 46")"

bad=""
for f in "$T"/ov/*.html "$T"/reports/*.html "$T"/r2/*.html "$T"/r8a/*.html "$T"/ov8a/*.html; do
        [ -z "$(self_contained "$f")" ] || bad+="$(basename "$f") "
done
check "every report is self-contained" "" "$bad"

# ---- what a controller sees: headless Chromium renders the report ----
# Root needs --no-sandbox; the network flags keep Chromium from calling out (there is no
# network here, and a report must not need one).
chrome() { # chrome ARGS... URL
        local profile
        profile=$(mktemp -d "$T/chrome.XXXXXX")
        timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
                --disable-background-networking --disable-component-update --disable-sync \
                --user-data-dir="$profile" "$@" 2>>"$T/chrome.log"
}
# The text a person reads: the rendered DOM without its markup, entities resolved.
dom_text() {
        sed -e 's/<style>.*<\/style>//' -e 's/<[^>]*>/ /g' -e 's/&#160;/ /g; s/&nbsp;/ /g; s/&amp;/\&/g' |
                tr -s ' \n' ' '
}
if ! command -v chromium >/dev/null; then
        check "chromium: installed (scripts/deps.sh installs the Debian package)" yes no
else
        h=$T/reports/delivery-1.html
        chrome --screenshot="$T/shot.png" --window-size=1280,2000 "file://$h" >/dev/null
        check "chromium: screenshot taken" yes "$([ -s "$T/shot.png" ] && echo yes || echo no)"
        # PNG signature, then the IHDR's width and height: the window asked for.
        check "chromium: screenshot is a 1280x2000 PNG" "89504e47 00000500000007d0" \
                "$(od -An -tx1 -N4 "$T/shot.png" | tr -d ' \n') $(od -An -tx1 -j16 -N8 "$T/shot.png" | tr -d ' \n')"
        check "chromium: the screenshot shows something (over 30 kB)" yes \
                "$([ "$(stat -c %s "$T/shot.png" 2>/dev/null || echo 0)" -gt 30000 ] && echo yes || echo no)"
        chrome --dump-dom "file://$h" >"$T/dom.html"
        text=$(dom_text <"$T/dom.html")
        for want in "Prüfbericht: hze_2024_nord.csv" "400 Datensätze gelesen" "0 geladen (0,0 %)" \
                "56 abgewiesen (14,0 %)" "15 mit Warnungen (3,8 %)" "Als Ganzes abgewiesen: 56 von 400 Datensätzen (14,0 %) abgewiesen" \
                "Befunde insgesamt: 76 (Fehler: 60, Warnungen: 16, Datei: 0)" "X02 Fehler Überschneidung stationärer Hilfen 2 2 0,5 %" \
                "Alle 56 abgewiesenen Datensätze"; do
                if grep -qF -- "$want" <<<"$text"; then check "chromium: rendered text has '$want'" yes yes
                else check "chromium: rendered text has '$want'" yes "no"; fi
        done
        chrome --dump-dom "file://$o" >"$T/dom-ov.html"
        text=$(dom_text <"$T/dom-ov.html")
        want="4 Lieferungen aus 1 Quelle: 800 Datensätze gelesen, 79 abgewiesen (9,9 %)"
        if grep -qF -- "$want" <<<"$text"; then check "chromium: overview shows '$want'" yes yes
        else check "chromium: overview shows '$want'" yes no; fi
        # Printing: the print style sheet gives A4 pages.
        chrome --no-pdf-header-footer --print-to-pdf="$T/report.pdf" "file://$h" >/dev/null
        check "chromium: prints to PDF" "%PDF" "$(head -c 4 "$T/report.pdf" 2>/dev/null)"
        # The page tree's largest /Count is the number of pages; A4 is 595 x 842 points.
        pages=$(grep -ao '/Count [0-9]*' "$T/report.pdf" | awk '$2 > n { n = $2 } END { print n + 0 }')
        check "chromium: several pages" yes "$([ "$pages" -gt 2 ] && echo yes || echo "no ($pages)")"
        check "chromium: A4 pages" yes \
                "$(grep -aq '/MediaBox \[0 0 594\.9[0-9]* 841\.9[0-9]*\]' "$T/report.pdf" && echo yes || echo no)"
        if [ $failed -gt 0 ] && [ -s "$T/chrome.log" ]; then tail -20 "$T/chrome.log" >&2; fi
        # Kept for a person to look at: build/report-screenshot.png.
        cp "$T/shot.png" "$ROOT/$BUILD/report-screenshot.png" 2>/dev/null || true
fi


# ---- plausid report --strategiekarte (its own file: tests/report/strategiekarte.sh) ----
# shellcheck source=strategiekarte.sh
. tests/report/strategiekarte.sh

summary
