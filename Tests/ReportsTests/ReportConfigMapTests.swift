import Audit
import Foundation
import Inventory
@testable import Reports
import Testing

@Suite struct GzipTests {
    @Test func roundTripsAndIsReadableByGzip() throws {
        let text = Data(String(repeating: "lookout report line\n", count: 5000).utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.count < text.count / 20)
        #expect(compressed.prefix(2) == Data([0x1f, 0x8b]), "a gzip member starts with the magic bytes")
        #expect(try Gzip.decompress(compressed) == text)

        // The system's gzip reads what Gzip writes, so `base64 -d | gunzip` works on the ConfigMap.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-gzip-\(UUID().uuidString).gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try compressed.write(to: URL(fileURLWithPath: path))
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", path]
        let output = Pipe()
        gunzip.standardOutput = output
        try gunzip.run()
        let decoded = output.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        #expect(decoded == text)
    }

    @Test func emptyInputRoundTrips() throws {
        #expect(try Gzip.decompress(try Gzip.compress(Data())) == Data())
    }

    @Test func rejectsTruncatedCorruptAndOversizedInput() throws {
        let compressed = try Gzip.compress(Data(repeating: 7, count: 100_000))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(compressed.prefix(compressed.count / 2)) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Data("not gzip at all".utf8)) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Data()) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(compressed, limit: 50_000) }
    }
}

@Suite struct ReportConfigMapTests {
    @Test func storesTheSummaryAndTheWholeReportWhenItFits() throws {
        let report = SampleReport.make()
        let contents = try ReportConfigMap.contents(for: report)
        #expect(contents.size <= ReportConfigMap.sizeLimit)
        #expect(contents.data.keys.sorted() == [ReportConfigMap.noteKey, ReportConfigMap.summaryKey])
        #expect(contents.data[ReportConfigMap.noteKey] == .some(nil), "an old note is removed")
        let summaryText = try #require(contents.data[ReportConfigMap.summaryKey] ?? nil)
        let summary = try JSONDecoder().decode(ReportDigest.self, from: Data(summaryText.utf8))
        #expect(summary.failedControls.map(\.id) == ["C-0057", "C-0054"])
        #expect(summary.summary.controls.skipped == 1)

        let stored = try #require(contents.binaryData[ReportConfigMap.reportKey] ?? nil)
        let restored = try #require(try ReportConfigMap.report(from: [ReportConfigMap.reportKey: stored]))
        #expect(try restored.jsonData() == report.jsonData())
    }

    @Test func dropsFindingDetailsThenTheReportToStayUnderTheLimit() throws {
        var report = SampleReport.make()
        let template = try #require(report.findings.first)
        // Evidence unique to each finding, so that it does not compress away.
        report.findings = (0..<400).map { index in
            var finding = template
            finding.resource.name = "web-\(index)"
            finding.evidence = (0..<8).map { "spec.containers[\($0)].image=\(UUID().uuidString)" }
            finding.fingerprint = String(index)
            return finding
        }
        let full = try ReportConfigMap.contents(for: report)
        let fullSize = full.size

        let trimmed = try ReportConfigMap.contents(for: report, limit: fullSize - 1)
        #expect(trimmed.size < fullSize)
        #expect((trimmed.data[ReportConfigMap.noteKey] ?? nil)?.contains("without evidence") == true)
        let trimmedReport = try #require(trimmed.binaryData[ReportConfigMap.reportKey] ?? nil)
        let restored = try #require(try ReportConfigMap.report(from: [ReportConfigMap.reportKey: trimmedReport]))
        #expect(restored.findings.map(\.fingerprint) == report.findings.map(\.fingerprint), "the baseline still matches findings")
        #expect(restored.findings.allSatisfy { $0.evidence.isEmpty })

        let summaryOnly = try ReportConfigMap.contents(for: report, limit: 4096)
        #expect(summaryOnly.binaryData[ReportConfigMap.reportKey] == .some(nil), "a stale report is removed")
        #expect((summaryOnly.data[ReportConfigMap.noteKey] ?? nil)?.contains("only the summary") == true)
        #expect(summaryOnly.size <= 4096)
    }

    /// The summary's size depends on the catalogue, not on the cluster: every control failing on
    /// thousands of resources still gives a few kilobytes.
    @Test func summaryStaysSmallWhateverTheClusterSize() throws {
        var report = SampleReport.make()
        let template = try #require(report.controls.first)
        report.controls = Catalogue.controls.map { control in
            var entry = template
            entry.id = control.id
            entry.name = control.name
            entry.status = .failed
            entry.failedResources = 100_000
            return entry
        }
        let summary = try JSONEncoder().encode(ReportDigest(report))
        #expect(summary.count < 64 * 1024, "\(summary.count) bytes")
    }

    /// Issue 11 defect 15: a stored report could inflate to 256 MiB before decoding.
    @Test func aStoredGzipBombIsRefusedEarly() throws {
        let bomb = try Gzip.compress(Data(count: ReportConfigMap.storedReportLimit + 1))
        #expect(bomb.count < ReportConfigMap.sizeLimit)
        #expect(throws: Gzip.Failure.self) { try ReportConfigMap.report(from: [ReportConfigMap.reportKey: bomb]) }
    }

    @Test func noStoredReportMeansNoBaseline() throws {
        #expect(try ReportConfigMap.report(from: [:]) == nil)
        #expect(throws: (any Error).self) { try ReportConfigMap.report(from: [ReportConfigMap.reportKey: Data("garbage".utf8)]) }
    }
}
