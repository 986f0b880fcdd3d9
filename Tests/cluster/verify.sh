#!/usr/bin/env bash
# Tests/cluster/verify.sh [STATE_DIR] — end-to-end check of the test cluster, the way Lookout's
# integration tests use it. Prints one PASS line per check and "ALL PASS" at the end; exits non-zero
# on the first failure.
#
# Without STATE_DIR it starts its own cluster (with LOOKOUT_REALAPI_AUDIT=1) in a temp dir, checks
# it, saves it and starts it again from what was saved (LOOKOUT_REALAPI_FROM), and stops it (the save,
# the restart and the stop are checked too). With STATE_DIR it uses that running cluster and
# leaves it running (objects it created stay).
#
# Covers: kubectl + raw API access with the admin cert; RBAC for a ServiceAccount bearer token;
# anonymous denied; the controller-manager (ReplicaSets/Pods, namespace deletion, aggregated roles);
# discovery (v1.20: CronJob only in batch/v1beta1); the audit log; the node proxy to a fake kubelet on
# 127.0.0.1 (secure and insecure /configz, kubelet client cert presented, loopback refused for a
# non-kubelet port); and the demo manifests in Tests/cluster/demo/ applying cleanly.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APISERVER_SH="$HERE/apiserver.sh"
ok() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; exit 1; }

OWN=0
if [ $# -ge 1 ]; then
  S="$1"
else
  OWN=1
  S="$(mktemp -d "${TMPDIR:-/tmp}/lookout-verify.XXXXXX")"
  rmdir "$S"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lookout-verify-work.XXXXXX")"
KUBELET_PIDS=()
cleanup() {
  local p
  for p in ${KUBELET_PIDS[@]+"${KUBELET_PIDS[@]}"}; do kill "$p" 2>/dev/null || true; done
  if [ "$OWN" = 1 ] && [ -d "$S" ]; then "$APISERVER_SH" stop "$S" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$OWN" = 1 ]; then
  t0=$(date +%s)
  kc="$(LOOKOUT_REALAPI_AUDIT=1 "$APISERVER_SH" start "$S" | tail -1)"
  if [ "$kc" != "$S/admin.kubeconfig" ] || [ ! -s "$kc" ]; then fail "start did not print the kubeconfig path (got '$kc')"; fi
  ok "apiserver.sh start -> $kc ($(( $(date +%s) - t0 ))s)"
fi
[ -f "$S/env" ] || fail "no $S/env (is the cluster started?)"
# shellcheck disable=SC1091
source "$S/env"
export KUBECONFIG="$LOOKOUT_REALAPI_KUBECONFIG"
k() { "$LOOKOUT_REALAPI_KUBECTL" "$@"; }
acurl() {  # curl as cluster-admin (client cert)
  curl -sS --cacert "$LOOKOUT_REALAPI_CA" --cert "$LOOKOUT_REALAPI_CLIENT_CERT" --key "$LOOKOUT_REALAPI_CLIENT_KEY" "$@"
}
code_of() { curl -s -o /dev/null -w '%{http_code}' --cacert "$LOOKOUT_REALAPI_CA" "$@"; }
# grep that reads all of its input: `grep -q` exits at the first match, and under pipefail the
# writer's SIGPIPE would then fail the pipeline.
gq() { grep "$@" >/dev/null; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# ------------------------------------------------------------------ basics
for key in URL PORT KUBECONFIG CA CLIENT_CERT CLIENT_KEY KUBECTL ETCD_PID APISERVER_PID STATE_DIR; do
  v="LOOKOUT_REALAPI_$key"; [ -n "${!v:-}" ] || fail "env lacks $v"
done
ok "env file has URL/PORT/KUBECONFIG/CA/CLIENT_CERT/CLIENT_KEY/KUBECTL/PIDs"
ver="$(acurl "$LOOKOUT_REALAPI_URL/version" | json 'd["gitVersion"]')"
[ "$ver" = v1.20.2 ] || fail "/version gitVersion is '$ver', want v1.20.2"
ok "/version -> $ver"
k get ns -o name | gq -x namespace/default || fail "kubectl get ns"
ok "kubectl get ns (kubectl: $LOOKOUT_REALAPI_KUBECTL)"
k get --raw /apis/batch/v1beta1 | gq '"cronjobs"' || fail "batch/v1beta1 cronjobs not served"
if k get --raw /apis/batch/v1 | gq '"cronjobs"'; then fail "batch/v1 serves cronjobs on v1.20?"; fi
ok "discovery: cronjobs only in batch/v1beta1"

# (apply, not create, so that verify.sh can run again against the same cluster)
k delete clusterrolebinding auditor-read --ignore-not-found >/dev/null
k apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: audit-a}
EOF
for _ in $(seq 50); do k -n audit-a get sa default >/dev/null 2>&1 && break; sleep 0.2; done
k -n audit-a get sa default >/dev/null 2>&1 || fail "no default ServiceAccount in new namespace"
ok "create namespace; controller-manager gives it a default ServiceAccount"
k apply -f - >/dev/null <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: audit-a, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: risky}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: audit-a}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: audit-a}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: auditor, namespace: audit-a}
---
apiVersion: v1
kind: Secret
metadata: {name: not-for-lookout, namespace: audit-a}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {kubernetes.io/os: linux}}
---
apiVersion: v1
kind: Pod
metadata: {name: priv, namespace: audit-a}
spec:
  nodeName: node-1
  hostNetwork: true
  hostPID: true
  containers:
  - name: c
    image: busybox:1.36
    securityContext: {privileged: true, runAsUser: 0, allowPrivilegeEscalation: true}
EOF
ok "apply deployment + clusterrolebinding + networkpolicy + serviceaccount + secret + node + privileged pod"
n=$(k get --raw /api/v1/pods | json 'len(d["items"])')
[ "$n" -ge 1 ] || fail "raw list pods"
ok "get --raw /api/v1/pods -> $n pods"
k get --raw /apis/networking.k8s.io/v1/networkpolicies | gq deny-all || fail "raw list networkpolicies"
k get --raw /apis/rbac.authorization.k8s.io/v1/clusterrolebindings | gq '"risky"' || fail "raw list crbs"
k get --raw /api/v1/nodes | gq node-1 || fail "raw list nodes"
ok "raw lists: networkpolicies, clusterrolebindings, nodes"

# ------------------------------------------------------------------ bearer token + RBAC
TOKEN="$(acurl -X POST -H 'Content-Type: application/json' \
  -d '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}' \
  "$LOOKOUT_REALAPI_URL/api/v1/namespaces/audit-a/serviceaccounts/auditor/token" | json 'd["status"]["token"]')"
[ -n "$TOKEN" ] || fail "TokenRequest"
for _ in $(seq 50); do
  code=$(code_of -H "Authorization: Bearer $TOKEN" "$LOOKOUT_REALAPI_URL/api/v1/pods"); [ "$code" = 403 ] && break; sleep 0.1
done
[ "$code" = 403 ] || fail "unbound token got $code for pods"
ok "TokenRequest token authenticates; RBAC denies before binding (403)"
k apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: posture-reader}
rules:
- {apiGroups: [""], resources: [pods, namespaces, nodes, serviceaccounts], verbs: [get, list, watch]}
- {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}
- {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings, clusterroles], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auditor-read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: posture-reader}
subjects: [{kind: ServiceAccount, name: auditor, namespace: audit-a}]
EOF
for _ in $(seq 50); do
  [ "$(code_of -H "Authorization: Bearer $TOKEN" "$LOOKOUT_REALAPI_URL/api/v1/pods")" = 200 ] && break; sleep 0.1
done
for p in /api/v1/pods /api/v1/namespaces /api/v1/nodes /api/v1/serviceaccounts /apis/apps/v1/deployments \
         /apis/networking.k8s.io/v1/networkpolicies /apis/rbac.authorization.k8s.io/v1/clusterrolebindings; do
  code=$(code_of -H "Authorization: Bearer $TOKEN" "$LOOKOUT_REALAPI_URL$p")
  [ "$code" = 200 ] || fail "bearer $p -> $code"
done
ok "bearer token lists pods/ns/nodes/sa/deployments/netpols/crbs after binding (200)"
code=$(code_of -H "Authorization: Bearer $TOKEN" "$LOOKOUT_REALAPI_URL/api/v1/secrets")
[ "$code" = 403 ] || fail "bearer secrets -> $code"
ok "bearer token still denied secrets (403)"
code=$(code_of "$LOOKOUT_REALAPI_URL/api/v1/pods")
[ "$code" = 403 ] || fail "anonymous pods -> $code"
ok "anonymous denied (403)"

# ------------------------------------------------------------------ controller-manager
if [ -n "${LOOKOUT_REALAPI_KCM_PID:-}" ]; then
  for _ in $(seq 100); do [ "$(k -n audit-a get pods -l app=web -o name | wc -l)" = 2 ] && break; sleep 0.2; done
  [ "$(k -n audit-a get pods -l app=web -o name | wc -l)" = 2 ] || fail "deployment did not get 2 pods"
  ok "controller-manager: deployment -> 2 (Pending) pods"
  k delete ns doomed --ignore-not-found --timeout=60s >/dev/null
  k create ns doomed >/dev/null
  k delete ns doomed --timeout=60s >/dev/null || fail "namespace deletion"
  ok "controller-manager: namespace deletion completes"
  k get clusterrole view -o jsonpath='{.rules}' | gq pods || fail "aggregated view role empty"
  ok "controller-manager: aggregated ClusterRole view has rules"
fi

# ------------------------------------------------------------------ node proxy -> fake kubelet
start_kubelet() {  # start_kubelet NAME PROFILE -> sets KPORT
  local out="$WORK/$1.out"
  python3 "$HERE/fake-kubelet.py" --profile "$2" --client-ca "$LOOKOUT_REALAPI_CA" >"$out" 2>"$WORK/$1.err" &
  KUBELET_PIDS+=($!)
  KPORT=""
  for _ in $(seq 100); do KPORT="$(head -1 "$out")"; [ -n "$KPORT" ] && break; sleep 0.1; done
  [ -n "$KPORT" ] || { cat "$WORK/$1.err" >&2; fail "fake kubelet $1 printed no port"; }
}
register_node() {  # register_node NAME PORT — a Node whose kubelet is 127.0.0.1:PORT
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata: {name: $1, labels: {kubernetes.io/os: linux, kubernetes.io/hostname: $1}}
EOF
  acurl -f -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' \
    -d "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"},{\"type\":\"Hostname\",\"address\":\"$1\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$2}}}}" \
    "$LOOKOUT_REALAPI_URL/api/v1/nodes/$1/status" || fail "patch status of node $1"
}
same_json() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' "$1" "$2"; }

for profile in secure insecure; do
  node="fake-$profile"
  start_kubelet "$node" "$profile"
  # what the fake kubelet serves, fetched with the apiserver's own kubelet client cert
  curl -sSf -k --cert "$LOOKOUT_REALAPI_KUBELET_CLIENT_CERT" --key "$LOOKOUT_REALAPI_KUBELET_CLIENT_KEY" \
    "https://127.0.0.1:$KPORT/configz" >"$WORK/$node.direct.json" || fail "direct GET /configz on $node"
  register_node "$node" "$KPORT"
  got="$(k get node "$node" -o jsonpath='{.status.addresses[0].address}:{.status.daemonEndpoints.kubeletEndpoint.Port}')"
  [ "$got" = "127.0.0.1:$KPORT" ] || fail "node $node status is '$got'"
  k get --raw "/api/v1/nodes/$node/proxy/configz" >"$WORK/$node.proxied.json" || fail "node proxy configz for $node"
  same_json "$WORK/$node.direct.json" "$WORK/$node.proxied.json" || fail "proxied configz differs for $node"
  anon="$(json 'd["kubeletconfig"]["authentication"]["anonymous"]["enabled"]' <"$WORK/$node.proxied.json")"
  ok "node proxy: kubectl get --raw /api/v1/nodes/$node/proxy/configz == served $profile document (anonymous.enabled=$anon)"
done
[ "$(json 'd["kubeletconfig"]["authorization"]["mode"]' <"$WORK/fake-secure.proxied.json")" = Webhook ] || fail "secure profile authz"
[ "$(json 'd["kubeletconfig"]["readOnlyPort"]' <"$WORK/fake-insecure.proxied.json")" = 10255 ] || fail "insecure readOnlyPort"
ok "profiles differ as intended (secure: Webhook authz; insecure: readOnlyPort 10255)"
grep -q 'client-cert\[.*CN=kube-apiserver-kubelet-client\].*"GET /configz' "$WORK/fake-secure.err" ||
  fail "fake kubelet did not see the apiserver's kubelet client cert"
ok "apiserver presented its kubelet client cert (CN=kube-apiserver-kubelet-client) to the fake kubelet"
# loopback is refused when proxying to a port other than the node's kubelet port (v1.20 ResourceLocation)
code=$(acurl -o "$WORK/other-port.txt" -w '%{http_code}' \
  "$LOOKOUT_REALAPI_URL/api/v1/nodes/fake-secure:$LOOKOUT_REALAPI_PORT/proxy/version" || true)
body="$(cat "$WORK/other-port.txt")"
if [ "$code" != 400 ] || ! grep -q 'address not allowed' <<<"$body"; then fail "non-kubelet port via loopback: $code $body"; fi
ok "node proxy to another port on 127.0.0.1 is refused (400 address not allowed), as v1.20 does"

# ------------------------------------------------------------------ demo manifests
k apply -f "$HERE/demo/" >"$WORK/demo.out" || { cat "$WORK/demo.out"; fail "demo manifests"; }
ok "demo manifests apply cleanly ($(wc -l <"$WORK/demo.out") objects)"
k -n demo-shop get deployment web -o jsonpath='{.spec.template.spec.containers[*].securityContext.privileged}' | gq true || fail "demo web privileged"
k -n demo-shop get pod debug-shell -o jsonpath='{.spec.hostPID} {.spec.hostNetwork}' | gq -x 'true true' || fail "debug-shell"
k -n demo-shop get daemonset log-agent -o jsonpath='{.spec.template.spec.volumes[*].hostPath.path}' | gq /var/run/docker.sock || fail "log-agent"
k get clusterrolebinding ci-deployer-cluster-admin -o jsonpath='{.roleRef.name}' | gq -x cluster-admin || fail "ci-deployer crb"
k -n kubernetes-dashboard get svc kubernetes-dashboard -o jsonpath='{.spec.type}' | gq -x NodePort || fail "dashboard svc"
k get --raw /apis/batch/v1beta1/namespaces/demo-shop/cronjobs/db-backup >/dev/null || fail "cronjob"
[ -z "$(k -n demo-shop get networkpolicy -o name)" ] || fail "demo-shop must have no NetworkPolicy"
k -n demo-secure get networkpolicy default-deny-all >/dev/null || fail "demo-secure netpol"
for _ in $(seq 100); do [ "$(k -n demo-shop get pods -l app=web -o name | wc -l)" = 2 ] && break; sleep 0.2; done
[ "$(k -n demo-shop get pods -l app=web -o name | wc -l)" = 2 ] || fail "demo web pods"
ok "demo objects present: privileged web (2 pods), debug-shell, log-agent docker.sock, ci-deployer cluster-admin, NodePort dashboard, v1beta1 CronJob, demo-secure deny-all"

# ------------------------------------------------------------------ audit log
if [ -n "${LOOKOUT_REALAPI_AUDIT_LOG:-}" ]; then
  sleep 1
  [ -s "$LOOKOUT_REALAPI_AUDIT_LOG" ] || fail "audit log empty"
  python3 - "$LOOKOUT_REALAPI_AUDIT_LOG" <<'EOF' || fail "audit log content"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert all(e.get("level") == "Metadata" for e in ev), "non-Metadata events"
sec = [e for e in ev if e.get("objectRef", {}).get("resource") == "secrets" and e["verb"] in ("get", "list", "watch")]
assert any(e["user"]["username"].startswith("system:serviceaccount:audit-a:auditor") for e in sec), "denied secrets list not audited"
assert any(e.get("objectRef", {}).get("subresource") == "proxy" and e["objectRef"].get("resource") == "nodes" for e in ev), "node proxy not audited"
# the controller-manager has its own identity, so a test can attribute secret reads to a user
assert any(e["user"]["username"] == "system:kube-controller-manager" for e in ev), "kcm not a separate user"
who = sorted({e["user"]["username"] for e in sec})
print(f"audit: {len(ev)} events; secret reads by: {', '.join(who)}")
EOF
  ok "audit log at Metadata level records secret reads by user (controller-manager separate) and node-proxy requests"
fi

# ------------------------------------------------------------------ save, and start on what was saved
if [ "$OWN" = 1 ]; then
  SAVED="$WORK/saved"
  pids="$LOOKOUT_REALAPI_ETCD_PID $LOOKOUT_REALAPI_APISERVER_PID ${LOOKOUT_REALAPI_KCM_PID:-}"
  old_url="$LOOKOUT_REALAPI_URL"
  "$APISERVER_SH" save "$S" "$SAVED" 2>/dev/null
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null && grep -qaF -- "$S" "/proc/$p/cmdline" 2>/dev/null; then fail "save: pid $p still running"; fi
  done
  [ ! -e "$S" ] || fail "save: $S not removed"
  [ -f "$SAVED/.lookout-realapi-saved" ] && [ -d "$SAVED/etcd-data" ] && [ -f "$SAVED/pki/sa.key" ] || fail "save: $SAVED incomplete"
  kc="$(LOOKOUT_REALAPI_AUDIT=1 LOOKOUT_REALAPI_FROM="$SAVED" "$APISERVER_SH" start "$S" | tail -1)"
  [ "$kc" = "$S/admin.kubeconfig" ] || fail "start from $SAVED did not print the kubeconfig path (got '$kc')"
  # shellcheck disable=SC1091
  source "$S/env"
  [ "$LOOKOUT_REALAPI_URL" != "$old_url" ] || fail "start from $SAVED reused the old port"
  k get clusterrolebinding auditor-read -o name | gq auditor-read || fail "start from $SAVED: the objects made before save are gone"
  code=$(code_of -H "Authorization: Bearer $TOKEN" "$LOOKOUT_REALAPI_URL/api/v1/pods")
  [ "$code" = 200 ] || fail "start from $SAVED: the ServiceAccount token issued before save got $code"
  [ -d "$SAVED/etcd-data/member" ] || fail "start from $SAVED consumed it"
  ok "apiserver.sh save, then start with LOOKOUT_REALAPI_FROM: new ports, the same objects, RBAC and ServiceAccount key"
fi

# ------------------------------------------------------------------ stop
if [ "$OWN" = 1 ]; then
  pids="$LOOKOUT_REALAPI_ETCD_PID $LOOKOUT_REALAPI_APISERVER_PID ${LOOKOUT_REALAPI_KCM_PID:-}"
  "$APISERVER_SH" stop "$S" 2>/dev/null
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null && grep -qaF -- "$S" "/proc/$p/cmdline" 2>/dev/null; then fail "pid $p still running"; fi
  done
  [ ! -e "$S" ] || fail "$S not removed"
  ok "apiserver.sh stop: processes gone, state dir removed"
fi
echo "ALL PASS"
