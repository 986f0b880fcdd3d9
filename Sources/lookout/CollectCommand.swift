import FoundationEssentials
import Inventory

/// `lookout collect`: reads the cluster and saves the snapshot, to audit later with `scan --from`
/// (on another machine, with other controls or exceptions, without cluster access).
enum CollectCommand {
    static let options: [OptionSpec] =
        ScanCommand.options.filter { ["kubeconfig", "context", "exclude-namespaces", "include-namespaces", "timeout", "help"].contains($0.name) }
        + [
            OptionSpec(name: "output", short: "o", takesValue: true, help: "write the snapshot to this file instead of stdout"),
            OptionSpec(name: "allow-incomplete", takesValue: false, help: "exit 0 even when a kind could not be read (the snapshot records it)"),
        ]

    static var help: String {
        """
        Usage: lookout collect [options]

        Saves everything a scan reads as one JSON file; `lookout scan --from FILE` audits it offline.

        Options:
        \(OptionSpec.describe(options))
        Exit codes: 0 saved, 2 bad usage or kubeconfig, 3 cluster unreachable or the collection failed, or a
        kind could not be read (the snapshot is still saved and records which; --allow-incomplete exits 0).

        """
    }

    static func run(_ arguments: [String]) async -> ExitCode {
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments.parse(arguments, specs: options)
            guard parsed.positionals.isEmpty else {
                throw UsageError(description: "unexpected argument \"\(parsed.positionals[0])\"")
            }
            try Deadline.arm(parsed, command: "collect")
        } catch {
            Console.error("lookout collect: \(error)\nRun `lookout collect --help` for usage.")
            return .usage
        }
        if parsed.has("help") {
            Console.out(help)
            return .success
        }
        let output = parsed.value("output")
        let progress = Console.stderrIsTerminal && output != nil ? ProgressLine() : nil
        let snapshot: ClusterSnapshot
        do {
            snapshot = try await SnapshotSource.collect(
                kubeconfig: parsed.value("kubeconfig"), context: parsed.value("context"),
                scope: NamespaceScope(included: parsed.list("include-namespaces"), excluded: parsed.list("exclude-namespaces")),
                progress: progress)
        } catch {
            return error.code
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            var data = try encoder.encode(snapshot)
            data.append(UInt8(ascii: "\n"))
            if let output {
                try OutputFile.write(data, to: output)
            } else {
                Console.out(String(decoding: data, as: UTF8.self))
            }
        } catch {
            Console.error("lookout collect: \(error)")
            return .usage
        }
        // The snapshot says which kinds failed, and `scan --from` will call itself incomplete; a pipeline
        // that only collects must hear it now.
        let failed = snapshot.errors.filter { $0.reason == CollectionError.failed }
        for error in failed { Console.error("warning: incomplete collection: cannot read \(error.resource): \(error.message)") }
        guard failed.isEmpty || parsed.has("allow-incomplete") else {
            Console.error("lookout collect: the snapshot is incomplete (exit 3): it is saved; --allow-incomplete accepts it")
            return .clusterError
        }
        return .success
    }
}
