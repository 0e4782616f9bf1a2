#!/usr/bin/python3
"""tests/flufl_check.py - recoil parse over the sample bounces that Debian's
python3-flufl.bounce installs (real mail sent back to Mailman lists), scored
against the addresses flufl.bounce's own tests expect from each file.

The samples are not recoil's and are not copied into it: they are read where
the package put them, and the check is skipped when it is not installed.  A
recipient counts as found when recoil reports it either as the recipient or
as the address first written to (original_recipient).  Fails when recall or
precision falls under the given floors.

usage: flufl_check.py RECOIL MIN_RECALL MIN_PRECISION
"""
import ast
import json
import os
import subprocess
import sys

PKG = "/usr/lib/python3/dist-packages/flufl/bounce"


def expected():
    """{file: set of lower-case addresses} from the DATA table of the
    package's test helpers (read as a literal, nothing imported)."""
    tree = ast.parse(open(os.path.join(PKG, "testing", "helpers.py")).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DATA" for t in node.targets):
            want = {}
            for row in ast.literal_eval(node.value):
                want.setdefault(row[1], set()).update(a.decode().lower() for a in row[2])
            return want
    sys.exit("flufl_check: no DATA table in the flufl.bounce test helpers")


def main():
    recoil, min_recall, min_precision = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    data = os.path.join(PKG, "tests", "data")
    if not os.path.isdir(data):
        print("flufl-check: python3-flufl.bounce is not installed; skipped")
        return 0
    want = expected()
    files = sorted(want)
    out = subprocess.run([recoil, "parse"] + [os.path.join(data, f) for f in files],
                         capture_output=True, text=True, check=False).stdout
    got = {}
    for line in out.splitlines():
        result = json.loads(line)
        got[os.path.basename(result["file"])] = set(
            (r.get("original_recipient") or r["recipient"]).lower()
            for r in result["recipients"] if r.get("recipient") and r.get("kind") == "bounce")
    tp = fp = fn = 0
    for f in files:
        w, g = want[f], got.get(f, set())
        tp += len(w & g)
        fp += len(g - w)
        fn += len(w - g)
        if w != g:
            print("  %-18s missed %s extra %s" % (f, sorted(w - g), sorted(g - w)))
    recall = 100.0 * tp / max(1, tp + fn)
    precision = 100.0 * tp / max(1, tp + fp)
    print("flufl-check: %d files, %d addresses expected; found %d, missed %d, extra %d"
          % (len(files), tp + fn, tp, fn, fp))
    print("flufl-check: recall %.1f%% (floor %.0f%%), precision %.1f%% (floor %.0f%%)"
          % (recall, min_recall, precision, min_precision))
    return 0 if recall >= min_recall and precision >= min_precision else 1


if __name__ == "__main__":
    sys.exit(main())
