/// Finds where JSON values end without decoding them, so that a large document can be cut into pieces
/// that `JSONDecoder` decodes one at a time, or a LIST page's leading members read before its items. It
/// checks only what it needs to find the ends; the decoder checks the pieces.
public enum JSONScan {
    public enum End: Equatable, Sendable {
        /// The index just past the value.
        case at(Int)
        /// The bytes stop inside the value.
        case incomplete
        /// Not a JSON value here.
        case malformed
    }

    public static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    public static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// The end of the value that starts at `start` (no space before it). `isFinal` says no bytes follow
    /// the buffer: a number or literal ending with the buffer is then complete.
    public static func valueEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, isFinal: Bool) -> End {
        guard start < bytes.count else { return .incomplete }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return containerEnd(bytes, from: start)
        case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ":"):
            return .malformed
        default:
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return .at(index)
                case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ":"): return .malformed
                default: index += 1
                }
            }
            return isFinal ? .at(index) : .incomplete
        }
    }

    /// The end of the string whose opening quote is at `start`.
    public static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> End {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return .at(index + 1)
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return .incomplete
    }

    private static func containerEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> End {
        var closers: [UInt8] = []
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard case .at(let end) = stringEnd(bytes, from: index) else { return .incomplete }
                index = end
                continue
            case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard closers.popLast() == bytes[index] else { return .malformed }
                if closers.isEmpty { return .at(index + 1) }
            default: break
            }
            index += 1
        }
        return .incomplete
    }

    /// The members of a complete JSON object: each key (when it has no escapes) with the range of its value.
    /// Nil when `bytes` is not one object.
    public static func members(_ bytes: UnsafeBufferPointer<UInt8>) -> [(key: String, value: Range<Int>)]? {
        var members: [(key: String, value: Range<Int>)] = []
        var index = skipSpace(bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index = skipSpace(bytes, from: index + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            return skipSpace(bytes, from: index + 1) == bytes.count ? members : nil
        }
        while true {
            guard case .key(let key, let afterColon) = memberKey(bytes, from: index) else { return nil }
            let start = skipSpace(bytes, from: afterColon)
            guard case .at(let end) = valueEnd(bytes, from: start, isFinal: true) else { return nil }
            members.append((key, start..<end))
            index = skipSpace(bytes, from: end)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") {
                return skipSpace(bytes, from: index + 1) == bytes.count ? members : nil
            }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(bytes, from: index + 1)
        }
    }

    public enum Key: Equatable, Sendable {
        /// The key and the index after its colon.
        case key(String, next: Int)
        /// The bytes stop inside the key or before its colon.
        case incomplete
        /// No plain key: not a string, no colon, or a key with escapes (left to the decoder).
        case unreadable
    }

    /// The member key starting at `start`: `"key" :`.
    public static func memberKey(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Key {
        guard start < bytes.count else { return .incomplete }
        guard bytes[start] == UInt8(ascii: "\""), case .at(let end) = stringEnd(bytes, from: start) else {
            return bytes[start] == UInt8(ascii: "\"") ? .incomplete : .unreadable
        }
        let key = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(end - 1)])
        guard !key.contains(UInt8(ascii: "\\")) else { return .unreadable }
        let colon = skipSpace(bytes, from: end)
        guard colon < bytes.count else { return .incomplete }
        guard bytes[colon] == UInt8(ascii: ":") else { return .unreadable }
        return .key(String(decoding: key, as: UTF8.self), next: colon + 1)
    }
}
