/// A YAML node resolved to a typed value, ready to become JSON.
public enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// Also holds integers too large for `Int`: their exact digits stay available from the node's
    /// `string`, and JSON decoders read them as numbers either way.
    case double(Double)
    case string(String)
    case array([YAMLValue])
    /// Members in first-appearance order with unique keys; a repeated key keeps its first position and
    /// takes its last value, exactly like a Python dict built by PyYAML.
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: YAMLValue

        public init(key: String, value: YAMLValue) {
            self.key = key
            self.value = value
        }
    }
}

extension YAMLNode {
    /// The typed value, resolved as PyYAML's SafeLoader does (YAML 1.1 rules): plain `true`/`yes`/`on`
    /// (and their `false` counterparts) are booleans; `0x`, `0b`, leading-zero octal, `0o` octal
    /// (as in YAML 1.2 and Go), `_` separators and base 60 (`1:30`) are integers; floats need a dot;
    /// `~`/`null`/empty are null. Quoted and block scalars are strings, and so are timestamps.
    /// Mapping keys are converted to strings as JSON needs them.
    public func resolved() -> YAMLValue {
        var nonFinite: NonFiniteNumber?
        return resolved(firstNonFinite: &nonFinite)
    }

    struct NonFiniteNumber {
        var text: String
        var mark: YAMLMark
    }

    /// Resolves the node and notes the first NaN or infinity, which JSON cannot carry.
    func resolved(firstNonFinite: inout NonFiniteNumber?) -> YAMLValue {
        switch content {
        case .scalar(let text, let style):
            let value = YAMLScalar.resolve(text, style: style, tag: tag) ?? .string(text)
            if firstNonFinite == nil, case .double(let number) = value, !number.isFinite {
                firstNonFinite = NonFiniteNumber(text: text, mark: mark)
            }
            return value
        case .sequence(let items):
            return .array(items.map { $0.resolved(firstNonFinite: &firstNonFinite) })
        case .mapping(let pairs):
            return .object(Self.members(of: pairs, firstNonFinite: &firstNonFinite))
        }
    }

    private static func members(of pairs: [YAMLPair], firstNonFinite: inout NonFiniteNumber?) -> [YAMLValue.Member] {
        var members: [YAMLValue.Member] = []
        members.reserveCapacity(pairs.count)
        // Most mappings are small enough that a linear search beats hashing every key.
        var positions: [String: Int]? = pairs.count > 12 ? [:] : nil
        for pair in pairs {
            let key = pair.key.resolved().jsonKey
            let value = pair.value.resolved(firstNonFinite: &firstNonFinite)
            let existing = positions.map { $0[key] } ?? members.firstIndex { $0.key == key }
            if let existing {
                members[existing].value = value
            } else {
                positions?[key] = members.count
                members.append(YAMLValue.Member(key: key, value: value))
            }
        }
        return members
    }
}

extension YAMLValue {
    /// A scalar written as a JSON object key, the way Python's `json.dumps` writes dict keys.
    var jsonKey: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value):
            value.isNaN ? "NaN" : value.isInfinite ? (value < 0 ? "-Infinity" : "Infinity") : String(value)
        case .string(let value): value
        // Keys are always scalars: the parser rejects collection keys.
        case .array, .object: ""
        }
    }
}

/// Typing of scalar text.
enum YAMLScalar {
    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": true
        default: false
        }
    }

    /// The value of a scalar, or nil when its explicit tag does not fit its text (`!!int abc`).
    static func resolve(_ text: String, style: YAMLNode.ScalarStyle, tag: String?) -> YAMLValue? {
        guard let tag else {
            return style == .plain ? resolvePlain(text) : .string(text)
        }
        switch tag {
        case YAMLTag.null:
            return .null
        case YAMLTag.bool:
            switch text.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: return nil
            }
        case YAMLTag.int:
            return integer(Array(text.utf8))
        case YAMLTag.float:
            return explicitFloat(text)
        default:
            // `!!str`, the non-specific `!`, and tags this reader has no type for (`!!binary`,
            // `!!timestamp`, application tags) all keep the text.
            return .string(text)
        }
    }

    /// Implicit typing of a plain scalar, with PyYAML's YAML 1.1 patterns.
    static func resolvePlain(_ text: String) -> YAMLValue {
        switch text {
        case "", "~", "null", "Null", "NULL":
            return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
            return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
            return .bool(false)
        default:
            break
        }
        let bytes = Array(text.utf8)
        guard let first = bytes.first, isDigit(first) || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") else {
            return .string(text)
        }
        return integer(bytes) ?? float(bytes) ?? .string(text)
    }

    // MARK: Integers

    /// `[-+]?` then `0b[01_]+`, `0x[0-9a-fA-F_]+`, `0o[0-7_]+`, `0[0-7_]+`, `0`, `[1-9][0-9_]*` or
    /// base 60 `[1-9][0-9_]*(:[0-5]?[0-9])+`.
    static func integer(_ bytes: [UInt8]) -> YAMLValue? {
        var digits = bytes[...]
        let isNegative = digits.first == UInt8(ascii: "-")
        if isNegative || digits.first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard let first = digits.first else { return nil }
        if first == UInt8(ascii: "0") && digits.count > 1 {
            let radix: Int
            var body = digits.dropFirst(2)
            switch digits[digits.startIndex + 1] {
            case UInt8(ascii: "b"): radix = 2
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            default:
                // Leading-zero octal keeps its zero, so `0_` is 0 as in PyYAML.
                radix = 8
                body = digits
            }
            return integer(body, radix: radix, isNegative: isNegative)
        }
        guard isDigit(first) else { return nil }
        if digits.contains(UInt8(ascii: ":")) {
            return sexagesimalInteger(digits, isNegative: isNegative)
        }
        return integer(digits, radix: 10, isNegative: isNegative)
    }

    /// Digits with optional `_` separators. Values outside `Int` become the nearest `Double`.
    private static func integer(_ text: ArraySlice<UInt8>, radix: Int, isNegative: Bool) -> YAMLValue? {
        var magnitude: UInt64 = 0
        var approximate = 0.0
        var overflowed = false
        var digitCount = 0
        for byte in text where byte != UInt8(ascii: "_") {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            digitCount += 1
            approximate = approximate * Double(radix) + Double(digit)
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(digit))
            overflowed = overflowed || overflow1 || overflow2
            magnitude = sum
        }
        guard digitCount > 0 else { return nil }
        if !overflowed {
            if isNegative && magnitude <= UInt64(Int.max) + 1 {
                return .int(magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude))
            }
            if !isNegative && magnitude <= UInt64(Int.max) {
                return .int(Int(magnitude))
            }
        }
        // Decimal text parses to the correctly rounded double; other radixes are powers of two, where
        // accumulating is exact up to 2^53 and close enough beyond.
        if radix == 10, let parsed = Double(String(decoding: text.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)) {
            approximate = parsed
        }
        return .double(isNegative ? -approximate : approximate)
    }

    private static func sexagesimalInteger(_ text: ArraySlice<UInt8>, isNegative: Bool) -> YAMLValue? {
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard let head = parts.first, parts.dropFirst().allSatisfy(isBase60Digit) else { return nil }
        guard case .int(let leading)? = integer(head, radix: 10, isNegative: false) else { return nil }
        var value = leading
        for part in parts.dropFirst() {
            guard case .int(let digit)? = integer(part, radix: 10, isNegative: false) else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 60)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return .int(isNegative ? -value : value)
    }

    /// `[0-5]?[0-9]`.
    private static func isBase60Digit(_ part: ArraySlice<UInt8>) -> Bool {
        guard let last = part.last, isDigit(last), part.count <= 2 else { return false }
        return part.count == 1 || (UInt8(ascii: "0")...UInt8(ascii: "5")).contains(part[part.startIndex])
    }

    // MARK: Floats

    /// PyYAML's float pattern, which insists on a dot and on a signed exponent (`1e3` and `1.0e3` stay
    /// strings): `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?`, `\.[0-9][0-9_]*([eE][-+][0-9]+)?`,
    /// base 60 `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`.
    static func float(_ bytes: [UInt8]) -> YAMLValue? {
        var body = bytes[...]
        let sign: UInt8? = body.first == UInt8(ascii: "-") || body.first == UInt8(ascii: "+") ? body.first : nil
        if sign != nil {
            body = body.dropFirst()
        }
        let isNegative = sign == UInt8(ascii: "-")
        switch String(decoding: body, as: UTF8.self) {
        case ".inf", ".Inf", ".INF":
            return .double(isNegative ? -.infinity : .infinity)
        case ".nan", ".NaN", ".NAN":
            return sign == nil ? .double(.nan) : nil
        default:
            break
        }
        guard let first = body.first else { return nil }
        if first == UInt8(ascii: ".") {
            // `.5` is a float but `-.5` is not, in PyYAML's pattern.
            guard sign == nil, body.count > 1, isDigit(body[body.startIndex + 1]) else { return nil }
            return decimalFloat(body, isNegative: false)
        }
        guard isDigit(first) else { return nil }
        guard let dot = body.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let whole = body[..<dot]
        if whole.contains(UInt8(ascii: ":")) {
            return sexagesimalFloat(whole: whole, fraction: body[dot...], isNegative: isNegative)
        }
        guard whole.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return nil }
        return decimalFloat(body, isNegative: isNegative)
    }

    /// `[0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` once the leading digit has been checked.
    private static func decimalFloat(_ body: ArraySlice<UInt8>, isNegative: Bool) -> YAMLValue? {
        var mantissaEnd = body.endIndex
        if let exponentStart = body.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            let exponent = body[(exponentStart + 1)...]
            guard let expSign = exponent.first, expSign == UInt8(ascii: "-") || expSign == UInt8(ascii: "+"),
                  exponent.count > 1, exponent.dropFirst().allSatisfy(isDigit) else { return nil }
            mantissaEnd = exponentStart
        }
        guard body[..<mantissaEnd].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }),
              body[..<mantissaEnd].filter({ $0 == UInt8(ascii: ".") }).count == 1 else { return nil }
        return parseDouble(body, isNegative: isNegative)
    }

    private static func sexagesimalFloat(whole: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>,
                                         isNegative: Bool) -> YAMLValue? {
        let parts = whole.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard let head = parts.first, head.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }),
              let headFirst = head.first, isDigit(headFirst),
              parts.dropFirst().allSatisfy(isBase60Digit),
              fraction.dropFirst().allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return nil }
        // Python adds the parts from the least significant one up; doing the same gives the same bits.
        var numbers: [Double] = []
        for part in parts.dropLast() {
            guard case .double(let number)? = parseDouble(part, isNegative: false) else { return nil }
            numbers.append(number)
        }
        guard let tail = parts.last,
              case .double(let last)? = parseDouble(tail + fraction, isNegative: false) else { return nil }
        numbers.append(last)
        var value = 0.0
        var base = 1.0
        for number in numbers.reversed() {
            value += number * base
            base *= 60
        }
        return .double(isNegative ? -value : value)
    }

    /// What `!!float` accepts besides the implicit pattern: integers and exponent forms without a dot,
    /// as Python's `float()` does.
    private static func explicitFloat(_ text: String) -> YAMLValue? {
        let bytes = Array(text.utf8)
        if let value = float(bytes) {
            return value
        }
        switch integer(bytes) {
        case .int(let value)?: return .double(Double(value))
        case let value?: return value
        case nil: break
        }
        var body = bytes[...]
        let isNegative = body.first == UInt8(ascii: "-")
        if isNegative || body.first == UInt8(ascii: "+") {
            body = body.dropFirst()
        }
        // Only digits, dots, exponents and separators, so Swift's parser cannot accept hex floats or "inf".
        guard let first = body.first, isDigit(first) || first == UInt8(ascii: "."),
              body.allSatisfy({ isDigit($0) || "._eE+-".utf8.contains($0) }) else { return nil }
        return parseDouble(body, isNegative: isNegative)
    }

    private static func parseDouble(_ text: ArraySlice<UInt8>, isNegative: Bool) -> YAMLValue? {
        var cleaned = text.filter { $0 != UInt8(ascii: "_") }
        // Python accepts "1." and "1.e+5"; make sure Swift's parser does too.
        if let dot = cleaned.firstIndex(of: UInt8(ascii: ".")),
           dot + 1 == cleaned.endIndex || !isDigit(cleaned[dot + 1]) {
            cleaned.insert(UInt8(ascii: "0"), at: dot + 1)
        }
        if cleaned.first == UInt8(ascii: ".") {
            cleaned.insert(UInt8(ascii: "0"), at: 0)
        }
        guard let value = Double(String(decoding: cleaned, as: UTF8.self)) else { return nil }
        return .double(isNegative ? -value : value)
    }

    // MARK: Characters

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
