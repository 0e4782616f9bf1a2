#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake MailWizz API (1.x signed requests, or 2.x X-Api-Key) for recoil's tests.

It checks what MailWizz checks (protocols.md 4.2-4.4): the public key, the
X-MW-TIMESTAMP against a 900 s time frame, and X-MW-SIGNATURE recomputed from
the request it received (HMAC-SHA1 over "METHOD URL?query", the query being
PHP's http_build_query of the X-MW values and the body parameters, ksorted);
or the X-Api-Key for 2.x.  Unsubscribe must be a PUT (or carry
X-HTTP-Method-Override: PUT).  Its lists, subscribers and campaign bounces
behave like MailWizz's: a hard bounce blacklists the address, a second
bounce for the same campaign and subscriber is a 422, an unsubscribe of a
subscriber that is not confirmed changes nothing.

State (seed with POST /_fake/seed):
  {"lists": {"LUID": {"SUID": {"email": "...", "status": "confirmed"}}},
   "campaigns": {"CUID": "LUID"},
   "bounces": [{"campaign": "CUID", "subscriber": "SUID", "type": "hard", "message": "..."}]}
"""

import hashlib
import hmac
import json
import sys
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fakecommon import http_build_query, serve  # noqa: E402


def error(h, status, text):
    h.reply(status, {"status": "error", "error": text})


class MailWizz:
    def __init__(self):
        self.lists = {}
        self.campaigns = {}
        self.bounces = []
        self.blacklist = []
        self.unsubscribes = []  # (list, subscriber) actually changed, in order

    def options(self):
        return [("api_version", "1"), ("public_key", "pub"), ("private_key", "priv"),
                ("api_key", "key"), ("base", "/api")]

    def configure(self, args):
        self.args = args

    def seed(self, s):
        if "lists" in s:
            self.lists = s["lists"]
        if "campaigns" in s:
            self.campaigns = s["campaigns"]
        if "bounces" in s:
            self.bounces = s["bounces"]

    def state(self):
        return {"lists": self.lists, "campaigns": self.campaigns, "bounces": self.bounces,
                "blacklist": self.blacklist, "unsubscribes": self.unsubscribes}

    # --- authentication -------------------------------------------------
    def authenticate(self, h, method, path_qs, body):
        a = self.args
        if a.api_version == "2":
            key = h.headers.get("X-Api-Key") or h.headers.get("X-MW-PUBLIC-KEY")
            if key != a.api_key:
                error(h, 400, "Invalid API key. Please make sure you use the right API key.")
                return False
            return True
        pub = h.headers.get("X-MW-PUBLIC-KEY")
        stamp = h.headers.get("X-MW-TIMESTAMP")
        remote = h.headers.get("X-MW-REMOTE-ADDR")
        sig = h.headers.get("X-MW-SIGNATURE")
        if not pub or not stamp or not sig:
            error(h, 400, "Invalid API request params. Please refer to the documentation.")
            return False
        if pub != a.public_key:
            error(h, 400, "Invalid API key. Please make sure you use the right API key.")
            return False
        try:
            ts = int(stamp)
        except ValueError:
            error(h, 400, "Invalid API request params. Please refer to the documentation.")
            return False
        if ts + 900 < self.server.now():
            error(h, 400, "Your request expired. Please check your server time.")
            return False
        # The server rebuilds the URL it believes it serves, GET params ksorted.
        parts = urlsplit(path_qs)
        get = sorted(parse_qsl(parts.query, keep_blank_values=True))
        url = "http://" + h.headers.get("Host", "") + parts.path
        if get:
            url += "?" + http_build_query(get)
        params = {"X-MW-PUBLIC-KEY": pub, "X-MW-TIMESTAMP": stamp, "X-MW-REMOTE-ADDR": remote}
        if method != "GET":
            for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                params[k] = v
        ordered = sorted((k, v) for k, v in params.items() if v is not None)
        sep = "&" if get and "?" in url else "?"
        text = method + " " + url + sep + http_build_query(ordered)
        want = hmac.new(a.private_key.encode(), text.encode(), hashlib.sha1).hexdigest()
        if not hmac.compare_digest(want, sig):
            error(h, 400, "Invalid API request signature. Please refer to the documentation.")
            return False
        return True

    # --- the API --------------------------------------------------------
    def handle(self, h, method, body):
        base = self.args.base.rstrip("/")
        override = h.headers.get("X-HTTP-Method-Override")
        if override:
            method = override.upper()
        if not h.path.startswith(base + "/"):
            return error(h, 404, "Page not found.")
        if not self.authenticate(h, method, h.path, body):
            return
        parts = urlsplit(h.path[len(base):])
        seg = [s for s in parts.path.split("/") if s]
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

        if seg == ["lists", "subscribers", "search-by-email-in-all-lists"] and method == "GET":
            email = query.get("EMAIL", "").lower()
            records = []
            for luid, subs in self.lists.items():
                for suid, s in subs.items():
                    if s["email"].lower() == email:
                        records.append({"subscriber_uid": suid, "email": s["email"], "status": s["status"],
                                        "list": {"list_uid": luid, "name": luid, "display_name": luid}})
            return h.reply(200, {"status": "success", "data": {"records": records[:100], "count": len(records),
                                                               "current_page": 1, "total_pages": 1,
                                                               "next_page": None, "prev_page": None}})
        if len(seg) == 4 and seg[0] == "lists" and seg[2:] == ["subscribers", "search-by-email"]:
            if method != "GET":
                return error(h, 400, "Only GET requests allowed for this endpoint.")
            subs = self.lists.get(seg[1])
            if subs is None:
                return error(h, 404, "The subscribers list does not exist.")
            email = query.get("EMAIL", "").lower()
            for suid, s in subs.items():
                if s["email"].lower() == email:
                    return h.reply(200, {"status": "success", "data": {"subscriber_uid": suid, "status": s["status"],
                                                                       "date_added": "2026-01-01 00:00:00"}})
            return error(h, 404, "The subscriber does not exist in this list.")
        if len(seg) == 5 and seg[0] == "lists" and seg[2] == "subscribers" and seg[4] == "unsubscribe":
            if method != "PUT":
                return error(h, 400, "Only PUT requests allowed for this endpoint.")
            subs = self.lists.get(seg[1])
            if subs is None:
                return error(h, 404, "The subscribers list does not exist.")
            s = subs.get(seg[3])
            if s is None:
                return error(h, 404, "The subscriber does not exist in this list.")
            if s["status"] == "confirmed":
                s["status"] = "unsubscribed"
                self.unsubscribes.append([seg[1], seg[3]])
            return h.reply(200, {"status": "success"})
        if len(seg) == 2 and seg[0] == "campaigns" and method == "GET":
            luid = self.campaigns.get(seg[1])
            if luid is None:
                return error(h, 404, "The campaign does not exist.")
            return h.reply(200, {"status": "success", "data": {"record": {
                "campaign_uid": seg[1], "name": seg[1], "list": {"list_uid": luid, "name": luid}}}})
        if len(seg) == 3 and seg[0] == "campaigns" and seg[2] == "bounces":
            if method != "POST":
                return error(h, 400, "Only POST requests allowed for this endpoint.")
            if seg[1] not in self.campaigns:
                return error(h, 404, "The campaign does not exist.")
            btype = form.get("bounce_type", "internal")
            if btype not in ("hard", "soft", "internal"):
                return error(h, 422, "Invalid bounce type!")
            suid = form.get("subscriber_uid", "")
            found = None
            for luid, subs in self.lists.items():
                if suid in subs:
                    found = subs[suid]
            if found is None:
                return error(h, 404, "The subscriber does not exist.")
            if any(b["campaign"] == seg[1] and b["subscriber"] == suid for b in self.bounces):
                return error(h, 422, "This subscriber has already been marked as bounced!")
            self.bounces.append({"campaign": seg[1], "subscriber": suid, "type": btype,
                                 "message": form.get("message", "")[:250]})
            if btype == "hard":
                found["status"] = "blacklisted"
                self.blacklist.append(found["email"])
            return h.reply(201, {"status": "success", "data": {"record": {
                "message": form.get("message", "")[:250], "processed": "no", "bounce_type": btype,
                "subscriber": {"subscriber_uid": suid, "email": found["email"]}}}})
        return error(h, 404, "Page not found.")


if __name__ == "__main__":
    serve(MailWizz(), "fake MailWizz API")
