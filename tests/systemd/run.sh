#!/usr/bin/env bash
# Tests of what makes plausid a system service: the unit, its sysusers.d and tmpfiles.d
# files, `make install` and the man pages. No systemd needs to run as PID 1: the unit is
# judged by `systemd-analyze verify` and `systemd-analyze security --offline=true`, the
# installation by `make install DESTDIR=...`, the user and directories by
# `systemd-sysusers --root` and `systemd-tmpfiles --root` in that DESTDIR.
#
#   tests/systemd/run.sh BUILD
#
# How verify is run on a machine where plausid is not installed: the unit is installed
# with `make install DESTDIR=$T PREFIX=/usr` (so ExecStart says /usr/bin/plausid, as on a
# real installation), checked to name exactly the binary installed beside it, and a copy
# whose ExecStart points at $T/usr/bin/plausid is verified with MANPATH=$T/usr/share/man,
# so that verify also finds the man pages named in Documentation=. (`verify --root=$T`
# does not do: it wants every unit of a whole system below the root.)
#
# tests/systemd/boot.sh (by hand, not in make check) boots the installed unit in a
# systemd-nspawn container and sees it work under its sandbox.
#
# Every check is also shown to fail once, on a deliberately broken copy, so that a check
# that can no longer fail is noticed. Ends with "N passed, N failed"; exit status 0 only
# when nothing failed.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
UNIT=systemd/plausid.service
MAX_EXPOSURE=2.0

# shellcheck source=../lib.sh
. tests/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for tool in systemd-analyze systemd-sysusers systemd-tmpfiles groff man getfacl; do
        if ! command -v "$tool" >/dev/null; then
                echo "systemd tests: $tool is missing (scripts/deps.sh installs it)" >&2
                echo "0 passed, 1 failed"
                exit 1
        fi
done

# ---- exposure: the "Overall exposure level" of systemd-analyze security ----

# exposure UNITFILE: prints the overall exposure level (e.g. 1.1), or nothing.
exposure() {
        systemd-analyze security --offline=true "$1" 2>&1 |
                sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\) .*/\1/p'
}
# at_most A B: A <= B, both decimal numbers.
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

e=$(exposure "$UNIT")
if [ -z "$e" ]; then
        fail "exposure: no 'Overall exposure level' line"
        systemd-analyze security --offline=true "$UNIT" >&2
elif at_most "$e" "$MAX_EXPOSURE"; then
        pass
        echo "exposure of $UNIT: $e (limit $MAX_EXPOSURE)" >&2
else
        fail "exposure: $e, more than $MAX_EXPOSURE"
        systemd-analyze security --offline=true "$UNIT" | grep '✗' >&2
fi

# The parser on a weakened copy: without the sandbox the same unit must rate above the
# limit, or the check above proves nothing.
mkdir -p "$T/weak"
grep -vE '^(ProtectSystem|PrivateUsers|CapabilityBoundingSet|SystemCallFilter|RestrictNamespaces|PrivateDevices|ProtectHome|NoNewPrivileges)=' \
        "$UNIT" >"$T/weak/plausid.service"
e=$(exposure "$T/weak/plausid.service")
if [ -n "$e" ] && ! at_most "$e" "$MAX_EXPOSURE"; then pass; else fail "exposure of a weakened unit: '$e', expected above $MAX_EXPOSURE"; fi

# ---- make install ----

# install_into DIR [VAR=VALUE...]: make install with the binary as built (-o: never
# rebuilt here, whatever BUILD's flags were).
install_into() {
        local dir=$1
        shift
        make --no-print-directory -o "$BUILD/plausid" install BUILD="$BUILD" DESTDIR="$dir" "$@" >"$T/install.log" 2>&1
}

D=$T/root
if install_into "$D" PREFIX=/usr; then pass; else cat "$T/install.log" >&2; fail "make install DESTDIR PREFIX=/usr"; fi

# Every file with its mode. Anything else installed is a failure too.
expected="644 /etc/plausid/plausid.yaml
755 /usr/bin/plausid
644 /usr/lib/systemd/system/plausid.service
644 /usr/lib/sysusers.d/plausid.conf
644 /usr/lib/tmpfiles.d/plausid.conf
644 /usr/share/doc/plausid/config.example.yaml
644 /usr/share/doc/plausid/rules.md
644 /usr/share/man/man5/plausid.yaml.5
644 /usr/share/man/man8/plausid.8"
for f in rules/*.yaml rules/*.views.sql; do
        [ -e "$f" ] && expected+=$'\n'"644 /usr/share/plausid/$f"
done
expected=$(sort -k2 <<<"$expected")
actual=$(cd "$D" && find . -type f -printf '%m /%P\n' | sort -k2)
check "installed files and modes" "$expected" "$actual"

# The files are the repo's (the unit and the config are rewritten, compared below).
same=1
for pair in "$BUILD/plausid:/usr/bin/plausid" "systemd/plausid.sysusers:/usr/lib/sysusers.d/plausid.conf" \
        "systemd/plausid.tmpfiles:/usr/lib/tmpfiles.d/plausid.conf" "man/plausid.8:/usr/share/man/man8/plausid.8" \
        "config.example.yaml:/usr/share/doc/plausid/config.example.yaml"; do
        cmp -s "${pair%%:*}" "$D${pair#*:}" || { echo "differs: ${pair#*:}" >&2; same=0; }
done
check "installed files are the built ones" 1 $same

# ExecStart names the installed binary; with PREFIX=/usr the unit is the repo's as is.
exec_start() { sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$1"; }
check "ExecStart is the installed binary (PREFIX=/usr)" /usr/bin/plausid "$(exec_start "$D/usr/lib/systemd/system/plausid.service")"
[ -x "$D$(exec_start "$D/usr/lib/systemd/system/plausid.service")" ] && pass || fail "ExecStart's binary is not in DESTDIR"
cmp -s "$UNIT" "$D/usr/lib/systemd/system/plausid.service" && pass || fail "PREFIX=/usr changed the unit"

# The installed configuration points at the installed rule packs, and they work from there.
rules=$(sed -n 's/^ *rules: *//p' "$D/etc/plausid/plausid.yaml")
# The sources of config.example.yaml, in its order: each has its pack and its directories.
SOURCES="hze zuordnung bevoelkerung gefaehrdung schutz sgb2 kennzahlen"
packs_under() { local s out=; for s in $SOURCES; do out+="$1/$s.yaml "; done; echo "${out% }"; }
check "plausid.yaml's rules paths" "$(packs_under /usr/share/plausid/rules)" "$(echo $rules)"
for pack in $rules; do
        if "$D/usr/bin/plausid" rules test "$D$pack" >"$T/rules.log" 2>&1; then pass; else cat "$T/rules.log" >&2; fail "rules test of the installed pack $pack"; fi
done
# Only the rules paths differ from the example.
check "plausid.yaml is the example but for its rules paths" \
        "$(grep -v '^ *rules:' config.example.yaml)" "$(grep -v '^ *rules:' "$D/etc/plausid/plausid.yaml")"

# A second install keeps an existing configuration.
echo "# changed by the administrator" >>"$D/etc/plausid/plausid.yaml"
install_into "$D" PREFIX=/usr || fail "make install, second time"
if tail -1 "$D/etc/plausid/plausid.yaml" | grep -q "changed by the administrator"; then pass; else fail "a second make install overwrote /etc/plausid/plausid.yaml"; fi

# The default PREFIX, /usr/local: the unit's ExecStart and the rules path follow it.
L=$T/local
if install_into "$L"; then pass; else cat "$T/install.log" >&2; fail "make install DESTDIR (default PREFIX)"; fi
check "ExecStart is the installed binary (PREFIX=/usr/local)" /usr/local/bin/plausid \
        "$(exec_start "$L/usr/local/lib/systemd/system/plausid.service")"
[ -x "$L/usr/local/bin/plausid" ] && pass || fail "no /usr/local/bin/plausid"
check "plausid.yaml's rules paths (PREFIX=/usr/local)" \
        "$(packs_under /usr/local/share/plausid/rules)" \
        "$(sed -n 's/^ *rules: *//p' "$L/etc/plausid/plausid.yaml" | tr '\n' ' ' | sed 's/ $//')"

# ---- systemd-analyze verify ----

# verify UNITFILE: what verify prints (nothing when all is well), with the man pages of $D.
verify() { MANPATH=$D/usr/share/man systemd-analyze verify "$1" 2>&1; }

mkdir -p "$T/verify"
sed "s|^ExecStart=/usr/bin/plausid |ExecStart=$D/usr/bin/plausid |" "$D/usr/lib/systemd/system/plausid.service" \
        >"$T/verify/plausid.service"
out=$(verify "$T/verify/plausid.service")
check "systemd-analyze verify prints nothing" "" "$out"

# It does print something for a unit with a misspelt key.
mkdir -p "$T/typo"
sed 's/^ProtectSystem=/ProtectSytem=/' "$T/verify/plausid.service" >"$T/typo/plausid.service"
out=$(verify "$T/typo/plausid.service")
[ -n "$out" ] && pass || fail "verify of a unit with a misspelt key printed nothing"

# ... and for a unit whose man pages are not there.
out=$(MANPATH=$T/nowhere systemd-analyze verify "$T/verify/plausid.service" 2>&1)
[ -n "$out" ] && pass || fail "verify without the man pages printed nothing"

# ---- the user and the directories, created in DESTDIR ----

if systemd-sysusers --root="$D" >"$T/sysusers.log" 2>&1; then pass; else cat "$T/sysusers.log" >&2; fail "systemd-sysusers --root"; fi
id_of() { awk -F: -v n="$2" '$1 == n { print $3 }' "$D/etc/$1"; }
uid=$(id_of passwd plausid)
gid=$(id_of group plausid)
drop_gid=$(id_of group plausid-drop)
check "user plausid: system user, home, no login" \
        "plausid:$gid:/var/lib/plausid:/usr/sbin/nologin:system" \
        "$(awk -F: '$1 == "plausid" { print $1 ":" $4 ":" $6 ":" $7 ":" ($3 < 1000 ? "system" : "regular") }' "$D/etc/passwd")"
check "group plausid-drop has plausid as member" plausid "$(awk -F: '$1 == "plausid-drop" { print $4 }' "$D/etc/group")"

if [ "$(id -u)" -ne 0 ]; then
        echo "systemd tests: not root, the tmpfiles.d test (chown) is skipped" >&2
else
        # tmpfiles resolves ACL names with the host's user database, which does not know
        # the users made in DESTDIR: the ACL entries get their numbers here.
        sed -e "s/\(group\):plausid-drop:/\1:$drop_gid:/" -e "s/\(user\):plausid:/\1:$uid:/" \
                "$D/usr/lib/tmpfiles.d/plausid.conf" >"$T/tmpfiles.conf"
        cp "$T/tmpfiles.conf" "$D/usr/lib/tmpfiles.d/plausid.conf"
        if systemd-tmpfiles --root="$D" --create plausid.conf >"$T/tmpfiles.log" 2>&1 && [ ! -s "$T/tmpfiles.log" ]; then
                pass
        else
                cat "$T/tmpfiles.log" >&2
                fail "systemd-tmpfiles --root --create (exit or messages)"
        fi
        expected="750 $uid $gid /var/lib/plausid"
        for src in $SOURCES; do
                expected+="
750 $uid $gid /var/lib/plausid/$src
3770 $uid $drop_gid /var/lib/plausid/$src/drop
750 $uid $gid /var/lib/plausid/$src/drop/.processing
750 $uid $gid /var/lib/plausid/$src/archive
750 $uid $gid /var/lib/plausid/$src/quarantine
750 $uid $gid /var/lib/plausid/$src/reports"
        done
        actual=$(cd "$D" && find var/lib/plausid -printf '%m %U %G /%p\n')
        check "state directories, owners and modes" "$(sort -k4 <<<"$expected")" "$(sort -k4 <<<"$actual")"
        acl() { getfacl -cpn "$D$1" 2>/dev/null | grep -E "$2" | tr '\n' ' '; }
        check "plausid-drop may only pass /var/lib/plausid" "group:$drop_gid:--x " "$(acl /var/lib/plausid "^group:[0-9]")"
        check "plausid-drop may only pass /var/lib/plausid/hze" "group:$drop_gid:--x " "$(acl /var/lib/plausid/hze "^group:[0-9]")"
        check "new files in drop stay readable by plausid" "default:user:$uid:r-- " "$(acl /var/lib/plausid/hze/drop "^default:user:[0-9]")"
        check "plausid-drop may only pass /var/lib/plausid/zuordnung" "group:$drop_gid:--x " "$(acl /var/lib/plausid/zuordnung "^group:[0-9]")"
        check "new files in zuordnung's drop stay readable by plausid" "default:user:$uid:r-- " "$(acl /var/lib/plausid/zuordnung/drop "^default:user:[0-9]")"
        # A missing directory is noticed: the same check on a tree without .processing.
        rmdir "$D/var/lib/plausid/hze/drop/.processing"
        actual=$(cd "$D" && find var/lib/plausid -printf '%m %U %G /%p\n')
        [ "$(sort -k4 <<<"$expected")" != "$(sort -k4 <<<"$actual")" ] && pass || fail "directory check blind to a missing directory"
fi

# ---- man pages: no warnings from groff -ww ----

for page in man/plausid.8 man/plausid.yaml.5; do
        out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
        check "groff -ww $page" "" "$out"
        # and they show through man(1) as installed
        sec=${page##*.}
        name=$(basename "${page%.*}")
        if MANPATH=$D/usr/share/man MANWIDTH=80 man "$sec" "$name" 2>&1 | grep -q "^NAME"; then pass; else fail "man $sec $name"; fi
done
# A broken page does warn.
printf '.TH X 1\n.SH NAME\nx \\- y\n.BX undefined\n' >"$T/broken.1"
out=$(groff -man -Tutf8 -ww -z "$T/broken.1" 2>&1)
[ -n "$out" ] && pass || fail "groff -ww is silent on an undefined macro"

summary
