#!/bin/bash
# SPDX-License-Identifier: MIT
# opensmtpd.sh OUT PORT ROOT - OpenSMTPD from the dpkg -x tree ROOT, relaying
# everything to the sink on 127.0.0.1:PORT, with warnings after 3 s and an
# expiry after 12 s.  It uses the spool and socket paths it was built with
# (/var/spool/smtpd, /run/smtpd.sock): run it where no other smtpd runs.
# Run as root by tests/mta-notices/generate; needs the opensmtpd and opensmtpq
# users Debian built it with.
set -eu
mkdir -p /var/lib/opensmtpd/empty
out=$1 port=$2 root=$3
d=$(mktemp -d /tmp/recoil-mta-smtpd.XXXXXX)
listen=$((port + 1))
cleanup () {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  sleep 1
  [ -n "${KEEP:-}" ] || rm -rf "$d"
  rm -rf /var/spool/smtpd
}
trap cleanup EXIT
chmod 755 "$d"
cat >"$d/smtpd.conf" <<CONF
queue ttl 12s
bounce warn-interval 3s
listen on 127.0.0.1 port $listen
action "relay" relay host smtp://127.0.0.1:$port
match from any for any action "relay"
CONF
chmod 600 "$d/smtpd.conf"
"$root/usr/sbin/smtpd" -f "$d/smtpd.conf" -n
"$root/usr/sbin/smtpd" -f "$d/smtpd.conf" -d >"$d/smtpd.log" 2>&1 &
pid=$!
sleep 2
send () { # CASE RCPT...
  python3 - "$listen" "$@" <<'PY'
import smtplib, sys
port, case, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
msg = ("From: News <news@sender.example.test>\r\nTo: %s\r\nSubject: November news (%s)\r\n"
       "Message-ID: <%s.opensmtpd@sender.example.test>\r\nList-Unsubscribe: <mailto:unsub@sender.example.test>\r\n\r\nHello.\r\n"
       % (rcpts[0], case, case))
with smtplib.SMTP("127.0.0.1", port) as s:
    s.sendmail("news+%s@notices.example.test" % case, rcpts, msg)
PY
}
send unknown unknown-1@dest.example.test
send multiline multi-1@dest.example.test
send quota quota-1@dest.example.test
send blocked blocked-1@dest.example.test
send spam spam-1@dest.example.test
send expiry full-1@dest.example.test
send mixed unknown-2@dest.example.test later-2@dest.example.test fine-2@dest.example.test
for _ in $(seq 12); do
  sleep 2
  "$root/usr/sbin/smtpctl" schedule all >/dev/null 2>&1 || true
done
cp "$d/smtpd.log" "$out/opensmtpd.log"
