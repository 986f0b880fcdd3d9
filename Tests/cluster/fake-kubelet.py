#!/usr/bin/env python3
"""fake-kubelet.py — a tiny HTTPS stand-in for a kubelet's API, for Lookout's node checks.

Serves on 127.0.0.1 (TLS, self-signed cert made with openssl in a temp dir at start):
  GET /configz   {"kubeletconfig": {...}}  — the KubeletConfiguration as a real v1.20 kubelet
                 serves it: kubelet.config.k8s.io/v1beta1 field names, fields whose JSON tag has
                 omitempty left out when zero (e.g. readOnlyPort 0, rotateCertificates false,
                 protectKernelDefaults false, an empty tlsCipherSuites), no kind/apiVersion.
  GET /healthz   "ok"
  GET /pods      an empty PodList
The first line on stdout is the port, printed once the socket is listening. Requests are logged on
stderr (with the client certificate's subject when one is presented).

Usage:
  fake-kubelet.py [--profile secure|insecure|FILE.json] [--port N] [--client-ca CA.crt]
    --profile   which configuration to serve: a built-in profile, or a JSON file holding either the
                full {"kubeletconfig": {...}} document or just the inner configuration object.
    --port      port to listen on (default 0: any free port).
    --client-ca require a client certificate signed by this CA (as a kubelet with
                authentication.x509.clientCAFile does); without it client certs are optional.

Point a Node at it: status.addresses [{type: InternalIP, address: 127.0.0.1}] and
status.daemonEndpoints.kubeletEndpoint.Port = the printed port; then
`kubectl get --raw /api/v1/nodes/NAME/proxy/configz` returns the served document.
"""
import argparse
import copy
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Common to both profiles: what a kubeadm-provisioned v1.20 kubelet reports for the rest.
_BASE = {
    "enableServer": True,
    "staticPodPath": "/etc/kubernetes/manifests",
    "syncFrequency": "1m0s",
    "fileCheckFrequency": "20s",
    "httpCheckFrequency": "20s",
    "address": "0.0.0.0",
    "port": 10250,
    "registryPullQPS": 5,
    "registryBurst": 10,
    "eventBurst": 10,
    "enableDebuggingHandlers": True,
    "healthzPort": 10248,
    "healthzBindAddress": "127.0.0.1",
    "oomScoreAdj": -999,
    "clusterDomain": "cluster.local",
    "clusterDNS": ["10.96.0.10"],
    "nodeStatusUpdateFrequency": "10s",
    "nodeStatusReportFrequency": "5m0s",
    "nodeLeaseDurationSeconds": 40,
    "imageMinimumGCAge": "2m0s",
    "imageGCHighThresholdPercent": 85,
    "imageGCLowThresholdPercent": 80,
    "volumeStatsAggPeriod": "1m0s",
    "cgroupsPerQOS": True,
    "cgroupDriver": "systemd",
    "cpuManagerPolicy": "none",
    "cpuManagerReconcilePeriod": "10s",
    "topologyManagerPolicy": "none",
    "topologyManagerScope": "container",
    "runtimeRequestTimeout": "2m0s",
    "hairpinMode": "promiscuous-bridge",
    "maxPods": 110,
    "podPidsLimit": -1,
    "resolvConf": "/run/systemd/resolve/resolv.conf",
    "cpuCFSQuota": True,
    "cpuCFSQuotaPeriod": "100ms",
    "nodeStatusMaxImages": 50,
    "maxOpenFiles": 1000000,
    "contentType": "application/vnd.kubernetes.protobuf",
    "kubeAPIQPS": 5,
    "kubeAPIBurst": 10,
    "serializeImagePulls": True,
    "evictionHard": {
        "imagefs.available": "15%",
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%",
    },
    "evictionPressureTransitionPeriod": "5m0s",
    "enableControllerAttachDetach": True,
    "iptablesMasqueradeBit": 14,
    "iptablesDropBit": 15,
    "failSwapOn": True,
    "containerLogMaxSize": "10Mi",
    "containerLogMaxFiles": 5,
    "configMapAndSecretChangeDetectionStrategy": "Watch",
    "enforceNodeAllocatable": ["pods"],
    "volumePluginDir": "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/",
    "logging": {"format": "text"},
    "enableSystemLogHandler": True,
    "shutdownGracePeriod": "0s",
    "shutdownGracePeriodCriticalPods": "0s",
}

# Passes the CIS Kubernetes Benchmark kubelet checks (4.2.x).
SECURE = dict(
    _BASE,
    tlsCertFile="/var/lib/kubelet/pki/kubelet.crt",
    tlsPrivateKeyFile="/var/lib/kubelet/pki/kubelet.key",
    tlsCipherSuites=[
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ],
    rotateCertificates=True,
    serverTLSBootstrap=True,
    featureGates={"RotateKubeletServerCertificate": True},
    authentication={
        "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
        "webhook": {"enabled": True, "cacheTTL": "2m0s"},
        "anonymous": {"enabled": False},
    },
    authorization={
        "mode": "Webhook",
        "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"},
    },
    # readOnlyPort: 0 (disabled) -> omitted, as the real kubelet's omitempty does
    eventRecordQPS=5,
    streamingConnectionIdleTimeout="4h0m0s",
    protectKernelDefaults=True,
    makeIPTablesUtilChains=True,
)

# Fails them: anonymous auth on, no webhook authn, no client CA, AlwaysAllow authz, read-only port
# 10255 open, idle streaming connections never time out, event recording disabled (QPS 0), kernel
# defaults not protected, iptables chains not managed, no cert rotation, Go's default ciphers.
INSECURE = dict(
    _BASE,
    authentication={
        "x509": {},
        "webhook": {"enabled": False, "cacheTTL": "2m0s"},
        "anonymous": {"enabled": True},
    },
    authorization={
        "mode": "AlwaysAllow",
        "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"},
    },
    readOnlyPort=10255,
    eventRecordQPS=0,
    streamingConnectionIdleTimeout="0s",
    makeIPTablesUtilChains=False,
    # protectKernelDefaults false, rotateCertificates false, tlsCipherSuites [] -> omitted
)

PROFILES = {"secure": SECURE, "insecure": INSECURE}


def load_profile(value):
    if value in PROFILES:
        return {"kubeletconfig": copy.deepcopy(PROFILES[value])}
    if not os.path.isfile(value):
        sys.exit(f"fake-kubelet: --profile must be one of {sorted(PROFILES)} or a JSON file, got {value!r}")
    with open(value, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict):
        sys.exit("fake-kubelet: the JSON file must hold an object")
    return doc if "kubeletconfig" in doc else {"kubeletconfig": doc}


def make_cert(tmp):
    cert, key = os.path.join(tmp, "kubelet.crt"), os.path.join(tmp, "kubelet.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", key, "-out", cert, "-subj", "/CN=fake-kubelet@127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class TLSServer(ThreadingHTTPServer):
    """Accepts plain TCP and does the TLS handshake in the request's own thread, so that one slow
    or broken client cannot block the accept loop."""
    daemon_threads = True
    ssl_context = None

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


def encoded(code, body, ctype="application/json"):
    """A whole answer, head and body, as the bytes of one write. Written in two pieces, the body of a
    kept-alive connection waits for the client's delayed ACK of the head (Nagle): 40 ms a request."""
    head = (f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\nServer: fake-kubelet\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return code, head + body, head


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-kubelet"
    sys_version = ""
    # Keep-alive, as a real kubelet (Go's net/http) serves: the API server's node proxy then reuses its
    # connections instead of a TLS handshake per request.
    protocol_version = "HTTP/1.1"
    # path -> (status, GET answer, HEAD answer), encoded once at start.
    answers = {}
    not_found = encoded(404, b"404 page not found\n", "text/plain; charset=utf-8")

    def setup(self):
        self.request.settimeout(30)
        self.request.do_handshake()
        super().setup()

    def do_GET(self):
        code, whole, head = self.answers.get(self.path.split("?", 1)[0], self.not_found)
        self.log_request(code, len(whole) - len(head))
        self.wfile.write(head if self.command == "HEAD" else whole)

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        who = "-"
        try:
            peer = self.connection.getpeercert()
            if peer:
                short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU"}
                who = ",".join(f"{short.get(k, k)}={v}" for rdn in peer.get("subject", ()) for k, v in rdn)
        except (AttributeError, ValueError):
            pass
        sys.stderr.write(f"fake-kubelet: {self.address_string()} client-cert[{who}] {fmt % args}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--profile", default="secure", help="secure | insecure | path to a JSON file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--client-ca", help="require client certificates signed by this CA")
    args = ap.parse_args()

    Handler.answers = {
        "/configz": encoded(200, json.dumps(load_profile(args.profile), separators=(",", ":")).encode()),
        "/healthz": encoded(200, b"ok", "text/plain; charset=utf-8"),
        "/pods": encoded(200, b'{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}'),
    }
    tmp = tempfile.mkdtemp(prefix="fake-kubelet.")
    try:
        cert, key = make_cert(tmp)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        httpd = TLSServer(("127.0.0.1", args.port), Handler)
        httpd.ssl_context = ctx
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print(httpd.server_address[1], flush=True)
        sys.stderr.write(f"fake-kubelet: https://127.0.0.1:{httpd.server_address[1]} profile={args.profile}\n")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
