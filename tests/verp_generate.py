#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print N generated addresses with ids, one "address|list|campaign|subscriber"
per line, from a fixed seed, for comparing `recoil verp encode` with
verp_reference.py.  The characters are the ones the format must handle:
+ = . - _ digits, upper case, quoted local parts, UTF-8."""
import random
import sys

rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
LOCAL = list("abzAQZ079+=.-_~!#$%&'*/?^`{}") + ["\u00e9", "\u00fc", "\u20ac"]
DOMAIN = list("abkz09") + ["\u00fc", "\u00e9"]
IDS = list("afz059AZ-_.=+~")


def text(alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


for _ in range(int(sys.argv[1])):
    if rng.random() < 0.2:
        local = '"' + text(LOCAL + [" ", "@", ",", "\\\\"], 1, 12) + '"'
    else:
        local = text(LOCAL, 1, 20)
    domain = "d" + text(DOMAIN, 1, 8) + "x." + rng.choice(["example.com", "Example.ORG", "test"])
    ids = [text(IDS, 1, 10) if rng.random() < 0.4 else "" for _ in range(3)]
    print("|".join([local + "@" + domain] + ids))
