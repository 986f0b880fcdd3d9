import CCurl
import FoundationEssentials

/// An `HTTPRequest` checked and translated into easy-handle terms. It is built on the caller's task, so
/// a malformed request fails at once instead of waiting for a transfer thread.
struct PreparedRequest: Sendable {
    enum Method: Sendable {
        case get
        case head
        case post
        case custom(String)
    }

    var method: Method
    var url: String
    /// Lines for CURLOPT_HTTPHEADER.
    var headerLines: [String]
    var body: Data?
    /// A CURLOPT_CONNECT_TO entry, present when the certificate is verified against a TLS server name.
    var connectTo: String?
    /// The name the server certificate must match; error messages quote it.
    var verifiedName: String

    var expectsBody: Bool {
        if case .head = method { false } else { true }
    }

    init(_ request: HTTPRequest, serverName: String?) throws(TransportError) {
        guard HTTPSyntax.isToken(request.method) else {
            throw .invalidConfiguration("\"\(request.method)\" is not a valid HTTP method")
        }
        switch (request.method, request.body) {
        case ("HEAD", nil): method = .head
        case ("HEAD", _): throw .invalidConfiguration("a HEAD request cannot carry a body")
        case ("GET", nil): method = .get
        case ("POST", _): method = .post
        // A body makes libcurl switch to POST, so any other method with a body is named explicitly.
        default: method = .custom(request.method)
        }
        body = request.body

        headerLines = []
        var hasHostHeader = false
        for header in request.headers {
            guard HTTPSyntax.isToken(header.name) else {
                throw .invalidConfiguration("\"\(header.name)\" is not a valid HTTP header name")
            }
            guard !HTTPSyntax.containsControlCharacter(header.value) else {
                throw .invalidConfiguration("the value of the \(header.name) header contains control characters")
            }
            hasHostHeader = hasHostHeader || header.name.lowercased() == "host"
            // libcurl reads "Name:" as "remove this header"; "Name;" is its spelling of an empty value.
            headerLines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }

        let parsed = try CurlURL(request.url)
        guard let scheme = parsed.part(CURLUPART_SCHEME)?.lowercased(), scheme == "https" || scheme == "http" else {
            throw .invalidConfiguration("only http and https URLs are supported")
        }
        guard let host = parsed.part(CURLUPART_HOST),
              let port = parsed.part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)) else {
            throw .invalidConfiguration("the request URL has no host")
        }
        guard scheme == "https", let serverName else {
            url = request.url
            verifiedName = host
            return
        }
        // tls-server-name: libcurl takes the name it verifies the certificate against (and sends as SNI)
        // from the URL, so the URL names the server name, and CURLOPT_CONNECT_TO sends the connection
        // to the real host and port. Unlike CURLOPT_RESOLVE this works when the host is a DNS name,
        // and unlike turning off VERIFYHOST it still checks the name.
        try parsed.setHost(serverName)
        guard let rewritten = parsed.part(CURLUPART_URL) else {
            throw .invalidConfiguration("the request URL cannot be rewritten for the TLS server name")
        }
        url = rewritten
        verifiedName = serverName
        connectTo = "\(serverName):\(port):\(host):\(port)"
        // The rewritten URL would also change the Host header; client-go keeps the URL's own authority.
        if !hasHostHeader {
            let authority = parsed.part(CURLUPART_PORT).map { "\(host):\($0)" } ?? host
            headerLines.append("Host: \(authority)")
        }
    }
}

/// libcurl's own URL parser, so the transport reads a URL exactly as the transfer will.
private struct CurlURL: ~Copyable {
    private let handle: OpaquePointer

    init(_ url: String) throws(TransportError) {
        guard let handle = curl_url() else { throw .other("libcurl could not allocate a URL handle") }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw .invalidConfiguration("the request URL is malformed (\(String(cString: curl_url_strerror(code))))")
        }
        self.handle = handle
    }

    deinit {
        curl_url_cleanup(handle)
    }

    func part(_ part: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }

    func setHost(_ host: String) throws(TransportError) {
        let code = curl_url_set(handle, CURLUPART_HOST, host, 0)
        guard code == CURLUE_OK else {
            throw .invalidConfiguration("\"\(host)\" cannot be used as a host name (\(String(cString: curl_url_strerror(code))))")
        }
    }
}
