import Foundation
import KubeClient
import Testing

/// What the test peer's /echo endpoint saw.
private struct Echo: Decodable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
    var clientSubject: String?
    var serverName: String?

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(Echo.self, from: response.body)
    }
}

/// Connection and request counters kept by the test peer.
private struct PeerStats: Decodable {
    var peakConnections: Int
    var totalConnections: Int
    var peakRequests: Int
}

private extension TransportError {
    enum Category {
        case tls, connection, timeout, invalidConfiguration, cancelled, bodyTooLarge, other
    }

    var category: Category {
        switch self {
        case .tls: .tls
        case .connection: .connection
        case .timeout: .timeout
        case .invalidConfiguration: .invalidConfiguration
        case .cancelled: .cancelled
        case .bodyTooLarge: .bodyTooLarge
        case .other: .other
        }
    }
}

private extension Result {
    var error: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

@Suite("CurlTransport against a local TLS peer")
struct TransportTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI.shared.get()
    }

    /// A peer shared by every test that needs neither fresh counters nor a peer of its own.
    private func sharedPeer(_ policy: TestPeer.ClientCertificatePolicy = .optional) async throws -> TestPeer {
        try await TestPeer.shared(policy).value
    }

    private func url(_ peer: TestPeer, _ path: String, host: String = "127.0.0.1") -> String {
        "https://\(host):\(peer.port)\(path)"
    }

    /// A transport that trusts the test CA, adjusted by `adjust`.
    private func transport(_ adjust: (inout TransportOptions) -> Void = { _ in }) throws -> CurlTransport {
        var options = TransportOptions(tls: TLSOptions(certificateAuthorityPEM: pki.authority))
        adjust(&options)
        return try CurlTransport(options: options)
    }

    private func failure(
        _ transport: CurlTransport, _ request: HTTPRequest
    ) async -> TransportError? {
        await #expect(throws: TransportError.self) { try await transport.send(request) }
    }

    // MARK: Server trust

    @Test func trustedAuthoritySucceeds() async throws {
        let peer = try await sharedPeer()
        let response = try await transport().send(HTTPRequest(url: url(peer, "/echo")))
        #expect(response.status == 200)
        let echo = try Echo(response)
        #expect(echo.method == "GET")
        #expect(echo.clientSubject == nil)
    }

    @Test func wrongAuthorityIsATLSError() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.tls.certificateAuthorityPEM = pki.otherAuthority }
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        #expect(error?.category == .tls)
        #expect(error?.description.contains("not trusted by the configured certificate authority") == true)
        #expect(error?.isRetryable == false)
    }

    @Test func withoutAnAuthorityTheTestCAIsNotTrusted() async throws {
        let peer = try await sharedPeer()
        let transport = try CurlTransport(options: TransportOptions())
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        #expect(error?.category == .tls)
        #expect(error?.description.contains("system trust store") == true)
    }

    @Test func unreadableAuthorityDataIsATLSError() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.tls.certificateAuthorityPEM = Data("not a certificate".utf8) }
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        #expect(error?.category == .tls)
        #expect(error?.description.contains("certificate authority data") == true)
    }

    @Test func insecureSkipVerifyAcceptsTheServer() async throws {
        let peer = try await sharedPeer()
        for authority in [nil, pki.otherAuthority] {
            let transport = try CurlTransport(options: TransportOptions(
                tls: TLSOptions(certificateAuthorityPEM: authority, insecureSkipVerify: true)))
            let response = try await transport.send(HTTPRequest(url: url(peer, "/echo", host: "localhost")))
            #expect(response.status == 200)
        }
    }

    @Test func serverNameIsVerifiedWhileConnectingToTheURLHost() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.tls.serverName = "kube.test" }
        let echo = try await Echo(transport.send(HTTPRequest(url: url(peer, "/echo?x=1"))))
        #expect(echo.serverName == "kube.test")
        #expect(echo.path == "/echo?x=1")
        // As with client-go, only TLS sees the server name; Host still names the URL's authority.
        #expect(echo.headers["host"] == "127.0.0.1:\(peer.port)")
    }

    @Test func wrongServerNameIsATLSError() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.tls.serverName = "wrong.test" }
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        #expect(error?.category == .tls)
        #expect(error?.description.contains("\"wrong.test\"") == true)
    }

    // MARK: Client certificates

    @Test(arguments: ClientKeyFormat.allCases)
    func clientCertificateIsPresented(format: ClientKeyFormat) async throws {
        let identity = try #require(pki.clients[format])
        #expect(String(decoding: identity.key, as: UTF8.self).hasPrefix(format.pemHeader))
        let peer = try await sharedPeer(.required)
        let transport = try transport {
            $0.tls.clientCertificatePEM = identity.certificate
            $0.tls.clientKeyPEM = identity.key
        }
        let echo = try await Echo(transport.send(HTTPRequest(url: url(peer, "/echo"))))
        #expect(echo.clientSubject == identity.commonName)
    }

    @Test func clientCertificateAndKeyInOnePEMArePresented() async throws {
        let identity = try #require(pki.clients[.ec])
        let peer = try await sharedPeer(.required)
        let transport = try transport { $0.tls.clientCertificatePEM = identity.certificate + identity.key }
        let echo = try await Echo(transport.send(HTTPRequest(url: url(peer, "/echo"))))
        #expect(echo.clientSubject == identity.commonName)
    }

    @Test func serverRejectingTheClientCertificateIsReported() async throws {
        let peer = try await sharedPeer()
        let transport = try transport {
            $0.tls.clientCertificatePEM = pki.untrustedClient.certificate
            $0.tls.clientKeyPEM = pki.untrustedClient.key
        }
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        expectClientCertificateRefusal(error)
    }

    @Test func missingRequiredClientCertificateIsReported() async throws {
        let peer = try await sharedPeer(.required)
        let error = await failure(try transport(), HTTPRequest(url: url(peer, "/echo")))
        expectClientCertificateRefusal(error)
    }

    /// With TLS 1.3 the server's refusal is an alert after the handshake, and the reset from its close
    /// can overtake the alert; either way the message must point at the client certificate.
    private func expectClientCertificateRefusal(_ error: TransportError?) {
        #expect(error?.category == .tls || error?.category == .connection)
        #expect(error?.description.contains("client certificate") == true, "\(String(describing: error))")
    }

    @Test func unusableClientKeyIsATLSErrorThatRevealsNoKeyMaterial() async throws {
        let identity = try #require(pki.clients[.rsaPKCS1])
        let otherKey = try #require(pki.clients[.ec]).key
        let peer = try await sharedPeer()
        for key in [Data("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n".utf8), otherKey] {
            let transport = try transport {
                $0.tls.clientCertificatePEM = identity.certificate
                $0.tls.clientKeyPEM = key
            }
            let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
            #expect(error?.category == .tls)
            let message = error?.description ?? ""
            #expect(message.contains("client certificate or key"))
            let secretLines = (String(decoding: key, as: UTF8.self) + String(decoding: identity.certificate, as: UTF8.self))
                .split(separator: "\n").filter { !$0.hasPrefix("-----") }
            #expect(!secretLines.contains { message.contains($0) })
            #expect(!message.contains("BEGIN"))
        }
    }

    // MARK: Requests and responses

    @Test func methodHeadersBodyAndUserAgentAreSent() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.userAgent = "lookout/9.9.9" }
        let request = HTTPRequest(
            method: "POST", url: url(peer, "/echo"),
            headers: [HTTPHeader(name: "Authorization", value: "Bearer abc.def"),
                      HTTPHeader(name: "Content-Type", value: "application/json"),
                      HTTPHeader(name: "X-Empty", value: "")],
            body: Data(#"{"kind":"Lookout"}"#.utf8))
        let echo = try await Echo(transport.send(request))
        #expect(echo.method == "POST")
        #expect(echo.body == #"{"kind":"Lookout"}"#)
        #expect(echo.headers["authorization"] == "Bearer abc.def")
        #expect(echo.headers["content-type"] == "application/json")
        #expect(echo.headers["x-empty"] == "")
        #expect(echo.headers["user-agent"] == "lookout/9.9.9")
        #expect(echo.headers["expect"] == nil)
    }

    @Test func everyMethodIsSentAsGiven() async throws {
        let peer = try await sharedPeer()
        let transport = try transport()
        for (method, body) in [("GET", nil), ("GET", "query"), ("POST", nil), ("PUT", "put"), ("PATCH", "patch"), ("DELETE", nil)] {
            let request = HTTPRequest(method: method, url: url(peer, "/echo"), body: body.map { Data($0.utf8) })
            let echo = try await Echo(transport.send(request))
            #expect(echo.method == method)
            #expect(echo.body == body ?? "")
        }
        let head = try await transport.send(HTTPRequest(method: "HEAD", url: url(peer, "/echo")))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test func httpErrorStatusIsAResponse() async throws {
        let peer = try await sharedPeer()
        let response = try await transport().send(HTTPRequest(url: url(peer, "/status?code=503")))
        #expect(response.status == 503)
        #expect(response.body == Data(#"{"kind":"Status"}"#.utf8))
        #expect(response.header("X-Repeated") == "one, two")
        #expect(response.headers["content-length"] == "17")
    }

    @Test func gzipBodiesAreDecoded() async throws {
        let peer = try await sharedPeer()
        let response = try await transport().send(HTTPRequest(url: url(peer, "/gzip")))
        #expect(response.header("content-encoding") == "gzip")
        #expect(response.body == Data(String(repeating: "lookout ", count: 5000).utf8))
    }

    @Test func largeBodyArrivesIntact() async throws {
        let peer = try await sharedPeer()
        let count = 3_000_000
        let response = try await transport().send(HTTPRequest(url: url(peer, "/bytes?count=\(count)")))
        #expect(response.body.count == count)
        #expect(response.body.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
    }

    /// Issue 11 defect 5: bodies had no size cap, so a kubelet behind the node proxy could stream gigabytes.
    @Test func bodyLargerThanTheCapFailsTheRequest() async throws {
        let peer = try await sharedPeer()
        let capped = try transport { $0.maxResponseBytes = 1 << 20 }
        let error = await failure(capped, HTTPRequest(url: url(peer, "/bytes?count=3000000")))
        #expect(error?.description == "the response body is larger than 1 MiB, the most Lookout accepts")
        #expect(error?.isRetryable == false)
        let response = try await capped.send(HTTPRequest(url: url(peer, "/bytes?count=1048576")))
        #expect(response.body.count == 1 << 20)
    }

    // MARK: Proxies

    @Test func proxyURLTunnelsToTheServer() async throws {
        let log = pki.directory.appendingPathComponent("proxy-\(UUID().uuidString).log")
        let server = try await sharedPeer()
        try await withPeer(.proxy(log: log), pki: pki) { proxy in
            for serverName in [nil, "kube.test"] {
                let transport = try transport {
                    $0.proxyURL = "http://127.0.0.1:\(proxy.port)"
                    $0.tls.serverName = serverName
                }
                let echo = try await Echo(transport.send(HTTPRequest(url: url(server, "/echo"))))
                #expect(echo.serverName == serverName)
            }
            // With a server name the tunnel still goes to the URL's host, not to the name.
            let tunnels = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            #expect(tunnels == Array(repeating: "CONNECT 127.0.0.1:\(server.port) HTTP/1.1", count: 2))
        }
    }

    @Test func unreachableProxyIsAConnectionError() async throws {
        let proxyPort = try unusedLoopbackPort()
        let peer = try await sharedPeer()
        let transport = try transport { $0.proxyURL = "http://127.0.0.1:\(proxyPort)" }
        let error = await failure(transport, HTTPRequest(url: url(peer, "/echo")))
        #expect(error?.category == .connection)
    }

    // MARK: Network failures

    @Test func refusedConnectionIsARetryableConnectionError() async throws {
        let port = try unusedLoopbackPort()
        let error = await failure(try transport(), HTTPRequest(url: "https://127.0.0.1:\(port)/echo"))
        #expect(error?.category == .connection)
        #expect(error?.description.contains("\(port)") == true)
        #expect(error?.isRetryable == true)
    }

    @Test func slowServerTimesOut() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.requestTimeout = .seconds(1) }
        let started = ContinuousClock.now
        let error = await failure(transport, HTTPRequest(url: url(peer, "/slow?seconds=60")))
        #expect(error?.category == .timeout)
        #expect(error?.isRetryable == true)
        // The timeout, not the answer, ended it: far below the server's delay even on a loaded machine
        // (a 5 s bound failed at a load average of 20).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func stalledTransferHitsTheIdleTimeout() async throws {
        let peer = try await sharedPeer()
        let transport = try transport { $0.idleTimeout = .seconds(1) }
        let started = ContinuousClock.now
        let error = await failure(transport, HTTPRequest(url: url(peer, "/stall?seconds=60")))
        #expect(error?.category == .timeout)
        // libcurl judges the speed over a window of about five seconds, so a stall is noticed up
        // to that much later than idleTimeout alone suggests; the bound leaves room for a loaded
        // machine and stays far below the stall.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    // MARK: Concurrency, reuse and cancellation

    @Test func concurrentRequestsAreBoundedAndReuseConnections() async throws {
        try await withPeer(pki: pki) { peer in
            let transport = try transport { $0.maxConcurrentRequests = 4 }
            let work = HTTPRequest(url: url(peer, "/work?ms=100"))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await transport.send(work).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 50))
            let stats = try await JSONDecoder().decode(
                PeerStats.self, from: transport.send(HTTPRequest(url: url(peer, "/stats"))).body)
            #expect(stats.peakConnections <= 4)
            #expect(stats.peakRequests > 1, "requests should run in parallel")
            #expect(stats.totalConnections <= 4, "each transfer thread should keep its connection alive")
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withPeer(pki: pki) { peer in
            let transport = try transport()
            for _ in 0..<5 {
                _ = try await transport.send(HTTPRequest(url: url(peer, "/echo")))
            }
            let stats = try await JSONDecoder().decode(
                PeerStats.self, from: transport.send(HTTPRequest(url: url(peer, "/stats"))).body)
            #expect(stats.totalConnections == 1)
        }
    }

    @Test func cancellingTheTaskAbandonsTheRequest() async throws {
        let peer = try await sharedPeer()
        let transport = try transport()
        let started = ContinuousClock.now
        // The server would answer after 60 s: ending well before that proves the request was abandoned,
        // with room for a loaded machine (this is not a speed test).
        let slow = HTTPRequest(url: url(peer, "/slow?seconds=60"))
        let task = Task { try await transport.send(slow) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect((result.error as? TransportError)?.category == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    // MARK: Shutdown

    /// The threads are joined, not detached: when `shutdown` returns every one has ended (and freed its
    /// handle), so the process may `exit` without racing them; a second shutdown is harmless and a
    /// request after it fails at once instead of hanging.
    @Test func shutdownJoinsEveryTransferThread() async throws {
        let peer = try await sharedPeer()
        let threads = TransferThreads(capacity: 4)
        let transport = try CurlTransport(options: TransportOptions(tls: TLSOptions(certificateAuthorityPEM: pki.authority)), threads: threads)
        let work = HTTPRequest(url: url(peer, "/work?ms=50"))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 { group.addTask { try await transport.send(work).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 12))
        let started = threads.threadCounts.started
        #expect((2...4).contains(started), "requests should have run on several threads")
        #expect(threads.threadCounts.finished == 0, "idle threads wait for more work until the shutdown")
        await transport.shutdown()
        #expect(threads.threadCounts.finished == started)
        await transport.shutdown()
        await threads.shutdown()
        let error = await failure(transport, work)
        #expect(error?.description.contains("shut down") == true)
        #expect(threads.threadCounts.started == started)
    }

    /// Transports to different servers (the API server, a Pushgateway) share one set of threads: each
    /// transfer carries its own settings.
    @Test func transportsWithDifferentSettingsShareThreads() async throws {
        let peer = try await sharedPeer()
        let threads = TransferThreads(capacity: 1)
        let trusting = try CurlTransport(options: TransportOptions(tls: TLSOptions(certificateAuthorityPEM: pki.authority)), threads: threads)
        let distrusting = try CurlTransport(options: TransportOptions(tls: TLSOptions(certificateAuthorityPEM: pki.otherAuthority)), threads: threads)
        #expect(try await trusting.send(HTTPRequest(url: url(peer, "/echo"))).status == 200)
        #expect(await failure(distrusting, HTTPRequest(url: url(peer, "/echo")))?.category == .tls)
        #expect(try await trusting.send(HTTPRequest(url: url(peer, "/echo"))).status == 200)
        #expect(threads.threadCounts.started == 1)
        await threads.shutdown()
        #expect(threads.threadCounts.finished == 1)
    }

    // MARK: Invalid input

    /// A LIST page whose body is cut short (consistent Content-Length, half the JSON) is fetched again
    /// like a transport error; past the bound it is a decoding error.
    @Test func truncatedListBodiesAreRetriedBounded() async throws {
        let peer = try await sharedPeer()
        let api = try await KubeAPI(config: ConnectionConfig(
            server: url(peer, ""), tls: TLSOptions(certificateAuthorityPEM: pki.authority), origin: "test"))
        struct Item: Decodable, Sendable { struct Meta: Decodable, Sendable { var name: String }; var metadata: Meta }
        let key = UUID().uuidString
        let items = try await api.list("/truncated-list/\(key)/2", as: Item.self)
        #expect(items.map(\.metadata.name) == ["a"])
        await #expect(throws: APIError.self) { try await api.list("/truncated-list/\(key)-always/99", as: Item.self) }
    }

    /// A page cut short after its metadata: the next page was already asked for with its token, so the
    /// bad page alone is fetched again and every item comes once, in order. A bad first page comes back
    /// as a new list (another token): the list starts again rather than join pages of two lists.
    @Test(arguments: [2, 3, 1]) func pageCutAfterItsMetadataIsFetchedAgain(bad: Int) async throws {
        let peer = try await sharedPeer()
        let api = try await KubeAPI(config: ConnectionConfig(
            server: url(peer, ""), tls: TLSOptions(certificateAuthorityPEM: pki.authority), origin: "test"))
        struct Item: Decodable, Sendable { struct Meta: Decodable, Sendable { var name: String }; var metadata: Meta }
        let items = try await api.list("/paged-list/\(UUID().uuidString)/\(bad)", as: Item.self, pageSize: 2)
        #expect(items.map(\.metadata.name) == ["1a", "1b", "2a", "2b", "3a", "3b"])
    }

    /// A list handed over page by page: each page made by `eachPage` where it was decoded, given to the
    /// caller in order, also when one is fetched again; a list that starts again says so before its
    /// first page comes again, so that the caller drops what it had.
    @Test(arguments: [(2, ["1a+1b", "2a+2b", "3a+3b"]), (1, ["restart", "1a+1b", "2a+2b", "3a+3b"])])
    func pagesComeInOrderAndARestartIsSaid(bad: Int, expected: [String]) async throws {
        let peer = try await sharedPeer()
        let api = try await KubeAPI(config: ConnectionConfig(
            server: url(peer, ""), tls: TLSOptions(certificateAuthorityPEM: pki.authority), origin: "test"))
        struct Item: Decodable, Sendable { struct Meta: Decodable, Sendable { var name: String }; var metadata: Meta }
        var events: [String] = []
        try await api.list(
            "/paged-list/\(UUID().uuidString)/\(bad)", as: Item.self, pageSize: 2,
            eachPage: { $0.map(\.metadata.name).joined(separator: "+") }
        ) { event in
            switch event {
            case .page(let page): events.append(page)
            case .restart: events.append("restart")
            }
        }
        #expect(events == expected)
    }

    /// An answer the caller knows to be deterministic (the node proxy cannot dial the kubelet) is final
    /// on the first try; without the predicate the same 503 is retried.
    @Test func finalAnswersAreNotRetried() async throws {
        let peer = try await sharedPeer()
        let api = try await KubeAPI(config: ConnectionConfig(
            server: url(peer, ""), tls: TLSOptions(certificateAuthorityPEM: pki.authority), origin: "test"))
        let key = UUID().uuidString
        await #expect(throws: APIError.self) {
            try await api.get("/proxy-down/\(key)", finalWhen: { $0.contains("error trying to reach service") })
        }
        #expect(String(decoding: try await api.get("/answered/\(key)"), as: UTF8.self) == "1")
        let retried = UUID().uuidString
        await #expect(throws: APIError.self) { try await api.get("/proxy-down/\(retried)") }
        #expect(String(decoding: try await api.get("/answered/\(retried)"), as: UTF8.self) == "5")
    }

    @Test func invalidOptionsAreRejected() {
        let key = Data("key".utf8)
        let invalid: [TransportOptions] = [
            TransportOptions(maxConcurrentRequests: 0),
            TransportOptions(connectTimeout: .seconds(-1)),
            TransportOptions(tls: TLSOptions(clientKeyPEM: key)),
            TransportOptions(tls: TLSOptions(certificateAuthorityPEM: Data())),
            TransportOptions(tls: TLSOptions(serverName: "kube.test:443")),
            TransportOptions(userAgent: "lookout\r\nX-Injected: 1"),
        ]
        for options in invalid {
            let error = #expect(throws: TransportError.self) { try CurlTransport(options: options) }
            #expect(error?.category == .invalidConfiguration)
        }
    }

    @Test func invalidRequestsAreRejectedBeforeSending() async throws {
        let transport = try transport()
        let invalid = [
            HTTPRequest(url: "https://127.0.0.1:1/", headers: [HTTPHeader(name: "X-Evil", value: "a\r\nHost: b")]),
            HTTPRequest(url: "https://127.0.0.1:1/", headers: [HTTPHeader(name: "Bad Name", value: "a")]),
            HTTPRequest(method: "GET /", url: "https://127.0.0.1:1/"),
            HTTPRequest(method: "HEAD", url: "https://127.0.0.1:1/", body: Data()),
            HTTPRequest(url: "ftp://127.0.0.1:1/"),
            HTTPRequest(url: "not a url"),
        ]
        for request in invalid {
            let error = await failure(transport, request)
            #expect(error?.category == .invalidConfiguration)
        }
    }
}
