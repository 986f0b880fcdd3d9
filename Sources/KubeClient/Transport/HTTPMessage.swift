import FoundationEssentials

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Sent in order. A header the transport sets itself (`User-Agent`, `Accept-Encoding`, `Host`)
    /// is replaced by one of the same name here.
    public var headers: [HTTPHeader]
    public var body: Data?

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lower-cased; repeated headers are joined with ", " (RFC 9110 §5.3).
    /// The body is already decoded, so `content-encoding` and `content-length` describe the wire form.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Looks a header up by name, ignoring case.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
