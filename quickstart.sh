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

recoil () { ./src/recoil --config conf/quickstart.conf "$@"; }
echo
echo "== a signed return path and unsubscribe address for John.Smith@Example.COM"
bounce=$(recoil verp encode --address John.Smith@Example.COM --list ab12 --campaign cd34)
unsub=$(recoil verp encode --unsub --address John.Smith@Example.COM --list ab12)
echo "return path: $bounce"
echo "unsubscribe: $unsub"
echo
echo "== what recoil reads from them"
recoil verp decode "$bounce"
recoil verp decode "$unsub"
echo
echo "== a forged one (one character of the tag changed)"
forged=$(echo "$bounce" | sed 's/^\(b1......\)./\1z/')
[ "$forged" != "$bounce" ] || forged=$(echo "$bounce" | sed 's/^\(b1......\)./\1y/')
recoil verp decode "$forged"
