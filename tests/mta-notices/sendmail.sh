#!/bin/bash
# SPDX-License-Identifier: MIT
# sendmail.sh OUT PORT ROOT - Sendmail 8.17 from the dpkg -x tree ROOT, with a
# configuration made by m4 from its own cf macros: everything relayed to the
# sink on 127.0.0.1:PORT, a warning after 4 s and the mail returned after
# 12 s on the queue.  Run as root by tests/mta-notices/generate; needs the
# smmsp user.
set -eu
out=$1 port=$2 root=$3
listen=$((port + 2))
d=$(mktemp -d /tmp/recoil-mta-sendmail.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$d"' EXIT
chmod 755 "$d"
mkdir -p "$d/mqueue" "$d/clientmqueue" "$d/etc"
chmod 700 "$d/mqueue"
touch "$d/etc/local-host-names" "$d/etc/aliases"
# host names from files only: no DNS on this machine
printf 'hosts files\naliases files\n' >"$d/etc/service.switch"
cf=$root/usr/share/sendmail/cf
cat >"$d/sendmail.mc" <<MC
divert(-1)
include(\`$cf/m4/cf.m4')
divert(0)dnl
VERSIONID(\`recoil mta-notices')dnl
OSTYPE(\`linux')dnl
define(\`confCF_VERSION', \`recoil')dnl
define(\`confDOMAIN_NAME', \`mx.sendmail.example.test')dnl
define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $port')dnl
define(\`confTO_QUEUEWARN', \`4s')dnl
define(\`confTO_QUEUERETURN', \`12s')dnl
define(\`QUEUE_DIR', \`$d/mqueue')dnl
define(\`ALIAS_FILE', \`$d/etc/aliases')dnl
define(\`confCW_FILE', \`-o $d/etc/local-host-names')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confSERVICE_SWITCH_FILE', \`$d/etc/service.switch')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confMIN_QUEUE_AGE', \`0')dnl
dnl this machine is busy; Sendmail would otherwise sleep or queue
define(\`confQUEUE_LA', \`999')dnl
define(\`confREFUSE_LA', \`999')dnl
define(\`confDELAY_LA', \`999')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`confPID_FILE', \`$d/sendmail.pid')dnl
DAEMON_OPTIONS(\`Port=$listen, Addr=127.0.0.1, Name=MTA')dnl
define(\`confPRIVACY_FLAGS', \`authwarnings')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
MAILER(\`smtp')dnl
MC
m4 "$d/sendmail.mc" >"$d/sendmail.cf"
# a daemon that takes mail by SMTP and runs its queue every 2 s
"$root/usr/libexec/sendmail/sendmail" -C "$d/sendmail.cf" -bd -q2s </dev/null >/dev/null 2>&1
trap '[ -f "$d/sendmail.pid" ] && kill "$(head -1 "$d/sendmail.pid")" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$d"' EXIT
sleep 2
send () { # CASE RCPT...
  python3 - "$listen" "$@" <<'PY'
import smtplib, sys
port, case, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
msg = ("From: News <news@sender.example.test>\r\nTo: %s\r\nSubject: November news (%s)\r\n"
       "Message-ID: <%s.sendmail@sender.example.test>\r\nList-Unsubscribe: <mailto:unsub@sender.example.test>\r\n\r\nHello.\r\n"
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
sleep 25
