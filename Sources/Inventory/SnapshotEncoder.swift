import Documents
import FoundationEssentials

/// The JSON `JSONEncoder` (slashes unescaped) gives for the snapshot's models, written straight into
/// bytes as each value is encoded. `JSONEncoder` builds a tree of every value, keyed by dictionaries,
/// before it writes one byte: encoding a `collect` snapshot that way was more than half of its CPU time.
///
/// It decides only what the models use — synthesized `Encodable` (and `encode(to:)` with one container
/// used in order), strings, integers, booleans, null — and gives the same JSON: the same values, strings
/// escaped alike, an object's members in the order they are encoded (`JSONEncoder`'s order is its hash
/// table's; JSON does not order them). Anything else (floating-point numbers, dates, data, URLs, decimals,
/// a second container, nested containers, super encoders, nesting past 512, a value that encodes nothing)
/// throws `Unsupported`, and the caller encodes with `JSONEncoder`.
struct SnapshotEncoder {
    struct Unsupported: Error {}

    static func encode<Value: Encodable>(_ value: Value) throws(Unsupported) -> Data {
        let encoder = ValueEncoder(output: Output())
        do {
            try encoder.encodeValue(value)
        } catch {
            throw Unsupported()
        }
        guard !encoder.output.unsupported else { throw Unsupported() }
        return Data(encoder.output.bytes)
    }

    final class Output {
        // Unchecked: one encoder writes one value on one thread, and the dynamic exclusivity checks of every
        // append were 4 % of `collect`'s cycles.
        @exclusivity(unchecked) var bytes: [UInt8] = []
        @exclusivity(unchecked) var depth = 0
        /// Set where the encoder met something it does not decide but cannot throw.
        @exclusivity(unchecked) var unsupported = false

        init() { bytes.reserveCapacity(1 << 16) }

        @inline(__always) func append(_ byte: UInt8) { bytes.append(byte) }

        func append(_ string: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
        }

        /// `string` quoted and escaped as `JSONEncoder` escapes it.
        func appendString(_ string: String) {
            JSONStringLiteral.append(string, to: &bytes)
        }

        func appendInteger<Integer: BinaryInteger>(_ value: Integer) {
            bytes.append(contentsOf: String(value).utf8)
        }

        func appendKey(_ key: some CodingKey, first: Bool) {
            if !first { append(UInt8(ascii: ",")) }
            appendString(key.stringValue)
            append(UInt8(ascii: ":"))
        }
    }

    /// The encoder of one value at a time: `encodeValue` lets the value open its container and closes it.
    final class ValueEncoder: Encoder {
        enum State { case unused, keyed, unkeyed, single, singleWritten }

        let output: Output
        @exclusivity(unchecked) var state = State.unused

        init(output: Output) { self.output = output }

        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        /// Writes `value`, with its container's brackets.
        func encodeValue<Value: Encodable>(_ value: Value) throws {
            if Value.self == String.self { return output.appendString(value as! String) }
            if Value.self == Int.self { return output.appendInteger(value as! Int) }
            if Value.self == Bool.self { return output.append((value as! Bool) ? "true" : "false") }
            // What JSONEncoder encodes its own way rather than through the value's `encode(to:)`.
            if Value.self == Date.self || Value.self == Data.self || Value.self == URL.self || Value.self == Decimal.self {
                throw Unsupported()
            }
            let outer = state
            state = .unused
            output.depth += 1
            guard output.depth <= 512 else { throw Unsupported() }
            try value.encode(to: self)
            switch state {
            case .keyed: output.append(UInt8(ascii: "}"))
            case .unkeyed: output.append(UInt8(ascii: "]"))
            case .singleWritten: break
            case .unused, .single: throw Unsupported()
            }
            output.depth -= 1
            state = outer
        }

        /// Marks the value's container opened; a second one is not decided here.
        private func open(_ opened: State) {
            if state != .unused { output.unsupported = true }
            state = opened
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            open(.keyed)
            output.append(UInt8(ascii: "{"))
            return KeyedEncodingContainer(Keyed(encoder: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            open(.unkeyed)
            output.append(UInt8(ascii: "["))
            return Unkeyed(encoder: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            open(.single)
            return Single(encoder: self)
        }

        /// A single value written: the state says so, and a second write is not decided here.
        func wroteSingle() {
            if state != .single { output.unsupported = true }
            state = .singleWritten
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: ValueEncoder
        var count = 0
        var codingPath: [any CodingKey] { [] }

        init(encoder: ValueEncoder) { self.encoder = encoder }

        private mutating func key(_ key: Key) {
            encoder.output.appendKey(key, first: count == 0)
            count += 1
        }

        mutating func encodeNil(forKey key: Key) throws {
            self.key(key)
            encoder.output.append("null")
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            self.key(key)
            encoder.output.append(value ? "true" : "false")
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            self.key(key)
            encoder.output.appendString(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
            self.key(key)
            try encoder.encodeValue(value)
        }

        // Optionals, most of the models' fields: the protocol's own versions go through a generic
        // `encode` per field.
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }

        private mutating func integer(_ value: some BinaryInteger, _ key: Key) throws {
            self.key(key)
            encoder.output.appendInteger(value)
        }

        mutating func nestedContainer<Nested: CodingKey>(keyedBy keyType: Nested.Type, forKey key: Key) -> KeyedEncodingContainer<Nested> {
            encoder.output.unsupported = true
            return KeyedEncodingContainer(Keyed<Nested>(encoder: encoder))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.output.unsupported = true
            return Unkeyed(encoder: encoder)
        }
        mutating func superEncoder() -> any Encoder {
            encoder.output.unsupported = true
            return encoder
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            encoder.output.unsupported = true
            return encoder
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: ValueEncoder
        var count = 0
        var codingPath: [any CodingKey] { [] }

        private mutating func element() {
            if count > 0 { encoder.output.append(UInt8(ascii: ",")) }
            count += 1
        }

        mutating func encodeNil() throws {
            element()
            encoder.output.append("null")
        }
        mutating func encode(_ value: Bool) throws {
            element()
            encoder.output.append(value ? "true" : "false")
        }
        mutating func encode(_ value: String) throws {
            element()
            encoder.output.appendString(value)
        }
        mutating func encode(_ value: Double) throws { throw Unsupported() }
        mutating func encode(_ value: Float) throws { throw Unsupported() }
        mutating func encode(_ value: Int) throws { integer(value) }
        mutating func encode(_ value: Int8) throws { integer(value) }
        mutating func encode(_ value: Int16) throws { integer(value) }
        mutating func encode(_ value: Int32) throws { integer(value) }
        mutating func encode(_ value: Int64) throws { integer(value) }
        mutating func encode(_ value: UInt) throws { integer(value) }
        mutating func encode(_ value: UInt8) throws { integer(value) }
        mutating func encode(_ value: UInt16) throws { integer(value) }
        mutating func encode(_ value: UInt32) throws { integer(value) }
        mutating func encode(_ value: UInt64) throws { integer(value) }
        mutating func encode<Value: Encodable>(_ value: Value) throws {
            element()
            try encoder.encodeValue(value)
        }

        private mutating func integer(_ value: some BinaryInteger) {
            element()
            encoder.output.appendInteger(value)
        }

        mutating func nestedContainer<Nested: CodingKey>(keyedBy keyType: Nested.Type) -> KeyedEncodingContainer<Nested> {
            encoder.output.unsupported = true
            return KeyedEncodingContainer(Keyed<Nested>(encoder: encoder))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.output.unsupported = true
            return Unkeyed(encoder: encoder)
        }
        mutating func superEncoder() -> any Encoder {
            encoder.output.unsupported = true
            return encoder
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: ValueEncoder
        var codingPath: [any CodingKey] { [] }

        func encodeNil() throws {
            encoder.wroteSingle()
            encoder.output.append("null")
        }
        func encode(_ value: Bool) throws {
            encoder.wroteSingle()
            encoder.output.append(value ? "true" : "false")
        }
        func encode(_ value: String) throws {
            encoder.wroteSingle()
            encoder.output.appendString(value)
        }
        func encode(_ value: Double) throws { throw Unsupported() }
        func encode(_ value: Float) throws { throw Unsupported() }
        func encode(_ value: Int) throws { integer(value) }
        func encode(_ value: Int8) throws { integer(value) }
        func encode(_ value: Int16) throws { integer(value) }
        func encode(_ value: Int32) throws { integer(value) }
        func encode(_ value: Int64) throws { integer(value) }
        func encode(_ value: UInt) throws { integer(value) }
        func encode(_ value: UInt8) throws { integer(value) }
        func encode(_ value: UInt16) throws { integer(value) }
        func encode(_ value: UInt32) throws { integer(value) }
        func encode(_ value: UInt64) throws { integer(value) }
        func encode<Value: Encodable>(_ value: Value) throws {
            encoder.wroteSingle()
            // The value's own container, in the place of this one.
            encoder.state = .unused
            try encoder.encodeValue(value)
            encoder.state = .singleWritten
        }

        private func integer(_ value: some BinaryInteger) {
            encoder.wroteSingle()
            encoder.output.appendInteger(value)
        }
    }
}
