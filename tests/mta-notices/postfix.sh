#!/bin/bash
# SPDX-License-Identifier: MIT
# postfix.sh OUT PORT - a private Postfix (the system's package) that relays
# everything to the sink on 127.0.0.1:PORT and is made to write its
# notices there: bounces, a delay warning and an expiry.  Run as root by
# tests/mta-notices/generate.
set -eu
out=$1 port=$2
d=$(mktemp -d /tmp/recoil-mta-postfix.XXXXXX)
trap 'postfix -c "$d/etc" stop >/dev/null 2>&1; [ -n "${KEEP:-}" ] || rm -rf "$d"' EXIT
chmod 755 "$d"
mkdir -p "$d/etc" "$d/queue" "$d/data"
chown postfix "$d/data"
cp /etc/postfix/master.cf /etc/postfix/dynamicmaps.cf "$d/etc/"
if [ -d /etc/postfix/dynamicmaps.cf.d ]; then cp -r /etc/postfix/dynamicmaps.cf.d "$d/etc/"; fi
sed -i '/^smtp[[:space:]]\+inet/d' "$d/etc/master.cf"
grep -q '^postlog' "$d/etc/master.cf" || echo 'postlog   unix-dgram n  -       n       -       1       postlogd' >>"$d/etc/master.cf"
cat >"$d/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
myhostname = mx.postfix.example.test
mydomain = postfix.example.test
myorigin = postfix.example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
relayhost = [127.0.0.1]:$port
smtp_tls_security_level = none
maillog_file = $d/maillog
maillog_file_prefixes = $d
# retry quickly, warn after 3 s, give up after 12 s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 3s
maximal_queue_lifetime = 12s
bounce_queue_lifetime = 12s
CONF
postconf -c "$d/etc" -F '*/*/chroot = n' >/dev/null
postfix -c "$d/etc" start >/dev/null 2>&1
send () { # CASE RCPT...
  local case=$1
  shift
  printf 'From: News <news@sender.example.test>\nTo: %s\nSubject: November news (%s)\nMessage-ID: <%s.postfix@sender.example.test>\nList-Unsubscribe: <mailto:unsub@sender.example.test>\n\nHello.\n' \
    "$1" "$case" "$case" | sendmail -C "$d/etc" -f "news+$case@notices.example.test" "$@"
}
send unknown unknown-1@dest.example.test
send quota quota-1@dest.example.test
send multiline multi-1@dest.example.test
send disabled disabled-1@dest.example.test
send blocked blocked-1@dest.example.test
send relay relay-1@dest.example.test
send spam spam-1@dest.example.test
send expiry full-1@dest.example.test
send mixed unknown-2@dest.example.test later-2@dest.example.test fine-2@dest.example.test
# the expiry takes maximal_queue_lifetime and a queue run
sleep 25
postqueue -c "$d/etc" -f
sleep 5
cp "$d/maillog" "$out/postfix.maillog"
