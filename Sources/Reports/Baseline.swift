import Audit

/// Whether a finding was already in the baseline report.
public enum BaselineState: String, Codable, Sendable {
    case new, unchanged
}

/// The comparison of a report with an earlier one, matched by finding fingerprint.
public struct BaselineComparison: Codable, Sendable {
    /// A finding of the baseline that the new scan no longer has.
    public struct ResolvedFinding: Codable, Sendable {
        public var controlID: String
        public var severity: Severity
        public var resource: ResourceRef
        public var message: String
        public var fingerprint: String
    }

    /// Where the baseline came from, as the user named it.
    public var source: String
    /// When the baseline scan ran.
    public var scannedAt: String
    public var new: Int
    public var unchanged: Int
    public var resolved: [ResolvedFinding]
}

extension ScanReport {
    /// This report with every finding marked new or unchanged against `baseline`, and the baseline's
    /// findings that are gone listed as resolved.
    ///
    /// A baseline finding only counts as resolved when its control was evaluated again: a control that
    /// was skipped or not selected this time says nothing about it.
    public func compared(with baseline: ScanReport, source: String) -> ScanReport {
        var report = self
        let before = Set(baseline.findings.map(\.fingerprint))
        let now = Set(findings.map(\.fingerprint))
        for index in report.findings.indices {
            report.findings[index].baseline = before.contains(report.findings[index].fingerprint) ? .unchanged : .new
        }
        let evaluated = Set(controls.filter { $0.status != .skipped }.map(\.id))
        var seen = Set<String>()
        let resolved = baseline.findings.filter { finding in
            finding.status == "failed" && evaluated.contains(finding.controlID) && !now.contains(finding.fingerprint)
                && seen.insert(finding.fingerprint).inserted
        }
        report.baseline = BaselineComparison(
            source: source, scannedAt: baseline.scannedAt,
            new: report.findings.count { $0.baseline == .new && $0.status == "failed" },
            unchanged: report.findings.count { $0.baseline == .unchanged && $0.status == "failed" },
            resolved: resolved.map {
                BaselineComparison.ResolvedFinding(
                    controlID: $0.controlID, severity: $0.severity, resource: $0.resource, message: $0.message,
                    fingerprint: $0.fingerprint)
            })
        return report
    }
}
