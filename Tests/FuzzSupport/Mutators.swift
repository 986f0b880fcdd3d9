import Documents

/// Byte-level mutation of text inputs: byte flips, inserted YAML punctuation, deletions, duplications
/// and splices from other seeds. Blind to structure, so it finds what a parser trips on.
public enum ByteMutator {
    static let tokens: [[UInt8]] = [
        "&a ", "*a", "<<: ", "- ", ": ", "{", "}", "[", "]", "\t", "\n", "'", "\"", "|", ">-", "!!str ", "!!int ",
        "---\n", "...\n", "#", "? ", ",", "%TAG ! tag:x,2000:\n", "\\", "\u{FEFF}", "\r\n", "0x1F", "-.inf", "~",
    ].map { Array($0.utf8) }

    public static func mutate(_ input: [UInt8], splicingFrom corpus: [[UInt8]], maxSteps: Int = 4, _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<random.int(1...maxSteps) {
            let position = bytes.isEmpty ? 0 : random.int(0...bytes.count - 1)
            switch random.int(0...4) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.insert(contentsOf: random.pick(tokens), at: position)
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + random.int(1...16)))
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + random.int(1...64))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                let other = random.pick(corpus)
                let start = other.isEmpty ? 0 : random.int(0...other.count - 1)
                bytes.insert(contentsOf: other[start..<min(other.count, start + 200)], at: position)
            }
        }
        return bytes
    }
}

/// Structure-aware mutation of JSON documents (API objects, snapshots): a value replaced by one of
/// another type or a hostile one (huge, negative, NaN-like, deep), a member removed, a member added
/// under a field name some object really has, an item duplicated. The result is valid JSON, so it
/// reaches the models' decoders and the controls instead of stopping in the parser.
public struct JSONMutator {
    /// Field names found in the seeds, so that added members land on fields a model reads.
    let fieldNames: [String]

    public init(seeds: [YAMLValue]) {
        var names = Set<String>()
        func collect(_ value: YAMLValue) {
            switch value {
            case .object(let members):
                for member in members {
                    names.insert(member.key)
                    collect(member.value)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        seeds.forEach(collect)
        fieldNames = names.sorted()
    }

    static let hostileScalars: [YAMLValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(-1), .int(Int.max), .int(Int.min), .double(1e300), .double(-1e300),
        .double(0.5), .string(""), .string("-1"), .string("nan"), .string("1e300"), .string("0x1F90"), .string("/"),
        .string("*"), .string("::"), .string("a/b/c"), .string("🙂\u{0}"), .string(String(repeating: "x", count: 300)),
    ]

    public func mutate(_ value: YAMLValue, steps: Int = 3, _ random: inout SeededRandom) -> YAMLValue {
        var result = value
        for _ in 0..<random.int(1...steps) {
            result = mutateOnce(result, depth: 0, &random)
        }
        return result
    }

    private func mutateOnce(_ value: YAMLValue, depth: Int, _ random: inout SeededRandom) -> YAMLValue {
        // Walk down a random path; the deeper the node, the likelier it is the one changed.
        switch value {
        case .object(var members) where !members.isEmpty && !random.chance(0.15):
            let index = random.int(0...members.count - 1)
            switch random.int(0...5) {
            case 0: members.remove(at: index)
            case 1: members.append(.init(key: random.pick(fieldNames), value: randomValue(depth: depth, &random)))
            default: members[index].value = mutateOnce(members[index].value, depth: depth + 1, &random)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty && !random.chance(0.15):
            let index = random.int(0...items.count - 1)
            switch random.int(0...4) {
            case 0: items.remove(at: index)
            case 1: items.append(items[index])
            default: items[index] = mutateOnce(items[index], depth: depth + 1, &random)
            }
            return .array(items)
        default:
            return randomValue(depth: depth, &random)
        }
    }

    private func randomValue(depth: Int, _ random: inout SeededRandom) -> YAMLValue {
        switch random.int(0...5) {
        case 0 where depth < 12:
            return .object((0..<random.int(0...3)).map { _ in .init(key: random.pick(fieldNames), value: randomValue(depth: depth + 1, &random)) })
        case 1 where depth < 12:
            return .array((0..<random.int(0...3)).map { _ in randomValue(depth: depth + 1, &random) })
        case 2:
            // Deep nesting, which recursive decoders and walkers meet in hostile objects.
            return (0..<random.int(50...400)).reduce(YAMLValue.null) { inner, _ in .array([inner]) }
        default:
            return random.pick(Self.hostileScalars)
        }
    }
}

extension YAMLValue {
    /// Compact JSON text. Doubles that JSON cannot hold (NaN, infinities) are written as strings.
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? "\(value)" : "\"\(value)\""
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
