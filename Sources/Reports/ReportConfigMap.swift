import Audit
import FoundationEssentials
import Inventory

/// A few hundred bytes that say how a scan went: what `kubectl get configmap` readers, the JSON log
/// line and alerting need, without the findings. Its size depends on the catalogue, never on the
/// cluster, so it always fits in the report ConfigMap.
public struct ReportDigest: Codable, Sendable {
    public struct FailedControl: Codable, Sendable {
        public var id: String
        public var name: String
        public var severity: Severity
        public var failedResources: Int
    }
    public struct BaselineCounts: Codable, Sendable {
        public var new: Int
        public var unchanged: Int
        public var resolved: Int
    }

    public var scannedAt: String
    public var tool: ScanReport.Tool
    public var cluster: ScanReport.Cluster
    public var summary: ScanReport.Summary
    /// Most severe first.
    public var failedControls: [FailedControl]
    /// Kinds that could not be read (one per resource kind at most).
    public var errors: [CollectionError]
    public var baseline: BaselineCounts?

    public init(_ report: ScanReport) {
        scannedAt = report.scannedAt
        tool = report.tool
        cluster = report.cluster
        summary = report.summary
        failedControls = report.controlsBySeverity.filter { $0.status == .failed }.map {
            FailedControl(id: $0.id, name: $0.name, severity: $0.severity, failedResources: $0.failedResources)
        }
        errors = report.errors
        baseline = report.baseline.map { BaselineCounts(new: $0.new, unchanged: $0.unchanged, resolved: $0.resolved.count) }
    }
}

/// The latest scan, kept in a ConfigMap in Lookout's own namespace so that the next run can compare
/// with it and people can read it with kubectl: `summary.json` in `data`, the whole JSON report
/// gzip-compressed in `binaryData`.
public enum ReportConfigMap {
    public static let summaryKey = "summary.json"
    public static let reportKey = "report.json.gz"
    /// The compact baseline, stored instead of the report when even the report without finding details
    /// does not fit.
    public static let baselineKey = "baseline.json.gz"
    /// Set when the report had to be shortened or left out to fit; removed when it fits again.
    public static let noteKey = "report-note"
    public static let labels = ["app.kubernetes.io/name": "lookout", "app.kubernetes.io/component": "report"]

    /// The API server refuses a ConfigMap whose data and binaryData hold more than 1 MiB together.
    public static let sizeLimit = 1 << 20

    /// The keys to set on the ConfigMap; a nil value removes a key left by an earlier run.
    public struct Contents: Sendable {
        public var data: [String: String?]
        public var binaryData: [String: Data?]

        /// What the API server counts against `sizeLimit`: every value, binary ones decoded.
        public var size: Int {
            data.values.reduce(0) { $0 + ($1?.utf8.count ?? 0) } + binaryData.values.reduce(0) { $0 + ($1?.count ?? 0) }
        }
    }

    /// The summary, and the report as large as fits: whole; else without the evidence, related objects
    /// and remediation text (the next run's baseline needs only the findings' identities); else a compact
    /// baseline (each finding's control, resource, fingerprint and status); else left out, with a note
    /// saying why.
    public static func contents(for report: ScanReport, limit: Int = sizeLimit) throws -> Contents {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let summary = String(decoding: try encoder.encode(ReportDigest(report)), as: UTF8.self) + "\n"
        var contents = Contents(data: [summaryKey: summary, noteKey: nil], binaryData: [reportKey: nil, baselineKey: nil])

        let full = try Gzip.compress(try report.jsonData())
        contents.binaryData[reportKey] = full
        if contents.size <= limit { return contents }

        let trimmed = try Gzip.compress(try report.withoutFindingDetails.jsonData())
        contents.binaryData[reportKey] = trimmed
        contents.data[noteKey] = "The full report compresses to \(full.count) bytes, over the ConfigMap limit of \(limit): "
            + "its findings were stored without evidence, related objects and remediation. Use --output for the full report."
        if contents.size <= limit { return contents }

        let compact = try CompactBaseline(report).gzipped()
        contents.binaryData[reportKey] = .some(nil)
        contents.binaryData[baselineKey] = compact
        contents.data[noteKey] = "The report compresses to \(trimmed.count) bytes even without finding details, over the "
            + "ConfigMap limit of \(limit): only the summary and a compact baseline (each finding's control, resource and "
            + "fingerprint) are stored, so resolved findings have no message. Use --output for the report."
        if contents.size <= limit { return contents }

        contents.binaryData[baselineKey] = .some(nil)
        contents.data[noteKey] = "The report compresses to \(trimmed.count) bytes even without finding details, and its compact "
            + "baseline to \(compact.count), over the ConfigMap limit of \(limit): only the summary is stored, and the next run "
            + "has no baseline. Use --output for the report."
        return contents
    }

    /// The most a stored report may inflate to. What fits the 1 MiB ConfigMap compresses some 10–20
    /// times; anyone who may write the ConfigMap could store a gzip bomb instead.
    public static let storedReportLimit = 32 << 20

    /// The report stored by an earlier run, or its compact baseline as a report without finding
    /// details; nil when there is none yet (the ConfigMap is new or nothing fitted).
    public static func report(from binaryData: [String: Data], data: [String: String] = [:]) throws -> ScanReport? {
        if let compressed = binaryData[reportKey] {
            return try ScanReport.decode(try Gzip.decompress(compressed, limit: storedReportLimit))
        }
        guard let compressed = binaryData[baselineKey] else { return nil }
        guard let summary = data[summaryKey] else {
            throw CompactBaseline.Failure(description: "the ConfigMap holds a compact baseline but no \(summaryKey)")
        }
        let digest = try JSONDecoder().decode(ReportDigest.self, from: Data(summary.utf8))
        return try CompactBaseline.decode(compressed).report(digest: digest)
    }
}

extension ScanReport {
    /// This report with each finding reduced to what identifies it.
    var withoutFindingDetails: ScanReport {
        var report = self
        for index in report.findings.indices {
            report.findings[index].evidence = []
            report.findings[index].related = []
            report.findings[index].remediation = ""
        }
        return report
    }
}
