import FoundationEssentials

/// How the transport authenticates the server and itself, mirroring a kubeconfig cluster's and user's
/// TLS fields. Key material is handed to libcurl as in-memory blobs and never touches the file system.
public struct TLSOptions: Sendable {
    /// PEM bundle of the only certificate authorities to trust, as client-go does with
    /// `certificate-authority-data`; `nil` trusts the system store.
    public var certificateAuthorityPEM: Data?
    /// Skips verification of the server certificate chain and host name. Takes precedence over
    /// `certificateAuthorityPEM`.
    public var insecureSkipVerify: Bool
    /// Name to verify the server certificate against (and to send as SNI) instead of the URL's host.
    public var serverName: String?
    /// PEM client certificate. When `clientKeyPEM` is `nil`, libcurl looks for the key in this PEM too.
    public var clientCertificatePEM: Data?
    /// PEM private key for `clientCertificatePEM`: RSA (PKCS#1), PKCS#8 or EC, unencrypted.
    public var clientKeyPEM: Data?

    public init(
        certificateAuthorityPEM: Data? = nil,
        insecureSkipVerify: Bool = false,
        serverName: String? = nil,
        clientCertificatePEM: Data? = nil,
        clientKeyPEM: Data? = nil
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}

public struct TransportOptions: Sendable {
    public var tls: TLSOptions
    /// Proxy for every request (`http://`, `https://`, `socks5://` …). When `nil`, libcurl applies
    /// `HTTPS_PROXY`/`https_proxy`/`NO_PROXY` from the environment itself, as client-go does.
    public var proxyURL: String?
    /// Time allowed for TCP connect plus the TLS handshake. `.zero` means libcurl's default (300 s).
    public var connectTimeout: Duration
    /// Time allowed for a whole request, body included. `.zero` means no limit.
    public var requestTimeout: Duration
    /// A transfer that moves less than one byte per second for this long is aborted. `.zero` disables it.
    public var idleTimeout: Duration
    /// Sent as `User-Agent`; callers put the version in, e.g. "lookout/1.2.0".
    public var userAgent: String
    /// Upper bound on requests in flight; each of them holds its own connection.
    public var maxConcurrentRequests: Int
    /// A response body larger than this (decoded) fails the request: a kubelet behind the node proxy,
    /// or any server, could otherwise stream gigabytes into memory. A page of 500 objects is a few MB.
    public var maxResponseBytes: Int

    public init(
        tls: TLSOptions = TLSOptions(),
        proxyURL: String? = nil,
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(30),
        userAgent: String = "lookout",
        maxConcurrentRequests: Int = 8,
        maxResponseBytes: Int = 256 << 20
    ) {
        self.tls = tls
        self.proxyURL = proxyURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.userAgent = userAgent
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxResponseBytes = maxResponseBytes
    }
}
