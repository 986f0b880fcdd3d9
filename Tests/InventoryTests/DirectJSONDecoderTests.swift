import Documents
import FoundationEssentials
import Inventory
import Testing

/// The direct decoder gives JSONDecoder's outcome: the same value where it decides, JSONDecoder's
/// value or error where it does not; and it decides on the ordinary JSON Lookout reads, or it would
/// save nothing.
@Suite struct DirectJSONDecoderTests {
    struct Page<Item: Codable>: Codable {
        var items: [Item]
    }

    struct Number: Codable { var a: Int? }
    struct Text: Codable { var s: String? }
    struct Flags: Codable {
        var b: Bool
        var list: [Int?]
        var nested: [String: [String]]
    }

    static let pod = #"""
        {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"abc"},"items":[
         {"metadata":{"name":"web-0","namespace":"shop","uid":"u-1","labels":{"app":"web","tier":"front"},
          "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"serviceAccount\":\"legacy\",\"containers\":[{\"env\":[{\"value\":\"s3cr3t\"}]}]}}\n",
           "note":"caf\u00e9 \ud83d\ude00 ünïcødé \"quoted\" \\ back\/slash\ttab"},
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"u-0","controller":true}],
          "managedFields":[{"manager":"kubectl","operation":"Update","fieldsV1":{"f:spec":{"f:containers":{}}}}],
          "creationTimestamp":"2026-12-06T10:00:00Z"},
          "spec":{"serviceAccountName":"web","hostNetwork":false,"securityContext":{"runAsUser":0,"fsGroup":2000},
           "containers":[{"name":"app","image":"registry:5000/web@sha256:abc","ports":[{"containerPort":8080,"hostPort":0,"protocol":"TCP"}],
            "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],
            "resources":{"limits":{"cpu":"500m","memory":"128Mi"}},"livenessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":10},
            "securityContext":{"privileged":true,"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]},"readOnlyRootFilesystem":false}}],
           "volumes":[{"name":"h","hostPath":{"path":"/var/run","type":""}}]},
          "status":{"phase":"Running","podIP":"10.0.0.1","conditions":[{"type":"Ready","status":"True"}],"score":1.5e3}},
         {"metadata":{"name":"bare"},"spec":{"containers":[]}}
        ]}
        """#

    static let service = #"""
        {"items":[{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"NodePort","selector":{"app":"web"},
         "ports":[{"port":80,"targetPort":"http","nodePort":30080},{"port":443,"targetPort":8443}]}}]}
        """#

    /// The two decoders' values as sorted JSON; nil for the direct one where it does not decide.
    func both<T: Codable>(_ type: T.Type, _ text: String) -> (direct: String?, reference: String?) {
        let data = Data(text.utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: T?) -> String? { value.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) } }
        return (json(DirectJSONDecoder().decodeDirectly(type, from: data)), json(try? JSONDecoder().decode(type, from: data)))
    }

    @Test func decidesOnListPagesAsJSONDecoder() throws {
        let pods = both(Page<Pod>.self, Self.pod)
        #expect(pods.direct != nil)
        #expect(pods.direct == pods.reference)
        let services = both(Page<Service>.self, Self.service)
        #expect(services.direct != nil)
        #expect(services.direct == services.reference)
        // The continue token is read without the items being decoded.
        struct Metadata: Codable {
            struct Meta: Codable { var `continue`: String? }
            var metadata: Meta
        }
        #expect(DirectJSONDecoder().decodeDirectly(Metadata.self, from: Data(Self.pod.utf8))?.metadata.continue == "abc")
        let pod = try #require(DirectJSONDecoder().decodeDirectly(Page<Pod>.self, from: Data(Self.pod.utf8))?.items.first)
        #expect(pod.metadata.annotations?["note"] == "café 😀 ünïcødé \"quoted\" \\ back/slash\ttab")
        #expect(pod.metadata.annotations?["kubectl.kubernetes.io/last-applied-configuration"] == #"{"spec":{"serviceAccount":"legacy"}}"#)
    }

    /// Each input either decoded directly to JSONDecoder's value, or left to JSONDecoder (`decided`
    /// false), which then gives its own value or error.
    @Test(arguments: [
        (#"{"a":1}"#, true), (#" {"a" : -0 } "#, true), (#"{"a":null}"#, true), (#"{}"#, true), (#"{"b":[1,{"c":"d"}],"a":7}"#, true),
        (#"{"a":9223372036854775807}"#, true), (#"{"a":-9223372036854775807}"#, true),
        // JSONDecoder's to decide: it takes these as integers, or refuses them.
        (#"{"a":8.0}"#, false), (#"{"a":1e2}"#, false), (#"{"a":8.5}"#, false), (#"{"a":01}"#, false),
        (#"{"a":9223372036854775808}"#, false), (#"{"a":1,"a":2}"#, false), (#"{"\u0061":5}"#, false),
        // Malformed: refused by both (the error is JSONDecoder's).
        (#"{"a":1} x"#, false), (#"{"b":tru,"a":1}"#, false), (#"{"a":1"#, false), (#""#, false), (#"{"a":"5"}"#, true),
        ("\u{FEFF}{\"a\":1}", false),
    ])
    func numbers(input: String, decided: Bool) {
        let result = both(Number.self, input)
        #expect((result.direct != nil) == (decided && result.reference != nil), "\(input)")
        if let direct = result.direct { #expect(direct == result.reference, "\(input)") }
    }

    @Test(arguments: [
        (#"{"s":"a\u0000b\n\u00e9"}"#, true), (#"{"s":"\ud83d\ude00"}"#, true), (#"{"s":""}"#, true), (#"{"s":5}"#, true),
        (#"{"s":"\ud800"}"#, false), (#"{"s":"\ud800\u0041"}"#, false), (#"{"s":"\x"}"#, false),
        ("{\"s\":\"a\u{01}b\"}", false), ("{\"s\":\"tab\there\"}", false),
    ])
    func strings(input: String, decided: Bool) {
        let result = both(Text.self, input)
        #expect((result.direct != nil) == (decided && result.reference != nil), "\(input)")
        if let direct = result.direct { #expect(direct == result.reference, "\(input)") }
    }

    @Test func bytesThatAreNotUTF8() {
        func input(_ value: [UInt8], skipped: Bool) -> Data {
            Data(Array((skipped ? #"{"x":""# : #"{"s":""#).utf8) + value + Array(#""}"#.utf8))
        }
        // JSONDecoder accepts a bad string it does not read, and refuses one it reads.
        for bytes: [UInt8] in [[0xFF], [0xC0, 0x80], [0xE2, 0x82]] {
            #expect(DirectJSONDecoder().decodeDirectly(Text.self, from: input(bytes, skipped: true)) != nil)
            #expect(DirectJSONDecoder().decodeDirectly(Text.self, from: input(bytes, skipped: false)) == nil)
            #expect((try? DirectJSONDecoder().decode(Text.self, from: input(bytes, skipped: false))) == nil)
        }
    }

    @Test func containersAndErrors() throws {
        let text = #"{"b":true,"list":[1,null,3],"nested":{"k":["v","w"],"e":[]}}"#
        let result = both(Flags.self, text)
        #expect(result.direct != nil && result.direct == result.reference)
        // A missing key, a type mismatch, null where a value is needed: JSONDecoder's own errors.
        for bad in [#"{"list":[],"nested":{}}"#, #"{"b":1,"list":[],"nested":{}}"#, #"{"b":null,"list":[],"nested":{}}"#] {
            #expect(DirectJSONDecoder().decodeDirectly(Flags.self, from: Data(bad.utf8)) == nil)
            var directError = ""
            var referenceError = ""
            do { _ = try DirectJSONDecoder().decode(Flags.self, from: Data(bad.utf8)) } catch { directError = "\(error)" }
            do { _ = try JSONDecoder().decode(Flags.self, from: Data(bad.utf8)) } catch { referenceError = "\(error)" }
            #expect(!directError.isEmpty && directError == referenceError)
        }
    }

    @Test func nestingPastTheBoundIsJSONDecoders() {
        func nested(_ depth: Int) -> Data {
            Data((#"{"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + #","a":1}"#).utf8)
        }
        #expect(DirectJSONDecoder().decodeDirectly(Number.self, from: nested(200))?.a == 1)
        #expect(DirectJSONDecoder().decodeDirectly(Number.self, from: nested(300)) == nil)
        #expect((try? DirectJSONDecoder().decode(Number.self, from: nested(300)))?.a == 1)
        #expect((try? DirectJSONDecoder().decode(Number.self, from: nested(600))) == nil)
    }

    /// Members and elements live on one stack that grows and is given back after each nested value:
    /// an outer container read after nested values that grew it (and after a nested value that failed
    /// under `try?`) still finds its own members.
    @Test func containersOutliveNestedValues() throws {
        struct Inner: Codable, Equatable {
            var tags: [String: String]
            var items: [Int]
        }
        struct Outer: Codable, Equatable {
            var first: String
            var inners: [Inner]
            var maybe: Int?
            var last: String
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                inners = try container.decode([Inner].self, forKey: .inners)
                maybe = try? container.decode(Int.self, forKey: .maybe)
                first = try container.decode(String.self, forKey: .first)
                last = try container.decode(String.self, forKey: .last)
            }
        }
        let inner = #"{"items":[1,2,3,4,5,6,7,8],"tags":{"# + (0..<40).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}}"
        let text = #"{"last":"z","maybe":"text","inners":["# + Array(repeating: inner, count: 60).joined(separator: ",") + #"],"first":"a"}"#
        let result = both(Outer.self, text)
        #expect(result.direct != nil && result.direct == result.reference)
        let outer = try #require(DirectJSONDecoder().decodeDirectly(Outer.self, from: Data(text.utf8)))
        #expect(outer.first == "a" && outer.last == "z" && outer.maybe == nil && outer.inners.count == 60)
    }

    /// Dictionaries are read in the text's order, each key found where the last one was.
    @Test func largeObjects() throws {
        let members = (0..<500).map { #""key-\#($0)":"value-\#($0)""# }.joined(separator: ",")
        let text = #"{"items":[{"metadata":{"name":"big","namespace":"n"},"data":{"# + members + "}}]}"
        let result = both(Page<ConfigMap>.self, text)
        #expect(result.direct != nil && result.direct == result.reference)
        let duplicate = #"{"items":[{"metadata":{"name":"big","namespace":"n"},"data":{"# + members + #","key-7":"again"}}]}"#
        #expect(DirectJSONDecoder().decodeDirectly(Page<ConfigMap>.self, from: Data(duplicate.utf8)) == nil)
        let decoded = try DirectJSONDecoder().decode(Page<ConfigMap>.self, from: Data(duplicate.utf8))
        #expect(decoded.items[0].data?["key-7"] == (try JSONDecoder().decode(Page<ConfigMap>.self, from: Data(duplicate.utf8))).items[0].data?["key-7"])
    }
}
