#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/deb.sh TARBALL - build the Debian package from a release tarball
# (make dist) with dpkg-buildpackage, check it with lintian, install it
# with apt-get and check what the installed package promises: the recoil
# system user, /var/lib/recoil, /etc/recoil/recoil.conf (0640 root:recoil),
# units installed with no timer enabled, manual pages, the sample's
# documented `config check` failure, and the real-Postfix end-to-end test
# run against the installed /usr/bin/recoil.  Then remove (state and
# configuration stay) and purge (both go).  Speaks TAP.
#
# Needs root on a machine where the package may be installed and purged
# (CI); a recoil package installed before is purged first.
set -u
tarball=$(readlink -f "${1:?usage: tests/deb.sh recoil-VERSION.tar.gz}")
src=$(cd "$(dirname "$0")/.." && pwd)
export TOP_SRCDIR=$src
. "$src/tests/tap.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "Bail out! the package test installs a package: it needs root"
  exit 1
fi

d=$(mktemp -d /tmp/recoil-deb.XXXXXX)
trap 'rm -rf "$d" "$tap_tmp"' EXIT

if dpkg-query -W -f '${Status}' recoil 2>/dev/null | grep -q installed; then
  apt-get purge -y -q recoil >/dev/null 2>&1
fi

# the build, as a packager would run it from the release tarball
tar -xzf "$tarball" -C "$d"
tree=$(echo "$d"/recoil-*)
(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$d/build.log" 2>&1
status=$?
ok "dpkg-buildpackage -us -uc -b builds the package (and its self-contained tests pass)" test "$status" -eq 0
[ "$status" -eq 0 ] || tail -40 "$d/build.log" | sed 's/^/# build: /'
deb=$(echo "$d"/recoil_*_*.deb)
if [ ! -f "$deb" ]; then
  echo "Bail out! no package was built"
  exit 1
fi

lintian --fail-on error "$d"/recoil_*.changes >"$d/lintian.log" 2>&1
status=$?
sed 's/^/# lintian: /' "$d/lintian.log"
ok "lintian reports no errors" test "$status" -eq 0

DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$d/install.log" 2>&1
status=$?
[ "$status" -eq 0 ] || tail -20 "$d/install.log" | sed 's/^/# apt-get: /'
ok "apt-get installs the package" test "$status" -eq 0

version=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
ok "recoil --version names the packaged version" sh -c '/usr/bin/recoil --version | grep -q "^recoil $1\$"' sh "$version"
ok "recoil-pg, the PostgreSQL program, runs from /usr/libexec/recoil" \
  sh -c '/usr/libexec/recoil/recoil-pg --version | grep -q "^recoil $1\$"' sh "$version"

ok "postinst made recoil a system user and group, without a login shell" sh -c '
  uid=$(id -u recoil) && [ "$uid" -lt 1000 ] && id -g recoil >/dev/null &&
  case $(getent passwd recoil | cut -d: -f7) in */nologin|*/false) ;; *) exit 1 ;; esac'
ok "/var/lib/recoil belongs to recoil, mode 0700" \
  test "$(stat -c '%U:%G %a' /var/lib/recoil 2>/dev/null)" = "recoil:recoil 700"
ok "/etc/recoil/recoil.conf is a conffile, 0640 root:recoil" sh -c '
  test "$(stat -c "%U:%G %a" /etc/recoil/recoil.conf)" = "root:recoil 640" &&
  dpkg-query -W -f "\${Conffiles}" recoil | grep -q "^ /etc/recoil/recoil.conf "'

# the unedited configuration: its documented failure (recoil(1): 78)
/usr/bin/recoil config check >"$d/out" 2>"$d/err"
status=$?
sed 's/^/# config check: /' "$d/err"
ok "recoil config check on the installed sample fails as documented (exit 78, says what is missing)" \
  sh -c 'test "$1" -eq 78 && grep -q "can neither believe a returned mail" "$2"' sh "$status" "$d/err"
runuser -u recoil -- /usr/bin/recoil config check >"$d/out" 2>"$d/err"
status=$?
ok "the recoil user reads the configuration (the same failure, not a permission error)" \
  sh -c 'test "$1" -eq 78 && ! grep -qi "permission" "$2"' sh "$status" "$d/err"

ok "the units are installed and run /usr/bin/recoil as recoil" sh -c '
  for u in recoil-retry recoil-purge recoil-acct-sweep; do
    test -f /lib/systemd/system/$u.service && test -f /lib/systemd/system/$u.timer || exit 1
    grep -q "^ExecStart=/usr/bin/recoil " /lib/systemd/system/$u.service || exit 1
    grep -q "^User=recoil" /lib/systemd/system/$u.service || exit 1
  done'
ok "no timer is enabled until the operator asks" \
  sh -c '! ls /etc/systemd/system/*.wants/recoil-* >/dev/null 2>&1'
ok "man finds recoil(1) and recoil.conf(5)" sh -c 'man -w recoil >/dev/null && man -w 5 recoil.conf >/dev/null'
ok "bash completion is where bash-completion looks" test -f /usr/share/bash-completion/completions/recoil
ok "the sample configuration and the Postfix and PowerMTA snippets are in the documentation" sh -c '
  test -f /usr/share/doc/recoil/examples/recoil.conf.sample &&
  test -f /usr/share/doc/recoil/postfix/master.cf && test -f /usr/share/doc/recoil/pmta/acct-pipe.conf'
ok "the package depends on no mail server" sh -c '! dpkg-query -W -f "\${Depends}" recoil | grep -Eq "postfix|mail-transport-agent|default-mta"'

# the real-Postfix end-to-end test against the installed binary, its pipe
# running as the package's user
RECOIL=/usr/bin/recoil RECOIL_INSTALLED=1 RECOIL_E2E_USER=recoil RECOIL_E2E_REQUIRED=1 TZ=UTC LC_ALL=C \
  bash "$src/tests/e2e/postfix.test" >"$d/e2e.log" 2>&1
status=$?
sed 's/^/# e2e: /' "$d/e2e.log"
points=$(grep -c '^ok ' "$d/e2e.log")
ok "the real-Postfix end-to-end test passes against the installed recoil ($points points)" \
  sh -c 'test "$1" -eq 0 && test "$2" -gt 0 && ! grep -q "^not ok\|^Bail out" "$3"' sh "$status" "$points" "$d/e2e.log"

# a second install of the same package: postinst runs again on an existing user
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$deb" >"$d/install.log" 2>&1
ok "reinstalling keeps the user, the directory and the configuration's mode" sh -c '
  test "$(stat -c "%U:%G %a" /var/lib/recoil)" = "recoil:recoil 700" &&
  test "$(stat -c "%U:%G %a" /etc/recoil/recoil.conf)" = "root:recoil 640"'

# remove keeps the state and the configuration; purge takes both
runuser -u recoil -- sh -c 'echo kept > /var/lib/recoil/marker'
echo "# edited" >>/etc/recoil/recoil.conf
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q recoil >"$d/remove.log" 2>&1
ok "apt-get remove takes the programs and leaves the state and the edited configuration" sh -c '
  test ! -e /usr/bin/recoil && test "$(cat /var/lib/recoil/marker)" = kept &&
  grep -q "^# edited" /etc/recoil/recoil.conf'
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q recoil >"$d/purge.log" 2>&1
ok "apt-get purge removes /var/lib/recoil and /etc/recoil" \
  sh -c 'test ! -e /var/lib/recoil && test ! -e /etc/recoil/recoil.conf'

tap_done
