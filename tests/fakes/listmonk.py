#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake listmonk for recoil's tests: the bounce webhook and the subscriber API.

It checks what listmonk checks (protocols.md 6.1): an API user and token,
sent as HTTP Basic or as "Authorization: token user:token"; JSON bodies;
a bounce needs email or subscriber_uuid and a type of hard, soft or
complaint; the subscriber query is an SQL expression (only
subscribers.email='...' with quotes doubled is understood here).  The
bounce webhook answers {"data": true} even for an unknown address, as
listmonk does; the state shows what was recorded.

State (seed with POST /_fake/seed):
  {"subscribers": [{"id": 1, "email": "...", "status": "enabled",
                    "lists": [{"id": 3, "subscription_status": "confirmed"}]}],
   "bounces_enabled": true}
"""

import base64
import json
import re
import sys
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fakecommon import serve  # noqa: E402


def message(h, status, text):
    h.reply(status, {"message": text})


class Listmonk:
    def __init__(self):
        self.subscribers = []
        self.bounces = []
        self.bounces_enabled = True

    def options(self):
        return [("username", "api"), ("token", "tok")]

    def configure(self, args):
        self.args = args

    def seed(self, s):
        if "subscribers" in s:
            self.subscribers = s["subscribers"]
        if "bounces_enabled" in s:
            self.bounces_enabled = s["bounces_enabled"]

    def state(self):
        return {"subscribers": self.subscribers, "bounces": self.bounces}

    def authorized(self, h):
        auth = h.headers.get("Authorization", "")
        want = "%s:%s" % (self.args.username, self.args.token)
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode() == want
            except ValueError:
                return False
        return auth == "token " + want

    def find(self, sid):
        for s in self.subscribers:
            if s["id"] == sid:
                return s
        return None

    def handle(self, h, method, body):
        parts = urlsplit(h.path)
        path = parts.path
        if not self.authorized(h):
            return message(h, 403, "invalid API credentials")
        data = None
        if method in ("POST", "PUT"):
            if not h.headers.get("Content-Type", "").startswith("application/json"):
                return message(h, 400, "invalid JSON / content type")
            try:
                data = json.loads(body)
            except ValueError:
                return message(h, 400, "invalid JSON")
        if path == "/webhooks/bounce" and method == "POST":
            if not self.bounces_enabled:
                return message(h, 503, "bounce processing is not enabled")
            if not data.get("email") and not data.get("subscriber_uuid"):
                return message(h, 400, "invalid email or subscriber_uuid")
            if data.get("type") not in ("hard", "soft", "complaint"):
                return message(h, 400, "invalid bounce type")
            if data.get("campaign_uuid") and not re.fullmatch(r"[0-9a-f-]{36}", data["campaign_uuid"]):
                return message(h, 400, "invalid campaign_uuid")
            if any(s["email"] == data.get("email") for s in self.subscribers):
                self.bounces.append(data)
            return h.reply(200, {"data": True})
        if path == "/api/subscribers" and method == "GET":
            q = parse_qs(parts.query)
            query = q.get("query", [""])[0]
            m = re.fullmatch(r"subscribers\.email='((?:[^']|'')*)'", query)
            if not m:
                return message(h, 400, "error querying subscribers: invalid query")
            email = m.group(1).replace("''", "'")
            res = [s for s in self.subscribers if s["email"].lower() == email.lower()]
            return h.reply(200, {"data": {"results": res, "total": len(res), "per_page": 0, "page": 1}})
        if path == "/api/subscribers/blocklist" and method == "PUT":
            ids = data.get("ids")
            if not isinstance(ids, list) or not ids:
                return message(h, 400, "invalid ID(s)")
            for sid in ids:
                s = self.find(sid)
                if s:
                    s["status"] = "blocklisted"
                    for l in s["lists"]:
                        l["subscription_status"] = "unsubscribed"
            return h.reply(200, {"data": True})
        if path == "/api/subscribers/lists" and method == "PUT":
            if data.get("action") not in ("add", "remove", "unsubscribe"):
                return message(h, 400, "invalid action")
            ids, targets = data.get("ids"), data.get("target_list_ids")
            if not isinstance(ids, list) or not ids or not isinstance(targets, list) or not targets:
                return message(h, 400, "invalid ID(s)")
            for sid in ids:
                s = self.find(sid)
                for l in (s or {}).get("lists", []):
                    if l["id"] in targets:
                        l["subscription_status"] = "unsubscribed"
            return h.reply(200, {"data": True})
        return message(h, 404, "not found")


if __name__ == "__main__":
    serve(Listmonk(), "fake listmonk")
