#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh - install the Debian 12 packages recoil needs, when they
# are missing.  Runs apt-get as root (or through sudo).
#   ./install-deps.sh          what building and running recoil needs
#   ./install-deps.sh --test   and what the test suite needs besides: python3
#                              (fakes, scripts), clang-format, openssl,
#                              postfix for the end-to-end test (installed
#                              unconfigured; a system Postfix is left alone)
#                              python3-flufl.bounce (its sample bounces
#                              for make flufl-check) and postgresql (the
#                              tests start servers of their own with
#                              initdb and pg_ctl; the system's cluster
#                              is left alone), pgbouncer (the pooler
#                              test runs one of its own), groff-base and
#                              mandoc (the manual pages are checked)
set -eu

packages="autoconf automake make gcc pkg-config
libglib2.0-dev libgmime-3.0-dev libcurl4-openssl-dev libjansson-dev
libxml2-dev liblmdb-dev libpq-dev ca-certificates"
case "${1:-}" in
  --test) packages="$packages python3 clang-format openssl postfix python3-flufl.bounce postgresql pgbouncer groff-base mandoc" ;;
  "") ;;
  *) echo "usage: install-deps.sh [--test]" >&2; exit 64 ;;
esac

missing=
for p in $packages; do
  if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "install-deps: all needed packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=
elif command -v sudo >/dev/null 2>&1; then
  sudo=sudo
else
  echo "install-deps: missing packages:$missing; run this as root" >&2
  exit 1
fi
echo "install-deps: installing$missing"
case " $missing " in
  *" postfix "*)
    # postfix asks how to configure the system's mail: it stays
    # unconfigured; the end-to-end test runs a private instance of its own
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections ;;
esac
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
