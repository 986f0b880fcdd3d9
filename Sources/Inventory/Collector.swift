import FoundationEssentials
import KubeClient
import Synchronization

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

    /// Everything the cluster shows, its objects in the snapshot.
    public func collect(progress: Progress? = nil) async throws(APIError) -> ClusterSnapshot {
        let objects = SnapshotObjects()
        var snapshot = try await collect(progress: progress, into: objects)
        objects.move(into: &snapshot)
        return snapshot
    }

    /// Everything the cluster shows, each kind's objects handed to `sink` page by page as they are listed
    /// rather than kept: the snapshot returned has none, only what was and was not read.
    public func collect<Sink: CollectionSink>(progress: Progress? = nil, into sink: Sink) async throws(APIError) -> ClusterSnapshot {
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
        let listed = Set(planned.map(\.0))
        for kind in ResourceKind.allCases where !listed.contains(kind) { await sink.finished(kind, listed: false) }

        // The kubelet configurations are read through the node proxy as soon as the Nodes are listed,
        // while the other kinds are still being listed.
        let (listedNodes, nodesListed) = AsyncStream.makeStream(of: [String].self)
        async let kubelets = KubeletConfigCollector(api: api).collect(nodesFrom: listedNodes)
        let results = await listAll(planned, sink: sink, progress: progress) { nodesListed.yield($0) }
        nodesListed.finish()
        for (kind, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success:
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

    /// Lists the planned kinds, `maxListsInFlight` at a time, into `sink`; `nodesListed` gets the names of
    /// the Nodes as soon as they are listed.
    private func listAll<Sink: CollectionSink>(
        _ planned: [(ResourceKind, [ListRequest])], sink: Sink, progress: Progress?,
        nodesListed: @escaping @Sendable ([String]) -> Void
    ) async -> [(ResourceKind, Result<Void, APIError>)] {
        await planned.boundedConcurrentMap(maxInFlight: maxListsInFlight) { [self] kind, requests in
            var listing = Listing(collector: self, sink: sink, requests: requests, progress: progress, nodesListed: nodesListed)
            let list = kind.visitField(&listing)
            return (kind, await list())
        }
    }

    /// The LISTs of one kind, decoded straight into its model type and handed to the sink page by page.
    private struct Listing<Sink: CollectionSink>: SnapshotFieldVisitor {
        let collector: Collector
        let sink: Sink
        let requests: [ListRequest]
        let progress: Progress?
        let nodesListed: @Sendable ([String]) -> Void

        /// One page as the sink made it, with what the collector itself needs of it.
        struct Page: Sendable {
            var count: Int
            var names: [String]
            var made: Sink.Page
        }

        func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> @Sendable () async -> Result<Void, APIError> {
            { [collector, sink, requests, progress, nodesListed] in
                let scope = collector.scope
                var count = 0
                var names: [String] = []
                do throws(APIError) {
                    // The requests of a short include list come one after another; a restart voids what the
                    // sink received of the kind, so the requests before the one that restarted are listed
                    // again too (a bounded number of times, as a list's own restarts are).
                    var done = 0
                    var restarts = 0
                    while done < requests.count {
                        var restarted = false
                        let request = requests[done]
                        try await collector.api.list(
                            request.path, as: Object.self, pageSize: collector.pageSize, fieldSelector: request.fieldSelector,
                            eachPage: { objects in
                                let kept = scope.stored(objects, of: field.kind)
                                return Page(
                                    count: objects.count, names: field.kind == .nodes ? kept.map(\.name) : [],
                                    made: sink.page(kept, of: field))
                            },
                            receive: { event in
                                switch event {
                                case .page(let page):
                                    count += page.count
                                    names += page.names
                                    await sink.received(page.made, of: field.kind)
                                case .restart:
                                    restarted = true
                                    count = 0
                                    names = []
                                    await sink.restarted(field.kind)
                                }
                            })
                        guard restarted, done > 0 else {
                            done += 1
                            continue
                        }
                        restarts += 1
                        if restarts > 3 { throw .gone(path: request.path) }
                        await sink.restarted(field.kind)
                        count = 0
                        names = []
                        done = 0
                    }
                } catch {
                    await sink.finished(field.kind, listed: false)
                    return .failure(error)
                }
                progress?(field.kind, count)
                if field.kind == .nodes { nodesListed(names) }
                await sink.finished(field.kind, listed: true)
                return .success(())
            }
        }
    }
}

/// What a collection does with the objects it lists, page by page, as soon as each is decoded: the scan
/// keeps them in the snapshot (`SnapshotObjects`); `lookout collect` redacts and encodes them and writes
/// what it can of the file while the rest is still listed.
public protocol CollectionSink: Sendable {
    /// What the sink keeps of a page until it receives it.
    associatedtype Page: Sendable
    /// Makes one page of `field`'s objects (those within the scope, namespaces resolved) into what the
    /// sink keeps; called in the page's decoding task, so pages of a kind and of other kinds at once.
    func page<Object: KubeObject>(_ objects: [Object], of field: SnapshotField<Object>) -> Page
    /// The pages of `kind`, in order, each after `page` made it.
    func received(_ page: Page, of kind: ResourceKind) async
    /// The pages of `kind` received so far are void: its list starts again.
    func restarted(_ kind: ResourceKind) async
    /// Called once for every kind: its pages were all received (`listed`), or it has no objects in the
    /// snapshot (not listed, forbidden, failed; its pages received so far are void).
    func finished(_ kind: ResourceKind, listed: Bool) async
}

/// Objects kept whole, kind by kind, for the snapshot a scan audits.
final class SnapshotObjects: CollectionSink {
    private let objects = Mutex(ClusterSnapshot(cluster: ClusterInfo(server: "")))
    private let pending = Mutex<[ResourceKind: [Page]]>([:])

    struct Page: Sendable {
        let add: @Sendable (inout ClusterSnapshot) -> Void
    }

    func page<Object: KubeObject>(_ objects: [Object], of field: SnapshotField<Object>) -> Page {
        Page { snapshot in snapshot[keyPath: field.path] += objects }
    }

    func received(_ page: Page, of kind: ResourceKind) { pending.withLock { $0[kind, default: []].append(page) } }

    func restarted(_ kind: ResourceKind) { pending.withLock { $0[kind] = nil } }

    func finished(_ kind: ResourceKind, listed: Bool) {
        guard let pages = pending.withLock({ $0.removeValue(forKey: kind) }), listed else { return }
        objects.withLock { snapshot in for page in pages { page.add(&snapshot) } }
    }

    /// Moves every listed kind's objects into `snapshot`.
    func move(into snapshot: inout ClusterSnapshot) {
        var move = SnapshotFile.Move(from: objects.withLock { $0 }, to: snapshot)
        for kind in ResourceKind.allCases { kind.visitField(&move) }
        snapshot = move.to
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
        for index in kept.indices { kind.resolveNamespace(of: &kept[index]) }
        return kept
    }
}
