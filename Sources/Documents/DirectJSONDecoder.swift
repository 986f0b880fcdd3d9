import FoundationEssentials

/// Decodes JSON straight from its UTF-8 bytes into `Decodable` values, with exactly `JSONDecoder`'s
/// results and errors, faster on the large LIST pages and snapshots Lookout reads.
///
/// `JSONDecoder` first builds a map of the whole text (every key and value of every object, managed
/// fields and status included) and then decodes from it. This decoder checks the text once, noting
/// only where each object and array ends, then reads a value only when the model asks for it and
/// steps over the rest (a nested object or array in one step). It takes
/// only the ordinary case (the JSON the API server and `JSONEncoder` write); anything else — a
/// duplicate or escaped key, a number that is not a plain integer, a string that is not UTF-8, a
/// nesting deeper than `maxDepth`, any syntax error — and every error, send the whole input to
/// `JSONDecoder`, so the outcome (value, or error naming the field) is `JSONDecoder`'s by construction.
public struct DirectJSONDecoder: Sendable {
    public init() {}

    /// Deeper than this, `JSONDecoder` decides (it refuses nesting past 512).
    static let maxDepth = 256

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = decodeDirectly(type, from: data) { return value }
        return try JSONDecoder().decode(type, from: data)
    }

    /// The value read directly, or nil when `JSONDecoder` must decide (public so that the fuzzer can
    /// check that the two agree wherever this one decides).
    public func decodeDirectly<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        data.withUnsafeBytes { raw -> T? in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var unsupported = false
            return withUnsafeMutablePointer(to: &unsupported) { flag -> T? in
                let scan = JSONInput(base: base, count: raw.count, unsupported: flag, spans: nil)
                // The whole text is checked once up front, so a value the model never reads cannot
                // hide a syntax error, nor anything follow the value.
                var spans: ContiguousArray<Span> = []
                let start = scan.skipSpace(0)
                guard let end = try? scan.index(start, depth: 0, into: &spans), scan.skipSpace(end) == scan.count else { return nil }
                return spans.withUnsafeBufferPointer { spans -> T? in
                    var decoding = Decoding(input: JSONInput(base: base, count: raw.count, unsupported: flag, spans: spans.baseAddress))
                    defer { decoding.stack.deallocate() }
                    return withUnsafeMutablePointer(to: &decoding) { decoding -> T? in
                        guard let value = try? T(from: ValueDecoder(decoding: decoding, start: start, container: 0)) else { return nil }
                        return flag.pointee ? nil : value
                    }
                }
            }
        }
    }
}

/// Thrown where `JSONDecoder` must decide; the flag it sets stays set even when a model catches it
/// (`try?`), so a value decoded around it is never used.
struct UnsupportedJSON: Error {}

/// Where an object or array ends, and the index of the next one that starts after it (its next
/// sibling's, or a later one's): the containers are numbered in the order they open, so those inside
/// one follow it.
struct Span {
    var end: Int
    var next: Int
}

/// The bytes being decoded, with the spans of their containers once indexed. Trivial to copy: no
/// reference counting per container.
///
/// Its byte scanners are not `JSONScan`'s, on purpose: `index` checks everything (escapes, control
/// characters, UTF-8 to be read, literals, numbers) where `JSONScan` only finds ends in buffers that may
/// stop mid-value, and every later read here (`checkedString`, `valueEnd`, `skipSpace`) runs on text
/// already checked, so it needs neither bounds checks nor an incomplete state.
struct JSONInput {
    let base: UnsafePointer<UInt8>
    let count: Int
    let unsupported: UnsafeMutablePointer<Bool>
    let spans: UnsafePointer<Span>?

    subscript(_ index: Int) -> UInt8 { index < count ? base[index] : 0 }

    func unsupportedHere() -> UnsupportedJSON {
        unsupported.pointee = true
        return UnsupportedJSON()
    }

    func skipSpace(_ start: Int) -> Int {
        var index = start
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// The index after the value at `start`, checked as JSON; each object and array it holds gets its
    /// span in `spans`, in the order they open.
    func index(_ start: Int, depth: Int, into spans: inout ContiguousArray<Span>) throws(UnsupportedJSON) -> Int {
        guard depth < DirectJSONDecoder.maxDepth else { throw unsupportedHere() }
        switch self[start] {
        case UInt8(ascii: "\""):
            return try skipString(start).end
        case UInt8(ascii: "{"):
            let container = spans.count
            spans.append(Span(end: 0, next: 0))
            var index = skipSpace(start + 1)
            if self[index] != UInt8(ascii: "}") {
                while true {
                    guard self[index] == UInt8(ascii: "\"") else { throw unsupportedHere() }
                    index = skipSpace(try skipString(index).end)
                    guard self[index] == UInt8(ascii: ":") else { throw unsupportedHere() }
                    index = skipSpace(try self.index(skipSpace(index + 1), depth: depth + 1, into: &spans))
                    guard self[index] == UInt8(ascii: ",") else { break }
                    index = skipSpace(index + 1)
                }
                guard self[index] == UInt8(ascii: "}") else { throw unsupportedHere() }
            }
            spans[container] = Span(end: index + 1, next: spans.count)
            return index + 1
        case UInt8(ascii: "["):
            let container = spans.count
            spans.append(Span(end: 0, next: 0))
            var index = skipSpace(start + 1)
            if self[index] != UInt8(ascii: "]") {
                while true {
                    index = skipSpace(try self.index(index, depth: depth + 1, into: &spans))
                    guard self[index] == UInt8(ascii: ",") else { break }
                    index = skipSpace(index + 1)
                }
                guard self[index] == UInt8(ascii: "]") else { throw unsupportedHere() }
            }
            spans[container] = Span(end: index + 1, next: spans.count)
            return index + 1
        case UInt8(ascii: "t"): return try skipLiteral(start, "true")
        case UInt8(ascii: "f"): return try skipLiteral(start, "false")
        case UInt8(ascii: "n"): return try skipLiteral(start, "null")
        default:
            return try skipNumber(start)
        }
    }

    /// The end of the checked value at `start`, and the index of the next container after it: an
    /// object or array is stepped over by its span (`container` is its index), anything else read.
    func valueEnd(_ start: Int, container: Int) -> (end: Int, next: Int) {
        switch base[start] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let span = spans![container]
            return (span.end, span.next)
        case UInt8(ascii: "\""): return (checkedString(start).end, container)
        case UInt8(ascii: "t"), UInt8(ascii: "n"): return (start + 4, container)
        case UInt8(ascii: "f"): return (start + 5, container)
        default:
            var index = start + 1
            while index < count {
                switch base[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                    UInt8(ascii: "+"), UInt8(ascii: "-"):
                    index += 1
                default: return (index, container)
                }
            }
            return (index, container)
        }
    }

    private func skipLiteral(_ start: Int, _ literal: StaticString) throws(UnsupportedJSON) -> Int {
        let length = literal.utf8CodeUnitCount
        guard start + length <= count else { throw unsupportedHere() }
        for offset in 0..<length where base[start + offset] != literal.utf8Start[offset] { throw unsupportedHere() }
        return start + length
    }

    /// A number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private func skipNumber(_ start: Int) throws(UnsupportedJSON) -> Int {
        var index = start
        func digits() throws(UnsupportedJSON) {
            guard isDigit(self[index]) else { throw unsupportedHere() }
            while isDigit(self[index]) { index += 1 }
        }
        if self[index] == UInt8(ascii: "-") { index += 1 }
        if self[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        if self[index] == UInt8(ascii: ".") {
            index += 1
            try digits()
        }
        if self[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if self[index] == UInt8(ascii: "+") || self[index] == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
        return index
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// The string at `start` (its opening quote): the index after its closing quote, and whether it
    /// holds an escape or a byte outside ASCII (then it cannot be copied as it is).
    func skipString(_ start: Int) throws(UnsupportedJSON) -> (end: Int, plain: Bool) {
        var index = start + 1
        var plain = true
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { return (index + 1, plain) }
            if byte == UInt8(ascii: "\\") {
                plain = false
                switch self[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    for offset in 2..<6 where hexValue(self[index + offset]) == nil { throw unsupportedHere() }
                    index += 6
                default: throw unsupportedHere()
                }
                continue
            }
            if byte < 0x20 { throw unsupportedHere() }
            if byte >= 0x80 { plain = false }
            index += 1
        }
        throw unsupportedHere()
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// The string at `start` as `skipString` has checked it: the index after its closing quote, and
    /// whether it is plain (no escape, ASCII only), found without checking again.
    func checkedString(_ start: Int) -> (end: Int, plain: Bool) {
        var index = start + 1
        var bits: UInt8 = 0
        while true {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { return (index + 1, bits < 0x80) }
            if byte == UInt8(ascii: "\\") {
                bits = 0x80
                index += 2
            } else {
                bits |= byte
                index += 1
            }
        }
    }

    /// The string whose opening quote is at `start` (already checked by `index`).
    func string(at start: Int) throws(UnsupportedJSON) -> String {
        let (end, plain) = checkedString(start)
        let body = UnsafeBufferPointer(start: base + start + 1, count: end - start - 2)
        if plain {
            return String(unsafeUninitializedCapacity: body.count) { buffer in
                _ = buffer.initialize(from: body)
                return body.count
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            let byte = body[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(body, index)
                index += 4
                if scalar & 0xFC00 == 0xD800 {
                    // A high surrogate must be followed by an escaped low one.
                    guard index + 6 <= body.count, body[index] == UInt8(ascii: "\\"), body[index + 1] == UInt8(ascii: "u")
                    else { throw unsupportedHere() }
                    let low = hex4(body, index + 2)
                    guard low & 0xFC00 == 0xDC00 else { throw unsupportedHere() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw unsupportedHere() }
                bytes.append(contentsOf: UTF8.encode(unicode)!)
            default: bytes.append(escape)
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw unsupportedHere() }
        return string
    }

    private func hex4(_ body: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | (hexValue(body[index + offset]) ?? 0) }
        return value
    }

    /// A plain integer (no fraction or exponent, within the type's range); anything else is
    /// `JSONDecoder`'s to judge.
    func integer<Integer: FixedWidthInteger>(at start: Int, as type: Integer.Type) throws(UnsupportedJSON) -> Integer {
        var index = start
        let negative = self[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        let first = index
        while isDigit(self[index]) {
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(self[index] &- UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { throw unsupportedHere() }
            magnitude = sum
            index += 1
        }
        switch self[index] {
        case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw unsupportedHere()
        default: break
        }
        guard index > first, index - first == 1 || self[first] != UInt8(ascii: "0") else { throw unsupportedHere() }
        if negative {
            guard magnitude <= UInt64(Int64.max), let value = Integer(exactly: -Int64(magnitude)) else { throw unsupportedHere() }
            return value
        }
        guard let value = Integer(exactly: magnitude) else { throw unsupportedHere() }
        return value
    }

    /// The JSON type at `start`, as `JSONDecoder` names it in a type mismatch.
    func typeName(at start: Int) -> String {
        switch self[start] {
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "{"): "a dictionary"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "bool"
        case UInt8(ascii: "n"): "null"
        default: "number"
        }
    }

    func isNull(_ start: Int) -> Bool { self[start] == UInt8(ascii: "n") }
}


extension JSONInput {
    func mismatch(_ type: Any.Type, at start: Int) -> DecodingError {
        if isNull(start) {
            return .valueNotFound(type, DecodingError.Context(codingPath: [], debugDescription: "found null"))
        }
        return .typeMismatch(type, DecodingError.Context(codingPath: [], debugDescription: "found \(typeName(at: start))"))
    }

    func bool(at start: Int) throws -> Bool {
        switch self[start] {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: throw mismatch(Bool.self, at: start)
        }
    }

    func string(checkedAt start: Int) throws -> String {
        guard self[start] == UInt8(ascii: "\"") else { throw mismatch(String.self, at: start) }
        return try string(at: start)
    }

    func integer<Integer: FixedWidthInteger>(checkedAt start: Int, as type: Integer.Type) throws -> Integer {
        let first = self[start]
        guard first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else { throw mismatch(type, at: start) }
        return try integer(at: start, as: type)
    }

    /// In an object or array, the start of the value (or key) after the one at `start`, past its
    /// comma; nil when the closer follows. `container` and the returned one number the containers
    /// as `Span` does.
    func step(after start: Int, container: Int) -> (next: Int?, container: Int) {
        let value = valueEnd(start, container: container)
        let index = skipSpace(value.end)
        guard base[index] == UInt8(ascii: ",") else { return (nil, value.next) }
        return (skipSpace(index + 1), value.next)
    }
}

/// Where a value starts, and its container index when it is an object or array.
struct Value {
    let start: Int
    let container: Int
}

/// One decode's input and scratch space, shared by pointer: the decoders it hands out then fit in an
/// existential's inline buffer (no allocation per value), and the members of each object and the
/// elements of each array go on one stack instead of an allocation each.
struct Decoding {
    let input: JSONInput
    /// The members and elements of the objects and arrays being decoded, in `Int`s: a stack that grows
    /// (containers keep offsets into it, never addresses) and gives back what a nested value pushed
    /// once that value is decoded (`decode(_:at:)`). A `Decodable` keeps no decoder or container
    /// past its `init(from:)`, so nothing still reads what is given back.
    var stack = UnsafeMutablePointer<Int>.allocate(capacity: 1024)
    var capacity = 1024
    var used = 0

    init(input: JSONInput) { self.input = input }

    /// The offset of `count` new `Int`s on the stack.
    mutating func push(_ count: Int) -> Int {
        if used + count > capacity {
            let larger = UnsafeMutablePointer<Int>.allocate(capacity: max(capacity * 2, used + count))
            larger.moveInitialize(from: stack, count: used)
            stack.deallocate()
            stack = larger
            capacity = max(capacity * 2, used + count)
        }
        defer { used += count }
        return used
    }
}

extension UnsafeMutablePointer<Decoding> {
    var input: JSONInput { pointee.input }

    /// A value through its `Decodable` conformance, but for the types `JSONDecoder` decodes its own
    /// way (dates, data, URLs, decimals: left to it), the string maps and lists every object has
    /// (read here without a container per entry) and the models read directly (`JSONObjectDecodable`).
    /// What the value pushed is given back after it.
    func decode<T: Decodable>(_ type: T.Type, at value: Value) throws -> T {
        if type == String.self { return unsafeBitCast(try input.string(checkedAt: value.start), to: T.self) }
        let mark = pointee.used
        defer { pointee.used = mark }
        if type == [String: String].self { return unsafeBitCast(try stringMap(at: value), to: T.self) }
        if type == [String].self { return unsafeBitCast(try stringList(at: value), to: T.self) }
        if type == Date.self || type == Data.self || type == URL.self || type == Decimal.self { throw input.unsupportedHere() }
        if let direct = type as? any JSONObjectDecodable.Type { return try direct.decoded(at: value, in: self, as: type) }
        return try T(from: ValueDecoder(decoding: self, start: value.start, container: value.container))
    }

    private func stringMap(at value: Value) throws -> [String: String] {
        guard input[value.start] == UInt8(ascii: "{") else { throw input.mismatch([String: String].self, at: value.start) }
        let members = try ObjectMembers(decoding: self, start: value.start, container: value.container)
        var map: [String: String] = Dictionary(minimumCapacity: members.count)
        for member in 0..<members.count { map[members.key(member)] = try input.string(checkedAt: members.value(member).start) }
        return map
    }

    private func stringList(at value: Value) throws -> [String] {
        guard input[value.start] == UInt8(ascii: "[") else { throw input.mismatch([String].self, at: value.start) }
        let elements = try ArrayContainer(decoding: self, start: value.start, container: value.container)
        var list: [String] = []
        list.reserveCapacity(elements.elementCount)
        for element in 0..<elements.elementCount { list.append(try input.string(checkedAt: elements.element(element).start)) }
        return list
    }
}

/// The decoder of one value, and its single-value container.
struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let decoding: UnsafeMutablePointer<Decoding>
    let start: Int
    let container: Int

    var input: JSONInput { decoding.input }

    // Only JSONDecoder's errors are ever shown (an error here hands the input to it), so no path is kept.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard input[start] == UInt8(ascii: "{") else { throw input.mismatch([String: Any].self, at: start) }
        return KeyedDecodingContainer(ObjectContainer<Key>(object: JSONObject(members: try ObjectMembers(decoding: decoding, start: start, container: container))))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard input[start] == UInt8(ascii: "[") else { throw input.mismatch([Any].self, at: start) }
        return try ArrayContainer(decoding: decoding, start: start, container: container)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { input.isNull(start) }
    func decode(_ type: Bool.Type) throws -> Bool { try input.bool(at: start) }
    func decode(_ type: String.Type) throws -> String { try input.string(checkedAt: start) }
    func decode(_ type: Double.Type) throws -> Double { throw input.unsupportedHere() }
    func decode(_ type: Float.Type) throws -> Float { throw input.unsupportedHere() }
    func decode(_ type: Int.Type) throws -> Int { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: UInt.Type) throws -> UInt { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try input.integer(checkedAt: start, as: type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try input.integer(checkedAt: start, as: type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoding.decode(type, at: Value(start: start, container: container)) }
}

/// An object's members, found once and kept on the decoding's stack: a look-up hint, then (key start,
/// key length, value start, value's container index) for each member in the text's order. Keys are
/// looked up from where the last one was found, so decoding in the text's order (as dictionaries do)
/// is linear.
struct ObjectMembers {
    let decoding: UnsafeMutablePointer<Decoding>
    /// The offset of the hint on the stack; the members follow it.
    let offset: Int
    let count: Int

    var input: JSONInput { decoding.input }

    init(decoding: UnsafeMutablePointer<Decoding>, start: Int, container: Int) throws(UnsupportedJSON) {
        self.decoding = decoding
        let input = decoding.input
        var index = input.skipSpace(start + 1)
        offset = decoding.pointee.push(1)
        decoding.pointee.stack[offset] = 0
        guard input[index] != UInt8(ascii: "}") else {
            count = 0
            return
        }
        var next = container + 1
        var count = 0
        while true {
            let (keyEnd, plain) = input.checkedString(index)
            // An escaped or non-ASCII key compares as a String (canonical equivalence) in JSONDecoder.
            guard plain else { throw input.unsupportedHere() }
            let valueStart = input.skipSpace(input.skipSpace(keyEnd) + 1)
            let pushed = decoding.pointee.push(4)
            let entry = decoding.pointee.stack + pushed
            entry[0] = index + 1
            entry[1] = keyEnd - index - 2
            entry[2] = valueStart
            entry[3] = next
            count += 1
            let step = input.step(after: valueStart, container: next)
            next = step.container
            guard let following = step.next else { break }
            index = following
        }
        self.count = count
        // JSONDecoder keeps the first of duplicate keys; such input is its to decode.
        if hasDuplicateKey() { throw input.unsupportedHere() }
    }

    private var entries: UnsafeMutablePointer<Int> { decoding.pointee.stack + offset + 1 }

    func value(_ member: Int) -> Value { Value(start: entries[member * 4 + 2], container: entries[member * 4 + 3]) }

    private func keyBytes(_ member: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: input.base + entries[member * 4], count: entries[member * 4 + 1])
    }

    private func keyEquals(_ member: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let entries = self.entries
        let length = entries[member * 4 + 1]
        guard length == other.count else { return false }
        let key = input.base + entries[member * 4]
        for offset in 0..<length where key[offset] != other[offset] { return false }
        return true
    }

    private func hasDuplicateKey() -> Bool {
        if count < 2 { return false }
        if count <= 16 {
            for member in 1..<count {
                let key = keyBytes(member)
                for earlier in 0..<member where keyEquals(earlier, key) { return true }
            }
            return false
        }
        var seen = Set<String>(minimumCapacity: count)
        for member in 0..<count where !seen.insert(key(member)).inserted { return true }
        return false
    }

    func key(_ member: Int) -> String {
        let key = keyBytes(member)
        return String(unsafeUninitializedCapacity: key.count) { buffer in
            _ = buffer.initialize(from: key)
            return key.count
        }
    }

    /// The value of `name`, or nil when the object has no such key.
    func value(of name: String) -> Value? {
        var name = name
        return name.withUTF8 { name -> Value? in
            let hint = decoding.pointee.stack + offset
            var member = hint.pointee
            for _ in 0..<count {
                if member == count { member = 0 }
                if keyEquals(member, name) {
                    hint.pointee = member + 1
                    return value(member)
                }
                member += 1
            }
            return nil
        }
    }
}

/// A model whose `Decodable` conformance reads one keyed container and that reads itself from a
/// `JSONObject` just as well: the same keys, `decode` where the conformance decodes and
/// `decodeIfPresent` where it decodes if present, in the same order. The direct decoder then builds
/// it without `Decoder`'s containers (a generic container type, its box and witness calls per object
/// and field); `JSONDecoder` still uses the `Decodable` conformance, and a differential test over the
/// fuzz corpus and the API server's pages holds the two to the same values.
public protocol JSONObjectDecodable: Decodable {
    init(json object: JSONObject) throws
}

extension JSONObjectDecodable {
    /// `Self` read at `value`, as `T`, which it is (the caller found `T`'s conformance).
    static func decoded<T>(at value: Value, in decoding: UnsafeMutablePointer<Decoding>, as type: T.Type) throws -> T {
        try Self(json: JSONObject(decoding: decoding, at: value)) as! T
    }
}

/// One JSON object's members, read by the rules of `KeyedDecodingContainer`: `decode` throws when the
/// key is missing or the value null or of another type, `decodeIfPresent` gives nil when it is missing
/// or null. Only the direct decoder makes one; it lives as long as that decode.
public struct JSONObject {
    let members: ObjectMembers

    var decoding: UnsafeMutablePointer<Decoding> { members.decoding }
    var input: JSONInput { members.input }

    init(members: ObjectMembers) { self.members = members }

    init(decoding: UnsafeMutablePointer<Decoding>, at value: Value) throws {
        guard decoding.input[value.start] == UInt8(ascii: "{") else { throw decoding.input.mismatch([String: Any].self, at: value.start) }
        members = try ObjectMembers(decoding: decoding, start: value.start, container: value.container)
    }

    public func contains(_ key: some CodingKey) -> Bool { members.value(of: key.stringValue) != nil }

    func value(_ key: some CodingKey) throws -> Value {
        guard let value = members.value(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "no such key"))
        }
        return value
    }

    /// A present, non-null value.
    func present(_ key: some CodingKey) -> Value? {
        guard let value = members.value(of: key.stringValue), !input.isNull(value.start) else { return nil }
        return value
    }

    func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, forKey key: some CodingKey) throws -> Integer {
        try input.integer(checkedAt: try value(key).start, as: type)
    }

    public func decodeNil(forKey key: some CodingKey) throws -> Bool { input.isNull(try value(key).start) }
    public func decode(_ type: Bool.Type, forKey key: some CodingKey) throws -> Bool { try input.bool(at: try value(key).start) }
    public func decode(_ type: String.Type, forKey key: some CodingKey) throws -> String { try input.string(checkedAt: try value(key).start) }
    public func decode(_ type: Int.Type, forKey key: some CodingKey) throws -> Int { try integer(type, forKey: key) }
    public func decode<T: Decodable>(_ type: T.Type, forKey key: some CodingKey) throws -> T { try decoding.decode(type, at: try value(key)) }

    // One look-up each, where `KeyedDecodingContainer`'s defaults would make three (contains, decodeNil, decode).
    public func decodeIfPresent(_ type: Bool.Type, forKey key: some CodingKey) throws -> Bool? {
        guard let value = present(key) else { return nil }
        return try input.bool(at: value.start)
    }
    public func decodeIfPresent(_ type: String.Type, forKey key: some CodingKey) throws -> String? {
        guard let value = present(key) else { return nil }
        return try input.string(checkedAt: value.start)
    }
    public func decodeIfPresent(_ type: Int.Type, forKey key: some CodingKey) throws -> Int? {
        guard let value = present(key) else { return nil }
        return try input.integer(checkedAt: value.start, as: type)
    }
    public func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: some CodingKey) throws -> T? {
        guard let value = present(key) else { return nil }
        return try decoding.decode(type, at: value)
    }

    // A model and a list of models read directly, without looking up the conformance.
    public func decode<T: JSONObjectDecodable>(_ type: T.Type, forKey key: some CodingKey) throws -> T {
        try decoding.object(type, at: try value(key))
    }
    public func decodeIfPresent<T: JSONObjectDecodable>(_ type: T.Type, forKey key: some CodingKey) throws -> T? {
        guard let value = present(key) else { return nil }
        return try decoding.object(type, at: value)
    }
    public func decode<T: JSONObjectDecodable>(_ type: [T].Type, forKey key: some CodingKey) throws -> [T] {
        try decoding.objects(T.self, at: try value(key))
    }
    public func decodeIfPresent<T: JSONObjectDecodable>(_ type: [T].Type, forKey key: some CodingKey) throws -> [T]? {
        guard let value = present(key) else { return nil }
        return try decoding.objects(T.self, at: value)
    }
}

extension UnsafeMutablePointer<Decoding> {
    /// A model read directly; what it pushed is given back after it.
    func object<T: JSONObjectDecodable>(_ type: T.Type, at value: Value) throws -> T {
        let mark = pointee.used
        defer { pointee.used = mark }
        return try T(json: JSONObject(decoding: self, at: value))
    }

    /// A list of models read directly, as `Array`'s `Decodable` would read it.
    func objects<T: JSONObjectDecodable>(_ type: T.Type, at value: Value) throws -> [T] {
        guard input[value.start] == UInt8(ascii: "[") else { throw input.mismatch([Any].self, at: value.start) }
        let mark = pointee.used
        defer { pointee.used = mark }
        let elements = try ArrayContainer(decoding: self, start: value.start, container: value.container)
        var list: [T] = []
        list.reserveCapacity(elements.elementCount)
        for element in 0..<elements.elementCount { list.append(try object(type, at: elements.element(element))) }
        return list
    }
}

/// `Decoder`'s keyed container: a `JSONObject` under the container protocol.
struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject

    var decoding: UnsafeMutablePointer<Decoding> { object.decoding }
    var input: JSONInput { object.input }
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { (0..<object.members.count).compactMap { Key(stringValue: object.members.key($0)) } }

    func contains(_ key: Key) -> Bool { object.contains(key) }

    func decodeNil(forKey key: Key) throws -> Bool { try object.decodeNil(forKey: key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try object.decode(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try object.decode(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw input.unsupportedHere() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw input.unsupportedHere() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try object.integer(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try object.integer(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try object.integer(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try object.integer(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try object.integer(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try object.integer(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try object.integer(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try object.integer(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try object.integer(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try object.integer(type, forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try object.decode(type, forKey: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try object.decodeIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try object.decodeIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try object.decodeIfPresent(type, forKey: key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try object.decodeIfPresent(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let value = try object.value(key)
        return try ValueDecoder(decoding: decoding, start: value.start, container: value.container).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try object.value(key)
        return try ValueDecoder(decoding: decoding, start: value.start, container: value.container).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { throw input.unsupportedHere() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw input.unsupportedHere() }
}

/// An array's elements, kept on the decoding's stack as (start, container index) pairs.
struct ArrayContainer: UnkeyedDecodingContainer {
    let decoding: UnsafeMutablePointer<Decoding>
    /// The offset of the first element's pair on the stack, and (in the high half) the element count:
    /// packed so that the container fits an existential's inline buffer.
    private let elements: Int
    private(set) var currentIndex = 0

    init(decoding: UnsafeMutablePointer<Decoding>, start: Int, container: Int) throws(UnsupportedJSON) {
        self.decoding = decoding
        let input = decoding.input
        let offset = decoding.pointee.used
        guard offset <= UInt32.max else { throw input.unsupportedHere() }
        var count = 0
        var index: Int? = input.skipSpace(start + 1)
        if input[index!] == UInt8(ascii: "]") { index = nil }
        var next = container + 1
        while let element = index {
            let pushed = decoding.pointee.push(2)
            let entry = decoding.pointee.stack + pushed
            entry[0] = element
            entry[1] = next
            count += 1
            (index, next) = input.step(after: element, container: next)
        }
        elements = count << 32 | offset
    }

    var input: JSONInput { decoding.input }
    var elementCount: Int { elements >> 32 }

    func element(_ index: Int) -> Value {
        let entry = decoding.pointee.stack + (elements & 0xFFFF_FFFF) + index * 2
        return Value(start: entry[0], container: entry[1])
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { elementCount }
    var isAtEnd: Bool { currentIndex >= elementCount }

    /// The next element, the index moved past it.
    private mutating func next(_ type: Any.Type) throws -> Value {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: [], debugDescription: "at the end"))
        }
        currentIndex += 1
        return element(currentIndex - 1)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw DecodingError.valueNotFound(Never.self, DecodingError.Context(codingPath: [], debugDescription: "at the end")) }
        if input.isNull(element(currentIndex).start) {
            currentIndex += 1
            return true
        }
        return false
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try input.bool(at: try next(type).start) }
    mutating func decode(_ type: String.Type) throws -> String { try input.string(checkedAt: try next(type).start) }
    mutating func decode(_ type: Double.Type) throws -> Double { throw input.unsupportedHere() }
    mutating func decode(_ type: Float.Type) throws -> Float { throw input.unsupportedHere() }
    mutating func decode(_ type: Int.Type) throws -> Int { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try input.integer(checkedAt: try next(type).start, as: type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoding.decode(type, at: try next(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try next(type)
        return try ValueDecoder(decoding: decoding, start: value.start, container: value.container).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try next([Any].self)
        return try ValueDecoder(decoding: decoding, start: value.start, container: value.container).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { throw input.unsupportedHere() }
}
