#!/usr/bin/env python3
"""fault-proxy.py — an HTTPS proxy in front of the real test API server that injects faults.

Lookout's fault tests point a kubeconfig at this proxy instead of the API server started by
Tests/cluster/apiserver.sh. It serves TLS with its own certificate (signed by the harness CA in
STATE_DIR/pki, for 127.0.0.1 and localhost), forwards every request to the real server and, on the
requests that a rule selects, answers with a fault instead of (or in the middle of) the real answer.
Python 3 standard library and the openssl command only.

Usage
  fault-proxy.py --state STATE_DIR [--spec JSON|FILE] [--tls ok|wrong-name|unknown-ca]
                 [--kubeconfig-out PATH] [--log PATH] [--port N] [--lifeline]

  --state           the harness state dir (its env file names the upstream URL, CA and admin cert)
  --spec            the fault rules: inline JSON (starting with [ or {) or a JSON file; none = clean
  --tls             ok (default): a valid certificate from the harness CA; wrong-name: signed by
                    the harness CA but only for DNS:wrong-name.invalid; unknown-ca: signed by a CA
                    made at start that no kubeconfig trusts
  --kubeconfig-out  write a copy of STATE_DIR/admin.kubeconfig whose server is this proxy
  --log             append one JSON line per request: {"n", "method", "path", "rule", "fault"}
                    ("rule"/"fault" are null on requests passed through untouched; a delayed
                    request's line also has "upstream": the real server's status)
  --port            listen port (default 0: any free port)
  --lifeline        exit when stdin reaches EOF, so the proxy cannot outlive a test process that
                    holds the other end of a pipe, even one that crashed
The first line on stdout is the port, printed once the socket is listening. SIGTERM stops it (the
proxy unblocks it first: a child of a Swift test can inherit a signal mask that blocks it).

Upstream authentication: a request that carries an Authorization header (token, exec plugin) is
forwarded with that header and no client certificate; any other request is forwarded with the
harness admin client certificate (a client certificate presented to the proxy cannot be relayed).

Spec: one rule object or a list of them. The first rule whose selectors match a request decides it.
  selectors   "path": regex searched in the request path with its query (default: every request)
              "method": e.g. "GET"            "continue": true = only requests with a continue token
              "every": N = the Nth, 2Nth... matching request (default 1 = each one)
              "after": K = leave the first K matching requests alone (default 0)
              "times": M = inject at most M times, then pass through (default: no limit)
  faults ("fault": ...)
    "status"         answer "status" (e.g. 429, 500, 503, 410) with a metav1.Status body, and a
                     Retry-After header carrying "retryAfter" verbatim when given (any string:
                     "1", "nan", "-inf", "-1e300", "1e308", "soon")
    "reset"          send the real headers and "fraction" (default 0.5) of the real body, then
                     reset the TCP connection
    "chunked-cut"    send the real body chunked, "fraction" of it, then close without the last chunk
    "truncate"       answer 200 with the first "fraction" of the real JSON body and a
                     Content-Length that matches the bytes sent (a well-formed, short answer)
    "slow"           send the headers and "fraction" of the body, wait "seconds" (default 3600),
                     then the rest
    "continue-loop"  on a LIST page, replace metadata.continue with a token of "tokens" (default
                     ["fault-proxy-loop"]); a request carrying one of these tokens is forwarded
                     without it (the first page again) and answered with the next token in the
                     cycle: ["a"] repeats one token forever, ["a", "b"] cycles a → b → a ...
    "oversize"       answer 200, chunked: "bytes" (default 4 GiB) of JSON whitespace, then the
                     real body (a valid document far larger than any cap should allow)
    "delay"          wait "seconds" (default 5) before forwarding the request, then pass the real
                     answer through: a continue token ages past etcd's compaction, and the real
                     server answers 410 Gone

Examples
  --spec '{"fault": "status", "status": 429, "retryAfter": "nan", "path": "/api/v1/pods", "times": 2}'
  --spec '[{"fault": "status", "status": 410, "continue": true},
           {"fault": "truncate", "path": "limit=", "every": 3}]'
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Hop-by-hop and encoding headers the proxy manages itself.
_DROP_REQUEST = {"host", "connection", "keep-alive", "proxy-connection", "te", "upgrade",
                 "transfer-encoding", "accept-encoding", "content-length"}
_DROP_RESPONSE = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def read_env(state):
    env = {}
    with open(os.path.join(state, "env")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            env[key] = value.strip("'\"")
    return env


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_serving_cert(tmp, state, mode):
    """Returns (cert, key) paths for the requested TLS mode."""
    ca_crt, ca_key = os.path.join(state, "pki", "ca.crt"), os.path.join(state, "pki", "ca.key")
    if mode == "unknown-ca":
        ca_crt, ca_key = os.path.join(tmp, "unknown-ca.crt"), os.path.join(tmp, "unknown-ca.key")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt, "-days", "2",
                "-subj", "/CN=fault-proxy-unknown-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    names = "DNS:wrong-name.invalid" if mode == "wrong-name" else "IP:127.0.0.1,DNS:localhost"
    key, csr, crt, ext = (os.path.join(tmp, "serving." + s) for s in ("key", "csr", "crt", "ext"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=fault-proxy")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % names)
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-CAserial", os.path.join(tmp, "ca.srl"), "-days", "2", "-extfile", ext, "-out", crt)
    return crt, key


def load_spec(value):
    if not value:
        return []
    text = value if value.lstrip()[:1] in "[{" else open(value).read()
    spec = json.loads(text)
    rules = spec if isinstance(spec, list) else [spec]
    known = {"status", "reset", "chunked-cut", "truncate", "slow", "continue-loop", "oversize", "delay"}
    for i, rule in enumerate(rules):
        if rule.get("fault") not in known:
            raise SystemExit("fault-proxy: rule %d: fault must be one of %s" % (i, ", ".join(sorted(known))))
        if rule["fault"] == "status" and not isinstance(rule.get("status"), int):
            raise SystemExit("fault-proxy: rule %d: a status fault needs an integer \"status\"" % i)
        rule["_re"] = re.compile(rule.get("path", ""))
    return rules


class Rules:
    """Per-rule counters, shared by the handler threads."""

    def __init__(self, rules):
        self.rules = rules
        self.lock = threading.Lock()
        self.matched = [0] * len(rules)
        self.injected = [0] * len(rules)
        self.requests = 0

    def decide(self, method, target, has_continue):
        """(request number, rule index or None) for this request."""
        with self.lock:
            self.requests += 1
            for i, rule in enumerate(self.rules):
                if rule.get("method", method).upper() != method:
                    continue
                if rule.get("continue") and not has_continue:
                    continue
                if not rule["_re"].search(target):
                    continue
                self.matched[i] += 1
                n = self.matched[i] - rule.get("after", 0)
                if n <= 0 or n % rule.get("every", 1) != 0:
                    return self.requests, None
                if "times" in rule and self.injected[i] >= rule["times"]:
                    return self.requests, None
                self.injected[i] += 1
                return self.requests, i
            return self.requests, None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ssl_context = None
    upstream = None          # (host, port)
    upstream_ssl = None      # with the admin client certificate
    upstream_ssl_bare = None  # the same trust, no client certificate
    rules = None
    log_file = None
    log_lock = threading.Lock()
    loop_tokens = {}         # synthetic continue token -> (rule index, position in its cycle)

    def get_request(self):
        sock, addr = self.socket.accept()
        # The handshake runs in the handler's thread, so a client that rejects the certificate
        # (the wrong-name and unknown-ca modes) never blocks the accept loop.
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # clients that reject the certificate or hang up mid-fault are the point of this proxy

    def log(self, record):
        if self.log_file:
            with self.log_lock, open(self.log_file, "a") as f:
                f.write(json.dumps(record) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"

    def setup(self):
        super().setup()
        self.request.do_handshake()

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.proxy()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    # ---------------------------------------------------------------------------------- forwarding
    def upstream_request(self, target, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROP_REQUEST}
        authorized = any(k.lower() == "authorization" for k in headers)
        context = self.server.upstream_ssl_bare if authorized else self.server.upstream_ssl
        host, port = self.server.upstream
        conn = http.client.HTTPSConnection(host, port, context=context, timeout=120)
        try:
            conn.request(self.command, target, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            return answer.status, [(k, v) for k, v in answer.getheaders() if k.lower() not in _DROP_RESPONSE], data
        finally:
            conn.close()

    def send_head(self, status, headers, length=None, chunked=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def reset_connection(self):
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    # ---------------------------------------------------------------------------------- one request
    def proxy(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        token = next((v for k, v in query if k == "continue"), None)
        n, index = self.server.rules.decide(self.command, self.path, token is not None)

        # A synthetic token of a continue-loop rule is always answered by that rule: the loop is the fault.
        loop = self.server.loop_tokens.get(token) if token is not None else None
        if loop is not None:
            index = loop[0]
        rule = self.server.rules.rules[index] if index is not None else None
        record = {"n": n, "method": self.command, "path": self.path, "rule": index,
                  "fault": rule["fault"] if rule else None}
        delayed = rule is not None and rule["fault"] == "delay"
        if delayed:
            threading.Event().wait(rule.get("seconds", 5))
        else:
            self.server.log(record)

        if rule and rule["fault"] == "status":
            return self.answer_status(rule)

        target = self.path
        if loop is not None:  # forward without the synthetic token: the first page again
            target = urllib.parse.urlunsplit(("", "", parsed.path, urllib.parse.urlencode(
                [(k, v) for k, v in query if k != "continue"]), ""))
        try:
            status, headers, data = self.upstream_request(target, body)
        except (OSError, http.client.HTTPException) as error:
            if delayed:
                self.server.log(record)
            self.answer_status({"status": 502, "message": "fault-proxy: upstream failed: %s" % error})
            return
        if delayed:
            self.server.log(dict(record, upstream=status))
        if rule is None or delayed:
            self.send_head(status, headers, len(data))
            self.wfile.write(data)
            return
        getattr(self, "fault_" + rule["fault"].replace("-", "_"))(rule, index, status, headers, data, loop)

    def answer_status(self, rule):
        status = rule["status"]
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                           "message": rule.get("message", "fault-proxy: injected %d" % status),
                           "code": status}).encode()
        headers = [("Content-Type", "application/json")]
        if "retryAfter" in rule:
            headers.append(("Retry-After", str(rule["retryAfter"])))
        self.send_head(status, headers, len(body))
        self.wfile.write(body)

    def fault_reset(self, rule, index, status, headers, data, loop):
        self.send_head(status, headers, len(data))
        self.wfile.write(data[: int(len(data) * rule.get("fraction", 0.5))])
        self.reset_connection()

    def fault_chunked_cut(self, rule, index, status, headers, data, loop):
        self.send_head(status, headers, chunked=True)
        part = data[: int(len(data) * rule.get("fraction", 0.5))]
        if part:
            self.write_chunk(part)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def fault_truncate(self, rule, index, status, headers, data, loop):
        part = data[: int(len(data) * rule.get("fraction", 0.5))]
        self.send_head(status, headers, len(part))
        self.wfile.write(part)

    def fault_slow(self, rule, index, status, headers, data, loop):
        cut = int(len(data) * rule.get("fraction", 0.5))
        self.send_head(status, headers, len(data))
        self.wfile.write(data[:cut])
        threading.Event().wait(rule.get("seconds", 3600))
        self.wfile.write(data[cut:])

    def fault_oversize(self, rule, index, status, headers, data, loop):
        self.send_head(status, headers, chunked=True)
        remaining, block = rule.get("bytes", 4 << 30), b" " * (1 << 20)
        while remaining > 0:
            self.write_chunk(block[: min(remaining, len(block))])
            remaining -= len(block)
        self.write_chunk(data)
        self.wfile.write(b"0\r\n\r\n")

    def fault_continue_loop(self, rule, index, status, headers, data, loop):
        tokens = rule.get("tokens", ["fault-proxy-loop"])
        position = (loop[1] + 1) % len(tokens) if loop is not None else 0
        try:
            document = json.loads(data)
            if status != 200 or not isinstance(document.get("items"), list):
                raise ValueError("not a list")
        except ValueError:
            self.send_head(status, headers, len(data))
            self.wfile.write(data)
            return
        document.setdefault("metadata", {})["continue"] = tokens[position]
        self.server.loop_tokens[tokens[position]] = (index, position)
        data = json.dumps(document).encode()
        self.send_head(status, headers, len(data))
        self.wfile.write(data)


def write_kubeconfig(state, url, path):
    with open(os.path.join(state, "admin.kubeconfig")) as f:
        text = f.read()
    text = re.sub(r"(?m)^(\s*server:\s*).*$", lambda m: m.group(1) + url, text)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", required=True)
    parser.add_argument("--spec")
    parser.add_argument("--tls", choices=["ok", "wrong-name", "unknown-ca"], default="ok")
    parser.add_argument("--kubeconfig-out")
    parser.add_argument("--log")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifeline", action="store_true")
    args = parser.parse_args()

    env = read_env(args.state)
    upstream = urllib.parse.urlsplit(env["LOOKOUT_REALAPI_URL"])
    rules = load_spec(args.spec)
    tmp = tempfile.mkdtemp(prefix="fault-proxy.")
    try:
        crt, key = make_serving_cert(tmp, args.state, args.tls)
        serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        serving.load_cert_chain(crt, key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def client_context(with_cert):
        ctx = ssl.create_default_context(cafile=env["LOOKOUT_REALAPI_CA"])
        if with_cert:
            ctx.load_cert_chain(env["LOOKOUT_REALAPI_CLIENT_CERT"], env["LOOKOUT_REALAPI_CLIENT_KEY"])
        return ctx

    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.ssl_context = serving
    httpd.upstream = (upstream.hostname, upstream.port)
    httpd.upstream_ssl = client_context(True)
    httpd.upstream_ssl_bare = client_context(False)
    httpd.rules = Rules(rules)
    httpd.log_file = args.log
    port = httpd.server_address[1]
    if args.kubeconfig_out:
        write_kubeconfig(args.state, "https://127.0.0.1:%d" % port, args.kubeconfig_out)
    def stop(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if args.lifeline:
        def watch_stdin():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(port, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
