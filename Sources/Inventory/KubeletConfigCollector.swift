import FoundationEssentials
import KubeClient

/// Reads every node's live kubelet configuration through the API server's node proxy
/// (`GET /api/v1/nodes/<name>/proxy/configz`), a bounded number of nodes at a time, each within a
/// time limit.
///
/// The first node is asked alone: when the API server refuses it (403 from RBAC), the credentials
/// lack `get nodes/proxy`, no other node would answer either, and the snapshot records
/// "needs nodes/proxy" instead of a configuration list. After that, a node that fails — its kubelet is
/// down, slow, refuses the API server, or serves something else — gets its own `error` and the others
/// are still read: node-config controls judge the nodes that have a configuration.
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

    /// Fills the snapshot's kubelet configurations for the nodes it lists. Leaves them unset when nodes
    /// could not be listed: the node-config controls are then skipped for that reason.
    public func collect(into snapshot: inout ClusterSnapshot) async {
        guard snapshot.collected.contains(.nodes) else { return }
        let result = await collect(nodes: snapshot.nodes.map(\.name))
        snapshot.kubeletConfigurations = result.configurations
        snapshot.kubeletConfigurationUnavailable = result.unavailable
        // Each unread node is reported; a node that is down is normal in a large cluster, so it does not
        // make the scan incomplete (the node controls name it instead).
        for entry in result.configurations ?? [] {
            guard let error = entry.error else { continue }
            snapshot.errors.append(
                CollectionError(resource: "nodes/\(entry.node)/proxy/configz", reason: CollectionError.kubeletUnreadable, message: error))
        }
    }

    /// One entry per node, in the order given; or no list and the reason when the node proxy is forbidden.
    func collect(nodes: [String]) async -> (configurations: [NodeKubeletConfiguration]?, unavailable: String?) {
        guard let first = nodes.first else { return ([], nil) }
        let firstAnswer = await answer(first)
        if firstAnswer == .needsNodeProxy { return (nil, Self.needsNodeProxy) }

        let answers = await withTaskGroup(of: (String, Answer).self) { group in
            var answers = [first: firstAnswer]
            var pending = nodes.dropFirst()
            func startNext() {
                guard let node = pending.popFirst() else { return }
                group.addTask { (node, await answer(node)) }
            }
            for _ in 0..<maxRequestsInFlight { startNext() }
            for await (node, answer) in group {
                answers[node] = answer
                startNext()
            }
            return answers
        }
        let configurations = nodes.map { node in
            switch answers[node] {
            case .configuration(let configuration): NodeKubeletConfiguration(node: node, configuration: configuration)
            case .failure(let message): NodeKubeletConfiguration(node: node, configuration: nil, error: message)
            // Only some nodes refused: RBAC limited by resourceNames.
            case .needsNodeProxy: NodeKubeletConfiguration(node: node, configuration: nil, error: "forbidden: \(Self.needsNodeProxy)")
            case nil: NodeKubeletConfiguration(node: node, configuration: nil, error: "not read")
            }
        }
        return (configurations, nil)
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
            return .configuration(try decodeConfigz(try await api.get(path), path: path))
        } catch {
            switch error {
            case .forbidden(_, let message) where !message.isEmpty: return .needsNodeProxy
            case .forbidden: return .failure("the kubelet refused the API server's request (403 Forbidden)")
            case .notFound: return .failure("404 Not Found: the node is gone or its kubelet serves no /configz")
            default: return .failure("\(error)")
            }
        }
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
