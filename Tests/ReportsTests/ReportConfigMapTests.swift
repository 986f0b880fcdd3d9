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

/// A 10,000-pod cluster's scan must leave the next run a baseline: when neither report fits the
/// ConfigMap, the compact baseline does.
@Suite struct CompactBaselineTests {
    /// 40 controls failing on 1,500 Deployments each: 60,000 findings, well over the 24,145 of the
    /// benchmark's L cluster, whose trimmed report does not fit.
    @Test func fitsAtScaleAndComparesLikeTheReport() throws {
        let report = LargeReport.make(resources: 1_500)
        let contents = try ReportConfigMap.contents(for: report)
        #expect(contents.size <= ReportConfigMap.sizeLimit, "\(contents.size) bytes")
        #expect(contents.binaryData[ReportConfigMap.reportKey] == .some(nil), "no report: it does not fit")
        let compact = try #require(contents.binaryData[ReportConfigMap.baselineKey] ?? nil)
        #expect((contents.data[ReportConfigMap.noteKey] ?? nil)?.contains("compact baseline") == true)

        let data = contents.data.compactMapValues { $0 }
        let stored = try #require(try ReportConfigMap.report(from: [ReportConfigMap.baselineKey: compact], data: data))
        #expect(stored.findings.map(\.fingerprint) == report.findings.map(\.fingerprint))
        #expect(stored.scannedAt == report.scannedAt)

        // The next scan: one finding fixed, one new.
        var next = report
        let fixed = next.findings.removeFirst()
        var added = next.findings[0]
        added.resource.name = "app-new"
        added.fingerprint = "00000000000000aa"
        next.findings.append(added)
        let compared = next.compared(with: stored, source: "configmap/lookout/lookout-report")
        let full = next.compared(with: report, source: "configmap/lookout/lookout-report")
        #expect(compared.baseline?.new == 1)
        #expect(compared.baseline?.unchanged == full.baseline?.unchanged)
        #expect(compared.baseline?.resolved.map(\.fingerprint) == [fixed.fingerprint])
        #expect(compared.baseline?.resolved.first?.resource == fixed.resource)
        #expect(compared.baseline?.resolved.first?.message == CompactBaseline.noMessage)
    }

    @Test func aReportWhenOneFitsRemovesAStaleCompactBaseline() throws {
        let contents = try ReportConfigMap.contents(for: SampleReport.make())
        #expect(contents.binaryData[ReportConfigMap.baselineKey] == .some(nil))
        #expect((contents.binaryData[ReportConfigMap.reportKey] ?? nil) != nil)
    }

    /// Anyone who may write the ConfigMap could store anything: indexes out of range, a baseline
    /// without its summary and garbage are errors, never traps.
    @Test func rejectsHostileContent() throws {
        let digest = String(decoding: try JSONEncoder().encode(ReportDigest(SampleReport.make())), as: UTF8.self)
        let data = [ReportConfigMap.summaryKey: digest]
        for json in [
            #"{"scannedAt":"x","controls":[["C-0057","high"]],"resources":[],"findings":[[0,5,"ab",0]]}"#,
            #"{"scannedAt":"x","controls":[["C-0057","urgent"]],"resources":[["v1","Pod","","p"]],"findings":[[0,0,"ab",0]]}"#,
            #"{"scannedAt":"x","controls":[["C-0057"]],"resources":[["v1","Pod","","p"]],"findings":[[0,0,"ab",0]]}"#,
            #"{"scannedAt":"x","controls":[],"resources":[],"findings":[[-1,0,"ab",0]]}"#,
        ] {
            let compressed = try Gzip.compress(Data(json.utf8))
            #expect(throws: (any Error).self, "\(json)") { try ReportConfigMap.report(from: [ReportConfigMap.baselineKey: compressed], data: data) }
        }
        let valid = try Gzip.compress(Data(#"{"scannedAt":"x","controls":[],"resources":[],"findings":[]}"#.utf8))
        #expect(throws: (any Error).self) { try ReportConfigMap.report(from: [ReportConfigMap.baselineKey: valid]) }
        #expect(try ReportConfigMap.report(from: [ReportConfigMap.baselineKey: valid], data: data)?.findings.isEmpty == true)
    }
}
