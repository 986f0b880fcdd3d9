#!/usr/bin/env bash
# Tests/bench/bench.sh — how fast and how small a scan is on a large cluster: starts the test API
# server, creates PODS pods (default 5000) in 10 namespaces, then times `lookout scan framework all`
# (release build) and reports wall time, CPU time and peak memory. Run it with `make bench`.
set -euo pipefail
PODS="${PODS:-5000}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$(mktemp -d /tmp/lookout-bench.XXXXXX)"
CLUSTER="$ROOT/Tests/cluster/apiserver.sh"
trap 'bash "$CLUSTER" stop "$STATE" >/dev/null 2>&1' EXIT
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
bash "$CLUSTER" build
kubeconfig="$(bash "$CLUSTER" start "$STATE" | tail -1)"
# shellcheck disable=SC1091
source "$STATE/env"
kubectl=("$LOOKOUT_REALAPI_KUBECTL" --kubeconfig "$kubeconfig")

log "creating $PODS pods in 10 namespaces"
python3 - "$PODS" > "$STATE/pods.json" <<'PY'
import json, sys
n = int(sys.argv[1])
items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"bench-{i}"}} for i in range(10)]
for i in range(n):
    items.append({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"pod-{i}", "namespace": f"bench-{i % 10}", "labels": {"app": f"app-{i % 50}", "tier": "web"},
                     "annotations": {"example.com/owner": "team-" + str(i % 7)}},
        "spec": {"automountServiceAccountToken": False, "containers": [{"name": "app", "image": f"registry.example/app-{i % 50}:1.{i % 9}",
            "env": [{"name": f"VAR_{k}", "value": f"value-{k}"} for k in range(8)],
            "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}},
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "readOnlyRootFilesystem": True}}]}})
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
PY
# The ServiceAccount admission plugin needs each namespace's default account before pods are created.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["items"]=d["items"][:10]; print(json.dumps(d))' "$STATE/pods.json" \
  | "${kubectl[@]}" apply -f - >/dev/null
for i in $(seq 0 9); do
  until "${kubectl[@]}" -n "bench-$i" get serviceaccount default >/dev/null 2>&1; do sleep 0.2; done
done
"${kubectl[@]}" create -f "$STATE/pods.json" >/dev/null 2>&1 || true
count=$("${kubectl[@]}" get pods -A --no-headers 2>/dev/null | wc -l)
log "cluster has $count pods"

cd "$ROOT"
swift build -c release --static-swift-stdlib -Xlinker -s >/dev/null
bin="$(swift build -c release --show-bin-path)/lookout"
log "binary: $(du -h "$bin" | cut -f1)"
for run in 1 2 3; do
  /usr/bin/time -f "run $run: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
    "$bin" scan framework all --kubeconfig "$kubeconfig" --format json --output "$STATE/report.json" 2>&1 \
    | grep '^run ' || true
done
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("resources scanned:", r["summary"]["resources"]["total"], "controls:", r["summary"]["controls"]["total"])' "$STATE/report.json"
