#!/usr/bin/env bash
# The installed service under its real sandbox: boots a Debian 12 root with systemd as
# PID 1 in systemd-nspawn, installs plausid into it with `make install DESTDIR=...`, lets
# systemd-sysusers and systemd-tmpfiles run at boot, and drives plausid.service against
# the container's PostgreSQL: an export dropped by a member of plausid-drop with umask 077
# is loaded and archived, another quarantined; reload, stop; a drop directory outside
# /var/lib/plausid is refused without ReadWritePaths= and taken with the drop-in the docs
# give. What run.sh can only judge from the unit file, this sees working.
#
#   tests/systemd/boot.sh BUILD [CACHE]      (as root)
#
# Not part of `make check`: it needs debootstrap and systemd-nspawn (packages debootstrap,
# systemd-container), downloads a minimal Debian root of about 300 MB once into CACHE
# (default /var/tmp/plausid-boot), and a kernel and sandbox that let nspawn boot a
# container. The container has its own network (--private-network): its PostgreSQL is
# reached over /run/postgresql only. Ends with "N passed, N failed".
set -uo pipefail
BUILD=${1:-build}
CACHE=${2:-/var/tmp/plausid-boot}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
MAX_EXPOSURE=2.0

if [ "$(id -u)" -ne 0 ]; then
        echo "boot tests: run as root" >&2
        exit 2
fi
for tool in debootstrap systemd-nspawn; do
        command -v "$tool" >/dev/null || { echo "boot tests: $tool missing (apt-get install debootstrap systemd-container)" >&2; exit 2; }
done
[ -x "$BUILD/plausid" ] || { echo "boot tests: $BUILD/plausid is not built" >&2; exit 2; }

passed=0
failed=0
failures=()
ok() { passed=$((passed + 1)); }
bad() {
        failed=$((failed + 1))
        failures+=("$1")
        echo "FAIL: $1" >&2
}
check() { # check NAME EXPECTED ACTUAL
        if [ "$2" == "$3" ]; then ok; else bad "$1"; printf '  expected: %s\n  actual:   %s\n' "$2" "$3" >&2; fi
}

# ---- the Debian root, made once ----
BASE=$CACHE/base
if [ ! -x "$BASE/usr/lib/systemd/systemd" ]; then
        echo "boot tests: debootstrap into $BASE (once)" >&2
        rm -rf "$BASE"
        mkdir -p "$CACHE"
        debootstrap --variant=minbase \
                --include=systemd,systemd-sysv,dbus,acl,procps,postgresql,libcsv3,libyaml-0-2,libxxhash0,libpq5,libssl3,libsystemd0 \
                bookworm "$BASE" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 ||
                { tail -20 "$CACHE/debootstrap.log" >&2; echo "boot tests: debootstrap failed" >&2; exit 2; }
fi

R=$CACHE/root
rm -rf "$R"
cp -a "$BASE" "$R"
echo plausid-boot >"$R/etc/hostname"
make --no-print-directory -o "$BUILD/plausid" install BUILD="$BUILD" DESTDIR="$R" PREFIX=/usr >"$CACHE/install.log" 2>&1 ||
        { cat "$CACHE/install.log" >&2; echo "boot tests: make install failed" >&2; exit 2; }
mkdir -p "$R/srv/samples"
cp samples/hze_2024_sued_cp1252.csv samples/hze_2024_nord.csv "$R/srv/samples/"
chmod -R a+rX "$R/srv/samples"

# ---- boot ----
setsid systemd-nspawn -D "$R" --machine="plausid-boot-$$" --register=no --keep-unit --private-network -b --console=pipe \
        >"$CACHE/boot.log" 2>&1 </dev/null &
NSPAWN=$!
# The container's PID 1: a child of nspawn that runs systemd in a PID namespace of its own
# (nspawn's first child is a short-lived helper).
init=
ours=$(readlink /proc/self/ns/pid)
for _ in $(seq 200); do
        for c in $(pgrep -P "$NSPAWN" 2>/dev/null); do
                if [ "$(readlink "/proc/$c/ns/pid" 2>/dev/null)" != "$ours" ] &&
                        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ]; then
                        init=$c
                fi
        done
        [ -n "$init" ] && break
        sleep 0.1
done
ct() { nsenter -t "$init" -a "$@"; }
shutdown() {
        if [ -n "$init" ]; then ct systemctl poweroff >/dev/null 2>&1; fi
        for _ in $(seq 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$NSPAWN" 2>/dev/null && kill "$NSPAWN"
        wait "$NSPAWN" 2>/dev/null
        rm -rf "$R"
}
trap shutdown EXIT
if [ -z "$init" ]; then
        cat "$CACHE/boot.log" >&2
        echo "boot tests: the container did not start"
        echo "0 passed, 1 failed"
        exit 1
fi
state=
for _ in $(seq 120); do
        state=$(ct systemctl is-system-running 2>/dev/null)
        case $state in running | degraded) break ;; esac
        sleep 0.5
done
check "container booted" running "$state"
[ "$state" = running ] || ct systemctl --failed --no-pager >&2

# ---- sysusers.d and tmpfiles.d, applied at boot ----
check "user plausid" "plausid:/var/lib/plausid:/usr/sbin/nologin" "$(ct getent passwd plausid | cut -d: -f1,6,7)"
check "plausid is in plausid-drop" plausid "$(ct getent group plausid-drop | cut -d: -f4)"
check "state directories" "750 plausid plausid /var/lib/plausid
750 plausid plausid /var/lib/plausid/hze
750 plausid plausid /var/lib/plausid/hze/archive
3770 plausid plausid-drop /var/lib/plausid/hze/drop
750 plausid plausid /var/lib/plausid/hze/drop/.processing
750 plausid plausid /var/lib/plausid/hze/quarantine
750 plausid plausid /var/lib/plausid/hze/reports
750 plausid plausid /var/lib/plausid/zuordnung
750 plausid plausid /var/lib/plausid/zuordnung/archive
3770 plausid plausid-drop /var/lib/plausid/zuordnung/drop
750 plausid plausid /var/lib/plausid/zuordnung/drop/.processing
750 plausid plausid /var/lib/plausid/zuordnung/quarantine
750 plausid plausid /var/lib/plausid/zuordnung/reports" \
        "$(ct find /var/lib/plausid -printf '%m %u %g %p\n' | sort -k4)"

# ---- the service ----
ct runuser -u postgres -- psql -qc "CREATE ROLE plausid LOGIN" -c "CREATE DATABASE plausid OWNER plausid" >/dev/null 2>&1 ||
        bad "create the plausid role and database"
ct systemctl start plausid && ok || bad "systemctl start plausid"
check "plausid active (READY=1 arrived)" active "$(ct systemctl show -P ActiveState plausid)"
pid=$(ct systemctl show -P MainPID plausid)
e=$(ct systemd-analyze security plausid 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\) .*/\1/p')
if [ -n "$e" ] && awk -v a="$e" -v b="$MAX_EXPOSURE" 'BEGIN { exit !(a + 0 <= b + 0) }'; then ok; else bad "exposure of the running unit: '$e'"; fi

# An exporter, member of plausid-drop, writes with umask 077: plausid still reads it.
ct useradd -m -G plausid-drop exporter
ct runuser -u exporter -- sh -c 'umask 077; cd /var/lib/plausid/hze/drop &&
        cp /srv/samples/hze_2024_sued_cp1252.csv .sued.tmp && mv .sued.tmp sued.csv &&
        cp /srv/samples/hze_2024_nord.csv nord.csv' || bad "exporter cannot write into the drop directory"
# wait_file PATTERN: a file below /var/lib/plausid matching it, within 20 s
wait_file() {
        for _ in $(seq 100); do
                f=$(ct find /var/lib/plausid -path "$1" 2>/dev/null | head -1)
                [ -n "$f" ] && { echo "$f"; return 0; }
                sleep 0.2
        done
        return 1
}
wait_file '/var/lib/plausid/hze/archive/*/*/sued.csv' >/dev/null && ok || bad "sued.csv was not archived"
wait_file '/var/lib/plausid/hze/quarantine/nord.csv.reason.txt' >/dev/null && ok || bad "nord.csv was not quarantined with a reason"
check "one delivery loaded" 1 \
        "$(ct runuser -u plausid -- psql -XAtqc "SELECT count(*) FROM plausid.deliveries WHERE status = 'loaded'" 2>&1)"
ct runuser -u exporter -- ls /var/lib/plausid >/dev/null 2>&1 && bad "exporter can list /var/lib/plausid" || ok
ct runuser -u exporter -- ls /var/lib/plausid/hze/archive >/dev/null 2>&1 && bad "exporter can list the archive" || ok

# Reload keeps the process; stop exits 0.
ct systemctl reload plausid && ok || bad "systemctl reload plausid"
check "same process after reload" "active $pid" "$(ct systemctl show -P ActiveState plausid) $(ct systemctl show -P MainPID plausid)"
ct systemctl stop plausid && ok || bad "systemctl stop plausid"
check "stopped with exit 0" "success 0" "$(ct systemctl show -P Result plausid) $(ct systemctl show -P ExecMainStatus plausid)"

# ---- a drop directory outside /var/lib/plausid, on a mount of its own ----
ct sh -c 'mkdir -p /srv/share && mount -t tmpfs -o mode=0755 share /srv/share &&
        mkdir -p /srv/share/kreis/drop /srv/share/kreis/archive /srv/share/kreis/quarantine /srv/share/kreis/reports &&
        chown -R plausid:plausid /srv/share/kreis && chmod -R 0750 /srv/share/kreis &&
        cat >>/etc/plausid/plausid.yaml <<EOF
  - name: kreis
    rules: /usr/share/plausid/rules/hze.yaml
    drop: /srv/share/kreis/drop
    archive: /srv/share/kreis/archive
    quarantine: /srv/share/kreis/quarantine
    reports: /srv/share/kreis/reports
    watch: poll
EOF'
ct systemctl start plausid >/dev/null 2>&1 && bad "started with a drop directory it cannot write" || ok
ct sh -c 'mkdir -p /etc/systemd/system/plausid.service.d &&
        printf "[Unit]\nRequiresMountsFor=/srv/share/kreis\n[Service]\nReadWritePaths=/srv/share/kreis\n" \
                >/etc/systemd/system/plausid.service.d/share.conf &&
        systemctl daemon-reload && systemctl reset-failed plausid'
ct systemctl start plausid && ok || bad "systemctl start plausid with ReadWritePaths="
ct test -d /srv/share/kreis/drop/.processing && ok || bad "no .processing on the share"
ct systemctl stop plausid

echo
if [ $failed -gt 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
        echo "journal of plausid:" >&2
        ct journalctl -u plausid --no-pager -o short-monotonic 2>/dev/null | tail -40 >&2
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
