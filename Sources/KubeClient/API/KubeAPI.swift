import Documents
import FoundationEssentials
import Product

public struct ServerVersion: Codable, Sendable {
    public var major: String?
    public var minor: String?
    public var gitVersion: String
}

/// A client of one API server: GET with retries, paginated LIST and discovery; the few writes Lookout
/// makes (access reviews, its own report ConfigMap) are in KubeAPI+Write.swift.
public final class KubeAPI: Sendable {
    public let config: ConnectionConfig
    private let transport: CurlTransport
    private let credentials: CredentialProvider
    /// Tries of one request (transport errors, 429/5xx) and of one LIST page whose body does not parse.
    let maxAttempts = 5

    /// Builds the transport, on `threads` when given (the process's one set, which its owner joins
    /// before exit); an exec plugin that returns a client certificate runs now, because the TLS
    /// handshake needs it.
    public init(
        config: ConnectionConfig, maxConcurrentRequests: Int = 8, threads: TransferThreads? = nil,
        environment: [String: String] = ProcessEnvironment.current
    ) async throws(APIError) {
        self.config = config
        let credentials = CredentialProvider(config: config, environment: environment)
        self.credentials = credentials
        var tls = config.tls
        if let pair = try await credentials.clientCertificate() {
            tls.clientCertificatePEM = pair.certificate
            tls.clientKeyPEM = pair.key
        }
        var options = TransportOptions(tls: tls, userAgent: Product.userAgent)
        options.proxyURL = config.proxyURL
        options.maxConcurrentRequests = maxConcurrentRequests
        do {
            transport = try CurlTransport(options: options, threads: threads)
        } catch {
            throw .transport(error)
        }
    }

    /// GET `path` (with query) and return the body of a 2xx answer. Retries 429 (after Retry-After),
    /// 500/502/503/504 and connection failures with backoff; refreshes credentials once after a 401.
    public func get(_ path: String, query: [(String, String)] = []) async throws(APIError) -> Data {
        try await send("GET", path, query: query)
    }

    /// GET without retrying a 429/5xx answer whose Status message `isFinal` recognises as deterministic
    /// (the node proxy's "error trying to reach service: dial tcp …" says the kubelet is down: asking
    /// again only costs time).
    public func get(_ path: String, finalWhen isFinal: @Sendable (_ message: String) -> Bool) async throws(APIError) -> Data {
        try await send("GET", path, isFinal: isFinal)
    }

    /// Sends one request with the retry policy of `get`. Only requests whose repetition is harmless may
    /// come through here: reads, access reviews (they change nothing), the report ConfigMap's merge
    /// patch (applying it twice leaves the same object) and its creation (a repeat meets 409 Conflict,
    /// which `writeConfigMap` answers with the patch).
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil,
        isFinal: @Sendable (_ message: String) -> Bool = { _ in false }
    ) async throws(APIError) -> Data {
        let url = config.server + path + Self.queryString(query)
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPRequest(
                method: method, url: url, headers: [HTTPHeader(name: "Accept", value: "application/json")], body: body)
            if let contentType { request.headers.append(HTTPHeader(name: "Content-Type", value: contentType)) }
            if let authorization = try await credentials.authorization(refresh: false) {
                request.headers.append(HTTPHeader(name: "Authorization", value: authorization))
            }
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch {
                if case .bodyTooLarge(let limit) = error { throw .bodyTooLarge(path: path, limit: limit) }
                guard error.isRetryable, attempt < maxAttempts else { throw .transport(error) }
                await Self.sleep(seconds: Self.backoff(attempt))
                continue
            }
            switch response.status {
            case 200..<300:
                return response.body
            case 401:
                if !refreshed, await credentials.isRefreshable {
                    refreshed = true
                    _ = try await credentials.authorization(refresh: true)
                    continue
                }
                throw .unauthorized(Self.statusMessage(response.body))
            case 403: throw .forbidden(path: path, message: Self.statusMessage(response.body))
            case 404: throw .notFound(path: path)
            case 410: throw .gone(path: path)
            case 429, 500, 502, 503, 504:
                let message = Self.statusMessage(response.body)
                guard attempt < maxAttempts, !isFinal(message) else {
                    throw .http(status: response.status, path: path, message: message)
                }
                await Self.sleep(seconds: Self.retryDelay(retryAfter: response.header("retry-after"), attempt: attempt))
            default:
                throw .http(status: response.status, path: path, message: Self.statusMessage(response.body))
            }
        }
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(APIError) -> T {
        do {
            return try DirectJSONDecoder().decode(type, from: data)
        } catch {
            throw .decoding(path: path, message: "\(error)")
        }
    }

    public func serverVersion() async throws(APIError) -> ServerVersion {
        try decode(ServerVersion.self, from: try await get("/version"), path: "/version")
    }

    static func backoff(_ attempt: Int) -> Double { min(0.2 * Double(1 << (attempt - 1)), 5) }

    /// Seconds to wait before retrying: Retry-After when it is RFC 9110 delay-seconds (digits only), at
    /// most 30; otherwise the backoff. The header comes from the server, or from a kubelet through the
    /// node proxy, so "nan", "-inf", "1e300" or an HTTP-date must not reach a conversion that traps.
    static func retryDelay(retryAfter: String?, attempt: Int) -> Double {
        let maximum = 30.0
        guard let header = retryAfter, !header.isEmpty,
            header.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return backoff(attempt) }
        // Past two significant digits only the cap matters, so no integer conversion can overflow.
        let significant = header.drop { $0 == "0" }
        guard significant.count <= 2 else { return maximum }
        return min(Double(Int(significant) ?? 0), maximum)
    }

    static func sleep(seconds: Double) async {
        guard seconds.isFinite, seconds > 0 else { return }
        try? await Task.sleep(for: .milliseconds(Int(min(seconds, 3600) * 1000)))
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\($0.0)=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    static func percentEncoded(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]], as: UTF8.self)
            }
        }
        return result
    }

    /// The `message` of a metav1.Status body, or nothing.
    static func statusMessage(_ body: Data) -> String {
        struct Status: Decodable { var message: String? }
        return (try? JSONDecoder().decode(Status.self, from: body))?.message ?? ""
    }
}
