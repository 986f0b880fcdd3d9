import Audit

/// The human report: a table of controls by severity, framework and overall scores, and the failing
/// resources. Every line fits 100 columns (long names and texts wrap); colour only when asked (a TTY
/// without NO_COLOR).
public struct PrettyRenderer: Sendable {
    public var useColor: Bool
    public var verbose: Bool
    /// How many resources the "Top failing resources" section lists.
    public var topResources = 10
    /// How many resolved findings the baseline section lists without --verbose.
    public var topResolved = 10

    public static let width = 100

    public init(useColor: Bool, verbose: Bool) {
        self.useColor = useColor
        self.verbose = verbose
    }

    public func render(_ report: ScanReport) -> String {
        var out = header(report)
        out += controlsTable(report)
        out += frameworksSection(report)
        out += topResourcesSection(report)
        out += admissionSection(report)
        if let baseline = report.baseline { out += baselineSection(baseline, verbose: verbose) }
        if verbose { out += findingsSection(report.findings, report: report) }
        out += scoresSection(report)
        return out
    }

    /// `lookout diff`: what is new, what is resolved, and the counts.
    public func renderComparison(_ report: ScanReport) -> String {
        guard let baseline = report.baseline else { return render(report) }
        var out = bold("Lookout diff") + " — cluster \(report.clusterName)\n"
        out += "  before: \(baseline.source), scanned \(baseline.scannedAt)\n"
        out += "  after:  scanned \(report.scannedAt)\n\n"
        let new = report.findings.filter { $0.baseline == .new && $0.status == "failed" }
        out += bold("New findings (\(new.count))") + "\n"
        out += new.isEmpty ? "  none\n" : findingLines(new, report: report)
        out += "\n" + baselineSection(baseline, verbose: true)
        out += scoresSection(report)
        return out
    }

    // MARK: Sections

    func header(_ report: ScanReport) -> String {
        var out = bold("Lookout \(report.tool.version)") + " — cluster \(report.clusterName)"
        out += " (\(report.cluster.version ?? "unknown version")), scanned \(report.scannedAt)\n"
        if report.source?.mode != .cluster { out += wrapped("Judged: " + report.sourceDescription, indent: 2) }
        if !report.scope.excludedNamespaces.isEmpty {
            out += wrapped("Excluded namespaces: " + report.scope.excludedNamespaces.joined(separator: ", "), indent: 2)
        }
        if !report.scope.includedNamespaces.isEmpty {
            out += wrapped("Included namespaces: " + report.scope.includedNamespaces.joined(separator: ", "), indent: 2)
        }
        if let notFound = report.scope.notFoundNamespaces {
            out += wrapped("warning: included namespaces that do not exist: " + notFound.joined(separator: ", "), indent: 2, hanging: 2)
        }
        if !report.isComplete {
            out += bold("INCOMPLETE SCAN") + ": controls that need these kinds could not judge everything\n"
            for reason in report.incompleteReasons ?? [] { out += wrapped(reason, indent: 2, hanging: 2) }
        }
        return out + "\n"
    }

    static let columns: [(title: String, width: Int, rightAligned: Bool)] = [
        ("SEVERITY", 8, false), ("CONTROL", 8, false), ("NAME", 49, false), ("FAILED", 6, true), ("ALL", 6, true),
        ("RISK", 7, true), ("COMPLIANCE", 10, true),
    ]

    func controlsTable(_ report: ScanReport) -> String {
        var out = bold(row(Self.columns.map(\.title))) + "\n"
        out += String(repeating: "─", count: Self.width) + "\n"
        let nameColumn = Self.columns[2]
        let nameIndent = Self.columns[0].width + Self.columns[1].width + 2
        for control in report.controlsBySeverity {
            let evaluated = control.status != .skipped
            let name = control.informational ? control.name + " (info)" : control.name
            var nameLines = Self.wrap(name, width: nameColumn.width)
            let cells = [
                control.severity.rawValue, control.id, nameLines.removeFirst(),
                evaluated ? String(control.failedResources) : "-", evaluated ? String(control.allResources) : "-",
                control.riskScore.map(NumberText.percent) ?? "-",
                evaluated ? NumberText.percent(control.complianceScore) : "skipped",
            ]
            out += colored(row(cells), severity: control.status == .failed ? control.severity : nil) + "\n"
            for line in nameLines { out += String(repeating: " ", count: nameIndent) + line + "\n" }
            if let reason = control.skipReason {
                out += wrapped("↳ skipped: " + reason, indent: nameIndent, hanging: 2)
            }
            if let unjudged = control.unjudged {
                out += wrapped("↳ " + unjudged, indent: nameIndent, hanging: 2)
            }
        }
        return out + "\n"
    }

    func frameworksSection(_ report: ScanReport) -> String {
        guard !report.summary.frameworks.isEmpty else { return "" }
        var out = bold("Frameworks") + "\n"
        for framework in report.summary.frameworks {
            out += "  " + Self.pad(framework.name, 14) + " compliance " + Self.pad(NumberText.percent(framework.complianceScore), 8)
                + " risk " + NumberText.percent(framework.riskScore) + "\n"
        }
        return out + "\n"
    }

    /// The resources failing the most severe and the most controls: where fixing pays most.
    func topResourcesSection(_ report: ScanReport) -> String {
        let failed = report.failedFindings
        guard !failed.isEmpty else { return "" }
        let ranked = Dictionary(grouping: failed, by: \.resource)
            .map { resource, findings in
                (resource: resource, findings: findings, worst: findings.map(\.severity).max() ?? .low)
            }
            .sorted {
                ($1.worst, $1.findings.count, $0.resource) < ($0.worst, $0.findings.count, $1.resource)
            }
        var out = bold("Top failing resources") + " (\(ranked.count) failing)\n"
        for entry in ranked.prefix(topResources) {
            let marker = entry.findings.contains { $0.baseline == .new } ? " [new]" : ""
            let ids = entry.findings.map(\.controlID).sorted()
            let lead = "  " + Self.pad(entry.worst.rawValue, 8) + " " + Self.pad(entry.resource.displayName + marker, 45) + " "
            let tail = "\(ids.count) control\(ids.count == 1 ? "" : "s"): " + ids.joined(separator: ", ")
            out += colored(Self.truncate(lead + tail, Self.width), severity: entry.worst) + "\n"
        }
        if ranked.count > topResources {
            out += "  … and \(ranked.count - topResources) more" + (verbose ? "\n" : " (--verbose lists every finding)\n")
        }
        return out + "\n"
    }

    /// The failed workload controls by what already refuses them at admission: a to-do list that ends
    /// with the command generating policies for the rest.
    func admissionSection(_ report: ScanReport) -> String {
        let failed = report.controls.filter { $0.status == .failed && $0.admission != nil }
        guard !failed.isEmpty else { return "" }
        var out = bold("Admission") + " (what the API server already refuses, for the failed workload controls)\n"
        var todo: [String] = []
        for control in failed {
            guard let admission = control.admission else { continue }
            switch admission.state {
            case .none:
                todo.append(control.id)
            case .enforced, .partial, .unverified:
                var line = control.id + " " + control.name + ": " + admission.by.joined(separator: "; ")
                if let uncovered = admission.uncovered { line += "; not in " + uncovered.joined(separator: ", ") }
                out += labelled(admission.state.rawValue, line)
                if admission.state != .enforced { todo.append(control.id) }
            }
        }
        if !todo.isEmpty {
            out += labelled("to do", todo.joined(separator: ", ") + " (`lookout generate admission-policy control "
                + todo.joined(separator: ",") + "` writes policies for those the API server can decide)")
        }
        return out + "\n"
    }

    /// `  label      text…`, the text wrapped under itself.
    func labelled(_ label: String, _ text: String) -> String {
        "  " + Self.pad(label, 11) + wrapped(text, indent: 13).dropFirst(13)
    }

    func baselineSection(_ baseline: BaselineComparison, verbose: Bool) -> String {
        var out = bold("Baseline") + " \(baseline.source) (scanned \(baseline.scannedAt)): "
        out += "\(baseline.new) new, \(baseline.unchanged) unchanged, \(baseline.resolved.count) resolved\n"
        let shown = verbose ? baseline.resolved[...] : baseline.resolved.prefix(topResolved)
        for resolved in shown {
            out += wrapped("✓ resolved \(resolved.controlID) \(resolved.resource.displayName): \(resolved.message)", indent: 2, hanging: 2)
        }
        if shown.count < baseline.resolved.count {
            out += "  … and \(baseline.resolved.count - shown.count) more resolved (--verbose lists them)\n"
        }
        return out + "\n"
    }

    func findingsSection(_ findings: [ScanReport.FindingEntry], report: ScanReport) -> String {
        guard !findings.isEmpty else { return "" }
        return bold("Findings") + "\n" + findingLines(findings, report: report) + "\n"
    }

    /// Findings grouped under their control, each with message, evidence, related objects and the fix.
    func findingLines(_ findings: [ScanReport.FindingEntry], report: ScanReport) -> String {
        var out = ""
        let byControl = Dictionary(grouping: findings, by: \.controlID)
        for control in report.controlsBySeverity {
            guard let findings = byControl[control.id] else { continue }
            out += colored("  \(control.severity.rawValue) \(control.id) \(control.name)", severity: control.severity) + "\n"
            for finding in findings {
                var title = finding.resource.displayName
                if finding.baseline == .new { title += " [new]" }
                if let exception = finding.exception { title += " (excepted by \(exception))" }
                out += wrapped("• " + title, indent: 4, hanging: 2)
                out += wrapped(finding.message, indent: 6)
                for evidence in finding.evidence { out += wrapped("evidence: " + evidence, indent: 6, hanging: 10) }
                for related in finding.related {
                    let name = related.namespace.map { "\($0)/\(related.name)" } ?? related.name
                    out += wrapped("via \(related.kind) \(name)", indent: 6, hanging: 4)
                }
            }
            out += wrapped("fix: " + control.remediation, indent: 4, hanging: 5)
        }
        return out
    }

    func scoresSection(_ report: ScanReport) -> String {
        let summary = report.summary
        var out = bold("Compliance score: \(NumberText.percent(summary.complianceScore))")
        out += "   Risk score: \(NumberText.percent(summary.riskScore))\n"
        if summary.complianceScore == nil {
            out += "  n/a: no control judged a resource (not applicable or skipped controls have no score)\n"
        }
        let controls = summary.controls
        out += wrapped(
            "Controls: \(controls.total) (\(controls.failed) failed, \(controls.passed) passed, "
                + "\(controls.notApplicable) not applicable, \(controls.skipped) skipped)   "
                + "Resources: \(summary.resources.failed) of \(summary.resources.total) failed", indent: 0, hanging: 2)
        for error in report.errors {
            out += wrapped("warning: \(error.resource): \(error.reason): \(error.message)", indent: 0, hanging: 2)
        }
        return out
    }

    // MARK: Layout

    func row(_ cells: [String]) -> String {
        zip(cells, Self.columns).map { cell, column in
            column.rightAligned ? Self.padLeft(cell, column.width) : Self.pad(cell, column.width)
        }
        .joined(separator: " ").trimmingTrailingSpaces()
    }

    /// `text` wrapped to the page width at `indent`, continuation lines indented `hanging` more.
    func wrapped(_ text: String, indent: Int, hanging: Int = 0) -> String {
        let lines = Self.wrap(text, width: Self.width - indent - hanging, firstWidth: Self.width - indent)
        return lines.enumerated().map { offset, line in
            String(repeating: " ", count: indent + (offset == 0 ? 0 : hanging)) + line + "\n"
        }.joined()
    }

    /// Splits at spaces so no line exceeds its width. A word longer than a line is broken after its last
    /// comma that fits, so that a list of control IDs is never split inside an ID; one without is cut.
    static func wrap(_ text: String, width: Int, firstWidth: Int? = nil) -> [String] {
        var lines: [String] = []
        var line = ""
        func limit() -> Int { lines.isEmpty ? (firstWidth ?? width) : width }
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if line.isEmpty, word.count <= limit() {
                line = String(word)
            } else if line.count + 1 + word.count <= limit() {
                line += " " + word
            } else {
                if !line.isEmpty { lines.append(line) }
                while word.count > limit() {
                    let piece = word.prefix(limit())
                    let end = piece.lastIndex(of: ",").map(word.index(after:)) ?? piece.endIndex
                    lines.append(String(word[..<end]))
                    word = word[end...]
                }
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let text = truncate(text, width)
        return text + String(repeating: " ", count: width - text.count)
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        let text = truncate(text, width)
        return String(repeating: " ", count: width - text.count) + text
    }

    static func truncate(_ text: String, _ width: Int) -> String {
        text.count > width ? String(text.prefix(width - 1)) + "…" : text
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
