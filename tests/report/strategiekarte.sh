#!/usr/bin/env bash
# Tests of `plausid report --strategiekarte` against a real PostgreSQL: the fixtures of
# strategiekarte_fixtures.py (two Jugendämter, three Berichtsjahre, population without
# 2023, SGB II rates, § 8a and § 42, a cell under 3, a hostile Sozialraum name) loaded with
# `plausid load`, the report written, then rendered in headless Chromium: a screenshot of
# every page (kept in BUILD/strategiekarte-PAGE.png), the page printed to PDF, and every
# figure read from the rendered DOM compared with the views' figures, formatted by SQL
# here (not by the C code): every cell of every table, every point of the scatter chart
# and of the small multiples.
#
#   tests/report/strategiekarte.sh BUILD      on its own: its own server, "N passed, N failed"
#   . tests/report/strategiekarte.sh          from tests/report/run.sh: its server and counts
set -uo pipefail
if ! declare -F check >/dev/null; then
        BUILD=${1:-build}
        ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
        cd "$ROOT"
        PLAUSID=$ROOT/$BUILD/plausid
        # shellcheck source=../pg.sh
        . tests/pg.sh
        # shellcheck source=../lib.sh
        . tests/lib.sh
        pg_suite strategiekarte
        SK_ALONE=1
fi

sk_contains() { # sk_contains NAME FILE TEXT
        if grep -qF -- "$3" "$2" 2>/dev/null; then check "$1" yes yes; else check "$1" "$3" "(not in $2)"; fi
}

# ---- the data: two Jugendämter, three years, every data set the report reads ----
new_db t_strategiekarte
SK=$T/strategiekarte
mkdir -p "$SK/reports" "$SK/out"
python3 tests/report/strategiekarte_fixtures.py "$SK/f"
{
        printf 'database:\n  conninfo: ""\n  schema: plausid\nsources:\n'
        for s in hze bevoelkerung sgb2 gefaehrdung schutz; do
                printf '  - name: %s\n    rules: %s/rules/%s.yaml\n    reports: %s/reports\n    max_reject_share: 0.5\n' \
                        "$s" "$ROOT" "$s" "$SK"
        done
} >"$SK/c.yaml"
sk_load() { # sk_load SOURCE FILE...
        local s=$1 f
        shift
        for f in "$@"; do
                "$PLAUSID" load --config "$SK/c.yaml" --source "$s" "$SK/f/$f" >>"$SK/load.log" 2>&1 || echo "$f:$?"
        done
}
bad=$(sk_load hze hze_2022_stadt.csv hze_2023_stadt.csv hze_2024_stadt.csv hze_2024_kreis.csv
        sk_load bevoelkerung bevoelkerung_2022.csv bevoelkerung_2024.csv
        sk_load sgb2 sgb2_2022.csv sgb2_2023.csv sgb2_2024.csv
        sk_load gefaehrdung gefaehrdung_2024.csv
        sk_load schutz schutz_2024.csv)
check "strategiekarte: every fixture loaded" "" "$bad"
check "strategiekarte: the three H01 records rejected" "3" "$(q "SELECT count(*) FROM plausid.findings WHERE rule = 'H01'")"

# Views written on other branches: stand-ins until they are in rules/ (never committed there).
need() { [ "$(q "SELECT to_regclass('plausid.$1') IS NULL")" = t ] && echo 1 || echo 0; }
need_hze=$(need v_strategiekarte_hze) need_dq=$(need v_hze_datenqualitaet_sozialraum)
if [ "$need_hze$need_dq" != 00 ]; then
        echo "strategiekarte: stand-in views for the missing ones (hze $need_hze, datenqualitaet $need_dq)" >&2
        psql -X -q -v ON_ERROR_STOP=1 -v need_hze="$need_hze" -v need_dq="$need_dq" \
                -f tests/report/strategiekarte_stub_views.sql >/dev/null
fi

# ---- what goes wrong, said in German, exit 2 ----
sk_report() { "$PLAUSID" report --config "$SK/c.yaml" --strategiekarte "$@"; }
sk_report --year 2030 >/dev/null 2>"$SK/err"
check "no data for the year: exit 2, the years that have some" \
        "2|plausid report: für das Berichtsjahr 2030 gibt es keine Daten; Berichtsjahre mit Daten: 2022, 2023, 2024" \
        "$?|$(cat "$SK/err")"
sk_report --year 2024 >/dev/null 2>"$SK/err"
check "several Jugendämter without --unit: exit 2, listed" \
        "2|plausid report: die Datenbank enthält für 2024 mehrere Jugendämter: 05-9-13-000, 05-9-15-000; bitte eines mit --unit wählen" \
        "$?|$(cat "$SK/err")"
sk_report --year 2024 --unit 05-9-99-000 >/dev/null 2>"$SK/err"
check "an unknown --unit: exit 2, the known ones listed" \
        "2|plausid report: das Jugendamt 05-9-99-000 hat im Berichtsjahr 2024 keine Daten; Jugendämter mit Daten: 05-9-13-000, 05-9-15-000" \
        "$?|$(cat "$SK/err")"
sk_report --year 2024 --unit 05-9-13 >/dev/null 2>"$SK/err"
check "a --unit not written as land-regbez-kreis-gemeinde: exit 2" 2 $?
"$PLAUSID" report --config "$SK/c.yaml" --strategiekarte >/dev/null 2>"$SK/err"
check "--strategiekarte without --year: exit 2" "2|plausid report: --strategiekarte braucht --year JAHR" \
        "$?|$(head -1 "$SK/err")"
"$PLAUSID" report --config "$SK/c.yaml" --since 2024-01-01 --year 2024 >/dev/null 2>&1
check "--year without --strategiekarte: exit 2" 2 $?
check "nothing written on failure" "" "$(ls "$SK/reports" | grep strategiekarte)"

# ---- the report: into the reports directory unless --out ----
out=$(sk_report --year 2024 --unit 05-9-13-000 2>"$SK/err")
base=$SK/reports/strategiekarte_2024_05-9-13-000
check "written: exit 0, where the files are" "0|Strategiekarte: $base.html (Jugendamt 05-9-13-000, Berichtsjahr 2024)
Tabelle: ${base}_hze.csv
Tabelle: ${base}_verlauf.csv
Tabelle: ${base}_8a.csv
Tabelle: ${base}_42.csv
Tabelle: ${base}_datenqualitaet.csv
Tabelle: ${base}_unbekannt.csv" "$?|$out"
check "written: mode 0640" "640 640" "$(stat -c %a "$base.html" "${base}_hze.csv" | tr '\n' ' ' | sed 's/ $//')"
h=$base.html
# Nothing refers outside (the hostile name is escaped, so no '<script' either).
check "self-contained: no script, link, url(), http" "" \
        "$(grep -noiE 'https?:|<link|<script|<iframe|<object|<embed|@import|url\(|src=' "$h")"
sk_contains "the hostile name escaped" "$h" 'data-sozialraum="=1+1&lt;script&gt;alert(1)&lt;/script&gt;"'
sk_contains "A4 landscape" "$h" "@page{size:A4 landscape"
sk_contains "the footnote on suppression" "$h" "· = weniger als 3 junge Menschen (Geheimhaltung)"
check "a suppressed cell is there (Klein, under 3)" yes \
        "$(grep -q 'data-sozialraum="Klein"><th scope="row">Klein</th><td class="n" data-col="fallzahl" data-gesperrt="1">·</td>' "$h" && echo yes || echo no)"
out=$(sk_report --year 2024 --unit 05-9-13-000 --out "$SK/out" 2>&1)
check "--out: written there" "0|yes" "$?|$([ -f "$SK/out/strategiekarte_2024_05-9-13-000.html" ] && echo yes)"

# ---- the figures as SQL formats them: German, one decimal, "·" suppressed, "–" missing ----
q "CREATE OR REPLACE FUNCTION public.sk_fmt(v numeric, gesperrt boolean, kind text) RETURNS text
   LANGUAGE sql IMMUTABLE AS \$\$
   SELECT CASE WHEN v IS NULL THEN CASE WHEN gesperrt THEN '·' ELSE '–' END
          WHEN kind = 'int' THEN translate(to_char(v, 'FM999G999G999G990'), ',', '.')
          WHEN kind = 'dec' THEN translate(to_char(round(v, 1), 'FM999G999G990D0'), ',.', '.,')
          WHEN kind = 'share' THEN translate(to_char(round(v * 100, 1), 'FM999G990D0'), ',.', '.,') || ' %'
          ELSE translate(to_char(round(v, 1), 'FM999G990D0'), ',.', '.,') || ' %' END \$\$" >/dev/null
# The CSV: the same, as Excel reads it (no thousands separator, no %, empty for missing).
q "CREATE OR REPLACE FUNCTION public.sk_csv(v numeric, gesperrt boolean, kind text) RETURNS text
   LANGUAGE sql IMMUTABLE AS \$\$
   SELECT CASE WHEN v IS NULL THEN CASE WHEN gesperrt THEN '·' ELSE '' END
          WHEN kind = 'int' THEN v::text
          WHEN kind = 'share' THEN replace(round(v * 100, 1)::text, '.', ',')
          ELSE replace(round(v, 1)::text, '.', ',') END \$\$" >/dev/null
label="CASE WHEN ebene = 'Jugendamt' THEN 'Jugendamt insgesamt' ELSE sozialraum END"
order="ORDER BY ebene = 'Jugendamt', sozialraum = 'ohne Zuordnung', sozialraum"
unit="berichtsjahr = 2024 AND land = '05' AND regbez = '9' AND kreis = '13' AND gemeinde = '000'"
hze_cells() { # hze_cells FUNCTION SEP: the rows of page 1
        q "SELECT concat_ws('$2', $label,
             $1(fallzahl, fallzahl_gesperrt, 'int'), $1(einwohner_unter21, false, 'int'),
             $1(eckwert, eckwert_gesperrt, 'dec'), $1(anteil_ambulant, anteil_ambulant_gesperrt, 'share'),
             $1(anteil_vollzeitpflege, anteil_vollzeitpflege_gesperrt, 'share'),
             $1(dauer_median::numeric, dauer_median_gesperrt, 'dec'),
             $1(anteil_planmaessig, anteil_planmaessig_gesperrt, 'share'),
             $1(sgb2_quote_unter15, false, 'pct'))
           FROM plausid.v_strategiekarte_hze WHERE $unit $order"
}
w8a_cells() {
        q "SELECT concat_ws('|', $label, sk_fmt(einschaetzungen, einschaetzungen_gesperrt, 'int'),
             sk_fmt(eckwert_8a, eckwert_8a_gesperrt, 'dec'), sk_fmt(anteil_gefaehrdung, anteil_gefaehrdung_gesperrt, 'share'))
           FROM plausid.v_strategiekarte_8a WHERE $unit $order"
}
w42_cells() {
        q "SELECT concat_ws('|', $label, sk_fmt(inobhutnahmen, inobhutnahmen_gesperrt, 'int'),
             sk_fmt(eckwert_42, eckwert_42_gesperrt, 'dec'), sk_fmt(dauer_median_tage::numeric, dauer_median_tage_gesperrt, 'dec'),
             sk_fmt(anteil_rueckkehr, anteil_rueckkehr_gesperrt, 'share'))
           FROM plausid.v_strategiekarte_42 WHERE $unit $order"
}
# The data-quality views are per Einrichtung: summed per Sozialraum and for the Jugendamt;
# a row whose Fallzahl page 1 suppresses is suppressed whole (z).
q "CREATE OR REPLACE FUNCTION public.sk_z(v numeric, z boolean) RETURNS numeric
   LANGUAGE sql IMMUTABLE AS \$\$ SELECT CASE WHEN z THEN NULL ELSE v END \$\$" >/dev/null
summed() { # summed VIEW COLUMNS CELLS: the rows of a data-quality table
        q "WITH s AS (SELECT coalesce(sozialraum, 'insgesamt') AS sozialraum,
                CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene, $2
              FROM plausid.$1 WHERE $unit GROUP BY GROUPING SETS ((sozialraum), ())),
           t AS (SELECT s.*, coalesce(k.fallzahl_gesperrt, false) AS z FROM s
                 LEFT JOIN plausid.v_strategiekarte_hze k ON k.ebene = s.ebene AND k.sozialraum = s.sozialraum
                  AND k.berichtsjahr = 2024 AND k.land = '05' AND k.regbez = '9' AND k.kreis = '13' AND k.gemeinde = '000')
           SELECT concat_ws('|', $label, $3) FROM t $order"
}
dq_cells() {
        summed v_hze_datenqualitaet_sozialraum \
                "sum(datensaetze) AS d, sum(abgelehnt) AS a, sum(gewarnt) AS g" \
                "sk_fmt(sk_z(d, z), z, 'int'), sk_fmt(sk_z(a, z), z, 'int'), sk_fmt(sk_z(a / nullif(d, 0), z), z, 'share'),
                 sk_fmt(sk_z(g, z), z, 'int'), sk_fmt(sk_z(g / nullif(d, 0), z), z, 'share')"
}
unbekannt_cells() {
        summed v_hze_unbekannt \
                "sum(datensaetze) AS d, sum(familiensituation_unbekannt) AS f, sum(herkunft_ausland_unbekannt) AS h,
                 sum(deutsch_zuhause_unbekannt) AS dz, sum(transferleistungen_unbekannt) AS tl" \
                "sk_fmt(sk_z(d, z), z, 'int'), sk_fmt(sk_z(f / nullif(d, 0), z), z, 'share'),
                 sk_fmt(sk_z(h / nullif(d, 0), z), z, 'share'), sk_fmt(sk_z(dz / nullif(d, 0), z), z, 'share'),
                 sk_fmt(sk_z(tl / nullif(d, 0), z), z, 'share')"
}

# ---- the CSV beside it ----
csv=${base}_hze.csv
check "csv: UTF-8 byte-order mark" "efbbbf" "$(head -c 3 "$csv" | od -An -tx1 | tr -d ' \n')"
check "csv: header" "Sozialraum;Fallzahl;Einwohner unter 21;Eckwert je 10.000 unter 21;Anteil ambulant (%);Anteil Vollzeitpflege (%);Dauer (Median, Monate);Planmäßig beendet (%);SGB-II-Quote unter 15 (%)" \
        "$(head -1 "$csv" | tail -c +4 | tr -d '\r')"
check "csv: CRLF line ends" "$(wc -l <"$csv")" "$(grep -c $'\r$' "$csv")"
# Numbers stay numbers (German decimals); the hostile name's '=' gets an apostrophe.
check "csv: every row = the view's figures, the hostile name neutralised" \
        "$(hze_cells sk_csv ';' | sed "s/^=1+1/'=1+1/")" "$(tail -n +2 "$csv" | tr -d '\r')"
check "csv: the hostile name as text" "'=1+1<script>alert(1)</script>" "$(grep -o "^'=1+1<script>alert(1)</script>" "$csv")"
check "csv: the Wächteramt and data-quality tables beside it" "yes yes yes yes" \
        "$(for s in 8a 42 datenqualitaet unbekannt; do [ -s "${base}_$s.csv" ] && printf 'yes '; done | sed 's/ $//')"

# ---- the report for 2023 and for the other Jugendamt: what they leave out, and why ----
sk_report --year 2023 --unit 05-9-13-000 --out "$SK/out" >/dev/null 2>&1
h23=$SK/out/strategiekarte_2023_05-9-13-000.html
sk_contains "2023: no Wächteramt page, and why" "$h23" \
        '<li id="ohne-waechteramt">Keine Seite Wächteramt: für 2023 gibt es keine Daten zu § 8a und § 42 SGB VIII für dieses Jugendamt.</li>'
check "2023: no Wächteramt section, no § 8a CSV" "0|no" \
        "$(grep -c 'id="waechteramt"' "$h23")|$([ -f "$SK/out/strategiekarte_2023_05-9-13-000_8a.csv" ] && echo yes || echo no)"
# 2023 has no population of its own: the rows whose view says another year are named.
want=$(q "SELECT string_agg(sozialraum || ' (' || bevoelkerung_jahr || ')', '; ' ORDER BY ebene = 'Jugendamt', sozialraum = 'ohne Zuordnung', sozialraum)
          FROM (SELECT $label AS sozialraum, ebene, bevoelkerung_jahr FROM plausid.v_strategiekarte_hze
                WHERE berichtsjahr = 2023 AND kreis = '13' AND bevoelkerung_jahr <> 2023) x")
check "2023: another year's population used (the view says so for some row)" yes "$([ -n "$want" ] && echo yes)"
sk_contains "2023: the note names each such row and its year" "$h23" \
        "eines anderen Jahres: $(sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' <<<"$want").</p>"
check "2024: no such note (own population)" 0 "$(grep -c 'id="bevoelkerung-anderes-jahr"' "$h")"

# The other Jugendamt: no § 8a/§ 42 records of its own in 2024.
sk_report --year 2024 --unit 05-9-15-000 --out "$SK/out" >/dev/null 2>&1
check "other Jugendamt: written" 0 $?
sk_contains "other Jugendamt: no Wächteramt page, and why" "$SK/out/strategiekarte_2024_05-9-15-000.html" \
        'Keine Seite Wächteramt: für 2024 gibt es keine Daten zu § 8a und § 42 SGB VIII für dieses Jugendamt.'
# A database where § 8a and § 42 were never loaded: their views do not exist.
new_db t_strategiekarte_ohne
{
        printf 'database:\n  conninfo: ""\n  schema: plausid\nsources:\n'
        for s in hze bevoelkerung sgb2; do
                printf '  - name: %s\n    rules: %s/rules/%s.yaml\n    reports: %s/reports\n    max_reject_share: 0.5\n' \
                        "$s" "$ROOT" "$s" "$SK"
        done
} >"$SK/c-ohne.yaml"
for f in hze:hze_2024_stadt.csv bevoelkerung:bevoelkerung_2024.csv sgb2:sgb2_2024.csv; do
        "$PLAUSID" load --config "$SK/c-ohne.yaml" --source "${f%%:*}" "$SK/f/${f#*:}" >/dev/null 2>&1
done
check "without § 8a/§ 42: their views do not exist" "f|f" \
        "$(q "SELECT to_regclass('plausid.v_strategiekarte_8a') IS NOT NULL, to_regclass('plausid.v_strategiekarte_42') IS NOT NULL")"
need_hze=$(need v_strategiekarte_hze) need_dq=$(need v_hze_datenqualitaet_sozialraum)
if [ "$need_hze$need_dq" != 00 ]; then
        psql -X -q -v ON_ERROR_STOP=1 -v need_hze="$need_hze" -v need_dq="$need_dq" \
                -f tests/report/strategiekarte_stub_views.sql >/dev/null
fi
"$PLAUSID" report --config "$SK/c-ohne.yaml" --strategiekarte --year 2024 --out "$SK/out" >/dev/null 2>&1
check "without § 8a/§ 42: written (one Jugendamt: no --unit needed)" 0 $?
sk_contains "without § 8a/§ 42: the page left out, and why" "$SK/out/strategiekarte_2024_05-9-13-000.html" \
        '<li id="ohne-waechteramt">Keine Seite Wächteramt: Daten zu § 8a und § 42 SGB VIII sind nicht geladen.</li>'
# (the directory holds the CSVs of the full report for 05-9-13-000 written above: the
# stale § 42 table goes, it would tell of a page that is not there)
check "without § 8a/§ 42: no such section, no such CSV (the earlier one removed)" "0|no" \
        "$(grep -c 'id="waechteramt"' "$SK/out/strategiekarte_2024_05-9-13-000.html")|$([ -f "$SK/out/strategiekarte_2024_05-9-13-000_42.csv" ] && echo yes || echo no)"
# Back to the database with everything, for the rendering below: the 2024 report again.
export PGDATABASE=t_strategiekarte
sk_report --year 2024 --unit 05-9-13-000 --out "$SK/out" >/dev/null 2>&1

# ---- rendered in headless Chromium ----
sk_chrome() { # sk_chrome ARGS... URL
        local profile
        profile=$(mktemp -d "$T/chrome.XXXXXX")
        timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
                --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
                --user-data-dir="$profile" "$@" 2>>"$T/chrome.log"
}
# The rendered DOM, read by Python's HTML parser: each table's rows as "label|cell|...",
# each chart's points with their raw values and positions.
dom_read() { # dom_read DOM WHAT
        python3 - "$1" "$2" <<'EOF'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.table, self.row, self.cell = {}, None, None, None
        self.points, self.svg, self.group, self.figure, self.multiples = [], None, None, None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self.table = self.tables.setdefault(a["id"], [])
        elif tag == "tr" and self.table is not None and "data-ebene" in a:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "svg" and a.get("id") == "streuung-bild":
            self.svg = self.scatter = a
        elif tag == "figure" and "data-sozialraum" in a:
            self.figure = [a["data-sozialraum"], a["data-ebene"], []]
            self.multiples.append(self.figure)
        elif tag == "g" and a.get("class") == "punkt":
            self.group = dict(a, label="")
            if self.figure is not None:
                self.figure[2].append(self.group)
            elif self.svg is not None:
                self.points.append(self.group)
        elif tag == "circle" and self.group is not None:
            self.group.update(cx=a["cx"], cy=a["cy"])
        elif tag == "text" and self.group is not None:
            self.group["text"] = True
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.replace("\xa0", " ").strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.table.append("|".join(self.row))
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "g":
            self.group = None
        elif tag == "figure":
            self.figure = None
        elif tag == "svg" and self.figure is None:
            self.svg = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.group is not None and self.group.get("text"):
            self.group["label"] += data

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
what = sys.argv[2]
if what.startswith("t-"):
    print("\n".join(p.tables.get(what, [])))
elif what == "points":      # sozialraum|eckwert|sgb2|label, and whether cx, cy fit the scale
    s = p.scatter
    left, top, w, hgt = (float(s["data-" + k]) for k in ("left", "top", "width", "height"))
    xmax, ymax = float(s["data-x-max"]), float(s["data-y-max"])
    for g in p.points:
        x, y = float(g["data-sgb2"]), float(g["data-eckwert"])
        ok = abs(float(g["cx"]) - (left + x / xmax * w)) < 0.11 and abs(float(g["cy"]) - (top + hgt - y / ymax * hgt)) < 0.11
        inside = left <= float(g["cx"]) <= left + w and top <= float(g["cy"]) <= top + hgt
        print("|".join([g["data-sozialraum"], g["data-eckwert"], g["data-sgb2"], g["label"],
                        "ok" if ok and inside else "off"]))
elif what == "multiples":   # sozialraum|ebene|year:eckwert ...
    for sr, ebene, pts in p.multiples:
        print("|".join([sr, ebene] + [g["data-jahr"] + ":" + g["data-eckwert"] for g in pts]))
EOF
}
if ! command -v chromium >/dev/null; then
        check "strategiekarte: chromium installed (scripts/deps.sh installs the Debian package)" yes no
else
        sk_chrome --dump-dom "file://$h" >"$SK/dom.html"
        check "dom: page 1, every cell = the view's" "$(hze_cells sk_fmt '|')" "$(dom_read "$SK/dom.html" t-hze)"
        check "dom: § 8a, every cell = the view's" "$(w8a_cells)" "$(dom_read "$SK/dom.html" t-8a)"
        check "dom: § 42, every cell = the view's" "$(w42_cells)" "$(dom_read "$SK/dom.html" t-42)"
        check "dom: data quality, every cell = the views' sums" "$(dq_cells)" "$(dom_read "$SK/dom.html" t-datenqualitaet)"
        check "dom: unknown shares, every cell = the views' sums" "$(unbekannt_cells)" "$(dom_read "$SK/dom.html" t-unbekannt)"
        check "dom: a row suppressed on page 1 is suppressed on the data-quality page (Klein)" "Klein|·|·|·|·|·" \
                "$(dom_read "$SK/dom.html" t-datenqualitaet | grep '^Klein|')"
        check "dom: the 'ohne Zuordnung' row on the data-quality page" 1 \
                "$(dom_read "$SK/dom.html" t-datenqualitaet | grep -c '^ohne Zuordnung|')"
        check "dom: the hostile name is text on the page" 1 \
                "$(dom_read "$SK/dom.html" t-hze | grep -c '^=1+1<script>alert(1)</script>|')"
        # The scatter chart: one point per Sozialraum with both figures, at its place.
        check "dom: scatter points = the view's Sozialräume with Eckwert and SGB II rate, placed on the scale" \
                "$(q "SELECT string_agg(concat_ws('|', sozialraum, eckwert, sgb2_quote_unter15, sozialraum, 'ok'), E'\n' ORDER BY sozialraum = 'ohne Zuordnung', sozialraum)
                      FROM plausid.v_strategiekarte_hze WHERE $unit AND ebene = 'Sozialraum' AND eckwert IS NOT NULL AND sgb2_quote_unter15 IS NOT NULL")" \
                "$(dom_read "$SK/dom.html" points)"
        # The small multiples: per row of page 1 the Eckwert of 2020-2024 where the view has one.
        check "dom: small multiples = the view's Eckwert 2020-2024 per Sozialraum" \
                "$(q "SELECT string_agg(line, E'\n' ORDER BY j, s, line) FROM (
                        SELECT y.ebene = 'Jugendamt' AS j, y.sozialraum = 'ohne Zuordnung' AS s,
                               concat_ws('|', y.sozialraum, y.ebene, string_agg(v.berichtsjahr || ':' || v.eckwert, '|' ORDER BY v.berichtsjahr)) AS line
                        FROM plausid.v_strategiekarte_hze y
                        LEFT JOIN plausid.v_strategiekarte_hze v ON v.sozialraum = y.sozialraum AND v.ebene = y.ebene
                         AND v.land = y.land AND v.regbez = y.regbez AND v.kreis = y.kreis AND v.gemeinde = y.gemeinde
                         AND v.berichtsjahr BETWEEN 2020 AND 2024 AND v.eckwert IS NOT NULL
                        WHERE y.berichtsjahr = 2024 AND y.land = '05' AND y.regbez = '9' AND y.kreis = '13' AND y.gemeinde = '000'
                        GROUP BY y.sozialraum, y.ebene) x")" \
                "$(dom_read "$SK/dom.html" multiples)"
        # A screenshot of each page: page.html#ID shows that page alone, A4 landscape at 96 dpi.
        shots=""
        for page in hze streuung verlauf waechteramt datenqualitaet; do
                png=$SK/$page.png
                sk_chrome --screenshot="$png" --window-size=1123,794 "file://$h#$page" >/dev/null
                dims=$(od -An -tx1 -j16 -N8 "$png" 2>/dev/null | tr -d ' \n')
                [ "$(head -c 4 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] && [ "$dims" = 000004630000031a ] &&
                        [ "$(stat -c %s "$png")" -gt 20000 ] && shots+="$page " || shots+="$page:bad "
                cp "$png" "$ROOT/$BUILD/strategiekarte-$page.png" 2>/dev/null || true
        done
        check "chromium: a 1123x794 screenshot of each page" "hze streuung verlauf waechteramt datenqualitaet " "$shots"
        # One page alone: the others are hidden (so the screenshot shows the page asked for).
        check "chromium: the screenshots differ (each shows its own page)" 5 \
                "$(md5sum "$SK"/{hze,streuung,verlauf,waechteramt,datenqualitaet}.png | cut -d' ' -f1 | sort -u | wc -l)"
        sk_chrome --no-pdf-header-footer --print-to-pdf="$SK/strategiekarte.pdf" "file://$h" >/dev/null
        check "pdf: printed" "%PDF" "$(head -c 4 "$SK/strategiekarte.pdf" 2>/dev/null)"
        # A4 landscape is 842 x 595 points; a page per section.
        check "pdf: A4 landscape" yes \
                "$(grep -aq '/MediaBox \[0 0 841\.9[0-9]* 594\.9[0-9]*\]' "$SK/strategiekarte.pdf" && echo yes || echo no)"
        pages=$(grep -ao '/Count [0-9]*' "$SK/strategiekarte.pdf" | awk '$2 > n { n = $2 } END { print n + 0 }')
        check "pdf: one page per section (5)" 5 "$pages"
        cp "$SK/strategiekarte.pdf" "$ROOT/$BUILD/strategiekarte.pdf" 2>/dev/null || true
fi

if [ -n "${SK_ALONE:-}" ]; then
        summary
fi
