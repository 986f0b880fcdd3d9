import FoundationEssentials
import KubeClient

/// Lists every resource kind Lookout reads into a ClusterSnapshot, a bounded number of LISTs at a time.
/// A kind the credentials may not list is recorded as forbidden and the scan goes on; losing the
/// connection or the credentials ends it.
public struct Collector: Sendable {
    public var api: KubeAPI
    public var scope: NamespaceScope
    public var kinds: [ResourceKind]
    public var maxListsInFlight: Int
    public var pageSize: Int

    public init(
        api: KubeAPI, scope: NamespaceScope = NamespaceScope(), kinds: [ResourceKind] = ResourceKind.allCases,
        maxListsInFlight: Int = 4, pageSize: Int = 500
    ) {
        self.api = api
        self.scope = scope
        self.kinds = kinds
        self.maxListsInFlight = maxListsInFlight
        self.pageSize = pageSize
    }

    public typealias Progress = @Sendable (_ kind: ResourceKind, _ count: Int) -> Void

    public func collect(progress: Progress? = nil) async throws(APIError) -> ClusterSnapshot {
        let version = try await api.serverVersion()
        var snapshot = ClusterSnapshot(
            cluster: ClusterInfo(server: api.config.displayServer, context: api.config.contextName, version: version.gitVersion))
        snapshot.scope = scope
        let discovery = try await api.discover(groups: Set(kinds.map(\.group)))

        var planned: [(ResourceKind, [ListRequest])] = []
        for kind in kinds {
            guard let version = discovery.version(of: kind.rawValue, group: kind.group, candidates: kind.versions) else {
                if let failure = discovery.failure(group: kind.group, candidates: kind.versions) {
                    // Optional kinds too: "not served" would let controls conclude there are none.
                    snapshot.errors.append(
                        CollectionError(resource: kind.rawValue, reason: "failed", message: "API discovery failed: \(failure)"))
                } else if !kind.isOptional {
                    snapshot.errors.append(
                        CollectionError(resource: kind.rawValue, reason: "not served", message: "the API server does not serve \(kind.rawValue) in a version Lookout reads"))
                }
                continue
            }
            planned.append((kind, scope.listRequests(prefix: Discovery.pathPrefix(group: kind.group, version: version), kind: kind)))
        }

        // The kubelet configurations are read through the node proxy as soon as the Nodes are listed,
        // while the other kinds are still being listed.
        let (listedNodes, nodesListed) = AsyncStream.makeStream(of: [String].self)
        async let kubelets = KubeletConfigCollector(api: api).collect(nodesFrom: listedNodes)
        let results = await listAll(planned, progress: progress) { nodesListed.yield($0) }
        nodesListed.finish()
        for (kind, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let listed):
                listed.store(&snapshot)
                snapshot.collected.insert(kind)
            case .failure(.forbidden(_, let message)):
                snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "forbidden", message: message))
            case .failure(.notFound):
                if !kind.isOptional {
                    snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "not served", message: "404 Not Found"))
                }
            case .failure(let error) where error.endsScan:
                throw error
            case .failure(let error):
                snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: CollectionError.failed, message: "\(error)"))
            }
        }
        if snapshot.collected.contains(.nodes), let kubelets = await kubelets {
            kubelets.fill(&snapshot)
        }
        return snapshot
    }

    /// Lists the planned kinds, `maxListsInFlight` at a time; `nodesListed` gets the names of the Nodes
    /// as soon as they are listed.
    private func listAll(
        _ planned: [(ResourceKind, [ListRequest])], progress: Progress?, nodesListed: @escaping @Sendable ([String]) -> Void
    ) async
        -> [(ResourceKind, Result<Listed, APIError>)]
    {
        await withTaskGroup(of: (ResourceKind, Result<Listed, APIError>).self) { group in
            var pending = planned[...]
            var results: [(ResourceKind, Result<Listed, APIError>)] = []
            func startNext() {
                guard let (kind, requests) = pending.popFirst() else { return }
                var listing = Listing(collector: self, requests: requests, progress: progress, nodesListed: nodesListed)
                let list = kind.visitField(&listing)
                group.addTask { (kind, await list()) }
            }
            for _ in 0..<maxListsInFlight { startNext() }
            for await result in group {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    /// One kind's objects, listed and filtered, waiting to be put into the snapshot.
    struct Listed: Sendable {
        let store: @Sendable (inout ClusterSnapshot) -> Void
    }

    /// The LISTs of one kind, decoded straight into its model type.
    private struct Listing: SnapshotFieldVisitor {
        let collector: Collector
        let requests: [ListRequest]
        let progress: Progress?
        let nodesListed: @Sendable ([String]) -> Void

        func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> @Sendable () async -> Result<Listed, APIError> {
            { [collector, requests, progress, nodesListed] in
                do throws(APIError) {
                    var objects: [Object] = []
                    var count = 0
                    for request in requests {
                        let listed = try await collector.api.list(
                            request.path, as: Object.self, pageSize: collector.pageSize, fieldSelector: request.fieldSelector)
                        count += listed.count
                        let kept = collector.scope.stored(listed, of: field.kind)
                        if objects.isEmpty { objects = kept } else { objects += kept }
                    }
                    progress?(field.kind, count)
                    if field.kind == .nodes { nodesListed(objects.map(\.name)) }
                    return .success(Listed { [objects] snapshot in snapshot[keyPath: field.path] = objects })
                } catch {
                    return .failure(error)
                }
            }
        }
    }
}

/// One LIST of a kind: a collection path and, when the server should leave namespaces out, a field selector.
struct ListRequest: Sendable, Hashable {
    var path: String
    var fieldSelector: String?
}

extension NamespaceScope {
    /// At most this many included namespaces are listed one by one; a longer include list is one LIST of
    /// the whole cluster, filtered here.
    static let maxNamespacedLists = 8

    /// The LISTs that fetch `kind` within the scope, so that the API server leaves out what the scan would
    /// drop: excluded namespaces through a field selector on `metadata.namespace`, a short include list as
    /// one LIST per namespace. Cluster-scoped kinds are listed whole. The objects are still filtered by
    /// `contains` after the LIST: narrowing changes what crosses the network, never what is scanned.
    func listRequests(prefix: String, kind: ResourceKind) -> [ListRequest] {
        guard kind.isNamespaced else { return [ListRequest(path: prefix + "/" + kind.rawValue)] }
        let included = included.filter { !excluded.contains($0) }
        if !included.isEmpty, Set(included).count <= Self.maxNamespacedLists {
            return Set(included).sorted().map { ListRequest(path: "\(prefix)/namespaces/\($0)/\(kind.rawValue)") }
        }
        let selector = excluded.sorted().map { "metadata.namespace!=\($0)" }.joined(separator: ",")
        return [ListRequest(path: prefix + "/" + kind.rawValue, fieldSelector: selector.isEmpty ? nil : selector)]
    }
}

extension APIError {
    /// Errors that say nothing more can be read: the server is gone or does not accept us.
    var endsScan: Bool {
        switch self {
        case .transport, .unauthorized, .credentials: true
        default: false
        }
    }
}

extension NamespaceScope {
    /// The objects of `kind` as they are stored: those within the scope (a Namespace is in it when its
    /// name is), their namespaces resolved.
    public func stored<Object: KubeObject>(_ objects: [Object], of kind: ResourceKind) -> [Object] {
        var kept = included.isEmpty && excluded.isEmpty
            ? objects : objects.filter { contains(kind == .namespaces ? $0.name : $0.metadata.namespace) }
        for index in kept.indices { kept[index] = kind.resolvingNamespace(kept[index]) }
        return kept
    }
}
