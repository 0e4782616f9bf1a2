#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A webhook receiver for recoil's tests, verifying as providers/WEBHOOK.md says.

It refuses (401) a request whose X-Recoil-Signature is not "v1=" and the
HMAC-SHA256 of "TIMESTAMP.BODY" under the shared secret, or whose
timestamp is more than 300 s from its clock; a body that is not the
documented JSON object, or whose id is not also its X-Recoil-Id and
Idempotency-Key, is a 400.  Accepted documents are kept by id, with how
often each id arrived.
"""

import hashlib
import hmac
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fakecommon import serve  # noqa: E402

FIELDS = {"version", "id", "action", "scope", "address", "reason", "status", "list", "campaign", "subscriber",
          "decided_at", "attempt"}


class Webhook:
    def __init__(self):
        self.docs = {}
        self.arrivals = {}

    def options(self):
        return [("secret", "0123456789abcdef0123"), ("path", "/hook")]

    def configure(self, args):
        self.args = args

    def seed(self, s):
        pass

    def state(self):
        return {"docs": self.docs, "arrivals": self.arrivals}

    def handle(self, h, method, body):
        if h.path != self.args.path or method != "POST":
            return h.reply(404, {"error": "not found"})
        stamp = h.headers.get("X-Recoil-Timestamp", "")
        sig = h.headers.get("X-Recoil-Signature", "")
        try:
            ts = int(stamp)
        except ValueError:
            return h.reply(401, {"error": "no timestamp"})
        if abs(self.server.now() - ts) > 300:
            return h.reply(401, {"error": "stale timestamp"})
        mac = hmac.new(self.args.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest("v1=" + mac, sig):
            return h.reply(401, {"error": "bad signature"})
        try:
            doc = json.loads(body)
        except ValueError:
            return h.reply(400, {"error": "not JSON"})
        if not isinstance(doc, dict) or set(doc) != FIELDS or doc["version"] != 1:
            return h.reply(400, {"error": "not a version 1 document"})
        if doc["id"] != h.headers.get("X-Recoil-Id"):
            return h.reply(400, {"error": "id and X-Recoil-Id differ"})
        if doc["id"] != h.headers.get("Idempotency-Key"):
            return h.reply(400, {"error": "id and Idempotency-Key differ"})
        self.docs[doc["id"]] = doc
        self.arrivals[doc["id"]] = self.arrivals.get(doc["id"], 0) + 1
        return h.reply(200, {"ok": True})


if __name__ == "__main__":
    serve(Webhook(), "webhook receiver")
