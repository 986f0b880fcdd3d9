import Foundation
import Testing

@testable import Documents
@testable import KubeClient

/// A seeded mutation fuzzer over the YAML reader (with its JSON conversion) and the kubeconfig loader:
/// the kubeconfig fixtures and a few YAML snippets, mutated by byte flips, inserted YAML punctuation,
/// deletions, duplications and splices. Errors are fine; a trap kills the test process. Every unit-test
/// run (and so `make test`) spends a short budget; `make fuzz` a long one (LOOKOUT_FUZZ_ITERATIONS,
/// LOOKOUT_FUZZ_SEED). Each batch prints its seed first, so a crash is reproduced by running that seed
/// again; the crashing input then goes into `regressions`.
struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = Int(environment["LOOKOUT_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(environment["LOOKOUT_FUZZ_SEED"] ?? "") ?? 0x10_0C_00_C0

    /// Inputs that once trapped or ran away (issue 11), kept so they never do again.
    static let regressions = [
        "a:" + String(repeating: "\t", count: 5000) + "b\n",
        "big: &big " + String(repeating: "x", count: 4096) + "\n" + (0..<64).map { "k\($0): *big" }.joined(separator: "\n"),
        "apiVersion: \"/\"\nkind: Pod\n",
        "x: &a [*a]\n",
        "- &a\n- *a\n- [*a, *a, {<<: *a}]\n",
    ]

    static let snippets = [
        "base: &b {image: nginx, ports: [80, 443]}\nweb:\n  <<: *b\n  name: web\n",
        "text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n",
        "%YAML 1.1\n---\n!!map {? a : b, c: !!str 1}\n...\n---\n- 'q''s'\n- \"\\u00e9\\x41\"\n",
        "list:\n- a\n-   - b\n    - c\n- {k: v}\n",
    ]

    static var corpus: [String] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubeconfigs")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.sorted().compactMap { try? String(contentsOfFile: folder.appendingPathComponent($0).path, encoding: .utf8) }
            + snippets
    }

    /// SplitMix64: small, fast and the same on every platform, so a seed means the same inputs everywhere.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let tokens: [[UInt8]] = [
        "&a ", "*a", "<<: ", "- ", ": ", "{", "}", "[", "]", "\t", "\n", "'", "\"", "|", ">-", "!!str ", "!!int ",
        "---\n", "...\n", "#", "? ", ",", "%TAG ! tag:x,2000:\n", "\\", "\u{FEFF}", "\r\n", "0x1F", "-.inf", "~",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ corpus: [[UInt8]], _ random: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: position)
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &random)))
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                let other = corpus.randomElement(using: &random)!
                let start = other.isEmpty ? 0 : Int.random(in: 0..<other.count, using: &random)
                bytes.insert(contentsOf: other[start..<min(other.count, start + 200)], at: position)
            }
        }
        return bytes
    }

    /// Everything a YAML input reaches: parsing, resolution to JSON, and the kubeconfig reader.
    static func exercise(_ text: String) {
        if let documents = try? YAML.parseDocuments(text) {
            for document in documents { _ = try? document.jsonData() }
        }
        _ = try? Kubeconfig.parse(text, file: "fuzz", baseDirectory: "/nonexistent")
    }

    @Test func regressionInputsAreHandled() {
        for input in Self.regressions { Self.exercise(input) }
    }

    @Test func mutatedKubeconfigsAndYAMLNeverTrap() throws {
        let corpus = Self.corpus.map { Array($0.utf8) }
        try #require(corpus.count >= 10, "the kubeconfig fixtures are missing")
        var random = Generator(state: Self.seed)
        print("FuzzTests: seed \(Self.seed), \(Self.iterations) iterations (LOOKOUT_FUZZ_SEED, LOOKOUT_FUZZ_ITERATIONS)")
        for _ in 0..<Self.iterations {
            let input = Self.mutate(corpus.randomElement(using: &random)!, corpus, &random)
            Self.exercise(String(decoding: input, as: UTF8.self))
        }
    }
}
