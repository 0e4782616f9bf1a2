#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake Interspire Email Marketer XML API (xml.php) for recoil's tests.

It checks what xml.php checks (protocols.md 5.1-5.2): a well-formed
<xmlrequest> with username, usertoken, requesttype, requestmethod and a
non-empty details element; the user and token; the method.  GetLists
returns 10 lists a page unless perpage is "all"; GetAllListsForEmailAddress
returns only active memberships of the lists asked about; UnsubscribeSubscriber
fails for an address that is not subscribed; BounceSubscriber marks the
membership bounced.

State (seed with POST /_fake/seed):
  {"lists": {"ID": {"EMAIL": {"subscriberid": "N", "unsubscribed": 0, "bounced": 0}}}}
"""

import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fakecommon import serve  # noqa: E402


def answer(h, ok, data="", message=""):
    if ok:
        text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><status>SUCCESS</status><data>%s</data></response>" % data
    else:
        text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><status>FAILED</status><errormessage>%s</errormessage></response>" % escape(message)
    h.reply(200, text, "text/xml")


class Interspire:
    def __init__(self):
        self.lists = {}
        self.calls = []

    def options(self):
        return [("username", "admin"), ("token", "tok"), ("path", "/iem/xml.php")]

    def configure(self, args):
        self.args = args

    def seed(self, s):
        if "lists" in s:
            self.lists = s["lists"]

    def state(self):
        return {"lists": self.lists, "calls": self.calls}

    def handle(self, h, method, body):
        if h.path.split("?")[0] != self.args.path:
            return h.reply(404, "<html>Not Found</html>", "text/html")
        if method != "POST":
            return h.reply(200, "", "text/html")  # xml.php answers nothing to a GET
        if body.startswith(b"xml="):
            body = parse_qs(body.decode())["xml"][0].encode()
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return answer(h, False, message="The XML format you have sent is invalid. Please check it and try again.")
        fields = {}
        for name in ("username", "usertoken", "requesttype", "requestmethod", "details"):
            el = root.find(name)
            if root.tag != "xmlrequest" or el is None or (name != "details" and not (el.text or "").strip()):
                return answer(h, False, message="The XML format you have sent is invalid. The following field is required: " + name)
            fields[name] = el
        details = fields["details"]
        if len(details) == 0 and not (details.text or "").strip():
            return answer(h, False, message="The XML format you have sent is invalid. The following field is required: details")
        if fields["username"].text != self.args.username or fields["usertoken"].text != self.args.token:
            return answer(h, False, message="Unable to check user details.")
        d = {c.tag: (c.text or "") for c in details}
        rtype, rmethod = fields["requesttype"].text, fields["requestmethod"].text
        self.calls.append([rtype, rmethod, d])
        if rtype == "lists" and rmethod == "GetLists":
            ids = sorted(self.lists, key=lambda x: int(x) if x.isdigit() else x)
            if d.get("perpage") != "all":
                start = int(d.get("start") or 0)
                ids = ids[start:start + 10]
            items = "".join("<item><listid>%s</listid><name>list %s</name></item>" % (escape(i), escape(i)) for i in ids)
            return answer(h, True, items)
        if rtype != "subscribers":
            return answer(h, False, message="Invalid request type")
        if rmethod == "GetAllListsForEmailAddress":
            email = d.get("email", "").lower()
            wanted = [x for x in d.get("listids", "").split(",") if x]
            items = ""
            for lid in wanted:
                m = self.lists.get(lid, {}).get(email)
                if m and not m["unsubscribed"] and not m["bounced"]:
                    items += "<item><subscriberid>%s</subscriberid><listid>%s</listid></item>" % (escape(m["subscriberid"]), escape(lid))
            if not items:
                return answer(h, False, message="")
            return answer(h, True, items)
        if rmethod in ("UnsubscribeSubscriber", "BounceSubscriber"):
            email = d.get("emailaddress", "").lower()
            lid = d.get("listid", "")
            if not email or not lid:
                return answer(h, False, message="No List or email address")
            m = self.lists.get(lid, {}).get(email)
            if m is None:
                return answer(h, False, message="Email address %s is not subscribed to list %s" % (email, lid))
            if rmethod == "UnsubscribeSubscriber":
                if m["unsubscribed"]:
                    return answer(h, False, message="Email address %s is not subscribed to list %s" % (email, lid))
                m["unsubscribed"] = 1
            else:
                m["bounced"] = int(d.get("bouncetime") or 1)
            return answer(h, True, "1")
        return answer(h, False, message="Unknown method " + rmethod)


if __name__ == "__main__":
    serve(Interspire(), "fake Interspire XML API")
