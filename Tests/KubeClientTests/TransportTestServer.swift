import Foundation
import Testing

/// A throwaway PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1, localhost
/// and kube.test, client certificates with each supported key format, and a second, unrelated CA.
struct TestPKI: Sendable {
    let directory: URL
    let authority: Data
    let otherAuthority: Data
    let clients: [ClientKeyFormat: ClientIdentity]
    /// Signed by the unrelated CA, so the server must refuse it.
    let untrustedClient: ClientIdentity

    struct ClientIdentity: Sendable {
        let commonName: String
        let certificate: Data
        let key: Data
    }

    var serverCertificatePath: String { directory.appendingPathComponent("server.crt").path }
    var serverKeyPath: String { directory.appendingPathComponent("server.key").path }
    var authorityPath: String { directory.appendingPathComponent("ca.crt").path }

    /// Generated once per test run; every test shares it.
    static let shared: Result<TestPKI, TestSetupError> = Result { try TestPKI.generate() }
        .mapError { $0 as? TestSetupError ?? TestSetupError(String(describing: $0)) }

    private static let directoryPrefix = "lookout-transport-"

    private static func generate() throws -> TestPKI {
        removeDirectoriesOfEndedRuns()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(directoryPrefix)\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ arguments: String...) throws { try run("/usr/bin/env", ["openssl"] + arguments, in: directory) }
        func write(_ name: String, _ text: String) throws { try text.write(toFile: path(name), atomically: true, encoding: .utf8) }

        for authority in ["ca", "other-ca"] {
            try openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", "\(authority).key", "-out", "\(authority).crt", "-days", "2",
                        "-subj", "/CN=lookout test \(authority)",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        }
        try write("server.ext", """
            subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kube.test
            extendedKeyUsage=serverAuth
            basicConstraints=CA:FALSE
            """)
        try write("client.ext", "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        try openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key")
        try sign(key: "server.key", subject: "/CN=lookout test server", extensions: "server.ext",
                 authority: "ca", output: "server.crt")

        var clients: [ClientKeyFormat: ClientIdentity] = [:]
        for format in ClientKeyFormat.allCases {
            let key = "client-\(format.rawValue).key"
            switch format {
            case .rsaPKCS1: try openssl("genrsa", "-traditional", "-out", key, "2048")
            case .pkcs8: try openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
            case .ec: try openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
            }
            let certificate = "client-\(format.rawValue).crt"
            try sign(key: key, subject: "/O=system:masters/CN=client-\(format.rawValue)", extensions: "client.ext",
                     authority: "ca", output: certificate)
            clients[format] = try ClientIdentity(
                commonName: "client-\(format.rawValue)", certificate: read(certificate), key: read(key))
        }
        try sign(key: "client-ec.key", subject: "/CN=intruder", extensions: "client.ext",
                 authority: "other-ca", output: "intruder.crt")

        func sign(key: String, subject: String, extensions: String, authority: String, output: String) throws {
            try openssl("req", "-new", "-key", key, "-subj", subject, "-out", "\(output).csr")
            try openssl("x509", "-req", "-in", "\(output).csr", "-CA", "\(authority).crt", "-CAkey", "\(authority).key",
                        "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", output)
        }
        func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }

        return try TestPKI(
            directory: directory, authority: read("ca.crt"), otherAuthority: read("other-ca.crt"), clients: clients,
            untrustedClient: ClientIdentity(commonName: "intruder", certificate: read("intruder.crt"), key: read("client-ec.key")))
    }
}

extension TestPKI {
    /// The shared peers outlive every test, so a run cannot delete its own directory; the next run
    /// deletes those whose process has ended.
    private static func removeDirectoriesOfEndedRuns() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            guard let pid = pid_t(name.dropFirst(directoryPrefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }
}

enum ClientKeyFormat: String, CaseIterable, Sendable {
    case rsaPKCS1 = "pkcs1"
    case pkcs8
    case ec

    /// The first line of a key in this format.
    var pemHeader: String {
        switch self {
        case .rsaPKCS1: "-----BEGIN RSA PRIVATE KEY-----"
        case .pkcs8: "-----BEGIN PRIVATE KEY-----"
        case .ec: "-----BEGIN EC PRIVATE KEY-----"
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion, failing with its stderr when it fails.
func run(_ executable: String, _ arguments: [String], in directory: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
    }
}

/// A Python peer on a loopback port: an HTTPS server (see `script`), or a CONNECT proxy that logs
/// each tunnel it opens.
///
/// Unchecked: its state never changes after `start`, and `Process.terminate` may be called from any thread.
final class TestPeer: @unchecked Sendable {
    enum Kind {
        case https(clientCertificates: ClientCertificatePolicy)
        case proxy(log: URL)
    }

    enum ClientCertificatePolicy: String {
        case optional, required
    }

    let port: Int
    private let process: Process
    /// The peer exits when this pipe closes, so it cannot outlive the test process even after a crash.
    private let lifeline: Pipe

    private init(port: Int, process: Process, lifeline: Pipe) {
        self.port = port
        self.process = process
        self.lifeline = lifeline
    }

    /// Started on first use and left running for the rest of the test process; the lifeline ends them.
    static func shared(_ policy: ClientCertificatePolicy) -> Task<TestPeer, any Error> {
        switch policy {
        case .optional: sharedOptional
        case .required: sharedRequired
        }
    }

    private static let sharedOptional = Task { try await start(.https(clientCertificates: .optional), pki: TestPKI.shared.get()) }
    private static let sharedRequired = Task { try await start(.https(clientCertificates: .required), pki: TestPKI.shared.get()) }

    static func start(_ kind: Kind, pki: TestPKI) async throws -> TestPeer {
        let script = pki.directory.appendingPathComponent("peer.py")
        if !FileManager.default.fileExists(atPath: script.path) {
            try Self.script.write(to: script, atomically: true, encoding: .utf8)
        }
        var arguments = [script.path]
        switch kind {
        case .https(let policy):
            arguments += ["https", pki.serverCertificatePath, pki.serverKeyPath, pki.authorityPath, policy.rawValue]
        case .proxy(let log):
            arguments += ["proxy", log.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        let lifeline = Pipe()
        process.standardOutput = output
        process.standardInput = lifeline
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The peer prints its port once it listens; reading blocks, so it happens off the cooperative pool.
        let firstLine = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var data = Data()
                while !data.contains(UInt8(ascii: "\n")) {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        guard firstLine.hasPrefix("PORT "),
              let port = Int(firstLine.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestSetupError("the test peer did not start: \(firstLine)")
        }
        return TestPeer(port: port, process: process, lifeline: lifeline)
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    private static let script = #"""
import gzip, json, os, socket, socketserver, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

def exit_with_parent():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()

lock = threading.Lock()
answered = {}
stats = {"activeConnections": 0, "peakConnections": 0, "totalConnections": 0,
         "activeRequests": 0, "peakRequests": 0}

def count(active, peak, delta):
    with lock:
        stats[active] += delta
        stats[peak] = max(stats[peak], stats[active])
        if active == "activeConnections" and delta > 0:
            stats["totalConnections"] += 1

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        self.request.settimeout(30)
        self.request.do_handshake()
        count("activeConnections", "peakConnections", 1)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            count("activeConnections", "peakConnections", -1)

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def respond(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        count("activeRequests", "peakRequests", 1)
        try:
            self.route(url.path, query, body)
        finally:
            count("activeRequests", "peakRequests", -1)

    def route(self, path, query, body):
        if path == "/echo":
            peer = self.request.getpeercert()
            subject = None
            if peer:
                subject = dict(item[0] for item in peer["subject"]).get("commonName")
            echo = {"method": self.command, "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8"), "clientSubject": subject,
                    "serverName": getattr(self.request, "lookout_sni", None)}
            self.reply(200, json.dumps(echo).encode(), [("Content-Type", "application/json")])
        elif path == "/status":
            self.reply(int(query["code"]), b'{"kind":"Status"}', [("X-Repeated", "one"), ("X-Repeated", "two")])
        elif path == "/work":
            time.sleep(int(query["ms"]) / 1000)
            self.reply(200, b"done")
        elif path == "/slow":
            time.sleep(float(query["seconds"]))
            self.reply(200, b"late")
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(float(query["seconds"]))
        elif path == "/gzip":
            plain = ("lookout " * 5000).encode()
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.reply(200, gzip.compress(plain), [("Content-Encoding", "gzip")])
            else:
                self.reply(200, plain)
        elif path == "/bytes":
            size = int(query["count"])
            self.reply(200, bytes(i % 251 for i in range(size)))
        elif path.startswith("/truncated-list/"):
            # /truncated-list/KEY/BAD: the first BAD answers for KEY are half of the JSON with a
            # consistent Content-Length (what a cutting proxy sends), then the whole list.
            _, _, key, bad = path.split("/")
            with lock:
                answered[key] = answered.get(key, 0) + 1
                seen = answered[key]
            full = json.dumps({"kind": "PodList", "metadata": {}, "items": [{"metadata": {"name": "a"}}]}).encode()
            self.reply(200, full[: len(full) // 2] if seen <= int(bad) else full, [("Content-Type", "application/json")])
        elif path.startswith("/paged-list/"):
            # /paged-list/KEY/BAD: three pages of two items, continue tokens "KEY-p2", "KEY-p3"; the first
            # answer to page BAD is cut after its metadata (a consistent Content-Length). A first page is a
            # new list each time: its token names the answer ("KEY-p2-N"), which a page after it accepts.
            _, _, key, bad = path.split("/")
            token = query.get("continue", "")
            number = 1 if not token else int(token.split("-p")[1].split("-")[0])
            with lock:
                answered[(key, number)] = answered.get((key, number), 0) + 1
                seen = answered[(key, number)]
            next_token = f"{key}-p{number + 1}" + (f"-{seen}" if number == 1 else "") if number < 3 else ""
            page = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": next_token},
                               "items": [{"metadata": {"name": f"{number}{letter}"}} for letter in "ab"]},
                              separators=(",", ":")).encode()
            cut = page[: page.index(b'"items"') + 12] if number == int(bad) and seen == 1 else page
            self.reply(200, cut, [("Content-Type", "application/json")])
        elif path.startswith("/proxy-down/"):
            # What the API server's node proxy answers for a kubelet it cannot dial; counted per KEY.
            with lock:
                answered[path] = answered.get(path, 0) + 1
            status = {"kind": "Status", "status": "Failure", "code": 503,
                      "message": "error trying to reach service: dial tcp 10.0.0.9:10250: connect: connection refused"}
            self.reply(503, json.dumps(status).encode(), [("Content-Type", "application/json")])
        elif path.startswith("/answered/"):
            with lock:
                self.reply(200, str(answered.get("/proxy-down/" + path.split("/")[2], 0)).encode())
        elif path == "/stats":
            with lock:
                self.reply(200, json.dumps(stats).encode(), [("Content-Type", "application/json")])
        else:
            self.reply(404, b"not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = respond

class TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context):
        super().__init__(("127.0.0.1", 0), Handler)
        self.context = context

    def get_request(self):
        connection, address = self.socket.accept()
        # The handshake runs in the connection's own thread (Handler.setup), so a slow or failing
        # client cannot hold up the others.
        return self.context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, address):
        pass

class ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        stream = self.request.makefile("rb")
        request_line = stream.readline().decode().strip()
        while stream.readline() not in (b"\r\n", b"\n", b""):
            pass
        method, target, _ = request_line.split(" ", 2)
        with open(sys.argv[2], "a") as log:
            log.write(request_line + "\n")
        host, port = target.rsplit(":", 1)
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
        threading.Thread(target=pump, args=(upstream, self.request), daemon=True).start()
        pump(self.request, upstream)

class ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

if sys.argv[1] == "https":
    certificate, key, authority, policy = sys.argv[2:6]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    context.load_verify_locations(authority)
    context.verify_mode = ssl.CERT_REQUIRED if policy == "required" else ssl.CERT_OPTIONAL
    def remember_server_name(connection, name, _):
        connection.lookout_sni = name
    context.sni_callback = remember_server_name
    server = TLSServer(context)
else:
    server = ProxyServer(("127.0.0.1", 0), ProxyHandler)

print("PORT", server.server_address[1], flush=True)
server.serve_forever()
"""#
}

/// Runs `body` against a fresh peer and stops the peer afterwards, whatever happens.
func withPeer<T>(
    _ kind: TestPeer.Kind = .https(clientCertificates: .optional), pki: TestPKI,
    _ body: (TestPeer) async throws -> T
) async throws -> T {
    let peer = try await TestPeer.start(kind, pki: pki)
    defer { peer.stop() }
    return try await body(peer)
}

/// A loopback port nothing listens on: bound, read back and released.
func unusedLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw TestSetupError("cannot bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
