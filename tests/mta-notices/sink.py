#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An SMTP server on loopback that answers each recipient as its local part
says, for making real MTAs write real notices (tests/mta-notices/generate).

  sink.py --port-file FILE --out DIR

RCPT TO answers, by the local part's first word (before '-' or '.'):
  unknown   550 5.1.1 <a>: Recipient address rejected: User unknown
  full      452 4.2.2 <a>: Mailbox full, try again later   (never accepted)
  later     451 4.3.0 Temporary local problem, try again   (never accepted)
  quota     552 5.2.2 <a>: Mailbox over quota
  disabled  550-5.2.1 The email account that you tried to reach is disabled.
            550 5.2.1 (a multi-line reply, as Gmail writes it)
  multi     550-5.1.1 The email account that you tried to reach does not exist.
            550-5.1.1 Please try double-checking the recipient's email address
            550 5.1.1 for typos or unnecessary spaces.
  relay     554 5.7.1 <a>: Relay access denied
  blocked   550 5.7.1 Service unavailable; client host [127.0.0.1] blocked using zen.spamhaus.org
  spam      accepted; the DATA of a message with such a recipient gets
            554 5.7.1 Message rejected as spam by content filter
  anything else: 250
Every message accepted whole is written to DIR as N.eml, in arrival order,
with the envelope in X-Sink-From and X-Sink-To headers on top.
"""

import argparse
import asyncio
import os
import re

ANSWERS = {
    "unknown": ["550 5.1.1 <{a}>: Recipient address rejected: User unknown in local recipient table"],
    "full": ["452 4.2.2 <{a}>: Mailbox full, try again later"],
    "later": ["451 4.3.0 Temporary local problem, try again later"],
    "quota": ["552 5.2.2 <{a}>: Mailbox over quota"],
    "disabled": ["550-5.2.1 The email account that you tried to reach is disabled. Learn more at",
                 "550 5.2.1 https://support.example.test/mail/?p=DisabledUser x1si123456"],
    "multi": ["550-5.1.1 The email account that you tried to reach does not exist. Please try",
              "550-5.1.1 double-checking the recipient's email address for typos or",
              "550-5.1.1 unnecessary spaces. Learn more at",
              "550 5.1.1 https://support.example.test/mail/?p=NoSuchUser y2si654321"],
    "relay": ["554 5.7.1 <{a}>: Relay access denied"],
    "blocked": ["550 5.7.1 Service unavailable; client host [127.0.0.1] blocked using zen.spamhaus.org"],
}


class Sink:
    def __init__(self, out):
        self.out = out
        self.n = len([f for f in os.listdir(out) if f.endswith(".eml")])

    async def session(self, reader, writer):
        def say(lines):
            for i, line in enumerate(lines):
                writer.write((line if i == len(lines) - 1 else line) .encode() + b"\r\n")

        say(["220 sink.example.test ESMTP ready"])
        await writer.drain()
        mail_from, rcpts, spam = None, [], False
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                cmd = line.decode("latin-1").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb in ("EHLO", "HELO"):
                    say(["250-sink.example.test", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 SMTPUTF8"]
                        if verb == "EHLO" else ["250 sink.example.test"])
                elif verb == "MAIL":
                    m = re.search(r"<([^>]*)>", cmd)
                    mail_from, rcpts, spam = (m.group(1) if m else ""), [], False
                    say(["250 2.1.0 Ok"])
                elif verb == "RCPT":
                    m = re.search(r"<([^>]*)>", cmd)
                    a = m.group(1) if m else ""
                    word = re.split(r"[-.+_]", a.split("@")[0].lower())[0]
                    if word in ANSWERS:
                        say([x.format(a=a) for x in ANSWERS[word]])
                    else:
                        if word == "spam":
                            spam = True
                        rcpts.append(a)
                        say(["250 2.1.5 Ok"])
                elif verb == "DATA":
                    if not rcpts:
                        say(["554 5.5.1 Error: no valid recipients"])
                        await writer.drain()
                        continue
                    say(["354 End data with <CR><LF>.<CR><LF>"])
                    await writer.drain()
                    body = []
                    while True:
                        l = await reader.readline()
                        if not l or l in (b".\r\n", b".\n"):
                            break
                        body.append(l[1:] if l.startswith(b"..") else l)
                    if spam:
                        say(["554 5.7.1 Message rejected as spam by content filter"])
                    else:
                        self.n += 1
                        head = "X-Sink-From: <%s>\r\nX-Sink-To: %s\r\n" % (mail_from, ", ".join("<%s>" % r for r in rcpts))
                        with open(os.path.join(self.out, "%03d.eml" % self.n), "wb") as f:
                            f.write(head.encode() + b"".join(body))
                        say(["250 2.0.0 Ok: queued as S%d" % self.n])
                elif verb == "RSET":
                    mail_from, rcpts, spam = None, [], False
                    say(["250 2.0.0 Ok"])
                elif verb == "QUIT":
                    say(["221 2.0.0 Bye"])
                    await writer.drain()
                    break
                else:
                    say(["250 2.0.0 Ok"])
                await writer.drain()
        finally:
            writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    sink = Sink(args.out)
    server = await asyncio.start_server(sink.session, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
