import Foundation
@testable import Inventory
import KubeClient
import Synchronization
import Testing

/// The node-by-node logic of the kubelet configuration collector, with the configz reads replaced by
/// closures; the real node proxy is exercised by NodeConfigIntegrationTests.
@Suite struct KubeletConfigCollectorTests {
    static let configuration = try! KubeletConfigCollector.decodeConfigz(
        Data(#"{"kubeletconfig":{"authentication":{"anonymous":{"enabled":false}},"readOnlyPort":10255}}"#.utf8), path: "/configz")

    @Test func readsEveryNodeInOrder() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { node in
            node == "broken" ? .failure("HTTP 503 from /api/v1/nodes/broken/proxy/configz: no endpoints") : .configuration(Self.configuration)
        }
        let result = await collector.collect(nodes: ["a", "broken", "c"])
        #expect(result.unavailable == nil)
        #expect(result.configurations == [
            NodeKubeletConfiguration(node: "a", configuration: Self.configuration),
            NodeKubeletConfiguration(node: "broken", configuration: nil, error: "HTTP 503 from /api/v1/nodes/broken/proxy/configz: no endpoints"),
            NodeKubeletConfiguration(node: "c", configuration: Self.configuration),
        ])
    }

    /// Refused by RBAC on every node asked: no node beyond the first batch is asked and the reason is
    /// recorded.
    @Test func forbiddenEverywhereStopsWithNeedsNodeProxy() async {
        let asked = Mutex<[String]>([])
        let collector = KubeletConfigCollector(maxRequestsInFlight: 4, timeout: .seconds(5)) { node in
            asked.withLock { $0.append(node) }
            return .needsNodeProxy
        }
        let result = await collector.collect(nodes: (0..<20).map { "n\($0)" })
        #expect(result.configurations == nil)
        #expect(result.unavailable == "needs nodes/proxy")
        #expect(asked.withLock { $0.count } == 4)
    }

    /// Every node starts at once within the bound: the first is not read alone before the others.
    @Test func allNodesStartTogether() async {
        let counts = Mutex((current: 0, peak: 0))
        let collector = KubeletConfigCollector(maxRequestsInFlight: 8, timeout: .seconds(10)) { _ in
            counts.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) }
            // Each read waits until all three are in flight (or a generous bound passes).
            for _ in 0..<200 where counts.withLock({ $0.peak }) < 3 { try? await Task.sleep(for: .milliseconds(10)) }
            counts.withLock { $0.current -= 1 }
            return .configuration(Self.configuration)
        }
        let result = await collector.collect(nodes: ["a", "b", "c"])
        #expect(result.configurations?.count == 3)
        #expect(counts.withLock { $0.peak } == 3)
    }

    /// The collector hands over the Nodes' names as soon as their LIST is done, while it lists other
    /// kinds: they are read at once, not when the stream ends; no names (the LIST failed), no reads.
    @Test func readsTheNodesAsSoonAsTheyAreListed() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { _ in .configuration(Self.configuration) }
        let (listed, nodesListed) = AsyncStream.makeStream(of: [String].self)
        async let reads = collector.collect(nodesFrom: listed)
        nodesListed.yield(["n1", "n2"])
        #expect(await reads?.configurations?.map(\.node) == ["n1", "n2"])
        nodesListed.finish()

        let (unlisted, nothingListed) = AsyncStream.makeStream(of: [String].self)
        nothingListed.finish()
        #expect(await collector.collect(nodesFrom: unlisted) == nil)
    }

    @Test func unreachableKubeletMessagesAreRecognised() {
        #expect(KubeletConfigCollector.saysUnreachable("error trying to reach service: dial tcp 10.0.0.9:10250: connect: connection refused"))
        #expect(KubeletConfigCollector.saysUnreachable("dial tcp 10.0.0.9:10250: i/o timeout"))
        #expect(!KubeletConfigCollector.saysUnreachable("the server is currently unable to handle the request"))
    }

    /// A node that does not answer in time gets an error and does not hold up the others: its read is
    /// cancelled (no wall-clock assertion, so a loaded machine cannot make this flaky).
    @Test func slowNodeTimesOutAlone() async {
        let slowReadCancelled = Mutex(false)
        let collector = KubeletConfigCollector(maxRequestsInFlight: 4, timeout: .milliseconds(300)) { node in
            if node == "slow" {
                try? await Task.sleep(for: .seconds(120))
                slowReadCancelled.withLock { $0 = Task.isCancelled }
                return .failure("answered after 120 s")
            }
            return .configuration(Self.configuration)
        }
        let result = await collector.collect(nodes: ["a", "slow", "b"])
        #expect(result.configurations?.map(\.error) == [nil, "timed out after 300 ms", nil])
        #expect(result.configurations?.compactMap(\.configuration).count == 2)
        #expect(slowReadCancelled.withLock { $0 })
    }

    /// No more requests in flight than the bound, and all of them run.
    @Test func boundsRequestsInFlight() async {
        let counts = Mutex((current: 0, peak: 0))
        let collector = KubeletConfigCollector(maxRequestsInFlight: 3, timeout: .seconds(10)) { _ in
            counts.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) }
            try? await Task.sleep(for: .milliseconds(100))
            counts.withLock { $0.current -= 1 }
            return .configuration(Self.configuration)
        }
        let nodes = (0..<12).map { "node-\($0)" }
        let result = await collector.collect(nodes: nodes)
        #expect(result.configurations?.map(\.node) == nodes)
        #expect(counts.withLock { $0.peak } <= 3)
        #expect(counts.withLock { $0.peak } >= 2)
    }

    /// A later node refused by RBAC (resourceNames) is that node's error, not the whole collection's.
    @Test func laterForbiddenNodeIsItsOwnError() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { node in
            node == "secret-node" ? .needsNodeProxy : .configuration(Self.configuration)
        }
        let result = await collector.collect(nodes: ["a", "secret-node"])
        #expect(result.unavailable == nil)
        #expect(result.configurations?.last == NodeKubeletConfiguration(node: "secret-node", configuration: nil, error: "forbidden: needs nodes/proxy"))
    }

    @Test func noNodesIsAnEmptyList() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { _ in .failure("unexpected") }
        let result = await collector.collect(nodes: [])
        #expect(result.configurations == [])
        #expect(result.unavailable == nil)
    }

    /// Fills the snapshot only when nodes were listed.
    @Test func fillsSnapshotOnlyWhenNodesWereListed() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { _ in .configuration(Self.configuration) }
        var unlisted = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        await collector.collect(into: &unlisted)
        #expect(unlisted.kubeletConfigurations == nil && unlisted.kubeletConfigurationUnavailable == nil)

        var listed = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        listed.collected = [.nodes]
        listed.nodes = [Node(metadata: ObjectMeta(name: "n1"))]
        await collector.collect(into: &listed)
        #expect(listed.kubeletConfigurations == [NodeKubeletConfiguration(node: "n1", configuration: Self.configuration)])
        #expect(listed.errors.isEmpty)
    }

    /// Each node that could not be read is in the snapshot's errors (and so in the report), named.
    @Test func unreadNodesAreCollectionErrors() async {
        let collector = KubeletConfigCollector(maxRequestsInFlight: 2, timeout: .seconds(5)) { node in
            node == "down" ? .failure("HTTP 500 from /api/v1/nodes/down/proxy/configz: connection refused") : .configuration(Self.configuration)
        }
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        snapshot.collected = [.nodes]
        snapshot.nodes = ["up", "down"].map { Node(metadata: ObjectMeta(name: $0)) }
        await collector.collect(into: &snapshot)
        #expect(snapshot.errors == [
            CollectionError(
                resource: "nodes/down/proxy/configz", reason: CollectionError.kubeletUnreadable,
                message: "HTTP 500 from /api/v1/nodes/down/proxy/configz: connection refused"),
        ])
    }

    /// The document shape a v1.20 kubelet serves: false booleans and a zero port left out.
    @Test func decodesConfigzDocument() throws {
        let document = #"""
            {"kubeletconfig":{"enableServer":true,"authentication":{"x509":{},"webhook":{"enabled":false,"cacheTTL":"2m0s"},
             "anonymous":{"enabled":true}},"authorization":{"mode":"AlwaysAllow","webhook":{"cacheAuthorizedTTL":"5m0s"}},
             "readOnlyPort":10255,"eventRecordQPS":0,"streamingConnectionIdleTimeout":"0s","makeIPTablesUtilChains":false,
             "evictionHard":{"memory.available":"100Mi"}}}
            """#
        let configuration = try KubeletConfigCollector.decodeConfigz(Data(document.utf8), path: "/configz")
        #expect(configuration.authentication?.anonymous?.enabled == true)
        #expect(configuration.authentication?.x509?.clientCAFile == nil)
        #expect(configuration.authorization?.mode == "AlwaysAllow")
        #expect(configuration.readOnlyPort == 10255)
        #expect(configuration.protectKernelDefaults == nil)
        #expect(configuration.makeIPTablesUtilChains == false)
        #expect(configuration.streamingConnectionIdleTimeout == "0s")

        #expect(throws: APIError.self) { try KubeletConfigCollector.decodeConfigz(Data(#"{"other":{}}"#.utf8), path: "/configz") }
        #expect(throws: APIError.self) { try KubeletConfigCollector.decodeConfigz(Data("404 page not found".utf8), path: "/configz") }
    }
}
