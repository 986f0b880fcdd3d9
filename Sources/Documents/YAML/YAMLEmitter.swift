/// Writes values as block-style YAML that kubectl and PyYAML read back to the same value. Strings are
/// plain only when no YAML 1.1 or 1.2 reader could take them for anything else (a boolean, a number,
/// null, an indicator); everything else is double-quoted with JSON-style escapes.
public enum YAMLEmitter {
    /// One document per value, each preceded by its comment lines, separated by `---`.
    public static func documents(_ documents: [(comments: [String], value: YAMLValue)]) -> String {
        var text = ""
        for (index, document) in documents.enumerated() {
            if index > 0 { text += "---\n" }
            for comment in document.comments { text += comment.isEmpty ? "#\n" : "# \(comment)\n" }
            text += emit(document.value)
        }
        return text
    }

    /// The value as a block: a mapping or a sequence spans lines, a scalar is one line.
    public static func emit(_ value: YAMLValue) -> String {
        var lines: [String] = []
        block(value, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ value: YAMLValue, indent: String, into lines: inout [String]) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for member in members {
                let key = indent + scalar(.string(member.key)) + ":"
                if let inline = inline(member.value) {
                    lines.append(key + " " + inline)
                } else {
                    lines.append(key)
                    // Sequences under a key sit two spaces in, as kubectl prints them.
                    block(member.value, indent: indent + "  ", into: &lines)
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if let inline = inline(item) {
                    lines.append(indent + "- " + inline)
                    continue
                }
                // The first line of a nested block shares the dash's line.
                var nested: [String] = []
                block(item, indent: indent + "  ", into: &nested)
                lines.append(indent + "- " + nested[0].dropFirst(indent.count + 2))
                lines += nested.dropFirst()
            }
        default:
            lines.append(indent + (inline(value) ?? ""))
        }
    }

    /// Scalars and empty collections fit on the key's line.
    private static func inline(_ value: YAMLValue) -> String? {
        switch value {
        case .object(let members): members.isEmpty ? "{}" : nil
        case .array(let items): items.isEmpty ? "[]" : nil
        default: scalar(value)
        }
    }

    private static func scalar(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): isPlainSafe(text) ? text : quoted(text)
        case .array, .object: ""
        }
    }

    /// Words YAML 1.1 resolves to booleans or null (PyYAML and older kubectl read 1.1).
    private static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ]

    /// A letter or `/` first, then letters, digits and `_ . / -` only: never a number, an indicator,
    /// a comment or a key separator.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !reservedWords.contains(text.lowercased()) else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard isLetter(first) || first == "/" else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            isLetter(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "." || scalar == "/" || scalar == "-"
        }
    }

    /// A double-quoted scalar: `"` and `\` escaped, control characters as `\n`, `\t` or `\uXXXX`.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                // C0, DEL, C1 and the Unicode line and paragraph separators, which YAML 1.1 reads as line breaks.
                if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0)
                    || scalar.value == 0x2028 || scalar.value == 0x2029
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
