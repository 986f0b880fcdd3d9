import Audit

/// The human report: a table of controls by severity, framework and overall scores, and the failing
/// resources. Fits 100 columns; colour only when asked (a TTY without NO_COLOR).
public struct PrettyRenderer: Sendable {
    public var useColor: Bool
    public var verbose: Bool
    /// How many failing resources to list per control without --verbose.
    public var topResources = 3

    public init(useColor: Bool, verbose: Bool) {
        self.useColor = useColor
        self.verbose = verbose
    }

    public func render(_ report: ScanReport) -> String {
        var out = ""
        out += bold("Lookout \(report.tool.version)") + " — cluster \(report.cluster.context ?? report.cluster.server)"
        out += " (\(report.cluster.version ?? "unknown version")), scanned \(report.scannedAt)\n"
        if !report.scope.excludedNamespaces.isEmpty {
            out += "Excluded namespaces: \(report.scope.excludedNamespaces.joined(separator: ", "))\n"
        }
        if !report.scope.includedNamespaces.isEmpty {
            out += "Included namespaces: \(report.scope.includedNamespaces.joined(separator: ", "))\n"
        }
        out += "\n"
        out += row(["SEVERITY", "CONTROL", "NAME", "FAILED", "ALL", "COMPLIANCE"], widths: Self.widths) + "\n"
        out += String(repeating: "─", count: 98) + "\n"
        let findingsByControl = Dictionary(grouping: report.findings, by: \.controlID)
        for control in Self.sorted(report.controls) {
            let status: String
            switch control.status {
            case .skipped: status = "skipped"
            case .passed: status = "100%"
            case .failed: status = Self.percent(control.complianceScore)
            }
            let name = control.informational ? control.name + " (info)" : control.name
            let line = row(
                [control.severity.rawValue, control.id, name, control.status == .skipped ? "-" : String(control.failedResources),
                 control.status == .skipped ? "-" : String(control.allResources), status],
                widths: Self.widths)
            out += colored(line, severity: control.status == .failed ? control.severity : nil) + "\n"
            if control.status == .skipped, let reason = control.skipReason {
                out += "           ↳ \(reason)\n"
            }
            let findings = findingsByControl[control.id] ?? []
            for finding in findings.prefix(verbose ? findings.count : topResources) {
                let excepted = finding.exception.map { " (excepted by \($0))" } ?? ""
                out += "           ↳ \(finding.resource.displayName)\(excepted)\n"
                if verbose {
                    for evidence in finding.evidence { out += "               \(evidence)\n" }
                }
            }
            if !verbose, findings.count > topResources {
                out += "           ↳ … and \(findings.count - topResources) more (--verbose lists them)\n"
            }
            if verbose, control.status == .failed {
                out += "             fix: \(control.remediation)\n"
            }
        }
        out += "\n"
        if !report.summary.frameworks.isEmpty {
            out += bold("Frameworks") + "\n"
            for framework in report.summary.frameworks {
                out += "  " + Self.pad(framework.name, 14) + " compliance " + Self.pad(Self.percent(framework.complianceScore), 8)
                    + " risk " + Self.percent(framework.riskScore) + "\n"
            }
            out += "\n"
        }
        let summary = report.summary
        out += bold("Compliance score: \(Self.percent(summary.complianceScore))") + "   Risk score: \(Self.percent(summary.riskScore))\n"
        out += "Controls: \(summary.controls.total) (\(summary.controls.failed) failed, \(summary.controls.passed) passed, "
        out += "\(summary.controls.skipped) skipped)   Resources: \(summary.resources.failed) of \(summary.resources.total) failed\n"
        for error in report.errors {
            out += "warning: \(error.resource): \(error.reason): \(error.message)\n"
        }
        return out
    }

    static let widths = [9, 8, 55, 7, 6, 10]

    /// Failed first, then by severity (critical first), then by ID.
    static func sorted(_ controls: [ScanReport.ControlEntry]) -> [ScanReport.ControlEntry] {
        func rank(_ status: ControlStatus) -> Int {
            switch status {
            case .failed: 0
            case .passed: 1
            case .skipped: 2
            }
        }
        return controls.sorted {
            (rank($0.status), -Severity.allCases.firstIndex(of: $0.severity)!, $0.id)
                < (rank($1.status), -Severity.allCases.firstIndex(of: $1.severity)!, $1.id)
        }
    }

    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        if text.count > width { return String(text.prefix(width - 1)) + "…" }
        return text + String(repeating: " ", count: width - text.count)
    }

    func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { Self.pad($0, $1) }.joined(separator: " ").trimmingTrailingSpaces()
    }

    func bold(_ text: String) -> String { useColor ? "\u{1b}[1m\(text)\u{1b}[0m" : text }

    func colored(_ text: String, severity: Severity?) -> String {
        guard useColor, let severity else { return text }
        let code: String
        switch severity {
        case .critical: code = "1;31"
        case .high: code = "31"
        case .medium: code = "33"
        case .low: code = "36"
        }
        return "\u{1b}[\(code)m\(text)\u{1b}[0m"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
