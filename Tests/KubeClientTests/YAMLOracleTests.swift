import Foundation
import FuzzSupport
import Testing
@testable import Documents

/// Compares Lookout's reader with PyYAML (`yaml.safe_load_all`) on real-world kubeconfigs and on
/// generated documents. Needs python3 with PyYAML; without it the suite is skipped, except when
/// CI=true, where it fails.
@Suite("YAML compared with PyYAML", .enabled("needs python3 with PyYAML (required when CI=true)") { PyYAMLOracle.shouldRun })
struct YAMLOracleTests {
    static let generatedStreamCount = 300

    static func generatedStreams() -> [String] {
        var generator = YAMLDocumentGenerator(seed: 20_240_601)
        return (0..<generatedStreamCount).map { _ in generator.stream() }
    }

    @Test func kubeconfigCorpusMatchesPyYAML() throws {
        guard PyYAMLOracle.confirmAvailable() else { return }
        let files = try KubeconfigCorpus.files()
        try #require(files.count >= 15)
        try compareWithPyYAML(try files.map(KubeconfigCorpus.text), names: files.map(\.lastPathComponent))
    }

    @Test func generatedDocumentsMatchPyYAML() throws {
        guard PyYAMLOracle.confirmAvailable() else { return }
        let streams = Self.generatedStreams()
        try compareWithPyYAML(streams, names: streams.indices.map { "generated stream #\($0)" })
    }

    /// The differential fuzzer: valid streams (generated and kubeconfigs) mutated a little, read by both.
    /// Both must accept with the same value, or both reject; `deliberateDivergence` lists where
    /// Lookout differs on purpose. LOOKOUT_FUZZ_ITERATIONS and LOOKOUT_FUZZ_SEED choose the run, as for
    /// FuzzTests; PyYAML reads the whole batch in one process.
    @Test func mutatedDocumentsAgreeWithPyYAML() throws {
        guard PyYAMLOracle.confirmAvailable() else { return }
        let environment = ProcessInfo.processInfo.environment
        let count = (Int(environment["LOOKOUT_FUZZ_ITERATIONS"] ?? "") ?? 3000) / 3
        let seed = UInt64(environment["LOOKOUT_FUZZ_SEED"] ?? "") ?? 0x10_0C_00_C0
        let seeds = try (Self.generatedStreams() + KubeconfigCorpus.files().map(KubeconfigCorpus.text)).map { Array($0.utf8) }
        var random = SeededRandom(seed: seed)
        print("PyYAML differential: seed \(seed), \(count) mutated streams (LOOKOUT_FUZZ_SEED, LOOKOUT_FUZZ_ITERATIONS)")
        let streams = (0..<count).map { _ in
            String(decoding: ByteMutator.mutate(random.pick(seeds), splicingFrom: seeds, maxSteps: 2, &random), as: UTF8.self)
        }
        let outcomes = try PyYAMLOracle.load(streams)
        try #require(outcomes.count == streams.count)
        var disagreements: [String] = []
        var agreedValues = 0
        var deliberate: [String: Int] = [:]
        for (stream, outcome) in zip(streams, outcomes) {
            var ourError: YAMLError?
            let ours: String?
            do {
                ours = try YAML.parseDocuments(stream).map { canonical($0.resolved()) }.joined(separator: "\n")
            } catch {
                (ours, ourError) = (nil, error)
            }
            let theirs: String?
            switch outcome {
            case .documents(let values): theirs = values.map(canonical).joined(separator: "\n")
            case .error: theirs = nil
            case .crash(let message):
                deliberate["PyYAML gives no verdict: " + message.prefix { $0 != ":" }, default: 0] += 1
                continue
            }
            if ours == theirs {
                if ours != nil { agreedValues += 1 }
                continue
            }
            if let reason = YAMLDivergence.reason(lookout: ourError, pyYAML: outcome) {
                deliberate[reason, default: 0] += 1
                continue
            }
            let verdict = switch (ours, theirs) {
            case (nil, _): "Lookout rejects what PyYAML reads"
            case (_, nil): "Lookout reads what PyYAML rejects"
            default: "the values differ"
            }
            disagreements.append("\(verdict)\n--- input ---\n\(stream)\n--- Lookout ---\n\(ours ?? "\(ourError.map(String.init(describing:)) ?? "")")\n--- PyYAML ---\n\(theirs ?? "\(outcome)")")
        }
        print("PyYAML differential: \(agreedValues) read alike, deliberate divergences: \(deliberate.sorted { $0.key < $1.key })")
        for disagreement in disagreements.prefix(5) { Issue.record(Comment(rawValue: disagreement)) }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(count) mutated streams read differently")
        // Mutations that break every stream would compare nothing but errors.
        #expect(agreedValues > count / 5, "only \(agreedValues) of \(count) mutated streams were read by both")
    }

    /// Each deliberate divergence, with the refusing reader's message, so that one PyYAML or Lookout
    /// drops is dropped from the list too.
    @Test func deliberateDivergencesStillHold() throws {
        guard PyYAMLOracle.confirmAvailable() else { return }
        let examples = ["a:\tb\n", "- &x 1\n- &x 2\n", "a: !!bo yes\n", "[Tru? e]\n", "{a: Tru? e}\n", "a: !!float '1.: 5'\n"]
        let outcomes = try PyYAMLOracle.load(examples)
        for (example, outcome) in zip(examples, outcomes) {
            var lookout: YAMLError?
            do { _ = try YAML.parseDocuments(example) } catch { lookout = error }
            #expect(YAMLDivergence.reason(lookout: lookout, pyYAML: outcome) != nil,
                    "\(String(reflecting: example)) no longer divides the readers: Lookout \(lookout.map { "\($0)" } ?? "reads it"), PyYAML \(outcome)")
        }
    }

    private func compareWithPyYAML(_ streams: [String], names: [String]) throws {
        let outcomes = try PyYAMLOracle.load(streams)
        try #require(outcomes.count == streams.count)
        for (index, outcome) in outcomes.enumerated() {
            let stream = streams[index]
            let name = names[index]
            guard case .documents(let expected) = outcome else {
                Issue.record("PyYAML does not read \(name): \(outcome)\n--- input ---\n\(stream)")
                continue
            }
            let actual: [YAMLValue]
            do {
                actual = try YAML.parseDocuments(stream, file: name).map { $0.resolved() }
            } catch {
                Issue.record("Lookout rejects what PyYAML reads: \(error)\n--- input ---\n\(stream)")
                continue
            }
            let actualText = actual.map(canonical).joined(separator: "\n")
            let expectedText = expected.map(canonical).joined(separator: "\n")
            #expect(actualText == expectedText, "\(name) differs from PyYAML\n--- input ---\n\(stream)")
        }
    }
}

@Suite("YAML document generator")
struct YAMLDocumentGeneratorTests {
    /// The oracle comparison is only as good as the variety of what is generated.
    @Test func generatedStreamsCoverEveryFeature() {
        let streams = YAMLOracleTests.generatedStreams()
        let features: [(String, String)] = [
            ("anchor", " &a"), ("alias", "*a"), ("merge key", "<<: *a"), ("merge list", "<<: [*a"),
            ("literal block", ": |"), ("folded block", ": >"), ("strip chomping", "|-"), ("keep chomping", ">+"),
            ("indentation indicator", "|2"), ("flow mapping", "{"), ("flow sequence", "["),
            ("multi-line flow", "[\n"), ("comment", "# "), ("single quote escape", "''"),
            ("double quote escapes", "\\u00e9"), ("32-bit escape", "\\U0001F600"), ("escaped line break", "\\\n"),
            ("core tag", "!!int"), ("verbatim tag", "!<tag:"), ("%TAG", "%TAG"), ("%YAML", "%YAML"),
            ("document start", "---"), ("document end", "...\n"), ("explicit key", "? "),
            ("indentless sequence", ":\n- "), ("compact mapping", "- name"), ("JSON", "\":"),
        ]
        for (feature, marker) in features {
            let count = streams.filter { $0.contains(marker) }.count
            #expect(count >= 3, "only \(count) generated streams use \(feature) (\(String(reflecting: marker)))")
        }
        #expect(streams.filter { (try? YAML.parseDocuments($0).count) ?? 0 > 1 }.count > 50)
    }

    @Test func sameSeedSameStreams() {
        #expect(YAMLOracleTests.generatedStreams() == YAMLOracleTests.generatedStreams())
    }
}

/// Where Lookout and PyYAML part on purpose (docs/security.md lists the same), told apart by the
/// refusing reader's own message.
enum YAMLDivergence {
    /// Lookout reads, PyYAML refuses (by PyYAML's message): YAML 1.2 and go-yaml, so kubectl, read these.
    static let readByLookoutOnly: [(message: String, reason: String)] = [
        // A tab separating tokens or before a comment is whitespace in YAML 1.2; PyYAML (YAML 1.1) refuses it.
        ("found character '\\t' that cannot start any token", "tab as separating whitespace"),
        // YAML lets an anchor be defined again; an alias then means the latest node with that name.
        ("found duplicate anchor", "anchor defined again"),
        // Tags without a type here keep the text (YAMLScalar.resolve); PyYAML's SafeLoader refuses them.
        ("could not determine a constructor for the tag", "unknown tag keeps the text"),
        // `?` followed by a space inside a flow plain scalar (`[Tru? e]`) is text in YAML 1.2.
        ("expected ',' or ']', but got '?'", "? inside a flow plain scalar"),
        ("expected ',' or '}', but got '?'", "? inside a flow plain scalar"),
    ]

    /// PyYAML reads, Lookout refuses (by Lookout's message).
    static let readByPyYAMLOnly: [(message: String, reason: String)] = [
        // `!!float '1.: 5'`: PyYAML hands the text to Python's float()/int() (65.0); Lookout wants YAML's syntax.
        ("is not a valid value for the tag", "explicit !!int/!!float on text only Python's int()/float() take"),
    ]

    static func reason(lookout: YAMLError?, pyYAML: PyYAMLOracle.Outcome) -> String? {
        switch (lookout, pyYAML) {
        case (nil, .error(let message)): readByLookoutOnly.first { message.contains($0.message) }?.reason
        case (let error?, .documents): readByPyYAMLOnly.first { error.message.contains($0.message) }?.reason
        default: nil
        }
    }
}
