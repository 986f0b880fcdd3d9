import CCurl

/// Why a request produced no HTTP response. An HTTP error status is a response, not a `TransportError`.
/// Messages name hosts and libcurl's diagnosis but never carry tokens or key material.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    /// Certificate verification failed, or the client certificate or key was unusable or rejected.
    case tls(String)
    /// Refused, unresolvable, reset or dropped connection.
    case connection(String)
    case timeout(String)
    /// The options or the request cannot be used as given; retrying cannot help.
    case invalidConfiguration(String)
    /// The calling task was cancelled before the response arrived.
    case cancelled
    /// The body outgrew the most Lookout accepts (`maxResponseBytes`); the transfer was stopped.
    case bodyTooLarge(limit: Int)
    case other(String)

    /// Whether the same request may succeed if sent again: transient network failures can,
    /// trust and configuration problems cannot.
    public var isRetryable: Bool {
        switch self {
        case .connection, .timeout: true
        case .tls, .invalidConfiguration, .cancelled, .bodyTooLarge, .other: false
        }
    }

    public var description: String {
        switch self {
        case .tls(let message), .connection(let message), .timeout(let message),
             .invalidConfiguration(let message), .other(let message):
            message
        case .cancelled:
            "the request was cancelled"
        case .bodyTooLarge(let limit):
            "the response body is larger than \(limit >> 20) MiB, the most Lookout accepts"
        }
    }
}

/// What the transport knows about a failed transfer besides libcurl's code and message.
struct TransferFailureContext {
    /// Whether the server was checked against a given CA rather than the system store, so the message
    /// can say which one rejected it.
    var trustsConfiguredAuthority: Bool
    /// The name the server certificate had to match.
    var verifiedName: String
    /// The TLS handshake completed but no response arrived.
    var closedAfterTLSHandshake: Bool
}

extension TransportError {
    /// Classifies a failed transfer; `detail` is libcurl's own message for it (its error buffer).
    init(curlCode code: CURLcode, detail: String, context: TransferFailureContext) {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            // libcurl reports a chain failure and a name mismatch with the same code; only its
            // message ("… target host name …") tells them apart.
            if detail.contains("target host name") {
                self = .tls("TLS: the server certificate is not valid for the name \"\(context.verifiedName)\" (\(detail))")
            } else {
                let authority = context.trustsConfiguredAuthority
                    ? "the configured certificate authority" : "the system trust store"
                self = .tls("TLS: the server certificate is not trusted by \(authority) (\(detail))")
            }
        case CURLE_SSL_CERTPROBLEM:
            self = .tls("TLS: the client certificate or key cannot be used (\(detail))")
        case CURLE_SSL_CACERT_BADFILE:
            self = .tls("TLS: the certificate authority data cannot be loaded (\(detail))")
        case CURLE_SSL_CONNECT_ERROR:
            if detail.contains("SSL_ERROR_SYSCALL") || detail.contains("reset by peer") {
                self = .connection("the connection was lost during the TLS handshake (\(detail))")
            } else {
                self = .tls("TLS: the handshake with the server failed (\(detail))")
            }
        case CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            self = .tls("TLS: \(detail)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            // A TLS 1.3 server judges the client certificate after the client considers the handshake
            // done, so its refusal is an alert on the first read. When the server's close resets the
            // connection first, the alert is lost and only the timing is left to hint at the cause.
            if detail.contains("alert") {
                self = .tls("TLS: the server rejected the TLS session, usually because of the client certificate (\(detail))")
            } else if context.closedAfterTLSHandshake {
                self = .connection("the server closed the connection right after the TLS handshake, as servers do when they require or reject a client certificate (\(detail))")
            } else {
                self = .connection("the connection failed (\(detail))")
            }
        case CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            self = .connection("the connection failed (\(detail))")
        case CURLE_COULDNT_RESOLVE_HOST:
            self = .connection("cannot resolve the server's host name (\(detail))")
        case CURLE_COULDNT_RESOLVE_PROXY:
            self = .connection("cannot resolve the proxy's host name (\(detail))")
        case CURLE_COULDNT_CONNECT:
            self = .connection("cannot connect (\(detail))")
        case CURLE_PROXY:
            self = .connection("the proxy did not open a tunnel to the server (\(detail))")
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout("timed out (\(detail))")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION,
             CURLE_BAD_FUNCTION_ARGUMENT:
            self = .invalidConfiguration(detail)
        case CURLE_ABORTED_BY_CALLBACK:
            self = .cancelled
        default:
            self = .other("libcurl error \(code.rawValue): \(detail)")
        }
    }
}
