#!/usr/bin/env bash
# Tests/cluster/apiserver.sh — Lookout's test cluster: a REAL kube-apiserver v1.20.2 (built from
# Debian bookworm's `kubernetes` source package) on a real etcd 3.4 (Debian's etcd-server), plus a
# real kube-controller-manager, all on free 127.0.0.1 ports. No scheduler and no kubelet: Pods stay
# Pending and Nodes are plain objects (a test can point a Node at Tests/cluster/fake-kubelet.py).
#
# Usage
#   apiserver.sh build             ensure etcd, kubectl and the cached binaries exist (idempotent)
#   apiserver.sh start STATE_DIR   start etcd + kube-apiserver (+ kube-controller-manager) with fresh
#                                  PKI; the admin kubeconfig path is the LAST line of stdout
#   apiserver.sh stop STATE_DIR    stop what `start` started (dependents first), delete STATE_DIR
#   apiserver.sh save STATE_DIR SAVED_DIR
#                                  stop what `start` started and keep what a restart needs in
#                                  SAVED_DIR (which must not exist): etcd's data, the PKI (its CA signed
#                                  the client certificates, its sa.key the ServiceAccount tokens in etcd)
#                                  and the env; then delete STATE_DIR. LOOKOUT_REALAPI_FROM starts on it.
#
# After `start`, STATE_DIR holds:
#   admin.kubeconfig     cluster-admin (O=system:masters) client-cert kubeconfig
#   env                  shell-sourceable; keys:
#                          LOOKOUT_REALAPI_URL  LOOKOUT_REALAPI_PORT  LOOKOUT_REALAPI_ETCD_URL
#                          LOOKOUT_REALAPI_KUBECONFIG  LOOKOUT_REALAPI_CA  LOOKOUT_REALAPI_CA_KEY
#                          LOOKOUT_REALAPI_CLIENT_CERT  LOOKOUT_REALAPI_CLIENT_KEY
#                          LOOKOUT_REALAPI_KUBELET_CLIENT_CERT  LOOKOUT_REALAPI_KUBELET_CLIENT_KEY
#                          LOOKOUT_REALAPI_VERSION  LOOKOUT_REALAPI_STATE_DIR  LOOKOUT_REALAPI_KUBECTL
#                          LOOKOUT_REALAPI_ETCD_PID  LOOKOUT_REALAPI_APISERVER_PID
#                          LOOKOUT_REALAPI_KCM_PID (empty if the controller-manager is off)
#                          LOOKOUT_REALAPI_AUDIT_LOG (empty unless LOOKOUT_REALAPI_AUDIT=1)
#   pki/                 ca.{crt,key} apiserver.{crt,key} admin.{crt,key} kubelet-client.{crt,key}
#                        controller-manager.{crt,key} sa.{key,pub}
#   controller-manager.kubeconfig   the controller-manager's own identity (user
#                        system:kube-controller-manager, group system:masters), so audit events
#                        separate its requests from the admin's (user lookout-realapi-admin)
#   *.log, *.pid         one per component (etcd, apiserver, controller-manager)
#   audit.log            with LOOKOUT_REALAPI_AUDIT=1: every request at Metadata level (JSON lines)
#
# Environment
#   LOOKOUT_REALAPI_CACHE      binary cache (default /var/cache/realapi). Files:
#                              kube-apiserver-v1.20.2, kube-controller-manager-v1.20.2, and kubectl
#                              (only built when no `kubectl` is on PATH)
#   LOOKOUT_REALAPI_KUBECTL    kubectl to use (default: `kubectl` on PATH, else $CACHE/kubectl)
#   LOOKOUT_REALAPI_AUDIT=1    write STATE_DIR/audit.log (policy: STATE_DIR/audit-policy.yaml)
#   LOOKOUT_REALAPI_CONTROLLER_MANAGER=0   do not start kube-controller-manager
#   LOOKOUT_REALAPI_CONTROLLERS  the controllers it runs (default '*,-nodelifecycle')
#   LOOKOUT_REALAPI_TIMEOUT    seconds to wait for readiness (default 240; ~10 s on an idle machine)
#   LOOKOUT_REALAPI_EXTRA_ARGS extra kube-apiserver flags (word-split)
#   LOOKOUT_REALAPI_FROM=SAVED_DIR  `start` on a copy of what `save` kept in SAVED_DIR (the same objects,
#                              CA, certificates and ServiceAccount key) instead of an empty etcd and
#                              fresh PKI; SAVED_DIR itself is left as it is, to start from again. New
#                              ports, a new audit log, and the same settings above as any start.
#
# Node proxy (kubelet endpoints): kube-apiserver gets a kubelet client cert, prefers InternalIP and
# has no --kubelet-certificate-authority, so it does not verify the kubelet's serving cert. In v1.20
# (pkg/registry/core/node/strategy.go ResourceLocation) a request for the Node's own kubelet port,
# i.e. /api/v1/nodes/NAME/proxy/PATH, is NOT subject to the loopback/link-local filter, so a Node
# with InternalIP 127.0.0.1 and status.daemonEndpoints.kubeletEndpoint.Port=P reaches a fake kubelet
# on 127.0.0.1:P. Only an explicit other port (/api/v1/nodes/NAME:OTHERPORT/proxy/...) is refused
# for loopback addresses ("address not allowed", HTTP 400). Tests/cluster/verify.sh checks both.
#
# Everything comes from Debian's apt repositories (binary packages + the deb-src of the mirror the
# machine already uses). Works as root, or with sudo for the apt/cache steps.
set -euo pipefail

K8S_VERSION=1.20.2
CACHE="${LOOKOUT_REALAPI_CACHE:-/var/cache/realapi}"
APISERVER_BIN="$CACHE/kube-apiserver-v$K8S_VERSION"
KCM_BIN="$CACHE/kube-controller-manager-v$K8S_VERSION"
TIMEOUT="${LOOKOUT_REALAPI_TIMEOUT:-240}"
MARKER=.lookout-realapi
SAVED_MARKER=.lookout-realapi-saved
COMPONENTS_STOP_ORDER=(controller-manager apiserver etcd)   # dependents first

log() { printf '[lookout-realapi %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; }

# ------------------------------------------------------------------------------------- packages
apt_updated=0
apt_update_once() {
  [ "$apt_updated" = 1 ] && return 0
  as_root apt-get update -qq >&2   # stdout is reserved for the kubeconfig path
  apt_updated=1
}
apt_install() {  # apt_install PKG... — installs only the packages dpkg does not report as installed
  local p missing=()
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update_once
  log "apt-get install ${missing[*]}"
  # A policy-rc.d that exits 101 keeps the etcd-server package from starting a system etcd.
  local prc=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$prc" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$prc" >/dev/null
    as_root chmod 0755 "$prc"
    created=1
  fi
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || rc=$?
  if [ "$created" = 1 ]; then as_root rm -f "$prc"; fi
  [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed"
}

ensure_deb_src() {  # make `apt-get source` work, using the mirror(s) this machine already uses
  if apt-get source --print-uris kubernetes >/dev/null 2>&1; then return 0; fi
  log "adding deb-src entries for the configured Debian mirror"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
      as_root tee /etc/apt/sources.list.d/lookout-deb-src.sources >/dev/null
  elif grep -qs '^deb ' /etc/apt/sources.list; then
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      as_root tee /etc/apt/sources.list.d/lookout-deb-src.list >/dev/null
  else
    die "no Debian apt source found to derive a deb-src entry from"
  fi
  apt_updated=0
  apt_update_once
  apt-get source --print-uris kubernetes >/dev/null 2>&1 || die "apt-get source kubernetes still unavailable"
}

# ------------------------------------------------------------------------------------- binaries
bin_ok() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }           # kube-apiserver, kube-controller-manager
kubectl_ok() { [ -x "$1" ] && "$1" version --client >/dev/null 2>&1; }  # kubectl has no --version

kubectl_path() {
  if [ -n "${LOOKOUT_REALAPI_KUBECTL:-}" ]; then echo "$LOOKOUT_REALAPI_KUBECTL"
  elif command -v kubectl >/dev/null 2>&1; then command -v kubectl
  else echo "$CACHE/kubectl"; fi
}

# PIDs of kubernetes builds started by someone else (e.g. the team's reference script): a `make`
# whose WHAT names one of our binaries, or an `apt-get source kubernetes` download.
foreign_build_pids() {
  local f pid cmd
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}"; pid="${pid%/cmdline}"
    [ "$pid" = "$$" ] && continue
    cmd="$(tr '\0' ' ' 2>/dev/null <"$f")" || continue
    case "$cmd" in
      make\ *WHAT=*cmd/kube-apiserver*|make\ *WHAT=*cmd/kube-controller-manager*|make\ *WHAT=*cmd/kubectl*) echo "$pid" ;;
      apt-get\ source*kubernetes*) echo "$pid" ;;
    esac
  done
}

wait_for_foreign_build() {
  local pids t0 waited=0 last
  t0=$(date +%s); last=$t0
  while pids="$(foreign_build_pids)"; [ -n "$pids" ]; do
    if [ "$waited" = 0 ]; then
      log "a kubernetes build is already running (pid $(echo "$pids" | paste -sd, -)); waiting for it instead of starting another"
    elif [ $(( $(date +%s) - last )) -ge 30 ]; then
      last=$(date +%s)
      log "still waiting for the running build ($(( last - t0 ))s)"
    fi
    waited=1
    sleep 1
  done
  if [ "$waited" = 1 ]; then
    # the other script installs the binaries right after its make exits
    local i
    for i in $(seq 60); do
      bin_ok "$APISERVER_BIN" && bin_ok "$KCM_BIN" && break
      [ "$i" = 1 ] && log "build finished; waiting for its binaries to appear in $CACHE"
      sleep 1
    done
    log "waited $(( $(date +%s) - t0 ))s for the other build"
  fi
}

build_k8s() {  # build_k8s TARGET... (cmd/kube-apiserver ...) and install them into $CACHE
  local targets=("$@") t0 b src
  t0=$(date +%s)
  log "building ${targets[*]} v$K8S_VERSION from Debian's 'kubernetes' source package (one-off, ~5 min on 2 cores)"
  ensure_deb_src
  apt_install golang-go make rsync dpkg-dev golang-github-modern-go-reflect2-dev
  b="$(mktemp -d "${TMPDIR:-/tmp}/lookout-realapi-build.XXXXXX")"
  ( cd "$b" && apt-get source -qq kubernetes >"$b/source.log" 2>&1 ) || { tail -20 "$b/source.log" >&2; die "apt-get source kubernetes failed"; }
  src="$(find "$b" -maxdepth 1 -type d -name 'kubernetes-*' | head -1)"
  if [ -z "$src" ] || [ ! -f "$src/hack/lib/golang.sh" ]; then die "kubernetes source tree not found in $b"; fi
  grep -q "tag: v$K8S_VERSION'" "$src/hack/lib/version.sh" ||
    log "WARNING: source in $src does not look like v$K8S_VERSION"
  # k8s 1.20 vendors modern-go/reflect2 v1.0.1, whose unsafe map iteration crashes at run time with
  # Go >= 1.18. Debian's golang-github-modern-go-reflect2-dev (1.0.2) is API-compatible: swap it in.
  local r="$src/vendor/github.com/modern-go/reflect2" d=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -d "$d" ] || die "$d missing (golang-github-modern-go-reflect2-dev)"
  rm -rf "$r"; mkdir -p "$r"; cp "$d"/*.go "$d"/*.s "$r"/; rm -f "$r"/*_test.go
  log "make WHAT=\"${targets[*]}\" (log: $b/build.log)"
  if ! ( cd "$src" && env -u GOFLAGS HOME="$b/home" PATH="/usr/lib/go/bin:$PATH" CGO_ENABLED=0 GOPROXY=off \
           make WHAT="${targets[*]}" ) >"$b/build.log" 2>&1; then
    tail -30 "$b/build.log" >&2
    local keep="${TMPDIR:-/tmp}/lookout-realapi-build-failed.log"
    cp "$b/build.log" "$keep"; rm -rf "$b"
    die "build failed; log kept at $keep"
  fi
  as_root mkdir -p "$CACHE"
  local t name dest
  for t in "${targets[@]}"; do
    name="${t#cmd/}"
    case "$name" in kubectl) dest="$CACHE/kubectl" ;; *) dest="$CACHE/$name-v$K8S_VERSION" ;; esac
    as_root install -m 0755 "$src/_output/bin/$name" "$dest"
    log "installed $dest"
  done
  rm -rf "$b"
  log "build took $(( $(date +%s) - t0 ))s"
}

targets_needed=()
needed_targets() {  # sets targets_needed to the make targets whose binaries are missing
  targets_needed=()
  bin_ok "$APISERVER_BIN" || targets_needed+=(cmd/kube-apiserver)
  bin_ok "$KCM_BIN" || targets_needed+=(cmd/kube-controller-manager)
  local kc; kc="$(kubectl_path)"
  if [ "$kc" = "$CACHE/kubectl" ] && ! kubectl_ok "$kc"; then targets_needed+=(cmd/kubectl); fi
  return 0
}

cmd_build() {
  local t0; t0=$(date +%s)
  apt_install etcd-server openssl curl python3 util-linux
  command -v etcd >/dev/null || die "etcd not on PATH after installing etcd-server"
  needed_targets
  if [ ${#targets_needed[@]} -gt 0 ]; then
    # one build per cache at a time (our own lock; taken only when something is missing, so that
    # `start` never queues behind a build it does not need) ...
    local lock
    lock="${TMPDIR:-/tmp}/lookout-realapi-build.$(printf '%s' "$CACHE" | md5sum | cut -c1-12).lock"
    exec 9>"$lock"
    flock 9
    # ... and never race a build that someone else (e.g. the team's reference script) started
    needed_targets
    if [ ${#targets_needed[@]} -gt 0 ]; then wait_for_foreign_build; needed_targets; fi
    if [ ${#targets_needed[@]} -gt 0 ]; then build_k8s "${targets_needed[@]}"; fi
    flock -u 9
    exec 9>&-
  fi
  bin_ok "$APISERVER_BIN" || die "$APISERVER_BIN is not usable"
  bin_ok "$KCM_BIN" || die "$KCM_BIN is not usable"
  kubectl_ok "$(kubectl_path)" || die "$(kubectl_path) is not a usable kubectl"
  log "binaries ready in $(( $(date +%s) - t0 ))s: $APISERVER_BIN, $KCM_BIN, etcd=$(command -v etcd), kubectl=$(kubectl_path)"
}

# ------------------------------------------------------------------------------------- stop
# stop_components DIR: signal each recorded PID, but only if its command line still names DIR
# (so a recycled PID is never hit); TERM, then KILL after 10 s.
stop_components() {
  local dir="$1" c f pid
  for c in "${COMPONENTS_STOP_ORDER[@]}"; do
    f="$dir/$c.pid"
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qaF -- "$dir" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then log "$c (pid $pid) ignored TERM; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
      log "stopped $c (pid $pid)"
    fi
    rm -f "$f"
  done
}

abs_dir() { realpath -m -- "$1"; }

cmd_stop() {
  [ $# -ge 1 ] || die "usage: apiserver.sh stop STATE_DIR"
  local dir; dir="$(abs_dir "$1")"
  if [ ! -d "$dir" ]; then log "no state dir $dir; nothing to stop"; return 0; fi
  [ -f "$dir/$MARKER" ] || die "$dir was not made by apiserver.sh start (no $MARKER); not touching it"
  stop_components "$dir"
  rm -rf -- "$dir"
  log "stopped; removed $dir"
}

cmd_save() {
  [ $# -eq 2 ] || die "usage: apiserver.sh save STATE_DIR SAVED_DIR"
  local dir dest; dir="$(abs_dir "$1")"; dest="$(abs_dir "$2")"
  [ -f "$dir/$MARKER" ] || die "$dir was not made by apiserver.sh start (no $MARKER); not touching it"
  [ -d "$dir/etcd-data/member" ] && [ -f "$dir/env" ] || die "$dir holds no started cluster to save"
  [ ! -e "$dest" ] || die "$dest exists; save writes a new folder"
  # etcd syncs and exits on TERM: once it is gone, its data directory is consistent.
  stop_components "$dir"
  # Filled beside its destination and renamed into place, so SAVED_DIR is whole or absent.
  mkdir -p "$(dirname "$dest")"
  local partial; partial="$(mktemp -d "$dest.partial.XXXXXX")"
  mv "$dir/etcd-data" "$dir/pki" "$dir/env" "$partial/"
  : >"$partial/$SAVED_MARKER"
  mv -T "$partial" "$dest"
  rm -rf -- "$dir"
  log "stopped; etcd data, PKI and env of $dir saved in $dest ($(du -sh "$dest" | cut -f1)); removed $dir"
}

# ------------------------------------------------------------------------------------- start
running_here() {  # running_here DIR: the recorded apiserver is alive and is ours
  local pid
  [ -f "$1/apiserver.pid" ] || return 1
  pid="$(cat "$1/apiserver.pid")"
  kill -0 "$pid" 2>/dev/null && grep -qaF -- "$1" "/proc/$pid/cmdline" 2>/dev/null
}

spawn() {  # spawn NAME CMD... — detached (own session), output to STATE_DIR/NAME.log, pid to NAME.pid
  local name="$1"; shift
  setsid "$@" </dev/null >"$S/$name.log" 2>&1 &
  echo $! >"$S/$name.pid"
}

free_ports() {  # free_ports N — N distinct free TCP ports on 127.0.0.1
  python3 - "$1" <<'EOF'
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()
EOF
}

gen_pki() {
  local P="$1"
  ossl() { openssl "$@" 2>/dev/null; }
  ossl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 3650 \
    -subj "/CN=lookout-realapi-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  leaf() {  # leaf NAME SUBJECT EXTENSIONS
    ossl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "$2"
    printf '%s\n' "$3" >"$P/$1.ext"
    ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 3650 \
      -extfile "$P/$1.ext" -out "$P/$1.crt"
    rm -f "$P/$1.csr" "$P/$1.ext"
  }
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  leaf apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  leaf admin "/O=system:masters/CN=lookout-realapi-admin" "$client"
  # what kube-apiserver presents to kubelets (node proxy, logs, exec); kubeadm uses the same subject
  leaf kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
  # the controller-manager's own identity, so that audit events tell its requests (it watches
  # Secrets, for one) apart from those of the admin user that tests and kubectl act as
  leaf controller-manager "/O=system:masters/CN=system:kube-controller-manager" "$client"
  ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/sa.key"
  ossl pkey -in "$P/sa.key" -pubout -out "$P/sa.pub"
  rm -f "$P/ca.srl"
  chmod 600 "$P"/*.key
  local f
  for f in ca.crt apiserver.crt admin.crt kubelet-client.crt controller-manager.crt sa.pub; do
    [ -s "$P/$f" ] || die "certificate generation failed (openssl): no $P/$f"
  done
}

S=""
start_failed() {
  local rc=$?
  if [ "$rc" != 0 ] && [ -n "$S" ] && [ -d "$S" ]; then
    log "start failed; stopping what was started (logs kept in $S; remove with: $0 stop $S)"
    stop_components "$S"
  fi
}

cmd_start() {
  [ $# -ge 1 ] || die "usage: apiserver.sh start STATE_DIR"
  local t_all; t_all=$(date +%s)
  local dir; dir="$(abs_dir "$1")"
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    [ -f "$dir/$MARKER" ] || die "$dir exists, is not empty and was not made by apiserver.sh; refusing to reuse it"
    if running_here "$dir"; then
      log "already running in $dir"
      echo "$dir/admin.kubeconfig"
      return 0
    fi
    log "stale state in $dir; cleaning it"
    stop_components "$dir"
    rm -rf -- "$dir"
  fi

  cmd_build
  local kubectl_bin; kubectl_bin="$(kubectl_path)"
  local etcd_bin; etcd_bin="$(command -v etcd)"

  local from=""
  if [ -n "${LOOKOUT_REALAPI_FROM:-}" ]; then
    from="$(abs_dir "$LOOKOUT_REALAPI_FROM")"
    [ -f "$from/$SAVED_MARKER" ] || die "LOOKOUT_REALAPI_FROM=$from was not written by apiserver.sh save (no $SAVED_MARKER)"
    local saved_version; saved_version="$(sed -n 's/^LOOKOUT_REALAPI_VERSION=//p' "$from/env")"
    [ "$saved_version" = "v$K8S_VERSION" ] || die "$from was saved from kube-apiserver $saved_version, this is v$K8S_VERSION"
  fi

  S="$dir"
  trap start_failed EXIT
  mkdir -p "$S"
  chmod 700 "$S"
  : >"$S/$MARKER"
  local P="$S/pki"
  local t0; t0=$(date +%s)
  if [ -n "$from" ]; then
    cp -a "$from/pki" "$from/etcd-data" "$S/"
    log "etcd data and PKI copied from $from ($(du -sh "$S/etcd-data" | cut -f1) of etcd data)"
  else
    mkdir -p "$P" "$S/etcd-data"
    gen_pki "$P"
    log "PKI generated in $P"
  fi

  local etcd_port peer_port api_port
  read -r etcd_port peer_port api_port < <(free_ports 3)
  [ -n "$api_port" ] || die "could not pick free ports"

  spawn etcd "$etcd_bin" --name lookout-realapi --data-dir "$S/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "lookout-realapi=http://127.0.0.1:$peer_port" --initial-cluster-state new \
    --logger zap --log-level warn --snapshot-count 10000

  local audit_args=() audit_log=""
  if [ "${LOOKOUT_REALAPI_AUDIT:-0}" = 1 ]; then
    audit_log="$S/audit.log"
    cat >"$S/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
EOF
    audit_args=(--audit-policy-file="$S/audit-policy.yaml" --audit-log-path="$audit_log"
                --audit-log-format=json --audit-log-mode=blocking --audit-log-maxsize=1024 --audit-log-maxbackup=1)
    log "audit log (Metadata level): $audit_log"
  fi
  local extra=()
  # shellcheck disable=SC2206  # word-splitting of the extra flags is intended
  [ -n "${LOOKOUT_REALAPI_EXTRA_ARGS:-}" ] && extra=(${LOOKOUT_REALAPI_EXTRA_ARGS})

  # No --kubelet-certificate-authority: v1.20 then skips verifying kubelet serving certs, which is
  # what lets the node proxy reach a self-signed fake kubelet.
  spawn apiserver "$APISERVER_BIN" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
    --client-ca-file="$P/ca.crt" \
    --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --api-audiences=https://kubernetes.default.svc.cluster.local \
    --authorization-mode=Node,RBAC \
    --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=true \
    --enable-admission-plugins=NodeRestriction \
    --kubelet-client-certificate="$P/kubelet-client.crt" --kubelet-client-key="$P/kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname \
    --profiling=false --logtostderr=true --v=1 \
    ${audit_args[@]+"${audit_args[@]}"} ${extra[@]+"${extra[@]}"}
  log "etcd pid $(cat "$S/etcd.pid") on 127.0.0.1:$etcd_port; kube-apiserver pid $(cat "$S/apiserver.pid") on 127.0.0.1:$api_port"

  local url="https://127.0.0.1:$api_port"
  b64() { base64 -w0 <"$1"; }
  kubeconfig() {  # kubeconfig FILE USER CERT-BASENAME
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lookout-realapi
  cluster:
    server: $url
    certificate-authority-data: $(b64 "$P/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$P/$3.crt")
    client-key-data: $(b64 "$P/$3.key")
contexts:
- name: lookout-realapi
  context: {cluster: lookout-realapi, user: $2}
current-context: lookout-realapi
EOF
    chmod 600 "$1"
  }
  kubeconfig "$S/admin.kubeconfig" lookout-realapi-admin admin
  kubeconfig "$S/controller-manager.kubeconfig" system:kube-controller-manager controller-manager

  api_get() { curl -sf --max-time 2 --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$url$1" >/dev/null 2>&1; }
  alive_or_die() {
    local c
    for c in "$@"; do
      kill -0 "$(cat "$S/$c.pid")" 2>/dev/null && continue
      log "$c exited early; last lines of $S/$c.log:"; tail -20 "$S/$c.log" >&2
      die "$c did not start"
    done
  }
  until api_get /readyz; do
    alive_or_die etcd apiserver
    [ $(( $(date +%s) - t0 )) -lt "$TIMEOUT" ] || { tail -20 "$S/apiserver.log" >&2; die "kube-apiserver not ready after ${TIMEOUT}s"; }
    sleep 0.2
  done
  log "kube-apiserver /readyz ok after $(( $(date +%s) - t0 ))s"

  local kcm_pid=""
  if [ "${LOOKOUT_REALAPI_CONTROLLER_MANAGER:-1}" = 1 ]; then
    # nodelifecycle is off so hand-made Node objects are not tainted and their Pods not evicted.
    spawn controller-manager "$KCM_BIN" --kubeconfig="$S/controller-manager.kubeconfig" --port=0 --secure-port=0 \
      --leader-elect=false --controllers="${LOOKOUT_REALAPI_CONTROLLERS:-*,-nodelifecycle}" --use-service-account-credentials=false \
      --service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" \
      --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" \
      --logtostderr=true --v=1
    kcm_pid="$(cat "$S/controller-manager.pid")"
    until api_get /api/v1/namespaces/default/serviceaccounts/default; do
      alive_or_die etcd apiserver controller-manager
      [ $(( $(date +%s) - t0 )) -lt "$TIMEOUT" ] || die "no default ServiceAccount after ${TIMEOUT}s; see $S/controller-manager.log"
      sleep 0.2
    done
    log "kube-controller-manager pid $kcm_pid; default/default ServiceAccount exists after $(( $(date +%s) - t0 ))s"
  else
    log "kube-controller-manager not started (LOOKOUT_REALAPI_CONTROLLER_MANAGER=0)"
  fi

  {
    printf '# written by Tests/cluster/apiserver.sh start; source it from a shell\n'
    kv() { printf '%s=%q\n' "$1" "$2"; }
    kv LOOKOUT_REALAPI_URL "$url"
    kv LOOKOUT_REALAPI_PORT "$api_port"
    kv LOOKOUT_REALAPI_ETCD_URL "http://127.0.0.1:$etcd_port"
    kv LOOKOUT_REALAPI_KUBECONFIG "$S/admin.kubeconfig"
    kv LOOKOUT_REALAPI_CA "$P/ca.crt"
    kv LOOKOUT_REALAPI_CA_KEY "$P/ca.key"
    kv LOOKOUT_REALAPI_CLIENT_CERT "$P/admin.crt"
    kv LOOKOUT_REALAPI_CLIENT_KEY "$P/admin.key"
    kv LOOKOUT_REALAPI_KUBELET_CLIENT_CERT "$P/kubelet-client.crt"
    kv LOOKOUT_REALAPI_KUBELET_CLIENT_KEY "$P/kubelet-client.key"
    kv LOOKOUT_REALAPI_VERSION "v$K8S_VERSION"
    kv LOOKOUT_REALAPI_STATE_DIR "$S"
    kv LOOKOUT_REALAPI_KUBECTL "$kubectl_bin"
    kv LOOKOUT_REALAPI_ETCD_PID "$(cat "$S/etcd.pid")"
    kv LOOKOUT_REALAPI_APISERVER_PID "$(cat "$S/apiserver.pid")"
    kv LOOKOUT_REALAPI_KCM_PID "$kcm_pid"
    kv LOOKOUT_REALAPI_AUDIT_LOG "$audit_log"
  } >"$S/env"

  trap - EXIT
  log "ready: $url (kube-apiserver v$K8S_VERSION, $("$etcd_bin" --version | awk '/etcd Version/{print "etcd " $3}')); start took $(( $(date +%s) - t_all ))s, servers up in $(( $(date +%s) - t0 ))s"
  log "env: $S/env   stop: $0 stop $S"
  echo "$S/admin.kubeconfig"
}

# ------------------------------------------------------------------------------------- main
case "${1:-}" in
  build) shift; cmd_build "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop)  shift; cmd_stop "$@" ;;
  save)  shift; cmd_save "$@" ;;
  -h|--help|help) usage ;;
  *) usage; exit 2 ;;
esac
