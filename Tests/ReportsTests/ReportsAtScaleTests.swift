import Audit
import ConsumerSupport
import Foundation
@testable import Reports
import Testing

/// A report shaped like the 10,000-pod benchmark cluster's (docs/benchmarks.md, "Reports at L"): every
/// control of the catalogue in several frameworks, each failing on `resources` Deployments.
enum LargeReport {
    static let frameworks = ["NSA", "MITRE", "ArmoBest", "cis-v1.12.0", "security"]

    static func make(controls count: Int = 40, resources: Int) -> ScanReport {
        var report = SampleReport.make()
        let template = report.findings[0]
        let entry = report.controls[0]
        report.summary.frameworks = frameworks.map { ScanReport.FrameworkSummary(name: $0, riskScore: 10, complianceScore: 90) }
        report.controls = Catalogue.controls.prefix(count).map { control in
            var copy = entry
            copy.id = control.id
            copy.name = control.name
            copy.severity = control.severity
            copy.baseScore = control.baseScore
            copy.frameworks = frameworks
            copy.status = .failed
            copy.skipReason = nil
            copy.failedResources = resources
            copy.allResources = resources
            return copy
        }
        report.findings = report.controls.flatMap { control in
            (0..<resources).map { index in
                var finding = template
                finding.controlID = control.id
                finding.severity = control.severity
                finding.resource.namespace = "bench-\(index % 100)"
                finding.resource.name = "app-\(index)"
                finding.message = "Deployment app-\(index) has containers that \(control.name.lowercased())"
                finding.evidence = ["spec.template.spec.containers[0].securityContext.runAsNonRoot is unset"]
                finding.fingerprint = Fingerprint.of(controlID: control.id, resource: finding.resource, evidence: finding.evidence)
                return finding
            }
        }
        return report
    }
}

@Suite struct SARIFLimitTests {
    static func log(_ data: Data) throws -> [String: Any] {
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((log["runs"] as? [[String: Any]])?.first)
    }

    /// 40 controls × 1,000 resources is 40,000 results: over GitHub's 25,000.
    @Test func keepsTheMostSevereResultsWithinGitHubsLimits() throws {
        let report = LargeReport.make(resources: 1_000)
        let rendering = try SARIFRenderer().rendering(report)
        #expect(rendering.outcome.totalResults == 40_000)
        #expect(rendering.outcome.droppedResults == 15_000)
        #expect(try Gzip.compress(rendering.data).count <= 10_000_000)
        let run = try Self.log(rendering.data)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 25_000)
        let severity = Dictionary(uniqueKeysWithValues: report.controls.map { ($0.id, $0.severity) })
        let kept = results.compactMap { ($0["ruleId"] as? String).flatMap { severity[$0] } }
        #expect(kept == kept.sorted(by: >), "most severe first")
        let dropped = Set(report.controls.map(\.id)).subtracting(results.compactMap { $0["ruleId"] as? String })
        #expect(dropped.allSatisfy { id in severity[id]! <= kept.last! }, "only the least severe are left out")
        let properties = try #require(run["properties"] as? [String: Any])
        #expect(properties["droppedResults"] as? Int == 15_000)
        #expect(properties["totalResults"] as? Int == 40_000)
        let notifications = ((run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
        #expect(notifications.contains { (($0["message"] as? [String: Any])?["text"] as? String)?.contains("15000 of 40000 results left out") == true })
    }

    /// The gzipped size is the other limit: with a small one the renderer drops results until the log
    /// fits, and the log still validates against the official schema.
    @Test func dropsResultsUntilTheGzippedLogFits() throws {
        var renderer = SARIFRenderer()
        renderer.gzippedLimit = 40_000
        let rendering = try renderer.rendering(LargeReport.make(controls: 6, resources: 200))
        #expect(rendering.outcome.droppedResults > 0)
        #expect(try Gzip.compress(rendering.data, level: .fastest).count <= 40_000)
        let run = try Self.log(rendering.data)
        #expect((run["results"] as? [Any])?.count == rendering.outcome.totalResults - rendering.outcome.droppedResults)
        let path = try SampleVariants.write(rendering.data, suffix: "sarif")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.sarif, file: path) else { return }
        #expect((summary["results"] as? [Any])?.count == rendering.outcome.totalResults - rendering.outcome.droppedResults)
    }

    @Test func saysNothingWhenEverythingFits() throws {
        let rendering = try SARIFRenderer().rendering(SampleReport.make())
        #expect(rendering.outcome.droppedResults == 0)
        #expect(rendering.outcome.note == nil)
        let properties = try #require(try Self.log(rendering.data)["properties"] as? [String: Any])
        #expect(properties["droppedResults"] == nil)
    }
}

@Suite struct JUnitAtScaleTests {
    /// A control in five frameworks lists its failing resources once: in the first suite that holds it.
    @Test func listsFailingResourcesOnceAcrossFrameworks() throws {
        let report = LargeReport.make(controls: 2, resources: 3)
        let xml = JUnitRenderer().render(report)
        #expect(xml.components(separatedBy: "Deployment bench-1/app-1:").count - 1 == 2, "once per control")
        let path = try SampleVariants.write(xml, suffix: "xml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.junit, file: path) else { return }
        let suites = try #require(summary["suites"] as? [[String: Any]])
        #expect(suites.count == LargeReport.frameworks.count)
        let first = try #require(suites.first?["failures"] as? [String: String])
        #expect(first.values.allSatisfy { $0.contains("Deployment bench-2/app-2:") })
        for suite in suites.dropFirst() {
            let failures = try #require(suite["failures"] as? [String: String])
            #expect(failures.count == 2, "every suite still fails the control")
            #expect(failures.values.allSatisfy { $0.hasPrefix("The failing resources are listed under testsuite NSA.") })
        }
    }

    /// 40 controls failing on 600 resources each (the L cluster's 24,000 findings) list them all; failing
    /// on 2,500 each (100,000 findings) they stop listing at the limit and say where the rest are.
    @Test func staysUnderTenMegabytesAtL() throws {
        let atL = JUnitRenderer().render(LargeReport.make(resources: 600))
        #expect(atL.utf8.count <= 10_000_000, "\(atL.utf8.count) bytes")
        #expect(!atL.contains("not listed"))
        let larger = JUnitRenderer().render(LargeReport.make(resources: 2_500))
        #expect(larger.utf8.count <= 10_000_000, "\(larger.utf8.count) bytes")
        let path = try SampleVariants.write(larger, suffix: "xml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.junit, file: path) else { return }
        let failures = (summary["suites"] as? [[String: Any]] ?? []).compactMap { $0["failures"] as? [String: String] }.flatMap(\.values)
        #expect(failures.count == 40 * LargeReport.frameworks.count, "every suite still fails every control")
        #expect(failures.contains { $0.hasPrefix("The failing resources are not listed: this file reached its size limit.") })
    }
}

@Suite struct HTMLAtScaleTests {
    /// 40 controls failing on 600 resources each: the 24,000 findings of the benchmark's L cluster.
    @Test func staysUnderFiveMegabytesAndLoadsWithoutRenderingEveryFinding() throws {
        let report = LargeReport.make(resources: 600)
        let html = HTMLRenderer().render(report)
        #expect(html.utf8.count <= 5_000_000, "\(html.utf8.count) bytes")
        let path = try SampleVariants.write(html, suffix: "html")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let page = try Consumer.check(.html, file: path) else { return }
        #expect((page["rows"] as? [String])?.count == 40)
        #expect((page["findings"] as? [String: String])?.isEmpty == true, "no finding is laid out on load")
        let control = report.controls[7]
        let opened = try #require(try Consumer.check(.html, file: path, fragment: "#finding-\(control.id)"))
        let texts = try #require(opened["findings"] as? [String: String])
        let expected = report.findings.filter { $0.controlID == control.id }
        #expect(texts.count == expected.count)
        let sample = try #require(expected.last)
        #expect(texts[sample.fingerprint] == sample.resource.displayName + sample.message + sample.evidence.joined())
    }
}

@Suite struct JSONStreamTests {
    static func streamed(_ report: ScanReport) throws -> (data: Data, largestPiece: Int) {
        var data = Data()
        var largest = 0
        try report.writeJSON { piece in
            data.append(piece)
            largest = max(largest, piece.count)
        }
        return (data, largest)
    }

    @Test(arguments: [0, 1, 2, 600])
    func streamsTheSameBytesAsTheWholeEncoding(resources: Int) throws {
        var report = LargeReport.make(controls: 3, resources: resources)
        if resources == 0 { report.findings = [] }
        #expect(try Self.streamed(report).data == report.jsonData())
    }

    @Test func sampleWithBaselineAndHostileTextIsIdentical() throws {
        let report = SampleVariants.withBaselineAndHostileText()
        #expect(try Self.streamed(report).data == report.jsonData())
    }

    /// The splice point of the findings is found wherever it is, also in a slice of other data.
    @Test func findsTheFirstOccurrenceInPlace() {
        let data = Data("xxabcabd abd".utf8)
        #expect(ScanReport.firstRange(of: Array("abd".utf8), in: data) == 5..<8)
        #expect(ScanReport.firstRange(of: Array("xx".utf8), in: data) == 0..<2)
        #expect(ScanReport.firstRange(of: Array(" abd".utf8), in: data) == 8..<12)
        #expect(ScanReport.firstRange(of: Array("abe".utf8), in: data) == nil)
        #expect(ScanReport.firstRange(of: Array("xxabcabd abd!".utf8), in: data) == nil)
        let slice = data[2...]
        #expect(ScanReport.firstRange(of: Array("abd".utf8), in: slice) == 5..<8)
        #expect(ScanReport.firstRange(of: Array("xx".utf8), in: slice) == nil)
    }

    /// 24,000 findings (a 10 MB document) go out in pieces of a few hundred kilobytes at most.
    @Test func neverHoldsTheWholeDocument() throws {
        let report = LargeReport.make(resources: 600)
        let (data, largest) = try Self.streamed(report)
        #expect(data.count > 5_000_000)
        #expect(largest < 400_000, "\(largest) bytes at once")
    }
}

/// The streamed formats escape JSON strings by hand: byte for byte as `JSONEncoder`, or the reports'
/// bytes would change.
@Suite struct ReportOutputTests {
    static let hostile = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        + ["é", "€", "😀", "\u{2028}", "\u{FFFE}", "e\u{301}", "\r\n", "</script>", "a\\\"b", ""]

    @Test(arguments: [false, true]) func escapesStringsAsTheEncoder(inScript: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = inScript ? [] : [.withoutEscapingSlashes]
        for text in Self.hostile + [Self.hostile.joined()] {
            var expected = String(decoding: try encoder.encode([text]), as: UTF8.self).dropFirst().dropLast()
            if inScript { expected = Substring(expected.replacing("<", with: "\\u003c")) }
            let written = String(decoding: ReportOutput.collected { $0.jsonString(text, inScript: inScript) }, as: UTF8.self)
            #expect(written == expected, "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func escapesMarkupAsBefore() {
        for text in Self.hostile + [Self.hostile.joined()] {
            var expected = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": expected += "&amp;"
                case "<": expected += "&lt;"
                case ">": expected += "&gt;"
                case "\"": expected += "&quot;"
                case "'": expected += "&#39;"
                case _ where Markup.isForbidden(scalar): expected += "\u{FFFD}"
                default: expected.unicodeScalars.append(scalar)
                }
            }
            #expect(Markup.escape(text) == expected, "\(text.unicodeScalars.map(\.value))")
        }
    }

    /// The HTML data's messages hold their resource as placeholders; matching bytes instead of
    /// Characters must find the same occurrences.
    @Test func templatesAsStringReplacing() {
        let cases = [
            ("Pod a/web has web in it: web", "web"), ("x\r\nweb\r", "\r"), ("cafe\u{301} cafe", "cafe"),
            ("aaaa", "aa"), ("no match", "zz"), ("\u{1}web", "web"),
        ]
        for (text, value) in cases {
            #expect(HTMLRenderer.FindingData.template(text, value, "\u{2}") == text.replacing(value, with: "\u{2}"), "\(text)")
        }
    }
}

/// SARIF, JUnit and HTML stream as the JSON report does: 24,000 findings go out in pieces, the same
/// bytes as the whole document.
@Suite struct FormatStreamTests {
    static func streamed(_ write: ((Data) throws -> Void) throws -> Void) rethrows -> (data: Data, largestPiece: Int) {
        var data = Data()
        var largest = 0
        try write { piece in
            data.append(piece)
            largest = max(largest, piece.count)
        }
        return (data, largest)
    }

    @Test func sarifJUnitAndHTMLNeverHoldTheWholeDocument() throws {
        let report = LargeReport.make(resources: 600)
        let sarif = try Self.streamed { _ = try SARIFRenderer().write(report, to: $0) }
        let junit = try Self.streamed { try JUnitRenderer().write(report, to: $0) }
        let html = try Self.streamed { try HTMLRenderer().write(report, to: $0) }
        #expect(sarif.data == (try SARIFRenderer().render(report)))
        #expect(junit.data == Data(JUnitRenderer().render(report).utf8))
        #expect(html.data == Data(HTMLRenderer().render(report).utf8))
        for (name, output) in [("SARIF", sarif), ("JUnit", junit), ("HTML", html)] {
            #expect(output.data.count > 1_000_000, "\(name)")
            #expect(output.largestPiece < 200_000, "\(name): \(output.largestPiece) bytes at once")
        }
    }
}
