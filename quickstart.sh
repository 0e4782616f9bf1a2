#!/bin/sh
# quickstart.sh - install what is missing, build recoil, and run it with the
# quick-start configuration (conf/quickstart.conf: state under ./var).
set -eu
cd "$(dirname "$0")"

./install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"

chmod 0600 conf/quickstart.conf
mkdir -p var
echo "== recoil config check --config conf/quickstart.conf"
./src/recoil config check --config conf/quickstart.conf
