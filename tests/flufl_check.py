#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tests/flufl_check.py - recoil parse over the sample bounces that Debian's
python3-flufl.bounce installs (real mail sent back to Mailman lists), scored
against the addresses flufl.bounce's own tests expect from each file.

The samples are not recoil's and are not copied into it: they are read where
the package put them, and the check is skipped when it is not installed.  A
recipient counts as found when recoil reports it either as the recipient or
as the address first written to (original_recipient).  The package also
says which mails are only warnings about a temporary failure: those must
come out as "delayed", and no other mail may.  Fails when recall or
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
    """{file: set of lower-case addresses} and {file: temporary} from the
    DATA table of the package's test helpers (read as a literal, nothing
    imported); a row's fourth field says the mail is a warning about a
    temporary failure, not a bounce."""
    tree = ast.parse(open(os.path.join(PKG, "testing", "helpers.py")).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DATA" for t in node.targets):
            want, temporary = {}, {}
            for row in ast.literal_eval(node.value):
                want.setdefault(row[1], set()).update(a.decode().lower() for a in row[2])
                temporary[row[1]] = bool(row[3]) if len(row) > 3 else False
            return want, temporary
    sys.exit("flufl_check: no DATA table in the flufl.bounce test helpers")


def main():
    recoil, min_recall, min_precision = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    data = os.path.join(PKG, "tests", "data")
    if not os.path.isdir(data):
        print("flufl-check: python3-flufl.bounce is not installed; skipped")
        return 0
    want, temporary = expected()
    files = sorted(want)
    out = subprocess.run([recoil, "parse"] + [os.path.join(data, f) for f in files],
                         capture_output=True, text=True, check=False).stdout
    got, kinds = {}, {}
    for line in out.splitlines():
        result = json.loads(line)
        name = os.path.basename(result["file"])
        got[name] = [set(a.lower() for a in (r["recipient"], r.get("original_recipient")) if a)
                     for r in result["recipients"] if r.get("recipient") and r.get("kind") in ("bounce", "delayed")]
        kinds[name] = set(r.get("kind") for r in result["recipients"] if r.get("recipient"))
    tp = fp = fn = 0
    for f in files:
        # a recipient counts as found under either of its names (the one
        # it failed as, or the one first written to)
        w, names = want[f], got.get(f, [])
        found = set(a for a in w if any(a in n for n in names))
        extra = [sorted(n)[0] for n in names if not n & w]
        tp += len(found)
        fp += len(extra)
        fn += len(w - found)
        if found != w or extra:
            print("  %-18s missed %s extra %s" % (f, sorted(w - found), sorted(extra)))
    # warnings: the package marks the mails that are only warnings; recoil
    # must call those "delayed" (never counted) and the others bounces
    warn_ok = sum(1 for f in files if temporary[f] and kinds.get(f) == {"delayed"})
    warn_n = sum(1 for f in files if temporary[f])
    bounce_ok = sum(1 for f in files if not temporary[f] and "delayed" not in kinds.get(f, set()))
    bounce_n = sum(1 for f in files if not temporary[f])
    for f in files:
        if temporary[f] and kinds.get(f) != {"delayed"}:
            print("  %-18s a warning, reported as %s" % (f, sorted(kinds.get(f, set()))))
        elif not temporary[f] and "delayed" in kinds.get(f, set()):
            print("  %-18s a bounce, reported as a warning" % f)
    recall = 100.0 * tp / max(1, tp + fn)
    precision = 100.0 * tp / max(1, tp + fp)
    print("flufl-check: %d files, %d addresses expected; found %d, missed %d, extra %d"
          % (len(files), tp + fn, tp, fn, fp))
    print("flufl-check: recall %.1f%% (floor %.0f%%), precision %.1f%% (floor %.0f%%)"
          % (recall, min_recall, precision, min_precision))
    print("flufl-check: warnings told as delayed %d of %d, bounces never taken for warnings %d of %d"
          % (warn_ok, warn_n, bounce_ok, bounce_n))
    return 0 if (recall >= min_recall and precision >= min_precision and bounce_ok == bounce_n
                 and warn_ok == warn_n) else 1


if __name__ == "__main__":
    sys.exit(main())
