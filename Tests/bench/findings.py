#!/usr/bin/env python3
"""The findings of a JSON report as one digest, and the check that they are the recorded ones.

    findings.py digest REPORT            prints {"findings": N, "controls": N, "sha256": "..."}
    findings.py check NAME REPORT        fails unless REPORT's digest is RECORDED[NAME]

RECORDED is docs/benchmarks/findings.json: for each bench size, the digest of the report of
`lookout scan framework all --from` bigsnapshot.py's twin of that size, recorded with the binary of a
commit named in the file, before the optimisations it guards. Speed work must not change a verdict:
the bench checks every size against it. LOOKOUT_BENCH_RECORD_FINDINGS=1 records REPORT's digest under
NAME instead (for a deliberate change of the controls; say which in the commit).

The digest covers every finding's fingerprint and status, and every control's id, status, resource
counts and compliance score, sorted. Reports of a million findings are read as bytes, not parsed whole.
"""
import hashlib
import json
import os
import re
import sys

RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/benchmarks/findings.json")
FINDING = re.compile(rb'"fingerprint"\s*:\s*"([^"]*)".*?"status"\s*:\s*"([^"]*)"', re.S)
CONTROL_FIELDS = ("id", "status", "allResources", "failedResources", "complianceScore")


def digest(path):
    data = open(path, "rb").read()
    start = data.find(b'"findings"')
    if start < 0:
        raise SystemExit(f"findings.py: {path}: no findings array (not a Lookout JSON report)")
    findings = sorted(b"%s %s" % match.groups() for match in FINDING.finditer(data, start))
    # The controls come before the findings: parse only that head as JSON.
    head = data[:start].rstrip().rstrip(b",") + b"}"
    controls = sorted(" ".join(str(control.get(field)) for field in CONTROL_FIELDS)
                      for control in json.loads(head)["controls"])
    sha = hashlib.sha256(b"\n".join(findings) + b"\n--\n" + "\n".join(controls).encode())
    return {"findings": len(findings), "controls": len(controls), "sha256": sha.hexdigest()}


def check(name, path):
    measured = digest(path)
    recorded = json.load(open(RECORDED))
    if os.environ.get("LOOKOUT_BENCH_RECORD_FINDINGS") == "1":
        recorded["sizes"][name] = measured
        with open(RECORDED, "w") as out:
            json.dump(recorded, out, indent=2, sort_keys=True)
            out.write("\n")
        print(f"findings.py: recorded {name}: {measured}")
        return
    expected = recorded["sizes"].get(name)
    if expected is None:
        # Sizes given as a number of pods (seed.py, BENCH_OFFLINE_PODS) have no record; the default ones do.
        print(f"findings.py: no findings recorded for {name}: not compared ({measured['findings']} findings)")
        return
    if measured != expected:
        raise SystemExit(f"findings.py: the findings of {name} changed: {measured}, recorded {expected} "
                         f"({recorded['recordedWith']}); a speed change must not change a verdict")
    print(f"findings.py: {name}: {measured['findings']} findings and {measured['controls']} controls as recorded")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "digest":
        print(json.dumps(digest(sys.argv[2])))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
