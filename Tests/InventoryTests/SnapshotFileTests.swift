import Foundation
@testable import Inventory
import Documents
import Testing

/// Saved snapshots written and read a piece at a time must be exactly what one encoder or decoder pass
/// gives, and anything else must be left to the whole-file reader, which names file, line and field.
@Suite struct SnapshotFileTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-snapshots-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Strings that a scanner looking for the end of a value could stop in.
    static let tricky = [
        #"say "hi" } ] [ { , :"#, #"C:\path\"#, "ünïcødé 🚀", "a/b//c", "line\nbreak\ttab", "\u{1}", "",
    ]

    static func snapshot(pods: Int) -> ClusterSnapshot {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://c:6443/a/b", context: "prod", version: "v1.30.2"))
        snapshot.namespaces = [Namespace(metadata: ObjectMeta(name: "shop")), Namespace(metadata: ObjectMeta(name: tricky[0]))]
        snapshot.pods = (0..<pods).map { index in
            var container = Container(name: "app", image: "registry:5000/app:\(index)")
            container.args = [tricky[index % tricky.count], String(repeating: "x", count: index % 300)]
            return Pod(
                metadata: ObjectMeta(
                    name: "pod-\(index)", namespace: "shop", labels: ["app": tricky[(index + 1) % tricky.count]],
                    annotations: index % 7 == 0 ? ["note": tricky[2]] : nil),
                spec: PodSpec(containers: [container]))
        }
        snapshot.configMaps = [ConfigMap(metadata: ObjectMeta(name: "cm", namespace: "shop"), data: ["k": tricky[1]])]
        snapshot.clusterRoles = [Role(metadata: ObjectMeta(name: "admin"), rules: [PolicyRule(verbs: ["*"], resources: ["*"])])]
        snapshot.kubeletConfigurations = [NodeKubeletConfiguration(node: "n1", configuration: nil, error: tricky[0])]
        snapshot.kubeletConfigurationUnavailable = "needs nodes/proxy"
        snapshot.collected = [.namespaces, .pods, .configmaps, .clusterroles]
        snapshot.errors = [CollectionError(resource: "roles", reason: "forbidden", message: tricky[0])]
        snapshot.scope = NamespaceScope(excluded: ["kube-system"])
        return snapshot
    }

    /// The snapshot's JSON in one order: keys sorted, and the set of collected kinds as a sorted list.
    static func encoded(_ snapshot: ClusterSnapshot) throws -> Data {
        var ordered = snapshot
        ordered.collected = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(ordered) + encoder.encode(snapshot.collected.sorted())
    }

    func save(_ snapshot: ClusterSnapshot, as name: String = "snapshot.json") throws -> String {
        let path = folder + "/" + name
        try SnapshotStreamTests.streamed(snapshot).write(to: URL(fileURLWithPath: path))
        return path
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Chunks of a few bytes cut every value somewhere; batches of one byte decode each object alone.
    @Test(arguments: [(7, 1), (64, 300), (4096, 50_000), (SnapshotFile.chunkBytes, SnapshotFile.batchBytes)])
    func readKindByKindIsTheWholeDecoderOutput(chunkBytes: Int, batchBytes: Int) throws {
        let path = try save(Self.snapshot(pods: 900))
        let read = try #require(SnapshotFile.read(path: path, chunkBytes: chunkBytes, batchBytes: batchBytes))
        let whole = try JSONDecoder().decode(ClusterSnapshot.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try Self.encoded(read) == Self.encoded(whole))
        #expect(read.pods.count == 900)
        #expect(read.pods[899].spec.containers[0].args?[0] == Self.tricky[899 % Self.tricky.count])
    }

    @Test func aSnapshotLoadsThroughTheManifestLoaderAsSaved() throws {
        let path = try save(Self.snapshot(pods: 20))
        let loaded = try ManifestLoader.load(path: path).snapshot
        #expect(loaded.source == .snapshot)
        #expect(loaded.pods.count == 20)
        #expect(loaded.unavailableReason(.roles) == "forbidden: roles")
        #expect(throws: ConfigError.self) { try ManifestLoader.load(path: path, scope: NamespaceScope(excluded: ["x"])) }
    }

    /// What the piecewise reader does not take, the whole-file reader judges as before.
    @Test func otherInputIsLeftToTheWholeFileReader() throws {
        let path = try save(Self.snapshot(pods: 3))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let others = [
            "list.json": #"{"apiVersion": "v1", "kind": "List", "items": []}"#,
            "yaml.yaml": "cluster: {server: s}\n",
            "object.json": #"{"metadata": {"name": "x"}, "apiVersion": "v1", "kind": "Pod"}"#,
            "notcluster.json": #"{"pods": [], "nodes": []}"#,
            "truncated.json": String(text.dropLast(40)),
            "trailing.json": text + "x",
            "duplicate.json": text.replacingOccurrences(of: #""nodes":[]"#, with: #""nodes":[],"nodes":[]"#),
            "missing.json": text.replacingOccurrences(of: #""nodes":[]"#, with: #""nodez":[]"#),
            "escaped.json": text.replacingOccurrences(of: #""nodes":[]"#, with: #""no\u0064es":[]"#),
            "badobject.json": text.replacingOccurrences(of: #""name":"pod-1""#, with: #""name":1"#),
            "empty.json": "",
        ]
        for (name, content) in others {
            #expect(SnapshotFile.read(path: try file(name, content), chunkBytes: 16, batchBytes: 64) == nil, "\(name)")
        }
        #expect(SnapshotFile.read(path: folder + "/absent.json") == nil)

        let truncated = try #require(throws: ConfigError.self) { try ManifestLoader.load(path: folder + "/truncated.json") }
        #expect(truncated.file == folder + "/truncated.json")
        #expect(truncated.line == 1)
        let bad = try #require(throws: ConfigError.self) { try ManifestLoader.load(path: folder + "/badobject.json") }
        #expect(bad.field == "pods[1].metadata.name")
    }

    @Test func valueEnds() {
        func end(_ text: String, isFinal: Bool = false) -> JSONScan.End {
            Array(text.utf8).withUnsafeBufferPointer { JSONScan.valueEnd($0, from: 0, isFinal: isFinal) }
        }
        #expect(end(#"{"a":"}\"]","b":[1,{"c":[]}]},"#) == .at(29))
        #expect(end(#""x\\",1"#) == .at(5))
        #expect(end(#"[1,2"#) == .incomplete)
        #expect(end(#""abc\"#) == .incomplete)
        #expect(end("123") == .incomplete)
        #expect(end("123", isFinal: true) == .at(3))
        #expect(end("true ,") == .at(4))
        #expect(end("[1}") == .malformed)
        #expect(end("}") == .malformed)
    }
}
