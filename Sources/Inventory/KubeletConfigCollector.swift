import FoundationEssentials
import KubeClient
import Synchronization

/// Reads every node's live kubelet configuration through the API server's node proxy
/// (`GET /api/v1/nodes/<name>/proxy/configz`), a bounded number of nodes at a time — all starting
/// together — each within a time limit.
///
/// When the API server refuses every node asked (403 from RBAC), the credentials lack `get nodes/proxy`:
/// no more nodes are asked once the answers so far are all refusals, and the snapshot records "needs
/// nodes/proxy" instead of a configuration list. Otherwise a node that fails — its kubelet is down,
/// slow, refuses the API server, or serves something else — gets its own `error` and the others are
/// still read: node-config controls judge the nodes that have a configuration. Answers that say the
/// kubelet cannot be reached, 403 and 404 are final: asking again would only wait longer.
public struct KubeletConfigCollector: Sendable {
    /// What asking one node produced.
    enum Answer: Sendable, Equatable {
        case configuration(KubeletConfiguration)
        case failure(String)
        /// The API server's RBAC refused `get nodes/proxy`.
        case needsNodeProxy
    }

    typealias Reader = @Sendable (_ node: String) async -> Answer

    /// The skip reason of node-config controls when the credentials may not use the node proxy.
    public static let needsNodeProxy = "needs nodes/proxy"

    public var maxRequestsInFlight: Int
    public var timeout: Duration
    private let read: Reader

    public init(api: KubeAPI, maxRequestsInFlight: Int = 8, timeout: Duration = .seconds(10)) {
        self.init(maxRequestsInFlight: maxRequestsInFlight, timeout: timeout) { node in
            await Self.readConfigz(of: node, api: api)
        }
    }

    init(maxRequestsInFlight: Int, timeout: Duration, read: @escaping Reader) {
        self.maxRequestsInFlight = max(1, maxRequestsInFlight)
        self.timeout = timeout
        self.read = read
    }

    /// What reading the nodes' configurations gave: one entry per node, in the order listed; or no list
    /// and the reason when the node proxy is forbidden.
    struct Reads: Sendable, Equatable {
        var configurations: [NodeKubeletConfiguration]?
        var unavailable: String?

        /// Puts the configurations into the snapshot, with each unread node reported; a node that is down
        /// is normal in a large cluster, so it does not make the scan incomplete (the node controls name it
        /// instead).
        func fill(_ snapshot: inout ClusterSnapshot) {
            snapshot.kubeletConfigurations = configurations
            snapshot.kubeletConfigurationUnavailable = unavailable
            for entry in configurations ?? [] {
                guard let error = entry.error else { continue }
                snapshot.errors.append(
                    CollectionError(resource: "nodes/\(entry.node)/proxy/configz", reason: CollectionError.kubeletUnreadable, message: error))
            }
        }
    }

    /// Fills the snapshot's kubelet configurations for the nodes it lists. Leaves them unset when nodes
    /// could not be listed: the node-config controls are then skipped for that reason.
    public func collect(into snapshot: inout ClusterSnapshot) async {
        guard snapshot.collected.contains(.nodes) else { return }
        await collect(nodes: snapshot.nodes.map(\.name)).fill(&snapshot)
    }

    /// Reads the nodes of the first list `listed` gives, as soon as it comes; nil when none comes (the
    /// Nodes could not be listed).
    func collect(nodesFrom listed: AsyncStream<[String]>) async -> Reads? {
        for await nodes in listed {
            return await collect(nodes: nodes)
        }
        return nil
    }

    func collect(nodes: [String]) async -> Reads {
        guard !nodes.isEmpty else { return Reads(configurations: []) }
        let queue = NodeQueue(nodes.dropFirst(maxRequestsInFlight))
        // One worker per request in flight, each asking node after node: a finished read starts the next
        // on the same task, without waking a parent to refill the group (under load, each wake-up waits
        // for a core). The first nodes are handed out up front, so they all start together.
        let answers = await withTaskGroup(of: [(String, Answer)].self) { group in
            for first in nodes.prefix(maxRequestsInFlight) {
                group.addTask {
                    var answered: [(String, Answer)] = []
                    var node: String? = first
                    while let next = node {
                        let answer = await answer(next)
                        answered.append((next, answer))
                        node = queue.next(after: answer)
                    }
                    return answered
                }
            }
            var answers: [String: Answer] = [:]
            for await answered in group {
                for (node, answer) in answered { answers[node] = answer }
            }
            return answers
        }
        if answers.values.allSatisfy({ $0 == .needsNodeProxy }) { return Reads(unavailable: Self.needsNodeProxy) }
        let configurations = nodes.map { node in
            switch answers[node] {
            case .configuration(let configuration): NodeKubeletConfiguration(node: node, configuration: configuration)
            case .failure(let message): NodeKubeletConfiguration(node: node, configuration: nil, error: message)
            // Only some nodes refused: RBAC limited by resourceNames.
            case .needsNodeProxy: NodeKubeletConfiguration(node: node, configuration: nil, error: "forbidden: \(Self.needsNodeProxy)")
            case nil: NodeKubeletConfiguration(node: node, configuration: nil, error: "not read")
            }
        }
        return Reads(configurations: configurations)
    }

    /// Asks one node, giving up after `timeout`: the request is cancelled and the node gets a failure.
    private func answer(_ node: String) async -> Answer {
        let timeout = timeout
        let read = read
        return await withTaskGroup(of: Answer?.self) { group in
            group.addTask { await read(node) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure("timed out after \(Self.describe(timeout))")
        }
    }

    /// The nodes not yet asked, shared by the workers.
    private final class NodeQueue: Sendable {
        private let state: Mutex<(pending: ArraySlice<String>, answered: Int, refused: Int)>

        init(_ pending: ArraySlice<String>) {
            state = Mutex((pending, 0, 0))
        }

        /// The next node to ask, counting the answer just received; none once every answer so far is
        /// RBAC's refusal, which would refuse the rest too.
        func next(after answer: Answer) -> String? {
            state.withLock { state in
                state.answered += 1
                if answer == .needsNodeProxy { state.refused += 1 }
                return state.refused == state.answered ? nil : state.pending.popFirst()
            }
        }
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(seconds) s" : "\(milliseconds) ms"
    }

    /// GET configz through the node proxy. The API server answers a refusal by RBAC with a Status
    /// object, which carries a message; a kubelet that refuses the API server answers 403 in plain text.
    static func readConfigz(of node: String, api: KubeAPI) async -> Answer {
        let path = "/api/v1/nodes/\(node)/proxy/configz"
        do throws(APIError) {
            return .configuration(try decodeConfigz(try await api.get(path, finalWhen: saysUnreachable), path: path))
        } catch {
            switch error {
            case .forbidden(_, let message) where !message.isEmpty: return .needsNodeProxy
            case .forbidden: return .failure("the kubelet refused the API server's request (403 Forbidden)")
            case .notFound: return .failure("404 Not Found: the node is gone or its kubelet serves no /configz")
            default: return .failure("\(error)")
            }
        }
    }

    /// The node proxy's words for a kubelet it cannot reach (dial errors, refused or timed-out
    /// connections): deterministic for the duration of a scan, unlike a 503 from an overloaded server.
    static func saysUnreachable(_ message: String) -> Bool {
        ["error trying to reach service", "dial tcp", "connection refused", "no route to host", "i/o timeout"]
            .contains { message.contains($0) }
    }

    /// The `kubeletconfig` member of a configz document.
    static func decodeConfigz(_ data: Data, path: String) throws(APIError) -> KubeletConfiguration {
        struct Configz: Decodable { var kubeletconfig: KubeletConfiguration? }
        let document: Configz
        do {
            document = try JSONDecoder().decode(Configz.self, from: data)
        } catch {
            throw .decoding(path: path, message: "\(error)")
        }
        guard let configuration = document.kubeletconfig else {
            throw .decoding(path: path, message: "the document has no \"kubeletconfig\" member")
        }
        return configuration
    }
}
