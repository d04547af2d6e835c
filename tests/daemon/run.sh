#!/usr/bin/env bash
# Integration tests of the drop-directory daemon `plausid run --config FILE` against a real
# PostgreSQL that this script starts (tests/pg.sh) and stops. The real binary, real
# directories under a temp dir, a NOTIFY_SOCKET listener as systemd has one
# (notify_listen.py); every case checks what landed in the database with psql and where
# the files went. Every wait is a bounded poll.
#
#   tests/daemon/run.sh BUILD
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PLAUSID=$ROOT/$BUILD/plausid
GENHZE=$ROOT/$BUILD/genhze
LISTEN=$ROOT/tests/daemon/notify_listen.py
# shellcheck source=../pg.sh
. tests/pg.sh
# shellcheck source=../lib.sh
. tests/lib.sh

T=$(mktemp -d /tmp/plausid-daemon.XXXXXX)
chmod 755 "$T"
STAGE=$T/stage          # files are prepared here and renamed into drop (same file system)
mkdir -p "$STAGE"
dpid=                   # the running daemon
lpid=                   # its notify listener
cleanup() { # KEEP=1 keeps the temp dir (logs, notify lines, directories) for a look
        [ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
        [ -n "$lpid" ] && kill "$lpid" 2>/dev/null
        pg_stop
        if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

for tool in python3 psql; do
        command -v $tool >/dev/null || { echo "daemon tests: $tool missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$PLAUSID" ] || { echo "daemon tests: $PLAUSID not built" >&2; exit 1; }
pg_start || { echo "daemon tests: cannot start PostgreSQL" >&2; exit 1; }

usec() { local t=${EPOCHREALTIME//[.,]/}; echo "$t"; }

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds (0) or the time
# is up (1).
wait_until() {
        local end=$(($(usec) + $1 * 1000000))
        shift
        while :; do
                "$@" && return 0
                [ "$(usec)" -ge $end ] && return 1
                sleep 0.1
        done
}

# wait_q SECONDS EXPECTED SQL: polls the query until it yields EXPECTED; the last answer is
# in $got (so that check can show it).
got=
q_is() { got=$(q "$2" 2>/dev/null); [ "$got" == "$1" ]; }
wait_q() { wait_until "$1" q_is "$2" "$3"; }

# write_config FILE DB BASE [extra source keys...]: a config whose source hze has its four
# directories under BASE, scan_interval 1 and stable_seconds 1 unless given.
RULES=$ROOT/rules/hze.yaml
write_config() {
        local f=$1 db=$2 base=$3
        shift 3
        local extra=" $* "
        {
                echo "database:"
                echo "  conninfo: \"dbname=$db\""
                echo "  schema: plausid"
                echo "sources:"
                echo "  - name: hze"
                echo "    rules: $RULES"
                echo "    drop: $base/drop"
                echo "    archive: $base/archive"
                echo "    quarantine: $base/quarantine"
                echo "    reports: $base/reports"
                [[ $extra == *" scan_interval:"* ]] || echo "    scan_interval: 1"
                [[ $extra == *" stable_seconds:"* ]] || echo "    stable_seconds: 1"
                for kv in "$@"; do echo "    $kv"; done
        } >"$f"
}

alive() { # the process exists and is not a zombie
        [ -r "/proc/$1/stat" ] || return 1
        local s
        s=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
        [ -n "$s" ] && [ "$s" != Z ]
}
dead() { ! alive "$1"; }

# start_daemon NAME CONFIG [prefix command...]: starts the daemon in the background with a
# notify listener (NAME.notify) and stderr in NAME.log; waits (at most 5 s) for READY=1.
start_daemon() {
        local name=$1 cfg=$2
        shift 2
        NOTIFY=$T/$name.notify
        LOG=$T/$name.log
        : >"$NOTIFY"
        python3 "$LISTEN" "$T/$name.sock" "$NOTIFY" &
        lpid=$!
        wait_until 5 test -S "$T/$name.sock"
        env -u JOURNAL_STREAM -u WATCHDOG_PID NOTIFY_SOCKET="$T/$name.sock" WATCHDOG_USEC=2000000 \
                "$@" "$PLAUSID" run --config "$cfg" 2>>"$LOG" &
        dpid=$!
        wait_until 5 ready_or_dead
}
ready_or_dead() { grep -q ' READY=1$' "$NOTIFY" || dead "$dpid"; }
notify_count() { grep -c " $1\$" "$NOTIFY"; }

# stop_daemon [SIGNAL]: sends SIGTERM (or SIGNAL), waits at most 5 s, then SIGKILL. Sets
# $stop_status (exit status, or "hung") and $stop_ms (milliseconds until it was gone).
stop_daemon() {
        local sig=${1:-TERM} t0
        t0=$(usec)
        kill -"$sig" "$dpid" 2>/dev/null
        if wait_until 5 dead "$dpid"; then
                wait "$dpid"
                stop_status=$?
        else
                kill -9 "$dpid" 2>/dev/null
                wait "$dpid" 2>/dev/null
                stop_status=hung
        fi
        stop_ms=$((($(usec) - t0) / 1000))
        dpid=
        stop_listener
}
stop_listener() {
        [ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
        lpid=
}

# mkhze OUT SEED EINR [RECORDS]: a clean generated export (default 50 records, Berichtsjahr
# 2024) of its own reporting unit (einrichtung EINR), so that every one loads as a new delivery.
mkhze() {
        "$GENHZE" -n "${4:-50}" -s "$2" -y 2024 | awk -F';' -v OFS=';' -v e="$3" 'NR > 1 { $5 = e } 1' >"$1"
}
# ost_variant OUT EINR: the 60 records of samples/hze_2024_ost.csv for another unit.
ost_variant() {
        awk -F';' -v OFS=';' -v e="$2" 'NR > 1 { $5 = e } 1' samples/hze_2024_ost.csv >"$1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# files DIR: the entries of DIR except .processing, one per line, sorted
files() { (cd "$1" 2>/dev/null && find . -mindepth 1 -maxdepth 1 ! -name .processing -printf '%P\n' | sort); }
nfiles() { find "$@" -type f 2>/dev/null | wc -l; }
ndel() { # rows in plausid.deliveries (0 while the schema does not exist)
        if [ "$(q "SELECT to_regclass('plausid.deliveries') IS NOT NULL")" = t ]; then
                q "SELECT count(*) FROM plausid.deliveries"
        else
                echo 0
        fi
}
hze_rows() { # rows in plausid.hze (0 while the table does not exist)
        if [ "$(q "SELECT to_regclass('plausid.hze') IS NOT NULL")" = t ]; then
                q "SELECT count(*) FROM plausid.hze${1:+ WHERE $1}"
        else
                echo 0
        fi
}
# the mode of a directory, and whether it is at most the given one (no other bits)
mode_le() { local m; m=$(stat -c %a "$1" 2>/dev/null) || { echo missing; return; }; [ $((8#$m & ~8#$2)) -eq 0 ] && echo ok || echo "$m"; }
YM=$(date +%Y/%m)
copy_busy() { # copy_busy DB: a COPY into hze is running in DB
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1' AND query LIKE '%COPY%hze%' AND state = 'active' AND pid <> pg_backend_pid()" 2>/dev/null)" -ge 1 ] 2>/dev/null
}
no_backend() { # no_backend DB: no client connection to DB is left
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" 2>/dev/null)" = 0 ]
}

"$GENHZE" -n 300000 -s 7 -y 2024 >"$STAGE/big.csv"
BIG_SHA=$(sha "$STAGE/big.csv")

# ======================================================================================
# ---- a configuration with errors: exit 2 before starting, with file:line ----
# ======================================================================================
{
        echo "database:"
        echo "  conninfo: \"dbname=nothing\""
        echo "sources:"
        echo "  - name: hze"
        echo "    rules: $RULES"
        echo "    drop: $T/nodirs/drop"
        echo "    archive: $T/nodirs/archive"
} >"$T/nodirs.yaml"
timeout 10 "$PLAUSID" run --config "$T/nodirs.yaml" >/dev/null 2>"$T/nodirs.err"
check "config: quarantine and reports missing -> exit 2" 2 "$?"
check "config: missing directories named with file:line" t \
        "$(grep -qE "nodirs.yaml:[0-9]+" "$T/nodirs.err" && grep -q quarantine "$T/nodirs.err" && grep -q reports "$T/nodirs.err" && echo t || cat "$T/nodirs.err")"
check "config: nothing created before starting" f "$([ -e "$T/nodirs/drop" ] && echo t || echo f)"
write_config "$T/badkey.yaml" nothing "$T/badkey" "bogus_key: 1"
timeout 10 "$PLAUSID" run --config "$T/badkey.yaml" >/dev/null 2>"$T/badkey.err"
check "config: unknown key -> exit 2" 2 "$?"
check "config: unknown key at file:line" 1 "$(grep -c "badkey.yaml:13:" "$T/badkey.err")"
write_config "$T/badval.yaml" nothing "$T/badval" "watch: sometimes"
timeout 10 "$PLAUSID" run --config "$T/badval.yaml" >/dev/null 2>"$T/badval.err"
check "config: bad watch mode -> exit 2 with file:line" "2|1" "$?|$(grep -c "badval.yaml:13:" "$T/badval.err")"
sed 's/check: ende >= beginn$/check: ende >= nosuchfield/' rules/hze.yaml >"$T/broken_start.yaml"
broken_line=$(grep -n 'check: ende >= nosuchfield' "$T/broken_start.yaml" | cut -d: -f1)
RULES=$T/broken_start.yaml write_config "$T/badrules.yaml" nothing "$T/badrules"
timeout 10 "$PLAUSID" run --config "$T/badrules.yaml" >/dev/null 2>"$T/badrules.err"
check "config: rule pack that does not compile -> exit 2 with file:line" "2|1" \
        "$?|$(grep -c "broken_start.yaml:$broken_line:" "$T/badrules.err")"
timeout 10 "$PLAUSID" run --config "$T/does-not-exist.yaml" >/dev/null 2>&1
check "config: missing file -> exit 2" 2 "$?"
# config check (the -n of the OpenBSD daemons): every error of the config and its packs at
# once, exit 1; a good one exit 0, touching nothing
cat "$T/badkey.yaml" >"$T/allbad.yaml"
sed -i "s|rules: .*|rules: $T/broken_start.yaml|; s|watch: .*||" "$T/allbad.yaml"
echo "    watch: sometimes" >>"$T/allbad.yaml"
"$PLAUSID" config check --config "$T/allbad.yaml" >"$T/allbad.out" 2>"$T/allbad.err"
check "config check: errors -> exit 1, every error of the file reported" "1|1|1" \
        "$?|$(grep -c "allbad.yaml:13:.*bogus_key" "$T/allbad.err")|$(grep -c "allbad.yaml:14:.*sometimes" "$T/allbad.err")"
"$PLAUSID" config check --config "$T/badrules.yaml" >/dev/null 2>"$T/badrules.check"
check "config check: a rule pack's errors at file:line, exit 1" "1|1" \
        "$?|$(grep -c "broken_start.yaml:$broken_line:" "$T/badrules.check")"
write_config "$T/good.yaml" nothing "$T/good"
"$PLAUSID" config check --config "$T/good.yaml" >"$T/good.out" 2>&1
check "config check: a good config -> exit 0, names the pack, creates nothing" "0|1|f" \
        "$?|$(grep -c "hze: .*hze.yaml (hze " "$T/good.out")|$([ -e "$T/good" ] && echo t || echo f)"

# ======================================================================================
# ---- one front door: `plausid run`, `plausid load` and `config check` open a source
#      alike (source.c), so they refuse a bad one with the same diagnostic, and load
#      refuses it before it touches the database ----
# ======================================================================================
new_db t_front
write_config "$T/front_group.yaml" t_front "$T/front" "report_group: keine-solche-gruppe"
timeout 10 "$PLAUSID" run --config "$T/front_group.yaml" >/dev/null 2>"$T/front_group.run"
run_status=$?
"$PLAUSID" load --config "$T/front_group.yaml" --source hze samples/hze_2024_ost.csv >/dev/null 2>"$T/front_group.load"
load_status=$?
"$PLAUSID" config check --config "$T/front_group.yaml" >/dev/null 2>"$T/front_group.check"
check_status=$?
want="$T/front_group.yaml:5:5: source 'hze': report_group: no group named 'keine-solche-gruppe'"
check "front door: unknown report_group -> run 2, load 2, config check 1" "2|2|1" "$run_status|$load_status|$check_status"
check "front door: unknown report_group, one diagnostic at file:line:col, the same from all three" "1|1|1" \
        "$(grep -cxF "plausid: $want" "$T/front_group.run")|$(grep -cxF "$want" "$T/front_group.load")|$(grep -cxF "$want" "$T/front_group.check")"
check "front door: load refuses it before the database, run before the directories" "f|f" \
        "$(q "SELECT to_regnamespace('plausid') IS NOT NULL")|$([ -e "$T/front" ] && echo t || echo f)"
new_db t_front_pack
RULES=$T/broken_start.yaml write_config "$T/front_pack.yaml" t_front_pack "$T/front"
timeout 10 "$PLAUSID" run --config "$T/front_pack.yaml" >/dev/null 2>"$T/front_pack.run"
run_status=$?
"$PLAUSID" load --config "$T/front_pack.yaml" --source hze samples/hze_2024_ost.csv >/dev/null 2>"$T/front_pack.load"
load_status=$?
"$PLAUSID" config check --config "$T/front_pack.yaml" >/dev/null 2>"$T/front_pack.check"
check_status=$?
run_diags=$(grep -F "broken_start.yaml:" "$T/front_pack.run" | sed 's/^plausid: //')
check "front door: a pack that does not compile -> run 2, load 2, config check 1" "2|2|1" "$run_status|$load_status|$check_status"
check "front door: its diagnostics at file:line, the same from all three" "t|t|t" \
        "$(grep -q "broken_start.yaml:$broken_line:" <<<"$run_diags" && echo t)|$([ "$run_diags" = "$(grep -F "broken_start.yaml:" "$T/front_pack.load" | grep -v 'does not compile')" ] && echo t)|$([ "$run_diags" = "$(grep -F "broken_start.yaml:" "$T/front_pack.check")" ] && echo t)"
check "front door: load says the pack does not compile, and touches nothing" "1|f" \
        "$(grep -c "broken_start.yaml: rule pack does not compile (1 error)" "$T/front_pack.load")|$(q "SELECT to_regnamespace('plausid') IS NOT NULL")"

# ---- the command line's own files: --rejects and --report appear whole or not at all ----
# (root writes into a read-only directory: as root, check runs as nobody here)
as_nobody=()
[ "$(id -u)" -eq 0 ] && as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
mkdir -p "$T/cli/ro"
cp rules/hze.yaml samples/hze_2024_nord.csv "$T/cli/"
chmod 755 "$T/cli"
chmod 555 "$T/cli/ro"
"${as_nobody[@]}" "$PLAUSID" check --rules "$T/cli/hze.yaml" --rejects "$T/cli/ro/out.csv" "$T/cli/hze_2024_nord.csv" \
        >/dev/null 2>"$T/cli/ro.err"
check "--rejects into a read-only directory: exit 2, said, nothing left behind" "2|1|" \
        "$?|$(grep -c "ro/out.csv: cannot create: Permission denied" "$T/cli/ro.err")|$(ls -A "$T/cli/ro")"
"${as_nobody[@]}" "$PLAUSID" check --rules "$T/cli/hze.yaml" --report "$T/cli/ro/r.html" "$T/cli/hze_2024_nord.csv" \
        >/dev/null 2>"$T/cli/ro_report.err"
check "--report into a read-only directory: exit 2, said, nothing left behind" "2|1|" \
        "$?|$(grep -c "ro/r.csv: cannot create: Permission denied" "$T/cli/ro_report.err")|$(ls -A "$T/cli/ro")"
# a name that cannot be taken at the end (a directory is in the way): the finished
# temporary file is removed, not left beside it
mkdir -p "$T/cli/late/out.csv"
"$PLAUSID" check --rules "$T/cli/hze.yaml" --rejects "$T/cli/late/out.csv" "$T/cli/hze_2024_nord.csv" \
        >/dev/null 2>"$T/cli/late.err"
check "--rejects over a directory: exit 2 at the end, no temporary file left" "2|1|out.csv" \
        "$?|$(grep -c "late/out.csv: cannot write: Is a directory" "$T/cli/late.err")|$(ls -A "$T/cli/late")"

# ---- check --report: the text of records rejected at the end of the file (overlaps) comes
#      from the checker's second pass, the only one, and each text is shown once ----
LATE=tests/golden/report-late-records/input.csv
"$PLAUSID" check --rules rules/hze.yaml --report "$T/cli/late.html" "$LATE" >/dev/null 2>&1
texts=""
for lfd in 00061 00062 00063; do
        texts+="$(grep -cF "<pre class=\"raw\">$(grep -F ";$lfd;" "$LATE")</pre>" "$T/cli/late.html")"
done
check "check --report: each rejected record's text once, the late ones too" 111 "$texts"
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
        passes() { # passes INPUT: how often check --report reads INPUT again from its start
                strace -f -e trace=openat,lseek -o "$T/cli/passes.trace" \
                        "$PLAUSID" check --rules rules/hze.yaml --report "$T/cli/passes.html" "$1" >/dev/null 2>&1
                local fd
                fd=$(grep -F "\"$1\"" "$T/cli/passes.trace" | grep -o '= [0-9]*$' | head -1 | cut -d' ' -f2)
                grep -c "lseek($fd, 0, SEEK_SET)" "$T/cli/passes.trace"
        }
        check "check --report: one second pass for the records rejected at the end" 1 "$(passes "$LATE")"
        check "check --report: no second pass when none was rejected at the end" 0 "$(passes samples/hze_2024_ost.csv)"
else
        echo "daemon tests: strace cannot trace here, the count of passes is skipped" >&2
fi

# ======================================================================================
# ---- basic: directories created, a file present at start, READY before it is loaded,
#      rename drops, duplicates and name collisions in the archive, notify protocol, logs ----
# ======================================================================================
new_db t_basic
B=$T/basic
mkdir -p "$B"
write_config "$T/basic.yaml" t_basic "$B"
# the schema exists already; delivery ids start at 4711 so that the log can be searched for one
"$PLAUSID" load --config "$T/basic.yaml" --source hze samples/hze_2024_sued_cp1252.csv >/dev/null 2>&1
q "SELECT setval(pg_get_serial_sequence('plausid.deliveries', 'id'), 4710)" >/dev/null
# a file that is already there when the daemon starts (the start scan takes it)
mkdir -p "$B/drop"
chmod 700 "$B/drop"
cp samples/hze_2024_ost.csv "$B/drop/"
touch -d '-1 minute' "$B/drop/hze_2024_ost.csv"
start_daemon basic "$T/basic.yaml"
check "basic: READY=1" 1 "$(notify_count READY=1)"
check "basic: archive created 0750 or stricter" ok "$(mode_le "$B/archive" 750)"
check "basic: quarantine created 0750 or stricter" ok "$(mode_le "$B/quarantine" 750)"
check "basic: reports created 0750 or stricter" ok "$(mode_le "$B/reports" 750)"
check "basic: an existing drop directory keeps its stricter mode" 700 "$(stat -c %a "$B/drop")"
wait_q 15 "loaded|60|60" "SELECT status, records, loaded FROM plausid.deliveries WHERE file_name = 'hze_2024_ost.csv'"
check "start scan: the file present at start is loaded" "loaded|60|60" "$got"
check "start scan: delivery id 4711" 4711 "$(q "SELECT id FROM plausid.deliveries WHERE file_name = 'hze_2024_ost.csv'")"
check "start scan: its rows" 60 "$(hze_rows "delivery_id = 4711")"
wait_until 5 test -f "$B/archive/$YM/hze_2024_ost.csv"
check "start scan: archived to archive/YYYY/MM/" "$(sha samples/hze_2024_ost.csv)" "$(sha "$B/archive/$YM/hze_2024_ost.csv" 2>&1)"
check "start scan: drop and .processing empty" "|" "$(files "$B/drop")|$(files "$B/drop/.processing")"
wait_until 5 test -f "$B/reports/delivery-4711.csv"
check "report: delivery-4711.html and .csv, mode 0640" "640|640" \
        "$(stat -c %a "$B/reports/delivery-4711.html" 2>&1)|$(stat -c %a "$B/reports/delivery-4711.csv" 2>&1)"
check "report: names the file and the delivery" 2 \
        "$(grep -c -e 'hze_2024_ost.csv' -e '4711' <(grep -o -e 'hze_2024_ost.csv' -e '4711' "$B/reports/delivery-4711.html" | sort -u))"
ready_at=$(grep -m1 ' READY=1$' "$NOTIFY" | cut -d' ' -f1)
check "notify: READY=1 before the first file was loaded" t \
        "$(q "SELECT to_timestamp(${ready_at:-0}) < loaded_at FROM plausid.deliveries WHERE id = 4711")"

# the same content again under the same name: a duplicate, archived with a suffix
cp samples/hze_2024_ost.csv "$STAGE/hze_2024_ost.csv"
mv "$STAGE/hze_2024_ost.csv" "$B/drop/"
wait_q 10 "duplicate|4711" "SELECT status, duplicate_of FROM plausid.deliveries WHERE id = 4712"
check "duplicate: recorded as duplicate of 4711" "duplicate|4711" "$got"
wait_until 5 test -f "$B/archive/$YM/hze_2024_ost.1.csv"
check "duplicate: archived as hze_2024_ost.1.csv" "hze_2024_ost.csv
hze_2024_ost.1.csv" "$(cd "$B/archive/$YM" && ls -1 | sort -r)"
check "duplicate: rows unchanged" 60 "$(hze_rows)"
# other content under the same name: loaded, archived as .2.csv, nothing overwritten
ost_variant "$STAGE/hze_2024_ost.csv" 512399
v_sha=$(sha "$STAGE/hze_2024_ost.csv")
mv "$STAGE/hze_2024_ost.csv" "$B/drop/"
wait_q 10 "loaded|60" "SELECT status, loaded FROM plausid.deliveries WHERE sha256 = '$v_sha'"
check "rename drop: another file of that name is loaded" "loaded|60" "$got"
wait_until 5 test -f "$B/archive/$YM/hze_2024_ost.2.csv"
check "collision: archived as .2.csv, the first archive file untouched" "$v_sha|$(sha samples/hze_2024_ost.csv)" \
        "$(sha "$B/archive/$YM/hze_2024_ost.2.csv" 2>&1)|$(sha "$B/archive/$YM/hze_2024_ost.csv")"

# a slow in-place write: half the file, 2 s pause with the file still open, the rest
mkhze "$STAGE/slow.csv" 11 700011 2000
half=$(($(stat -c %s "$STAGE/slow.csv") / 2))
(
        exec 3>"$B/drop/slow.csv"
        head -c $half "$STAGE/slow.csv" >&3
        sleep 2
        tail -c +$((half + 1)) "$STAGE/slow.csv" >&3
        exec 3>&-
) &
writer=$!
wait "$writer"
wait_q 10 "loaded|2000" "SELECT string_agg(status, ','), sum(records) FROM plausid.deliveries WHERE file_name = 'slow.csv'"
check "slow write: one delivery with all 2000 records, never half-read" "loaded|2000" "$got"
check "slow write: all rows" 2000 "$(hze_rows "delivery_id = (SELECT id FROM plausid.deliveries WHERE file_name = 'slow.csv' AND status = 'loaded')")"
wait_until 5 test -f "$B/archive/$YM/slow.csv"
check "slow write: archived whole" "$(sha "$STAGE/slow.csv")" "$(sha "$B/archive/$YM/slow.csv" 2>&1)"

# notify: STATUS lines, the watchdog, RELOADING/READY around SIGHUP, STOPPING at SIGTERM
check "notify: STATUS= lines" t "$([ "$(grep -c ' STATUS=' "$NOTIFY")" -ge 1 ] && echo t || echo f)"
reloads=$(notify_count RELOADING=1)
readies=$(notify_count READY=1)
kill -HUP "$dpid"
wait_until 5 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
check "notify: SIGHUP -> RELOADING=1 then READY=1" "$((reloads + 1))|t" \
        "$(notify_count RELOADING=1)|$(awk '/ RELOADING=1$/ { r = 1 } r && / READY=1$/ { ok = "t" } END { print ok ? ok : "f" }' "$NOTIFY")"
stop_daemon
check "basic: SIGTERM -> exit 0" 0 "$stop_status"
check "notify: STOPPING=1" 1 "$(notify_count STOPPING=1)"
check "notify: WATCHDOG=1 sent" t "$([ "$(notify_count WATCHDOG=1)" -ge 3 ] && echo t || echo f)"
gap=$(awk '/ WATCHDOG=1$/ { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%d", m * 1000 }' "$NOTIFY")
check "notify: WATCHDOG=1 at least every 1 s (largest gap $gap ms, allowed 1300)" t "$([ "$gap" -le 1300 ] && echo t || echo f)"
wd_first=$(grep -m1 ' WATCHDOG=1$' "$NOTIFY" | cut -d' ' -f1)
start_listen=$(grep -m1 ' LISTENING$' "$NOTIFY" | cut -d' ' -f1)
check "notify: first WATCHDOG=1 within 2 s of the start" t \
        "$(awk -v a="${start_listen:-0}" -v b="${wd_first:-999999999999}" 'BEGIN { print (b - a <= 2.0) ? "t" : "f" }')"
# logs: one line per event with file name and delivery id, never a value of a record
check "logs: the file name and its delivery id on one line" t \
        "$(grep 'hze_2024_ost.csv' "$LOG" | grep -qw 4711 && echo t || echo f)"
check "logs: no person_id" 0 "$(grep -cE '\bP[0-9]{5,6}\b' "$LOG")"
check "logs: no Sozialraum name" 0 "$(grep -cE 'Hörde|Lütgendortmund|Brackel|Eving|Aplerbeck|Innenstadt-Nord|Nordmarkt|Südstadt' "$LOG")"

# ---- kill -9 between COMMIT and the report (issue 14, 8): the state it leaves -- the file
#      still in .processing, no report, a half-written temporary of a process gone -- made
#      by hand from the basic run; at the next start the delivery is finished: its report
#      written, the file archived, the temporary removed, and no new delivery row ----
deadpid=999999
while kill -0 "$deadpid" 2>/dev/null; do deadpid=$((deadpid - 1)); done
rm -f "$B/reports/delivery-4711.html" "$B/reports/delivery-4711.csv"
mv "$B/archive/$YM/hze_2024_ost.csv" "$B/drop/.processing/hze_2024_ost.csv"
: >"$B/reports/.delivery-4711.csv.$deadpid.0.tmp"
rows_before=$(ndel)
start_daemon crashed "$T/basic.yaml"
wait_until 10 test -f "$B/archive/$YM/hze_2024_ost.csv"
wait_until 5 test -f "$B/reports/delivery-4711.html"
check "after a crash: the left-over file archived, .processing empty" "$(sha samples/hze_2024_ost.csv)|" \
        "$(sha "$B/archive/$YM/hze_2024_ost.csv" 2>&1)|$(files "$B/drop/.processing")"
check "after a crash: no new delivery row (was one 'duplicate' per restart)" "$rows_before" "$(ndel)"
check "after a crash: the missing report written" "t|t" \
        "$([ -f "$B/reports/delivery-4711.html" ] && echo t)|$([ -f "$B/reports/delivery-4711.csv" ] && echo t)"
check "after a crash: the temporary of the dead writer removed, the log says so" "|1" \
        "$(cd "$B/reports" && ls -A | grep '\.tmp$')|$(grep -c 'removed 1 temporary files a crash left' "$LOG")"
stop_daemon

# ======================================================================================
# ---- 200 files at once ----
# ======================================================================================
new_db t_many
M=$T/many
write_config "$T/many.yaml" t_many "$M"
mkdir -p "$STAGE/many"
for i in $(seq 1 200); do mkhze "$STAGE/many/hze_$i.csv" "$((1000 + i))" "$((600000 + i))"; done
start_daemon many "$T/many.yaml"
check "200 files: drop created 0770 or stricter" ok "$(mode_le "$M/drop" 770)"
mv "$STAGE/many/"*.csv "$M/drop/"
wait_q 90 "200|200" "SELECT count(*), count(*) FILTER (WHERE status = 'loaded') FROM plausid.deliveries"
check "200 files: 200 deliveries, all loaded" "200|200" "$got"
check "200 files: all rows" 10000 "$(hze_rows)"
wait_until 10 eval '[ "$(nfiles "$M/archive")" -ge 200 ]'
check "200 files: 200 archived files" 200 "$(nfiles "$M/archive/$YM")"
check "200 files: drop and .processing empty, nothing in quarantine" "||0" \
        "$(files "$M/drop")|$(files "$M/drop/.processing")|$(nfiles "$M/quarantine")"
stop_daemon
check "200 files: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- kill -9 in the middle of a large load, then restart: every record exactly once;
#      a file left in .processing after its COMMIT becomes a recorded duplicate ----
# ======================================================================================
new_db t_kill9
K=$T/kill9
write_config "$T/kill9.yaml" t_kill9 "$K"
start_daemon kill9 "$T/kill9.yaml"
# a small file of another unit than the big one's (512345..512348), so it stays loaded
ost_variant "$STAGE/small.csv" 512901
mv "$STAGE/small.csv" "$K/drop/"
wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'small.csv'"
check "kill -9: a small file first" loaded "$got"
cp "$STAGE/big.csv" "$T/big_copy.csv"
mv "$T/big_copy.csv" "$K/drop/big.csv"
in_copy=f
wait_until 60 copy_busy t_kill9 && in_copy=t
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
dpid=
stop_listener
wait_until 10 no_backend t_kill9
check "kill -9: killed in the middle of the COPY" t "$in_copy"
check "kill -9: nothing of it in the database" "0|60" \
        "$(q "SELECT count(*) FROM plausid.deliveries WHERE sha256 = '$BIG_SHA'")|$(hze_rows)"
check "kill -9: the file waits in .processing" "big.csv" "$(files "$K/drop/.processing")"
# as if the daemon had died between COMMIT and the move: the loaded file is in .processing again
ost_variant "$K/drop/.processing/small.csv" 512901
start_daemon kill9b "$T/kill9.yaml"
wait_q 60 "loaded|300000|300000" "SELECT string_agg(status, ','), sum(records), sum(loaded) FROM plausid.deliveries WHERE sha256 = '$BIG_SHA'"
check "kill -9: after the restart one loaded delivery of it" "loaded|300000|300000" "$got"
check "kill -9: every record exactly once" 300000 \
        "$(hze_rows "delivery_id = (SELECT id FROM plausid.deliveries WHERE sha256 = '$BIG_SHA')")"
# changed (issue 14): such a file is finished as the delivery it made, not recorded again
wait_until 10 eval '[ "$(nfiles "$K/archive")" -ge 3 ]'
check "kill -9: a repeat from .processing is finished as its delivery, no new row" "loaded" \
        "$(q "SELECT string_agg(status, ',' ORDER BY id) FROM plausid.deliveries WHERE file_name = 'small.csv'")"
check "kill -9: rows of the small file once" 60 \
        "$(hze_rows "delivery_id = (SELECT id FROM plausid.deliveries WHERE file_name = 'small.csv' AND status = 'loaded')")"
wait_until 10 eval '[ "$(nfiles "$K/archive")" -ge 3 ]'
check "kill -9: all three archived, .processing empty" "big.csv small.1.csv small.csv |" \
        "$(cd "$K/archive/$YM" 2>/dev/null && ls -1 | sort | tr '\n' ' ')|$(files "$K/drop/.processing")"
stop_daemon
check "kill -9: restarted daemon exits 0" 0 "$stop_status"

# ======================================================================================
# ---- SIGTERM in the middle of a large load: exit 0 within 5 s, nothing half-loaded ----
# ======================================================================================
new_db t_term
S=$T/term
write_config "$T/term.yaml" t_term "$S"
start_daemon term "$T/term.yaml"
cp "$STAGE/big.csv" "$T/big_copy.csv"
mv "$T/big_copy.csv" "$S/drop/big.csv"
in_copy=f
wait_until 60 copy_busy t_term && in_copy=t
ost_variant "$STAGE/later.csv" 512951
mv "$STAGE/later.csv" "$S/drop/"          # arrives while the big file is being loaded
stop_daemon TERM
check "SIGTERM: sent in the middle of the COPY" t "$in_copy"
check "SIGTERM: exit 0" 0 "$stop_status"
check "SIGTERM: gone within 5 s ($stop_ms ms)" t "$([ "$stop_ms" -le 5000 ] && echo t || echo f)"
wait_until 10 no_backend t_term
n_del=$(q "SELECT count(*) FROM plausid.deliveries WHERE sha256 = '$BIG_SHA'")
rows=$(hze_rows)
where=$(files "$S/drop/.processing")
if [ "$n_del" = 1 ]; then
        # it chose to finish the load: then all of it, and the file archived
        echo "note: SIGTERM: the daemon finished the load in progress" >&2
        check "SIGTERM: finished load is complete and archived" "300000|$(sha "$STAGE/big.csv")" \
                "$rows|$(sha "$S/archive/$YM/big.csv" 2>&1)"
else
        check "SIGTERM: rolled back: no delivery row, no rows" "0|0" "$n_del|$rows"
        check "SIGTERM: the file waits in .processing" big.csv "$where"
fi
check "SIGTERM: no file taken after the signal" "later.csv|0" \
        "$(files "$S/drop")|$(q "SELECT count(*) FROM plausid.deliveries WHERE file_name = 'later.csv'" 2>/dev/null || echo 0)"
start_daemon term2 "$T/term.yaml"
wait_q 60 "loaded|300000" "SELECT string_agg(status, ','), sum(loaded) FROM plausid.deliveries WHERE sha256 = '$BIG_SHA'"
check "SIGTERM: after a restart loaded exactly once" "loaded|300000" "$got"
wait_q 10 loaded "SELECT string_agg(status, ',') FROM plausid.deliveries WHERE file_name = 'later.csv'"
check "SIGTERM: the waiting file is loaded after the restart" loaded "$got"
check "SIGTERM: rows exactly once" 300060 "$(hze_rows)"
wait_until 10 test -f "$S/archive/$YM/big.csv"
check "SIGTERM: archived, .processing empty" "t|" "$([ -f "$S/archive/$YM/big.csv" ] && echo t)|$(files "$S/drop/.processing")"
stop_daemon INT
check "SIGINT: exit 0" 0 "$stop_status"

# a second signal exits at once
new_db t_term2
S2=$T/term2
write_config "$T/term2.yaml" t_term2 "$S2"
start_daemon term3 "$T/term2.yaml"
cp "$STAGE/big.csv" "$T/big_copy.csv"
mv "$T/big_copy.csv" "$S2/drop/big.csv"
in_copy=f
wait_until 60 copy_busy t_term2 && in_copy=t
kill -TERM "$dpid"
sleep 0.05
stop_daemon TERM
check "second signal: sent in the middle of the COPY" t "$in_copy"
check "second signal: gone at once ($stop_ms ms after it, allowed 1000)" t \
        "$([ "$stop_status" != hung ] && [ "$stop_ms" -le 1000 ] && echo t || echo f)"
wait_until 10 no_backend t_term2
n_del=$(q "SELECT count(*) FROM plausid.deliveries WHERE sha256 = '$BIG_SHA'")
rows=$(hze_rows)
check "second signal: all or nothing" t \
        "$([ "$n_del|$rows" = "0|0" ] || [ "$n_del|$rows" = "1|300000" ] && echo t || echo "$n_del|$rows")"
[ "$n_del" = 0 ] && check "second signal: the file waits in .processing" big.csv "$(files "$S2/drop/.processing")"

# ======================================================================================
# ---- PostgreSQL stopped while files arrive, then started: everything loaded ----
# ======================================================================================
new_db t_pgdown
P=$T/pgdown
write_config "$T/pgdown.yaml" t_pgdown "$P"
start_daemon pgdown "$T/pgdown.yaml"
ost_variant "$STAGE/first.csv" 512301
mv "$STAGE/first.csv" "$P/drop/"
wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'first.csv'"
check "db down: a file before the outage" loaded "$got"
pg_stop_keep
for i in 1 2 3; do ost_variant "$STAGE/down_$i.csv" $((512310 + i)); done
mv "$STAGE/down_1.csv" "$P/drop/"
sleep 1
mv "$STAGE/down_2.csv" "$P/drop/"
cp "$STAGE/down_3.csv" "$P/drop/down_3.csv"   # an in-place write as well
sleep 3  # the observation window: the daemon tries, fails and must lose nothing
check "db down: daemon keeps running" t "$(alive "$dpid" && echo t || echo f)"
check "db down: files wait in drop or .processing" "down_1.csv down_2.csv down_3.csv " \
        "$( (files "$P/drop"; files "$P/drop/.processing") | sort | tr '\n' ' ')"
check "db down: nothing quarantined, nothing archived but the first" "0|1" "$(nfiles "$P/quarantine")|$(nfiles "$P/archive")"
pg_restart_stopped
t_up=$(usec)
wait_q 25 "4|4" "SELECT count(*), count(*) FILTER (WHERE status = 'loaded') FROM plausid.deliveries"
up_ms=$((($(usec) - t_up) / 1000))
check "db up again: all loaded" "4|4" "$got"
check "db up again: within 20 s of the restart ($up_ms ms)" t "$([ $up_ms -le 20000 ] && echo t || echo f)"
check "db up again: rows of all four" 240 "$(hze_rows)"
wait_until 5 eval '[ "$(nfiles "$P/archive")" -ge 4 ]'
check "db up again: all archived, drop empty" "4||" "$(nfiles "$P/archive/$YM")|$(files "$P/drop")|$(files "$P/drop/.processing")"
stop_daemon
check "db down: exit 0" 0 "$stop_status"
# the database down when the daemon starts: READY=1 all the same (config and rules are
# ready), the file waits, and loads once the server is back
pg_stop_keep
ost_variant "$P/drop/at_start.csv" 512321
start_daemon pgdown2 "$T/pgdown.yaml"
check "db down at start: READY=1 anyway" 1 "$(notify_count READY=1)"
sleep 2  # the observation window
check "db down at start: running, the file waits" "t|at_start.csv" \
        "$(alive "$dpid" && echo t || echo f)|$( (files "$P/drop"; files "$P/drop/.processing") | tr '\n' ' ' | sed 's/ $//')"
pg_restart_stopped
wait_q 25 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'at_start.csv'"
check "db down at start: loaded once the server is back" loaded "$got"
stop_daemon
check "db down at start: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- SIGHUP: a broken pack keeps the old rules; a changed good pack is used next ----
# ======================================================================================
new_db t_hup
H=$T/hup
mkdir -p "$T/rules"
cp rules/hze.yaml "$T/rules/hze.yaml"
old_sha=$(sha "$T/rules/hze.yaml")
RULES=$T/rules/hze.yaml write_config "$T/hup.yaml" t_hup "$H"
start_daemon hup "$T/hup.yaml"
ost_variant "$STAGE/hup_a.csv" 512401
mv "$STAGE/hup_a.csv" "$H/drop/"
wait_q 10 "loaded|2024.1|$old_sha" "SELECT status, rules_version, rules_sha256 FROM plausid.deliveries WHERE file_name = 'hup_a.csv'"
check "SIGHUP: first file with the pack as started" "loaded|2024.1|$old_sha" "$got"
sed -i -e 's/check: ende >= beginn$/check: ende >= nosuchfield/' -e 's/version: "2024.1"/version: "2024.8"/' "$T/rules/hze.yaml"
readies=$(notify_count READY=1)
kill -HUP "$dpid"
wait_until 5 grep -q "hze.yaml:$broken_line:" "$LOG"
check "SIGHUP broken pack: error logged with file:line" t "$(grep -q "hze.yaml:$broken_line:" "$LOG" && echo t || echo f)"
wait_until 3 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
check "SIGHUP broken pack: daemon keeps running" t "$(alive "$dpid" && echo t || echo f)"
ost_variant "$STAGE/hup_b.csv" 512402
mv "$STAGE/hup_b.csv" "$H/drop/"
wait_q 10 "loaded|2024.1|$old_sha" "SELECT status, rules_version, rules_sha256 FROM plausid.deliveries WHERE file_name = 'hup_b.csv'"
check "SIGHUP broken pack: the next file uses the old rules" "loaded|2024.1|$old_sha" "$got"
# a good pack again, with another version, but a config with an error: nothing is swapped
sed -i -e 's/check: ende >= nosuchfield$/check: ende >= beginn/' -e 's/version: "2024.8"/version: "2024.9"/' "$T/rules/hze.yaml"
new_sha=$(sha "$T/rules/hze.yaml")
RULES=$T/rules/hze.yaml write_config "$T/hup.yaml" t_hup "$H" "max_reject_share: 0.5" "no_such_key: 1"
kill -HUP "$dpid"
wait_until 5 grep -q "hup.yaml:14:" "$LOG"
check "SIGHUP broken config: error logged with file:line" t "$(grep -q "hup.yaml:14:" "$LOG" && echo t || echo f)"
cp samples/hze_2024_nord.csv "$STAGE/"
mv "$STAGE/hze_2024_nord.csv" "$H/drop/"
wait_q 10 "rejected|2024.1|$old_sha" "SELECT status, rules_version, rules_sha256 FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv'"
check "SIGHUP broken config: old gate and old rules (nord rejected at 10 %)" "rejected|2024.1|$old_sha" "$got"
# a change that only a restart can make (another database): refused and said so, the
# running configuration stays
reloaded=$(grep -c ': reloaded, ' "$LOG")
RULES=$T/rules/hze.yaml write_config "$T/hup.yaml" t_hup_elsewhere "$H" "max_reject_share: 0.5"
kill -HUP "$dpid"
wait_until 5 grep -q "database.conninfo changed; it takes effect after a restart" "$LOG"
check "SIGHUP database changed: refused until a restart, logged" "t|$reloaded" \
        "$(grep -q "database.conninfo changed; it takes effect after a restart" "$LOG" && echo t || echo f)|$(grep -c ': reloaded, ' "$LOG")"
# the good config and pack: the next files use both
RULES=$T/rules/hze.yaml write_config "$T/hup.yaml" t_hup "$H" "max_reject_share: 0.5"
readies=$(notify_count READY=1)
kill -HUP "$dpid"
wait_until 5 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
ost_variant "$STAGE/hup_c.csv" 512403
mv "$STAGE/hup_c.csv" "$H/drop/"
wait_q 10 "loaded|2024.9|$new_sha" "SELECT status, rules_version, rules_sha256 FROM plausid.deliveries WHERE file_name = 'hup_c.csv'"
check "SIGHUP good pack: the next file uses it" "loaded|2024.9|$new_sha" "$got"
cp samples/hze_2024_nord.csv "$STAGE/"
mv "$STAGE/hze_2024_nord.csv" "$H/drop/"
wait_q 10 "rejected,loaded|2024.9" "SELECT string_agg(status, ',' ORDER BY id), max(rules_version) FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv'"
check "SIGHUP good config: the new gate (0.5) lets nord load" "rejected,loaded|2024.9" "$got"
# the pack's text changes but not its rules or version (a comment): its digest is new, and
# the next delivery records the new one
echo "# a comment: the text changes, the rules do not" >>"$T/rules/hze.yaml"
comment_sha=$(sha "$T/rules/hze.yaml")
readies=$(notify_count READY=1)
reloaded=$(grep -c ': reloaded, ' "$LOG")
kill -HUP "$dpid"
wait_until 5 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
ost_variant "$STAGE/hup_d.csv" 512404
mv "$STAGE/hup_d.csv" "$H/drop/"
wait_q 10 "loaded|2024.9|$comment_sha" "SELECT status, rules_version, rules_sha256 FROM plausid.deliveries WHERE file_name = 'hup_d.csv'"
check "SIGHUP pack with a new digest, same rules: swapped in, the next file records it" "loaded|2024.9|$comment_sha" "$got"
check "SIGHUP pack with a new digest: logged as reloaded" "$((reloaded + 1))" "$(grep -c ': reloaded, ' "$LOG")"
stop_daemon
check "SIGHUP: exit 0" 0 "$stop_status"

# ---- SIGHUP with the sources listed in another order: each keeps its directories ----
new_db t_order
R=$T/order
write_two() { # write_two FILE FIRST SECOND: the sources hze (under R/a) and zwei (R/b), in that order
        local f=$1 name dir d
        {
                echo "database:"
                echo "  conninfo: \"dbname=t_order\""
                echo "sources:"
                for name in "$2" "$3"; do
                        dir=$R/b
                        [ "$name" = hze ] && dir=$R/a
                        echo "  - name: $name"
                        echo "    rules: $RULES"
                        for d in drop archive quarantine reports; do echo "    $d: $dir/$d"; done
                        echo "    scan_interval: 1"
                        echo "    stable_seconds: 1"
                done
        } >"$f"
}
write_two "$T/order.yaml" hze zwei
start_daemon order "$T/order.yaml"
ost_variant "$STAGE/order_a.csv" 515001
mv "$STAGE/order_a.csv" "$R/a/drop/"
wait_q 10 "hze|loaded" "SELECT source, status FROM plausid.deliveries WHERE file_name = 'order_a.csv'"
check "two sources: a file in hze's drop directory is hze's" "hze|loaded" "$got"
write_two "$T/order.yaml" zwei hze
readies=$(notify_count READY=1)
kill -HUP "$dpid"
wait_until 5 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
ost_variant "$STAGE/order_b.csv" 515002
mv "$STAGE/order_b.csv" "$R/a/drop/"
ost_variant "$STAGE/order_c.csv" 515003
mv "$STAGE/order_c.csv" "$R/b/drop/"
wait_q 10 "hze|zwei" "SELECT string_agg(source, '|' ORDER BY file_name) FROM plausid.deliveries WHERE file_name IN ('order_b.csv', 'order_c.csv')"
check "SIGHUP, sources in another order: each file is still its own directory's source's" "hze|zwei" "$got"
wait_until 5 eval '[ -f "$R/a/archive/$YM/order_b.csv" ] && [ -f "$R/b/archive/$YM/order_c.csv" ]'
check "SIGHUP, sources in another order: each archived in its own source's archive" "t|t" \
        "$([ -f "$R/a/archive/$YM/order_b.csv" ] && echo t)|$([ -f "$R/b/archive/$YM/order_c.csv" ] && echo t)"
stop_daemon
check "two sources: exit 0" 0 "$stop_status"

# ---- linked rules: a delivery of gefaehrdung places a V01 finding on the record of an
#      earlier schutz delivery (tests/load/schutz.yaml, rules/README.md "Linked rules"),
#      and the daemon writes that delivery's report again, in schutz's directory ----
new_db t_linked
L=$T/linked
{
        echo "database:"
        echo "  conninfo: \"dbname=t_linked\""
        echo "sources:"
        for name in schutz gefaehrdung; do
                echo "  - name: $name"
                [ $name = schutz ] && echo "    rules: $ROOT/tests/load/schutz.yaml" || echo "    rules: $ROOT/rules/gefaehrdung.yaml"
                for d in drop archive quarantine reports; do echo "    $d: $L/$name/$d"; done
                echo "    scan_interval: 1"
                echo "    stable_seconds: 1"
        done
} >"$T/linked.yaml"
start_daemon linked "$T/linked.yaml"
GEF='land;regbez;kreis;gemeinde;einrichtung;lfd_nr;berichtsjahr;person_id;sozialraum;monat_abschluss;anregung;geschlecht;alter;aufenthalt;art_vernachlaessigung;art_koerperlich;art_psychisch;art_sexuell;ergebnis;inobhutnahme_folgt;hilfe_folgt'
# P01's Inobhutnahme began 03.2024 after an assessment (vorherige_8a 1); the assessments
# loaded later are of other persons and cover 03.2023 to 03.2024: V01 on line 2.
printf 'land;regbez;kreis;gemeinde;einrichtung;lfd_nr;berichtsjahr;person_id;beginn;vorherige_8a\n05;9;13;000;100001;00001;2024;P01;03.2024;1\n' >"$STAGE/s.csv"
mv "$STAGE/s.csv" "$L/schutz/drop/"
wait_q 10 "loaded|0" "SELECT status, warned FROM plausid.deliveries WHERE file_name = 's.csv'"
check "linked: the schutz delivery loads, nothing to compare with yet" "loaded|0" "$got"
for y in 2023 2024; do
        m=12.2023
        [ $y = 2024 ] && m=03.2024
        printf '%s\n05;9;13;000;100001;00001;%s;P99;Nord;%s;3;1;7;01;1;2;2;2;2;2;1\n' "$GEF" $y $m >"$STAGE/g$y.csv"
        mv "$STAGE/g$y.csv" "$L/gefaehrdung/drop/"
        wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'g$y.csv'"
done
wait_q 10 "1|V01" "SELECT d.warned, string_agg(f.rule, ',') FROM plausid.deliveries d JOIN plausid.findings f ON f.delivery_id = d.id WHERE d.file_name = 's.csv' GROUP BY d.warned"
check "linked: the gefaehrdung load placed V01 on the schutz delivery" "1|V01" "$got"
wait_until 10 grep -q ';V01;' "$L/schutz/reports/delivery-1.csv"
check "linked: the schutz delivery's report written again by the daemon" 1 \
        "$(grep -c '^s.csv;2;05-9-13-000-100001-00001-2024;V01;warning;vorherige_8a;1;' "$L/schutz/reports/delivery-1.csv")"
check "linked: the log says the load changed earlier deliveries' findings" 1 \
        "$(grep -c 'g2024.csv: loaded as delivery 3: .*; linked rules changed the findings of earlier deliveries; report delivery-3.html' "$LOG")"
stop_daemon
check "linked: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- poll mode: loads a file, never takes one that is still growing ----
# ======================================================================================
new_db t_poll
PO=$T/poll
write_config "$T/poll.yaml" t_poll "$PO" "watch: poll"
start_daemon poll "$T/poll.yaml"
ost_variant "$STAGE/polled.csv" 512501
mv "$STAGE/polled.csv" "$PO/drop/"
wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'polled.csv'"
check "poll: a renamed file is loaded" loaded "$got"
wait_until 5 test -f "$PO/archive/$YM/polled.csv"
check "poll: archived" t "$([ -f "$PO/archive/$YM/polled.csv" ] && echo t || echo f)"
mkhze "$STAGE/growing.csv" 21 700021 3000
split -n l/12 -d "$STAGE/growing.csv" "$STAGE/growing.part."
: >"$PO/drop/growing.csv"
(
        exec 3>>"$PO/drop/growing.csv"
        for p in "$STAGE"/growing.part.*; do
                cat "$p" >&3
                sleep 0.3
        done
        exec 3>&-
) &
writer=$!
taken_early=0
while alive "$writer"; do
        [ "$(q "SELECT count(*) FROM plausid.deliveries WHERE file_name = 'growing.csv'")" != 0 ] && taken_early=1
        [ -e "$PO/drop/growing.csv" ] || taken_early=1
        sleep 0.2
done
wait "$writer"
check "poll: a growing file is not taken" 0 "$taken_early"
wait_q 10 "loaded|3000" "SELECT string_agg(status, ','), sum(records) FROM plausid.deliveries WHERE file_name = 'growing.csv'"
check "poll: taken once complete, all of it" "loaded|3000" "$got"
stop_daemon
check "poll: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- name filters, symlinks, the quality gate, file rules, redelivery: reject ----
# ======================================================================================
new_db t_misc
X=$T/misc
write_config "$T/misc.yaml" t_misc "$X" "redelivery: reject"
start_daemon misc "$T/misc.yaml"
# names that are never taken (valid content each, so that a taken one would load)
i=0
for n in .hidden.csv "~lock.csv" a.csv.tmp b.csv.part c.csv.partial d.csv.done e.tmp; do
        i=$((i + 1))
        ost_variant "$STAGE/$n" $((512600 + i))
        mv "$STAGE/$n" "$X/drop/$n"
done
ost_variant "$X/drop/.in-place.csv" 512610         # written in place, too
# a symlink to a file outside the drop directory
mkdir -p "$T/outside"
ost_variant "$T/outside/target.csv" 512620
target_sha=$(sha "$T/outside/target.csv")
touch -d '2020-01-01 00:00' "$T/outside/target.csv"   # atime too: a read would move it (relatime)
ln -s "$T/outside/target.csv" "$X/drop/link.csv"
# the sync point: a normal file
ost_variant "$STAGE/normal.csv" 512630
mv "$STAGE/normal.csv" "$X/drop/"
wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'normal.csv'"
check "filters: a normal file beside them loads" loaded "$got"
wait_until 5 test -e "$X/quarantine/link.csv.reason.txt"
sleep 2.5  # two more full scans
check "filters: . ~ .tmp .part .partial .done never taken" \
        ".hidden.csv .in-place.csv a.csv.tmp b.csv.part c.csv.partial d.csv.done e.tmp ~lock.csv " \
        "$(files "$X/drop" | LC_ALL=C sort | tr '\n' ' ')"
check "filters: no deliveries of them" "normal.csv" "$(q "SELECT string_agg(file_name, ',') FROM plausid.deliveries")"
check "symlink: moved to quarantine as a link" t "$([ -L "$X/quarantine/link.csv" ] && echo t || echo f)"
check "symlink: reason file beside it" t "$([ -s "$X/quarantine/link.csv.reason.txt" ] && echo t || echo f)"
check "symlink: no delivery for it" 0 \
        "$(q "SELECT count(*) FROM plausid.deliveries WHERE file_name = 'link.csv' OR sha256 = '$target_sha'")"
times=$(stat -c '%X %Y' "$T/outside/target.csv")
check "symlink: target never read nor changed (atime, mtime, content)" "$(date -d '2020-01-01 00:00' +%s) $(date -d '2020-01-01 00:00' +%s)|$target_sha" \
        "$times|$(sha "$T/outside/target.csv")"

# quality gate: 56 of 400 rejected (14 %) > 10 %
cp samples/hze_2024_nord.csv "$STAGE/"
mv "$STAGE/hze_2024_nord.csv" "$X/drop/"
wait_q 10 rejected "SELECT status FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv'"
check "gate: delivery rejected" rejected "$got"
check "gate: none of its rows" 0 "$(hze_rows "delivery_id = (SELECT id FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv')")"
nord_id=$(q "SELECT id FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv'")
wait_until 5 test -e "$X/quarantine/hze_2024_nord.csv.reason.txt"
check "gate: file in quarantine, unchanged" "$(sha samples/hze_2024_nord.csv)" "$(sha "$X/quarantine/hze_2024_nord.csv" 2>&1)"
check "gate: reason file names the reason (German) and the delivery id" "t|t" \
        "$(grep -q '56 von 400 Datensätzen' "$X/quarantine/hze_2024_nord.csv.reason.txt" 2>/dev/null && echo t)|$(grep -qw "${nord_id:-x}" "$X/quarantine/hze_2024_nord.csv.reason.txt" 2>/dev/null && echo t)"
check "gate: not archived" 0 "$(find "$X/archive" -name 'hze_2024_nord*' | wc -l)"
# a file rule: column missing (S01)
cp samples/hze_2024_west.csv "$STAGE/"
mv "$STAGE/hze_2024_west.csv" "$X/drop/"
wait_q 10 "rejected|S01" "SELECT d.status, string_agg(DISTINCT f.rule, ',') FROM plausid.deliveries d JOIN plausid.findings f ON f.delivery_id = d.id AND f.severity = 'file' WHERE d.file_name = 'hze_2024_west.csv' GROUP BY d.status"
check "S01: rejected" "rejected|S01" "$got"
west_id=$(q "SELECT id FROM plausid.deliveries WHERE file_name = 'hze_2024_west.csv'")
wait_until 5 test -e "$X/quarantine/hze_2024_west.csv.reason.txt"
check "S01: quarantined with a reason file naming the delivery id" "t|t" \
        "$([ -f "$X/quarantine/hze_2024_west.csv" ] && echo t)|$(grep -qw "${west_id:-x}" "$X/quarantine/hze_2024_west.csv.reason.txt" 2>/dev/null && echo t)"
# redelivery: reject -- normal.csv's unit again, with other content
ost_variant "$STAGE/normal_again.csv" 512630
sed -i 's/;Hörde;/;Hörde-Nord;/' "$STAGE/normal_again.csv"
mv "$STAGE/normal_again.csv" "$X/drop/"
wait_q 10 rejected "SELECT status FROM plausid.deliveries WHERE file_name = 'normal_again.csv'"
check "redelivery reject: rejected" rejected "$got"
again_id=$(q "SELECT id FROM plausid.deliveries WHERE file_name = 'normal_again.csv'")
wait_until 5 test -e "$X/quarantine/normal_again.csv.reason.txt"
check "redelivery reject: quarantined with reason and id" "t|t" \
        "$([ -f "$X/quarantine/normal_again.csv" ] && echo t)|$(grep -qw "${again_id:-x}" "$X/quarantine/normal_again.csv.reason.txt" 2>/dev/null && echo t)"
check "misc: rows only of normal.csv" 60 "$(hze_rows)"
stop_daemon
check "misc: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- done_marker: a file is taken only once <name>.done exists; the marker is removed ----
# ======================================================================================
new_db t_done
D=$T/done
write_config "$T/done.yaml" t_done "$D" "done_marker: true"
start_daemon done "$T/done.yaml"
ost_variant "$STAGE/marked.csv" 512701
mv "$STAGE/marked.csv" "$D/drop/"
cp samples/hze_2024_nord.csv "$STAGE/"
mv "$STAGE/hze_2024_nord.csv" "$D/drop/"
sleep 2.5  # inotify event, two full scans
check "done_marker: without the marker nothing is taken" "0|hze_2024_nord.csv marked.csv " \
        "$(ndel)|$(files "$D/drop" | tr '\n' ' ')"
touch "$D/drop/marked.csv.done"
wait_q 10 "loaded|60" "SELECT status, loaded FROM plausid.deliveries WHERE file_name = 'marked.csv'"
check "done_marker: taken once the marker exists" "loaded|60" "$got"
wait_until 5 eval '[ ! -e "$D/drop/marked.csv.done" ] && [ -f "$D/archive/$YM/marked.csv" ]'
check "done_marker: archived, marker removed" "t|f" \
        "$([ -f "$D/archive/$YM/marked.csv" ] && echo t)|$([ -e "$D/drop/marked.csv.done" ] && echo t || echo f)"
touch "$D/drop/hze_2024_nord.csv.done"
wait_q 10 rejected "SELECT status FROM plausid.deliveries WHERE file_name = 'hze_2024_nord.csv'"
check "done_marker: a rejected one is taken too" rejected "$got"
wait_until 5 eval '[ ! -e "$D/drop/hze_2024_nord.csv.done" ] && [ -f "$D/quarantine/hze_2024_nord.csv.reason.txt" ]'
check "done_marker: quarantined, marker removed, drop empty" "t|" \
        "$([ -f "$D/quarantine/hze_2024_nord.csv.reason.txt" ] && echo t)|$(files "$D/drop" | tr '\n' ' ')"
stop_daemon
check "done_marker: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- a file that cannot be read goes to quarantine, the daemon goes on ----
#      (root reads everything: as root the daemon runs as nobody here)
# ======================================================================================
new_db t_unread
U=$T/unread
mkdir -p "$U"
write_config "$T/unread.yaml" t_unread "$U"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
        chown 65534:65534 "$U"
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
start_daemon unread "$T/unread.yaml" "${as_user[@]}"
wait_until 5 test -d "$U/drop"
ost_variant "$STAGE/locked.csv" 512801
chmod 000 "$STAGE/locked.csv"
mv "$STAGE/locked.csv" "$U/drop/"
wait_until 10 test -e "$U/quarantine/locked.csv.reason.txt"
check "unreadable: quarantined with a reason file" "t|t" \
        "$([ -e "$U/quarantine/locked.csv" ] && echo t)|$([ -s "$U/quarantine/locked.csv.reason.txt" ] && echo t)"
check "unreadable: daemon goes on" t "$(alive "$dpid" && echo t || echo f)"
ost_variant "$STAGE/readable.csv" 512802
mv "$STAGE/readable.csv" "$U/drop/"
wait_q 10 "loaded|60" "SELECT status, loaded FROM plausid.deliveries WHERE file_name = 'readable.csv'"
check "unreadable: the next file loads" "loaded|60" "$got"
check "unreadable: no delivery loaded from it" 0 \
        "$(q "SELECT count(*) FROM plausid.deliveries WHERE file_name = 'locked.csv' AND status <> 'rejected'")"
stop_daemon
check "unreadable: exit 0" 0 "$stop_status"

# ---- the official fixed-width record dropped beside CSV exports: recognised, its year
#      from its name, loaded; one without a year in its name quarantined (S07) ----
# ======================================================================================
new_db t_fixed
FX=$T/fixed
write_config "$T/fixed.yaml" t_fixed "$FX"
start_daemon fixed "$T/fixed.yaml"
wait_until 5 test -d "$FX/drop"
"$ROOT/$BUILD/csv2fixed" "$RULES" 2024 <samples/hze_2024_ost.csv >"$STAGE/jgh_2024.txt"
mv "$STAGE/jgh_2024.txt" "$FX/drop/"
wait_q 10 "loaded|iso-8859-1|2024" \
        "SELECT d.status, d.encoding, min(h.berichtsjahr) FROM plausid.deliveries d JOIN plausid.hze h ON h.delivery_id = d.id WHERE d.file_name = 'jgh_2024.txt' GROUP BY 1, 2"
check "fixed-width: loaded, Latin-1, year from the name" "loaded|iso-8859-1|2024" "$got"
check "fixed-width: as many rows as the CSV loads" \
        "$("$PLAUSID" check --rules "$RULES" samples/hze_2024_ost.csv | sed -n 's/^.*: \([0-9]*\) records read, \([0-9]*\) rejected.*/\1 \2/p' | awk '{ print $1 - $2 }')" \
        "$(q "SELECT loaded FROM plausid.deliveries WHERE file_name = 'jgh_2024.txt'")"
"$ROOT/$BUILD/csv2fixed" "$RULES" 2024 <samples/hze_2024_sued_cp1252.csv >"$STAGE/lieferung.txt"
mv "$STAGE/lieferung.txt" "$FX/drop/"
wait_until 10 test -e "$FX/quarantine/lieferung.txt.reason.txt"
check "fixed-width without a year: quarantined, S07 recorded" "rejected|1" \
        "$(q "SELECT d.status, count(f.*) FROM plausid.deliveries d JOIN plausid.findings f ON f.delivery_id = d.id WHERE d.file_name = 'lieferung.txt' AND f.rule = 'S07' GROUP BY 1")"
stop_daemon
check "fixed-width: exit 0" 0 "$stop_status"

# ---- the three data sets of the Strategiekarten in one run: hze, § 8a and § 42 files,
#      each dropped into its own source's directory, each loaded into its own table ----
# Expected rows: hze_2024_ost.csv is the clean sample (60 records, only the file-level
# warnings F03/F04), gefaehrdung_2024.csv 151 - 6 rejected = 145 and schutz_2024.csv
# 71 - 4 = 67 (tests/report/run.sh lists their findings line by line).
new_db t_three
W=$T/three
{
        echo "database:"
        echo "  conninfo: \"dbname=t_three\""
        echo "  schema: plausid"
        echo "sources:"
        for src in hze gefaehrdung schutz; do
                echo "  - name: $src"
                echo "    rules: $ROOT/rules/$src.yaml"
                for d in drop archive quarantine reports; do echo "    $d: $W/$src/$d"; done
                echo "    scan_interval: 1"
                echo "    stable_seconds: 1"
        done
} >"$T/three.yaml"
start_daemon three "$T/three.yaml"
wait_until 5 test -d "$W/schutz/drop"
cp samples/hze_2024_ost.csv "$STAGE/hze_three.csv"
cp samples/gefaehrdung_2024.csv samples/schutz_2024.csv "$STAGE/"
mv "$STAGE/schutz_2024.csv" "$W/schutz/drop/"
mv "$STAGE/gefaehrdung_2024.csv" "$W/gefaehrdung/drop/"
mv "$STAGE/hze_three.csv" "$W/hze/drop/"
wait_q 20 "3" "SELECT count(*) FROM plausid.deliveries WHERE status = 'loaded'"
check "three data sets: each file is its source's, loaded" \
        "gefaehrdung|gefaehrdung_2024.csv|145 hze|hze_three.csv|60 schutz|schutz_2024.csv|67 " \
        "$(q "SELECT string_agg(source || '|' || file_name || '|' || loaded, ' ' ORDER BY source) || ' ' FROM plausid.deliveries")"
check "three data sets: rows in each table" "145|67" \
        "$(q "SELECT (SELECT count(*) FROM plausid.gefaehrdung), (SELECT count(*) FROM plausid.schutz)")"
wait_until 5 eval '[ -f "$W/hze/archive/$YM/hze_three.csv" ] && [ -f "$W/gefaehrdung/archive/$YM/gefaehrdung_2024.csv" ] && [ -f "$W/schutz/archive/$YM/schutz_2024.csv" ]'
check "three data sets: each archived in its own source's archive" "t|t|t" \
        "$([ -f "$W/hze/archive/$YM/hze_three.csv" ] && echo t)|$([ -f "$W/gefaehrdung/archive/$YM/gefaehrdung_2024.csv" ] && echo t)|$([ -f "$W/schutz/archive/$YM/schutz_2024.csv" ] && echo t)"
check "three data sets: a report each" "3" "$(ls "$W"/*/reports/delivery-*.html 2>/dev/null | wc -l)"
stop_daemon
check "three data sets: exit 0" 0 "$stop_status"

# ---- a views file with an error: that source's files wait (the database is fine, so no
#      back-off), and a reload that brings the fix loads them ----
new_db t_views
V=$T/viewsbroken
mkdir -p "$V/rules"
cp rules/hze.yaml "$V/rules/"
printf 'CREATE VIEW v_kaputt AS SELECT keine_spalte FROM hze;\n' >"$V/rules/hze.views.sql"
RULES=$V/rules/hze.yaml write_config "$T/views.yaml" t_views "$V"
start_daemon views "$T/views.yaml"
ost_variant "$STAGE/wartet.csv" 514001
mv "$STAGE/wartet.csv" "$V/drop/"
wait_until 10 grep -q "hze.views.sql:1:" "$LOG"
check "views broken: logged with file:line, the source waits" "1|0|wartet.csv" \
        "$(grep -c "cannot prepare the table of hze" "$LOG")|$(ndel)|$(files "$V/drop")"
cp rules/hze.views.sql "$V/rules/hze.views.sql"
kill -HUP "$dpid"
wait_q 15 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'wartet.csv'"
check "views broken: after the fix and SIGHUP the file loads" loaded "$got"
check "views broken: the views exist now" t "$(q "SELECT to_regclass('plausid.v_hze_fallzahl') IS NOT NULL")"
stop_daemon
check "views broken: exit 0" 0 "$stop_status"

# ---- an inotify queue overflow: the events are lost, a scan at once finds the files ----
# The daemon is stopped (SIGSTOP) while 40 files arrive into a queue of 16 events; with
# scan_interval 3600 only the rescan after the overflow can find the rest in time.
QUEUE=/proc/sys/fs/inotify/max_queued_events
if [ -w "$QUEUE" ]; then
        new_db t_overflow
        O=$T/overflow
        write_config "$T/overflow.yaml" t_overflow "$O" "scan_interval: 3600"
        old_queue=$(cat "$QUEUE")
        echo 16 >"$QUEUE"
        start_daemon overflow "$T/overflow.yaml"
        wait_until 10 test -d "$O/drop/.processing"
        sleep 0.5
        echo "$old_queue" >"$QUEUE"
        kill -STOP "$dpid"
        for i in $(seq 1 40); do
                ost_variant "$STAGE/o$i.csv" $((513000 + i))
                mv "$STAGE/o$i.csv" "$O/drop/"
        done
        kill -CONT "$dpid"
        wait_q 30 40 "SELECT count(*) FROM plausid.deliveries WHERE status = 'loaded'"
        check "overflow: all 40 files loaded after the queue overflowed" 40 "$got"
        stop_daemon
        check "overflow: exit 0" 0 "$stop_status"
else
        echo "daemon tests: $QUEUE not writable, the overflow case is skipped" >&2
fi

# ======================================================================================
# ---- a fault of the system is not the file's (issue 14, 7): with INSERT revoked from
#      the daemon's role, a valid file waits in .processing -- past the attempts after
#      which a refused file's data would go to quarantine -- and loads once the privilege
#      is back; a SIGHUP renews the database connection ----
# ======================================================================================
new_db t_priv
q "CREATE ROLE plausid_t LOGIN; GRANT CREATE ON DATABASE t_priv TO plausid_t" >/dev/null
P=$T/priv
write_config "$T/priv.yaml" "t_priv user=plausid_t" "$P"
start_daemon priv "$T/priv.yaml"
ost_variant "$STAGE/p1.csv" 514001
mv "$STAGE/p1.csv" "$P/drop/"
wait_q 15 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'p1.csv'"
check "system fault: the unprivileged role loads a file" loaded "$got"
q "REVOKE INSERT ON plausid.hze FROM plausid_t" >/dev/null
ost_variant "$STAGE/p2.csv" 514002
mv "$STAGE/p2.csv" "$P/drop/"
wait_until 40 eval '[ "$(grep -c "p2.csv: not loaded, the database refused it (attempt 4)" "$LOG")" -ge 1 ]'
check "system fault: after 4 attempts the file still waits in .processing, nothing in quarantine" "p2.csv||1" \
        "$(files "$P/drop/.processing")|$(files "$P/quarantine")|$(grep -c "p2.csv: not loaded, the database refused it (attempt 4).*a fault of the system" "$LOG")"
check "system fault: STATUS= says why it waits" t \
        "$(grep -q 'STATUS=hze/p2.csv waits: the database refused it' "$NOTIFY" && echo t || echo f)"
q "GRANT INSERT ON plausid.hze TO plausid_t" >/dev/null
wait_q 40 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'p2.csv'"
check "system fault: once the privilege is back the waiting file loads" "loaded|" "$got|$(files "$P/quarantine")"
before=$(q "SELECT pid FROM pg_stat_activity WHERE usename = 'plausid_t' AND datname = 't_priv'")
readies=$(notify_count READY=1)
kill -HUP "$dpid"
wait_until 5 eval '[ "$(notify_count READY=1)" -gt "$readies" ]'
after=$(q "SELECT pid FROM pg_stat_activity WHERE usename = 'plausid_t' AND datname = 't_priv'")
check "SIGHUP: a new database connection (a fixed role setting takes effect)" t \
        "$([ -n "$after" ] && [ -n "$before" ] && [ "$after" != "$before" ] && echo t || echo "f:$before:$after")"
stop_daemon
check "system fault: exit 0" 0 "$stop_status"

# ======================================================================================
# ---- a sender that reopens the file for each chunk (issue 14, 6): appended, closed,
#      opened again ten times; one delivery with every record, not eleven. A file renamed
#      into the drop directory is still taken at once ----
# ======================================================================================
new_db t_chunks
C=$T/chunks
write_config "$T/chunks.yaml" t_chunks "$C" "stable_seconds: 3"
start_daemon chunks "$T/chunks.yaml"
mkhze "$STAGE/chunked.csv" 21 700021 1100
total=$(wc -l <"$STAGE/chunked.csv")
per=$(((total + 10) / 11))
for k in $(seq 0 10); do
        tail -n +$((k * per + 1)) "$STAGE/chunked.csv" | head -n "$per" >>"$C/drop/chunked.csv"
        sleep 0.3
done
wait_q 20 "loaded|1100" "SELECT string_agg(status, ','), sum(records) FROM plausid.deliveries WHERE file_name LIKE 'chunked%'"
check "chunks: one delivery with all 1100 records" "loaded|1100" "$got"
check "chunks: nothing in quarantine" "" "$(files "$C/quarantine")"
ost_variant "$STAGE/renamed.csv" 516001
t0=$(usec)
mv "$STAGE/renamed.csv" "$C/drop/"
wait_q 10 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 'renamed.csv'"
ms=$((($(usec) - t0) / 1000))
check "chunks: a renamed file is taken without the settle time (${ms} ms < 3000)" "loaded|t" \
        "$got|$([ "$ms" -lt 3000 ] && echo t || echo f)"
stop_daemon

# ======================================================================================
# ---- two instances on one configuration (issue 14, 9, and the standby): one works the
#      source, the other stands by and claims nothing; kill -9 of the active one, and the
#      standby takes over within seconds; every file exactly once ----
# ======================================================================================
new_db t_standby
S2=$T/standby
write_config "$T/standby.yaml" t_standby "$S2"
start_daemon standby_a "$T/standby.yaml"
a_pid=$dpid a_lpid=$lpid
ost_variant "$STAGE/s0.csv" 515000
mv "$STAGE/s0.csv" "$S2/drop/"
wait_q 15 loaded "SELECT status FROM plausid.deliveries WHERE file_name = 's0.csv'"
start_daemon standby_b "$T/standby.yaml"
b_pid=$dpid
wait_until 10 grep -q 'STATUS=standby: source hze is worked by another instance' "$NOTIFY"
check "standby: the second instance says it stands by" t \
        "$(grep -q 'STATUS=standby: source hze is worked by another instance' "$NOTIFY" && echo t || echo f)"
for k in 1 2 3 4 5; do ost_variant "$STAGE/s$k.csv" $((515000 + k)); mv "$STAGE/s$k.csv" "$S2/drop/"; done
wait_q 20 5 "SELECT count(*) FROM plausid.deliveries WHERE file_name LIKE 's_.csv' AND file_name <> 's0.csv' AND status = 'loaded'"
check "standby: five files loaded while both run" 5 "$got"
check "standby: every one by the active instance, the standby claimed none" 0 \
        "$(grep -c 'loaded as delivery' "$T/standby_b.log")"
kill -9 "$a_pid"
wait "$a_pid" 2>/dev/null
kill "$a_lpid" 2>/dev/null
t0=$(usec)
for k in 6 7 8; do ost_variant "$STAGE/s$k.csv" $((515000 + k)); mv "$STAGE/s$k.csv" "$S2/drop/"; done
wait_q 30 3 "SELECT count(*) FROM plausid.deliveries WHERE file_name IN ('s6.csv', 's7.csv', 's8.csv') AND status = 'loaded'"
took=$((($(usec) - t0) / 1000000))
check "standby: after kill -9 of the active one the standby loads the next files (${took} s)" 3 "$got"
check "standby: every file exactly once, no duplicate, nothing in quarantine" "9|9|0|" \
        "$(q "SELECT count(*) FROM plausid.deliveries")|$(q "SELECT count(DISTINCT sha256) FROM plausid.deliveries WHERE status = 'loaded'")|$(q "SELECT count(*) FROM plausid.deliveries WHERE status = 'duplicate'")|$(files "$S2/quarantine")"
check "standby: the rows of nine files" 540 "$(hze_rows)"
stop_daemon
check "standby: the instance that took over exits 0" 0 "$stop_status"

# ---- the logs of all cases: one line per event, never a value of a record ----
check "logs (all cases): one line per event (every line begins with 'plausid:')" "" \
        "$(cd "$T" && grep -Hv '^plausid: ' ./*.log | head -3)"
check "logs (all cases): no person_id" 0 "$(cat "$T"/*.log | grep -cE '\bP[0-9]{5,6}\b')"
check "logs (all cases): no Sozialraum name" 0 \
        "$(cat "$T"/*.log | grep -cE 'Hörde|Lütgendortmund|Brackel|Eving|Aplerbeck|Innenstadt-Nord|Nordmarkt|Südstadt')"

summary
