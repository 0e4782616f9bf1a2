#!/bin/bash
# SPDX-License-Identifier: MIT
# exim.sh OUT PORT ROOT - Exim 4 from the dpkg -x tree ROOT, with a private
# configuration that routes everything to the sink on 127.0.0.1:PORT: its
# bounces (with X-Failed-Recipients and a delivery-status part), a :fail:
# router, an alias, a pipe that fails, a delay warning and an expiry after
# the retry rules' cutoff.  Run as root by tests/mta-notices/generate; needs
# the Debian-exim user Exim was built for.
set -eu
out=$1 port=$2 root=$3
d=$(mktemp -d /tmp/recoil-mta-exim.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$d"' EXIT
chmod 755 "$d"
mkdir -p "$d/spool" "$d/log"
chown Debian-exim:Debian-exim "$d/spool" "$d/log"
exim () { LD_LIBRARY_PATH="${LIBS:-}" "$root/usr/sbin/exim4" -C "$d/exim.conf" "$@"; }
cat >"$d/exim.conf" <<CONF
primary_hostname = mx.exim.example.test
exim_path = $root/usr/sbin/exim4
# its libraries may come from the unpacked tree too (libidn12)
keep_environment = LD_LIBRARY_PATH
qualify_domain = exim.example.test
spool_directory = $d/spool
log_file_path = $d/log/%slog
domainlist local_domains = local.exim.example.test
# warn after 4 s on the queue; give up after the retry rules' cutoff
delay_warning = 4s
delay_warning_condition = true
never_users = root
# no DNS: the loopback sink is every host
begin routers
fail_router:
  driver = redirect
  domains = +local_domains
  local_parts = nosuchuser
  allow_fail
  data = :fail: Unknown user
alias_router:
  driver = redirect
  domains = +local_domains
  local_parts = alias
  data = unknown-3@dest.example.test
pipe_router:
  driver = redirect
  domains = +local_domains
  local_parts = piped
  data = |/bin/false
  pipe_transport = address_pipe
  user = Debian-exim
smarthost:
  driver = manualroute
  domains = ! +local_domains
  transport = remote_smtp
  route_list = * 127.0.0.1
  self = send
begin transports
remote_smtp:
  driver = smtp
  port = $port
  allow_localhost
  hosts_avoid_tls = *
address_pipe:
  driver = pipe
  return_output
begin retry
*  *  F,10s,2s
CONF
send () { # CASE RCPT...
  local case=$1
  shift
  printf 'From: News <news@sender.example.test>\nTo: %s\nSubject: November news (%s)\nMessage-ID: <%s.exim@sender.example.test>\nList-Unsubscribe: <mailto:unsub@sender.example.test>\n\nHello.\n' \
    "$1" "$case" "$case" | exim -odi -f "news+$case@notices.example.test" "$@" || true
}
send unknown unknown-1@dest.example.test
send multiline multi-1@dest.example.test
send quota quota-1@dest.example.test
send blocked blocked-1@dest.example.test
send spam spam-1@dest.example.test
send failrouter nosuchuser@local.exim.example.test
send alias alias@local.exim.example.test
send pipe piped@local.exim.example.test
send expiry full-1@dest.example.test
send mixed unknown-2@dest.example.test later-2@dest.example.test fine-2@dest.example.test
# queue runs: the delay warnings, then the retry cutoff and the bounces
for _ in $(seq 12); do
  sleep 2
  exim -qff || true
done
cp "$d/log/mainlog" "$out/exim.mainlog" 2>/dev/null || true
