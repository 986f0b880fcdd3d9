/// URLs as Lookout shows and stores them.
public enum URLText {
    /// The URL without `user:password@`: a server or Pushgateway URL may carry credentials, and
    /// messages, logs, reports and the report ConfigMap must not.
    public static func withoutUserinfo(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let authorityStart = scheme.upperBound
        let authorityEnd = url[authorityStart...].firstIndex { "/?#".contains($0) } ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<authorityStart]) + url[url.index(after: at)...]
    }
}

/// The checks that keep caller-supplied text from changing the shape of what libcurl sends.
enum HTTPSyntax {
    /// C strings end at NUL, and CR or LF would let a value start a new header line.
    static func containsControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// RFC 9110 `token`, the grammar of methods and header names.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
