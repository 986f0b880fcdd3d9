import FuzzSupport

/// Writes random YAML streams the way people and tools write them: nested block and flow
/// collections, every scalar style with escapes and line folding, comments, anchors, aliases,
/// merge keys, tags, directives and several documents.
///
/// Everything it writes is YAML that PyYAML reads, and it stays inside the rules on which Lookout
/// deliberately differs from PyYAML (no tabs outside quotes, no `0o` octal, no `?` in flow plain
/// scalars, no keys that only Python would consider equal such as `1` and `true`).
struct YAMLDocumentGenerator {
    private var random: SeededRandom
    /// Anchors whose nodes are complete, so aliases to them are not recursive.
    private var anchors: [(name: String, isMapping: Bool)] = []
    private var anchorCount = 0
    private var keyCount = 0
    private var localTagHandle = false
    private static let maximumDepth = 4

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    mutating func stream() -> String {
        var text = ""
        if random.chance(0.2) {
            text += "# \(random.pick(Self.words)) stream\n"
        }
        var needsExplicitStart = false
        if random.chance(0.15) {
            text += random.pick(["%YAML 1.1\n", "%YAML 1.2\n", "%YAML 1.1 # version\n"])
            needsExplicitStart = true
        }
        if random.chance(0.1) {
            text += "%TAG !k! tag:yaml.org,2002:\n"
            needsExplicitStart = true
            localTagHandle = true
        }
        for index in 0..<random.int(1...3) {
            anchors = []
            text += document(explicitStart: index > 0 || needsExplicitStart || random.chance(0.25))
            // %TAG only applies to the document right after it.
            localTagHandle = false
            if random.chance(0.2) {
                text += "...\n"
            }
            if random.chance(0.15) {
                text += "# between documents\n"
            }
        }
        return text
    }

    private mutating func document(explicitStart: Bool) -> String {
        let start = explicitStart ? "---" + (random.chance(0.2) ? " # start" : "") + "\n" : ""
        switch random.int(0...99) {
        case 0..<62:
            return start + blockMapping(indent: 0, depth: 0)
        case 62..<77:
            return start + blockSequence(indent: 0, depth: 0)
        case 77..<85:
            return (explicitStart ? "--- " : "") + flowNode(depth: 0, lineIndent: 0) + "\n"
        case 85..<90:
            return (explicitStart ? "--- " : "") + inlineScalar(inFlow: false) + "\n"
        case 90..<95:
            return "--- " + blockScalar(parentIndent: 0)
        default:
            return explicitStart ? start : "---\n"
        }
    }

    // MARK: Block collections

    /// Lines at `indent`; with `compact` the first line has no indentation because it follows "- ".
    private mutating func blockMapping(indent: Int, depth: Int, compact: Bool = false) -> String {
        let pad = String(repeating: " ", count: indent)
        var text = ""
        var plainKeys: [String] = []
        var usedKeys: Set<String> = []
        for entry in 0..<random.int(1...5) {
            let isCompactFirst = compact && entry == 0
            let linePad = isCompactFirst ? "" : pad
            if !isCompactFirst && random.chance(0.1) {
                text += String(repeating: " ", count: random.int(0...indent + 2)) + "# \(random.pick(Self.words))\n"
            }
            if random.chance(0.08), let merge = mergeSource() {
                text += linePad + "<<: " + merge + "\n"
                continue
            }
            let key = mappingKey(plainKeys: &plainKeys, usedKeys: &usedKeys)
            if random.chance(0.06) {
                text += linePad + "? " + key + "\n" + pad + ":" + blockValue(indent: indent, depth: depth, allowsIndentless: false)
            } else {
                text += linePad + key + ":" + blockValue(indent: indent, depth: depth, allowsIndentless: true)
            }
        }
        return text
    }

    private mutating func blockSequence(indent: Int, depth: Int, compact: Bool = false) -> String {
        let pad = String(repeating: " ", count: indent)
        var text = ""
        for item in 0..<random.int(1...4) {
            let isCompactFirst = compact && item == 0
            if !isCompactFirst && random.chance(0.08) {
                text += pad + "# \(random.pick(Self.words))\n"
            }
            text += (isCompactFirst ? "" : pad) + "-" + sequenceItem(indent: indent, depth: depth)
        }
        return text
    }

    /// What follows "- ": the mapping and sequence forms that start on the dash's own line, or any
    /// value a mapping key could have.
    private mutating func sequenceItem(indent: Int, depth: Int) -> String {
        guard depth < Self.maximumDepth else {
            return blockValue(indent: indent, depth: depth, allowsIndentless: false)
        }
        switch random.int(0...9) {
        case 0...2:
            return " " + blockMapping(indent: indent + 2, depth: depth + 1, compact: true)
        case 3:
            return " " + blockSequence(indent: indent + 2, depth: depth + 1, compact: true)
        default:
            return blockValue(indent: indent, depth: depth, allowsIndentless: false)
        }
    }

    /// What follows the ':' of a key at `indent` (or a '-' at `indent`), through the final line break.
    private mutating func blockValue(indent: Int, depth: Int, allowsIndentless: Bool) -> String {
        let continuation = indent + 2
        let choice = depth < Self.maximumDepth ? random.int(0...19) : random.int(0...11)
        switch choice {
        case 0...3:
            return " " + inlineScalar(inFlow: false) + trailingComment() + "\n"
        case 4:
            return " " + multiLinePlainScalar(indent: continuation) + trailingComment() + "\n"
        case 5:
            return " " + (random.chance(0.5) ? singleQuoted(continuationIndent: continuation)
                                             : doubleQuoted(continuationIndent: continuation)) + trailingComment() + "\n"
        case 6:
            return trailingComment() + "\n"
        case 7, 8:
            let anchor = random.chance(0.15) ? newAnchor() : nil
            let text = " " + (anchor.map { "&\($0) " } ?? "") + blockScalar(parentIndent: indent)
            if let anchor {
                anchors.append((anchor, false))
            }
            return text
        case 9:
            if let alias = random.pickIfAny(anchors)?.name {
                return " *" + alias + trailingComment() + "\n"
            }
            return " " + taggedScalar() + "\n"
        case 10:
            return " " + taggedScalar() + trailingComment() + "\n"
        case 11:
            let anchor = newAnchor()
            let text = " &" + anchor + " " + inlineScalar(inFlow: false) + "\n"
            anchors.append((anchor, false))
            return text
        case 12...14:
            return " " + flowNode(depth: depth + 1, lineIndent: indent) + trailingComment() + "\n"
        case 15...17:
            let anchor = random.chance(0.3) ? newAnchor() : nil
            let step = random.pick([2, 2, 4])
            let text = (anchor.map { " &" + $0 } ?? "") + trailingComment() + "\n"
                + blockMapping(indent: indent + step, depth: depth + 1)
            if let anchor {
                anchors.append((anchor, true))
            }
            return text
        default:
            let anchor = random.chance(0.2) ? newAnchor() : nil
            let nested = allowsIndentless && random.chance(0.5) ? indent : indent + random.pick([2, 4])
            let text = (anchor.map { " &" + $0 } ?? "") + "\n" + blockSequence(indent: nested, depth: depth + 1)
            if let anchor {
                anchors.append((anchor, false))
            }
            return text
        }
    }

    /// `*a` or `[*a, *b]` naming complete mappings, for a merge key.
    private mutating func mergeSource() -> String? {
        let mappings = anchors.filter(\.isMapping).map(\.name)
        guard let first = random.pickIfAny(mappings) else { return nil }
        if mappings.count > 1 && random.chance(0.4) {
            let second = random.pickIfAny(mappings.filter { $0 != first }) ?? first
            return "[*\(first), *\(second)]"
        }
        return "*" + first
    }

    private mutating func mappingKey(plainKeys: inout [String], usedKeys: inout Set<String>) -> String {
        if let duplicate = random.pickIfAny(plainKeys), random.chance(0.05) {
            return duplicate
        }
        keyCount += 1
        switch random.int(0...19) {
        case 0:
            return "'\(random.pick(Self.words)) key''s \(keyCount)'"
        case 1:
            return "\"\(random.pick(Self.words))\\t\\u00e9 \(keyCount)\""
        case 2:
            // Keys that resolve to other types; each stringifies differently and no two are equal in Python.
            let (text, stringified) = random.pick(Self.specialKeys)
            if usedKeys.insert(stringified).inserted {
                return text
            }
            fallthrough
        default:
            let key = random.pick(Self.keyWords) + String(keyCount)
            plainKeys.append(key)
            return key
        }
    }

    // MARK: Flow collections

    /// A flow collection or scalar; flow collections may break lines, indented past `lineIndent`.
    private mutating func flowNode(depth: Int, lineIndent: Int) -> String {
        if random.chance(0.12) {
            return jsonValue(depth: depth)
        }
        if depth >= Self.maximumDepth || random.chance(0.25) {
            return flowScalar()
        }
        let isMapping = random.chance(0.5)
        var entries: [String] = []
        var usedKeys: Set<String> = []
        var plainKeys: [String] = []
        for _ in 0..<random.int(0...4) {
            if isMapping {
                let key = flowKey(plainKeys: &plainKeys, usedKeys: &usedKeys)
                entries.append(random.chance(0.08) ? key : key + ": " + flowItem(depth: depth, lineIndent: lineIndent))
            } else if random.chance(0.1) {
                // A single-pair mapping written without braces.
                entries.append(random.pick(Self.keyWords) + ": " + flowScalar())
            } else {
                entries.append(flowItem(depth: depth, lineIndent: lineIndent))
            }
        }
        let (open, close) = isMapping ? ("{", "}") : ("[", "]")
        let tag = random.chance(0.05) ? (isMapping ? "!!map " : "!!seq ") : ""
        if !entries.isEmpty && random.chance(0.15) {
            let pad = String(repeating: " ", count: lineIndent + 2)
            return tag + open + "\n" + entries.map { pad + $0 }.joined(separator: ",\n")
                + (random.chance(0.5) ? ",\n" : "\n") + pad + close
        }
        let separator = random.pick([", ", ",", " , "])
        let trailing = !entries.isEmpty && random.chance(0.1) ? "," : ""
        let inner = entries.joined(separator: separator) + trailing
        return tag + (random.chance(0.2) ? open + " " + inner + " " + close : open + inner + close)
    }

    private mutating func flowItem(depth: Int, lineIndent: Int) -> String {
        switch random.int(0...9) {
        case 0...4:
            return flowScalar()
        case 5:
            if let alias = random.pickIfAny(anchors)?.name {
                return "*" + alias
            }
            return flowScalar()
        case 6:
            let anchor = newAnchor()
            let text = "&" + anchor + " " + flowScalar()
            anchors.append((anchor, false))
            return text
        default:
            return flowNode(depth: depth + 1, lineIndent: lineIndent)
        }
    }

    private mutating func flowKey(plainKeys: inout [String], usedKeys: inout Set<String>) -> String {
        if random.chance(0.15) {
            keyCount += 1
            return "\"k\\u00e9y \(keyCount)\""
        }
        return mappingKey(plainKeys: &plainKeys, usedKeys: &usedKeys)
    }

    private mutating func flowScalar() -> String {
        switch random.int(0...9) {
        case 0...5: return inlineScalar(inFlow: true)
        case 6: return singleQuoted(continuationIndent: nil)
        case 7: return doubleQuoted(continuationIndent: nil)
        default: return random.pick(Self.flowTaggedScalars)
        }
    }

    /// A JSON value, which is also YAML.
    private mutating func jsonValue(depth: Int) -> String {
        let kind = depth >= Self.maximumDepth ? random.int(0...5) : random.int(0...7)
        switch kind {
        case 0: return random.pick(["true", "false", "null"])
        case 1: return String(random.int(-1000...1000))
        case 2: return random.pick(["1.5", "-0.25", "3.0", "1e3", "2E-2", "0"])
        case 3...5:
            let pieces = (0..<random.int(0...5)).map { _ in
                random.pick(["abc", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude80", "é", ":", "#", ","])
            }
            return "\"" + pieces.joined() + "\""
        case 6:
            let items = (0..<random.int(0...3)).map { _ in jsonValue(depth: depth + 1) }
            return "[" + items.joined(separator: random.pick([",", ", "])) + "]"
        default:
            keyCount += 1
            let base = keyCount
            let members = (0..<random.int(0...3)).map { offset in
                "\"key\(base)_\(offset)\":" + (random.chance(0.5) ? " " : "") + jsonValue(depth: depth + 1)
            }
            return "{" + members.joined(separator: random.pick([",", ", "])) + "}"
        }
    }

    // MARK: Scalars

    private mutating func inlineScalar(inFlow: Bool) -> String {
        switch random.int(0...9) {
        case 0...3: return random.pick(inFlow ? Self.flowPlainScalars : Self.blockPlainScalars)
        case 4...6: return random.pick(Self.typedPlainScalars)
        case 7: return singleQuoted(continuationIndent: nil)
        default: return doubleQuoted(continuationIndent: nil)
        }
    }

    /// Words on several lines, folded into one line with spaces (or newlines for empty lines).
    private mutating func multiLinePlainScalar(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var text = random.pick(Self.words)
        for _ in 0..<random.int(1...3) {
            text += random.pick([" ", "\n" + pad, "\n" + pad, "\n\n" + pad, " \n" + pad, "\n  \n" + pad])
            text += random.pick(Self.words)
        }
        return text
    }

    /// A single-quoted scalar; with a continuation indent it may span lines.
    private mutating func singleQuoted(continuationIndent: Int?) -> String {
        var text = "'"
        for _ in 0..<random.int(0...6) {
            text += random.pick(["word", " ", "''", "\"", "\\", "#", ": ", "- ", "é", "漢字", "😀", "\t", ",", "[", "{", "%", "@", "~"])
            if let continuationIndent, random.chance(0.2) {
                text += random.pick(["\n", "\n\n", " \n"]) + String(repeating: " ", count: continuationIndent) + "x"
            }
        }
        return text + "'"
    }

    /// A double-quoted scalar with escapes; with a continuation indent it may span lines, folded or
    /// joined by an escaped line break.
    private mutating func doubleQuoted(continuationIndent: Int?) -> String {
        var text = "\""
        for _ in 0..<random.int(0...7) {
            text += random.pick(Self.doubleQuotedPieces)
            if let continuationIndent, random.chance(0.2) {
                text += random.pick(["\n", "\n\n", "  \n", "\\\n"]) + String(repeating: " ", count: continuationIndent) + "y"
            }
        }
        return text + "\""
    }

    /// `|` or `>` with optional chomping and indentation indicators, then its lines. The content is
    /// indented past `parentIndent`, the column of the key or dash that owns it.
    private mutating func blockScalar(parentIndent: Int) -> String {
        let style = random.pick(["|", ">"])
        let chomping = random.pick(["", "", "-", "+"])
        let increment = random.int(1...3)
        // A first line that starts with spaces needs an explicit indentation indicator.
        let leadingSpaces = random.chance(0.2)
        let explicit = leadingSpaces || random.chance(0.2)
        let indicators = explicit ? (random.chance(0.5) ? "\(increment)\(chomping)" : "\(chomping)\(increment)") : chomping
        let pad = String(repeating: " ", count: parentIndent + increment)
        var lines: [String] = []
        for index in 0..<random.int(1...5) {
            switch random.int(0...9) {
            case 0:
                lines.append("")
            case 1:
                lines.append("  " + random.pick(Self.words))
            default:
                let words = (0..<random.int(1...4)).map { _ in random.pick(Self.blockScalarWords) }
                lines.append((index == 0 && leadingSpaces ? " " : "") + words.joined(separator: " "))
            }
        }
        // Without an indicator the first non-empty line sets the indentation, so it must not be
        // more indented than the rest.
        let firstContent = lines.first { !$0.isEmpty }
        if firstContent == nil || (firstContent?.hasPrefix(" ") == true && !explicit) {
            lines.insert("text", at: 0)
        }
        let trailingEmptyLines = String(repeating: "\n", count: random.int(0...2))
        let comment = random.chance(0.2) ? " # header comment" : ""
        return style + indicators + comment + "\n"
            + lines.map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n") + "\n" + trailingEmptyLines
    }

    private mutating func taggedScalar() -> String {
        var tags = Self.flowTaggedScalars + ["!!str"]
        if localTagHandle {
            tags.append("!k!str 1234")
        }
        return random.pick(tags)
    }

    private mutating func trailingComment() -> String {
        random.chance(0.15) ? " # \(random.pick(Self.words))" : ""
    }

    private mutating func newAnchor() -> String {
        anchorCount += 1
        return "a\(anchorCount)"
    }

    // MARK: Vocabulary

    private static let words = ["alpha", "beta", "gamma", "delta", "kube", "pod", "node", "mesh", "edge", "zone"]
    private static let keyWords = ["name", "server", "app.kubernetes.io/name", "user_id", "x-defaults", "key with spaces",
                                   "cluster", "client-key-data", "é-key", "k"]
    private static let specialKeys: [(String, String)] = [
        ("42", "42"), ("-7", "-7"), ("0x1F", "31"), ("yes", "true"), ("on", "true"), ("No", "false"),
        ("~", "null"), ("3:20", "200"),
    ]
    private static let blockPlainScalars = [
        "hello", "hello world", "kube-system", "https://10.0.0.1:6443/api?watch=1", "/etc/kubernetes/pki/ca.crt",
        "a:b", "x#y", "100m", "64Mi", "--flag=value", "-x", "?x", ":x", "foo.bar", "é漢字", "😀 emoji", "it's",
        "say \"hi\"", "back\\slash", "a,b", "a[0]", "50%", "a - b", "~tilde", "..dots", "y", "n",
    ]
    private static let flowPlainScalars = [
        "hello", "hello world", "kube-system", "https://10.0.0.1:6443", "a:b", "x#y", "100m", "-x", "foo.bar", "é",
        "it's", "back\\slash", "50%", "~tilde",
    ]
    private static let typedPlainScalars = [
        "0", "42", "-17", "+5", "1_000", "0x1F", "0xff", "-0x1f", "0b101", "017", "0_", "1:20", "-1:30", "3.14",
        "-2.5e+3", "1_000.5", ".5", "1.", "+.inf", "-.Inf", ".NaN", "190:20:30.15", "6.02e+23", "1e3", "1.0e3", "-.5",
        "08", "0x", "12e03", "true", "True", "TRUE", "false", "yes", "Yes", "NO", "on", "Off", "tRuE", "~", "null",
        "Null", "NULL", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "9223372036854775807",
    ]
    private static let doubleQuotedPieces = [
        "word", " ", "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\x41", "\\xe9", "\\u00e9", "\\u263A", "\\U0001F600",
        "\\0", "\\a", "\\b", "\\e", "\\f", "\\r", "\\v", "\\ ", "\\N", "\\_", "\\L", "\\P", "'", "#", ": ", "é",
        "😀", "\t", "\\\t",
    ]
    private static let flowTaggedScalars = [
        "!!str 42", "!!str yes", "!!int \"42\"", "!!int '0x1F'", "!!float \"2\"", "!!float '1.5'",
        "!!bool \"yes\"", "!!bool 'off'", "!!null ''", "!<tag:yaml.org,2002:str> 12", "!!str ~",
    ]
    private static let blockScalarWords = ["text", "more", "# not a comment", "key: value", "- item", "'q'", "\"dq\"",
                                           "tab\there", "trailing ", "{x}", "é"]
}
