@testable import Documents
import Testing

@Suite struct DocumentDecoderTests {
    struct Settings: Decodable {
        struct Item: Decodable {
            var name: String
            var port: Int
        }
        var items: [Item]
    }

    @Test func decodesYAMLAndJSON() throws {
        let yaml = try DocumentDecoder.decodeDocuments(Settings.self, text: "items:\n- {name: a, port: 80}\n---\nitems: []\n", file: "f.yaml")
        #expect(yaml.count == 2)
        #expect(yaml[0].items[0].port == 80)
        let json = try DocumentDecoder.decodeDocuments(Settings.self, text: #"{"items": [{"name": "b", "port": 443}]}"#, file: "f.json")
        #expect(json[0].items[0].name == "b")
    }

    @Test func typeMismatchNamesLineAndField() {
        let text = "items:\n- name: a\n  port: eighty\n"
        #expect { try DocumentDecoder.decodeDocuments(Settings.self, text: text, file: "f.yaml") } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 3 && error.field == "items[0].port" && error.message == "expected a number"
        }
    }

    @Test func missingFieldPointsAtItsParent() {
        let text = "items:\n- name: a\n"
        #expect { try DocumentDecoder.decodeDocuments(Settings.self, text: text, file: "f.yaml") } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 2 && error.field == "items[0]" && error.message.contains("\"port\"")
        }
    }

    @Test func nodeAtPathFollowsIndexesAndKeys() throws {
        let root = try #require(try YAML.parseDocuments("a:\n  b:\n  - x\n  - y: {c: 1}\n").first)
        #expect(DocumentDecoder.node(at: "a.b[1].y.c", in: root).mark.line == 4)
        #expect(DocumentDecoder.node(at: "a.missing", in: root).mark.line == 2)
    }
}
