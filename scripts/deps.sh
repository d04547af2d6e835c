#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need, when they are
# missing. As root it runs apt-get; otherwise it names what is missing and stops, so that
# nobody has to remember an install step.
set -euo pipefail

packages=(
        make gcc clang libclang-rt-14-dev pkg-config
        libcsv-dev libyaml-dev libxxhash-dev libpq-dev libsystemd-dev
        libcmocka-dev libssl-dev postgresql postgresql-client
        time
        # tests/systemd: systemd-analyze, -sysusers, -tmpfiles; man and groff for the man
        # pages; /bin/kill (the unit's ExecReload, checked by verify); getfacl
        systemd man-db groff-base procps acl
        # tests/report: the HTML report rendered, screenshotted and printed headless
        chromium fonts-dejavu-core
        # tests/daemon: the NOTIFY_SOCKET listener; setpriv to run the daemon as nobody
        python3 util-linux
)

missing=()
for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
        echo "plausid: missing Debian packages: ${missing[*]}" >&2
        echo "plausid: install them as root: apt-get install ${missing[*]}" >&2
        exit 1
fi
echo "plausid: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
