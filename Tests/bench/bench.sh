#!/usr/bin/env bash
# Tests/bench/bench.sh — how fast and how small Lookout is against a real API server, measured against
# the floor of that same server in the same run. `make bench` runs it.
#
# For each size (BENCH_SIZES, default "S M L"; see seed.py: smoke=100, S=1,000, M=5,000, L=10,000 pods
# with Deployments, ReplicaSets, Services, ConfigMaps, RBAC and NetworkPolicies in proportion) it starts a
# fresh test API server (its controller-manager runs only the ServiceAccount and token controllers, so
# nothing else changes the objects), seeds it in parallel
# through the API, runs one warm-up scan whose LIST requests (read from the API server's audit log) define
# the floor, then BENCH_RUNS rounds (default 3), each measuring in turn:
#   floor    a minimal keep-alive client fetching those same LISTs (Tests/bench/floor.py)
#   scan     lookout scan framework all --format json
#   collect  lookout collect
#   from     lookout scan framework all --from the collected snapshot (no network)
# Medians of wall time, CPU time (user+sys) and peak RSS go to BENCH_OUT/<size>.json (default
# docs/benchmarks/), with the ratio of each command's wall time to the floor's; the table in
# docs/benchmarks.md is regenerated from every JSON file there (when BENCH_OUT is docs/benchmarks).
# The findings of every run of a size must be identical (fingerprints compared), or the bench fails.
#
# BENCH_BIN picks the lookout binary (default: a release build made here).
# `make test` runs BENCH_SIZES=smoke BENCH_RUNS=1 into a temporary folder so the harness cannot rot.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SIZES="${BENCH_SIZES:-S M L}"
RUNS="${BENCH_RUNS:-3}"
OUT="${BENCH_OUT:-$ROOT/docs/benchmarks}"
CLUSTER="$ROOT/Tests/cluster/apiserver.sh"
WORK="$(mktemp -d /tmp/lookout-bench.XXXXXX)"
STATE=""
cleanup() { [ -z "$STATE" ] || bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

bash "$CLUSTER" build
cd "$ROOT"
if [ -z "${BENCH_BIN:-}" ]; then
  log "release build"
  swift build -c release --product lookout --static-swift-stdlib -Xlinker -s >/dev/null
  BENCH_BIN="$(swift build -c release --show-bin-path)/lookout"
fi
log "binary $BENCH_BIN: $(du -h --apparent-size "$BENCH_BIN" | cut -f1)"
mkdir -p "$OUT"

# measure NAME RUN COMMAND…: one timed run, appended to $WORK/times as "name run wall cpu rssKB status".
measure() {
  local name="$1" run="$2"; shift 2
  local status=0
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
  read -r wall user sys rss < <(tail -1 "$WORK/time")
  # The floor's own clock leaves out the interpreter's start-up: a client binary has none to speak of.
  [ "$name" != floor ] || wall="$(cat "$STATE/floor-seconds")"
  echo "$name $run $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $status" >> "$WORK/times"
  # 0 and 1 (a gate failed: the seeded cluster has findings) are normal ends of a scan.
  if [ "$status" -gt 1 ]; then
    log "$name (run $run) exited $status:"; tail -5 "$WORK/$name.err" >&2; exit 1
  fi
}

for size in $SIZES; do
  STATE="$WORK/cluster-$size"
  log "size $size: starting a fresh test API server"
  # A /16 of Service addresses: the harness's /24 holds only 254 Services (the flag given last wins).
  kubeconfig="$(LOOKOUT_REALAPI_CONTROLLERS=serviceaccount,serviceaccount-token LOOKOUT_REALAPI_AUDIT=1 \
    LOOKOUT_REALAPI_EXTRA_ARGS="--service-cluster-ip-range=10.0.0.0/16" bash "$CLUSTER" start "$STATE" | tail -1)"
  [ -n "$kubeconfig" ] || { log "the test API server did not start"; exit 1; }
  seeded="$(python3 "$ROOT/Tests/bench/seed.py" "$STATE" "$size")"
  log "seeded: $seeded"

  "$BENCH_BIN" scan framework all --kubeconfig "$kubeconfig" --format json --output "$WORK/warmup.json" >/dev/null 2>&1 || true
  # Every LIST the warm-up scan made, without its paging parameters: the floor fetches the same.
  python3 - "$STATE/audit.log" > "$WORK/paths" <<'PY'
import json, sys, urllib.parse
paths = set()
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event.get("verb") == "list" and event.get("userAgent", "").startswith("lookout/") and event.get("stage") == "ResponseComplete":
        paths.add(urllib.parse.urlsplit(event["requestURI"]).path)
print("\n".join(sorted(paths)))
PY
  log "the floor fetches $(wc -l < "$WORK/paths") LIST paths"
  [ -s "$WORK/paths" ] || { log "no LIST requests by lookout in the audit log"; exit 1; }

  : > "$WORK/times"
  rm -f "$WORK"/fingerprints.*
  for run in $(seq 1 "$RUNS"); do
    log "size $size, run $run of $RUNS"
    measure floor "$run" python3 "$ROOT/Tests/bench/floor.py" "$STATE" "$WORK/paths"
    measure scan "$run" "$BENCH_BIN" scan framework all --kubeconfig "$kubeconfig" --format json --output "$WORK/scan.json"
    measure collect "$run" "$BENCH_BIN" collect --kubeconfig "$kubeconfig" --output "$WORK/snapshot.json"
    measure from "$run" "$BENCH_BIN" scan framework all --from "$WORK/snapshot.json" --format json --output "$WORK/from.json"
    for report in scan from; do
      python3 -c 'import json,sys; print("\n".join(sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"])))' \
        "$WORK/$report.json" > "$WORK/fingerprints.$report.$run"
    done
  done
  # The same cluster must give the same findings, whether scanned live or from its snapshot.
  for file in "$WORK"/fingerprints.*; do
    cmp -s "$file" "$WORK/fingerprints.scan.1" || { log "findings differ: $file vs fingerprints.scan.1"; exit 1; }
  done

  python3 - "$size" "$seeded" "$WORK/times" "$WORK/scan.json" "$STATE/floor-bytes" "$BENCH_BIN" "$RUNS" \
    > "$OUT/$size.json" <<'PY'
import json, os, statistics, subprocess, sys
size, seeded, times, report, floor_bytes, binary, runs = sys.argv[1:]
rows = [line.split() for line in open(times)]
def median(name, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == name)
commands = {}
for name in ("floor", "scan", "collect", "from"):
    commands[name] = {"wallSeconds": median(name, 2), "cpuSeconds": round(median(name, 3), 2),
                      "peakRSSMB": round(median(name, 4) / 1024, 1)}
floor = commands["floor"]["wallSeconds"]
for name in ("scan", "collect", "from"):
    commands[name]["wallToFloor"] = round(commands[name]["wallSeconds"] / floor, 2) if floor else None
scan = json.load(open(report))
assert scan["summary"]["resources"]["total"] > 0 and scan["findings"], "the scan judged nothing: the seeding or the scan is broken"
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(json.dumps({
    "size": size, "cluster": json.loads(seeded), "runs": int(runs), "medians": commands,
    "floorBytes": int(open(floor_bytes).read()),
    "scan": {"resources": scan["summary"]["resources"]["total"], "failedResources": scan["summary"]["resources"]["failed"],
             "findings": len(scan["findings"]), "controls": scan["summary"]["controls"]["total"]},
    "lookout": {"version": scan["tool"]["version"], "commit": commit, "binaryMB": round(os.path.getsize(binary) / 2**20, 1)},
    "machine": {"cores": os.cpu_count()},
}, indent=2, sort_keys=True))
PY
  log "size $size: $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["medians"]; print(", ".join("%s %s s / %s MB" % (k, v["wallSeconds"], v["peakRSSMB"]) for k, v in m.items()))' "$OUT/$size.json")"
  bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1 || true
  STATE=""
done

if [ "$OUT" = "$ROOT/docs/benchmarks" ]; then
  python3 "$ROOT/Tests/bench/table.py" "$OUT" "$ROOT/docs/benchmarks.md"
  log "docs/benchmarks.md updated"
fi
