#!/usr/bin/env bash
# Tests/bench/bench.sh — how fast and how small Lookout is against a real API server, measured against
# the floor of that same server in the same run. `make bench` runs it.
#
# For each size (BENCH_SIZES, default "S M L"; see seed.py: smoke=100, S=1,000, M=5,000, L=10,000 pods
# with Deployments, ReplicaSets, Services, ConfigMaps, RBAC and NetworkPolicies in proportion) it starts a
# test API server (its controller-manager runs only the ServiceAccount and token controllers, so nothing
# else changes the objects) on that size's seeded etcd, runs one warm-up scan whose LIST requests (read
# from the API server's audit log) define the floors, then BENCH_RUNS rounds (default 3), each measuring
# in turn:
#   floor    a minimal keep-alive client fetching those same LISTs (Tests/bench/floor.py): the floor
#   curl     issue 10's looser floor: one curl per page, 4 LISTs at once (Tests/bench/curlfloor.sh)
#   scan     lookout scan framework all --format json
#   collect  lookout collect
#   from     lookout scan framework all --from the collected snapshot (no network)
# Medians of wall time, CPU time (user+sys), peak RSS and the CPU time the API server and etcd spent
# during the command (/proc/PID/stat before and after) go to BENCH_OUT/<size>.json (default
# docs/benchmarks/), with each command's wall time as a ratio to both floors and its CPU bound: (its CPU +
# the server's) / cores, the least wall time that work fits in on this machine. The table in
# docs/benchmarks.md is regenerated from every JSON file there (when BENCH_OUT is docs/benchmarks).
# The findings of every run of a size must be identical (fingerprints compared), and those of the size's
# bigsnapshot.py twin the ones recorded before the optimisations (Tests/bench/findings.py), or the bench fails.
#
# The seeded etcd: the first time, a fresh server is seeded in parallel through the API (seed.py), scanned,
# and stopped, and what a restart needs (etcd's data, the PKI whose keys signed the certificates and
# ServiceAccount tokens in it, the env: apiserver.sh save) is kept in BENCH_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/lookout-bench/<size>-<key>, one entry a size), the key a hash of the size,
# seed.py, bigsnapshot.py, apiserver.sh (the kube-apiserver version and flags), etcd's version and the
# server settings. Every size is then measured on a server started on a copy of that entry
# (LOOKOUT_REALAPI_FROM), seeded by this run or an earlier one: the log and the results ("reused") say
# which. A run that seeded also fails unless the restarted server's findings are the seeded one's.
# BENCH_FRESH=1 seeds every size again (and replaces its entry).
#
# Beyond the test server, two more steps (BENCH_RUNS rounds each, medians):
#   offline  BENCH_OFFLINE_PODS pods (default 100000; 0 skips it) in a snapshot written by
#            Tests/bench/bigsnapshot.py (seed.py's objects, no API server), audited with
#            lookout scan framework all --from: BENCH_OUT/offline-<N>.json
#   nodes    BENCH_NODES Nodes (default 1000; 0 skips it) registered on a fresh test API server, their
#            kubelets BENCH_KUBELETS fake kubelets (Tests/cluster/fake-kubelet.py, default 4) behind its node
#            proxy; lookout collect timed with and without them, the floor (floor.py reading every node's
#            configz as many at once as Lookout may), and the most node-proxy requests the API server had
#            in flight at once (its audit log): BENCH_OUT/nodes-<N>.json
#
# BENCH_BIN picks the lookout binary (default: a release build made here). BENCH_SIZES="" runs only the
# steps beyond the test server.
# `make test` runs BENCH_SIZES=smoke BENCH_RUNS=1 BENCH_OFFLINE_PODS=0 BENCH_NODES=20 into a temporary
# folder, with an empty BENCH_CACHE of its own, so the harness cannot rot.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SIZES="${BENCH_SIZES-S M L}"
RUNS="${BENCH_RUNS:-3}"
OFFLINE_PODS="${BENCH_OFFLINE_PODS:-100000}"
NODES="${BENCH_NODES:-1000}"
KUBELETS="${BENCH_KUBELETS:-4}"
OUT="${BENCH_OUT:-$ROOT/docs/benchmarks}"
CLUSTER="$ROOT/Tests/cluster/apiserver.sh"
CACHE="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lookout-bench}"
FRESH="${BENCH_FRESH:-0}"
WORK="$(mktemp -d /tmp/lookout-bench.XXXXXX)"
STATE=""
INCOMING=""
KUBELET_PIDS=()
cleanup() {
  for pid in "${KUBELET_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -z "$STATE" ] || bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1 || true
  [ -z "$INCOMING" ] || rm -rf "$INCOMING"
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

bash "$CLUSTER" build
cd "$ROOT"
# Whether the binary is this work tree's own build: a given BENCH_BIN may be any commit's.
BUILT_HERE=0
if [ -z "${BENCH_BIN:-}" ]; then
  BUILT_HERE=1
  log "release build"
  swift build -c release --product lookout --static-swift-stdlib -Xlinker -s >/dev/null
  BENCH_BIN="$(swift build -c release --show-bin-path)/lookout"
fi
log "binary $BENCH_BIN: $(du -h --apparent-size "$BENCH_BIN" | cut -f1)"
mkdir -p "$OUT"

# The test API server's processes (kube-apiserver and etcd) whose CPU time measure() records.
SERVER_PIDS=()
TICKS="$(getconf CLK_TCK)"
# server_ticks: the clock ticks (utime + stime, /proc/PID/stat) the server's processes have spent so far.
server_ticks() {
  local pid stat total=0
  for pid in "${SERVER_PIDS[@]}"; do
    read -r stat < "/proc/$pid/stat" || { log "the test API server's process $pid is gone"; exit 1; }
    # The fields after the command name, which may hold spaces: utime and stime are its 12th and 13th.
    read -r -a stat <<< "${stat##*) }"
    total=$((total + stat[11] + stat[12]))
  done
  echo "$total"
}

# measure NAME RUN COMMAND…: one timed run, appended to $WORK/times as "name run wall cpu rssKB status
# load1 serverCPU", load1 being the machine's 1-minute load average as the run started (other work on the
# cores) and serverCPU the CPU seconds the test API server and etcd spent while the command ran.
measure() {
  local name="$1" run="$2"; shift 2
  local status=0 load before cpu
  read -r load _ < /proc/loadavg
  before="$(server_ticks)"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
  local server=$(( $(server_ticks) - before ))
  read -r wall user sys rss < <(tail -1 "$WORK/time")
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
  # The floor's own clocks leave out the interpreter's start-up: a client binary has none to speak of.
  if [ "$name" = floor ]; then wall="$(cat "$STATE/floor-seconds")"; cpu="$(cat "$STATE/floor-cpu-seconds")"; fi
  echo "$name $run $wall $cpu $rss $status $load $(awk -v t="$server" -v hz="$TICKS" 'BEGIN { print t / hz }')" >> "$WORK/times"
  # 0 and 1 (a gate failed: the seeded cluster has findings) are normal ends of a scan.
  if [ "$status" -gt 1 ]; then
    log "$name (run $run) exited $status:"; tail -5 "$WORK/$name.err" >&2; exit 1
  fi
}

# medians NAME: the medians of NAME's runs in $WORK/times (wall, CPU, peak RSS, the server's CPU), as JSON.
medians() {
  python3 - "$WORK/times" "$1" <<'PY'
import json, statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.split()[0] == sys.argv[2]]
def median(column):
    return statistics.median(float(r[column]) for r in rows)
print(json.dumps({"wallSeconds": median(2), "cpuSeconds": round(median(3), 2), "peakRSSMB": round(median(4) / 1024, 1),
                  "serverCPUSeconds": round(median(7), 2)}))
PY
}
# The tool, commit and machine every result names, and the load the runs of $WORK/times met. The
# commit is the work tree's; "dirty" says its tracked files differ from it (results aside), and
# "builtHere" whether the binary was built from them by this run rather than given as BENCH_BIN.
provenance() {
  python3 - "$BENCH_BIN" "$("$BENCH_BIN" version 2>/dev/null | head -1)" "$BUILT_HERE" "$WORK/times" <<'PY'
import json, os, subprocess, sys
binary, version, built_here, times = sys.argv[1:]
def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()
commit = git("rev-parse", "--short", "HEAD")
dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks", ":!docs/benchmarks.md"))
loads = [float(line.split()[6]) for line in open(times)]
print(json.dumps({"lookout": {"version": version.split()[-1] if version else None, "commit": commit, "dirty": dirty,
                              "builtHere": built_here == "1", "binaryMB": round(os.path.getsize(binary) / 2**20, 1)},
                  "machine": {"cores": os.cpu_count(), "load1": {"min": min(loads), "max": max(loads)}}}))
PY
}

# fingerprints REPORT: a JSON report's findings' fingerprints, sorted, one a line.
fingerprints() {
  python3 -c 'import json,sys; print("\n".join(sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"])))' "$1"
}

# The sizes' servers: the ServiceAccount and token controllers only (nothing else changes the objects),
# and a /16 of Service addresses (the harness's /24 holds only 254 Services; the flag given last wins).
SIZE_CONTROLLERS=serviceaccount,serviceaccount-token
SIZE_APISERVER_ARGS="--service-cluster-ip-range=10.0.0.0/16"
# start_size_server [SAVED_DIR]: starts the test API server in $STATE, empty or on a copy of SAVED_DIR
# (apiserver.sh save), with its audit log; prints the kubeconfig path.
start_size_server() {
  LOOKOUT_REALAPI_FROM="${1:-}" LOOKOUT_REALAPI_CONTROLLERS="$SIZE_CONTROLLERS" LOOKOUT_REALAPI_AUDIT=1 \
    LOOKOUT_REALAPI_EXTRA_ARGS="$SIZE_APISERVER_ARGS" bash "$CLUSTER" start "$STATE" | tail -1
}
# cache_entry SIZE: where the seeded etcd of SIZE is kept, named by everything that decides its content:
# the objects (seed.py, and bigsnapshot.py, whose twin the live scan is held to), the server (apiserver.sh
# names the kube-apiserver version and its flags; etcd's version; the settings above).
cache_entry() {
  local key
  key="$({ echo "$1"; cat "$ROOT/Tests/bench/seed.py" "$ROOT/Tests/bench/bigsnapshot.py" "$CLUSTER"
           etcd --version; echo "$SIZE_CONTROLLERS $SIZE_APISERVER_ARGS"; } | sha256sum | cut -c1-16)"
  echo "$CACHE/$1-$key"
}

mkdir -p "$CACHE"
for size in $SIZES; do
  STATE="$WORK/cluster-$size"
  rm -f "$WORK"/fingerprints.*
  entry="$(cache_entry "$size")"
  reused=0
  if [ "$FRESH" != 1 ] && [ -f "$entry/seeded.json" ]; then
    reused=1
    seeded="$(cat "$entry/seeded.json")"
    log "size $size: etcd from the cache, not seeded by this run (BENCH_FRESH=1 seeds): $entry, seeded $(date -r "$entry/seeded.json" '+%F %T'): $seeded"
  else
    log "size $size: seeding a fresh test API server ($([ "$FRESH" = 1 ] && echo BENCH_FRESH=1 || echo "nothing in the cache for it"))"
    kubeconfig="$(start_size_server)"
    [ -n "$kubeconfig" ] || { log "the test API server did not start"; exit 1; }
    seeded="$(python3 "$ROOT/Tests/bench/seed.py" "$STATE" "$size")"
    log "seeded: $seeded"
    # The seeded server's findings, which the server restarted from the cache must give as well.
    "$BENCH_BIN" scan framework all --kubeconfig "$kubeconfig" --format json --output "$WORK/seeded.json" >/dev/null 2>&1 || [ $? -le 1 ]
    fingerprints "$WORK/seeded.json" > "$WORK/fingerprints.seeded"
    INCOMING="$CACHE/.incoming-$size-$$"
    bash "$CLUSTER" save "$STATE" "$INCOMING"
    echo "$seeded" > "$INCOMING/seeded.json"
    # One entry a size: this one replaces any other, under the lock a reader holds while it copies.
    flock "$CACHE/.lock" sh -c 'rm -rf "$1"/"$2"-*; mv -T "$3" "$4"' _ "$CACHE" "$size" "$INCOMING" "$entry"
    INCOMING=""
    log "size $size: seeded etcd kept in $entry ($(du -sh "$entry" | cut -f1))"
  fi
  started="$(date +%s.%N)"
  log "size $size: starting the test API server on a copy of $entry"
  # Copied under the lock (a run seeding this size replaces the entry), not started on in place: the
  # servers would inherit the lock.
  flock -s "$CACHE/.lock" cp -a "$entry" "$WORK/saved-$size"
  kubeconfig="$(start_size_server "$WORK/saved-$size")"
  [ -n "$kubeconfig" ] || { log "the test API server did not start from $entry"; exit 1; }
  rm -rf "$WORK/saved-$size"
  # "seconds" is the seeding's, "startSeconds" the copy and start that replace it when "reused".
  seeded="$(python3 -c 'import json, sys, time; print(json.dumps({**json.loads(sys.argv[1]), "reused": sys.argv[2] == "1",
                                                                  "startSeconds": round(time.time() - float(sys.argv[3]), 1)}))' \
    "$seeded" "$reused" "$started")"
  log "size $size: server ready on the seeded etcd ($([ "$reused" = 1 ] && echo "from the cache" || echo "seeded by this run")): $seeded"
  SERVER_PIDS=("$(cat "$STATE/apiserver.pid")" "$(cat "$STATE/etcd.pid")")

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
  for run in $(seq 1 "$RUNS"); do
    log "size $size, run $run of $RUNS"
    measure floor "$run" python3 "$ROOT/Tests/bench/floor.py" "$STATE" "$WORK/paths"
    measure curl "$run" bash "$ROOT/Tests/bench/curlfloor.sh" "$STATE" "$WORK/paths"
    measure scan "$run" "$BENCH_BIN" scan framework all --kubeconfig "$kubeconfig" --format json --output "$WORK/scan.json"
    measure collect "$run" "$BENCH_BIN" collect --kubeconfig "$kubeconfig" --output "$WORK/snapshot.json"
    measure from "$run" "$BENCH_BIN" scan framework all --from "$WORK/snapshot.json" --format json --output "$WORK/from.json"
    for report in scan from; do fingerprints "$WORK/$report.json" > "$WORK/fingerprints.$report.$run"; done
  done
  # The same cluster must give the same findings, whether scanned live or from its snapshot, and (when
  # this run seeded it) as seeded or restarted from the cache.
  for file in "$WORK"/fingerprints.*; do
    cmp -s "$file" "$WORK/fingerprints.scan.1" || { log "findings differ: $file vs fingerprints.scan.1"; exit 1; }
  done
  # Both floors fetched every page of every LIST: as many requests each in the audit log (user agents
  # bench-floor and bench-curlfloor).
  python3 - "$STATE/audit.log" <<'PY'
import collections, json, sys
pages = collections.Counter(event.get("userAgent") for event in map(json.loads, open(sys.argv[1]))
                            if event.get("stage") == "ResponseComplete" and event.get("verb") == "list")
assert pages["bench-floor"] and pages["bench-floor"] == pages["bench-curlfloor"], \
    f"the floors made different LIST requests: floor.py {pages['bench-floor']}, curlfloor.sh {pages['bench-curlfloor']}"
PY

  # bigsnapshot.py's twin of this cluster (the offline step's generator) must judge the seeded objects
  # as the live scan did; it lacks only what the API server adds itself (system roles and bindings).
  python3 "$ROOT/Tests/bench/bigsnapshot.py" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pods"])' "$seeded")" "$WORK/twin.json" >/dev/null
  "$BENCH_BIN" scan framework all --from "$WORK/twin.json" --format json --output "$WORK/twin-report.json" >/dev/null 2>&1 || [ $? -le 1 ]
  python3 - "$WORK/scan.json" "$WORK/twin-report.json" <<'PY'
import json, sys
def seeded(report):
    return sorted((f["fingerprint"], f["status"]) for f in json.load(open(report))["findings"]
                  if (f["resource"].get("namespace") or f["resource"]["name"]).startswith("bench-"))
live, twin = map(seeded, sys.argv[1:])
assert live and live == twin, f"bigsnapshot.py's twin differs from the live cluster: {len(set(live) ^ set(twin))} findings ({len(live)} live, {len(twin)} twin)"
PY
  log "size $size: bigsnapshot.py's twin has the live scan's findings"
  # ... and the findings recorded before the optimisations (docs/benchmarks/findings.json).
  recorded="$(python3 "$ROOT/Tests/bench/findings.py" check "$size" "$WORK/twin-report.json")" || exit 1
  log "$recorded"

  python3 - "$size" "$seeded" "$WORK/times" "$WORK/scan.json" "$STATE/floor-bytes" "$(provenance)" "$RUNS" \
    "$(sha256sum < "$WORK/fingerprints.scan.1" | cut -d' ' -f1)" > "$OUT/$size.json" <<'PY'
import json, os, statistics, sys
size, seeded, times, report, floor_bytes, provenance, runs, fingerprints = sys.argv[1:]
rows = [line.split() for line in open(times)]
cores = os.cpu_count()
def median(name, value):
    return statistics.median(value(r) for r in rows if r[0] == name)
commands = {}
for name in ("floor", "curl", "scan", "collect", "from"):
    commands[name] = {"wallSeconds": median(name, lambda r: float(r[2])), "cpuSeconds": round(median(name, lambda r: float(r[3])), 2),
                      "peakRSSMB": round(median(name, lambda r: float(r[4])) / 1024, 1),
                      "serverCPUSeconds": round(median(name, lambda r: float(r[7])), 2),
                      # The least wall time the run's CPU work (its own and the server's) fits in on these cores.
                      "cpuBoundSeconds": round(median(name, lambda r: (float(r[3]) + float(r[7])) / cores), 2)}
floor, curl = commands["floor"]["wallSeconds"], commands["curl"]["wallSeconds"]
for name, m in commands.items():
    m["wallToFloor"] = round(m["wallSeconds"] / floor, 2) if floor else None
    m["wallToCurlFloor"] = round(m["wallSeconds"] / curl, 2) if curl else None
    m["cpuBoundToFloor"] = round(m["cpuBoundSeconds"] / floor, 2) if floor else None
scan = json.load(open(report))
assert scan["summary"]["resources"]["total"] > 0 and scan["findings"], "the scan judged nothing: the seeding or the scan is broken"
assert commands["scan"]["serverCPUSeconds"] > 0, "no server CPU time recorded during the scans: the wrong processes are watched"
print(json.dumps({
    "size": size, "cluster": json.loads(seeded), "runs": int(runs), "medians": commands,
    "floorBytes": int(open(floor_bytes).read()),
    "scan": {"resources": scan["summary"]["resources"]["total"], "failedResources": scan["summary"]["resources"]["failed"],
             "findings": len(scan["findings"]), "controls": scan["summary"]["controls"]["total"],
             # Two runs found the same when these match (sha256sum of the sorted fingerprints, one a line).
             "fingerprintsSHA256": fingerprints},
    **json.loads(provenance),
}, indent=2, sort_keys=True))
PY
  python3 - "$OUT/$size.json" <<'PY' >&2
import json, sys
result = json.load(open(sys.argv[1]))
print(f"[bench] size {result['size']} (medians; CPU bound = (client CPU + server CPU) / {result['machine']['cores']} cores):")
for name in ("floor", "curl", "scan", "collect", "from"):
    m = result["medians"][name]
    print(f"[bench]   {name:8} {m['wallSeconds']:6.2f} s wall = {m['wallToFloor']:.2f} x floor, {m['wallToCurlFloor']:.2f} x curl floor; "
          f"CPU {m['cpuSeconds']:.2f} s + server {m['serverCPUSeconds']:.2f} s -> CPU bound {m['cpuBoundSeconds']:.2f} s "
          f"({m['cpuBoundToFloor']:.2f} x floor); {m['peakRSSMB']:.0f} MB")
PY
  bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1 || true
  STATE=""
  SERVER_PIDS=()
done

if [ "$OFFLINE_PODS" -gt 0 ]; then
  log "offline: a snapshot of $OFFLINE_PODS pods (Tests/bench/bigsnapshot.py)"
  generated="$(python3 "$ROOT/Tests/bench/bigsnapshot.py" "$OFFLINE_PODS" "$WORK/big.json")"
  log "generated: $generated"
  : > "$WORK/times"
  for run in $(seq 1 "$RUNS"); do
    log "offline, run $run of $RUNS"
    measure offline "$run" "$BENCH_BIN" scan framework all --from "$WORK/big.json" --format json --output "$WORK/offline.json"
    # A report of a million findings is read as bytes: json.load would need gigabytes.
    python3 -c 'import hashlib, re, sys
found = sorted(re.findall(rb"\"fingerprint\"\s*:\s*\"([^\"]*)\"", open(sys.argv[1], "rb").read()))
print(len(found), hashlib.sha256(b"\n".join(found)).hexdigest())' \
      "$WORK/offline.json" > "$WORK/fingerprints.offline.$run"
    cmp -s "$WORK/fingerprints.offline.$run" "$WORK/fingerprints.offline.1" || { log "offline findings differ between runs 1 and $run"; exit 1; }
  done
  read -r findings _ < "$WORK/fingerprints.offline.1"
  recorded="$(python3 "$ROOT/Tests/bench/findings.py" check "offline-$OFFLINE_PODS" "$WORK/offline.json")" || exit 1
  log "$recorded"
  [ "$findings" -gt 0 ] || { log "the offline scan judged nothing: the snapshot or the scan is broken"; exit 1; }
  python3 - "$generated" "$(medians offline)" "$(provenance)" "$findings" "$RUNS" "$(stat -c %s "$WORK/offline.json")" \
    > "$OUT/offline-$OFFLINE_PODS.json" <<'PY'
import json, sys
generated, median, provenance, findings, runs, report_bytes = sys.argv[1:]
print(json.dumps({"step": "offline", "snapshot": json.loads(generated), "runs": int(runs), "median": json.loads(median),
                  "bounds": {"wallSeconds": 10, "peakRSSMB": 1024}, "findings": int(findings),
                  "reportMB": round(int(report_bytes) / 2**20, 1), **json.loads(provenance)}, indent=2, sort_keys=True))
PY
  log "offline: $(cat "$OUT/offline-$OFFLINE_PODS.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["median"])')"
fi

if [ "$NODES" -gt 0 ]; then
  STATE="$WORK/cluster-nodes"
  log "nodes: starting a fresh test API server"
  kubeconfig="$(LOOKOUT_REALAPI_CONTROLLERS=serviceaccount,serviceaccount-token LOOKOUT_REALAPI_AUDIT=1 bash "$CLUSTER" start "$STATE" | tail -1)"
  [ -n "$kubeconfig" ] || { log "the test API server did not start"; exit 1; }
  SERVER_PIDS=("$(cat "$STATE/apiserver.pid")" "$(cat "$STATE/etcd.pid")")
  : > "$WORK/times"
  # The cluster without Nodes: what the rest of a collection costs on this server.
  for run in $(seq 1 "$RUNS"); do
    measure empty "$run" "$BENCH_BIN" collect --kubeconfig "$kubeconfig" --output "$WORK/empty.json"
  done
  ports=()
  for k in $(seq 1 "$KUBELETS"); do
    python3 "$ROOT/Tests/cluster/fake-kubelet.py" --profile insecure > "$WORK/kubelet-$k.port" 2> "$WORK/kubelet-$k.log" &
    KUBELET_PIDS+=("$!")
  done
  for k in $(seq 1 "$KUBELETS"); do
    for _ in $(seq 1 100); do [ -s "$WORK/kubelet-$k.port" ] && break; sleep 0.1; done
    ports+=("$(head -1 "$WORK/kubelet-$k.port")")
  done
  [ "${#ports[@]}" -eq "$KUBELETS" ] && [ -n "${ports[-1]}" ] || { log "a fake kubelet did not start"; exit 1; }
  registered="$(python3 "$ROOT/Tests/bench/nodes.py" "$STATE" "$NODES" "$(IFS=,; echo "${ports[*]}")")"
  log "registered: $registered"
  # The floor of the node proxy: a minimal client reading every node's configz, as many at once as Lookout may.
  bound="$(sed -n 's/.*maxRequestsInFlight: Int = \([0-9]*\).*/\1/p' "$ROOT/Sources/Inventory/KubeletConfigCollector.swift")"
  python3 -c 'import sys; print("\n".join(f"/api/v1/nodes/bench-node-{i:05d}/proxy/configz" for i in range(int(sys.argv[1]))))' "$NODES" > "$WORK/node-paths"
  for run in $(seq 1 "$RUNS"); do
    log "nodes, run $run of $RUNS"
    measure floor "$run" python3 "$ROOT/Tests/bench/floor.py" "$STATE" "$WORK/node-paths" "$bound"
    measure nodes "$run" "$BENCH_BIN" collect --kubeconfig "$kubeconfig" --output "$WORK/nodes.json"
  done
  python3 - "$WORK/nodes.json" "$STATE/audit.log" "$NODES" "$KUBELETS" "$RUNS" "$(medians nodes)" "$(medians empty)" \
    "$(provenance)" "$bound" "$(medians floor)" > "$OUT/nodes-$NODES.json" <<'PY'
import datetime, json, sys
snapshot, audit, nodes, kubelets, runs, median, empty, provenance, bound, floor = sys.argv[1:]
configurations = json.load(open(snapshot)).get("kubeletConfigurations") or []
read = sum(1 for c in configurations if c.get("configuration") and not c.get("error"))
assert read == int(nodes), f"{read} of {nodes} kubelet configurations read: {[c.get('error') for c in configurations if c.get('error')][:3]}"
# The most node-proxy requests of one collection the API server was serving at once.
def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
edges = []
for line in open(audit):
    event = json.loads(line)
    ref = event.get("objectRef", {})
    if (event.get("stage") == "ResponseComplete" and ref.get("resource") == "nodes" and ref.get("subresource") == "proxy"
            and event.get("userAgent", "").startswith("lookout/")):
        edges += [(instant(event["requestReceivedTimestamp"]), 1), (instant(event["stageTimestamp"]), -1)]
peak = current = 0
for _, step in sorted(edges, key=lambda e: (e[0], e[1])):
    current += step
    peak = max(peak, current)
bound = int(bound)
assert 0 < peak <= bound, f"{peak} node-proxy requests in flight at once, the bound is {bound}"
print(json.dumps({"step": "nodes", "nodes": int(nodes), "fakeKubelets": int(kubelets), "runs": int(runs),
                  "median": json.loads(median), "withoutNodes": json.loads(empty), "floor": json.loads(floor),
                  "wallToFloor": round(json.loads(median)["wallSeconds"] / json.loads(floor)["wallSeconds"], 2), "configurationsRead": read,
                  "inFlightBound": bound, "peakInFlight": peak, "bounds": {"wallSeconds": 2},
                  **json.loads(provenance)}, indent=2, sort_keys=True))
PY
  log "nodes: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["median"], "without nodes", r["withoutNodes"], "peak in flight", r["peakInFlight"])' "$OUT/nodes-$NODES.json")"
  for pid in "${KUBELET_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  KUBELET_PIDS=()
  bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1 || true
  STATE=""
  SERVER_PIDS=()
fi

if [ "$OUT" = "$ROOT/docs/benchmarks" ]; then
  python3 "$ROOT/Tests/bench/table.py" "$OUT" "$ROOT/docs/benchmarks.md"
  log "docs/benchmarks.md updated"
fi
