/// The command line as types, in the shape of swift-argument-parser (which Lookout cannot depend on):
/// a command declares its name and help text once in `configuration`, its options once in `options`
/// (each bound to a typed property), checks what one option cannot check alone in `validate()`, and
/// gets parsing, usage errors and `--help` from here.
protocol Command: Sendable {
    static var configuration: CommandConfiguration { get }
    /// In the order `--help` lists them.
    static var options: [Option<Self>] { get }
    init()
    /// Takes the arguments that are not options; by default a command takes none.
    mutating func take(positionals: [String]) throws(UsageError)
    /// Checks the options against each other, before any work starts.
    mutating func validate() throws(UsageError)
    func run() async -> ExitCode
    /// What a usage error prints, on stderr.
    static func usageMessage(_ error: UsageError, path: String) -> String
}

extension Command {
    static var options: [Option<Self>] { [.help] }

    mutating func take(positionals: [String]) throws(UsageError) {
        if let first = positionals.first { throw UsageError(description: "unexpected argument \"\(first)\"") }
    }

    mutating func validate() throws(UsageError) {}
}

/// What `--help` and the parent command's list say about a command.
struct CommandConfiguration: Sendable {
    /// The word that selects the command after its parent's (`scan`, `admission-policy`).
    var name: String
    /// The command's line in its parent's list, without the name.
    var synopsis = ""
    /// The rest of that line.
    var abstract = ""
    /// What follows `lookout NAME` in the usage line.
    var usage = "[options]"
    /// Paragraphs between the usage line and the options.
    var discussion = ""
    /// The paragraph after the options: the exit codes, for most commands.
    var footer = ""
    var subcommands: [any Command.Type] = []
}

/// Bad usage: exit 2, with a message that says what is wrong and where to read more.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// One option as a command declares it: its name and help line, and where its typed value goes.
struct Option<Root> {
    enum Kind {
        case value((inout Root, String) throws(UsageError) -> Void)
        case flag(WritableKeyPath<Root, Bool>)
        case help
    }

    var name: String
    var short: Character?
    var help: String
    var kind: Kind

    var takesValue: Bool {
        if case .value = kind { true } else { false }
    }

    /// `--name VALUE`, converted by `convert` (which names the option in its errors).
    init<Value>(
        _ name: String, short: Character? = nil, help: String, _ property: WritableKeyPath<Root, Value>,
        convert: @escaping (String) throws(UsageError) -> Value
    ) {
        self.init(name: name, short: short, help: help, kind: .value({ root, text throws(UsageError) in
            root[keyPath: property] = try convert(text)
        }))
    }

    /// `--name VALUE` for a value type that reads itself from an argument.
    init<Value: ArgumentValue>(_ name: String, short: Character? = nil, help: String, _ property: WritableKeyPath<Root, Value?>) {
        self.init(name, short: short, help: help, property) { text throws(UsageError) in try Value(argument: text, option: name) }
    }

    /// `--name a,b,c`: blanks dropped.
    init(_ name: String, short: Character? = nil, help: String, list property: WritableKeyPath<Root, [String]>) {
        self.init(name, short: short, help: help, property) { text in text.commaSeparated }
    }

    /// `--name` without a value.
    init(flag name: String, short: Character? = nil, help: String, _ property: WritableKeyPath<Root, Bool>) {
        self.init(name: name, short: short, help: help, kind: .flag(property))
    }

    private init(name: String, short: Character?, help: String, kind: Kind) {
        self.name = name
        self.short = short
        self.help = help
        self.kind = kind
    }

    static var help: Option { Option(name: "help", short: "h", help: "show this help", kind: .help) }

    /// The same option on a command that keeps `Root` in one of its properties: a group's options are
    /// declared once, in the group, and every command that takes the group lists them.
    func within<Command>(_ group: WritableKeyPath<Command, Root>) -> Option<Command> {
        let kind: Option<Command>.Kind
        switch self.kind {
        case .value(let store):
            kind = .value({ command, text throws(UsageError) in try store(&command[keyPath: group], text) })
        case .flag(let property):
            kind = .flag(group.appending(path: property))
        case .help:
            kind = .help
        }
        return Option<Command>(name: name, short: short, help: help, kind: kind)
    }
}

/// A set of options several commands take, declared once.
protocol OptionGroup {
    static var options: [Option<Self>] { get }
}

extension OptionGroup {
    /// Every option of the group, for a command that keeps it at `property`.
    static func options<Root>(in property: WritableKeyPath<Root, Self>) -> [Option<Root>] {
        options.map { $0.within(property) }
    }
}

/// A type an option's value converts to, with a usage error that names the option.
protocol ArgumentValue {
    init(argument: String, option: String) throws(UsageError)
}

extension String: ArgumentValue {
    init(argument: String, option: String) { self = argument }
}

extension String {
    /// `a, b,,c` → ["a", "b", "c"].
    var commaSeparated: [String] {
        split(separator: ",").map { String($0).trimmedSpaces() }.filter { !$0.isEmpty }
    }

    func trimmedSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
