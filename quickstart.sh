#!/bin/sh
# SPDX-License-Identifier: MIT
# quickstart.sh - install what is missing, build recoil, and run it with the
# quick-start configuration (conf/quickstart.conf: state under ./var).
set -eu
cd "$(dirname "$0")"

./install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"

mkdir -p var
# the quick-start configuration with this directory's absolute path, so
# recoil finds ./var wherever it runs (an MTA runs it in its queue dir)
sed "s|= \./var|= $PWD/var|" conf/quickstart.conf >var/recoil.conf
chmod 0600 var/recoil.conf
echo "== recoil config check --config var/recoil.conf"
./src/recoil config check --config var/recoil.conf

recoil () { ./src/recoil --config var/recoil.conf "$@"; }
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

echo
echo "== the main job: returned mail through 'recoil mail' into ./var"
cases=tests/cases
alice=$(recoil verp encode --address alice@example.com --list ab12cd34ef567)
full=$(recoil verp encode --address full@example.net)
olivia=$(recoil verp encode --unsub --address olivia@example.com --list ab12cd34ef567)
feed () { # FILE FROM TO
  recoil mail --from="$2" --to="$3" <"$1"
  echo "recoil mail --to=$3 < $1: exit $?"
}
feed "$cases/dsn-postfix-userunknown/input.eml" MAILER-DAEMON "$alice"
feed "$cases/dsn-postfix-userunknown/input.eml" MAILER-DAEMON "$alice"   # the MTA retries: counted once
feed "$cases/dsn-multi-recipient/input.eml" MAILER-DAEMON "$full"
# a feedback-loop report: first one whose reported message recoil never
# signed (not believed), then the genuine one, whose reported message went
# out with dave's signed return path
feed "$cases/arf-abuse-rfc822/input.eml" staff@hotmail.example fbl@example.com
dave=$(recoil verp encode --address dave@example.org)
sed "s/b1aujkfbu3gcgu-dave=example.org@bounces.example.test/$dave/" "$cases/arf-abuse-rfc822/input.eml" >var/arf.eml
feed var/arf.eml staff@hotmail.example fbl@example.com
feed "$cases/unsubscribe-request/input.eml" olivia@example.com "$olivia"
feed "$cases/unsubscribe-request/input.eml" mallory@example.com "$(echo "$olivia" | sed 's/olivia=/trudy=/')"
feed "$cases/not-bounce/input.eml" peggy@example.com "$alice"
echo
echo "== recoil status alice@example.com (why it is suppressed)"
recoil status alice@example.com
echo
echo "== recoil events (every fact, newest first, those not believed too)"
recoil events
echo
echo "== recoil stats"
recoil stats --days 1
echo
echo "== recoil list (the suppression list to feed back to the mailer)"
recoil list

echo
echo "== a PowerMTA accounting stream through 'recoil acct'"
printf '%s\r\n' \
  'type,timeLogged,bounceCat,orig,rcpt,jobId,dsnStatus,dsnMta,dsnDiag' \
  'b,2026-11-21 10:00:00+0000,bad-mailbox,news@example.com,henry@example.org,mailwizz-cd98,5.1.1 (bad destination mailbox address),mx.example.org,"smtp;550 5.1.1 <henry@example.org>: no such user"' \
  'b,2026-11-21 10:00:01+0000,quota-issues,news@example.com,ivy@example.org,,4.2.2 (mailbox full),mx.example.org,smtp;452 4.2.2 over quota' \
  'b,2026-11-21 10:00:02+0000,spam-related,news@example.com,jack@example.org,,5.7.1 (policy),mx.example.org,smtp;554 5.7.1 rejected as spam' \
  'type,timeLogged,orig,rcpt,feedbackType,header_X-Mw-Subscriber-Uid' \
  'f,1795257600,news@example.com,kate@example.org,abuse,sub77' | recoil acct
recoil list
