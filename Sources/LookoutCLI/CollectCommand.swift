import Audit
import FoundationEssentials
import Inventory

/// `lookout collect`: reads the cluster and saves the snapshot, to audit later with `scan --from`
/// (on another machine, with other controls or exceptions, without cluster access).
struct CollectCommand: Command {
    static let configuration = CommandConfiguration(
        name: "collect", synopsis: "--output snapshot.json",
        abstract: "save what a scan reads, for `scan --from` without the cluster",
        discussion: """
            Saves everything a scan reads as one JSON file; `lookout scan --from FILE` audits it offline.
            Env and ConfigMap values that look like credentials are not saved, only what the controls learn from them.
            """,
        footer: """
            Exit codes: 0 saved, 2 bad usage or kubeconfig, 3 cluster unreachable or the collection failed, or a
            kind could not be read (the snapshot is still saved and records which; --allow-incomplete exits 0),
            or the snapshot could not be written.
            """)

    var connection = ConnectionOptions()
    var scope = ScopeOptions()
    var timeout: Timeout?
    var output: String?
    var allowIncomplete = false
    var controlsConfig: String?

    static var options: [Option<Self>] {
        ConnectionOptions.options(in: \.connection) + ScopeOptions.options(in: \.scope) + [
            Deadline.option(\.timeout),
            .help,
            Option("output", short: "o", help: "write the snapshot to this file instead of stdout", \.output),
            Option(flag: "allow-incomplete", help: "exit 0 even when a kind could not be read (the snapshot records it)", \.allowIncomplete),
            Option(
                "controls-config",
                help: "controls configuration whose sensitive key names and patterns, with the defaults, decide which values are redacted",
                \.controlsConfig),
        ]
    }

    func run() async -> ExitCode {
        Deadline.arm(timeout, command: "collect")
        let redactor: SnapshotRedactor
        do {
            redactor = try SnapshotRedactor(config: controlsConfig.map(InputFiles.controlsConfig(path:)) ?? ControlsConfig())
        } catch {
            Console.error("\(error)")
            return .usage
        }
        let progress = Console.stderrIsTerminal && output != nil ? ProgressLine() : nil
        let destination = SnapshotDestination.make(path: output)
        let stream: SnapshotStream
        do {
            stream = try SnapshotStream(output: destination)
        } catch {
            destination.abandon()
            Console.report("lookout collect: \(error)", level: .error)
            return .outputFailed
        }
        var snapshot: ClusterSnapshot
        do {
            let api = try await SnapshotSource.connect(kubeconfig: connection.kubeconfig, context: connection.context)
            snapshot = try await SnapshotSource.collect(
                api: api, scope: scope.scope, progress: progress, into: RedactedPages(redactor: redactor, stream: stream))
        } catch {
            destination.abandon()
            return error.code
        }
        redactor.redact(&snapshot)
        do {
            try stream.finish(head: snapshot)
            try destination.write(Data("\n".utf8))
            try destination.commit()
        } catch {
            destination.abandon()
            Console.report("lookout collect: \(error)", level: .error)
            return .outputFailed
        }
        // The snapshot says which kinds failed, and `scan --from` will call itself incomplete; a pipeline
        // that only collects must hear it now.
        let failed = snapshot.errors.filter { $0.reason == CollectionError.failed }
        for error in failed { Console.warning("incomplete collection: cannot read \(error.resource): \(error.message)") }
        guard failed.isEmpty || allowIncomplete else {
            Console.report("lookout collect: the snapshot is incomplete (exit 3): it is saved; --allow-incomplete accepts it", level: .error)
            return .clusterError
        }
        return .success
    }
}

/// The pages of a collection redacted and encoded where they are decoded, and streamed into the snapshot.
private struct RedactedPages: CollectionSink {
    let redactor: SnapshotRedactor
    let stream: SnapshotStream

    func page<Object: KubeObject>(_ objects: [Object], of field: SnapshotField<Object>) -> SnapshotStream.Page {
        SnapshotStream.encode(redactor.redact(objects, of: field))
    }

    func received(_ page: SnapshotStream.Page, of kind: ResourceKind) { stream.received(page, of: kind) }
    func restarted(_ kind: ResourceKind) { stream.restarted(kind) }
    func finished(_ kind: ResourceKind, listed: Bool) { stream.finished(kind, listed: listed) }
}
