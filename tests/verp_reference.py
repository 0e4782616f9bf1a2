#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reference encoder for recoil's signed addresses, written from
verp/FORMAT.md alone (standard library only), so that the C code and the
document are checked against each other.

usage: verp_reference.py SECRET DAY KIND ADDRESS [LIST [CAMPAIGN [SUBSCRIBER]]]
prints the local part.
"""
import hashlib
import hmac
import sys

B32 = "abcdefghijklmnopqrstuvwxyz234567"


def b32bits(value, nchars):
    return "".join(B32[(value >> (5 * (nchars - 1 - i))) & 31] for i in range(nchars))


def esc(byte):
    return "~%02x" % byte


def escape_local(local):
    out, mask, last_dot = [], [], False
    for b in local.encode("utf-8"):
        c = chr(b)
        if "A" <= c <= "Z" or "a" <= c <= "z":
            mask.append(c.isupper())
            out.append(c.lower())
            last_dot = False
        elif c.isdigit() or c in "-_+=":
            out.append(c)
            last_dot = False
        elif c == "." and not last_dot:
            out.append(".")
            last_dot = True
        else:
            out.append(esc(b))
            last_dot = False
    return "".join(out), mask


def escape_plain(text, raw_dot):
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if ("a" <= c <= "z") or c.isdigit() and b < 128 or c == "_" or (raw_dot and c in ".-"):
            out.append(c)
        else:
            out.append(esc(b))
    return "".join(out)


def case_mask(mask):
    groups = []
    for g in range(0, len(mask), 5):
        v = sum(1 << t for t, up in enumerate(mask[g:g + 5]) if up)
        groups.append(v)
    while groups and groups[-1] == 0:
        groups.pop()
    return "".join(B32[v] for v in groups)


def domain_ascii(domain):
    if domain.startswith("[") and domain.endswith("]"):
        return domain.lower()
    return domain.encode("idna").decode("ascii").lower().rstrip(".")


def encode(secret, day, kind, address, ids):
    local, domain = address.rsplit("@", 1)
    domain = domain_ascii(domain)
    msg = b"\0".join(x.encode("utf-8") for x in
                     ["recoil1", kind, str(day), local, domain] + [i or "" for i in ids])
    digest = hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).digest()
    tag = b32bits(int.from_bytes(digest[:5], "big"), 8)
    out = kind + "1" + b32bits(day, 4) + tag
    for key, value in zip("lcs", ids):
        if value:
            out += "." + key + escape_plain(value, False)
    esc_local, mask = escape_local(local)
    m = case_mask(mask)
    if m:
        out += ".k" + m
    return out + "-" + esc_local + "=" + escape_plain(domain, True)


if __name__ == "__main__":
    secret, day, kind, address = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ids = (sys.argv[5:8] + [None, None, None])[:3]
    print(encode(secret, day, kind, address, ids))
