import FoundationEssentials

/// `TransportOptions` validated and converted to libcurl's units once, so a request only copies them in.
struct CurlConfiguration: Sendable {
    var tls: TLSOptions
    var proxyURL: String?
    var connectTimeoutMilliseconds: Int
    var requestTimeoutMilliseconds: Int
    /// 0 disables the idle check.
    var lowSpeedTimeSeconds: Int
    var userAgent: String
    var maxResponseBytes: Int

    /// Whether a server certificate is checked against `tls.certificateAuthorityPEM` rather than the
    /// system store; only error messages care.
    var trustsConfiguredAuthority: Bool {
        !tls.insecureSkipVerify && tls.certificateAuthorityPEM != nil
    }

    init(_ options: TransportOptions) throws(TransportError) {
        let tls = options.tls
        if let authority = tls.certificateAuthorityPEM, authority.isEmpty {
            throw .invalidConfiguration("the certificate authority data is empty")
        }
        if let certificate = tls.clientCertificatePEM, certificate.isEmpty {
            throw .invalidConfiguration("the client certificate data is empty")
        }
        if let key = tls.clientKeyPEM {
            guard tls.clientCertificatePEM != nil else {
                throw .invalidConfiguration("a client key was given without a client certificate")
            }
            guard !key.isEmpty else { throw .invalidConfiguration("the client key data is empty") }
        }
        if let serverName = tls.serverName, !Self.isPlausibleHostName(serverName) {
            throw .invalidConfiguration("the TLS server name \"\(serverName)\" is not a host name")
        }
        if let proxyURL = options.proxyURL, proxyURL.isEmpty || HTTPSyntax.containsControlCharacter(proxyURL) {
            throw .invalidConfiguration("the proxy URL is empty or contains control characters")
        }
        if HTTPSyntax.containsControlCharacter(options.userAgent) {
            throw .invalidConfiguration("the user agent contains control characters")
        }
        self.tls = tls
        proxyURL = options.proxyURL
        connectTimeoutMilliseconds = try Self.milliseconds(options.connectTimeout, "connectTimeout")
        requestTimeoutMilliseconds = try Self.milliseconds(options.requestTimeout, "requestTimeout")
        let idleMilliseconds = try Self.milliseconds(options.idleTimeout, "idleTimeout")
        lowSpeedTimeSeconds = idleMilliseconds / 1000 + (idleMilliseconds % 1000 == 0 ? 0 : 1)
        userAgent = options.userAgent
        guard options.maxResponseBytes > 0 else { throw .invalidConfiguration("maxResponseBytes must be positive") }
        maxResponseBytes = options.maxResponseBytes
    }

    /// Whole milliseconds, rounded up so that a tiny positive duration never turns into libcurl's
    /// "no limit" 0, and clamped instead of overflowing.
    private static func milliseconds(_ duration: Duration, _ name: String) throws(TransportError) -> Int {
        guard duration >= .zero else { throw .invalidConfiguration("\(name) must not be negative") }
        let (seconds, attoseconds) = duration.components
        guard seconds < Int64.max / 1000 - 1 else { return Int.max }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        return Int(seconds * 1000 + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
    }

    /// DNS names and IPv4 addresses only: the name ends up inside CURLOPT_CONNECT_TO's colon-separated
    /// syntax and in the URL's authority, where anything else would change their meaning.
    private static func isPlausibleHostName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }
}
