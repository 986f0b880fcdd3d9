/// Builders for the CEL text the admission checks share. Only standard CEL is generated: macros
/// (`all`, `exists`), `has`, `size`, `in`, `startsWith`, `matches` (RE2) and `+`; no Kubernetes
/// library function is needed.
enum CEL {
    /// A single-quoted CEL string literal.
    static func string(_ text: String) -> String {
        var result = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": result += "\\'"
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "'"
    }

    /// `text` as an RE2 literal: every character that could be a metacharacter is escaped.
    static func regexEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\.+*?()|[]{}^$".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// `(?:a|b|c)` of escaped alternatives.
    static func alternation(_ literals: [String]) -> String {
        "(?:" + literals.map(regexEscaped).joined(separator: "|") + ")"
    }

    /// `a && b && …` of the non-empty parts, parenthesised.
    static func all(_ parts: [String]) -> String {
        parts.count == 1 ? parts[0] : parts.map { "(\($0))" }.joined(separator: " && ")
    }

    static func any(_ parts: [String]) -> String {
        parts.count == 1 ? parts[0] : parts.map { "(\($0))" }.joined(separator: " || ")
    }

    /// `has(a.b) && has(a.b.c)`: every step of an optional path is present.
    static func present(_ base: String, _ path: String) -> String {
        var current = base
        var tests: [String] = []
        for field in path.split(separator: ".") {
            current += ".\(field)"
            tests.append("has(\(current))")
        }
        return tests.joined(separator: " && ")
    }

    /// The container's securityContext field when it sets it, else the pod's, tested with `test`;
    /// false when neither sets it. The kubelet applies the same precedence.
    static func effective(_ container: String, _ field: String, _ test: (String) -> String) -> String {
        let own = "\(container).securityContext.\(field)"
        let pod = "variables.podSpec.securityContext.\(field)"
        return "((\(present(container, "securityContext.\(field)"))) ? \(test(own)) : (\(present("variables.podSpec", "securityContext.\(field)")) && \(test(pod))))"
    }
}
