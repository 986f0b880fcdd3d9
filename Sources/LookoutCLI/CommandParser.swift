/// Parsing, dispatch and help for every `Command`: `--name value`, `--name=value`, `-x value`, flags and
/// positionals in any order, `--` before positionals that look like options.
extension Command {
    /// Runs the subcommand the first argument names, else this command; usage errors exit 2.
    static func main(_ arguments: [String], path: String) async -> ExitCode {
        if let first = arguments.first, let subcommand = configuration.subcommands.first(where: { $0.configuration.name == first }) {
            return await subcommand.main(Array(arguments.dropFirst()), path: path + " " + first)
        }
        let command: Self
        do {
            guard let parsed = try parse(arguments) else {
                Console.out(help(path: path))
                return .success
            }
            command = parsed
        } catch {
            Console.report(usageMessage(error, path: path), level: .error)
            return .usage
        }
        return await command.run()
    }

    /// The command `arguments` describe, validated; nil when they ask for help.
    static func parse(_ arguments: [String]) throws(UsageError) -> Self? {
        let (given, positionals) = try tokens(arguments)
        if given.contains(where: { if case .help = $0.option.kind { true } else { false } }) { return nil }
        var command = Self()
        for (option, value) in given {
            switch option.kind {
            case .value(let store): try store(&command, value ?? "")
            case .flag(let property): command[keyPath: property] = true
            case .help: break
            }
        }
        try command.take(positionals: positionals)
        try command.validate()
        return command
    }

    /// Splits the arguments into known options (with their values, in order) and positionals; values
    /// are converted later, so that `--help` wins over a bad value.
    private static func tokens(_ arguments: [String]) throws(UsageError) -> ([(option: Option<Self>, value: String?)], [String]) {
        var given: [(option: Option<Self>, value: String?)] = []
        var positionals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positionals += arguments[index...]
                break
            }
            let option: Option<Self>
            var inlineValue: String?
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard let found = options.first(where: { $0.name == name }) else {
                    throw UsageError(description: "unknown option --\(name)")
                }
                option = found
            } else if argument.count == 2, argument.hasPrefix("-"), argument != "-" {
                guard let found = options.first(where: { $0.short == argument.last }) else {
                    throw UsageError(description: "unknown option \(argument)")
                }
                option = found
            } else {
                positionals.append(argument)
                continue
            }
            if option.takesValue {
                if let inlineValue {
                    given.append((option, inlineValue))
                } else {
                    guard index < arguments.count else { throw UsageError(description: "--\(option.name) needs a value") }
                    given.append((option, arguments[index]))
                    index += 1
                }
            } else {
                guard inlineValue == nil else { throw UsageError(description: "--\(option.name) takes no value") }
                given.append((option, nil))
            }
        }
        return (given, positionals)
    }

    static func usageMessage(_ error: UsageError, path: String) -> String {
        "\(path): \(error)\nRun `\(path) --help` for usage."
    }

    /// `--help`, generated from the configuration and the options.
    static func help(path: String) -> String {
        let configuration = configuration
        var text = "Usage: \(path) \(configuration.usage)\n"
        if !configuration.discussion.isEmpty { text += "\n\(configuration.discussion)\n" }
        if configuration.subcommands.isEmpty {
            text += "\nOptions:\n" + options.map { option in
                let name = "--\(option.name)" + (option.takesValue ? " VALUE" : "")
                let short = option.short.map { "-\($0), " } ?? "    "
                return "  \(short)\(name.padding(30))\(option.help)\n"
            }.joined()
        } else {
            text += "\nCommands:\n" + configuration.subcommands.map { subcommand in
                let entry = subcommand.configuration
                let synopsis = ([entry.name] + (entry.synopsis.isEmpty ? [] : [entry.synopsis])).joined(separator: " ")
                return entry.abstract.isEmpty ? "  \(synopsis)\n" : "  \(synopsis.padding(39))\(entry.abstract)\n"
            }.joined()
        }
        if !configuration.footer.isEmpty { text += "\n\(configuration.footer)\n" }
        return text
    }
}
