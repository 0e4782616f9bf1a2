#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Talk to a fake's control interface (tests/fakes/fakecommon.py).

  ctl.py PORT state [EXPR]    the state, or EXPR evaluated with it as `s`
  ctl.py PORT log [EXPR]      the request log, or EXPR over it as `s`
  ctl.py PORT seed|script|mode JSON
PORT may be written https:PORT for a fake serving TLS (--tls-cert); its
certificate is not checked here.
"""

import json
import ssl
import sys
import urllib.request


def call(port, what, body=None):
    scheme, context = "http", None
    if port.startswith("https:"):
        scheme, port = "https", port[6:]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request("%s://127.0.0.1:%s/_fake/%s" % (scheme, port, what),
                                 data=body.encode() if body is not None else None,
                                 method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=10, context=context) as r:
        return json.loads(r.read())


def main():
    port, what = sys.argv[1], sys.argv[2]
    if what in ("state", "log"):
        s = call(port, what)
        if len(sys.argv) > 3:
            s = eval(sys.argv[3], {"s": s, "len": len, "sum": sum, "sorted": sorted})
        print(s if isinstance(s, str) else json.dumps(s, sort_keys=True))
    else:
        call(port, what, sys.argv[3])


if __name__ == "__main__":
    main()
