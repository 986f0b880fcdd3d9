/// A deliberately small command-line parser: options with values (`--name value`, `--name=value`,
/// `-x value`), boolean flags and positionals. Unknown options are usage errors.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

struct OptionSpec {
    var name: String
    var short: Character? = nil
    var takesValue: Bool
    var help: String
}

extension OptionSpec {
    /// The options section of a command's help, one aligned line per option.
    static func describe(_ options: [OptionSpec]) -> String {
        options.map { option in
            let name = "--\(option.name)" + (option.takesValue ? " VALUE" : "")
            let short = option.short.map { "-\($0), " } ?? "    "
            return "  \(short)\(name.padding(30))\(option.help)\n"
        }.joined()
    }
}

struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    func value(_ name: String) -> String? { values[name] }
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// A comma-separated list option, with blanks dropped.
    func list(_ name: String) -> [String] {
        (values[name] ?? "").split(separator: ",").map { String($0).trimmedSpaces() }.filter { !$0.isEmpty }
    }

    func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw UsageError(description: "--\(name) takes a number, got \"\(text)\"")
        }
        return number
    }

    static func parse(_ arguments: [String], specs: [OptionSpec]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                parsed.positionals += arguments[index...]
                break
            }
            let spec: OptionSpec
            var inlineValue: String?
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard let found = specs.first(where: { $0.name == name }) else {
                    throw UsageError(description: "unknown option --\(name)")
                }
                spec = found
            } else if argument.count == 2, argument.hasPrefix("-"), argument != "-" {
                guard let found = specs.first(where: { $0.short == argument.last }) else {
                    throw UsageError(description: "unknown option \(argument)")
                }
                spec = found
            } else {
                parsed.positionals.append(argument)
                continue
            }
            if spec.takesValue {
                if let inlineValue {
                    parsed.values[spec.name] = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError(description: "--\(spec.name) needs a value") }
                    parsed.values[spec.name] = arguments[index]
                    index += 1
                }
            } else {
                guard inlineValue == nil else { throw UsageError(description: "--\(spec.name) takes no value") }
                parsed.flags.insert(spec.name)
            }
        }
        return parsed
    }
}

extension String {
    func trimmedSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
