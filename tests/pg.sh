# A throwaway PostgreSQL for tests and the demo: initdb into a fresh directory, a unix
# socket in that directory, no TCP. Source this file, then:
#
#   pg_start            sets PGHOST (the socket directory), PGPORT, PGUSER, PGDATABASE
#   pg_stop             stops the server and removes the directory (also on EXIT)
#   pg_restart_stopped  (after pg_stop_keep) starts the same cluster again
#   new_db NAME         a fresh database NAME, made the default (PGDATABASE)
#   pg_suite NAME       for a test suite: a scratch directory $T, a server, both gone at
#                       exit; exits when the server does not start
#
# PostgreSQL refuses to run as root: as root the server runs as the 'postgres' system user
# (runuser); as any other user, as that user.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=

pg_as() {
        if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
        if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
                echo "pg.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2
                return 1
        fi
        PG_DIR=$(mktemp -d /tmp/plausid-pg.XXXXXX)
        chmod 755 "$PG_DIR"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
        pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
                { cat "$PG_DIR/initdb.log" >&2; return 1; }
        export PGHOST=$PG_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
        pg_restart_stopped
}

pg_restart_stopped() {
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
                -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=off -c port=$PGPORT" \
                start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
}

pg_stop_keep() {
        [ -n "$PG_DIR" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
        return 0
}

pg_stop() {
        [ -n "$PG_DIR" ] || return 0
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
        rm -rf "$PG_DIR"
        PG_DIR=
}

# psql for assertions: unaligned, tuples only, '|' between columns, stop on errors.
q() {
        psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 -c "$1"
}

# A fresh, empty database for one test case; later psql and plausid calls use it.
new_db() {
        PGOPTIONS="-c client_min_messages=warning" q "DROP DATABASE IF EXISTS $1" >/dev/null
        q "CREATE DATABASE $1" >/dev/null
        export PGDATABASE=$1
}

pg_suite() {
        T=$(mktemp -d)
        chmod 755 "$T"
        trap 'pg_stop; rm -rf "$T"' EXIT
        pg_start || { echo "$1 tests: cannot start PostgreSQL" >&2; exit 1; }
}
