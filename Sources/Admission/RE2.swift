/// The API server runs CEL's `matches` with RE2, which lacks some constructs Swift's regular expressions
/// have. An exception pattern that uses one would make a policy's match condition fail to compile, and a
/// policy whose condition cannot run refuses every object it matches: such patterns are refused up front.
public enum RE2 {
    /// Why RE2 cannot run `pattern`; nil when it can.
    public static func unsupported(_ pattern: String) -> String? {
        let characters = Array(pattern)
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "\\" {
                if let next, !inClass, ("1"..."9").contains(next) { return "a backreference (\\\(next))" }
                if next == "k" { return "a named backreference (\\k)" }
                index += 2
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
            } else if character == "[" {
                inClass = true
                // A `]` right after `[` or `[^` is a literal member.
                if next == "]" { index += 1 } else if next == "^", index + 2 < characters.count, characters[index + 2] == "]" { index += 2 }
            } else if character == "(", next == "?" {
                let rest = String(characters[(index + 2)...].prefix(3))
                for (prefix, name) in [("=", "a lookahead"), ("!", "a negative lookahead"), ("<=", "a lookbehind"), ("<!", "a negative lookbehind"), (">", "an atomic group")]
                where rest.hasPrefix(prefix) {
                    return name
                }
            } else if "*+?}".contains(character), next == "+", index > 0 {
                return "a possessive quantifier (\(character)+)"
            }
            index += 1
        }
        return nil
    }
}
