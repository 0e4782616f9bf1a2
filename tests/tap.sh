# SPDX-License-Identifier: MIT
# tap.sh - a few helpers for shell tests that speak TAP.
# Source it, call the helpers, end with tap_done.

tap_n=0
tap_fail=0
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/recoil-test.XXXXXX")
# tap_cleanup - what leaving the test removes (a test with its own EXIT
# trap calls it from there)
tap_cleanup () { rm -rf "$tap_tmp"; }
trap tap_cleanup EXIT

# RECOIL_TEST_BACKEND=postgresql (the *-pg.test wrappers): the test's
# configurations keep their state in a PostgreSQL server of the test's own
# (tests/pg.sh), each configuration in a database of its own.
tap_backend=${RECOIL_TEST_BACKEND:-lmdb}
tap_pg_n=0
if [ "$tap_backend" = postgresql ]; then
  . "$TOP_SRCDIR/tests/pg.sh"
  pg_start || { echo "Bail out! the test's PostgreSQL server does not start"; exit 1; }
  tap_cleanup () { pg_stop; rm -rf "$tap_tmp"; }
fi

# tap_lmdb - whether the test runs on LMDB (for what only LMDB does).
tap_lmdb () { [ "$tap_backend" = lmdb ]; }

# tap_store CONF [DB] - point CONF at the test's backend: nothing on LMDB;
# on PostgreSQL, database DB (a new one when not given) with its schema.
tap_store () {
  local ci db=${2:-}
  [ "$tap_backend" = postgresql ] || return 0
  if [ -z "$db" ]; then
    tap_pg_n=$((tap_pg_n + 1))
    db=t$tap_pg_n
  fi
  ci=$(pg_createdb "$db" 2>/dev/null || echo "host=$PG_DIR port=$PG_PORT user=recoil dbname=$db")
  sed -i 's/^\[recoil\]$/[recoil]\nstore = postgresql/' "$1"
  printf '\n[postgresql]\nconninfo = %s\n' "$ci" >>"$1"
  "$RECOIL" store -c "$1" init >/dev/null
}

# ok DESCRIPTION COMMAND... - one test point: passes when COMMAND succeeds.
ok () {
  tap_desc=$1
  shift
  tap_n=$((tap_n + 1))
  if "$@"; then
    echo "ok $tap_n - $tap_desc"
  else
    echo "not ok $tap_n - $tap_desc"
    tap_fail=$((tap_fail + 1))
    if [ -s "$tap_tmp/err" ]; then sed 's/^/# stderr: /' "$tap_tmp/err"; fi
    if [ -s "$tap_tmp/out" ]; then head -20 "$tap_tmp/out" | sed 's/^/# stdout: /'; fi
  fi
}

# run ARGS... - run recoil; sets $status, output in $tap_tmp/out and /err.
run () {
  "$RECOIL" "$@" >"$tap_tmp/out" 2>"$tap_tmp/err" </dev/null
  status=$?
}

# status_is N - the last run exited N.
status_is () {
  [ "$status" -eq "$1" ] || { echo "# exit status $status, expected $1"; return 1; }
}

# out_has TEXT / err_has TEXT - fixed-string search in the last output.
out_has () { grep -qF -e "$1" "$tap_tmp/out" || { echo "# stdout lacks: $1"; return 1; }; }
err_has () { grep -qF -e "$1" "$tap_tmp/err" || { echo "# stderr lacks: $1"; return 1; }; }
out_lacks () { ! grep -qF -e "$1" "$tap_tmp/out"; }
out_empty () { [ ! -s "$tap_tmp/out" ] || { echo "# stdout not empty"; return 1; }; }

# err_prefixed - every line on stderr starts with "recoil: ".
err_prefixed () {
  [ -s "$tap_tmp/err" ] && ! grep -qv '^recoil: ' "$tap_tmp/err"
}

# all - run several checks, all must pass.
all () {
  for tap_check in "$@"; do
    eval "$tap_check" || return 1
  done
}

tap_done () {
  echo "1..$tap_n"
  [ "$tap_fail" -eq 0 ]
}
