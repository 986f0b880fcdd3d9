import Foundation
@testable import Inventory
import KubeClient
import Synchronization
import Testing

/// The collector's page hook (`collect` streams its snapshot through it) against the real API server,
/// with pages of two objects so that every kind comes in many pages.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct CollectorSinkIntegrationTests {
    /// What the sink heard: each kind's objects in the order received, and how each kind finished.
    final class Recorder: CollectionSink {
        struct Page: Sendable { var keys: [String] }
        let objects = Mutex<[ResourceKind: [String]]>([:])
        let finished = Mutex<[ResourceKind: [Bool]]>([:])
        let pages = Atomic<Int>(0)
        let afterPage: @Sendable (Int) -> Void

        init(afterPage: @escaping @Sendable (Int) -> Void = { _ in }) { self.afterPage = afterPage }

        func page<Object: KubeObject>(_ objects: [Object], of field: SnapshotField<Object>) -> Page {
            // etcd's order, in which a LIST returns objects: by namespace, then name.
            Page(keys: objects.map { ($0.metadata.namespace ?? "") + "/" + $0.name })
        }

        func received(_ page: Page, of kind: ResourceKind) {
            objects.withLock { $0[kind, default: []] += page.keys }
            afterPage(pages.add(1, ordering: .relaxed).newValue)
        }

        func restarted(_ kind: ResourceKind) { objects.withLock { $0[kind] = [] } }

        func finished(_ kind: ResourceKind, listed: Bool) {
            finished.withLock { $0[kind, default: []].append(listed) }
        }
    }

    func api(_ cluster: TestCluster) async throws -> KubeAPI {
        try await KubeAPI(config: try ConfigLoader.load(kubeconfigPath: cluster.kubeconfig, context: nil))
    }

    /// Every kind is finished once, listed exactly when the snapshot says it was collected; each kind's
    /// pages come in the server's order; the snapshot returned holds no objects.
    @Test func everyPageInOrderAndEveryKindFinishedOnce() async throws {
        let cluster = try TestCluster.require()
        let recorder = Recorder()
        let head = try await Collector(api: try await api(cluster), pageSize: 2).collect(into: recorder)
        let finished = recorder.finished.withLock { $0 }
        #expect(Set(finished.keys) == Set(ResourceKind.allCases))
        for kind in ResourceKind.allCases {
            #expect(finished[kind] == [head.collected.contains(kind)], "\(kind)")
            #expect(head.objects(of: kind).isEmpty, "\(kind)")
        }
        let objects = recorder.objects.withLock { $0 }
        for kind in head.collected {
            let keys = objects[kind] ?? []
            #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(kind)")
            #expect(Set(keys).count == keys.count, "\(kind)")
        }
        #expect((objects[.namespaces] ?? []).count > 2, "namespaces came in more than one page")
        #expect(recorder.pages.load(ordering: .relaxed) > ResourceKind.allCases.count)
    }

    /// A collection cancelled midway (its task, as when the command is stopped) throws, and its sink hears
    /// nothing more once it has.
    @Test func aCancelledCollectionStopsHandingOverPages() async throws {
        let cluster = try TestCluster.require()
        let api = try await api(cluster)
        let task = Mutex<Task<ClusterSnapshot, any Error>?>(nil)
        let recorder = Recorder { pages in
            if pages >= 3 { task.withLock { $0?.cancel() } }
        }
        let collection = Task { () throws -> ClusterSnapshot in
            try await Collector(api: api, pageSize: 1).collect(into: recorder)
        }
        task.withLock { $0 = collection }
        await #expect(throws: APIError.self) { try await collection.value }
        let heard = recorder.pages.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(500))
        #expect(recorder.pages.load(ordering: .relaxed) == heard)
        #expect(recorder.finished.withLock { $0.values.filter { $0 == [true] }.count } < ResourceKind.allCases.count)
    }
}
