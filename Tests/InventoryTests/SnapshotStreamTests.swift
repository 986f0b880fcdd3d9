import Foundation
@testable import Inventory
import Synchronization
import Testing

/// A snapshot streamed page by page, kinds interleaved, restarted and failed in any order, must be the
/// JSON of the snapshot the pages that held make up: what `scan --from` reads back.
@Suite struct SnapshotStreamTests {
    /// The bytes in memory, with what each write and cut was.
    final class Output: SnapshotOutput {
        struct Failure: Error {}
        private let state = Mutex<(bytes: Data, writes: Int, cuts: [Int], failAfter: Int?)>((Data(), 0, [], nil))

        init(failAfter writes: Int? = nil) { state.withLock { $0.failAfter = writes } }

        var bytes: Data { state.withLock { $0.bytes } }
        var cuts: [Int] { state.withLock { $0.cuts } }

        func write(_ bytes: Data) throws {
            try state.withLock { state in
                if let limit = state.failAfter, state.writes >= limit { throw Failure() }
                state.writes += 1
                state.bytes.append(bytes)
            }
        }

        func truncate(to length: Int) {
            state.withLock { state in
                state.cuts.append(length)
                state.bytes.removeSubrange(length...)
            }
        }
    }

    /// `snapshot` streamed kind after kind, `pageSize` objects a page: how tests save a snapshot.
    static func streamed(_ snapshot: ClusterSnapshot, pageSize: Int = 500) throws -> Data {
        let output = Output()
        let stream = try SnapshotStream(output: output)
        struct Pages: SnapshotFieldVisitor {
            let snapshot: ClusterSnapshot
            let stream: SnapshotStream
            let pageSize: Int
            func visit<Object: KubeObject>(_ field: SnapshotField<Object>) {
                let objects = snapshot[keyPath: field.path]
                for start in stride(from: 0, to: objects.count, by: pageSize) {
                    stream.received(SnapshotStreamTests.page(Array(objects[start..<min(start + pageSize, objects.count)])), of: field.kind)
                }
                stream.finished(field.kind, listed: true)
            }
        }
        var pages = Pages(snapshot: snapshot, stream: stream, pageSize: pageSize)
        for kind in ResourceKind.allCases { kind.visitField(&pages) }
        try stream.finish(head: snapshot)
        return output.bytes
    }

    static func page<Object: KubeObject>(_ objects: [Object]) -> SnapshotStream.Page {
        SnapshotStream.encode(objects)
    }

    static func decoded(_ bytes: Data) throws -> ClusterSnapshot {
        try JSONDecoder().decode(ClusterSnapshot.self, from: bytes)
    }

    static func pods(_ range: Range<Int>) -> [Pod] {
        range.map { Pod(metadata: ObjectMeta(name: "pod-\($0)", namespace: "shop"), spec: PodSpec(containers: [Container(name: "app", image: "a/b:\($0)")])) }
    }

    static func deployments(_ range: Range<Int>) -> [Deployment] {
        range.map {
            Deployment(
                metadata: ObjectMeta(name: "deploy-\($0)", namespace: "shop"),
                spec: ReplicatedWorkloadSpec(template: PodTemplate(spec: PodSpec(containers: [Container(name: "app", image: "a")]))))
        }
    }

    @Test func aStreamedSnapshotIsTheWholeEncoderOutput() throws {
        for snapshot in [SnapshotFileTests.snapshot(pods: 1_234), ClusterSnapshot(cluster: ClusterInfo(server: "s"))] {
            for pageSize in [1, 7, 500] {
                let bytes = try Self.streamed(snapshot, pageSize: pageSize)
                #expect(try SnapshotFileTests.encoded(Self.decoded(bytes)) == SnapshotFileTests.encoded(snapshot))
                #expect(!bytes.contains(Array(#"\/"#.utf8)), "slashes unescaped")
            }
        }
    }

    /// Pages of four kinds come interleaved: the first kind to send one is written as it comes, the
    /// others wait and follow it whole; each kind's objects stay in page order.
    @Test func interleavedKindsKeepTheirPageOrder() throws {
        let output = Output()
        let stream = try SnapshotStream(output: output)
        stream.received(Self.page(Self.pods(0..<3)), of: .pods)
        stream.received(Self.page(Self.deployments(0..<2)), of: .deployments)
        let podsSoFar = output.bytes.count
        stream.received(Self.page(Self.pods(3..<5)), of: .pods)
        #expect(output.bytes.count > podsSoFar, "the open kind is written as it comes")
        let waitingSince = output.bytes.count
        stream.received(Self.page(Self.deployments(2..<4)), of: .deployments)
        stream.received(Self.page([Namespace(metadata: ObjectMeta(name: "shop"))]), of: .namespaces)
        stream.finished(.namespaces, listed: true)
        #expect(output.bytes.count == waitingSince, "others wait while one kind is open")
        stream.received(Self.page(Self.pods(5..<6)), of: .pods)
        stream.finished(.pods, listed: true)
        let afterPods = output.bytes.count
        #expect(String(decoding: output.bytes, as: UTF8.self).contains(#""namespaces":[{"#), "a complete kind follows the open one")
        stream.received(Self.page(Self.deployments(4..<5)), of: .deployments)
        #expect(output.bytes.count > afterPods, "the kind left waiting is the open one now")
        stream.finished(.deployments, listed: true)
        for kind in ResourceKind.allCases where ![.pods, .deployments, .namespaces].contains(kind) {
            stream.finished(kind, listed: false)
        }
        var head = ClusterSnapshot(cluster: ClusterInfo(server: "s"))
        head.collected = [.pods, .deployments, .namespaces]
        try stream.finish(head: head)
        let read = try Self.decoded(output.bytes)
        #expect(read.pods.map(\.name) == Self.pods(0..<6).map(\.name))
        #expect(read.deployments.map(\.name) == Self.deployments(0..<5).map(\.name))
        #expect(read.namespaces.map(\.name) == ["shop"])
        #expect(read.collected == [.pods, .deployments, .namespaces])
        #expect(output.cuts.isEmpty)
    }

    /// A kind that fails midway or starts again leaves none of its void pages: cut out of the file when
    /// they were written, dropped when they waited.
    @Test func aFailedOrRestartedKindLeavesNoVoidPage() throws {
        let output = Output()
        let stream = try SnapshotStream(output: output)
        stream.received(Self.page(Self.pods(0..<3)), of: .pods)
        stream.received(Self.page(Self.deployments(0..<2)), of: .deployments)
        stream.received(Self.page(Self.pods(3..<5)), of: .pods)
        stream.restarted(.deployments)
        stream.received(Self.page(Self.deployments(10..<11)), of: .deployments)
        stream.restarted(.pods)
        #expect(output.cuts.count == 1)
        stream.received(Self.page(Self.pods(20..<22)), of: .pods)
        stream.received(Self.page(Self.deployments(11..<12)), of: .deployments)
        stream.finished(.pods, listed: false)
        #expect(output.cuts.count == 2)
        stream.finished(.deployments, listed: true)
        for kind in ResourceKind.allCases where ![.pods, .deployments].contains(kind) { stream.finished(kind, listed: false) }
        try stream.finish(head: ClusterSnapshot(cluster: ClusterInfo(server: "s")))
        let read = try Self.decoded(output.bytes)
        #expect(read.pods.isEmpty)
        #expect(read.deployments.map(\.name) == ["deploy-10", "deploy-11"])
        #expect(String(decoding: output.bytes, as: UTF8.self).contains(#""pods":[]"#))
    }

    /// A write that fails stops the stream: nothing more is written, and `finish` throws it.
    @Test func aFailedWriteEndsTheStream() throws {
        let output = Output(failAfter: 3)
        let stream = try SnapshotStream(output: output)
        stream.received(Self.page(Self.pods(0..<3)), of: .pods)
        stream.received(Self.page(Self.pods(3..<5)), of: .pods)
        let written = output.bytes
        stream.received(Self.page(Self.pods(5..<6)), of: .pods)
        stream.finished(.pods, listed: true)
        #expect(output.bytes == written)
        #expect(throws: Output.Failure.self) { try stream.finish(head: ClusterSnapshot(cluster: ClusterInfo(server: "s"))) }
        #expect(output.bytes == written)
    }

    /// A page that did not encode fails the stream.
    @Test func aPageThatDidNotEncodeFailsTheStream() throws {
        let output = Output()
        let stream = try SnapshotStream(output: output)
        stream.received(.failure(SnapshotStream.EncodingFailure(description: "no")), of: .pods)
        stream.finished(.pods, listed: true)
        #expect(throws: SnapshotStream.EncodingFailure.self) { try stream.finish(head: ClusterSnapshot(cluster: ClusterInfo(server: "s"))) }
        #expect(output.bytes == Data("{".utf8))
    }
}
