import Audit
import FoundationEssentials

/// What the next run needs of a scan to compare with it, for when even the report without finding
/// details is too large for the report ConfigMap: each finding's control, resource, fingerprint and
/// status, every control and resource written once. The fingerprints are most of it: 60,000 findings fit
/// in the ConfigMap (the 10,000-pod benchmark cluster has 24,145).
struct CompactBaseline: Codable, Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `[control index, resource index, fingerprint, 1 when an exception accepted it]`.
    struct Row: Codable, Sendable {
        var control: Int
        var resource: Int
        var fingerprint: String
        var excepted: Bool

        init(control: Int, resource: Int, fingerprint: String, excepted: Bool) {
            (self.control, self.resource, self.fingerprint, self.excepted) = (control, resource, fingerprint, excepted)
        }

        init(from decoder: any Decoder) throws {
            var row = try decoder.unkeyedContainer()
            control = try row.decode(Int.self)
            resource = try row.decode(Int.self)
            fingerprint = try row.decode(String.self)
            excepted = try row.decode(Int.self) != 0
        }

        func encode(to encoder: any Encoder) throws {
            var row = encoder.unkeyedContainer()
            try row.encode(control)
            try row.encode(resource)
            try row.encode(fingerprint)
            try row.encode(excepted ? 1 : 0)
        }
    }

    var scannedAt: String
    /// `[id, severity]`.
    var controls: [[String]]
    /// `[apiVersion, kind, namespace or "", name]`.
    var resources: [[String]]
    var findings: [Row]

    init(_ report: ScanReport) {
        scannedAt = report.scannedAt
        var controlIndex: [String: Int] = [:]
        var resourceIndex: [[String]: Int] = [:]
        var controls: [[String]] = []
        var resources: [[String]] = []
        findings = report.findings.map { finding in
            let control = controlIndex[finding.controlID] ?? {
                controls.append([finding.controlID, finding.severity.rawValue])
                controlIndex[finding.controlID] = controls.count - 1
                return controls.count - 1
            }()
            let ref = finding.resource
            let key = [ref.apiVersion, ref.kind, ref.namespace ?? "", ref.name]
            let resource = resourceIndex[key] ?? {
                resources.append(key)
                resourceIndex[key] = resources.count - 1
                return resources.count - 1
            }()
            return Row(control: control, resource: resource, fingerprint: finding.fingerprint, excepted: finding.status != "failed")
        }
        self.controls = controls
        self.resources = resources
    }

    /// The findings as a report to compare with: `digest` (the ConfigMap's summary) gives the scan's
    /// facts; findings have no message, evidence or remediation, which a comparison does not use.
    /// A ConfigMap anyone with write access could have replaced: every index is checked.
    func report(digest: ReportDigest) throws(Failure) -> ScanReport {
        var entries: [ScanReport.FindingEntry] = []
        entries.reserveCapacity(findings.count)
        for row in findings {
            guard controls.indices.contains(row.control), controls[row.control].count == 2,
                  let severity = Severity(rawValue: controls[row.control][1]),
                  resources.indices.contains(row.resource), resources[row.resource].count == 4
            else { throw Failure(description: "the compact baseline names a control or resource it does not hold") }
            let resource = resources[row.resource]
            entries.append(ScanReport.FindingEntry(
                controlID: controls[row.control][0], status: row.excepted ? "excepted" : "failed", exception: nil,
                severity: severity,
                resource: ResourceRef(apiVersion: resource[0], kind: resource[1], namespace: resource[2].isEmpty ? nil : resource[2], name: resource[3]),
                related: [], message: Self.noMessage, evidence: [], remediation: "", fingerprint: row.fingerprint, baseline: nil))
        }
        return ScanReport(
            tool: digest.tool, cluster: digest.cluster, scannedAt: scannedAt,
            scope: ScanReport.Scope(excludedNamespaces: [], includedNamespaces: []), summary: digest.summary,
            controls: [], findings: entries, errors: digest.errors)
    }

    /// What a resolved finding of a compact baseline says instead of its message.
    static let noMessage = "(message not kept: the stored baseline was compact)"

    func gzipped() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try Gzip.compress(try encoder.encode(self))
    }

    static func decode(_ compressed: Data) throws -> CompactBaseline {
        try JSONDecoder().decode(CompactBaseline.self, from: try Gzip.decompress(compressed, limit: ReportConfigMap.storedReportLimit))
    }
}
