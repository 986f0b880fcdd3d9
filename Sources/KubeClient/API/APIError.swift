/// Failures talking to the API server. All of them mean the scan could not complete (exit 3), except
/// `forbidden` on one resource, which the collector records and goes on.
public enum APIError: Error, Sendable, CustomStringConvertible {
    case transport(TransportError)
    case unauthorized(String)
    case forbidden(path: String, message: String)
    case notFound(path: String)
    case gone(path: String)
    case http(status: Int, path: String, message: String)
    case decoding(path: String, message: String)
    /// One answer too large to accept: that resource cannot be read, the server may still serve others.
    case bodyTooLarge(path: String, limit: Int)
    /// An answer that breaks the API's rules in a way that would never end (a repeated continue token).
    case protocolViolation(path: String, message: String)
    case encoding(path: String, message: String)
    case credentials(String)
    /// Lookout would not do what was asked, e.g. overwrite an object it did not create.
    case refused(String)

    public var description: String {
        switch self {
        case .transport(let error): "\(error)"
        case .unauthorized(let message):
            "the API server rejected the credentials (401 Unauthorized): they are wrong or expired\(message.isEmpty ? "" : " (\(message))")"
        case .forbidden(let path, let message): "forbidden: \(path): \(message)"
        case .notFound(let path): "not found: \(path)"
        case .gone(let path): "the list continuation expired (410 Gone): \(path)"
        case .http(let status, let path, let message): "HTTP \(status) from \(path): \(message)"
        case .decoding(let path, let message): "cannot decode the response of \(path): \(message)"
        case .bodyTooLarge(let path, let limit): "response body over \(limit >> 20) MiB from \(path)"
        case .protocolViolation(let path, let message): "\(path): \(message)"
        case .encoding(let path, let message): "cannot encode the request to \(path): \(message)"
        case .credentials(let message): "credentials: \(message)"
        case .refused(let message): message
        }
    }
}
