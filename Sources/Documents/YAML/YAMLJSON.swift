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
            JSONStringLiteral.append(value, to: &json)
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
                JSONStringLiteral.append(member.key, to: &json)
                json.append(UInt8(ascii: ":"))
                member.value.writeJSON(to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
    }
}
