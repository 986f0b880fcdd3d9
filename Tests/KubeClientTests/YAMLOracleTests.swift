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

    private func compareWithPyYAML(_ streams: [String], names: [String]) throws {
        let outcomes = try PyYAMLOracle.load(streams)
        try #require(outcomes.count == streams.count)
        for (index, outcome) in outcomes.enumerated() {
            let stream = streams[index]
            let name = names[index]
            guard case .documents(let expected) = outcome else {
                if case .error(let message) = outcome {
                    Issue.record("PyYAML rejects \(name): \(message)\n--- input ---\n\(stream)")
                }
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
