import Foundation
@testable import Inventory
import Testing

/// `SnapshotEncoder` must give `JSONEncoder`'s JSON for every model, and leave to it whatever it does not
/// decide.
@Suite struct SnapshotEncoderTests {
    static func jsonEncoded<Value: Encodable>(_ value: Value) throws -> Data {
        try SnapshotFile.encoder().encode(value)
    }

    /// The same JSON value: objects compared whatever the order of their members.
    static func sameJSON(_ first: Data, _ second: Data) throws -> Bool {
        try JSONSerialization.jsonObject(with: first) as? NSObject == JSONSerialization.jsonObject(with: second) as? NSObject
    }

    /// Every kind the demo cluster's manifests hold, and the snapshot of tricky strings.
    static func snapshots() throws -> [ClusterSnapshot] {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../cluster/demo").standardized.path
        var rbac = SnapshotFileTests.snapshot(pods: 300)
        rbac.roles = [Role(metadata: ObjectMeta(name: "reader", namespace: "shop"), rules: [PolicyRule(verbs: ["get"], resources: ["pods"])])]
        rbac.roleBindings = [
            RoleBinding(
                metadata: ObjectMeta(name: "reader", namespace: "shop", labels: ["a/b": "c\"d"]), roleRef: RoleRef(kind: "Role", name: "reader"),
                subjects: [Subject(kind: "ServiceAccount", name: "default", namespace: "shop")]),
        ]
        return [try ManifestLoader.load(path: demo).snapshot, rbac]
    }

    @Test func everyKindEncodesAsJSONEncoderEncodesIt() throws {
        struct Compare: SnapshotFieldVisitor {
            let snapshot: ClusterSnapshot
            var compared: Set<ResourceKind> = []
            mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) throws {
                let objects = snapshot[keyPath: field.path]
                guard !objects.isEmpty else { return }
                let direct = try SnapshotEncoder.encode(objects)
                #expect(try SnapshotEncoderTests.sameJSON(direct, SnapshotEncoderTests.jsonEncoded(objects)), "\(field.kind)")
                compared.insert(field.kind)
            }
        }
        var kinds: Set<ResourceKind> = []
        for snapshot in try Self.snapshots() {
            var compare = Compare(snapshot: snapshot)
            for kind in ResourceKind.allCases { try kind.visitField(&compare) }
            kinds.formUnion(compare.compared)
        }
        let seeded: Set<ResourceKind> = [
            .namespaces, .pods, .deployments, .services, .configmaps, .serviceaccounts, .roles, .rolebindings, .clusterroles,
            .clusterrolebindings, .networkpolicies, .cronjobs,
        ]
        #expect(kinds.isSuperset(of: seeded), "\(seeded.subtracting(kinds))")
    }

    /// Strings and scalars outside objects have only one JSON text: the bytes are `JSONEncoder`'s.
    @Test func stringsAreEscapedAsJSONEncoderEscapesThem() throws {
        let strings = SnapshotFileTests.tricky + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\u{7F}", "é\"\\/\u{2028}"]
        #expect(try SnapshotEncoder.encode(strings) == Self.jsonEncoded(strings))
        let scalars: [[Int?]] = [[0, -1, Int.max, Int.min, nil]]
        #expect(try SnapshotEncoder.encode(scalars) == Self.jsonEncoded(scalars))
        struct One: Codable { var flag = true }
        #expect(try SnapshotEncoder.encode([One(), One(flag: false)]) == Self.jsonEncoded([One(), One(flag: false)]))
        #expect(try SnapshotEncoder.encode([String: [String]]()) == Self.jsonEncoded([String: [String]]()))
    }

    /// What the encoder does not decide is left to `JSONEncoder`, which `SnapshotFile.encoded` then uses.
    @Test func whatItDoesNotDecideIsLeftToJSONEncoder() throws {
        struct TwoContainers: Encodable {
            enum Keys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: Keys.self)
                try first.encode(1, forKey: .a)
                var second = encoder.container(keyedBy: Keys.self)
                try second.encode(2, forKey: .b)
            }
        }
        struct Nested: Encodable {
            enum Keys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedUnkeyedContainer(forKey: .a)
                try container.encode(1, forKey: .b)
                try inner.encode(2)
            }
        }
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([1.5]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([Date(timeIntervalSince1970: 0)]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([Data([1, 2])]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([URL(fileURLWithPath: "/a")]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([TwoContainers()]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([Nested()]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode([Nothing()]) }
        #expect(throws: SnapshotEncoder.Unsupported.self) { try SnapshotEncoder.encode(Self.nestedArrays(600)) }
        #expect(try Self.sameJSON(Data("[".utf8) + SnapshotFile.encoded([TwoContainers()]) + Data("]".utf8), Self.jsonEncoded([TwoContainers()])))
        #expect(try SnapshotFile.encoded([Data([1, 2])]) == Data(#""AQI=""#.utf8))
    }

    indirect enum Deep: Encodable {
        case leaf
        case node(Deep)
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            if case .node(let inner) = self { try container.encode(inner) }
        }
    }

    static func nestedArrays(_ depth: Int) -> Deep {
        (0..<depth).reduce(Deep.leaf) { inner, _ in .node(inner) }
    }
}
