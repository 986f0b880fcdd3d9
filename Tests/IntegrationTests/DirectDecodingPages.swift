import Documents
import Foundation
import Inventory
import Testing

/// The LIST pages a real API server writes (managed fields, status and all), decoded by the direct
/// decoder and by `JSONDecoder`: the direct one must decide on each page and give `JSONDecoder`'s models
/// (compared as sorted JSON). It reads the models that read themselves (`JSONObjectDecodable`) without
/// their `Decodable` conformance, so this holds the two to the same values on the server's own output.
enum DirectDecodingPages {
    struct Page<Item: Codable>: Codable {
        var items: [Item]
    }

    /// Every kind the server serves, in its first served version; the number of objects compared per kind.
    static func compare(in cluster: TestCluster) throws -> [ResourceKind: Int] {
        var compared: [ResourceKind: Int] = [:]
        for kind in ResourceKind.allCases {
            let prefix = kind.group.isEmpty ? "/api" : "/apis/" + kind.group
            guard let text = kind.versions.lazy.compactMap({ try? cluster.kubectl(["get", "--raw", "\(prefix)/\($0)/\(kind.rawValue)"]) }).first
            else { continue }
            var page = Decode(data: Data(text.utf8))
            compared[kind] = try kind.visitField(&page)
        }
        return compared
    }

    struct Decode: SnapshotFieldVisitor {
        let data: Data

        func visit<Object: KubeObject>(_ field: SnapshotField<Object>) throws -> Int {
            let direct = try #require(DirectJSONDecoder().decodeDirectly(Page<Object>.self, from: data), "\(Object.self): the direct decoder left the page to JSONDecoder")
            let reference = try JSONDecoder().decode(Page<Object>.self, from: data)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            #expect(try encoder.encode(direct) == encoder.encode(reference), "\(Object.self): the decoders differ")
            return reference.items.count
        }
    }
}
