import FoundationEssentials
import Inventory
import KubeClient

/// A command ends early with this code; the reason is already on stderr.
struct CommandExit: Error {
    var code: ExitCode
}

/// Where a snapshot comes from: the cluster a kubeconfig names (`scan`, `collect`) or files (`scan --from`).
enum SnapshotSource {
    /// The client of the cluster the kubeconfig (or the pod's ServiceAccount) names, warning when TLS
    /// verification is disabled.
    static func connect(kubeconfig: String?, context: String?) async throws(CommandExit) -> KubeAPI {
        let connection: ConnectionConfig
        do {
            connection = try ConfigLoader.load(kubeconfigPath: kubeconfig, context: context)
        } catch {
            Console.error("\(error)")
            throw CommandExit(code: .usage)
        }
        for (path, mode) in connection.kubeconfigsReadableByOthers {
            Console.warning("the kubeconfig \(path) holds credentials and is readable by group or others (mode 0\(String(mode, radix: 8))): chmod 600 it")
        }
        if connection.tls.insecureSkipVerify {
            Console.warning("TLS verification is disabled (insecure-skip-tls-verify): the API server's identity is not checked")
        }
        do {
            return try await KubeAPI(config: connection, threads: Lookout.transferThreads)
        } catch {
            throw cannotScan(connection, error)
        }
    }

    /// Lists everything through `api` into the snapshot, warning about unreadable kinds.
    static func collect(api: KubeAPI, scope: NamespaceScope, progress: ProgressLine?) async throws(CommandExit) -> ClusterSnapshot {
        try await collect(api: api, scope: scope, progress: progress) { collector, onListed throws(APIError) in
            try await collector.collect(progress: onListed)
        }
    }

    /// Lists everything through `api` into `sink`, warning about unreadable kinds: the snapshot returned
    /// has no objects.
    static func collect<Sink: CollectionSink>(
        api: KubeAPI, scope: NamespaceScope, progress: ProgressLine?, into sink: Sink
    ) async throws(CommandExit) -> ClusterSnapshot {
        try await collect(api: api, scope: scope, progress: progress) { collector, onListed throws(APIError) in
            try await collector.collect(progress: onListed, into: sink)
        }
    }

    private static func collect(
        api: KubeAPI, scope: NamespaceScope, progress: ProgressLine?,
        _ body: (Collector, Collector.Progress?) async throws(APIError) -> ClusterSnapshot
    ) async throws(CommandExit) -> ClusterSnapshot {
        let snapshot: ClusterSnapshot
        do {
            var onListed: Collector.Progress?
            if let progress { onListed = { kind, count in progress.listed(kind.rawValue, count: count) } }
            snapshot = try await body(Collector(api: api, scope: scope), onListed)
            progress?.finish()
        } catch {
            progress?.finish()
            throw cannotScan(api.config, error)
        }
        for error in snapshot.errors {
            Console.warning("cannot read \(error.resource): \(error.reason): \(error.message)")
        }
        return snapshot
    }

    /// Says on stderr why the cluster cannot be scanned; the scan ends with exit code 3.
    static func cannotScan(_ connection: ConnectionConfig, _ error: APIError) -> CommandExit {
        Console.error("cannot scan \(connection.displayServer) (\(connection.origin)): \(error)")
        return CommandExit(code: .clusterError)
    }

    /// Reads a saved snapshot or manifests; a bad file is a usage error naming file, line and field.
    static func load(from path: String, scope: NamespaceScope) throws(CommandExit) -> ClusterSnapshot {
        do {
            let loaded = try ManifestLoader.load(path: path, scope: scope)
            if !loaded.ignored.isEmpty {
                let kinds = loaded.ignored.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                Console.note("ignored objects of kinds Lookout does not read: \(kinds.joined(separator: ", "))")
            }
            return loaded.snapshot
        } catch {
            Console.error("\(error)")
            throw CommandExit(code: .usage)
        }
    }
}
