import FoundationEssentials

extension YAMLNode {
    /// The resolved value as JSON text, ready for `JSONDecoder`, so that typed configuration is
    /// decoded by the same `Decodable` code whether it was written in YAML or JSON. Mapping keys
    /// become strings; NaN and infinities have no JSON form and are reported at their position.
    public func jsonData() throws(YAMLError) -> Data {
        var nonFinite: NonFiniteNumber?
        let value = resolved(firstNonFinite: &nonFinite)
        if let nonFinite {
            throw YAMLError("'\(nonFinite.text)' is not a finite number, which JSON cannot represent",
                            at: nonFinite.mark, file: nil)
        }
        var json: [UInt8] = []
        value.writeJSON(to: &json)
        return Data(json)
    }
}

extension YAMLValue {
    /// Writes compact JSON. Doubles use Swift's shortest round-trip form, which is valid JSON for every
    /// finite value; callers have already rejected the others.
    func writeJSON(to json: inout [UInt8]) {
        switch self {
        case .null:
            json.append(contentsOf: "null".utf8)
        case .bool(let value):
            json.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            json.append(contentsOf: String(value).utf8)
        case .double(let value):
            json.append(contentsOf: String(value).utf8)
        case .string(let value):
            Self.writeJSONString(value, to: &json)
        case .array(let items):
            json.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 {
                    json.append(UInt8(ascii: ","))
                }
                item.writeJSON(to: &json)
            }
            json.append(UInt8(ascii: "]"))
        case .object(let members):
            json.append(UInt8(ascii: "{"))
            for (offset, member) in members.enumerated() {
                if offset > 0 {
                    json.append(UInt8(ascii: ","))
                }
                Self.writeJSONString(member.key, to: &json)
                json.append(UInt8(ascii: ":"))
                member.value.writeJSON(to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
    }

    private static func writeJSONString(_ string: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): json.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): json.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): json.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): json.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                json.append(contentsOf: #"\u00"#.utf8)
                json.append(hex[Int(byte >> 4)])
                json.append(hex[Int(byte & 0xF)])
            default:
                json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
