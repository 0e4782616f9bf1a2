# SPDX-License-Identifier: MIT
# pg.sh - a PostgreSQL server of the tests' own, sourced by the tests
# that need one.
#
#   pg_start       initdb and start a server in a new directory (Unix
#                  socket there, and TCP on 127.0.0.1 at a free port); sets
#                  PG_DIR, PG_PORT, PG_SOCKET_CONNINFO, PG_TCP_CONNINFO
#   pg_createdb N  a new database N; prints its socket conninfo
#   pg_stop        stop the server and remove its directory
#   pg_kill        stop it at once (immediate: an outage)
#   pg_restart     start it again on the same directory
#
# The server runs as an unprivileged user: PostgreSQL refuses root, so as
# root (CI) it runs as the postgres user Debian's package makes (or
# nobody), otherwise as whoever runs the tests.  Trust authentication on
# the socket and on 127.0.0.1 only; fsync off (a test server) unless
# PG_FSYNC=on (the benchmarks, whose commits must be durable to compare).

pg_bindir () {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return 0
  return 1
}

# pg_as CMD... - run CMD as the server's user
pg_as () {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --clear-groups -- "$@"
  else
    "$@"
  fi
}

pg_start () {
  local bin
  bin=$(pg_bindir) || { echo "# pg.sh: PostgreSQL's initdb is not installed (Debian: postgresql)" >&2; return 1; }
  PG_BIN=$bin
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
  else
    PG_USER=$(id -un)
  fi
  PG_DIR=$(mktemp -d /tmp/recoil-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR"
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U recoil -A trust -E UTF8 --locale=C --no-sync \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  for _ in 1 2 3 4 5; do
    PG_PORT=$((20000 + RANDOM % 30000))
    if pg_restart; then
      PG_SOCKET_CONNINFO="host=$PG_DIR port=$PG_PORT user=recoil"
      PG_TCP_CONNINFO="host=127.0.0.1 port=$PG_PORT user=recoil"
      export PG_DIR PG_PORT PG_SOCKET_CONNINFO PG_TCP_CONNINFO
      return 0
    fi
  done
  cat "$PG_DIR/server.log" >&2
  return 1
}

pg_restart () {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" \
    start >/dev/null 2>&1
}

pg_kill () {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
}

pg_createdb () {
  "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U recoil "$1" || return 1
  echo "host=$PG_DIR port=$PG_PORT user=recoil dbname=$1"
}

# pg_sql DB SQL - one statement's result, unaligned
pg_sql () {
  "$PG_BIN/psql" -X -A -t -q -h "$PG_DIR" -p "$PG_PORT" -U recoil -d "$1" -c "$2"
}

pg_stop () {
  [ -n "${PG_DIR:-}" ] || return 0
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
