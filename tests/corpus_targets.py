#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare the corpus scorer's JSON summary with recoil's targets and exit
non-zero when one is missed.  usage: corpus_targets.py SCORE.json"""
import json
import sys

TARGETS = [  # (figure in the scorer's overall summary, minimum, name)
    ("recall", 0.97, "recipient recall"),
    ("prec", 0.99, "recipient precision"),
    ("nb-ok", 1.00, "not-bounce left alone"),
    ("hard", 0.97, "hard/soft agreement"),
    ("status", 0.95, "status exact"),
    ("reason", 0.90, "reason"),
]

overall = json.load(open(sys.argv[1]))["overall"]
missed = 0
for key, minimum, name in TARGETS:
    value = overall.get(key)
    verdict = "ok" if value is not None and value >= minimum else "BELOW TARGET"
    if verdict != "ok":
        missed += 1
    shown = "n/a" if value is None else "%.1f%%" % (100 * value)
    print("corpus-check: %-22s %7s  (target %.0f%%)  %s" % (name, shown, 100 * minimum, verdict))
print("corpus-check: %d of %d targets met" % (len(TARGETS) - missed, len(TARGETS)))
sys.exit(1 if missed else 0)
