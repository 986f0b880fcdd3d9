import KubeClient
import Product

/// The `lookout` executable's whole behaviour, as a library so that tests run it in-process.
public enum Lookout {
    /// The process's one set of transfer threads: the API server's requests and the Pushgateway's push
    /// share it, and `shutdown` joins it before the process exits.
    static let transferThreads = TransferThreads(capacity: 8)

    /// Runs the command `arguments` (without the program name) select and returns its exit code.
    public static func run(_ arguments: [String]) async -> Int32 {
        await LookoutCommand.main(arguments, path: "lookout").rawValue
    }

    /// Ends and joins the transfer threads: after it, nothing races the process's exit handlers.
    public static func shutdown() async {
        await transferThreads.shutdown()
    }
}

/// `lookout` itself: the list of commands.
struct LookoutCommand: Command {
    static let configuration = CommandConfiguration(
        name: "lookout", usage: "<command> [options]", footer: "Run `lookout <command> --help` for a command's options.",
        subcommands: [
            ScanCommand.self, CheckPermissionsCommand.self, CollectCommand.self, DiffCommand.self, GenerateCommand.self,
            ListCommand.self, VersionCommand.self,
        ])

    var version = false

    static var options: [Option<Self>] {
        [.help, Option(flag: "version", help: "print the version", \.version)]
    }

    /// `lookout help` is `lookout --help`.
    mutating func take(positionals: [String]) throws(UsageError) {
        if let first = positionals.first, first != "help" { throw UsageError(description: "unknown command \"\(first)\"") }
    }

    func run() async -> ExitCode {
        if version { return await VersionCommand().run() }
        Console.out(Self.help(path: "lookout"))
        return .success
    }

    /// An unknown command gets the list of known ones.
    static func usageMessage(_ error: UsageError, path: String) -> String {
        "\(path): \(error)\n\n\(help(path: path))"
    }
}

struct VersionCommand: Command {
    static let configuration = CommandConfiguration(name: "version", footer: "Prints Lookout's version.")

    func run() async -> ExitCode {
        Console.out("lookout \(Product.version)\n")
        return .success
    }
}
