#!/usr/bin/env bash
# tests/bench.sh - the `make bench` driver.
#
# Generates (once, cached by name under $BUILD/bench/) a deterministic 1,000,000-record hze
# export with genhze, then measures on it:
#   check   - wall-clock time of the libcsv baseline (csvbare) and of `plausid check`,
#             best of $RUNS runs each, their ratio (target <= 2.5) and the peak RSS of
#             plausid (target < 100 MB).
#   load    - on a throwaway PostgreSQL: psql \copy of a clean 1M-record export into an
#             all-text table against `plausid load` of the same file (all validation, the
#             typed table, the error log, one transaction), best of $RUNS each, their ratio
#             (target <= 1.5).
#   latency - `plausid run` with inotify: from a 1,000-record export renamed into the drop
#             directory to its delivery committed, median of 21 files (target < 100 ms).
# Missed targets are reported, never fatal: the exit status is 0 unless a tool is missing or
# plausid fails (exit status other than 0/1; 1 is expected, the file carries injected errors).
#
# Usage: tests/bench.sh [BUILD]         (run from anywhere; paths below are resolved)
# Environment:
#   BUILD   build directory holding genhze, csvbare, plausid (default: build)
#   RULES   rule pack for plausid, relative to the project root (default: rules/hze.yaml)
#   RUNS    timed runs per program, the best one counts (default: 5)
#   SECTIONS which sections to run, in order (default: "check fixed load latency")
#
# Layout for later sections (latency, ...): each section is a function
# section_NAME that uses the cached data file ($DATA), times commands with best_of/peak_rss_kb
# and adds rows with add_row; main() calls the sections in order and prints one table.
set -euo pipefail
export LC_ALL=C # '.' as decimal point in $EPOCHREALTIME, printf and awk

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-${BUILD:-build}}
RULES=${RULES:-rules/hze.yaml}
RUNS=${RUNS:-5}

GEN_N=1000000
GEN_SEED=42
GEN_ERRS=5

die() {
	echo "bench: $*" >&2
	exit 2
}

[[ -d $BUILD ]] || die "build directory '$BUILD' not found (run make first)"
BUILD=$(cd "$BUILD" && pwd)
cd "$ROOT"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"

GENHZE=$BUILD/genhze
CSVBARE=$BUILD/csvbare
PLAUSID=$BUILD/plausid
WORK=$BUILD/bench
DATA=$WORK/hze-n${GEN_N}-s${GEN_SEED}-e${GEN_ERRS}.csv
RESULTS=$WORK/results.txt

# ---- helpers ----------------------------------------------------------------------------

# now: wall-clock seconds with microseconds, without forking date(1) when bash can help.
now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		echo "$EPOCHREALTIME"
	else
		date +%s.%N
	fi
}

# add_row KEY LABEL VALUE [TARGET VERDICT]: one row of the table, printed by print_table,
# and KEY=VALUE in $RESULTS for scripts.
ROWS=()
add_row() {
	ROWS+=("$2|$3|${4:-}|${5:-}")
	printf '%s=%s\n' "$1" "$3" >>"$RESULTS"
}

print_table() {
	local row label value target verdict
	printf '\n%-34s %14s  %-10s %s\n' "measure" "value" "target" "verdict"
	printf '%-34s %14s  %-10s %s\n' "----------------------------------" "--------------" \
		"----------" "-------"
	for row in "${ROWS[@]}"; do
		IFS='|' read -r label value target verdict <<<"$row"
		printf '%-34s %14s  %-10s %s\n' "$label" "$value" "$target" "$verdict"
	done
	echo
}

# verdict VALUE OP LIMIT: "ok" or "MISSED" (OP is <= or <), "n/a" for a non-number.
verdict() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
		ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0)
		print ok ? "ok" : "MISSED"
	}'
}

# best_of ALLOWED_RCS OUTFILE CMD...: runs CMD $RUNS times (stdout to OUTFILE, stderr to
# OUTFILE.err) and prints the fastest wall-clock time in seconds.  An exit status not in the
# space-separated ALLOWED_RCS list aborts the benchmark with the command's stderr.
best_of() {
	local allowed=$1 out=$2 best="" i t0 t1 rc
	shift 2
	for ((i = 0; i < RUNS; i++)); do
		rc=0
		t0=$(now)
		"$@" >"$out" 2>"$out.err" || rc=$?
		t1=$(now)
		if [[ " $allowed " != *" $rc "* ]]; then
			echo "bench: '$*' exited with status $rc; its stderr:" >&2
			tail -n 20 "$out.err" >&2
			exit 2
		fi
		best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
			'BEGIN { d = b - a; if (best == "" || d < best + 0) best = d; printf "%.3f", best }')
	done
	echo "$best"
}

# in_turns ALLOWED_A OUT_A CMD_A -- ALLOWED_B OUT_B CMD_B: like best_of for two commands,
# which take turns run by run, so that whatever else the machine does (a neighbour on the
# second core, writeback after the previous section) weighs on both alike. Prints
# "BEST_A BEST_B". CMD_A and CMD_B are single words (functions or programs with arguments
# given through variables).
in_turns() {
	local allowed_a=$1 out_a=$2 cmd_a=$3 allowed_b=$5 out_b=$6 cmd_b=$7 runs=$RUNS k t a="" b=""
	[[ $4 == -- ]] || die "in_turns: usage"
	RUNS=1
	for ((k = 0; k < runs; k++)); do
		t=$(best_of "$allowed_a" "$out_a" "$cmd_a")
		a=$(awk -v t="$t" -v m="$a" 'BEGIN { printf "%.3f", (m == "" || t < m) ? t : m }')
		t=$(best_of "$allowed_b" "$out_b" "$cmd_b")
		b=$(awk -v t="$t" -v m="$b" 'BEGIN { printf "%.3f", (m == "" || t < m) ? t : m }')
	done
	RUNS=$runs
	echo "$a $b"
}

# peak_rss_kb CMD...: one extra run of CMD (output discarded) and its peak RSS in KiB.
# GNU time's %M (ru_maxrss) when /usr/bin/time works; otherwise VmHWM from /proc sampled
# every 10 ms, which can miss growth in the last interval (reported with a '~').
RSS_METHOD=${BENCH_RSS_METHOD:-} # gnutime or proc; detected when empty
peak_rss_kb() {
	local f=$WORK/rss.$$ pid hwm=0 v
	if [[ -z $RSS_METHOD ]]; then
		if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$f" true 2>/dev/null; then
			RSS_METHOD=gnutime
		else
			RSS_METHOD=proc
		fi
	fi
	if [[ $RSS_METHOD == gnutime ]]; then
		/usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || true
		# with a non-zero exit status GNU time writes a "Command exited ..." line first
		tail -n 1 "$f"
		rm -f "$f"
		return
	fi
	"$@" >/dev/null 2>&1 &
	pid=$!
	while [[ -r /proc/$pid/status ]]; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
		[[ -n $v && $v -gt $hwm ]] && hwm=$v
		sleep 0.01
	done
	wait "$pid" || true
	echo "~$hwm"
}

# ---- data -------------------------------------------------------------------------------

prepare_data() {
	[[ -x $GENHZE ]] || die "$GENHZE is missing (build it: make $BUILD/genhze)"
	mkdir -p "$WORK"
	# cached by name; regenerated when genhze was rebuilt after the file was written
	if [[ ! -s $DATA || $GENHZE -nt $DATA ]]; then
		echo "bench: generating $DATA ($GEN_N records, seed $GEN_SEED, $GEN_ERRS errors per 1000)"
		local t0 t1
		t0=$(now)
		"$GENHZE" -n "$GEN_N" -s "$GEN_SEED" -e "$GEN_ERRS" >"$DATA.tmp"
		mv "$DATA.tmp" "$DATA"
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "bench: generated in %.2f s\n", b - a }'
	else
		echo "bench: using cached $DATA"
	fi
	[[ -n ${DATA_ROW:-} ]] && return
	DATA_ROW=1
	add_row size_mb "file size (MB)" "$(size_mb "$DATA")"
}

size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }

# ---- sections ---------------------------------------------------------------------------

# check: libcsv baseline vs plausid check on the same file.
section_check() {
	[[ -x $CSVBARE ]] || die "$CSVBARE is missing (build it: make $BUILD/csvbare)"

	local t_bare t_plausid rows records ratio rss rss_mb
	if [[ -x $PLAUSID ]]; then
		[[ -f $RULES ]] || die "rule pack $RULES not found (in $ROOT)"
		# exit status 1 = findings (expected: the file carries injected errors); 2 = failure
		bare_once() { "$CSVBARE" "$DATA"; }
		check_once() { "$PLAUSID" check --rules "$RULES" "$DATA"; }
		echo "bench: csvbare and plausid check, in turns, best of $RUNS"
		t_bare=$(in_turns "0" "$WORK/csvbare.out" bare_once -- "0 1" "$WORK/plausid.out" check_once)
		t_plausid=${t_bare#* }
		t_bare=${t_bare% *}
	else
		echo "bench: csvbare, best of $RUNS"
		t_bare=$(best_of "0" "$WORK/csvbare.out" "$CSVBARE" "$DATA")
	fi
	rows=$(sed -n 's/^records=\([0-9]*\) .*/\1/p' "$WORK/csvbare.out")
	records=$((rows - 1)) # header row
	[[ $records -eq $GEN_N ]] ||
		echo "bench: warning: csvbare counted $records records, expected $GEN_N" >&2
	add_row records "records" "$records"
	add_row csvbare_s "csvbare (s, best of $RUNS)" "$t_bare"

	if [[ ! -x $PLAUSID ]]; then
		echo "bench: $PLAUSID is missing: plausid not built, its measurements are skipped" >&2
		add_row plausid_s "plausid check (s, best of $RUNS)" "MISSING" "" "not built"
		add_row ratio "ratio plausid/csvbare" "n/a" "<= 2.5" "n/a"
		add_row plausid_rss_mb "plausid peak RSS (MB)" "n/a" "< 100" "n/a"
		PLAUSID_MISSING=1
		return
	fi
	add_row plausid_s "plausid check (s, best of $RUNS)" "$t_plausid"

	ratio=$(awk -v p="$t_plausid" -v b="$t_bare" 'BEGIN { printf "%.2f", (b > 0) ? p / b : 0 }')
	add_row ratio "ratio plausid/csvbare" "$ratio" "<= 2.5" "$(verdict "$ratio" "<=" 2.5)"

	echo "bench: plausid peak RSS"
	rss=$(peak_rss_kb "$PLAUSID" check --rules "$RULES" "$DATA")
	rss_mb=$(awk -v k="${rss#\~}" 'BEGIN { printf "%.1f", k / 1024 }')
	[[ $rss == \~* ]] && rss_mb="~$rss_mb"
	add_row plausid_rss_mb "plausid peak RSS (MB)" "$rss_mb" "< 100" "$(verdict "${rss_mb#\~}" "<" 100)"
}

# fixed: the same records as the official fixed-width record (csv2fixed), fixedbare (cutting
# every line into its fields) against plausid check; the target is the check section's
# ratio: reading the fixed-width record must cost the engine no more than CSV does.
section_fixed() {
	local csv2fixed=$BUILD/csv2fixed fixedbare=$BUILD/fixedbare
	[[ -x $csv2fixed && -x $fixedbare ]] || die "$csv2fixed or $fixedbare is missing (make all)"
	local fixed=$WORK/jgh_2024-n${GEN_N}-s${GEN_SEED}-e${GEN_ERRS}.txt
	if [[ ! -s $fixed || $DATA -nt $fixed || $csv2fixed -nt $fixed ]]; then
		echo "bench: writing $fixed from $DATA"
		"$csv2fixed" "$RULES" 2024 <"$DATA" >"$fixed.tmp"
		mv "$fixed.tmp" "$fixed"
	fi
	bare_fixed_once() { "$fixedbare" "$fixed"; }
	check_fixed_once() { "$PLAUSID" check --rules "$RULES" "$fixed"; }
	echo "bench: fixedbare and plausid check of the fixed-width file, in turns, best of $RUNS"
	local t t_bare t_plausid ratio target
	t=$(in_turns "0" "$WORK/fixedbare.out" bare_fixed_once -- "0 1" "$WORK/plausid-fixed.out" check_fixed_once)
	t_plausid=${t#* }
	t_bare=${t% *}
	add_row fixed_size_mb "fixed-width file size (MB)" "$(size_mb "$fixed")"
	add_row fixedbare_s "fixedbare (s, best of $RUNS)" "$t_bare"
	add_row plausid_fixed_s "plausid check fixed-width (s, best of $RUNS)" "$t_plausid"
	ratio=$(awk -v p="$t_plausid" -v b="$t_bare" 'BEGIN { printf "%.2f", (b > 0) ? p / b : 0 }')
	target=$(sed -n 's/^ratio=//p' "$RESULTS" | tail -1)
	if [[ -n $target ]]; then
		add_row ratio_fixed "ratio plausid/fixedbare" "$ratio" "<= $target (CSV)" "$(verdict "$ratio" "<=" "$target")"
	else
		add_row ratio_fixed "ratio plausid/fixedbare" "$ratio" "" "(run the check section first)"
	fi
	local rss rss_mb
	rss=$(peak_rss_kb "$PLAUSID" check --rules "$RULES" "$fixed")
	rss_mb=$(awk -v k="${rss#\~}" 'BEGIN { printf "%.1f", k / 1024 }')
	[[ $rss == \~* ]] && rss_mb="~$rss_mb"
	add_row plausid_fixed_rss_mb "plausid peak RSS fixed-width (MB)" "$rss_mb" "< 100" "$(verdict "${rss_mb#\~}" "<" 100)"
}

# load: plausid load (all validation, typed table, error log, one transaction) against
# psql \copy of the same file into an all-text table of the same columns, on a throwaway
# PostgreSQL started here. The file has no injected errors: \copy would stop at the first
# record with a wrong field count. Each run starts from empty tables, so that the load is
# not skipped as a duplicate.
section_load() {
	local clean=$WORK/hze-n${GEN_N}-s${GEN_SEED}-e0.csv
	if [[ ! -s $clean || $GENHZE -nt $clean ]]; then
		"$GENHZE" -n "$GEN_N" -s "$GEN_SEED" -e 0 >"$clean.tmp"
		mv "$clean.tmp" "$clean"
	fi
	# shellcheck source=pg.sh
	. "$ROOT/tests/pg.sh"
	pg_start || die "cannot start PostgreSQL"
	trap pg_stop EXIT
	local cols config=$WORK/load-config.yaml t_copy t_load ratio
	cols=$(head -1 "$clean" | tr -d '\r' | sed 's/;/ text, /g')
	q "CREATE TABLE plain ($cols text)"
	printf 'database:\n  conninfo: ""\n  schema: plausid\nsources:\n  - name: hze\n    rules: %s\n' \
		"$ROOT/$RULES" >"$config"
	# The schema is created once, outside the timed runs (a running service has it).
	"$PLAUSID" load --config "$config" --source hze "$ROOT/samples/hze_2024_ost.csv" >/dev/null
	copy_once() {
		q "TRUNCATE plain" && psql -X -q -v ON_ERROR_STOP=1 \
			-c "\\copy plain FROM '$clean' WITH (FORMAT csv, HEADER true, DELIMITER ';')"
	}
	load_once() {
		q "TRUNCATE plausid.deliveries, plausid.hze CASCADE" >/dev/null 2>&1 &&
			"$PLAUSID" load --config "$config" --source hze "$clean"
	}
	echo "bench: psql \\copy into an all-text table and plausid load, in turns, best of $RUNS"
	t_copy=$(in_turns "0" "$WORK/copy.out" copy_once -- "0" "$WORK/load.out" load_once)
	t_load=${t_copy#* }
	t_copy=${t_copy% *}
	add_row copy_s "psql \\copy, text (s, best of $RUNS)" "$t_copy"
	add_row load_s "plausid load (s, best of $RUNS)" "$t_load"
	ratio=$(awk -v p="$t_load" -v b="$t_copy" 'BEGIN { printf "%.2f", (b > 0) ? p / b : 0 }')
	add_row load_ratio "ratio load/\\copy" "$ratio" "<= 1.5" "$(verdict "$ratio" "<=" 1.5)"
	add_row load_rows "rows loaded" "$(q "SELECT count(*) FROM plausid.hze")"
	pg_stop
	trap - EXIT
}

# latency: `plausid run` with inotify on a throwaway PostgreSQL; a 1,000-record export is
# renamed into the drop directory and the time until its delivery committed is read from
# deliveries.loaded_at (set just before the COMMIT) against the wall clock at the rename.
# LAT_FILES different files (so none is a duplicate), median and worst.
section_latency() {
	local n=${LAT_FILES:-21} dir=$WORK/latency config=$WORK/latency.yaml pid i t0 t lats=()
	rm -rf "$dir"
	mkdir -p "$dir/in"
	for ((i = 0; i < n; i++)); do
		"$GENHZE" -n 1000 -s $((1000 + i)) -e 0 >"$dir/in/lat$i.csv"
	done
	# shellcheck source=pg.sh
	. "$ROOT/tests/pg.sh"
	pg_start || die "cannot start PostgreSQL"
	trap pg_stop EXIT
	printf 'database:\n  conninfo: ""\nsources:\n  - name: hze\n    rules: %s\n    drop: %s/drop\n    archive: %s/archive\n    quarantine: %s/quarantine\n    reports: %s/reports\n' \
		"$ROOT/$RULES" "$dir" "$dir" "$dir" "$dir" >"$config"
	"$PLAUSID" run --config "$config" 2>"$dir/daemon.log" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -d $dir/drop/.processing ]] && q "SELECT 1 FROM plausid.deliveries LIMIT 0" >/dev/null 2>&1 && break
		sleep 0.1
	done
	echo "bench: latency of plausid run, $n files of 1000 records"
	for ((i = 0; i < n; i++)); do
		cp "$dir/in/lat$i.csv" "$dir/drop/.lat$i.csv.tmp"
		t0=$(now)
		mv "$dir/drop/.lat$i.csv.tmp" "$dir/drop/lat$i.csv"
		t=""
		for ((k = 0; k < 500; k++)); do
			t=$(q "SELECT extract(epoch FROM loaded_at) FROM plausid.deliveries WHERE file_name = 'lat$i.csv' AND status = 'loaded'")
			[[ -n $t ]] && break
			sleep 0.02
		done
		[[ -n $t ]] || die "lat$i.csv was not loaded within 10 s; daemon log: $(tail -3 "$dir/daemon.log")"
		lats+=("$(awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
	done
	kill -TERM "$pid"
	wait "$pid" || true
	local median worst
	median=$(printf '%s\n' "${lats[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	worst=$(printf '%s\n' "${lats[@]}" | sort -n | tail -1)
	add_row latency_median_ms "rename -> committed, median (ms)" "$median" "< 100" "$(verdict "$median" "<" 100)"
	add_row latency_max_ms "rename -> committed, worst (ms)" "$worst"
	pg_stop
	trap - EXIT
}

# ---- main -------------------------------------------------------------------------------

main() {
	PLAUSID_MISSING=0
	mkdir -p "$WORK"
	: >"$RESULTS"
	local section
	for section in ${SECTIONS:-check fixed load latency}; do
		case $section in
		check) prepare_data && section_check ;;
		fixed)
			prepare_data
			[[ $PLAUSID_MISSING -eq 1 ]] || section_fixed
			;;
		load | latency) [[ $PLAUSID_MISSING -eq 1 ]] || "section_$section" ;;
		*) die "unknown section '$section' (check, fixed, load, latency)" ;;
		esac
	done
	print_table
	echo "bench: results also in $RESULTS"
	if [[ $PLAUSID_MISSING -eq 1 ]]; then
		echo "bench: $PLAUSID is missing - build plausid to get the full benchmark" >&2
		exit 2
	fi
}

main "$@"
