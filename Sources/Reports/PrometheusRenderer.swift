import Audit
import FoundationEssentials

/// The Prometheus text exposition format (version 0.0.4): every value a gauge named `lookout_…`,
/// for a textfile collector, a scrape of a file server, or a Pushgateway push.
///
/// The cluster is a label of `lookout_scan_info` only: a scrape or push adds its own target labels,
/// and a Pushgateway rejects pushed labels that clash with its grouping key.
public struct PrometheusRenderer: Sendable {
    public init() {}

    /// The content type a Pushgateway and a scraper expect for this text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public func render(_ report: ScanReport) -> String {
        var out = ""
        func family(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP lookout_\(name) \(Self.escapeHelp(help))\n# TYPE lookout_\(name) gauge\n"
            for (labels, value) in samples {
                let labelText = labels.isEmpty
                    ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
                out += "lookout_\(name)\(labelText) \(NumberText.decimal(value))\n"
            }
        }
        let summary = report.summary
        family("scan_info", "Constant 1; labels describe the scan.", [([
            ("cluster", report.clusterName), ("kubernetes_version", report.cluster.version ?? ""),
            ("version", report.tool.version), ("schema_version", report.schemaVersion),
        ], 1)])
        if let date = try? Date(report.scannedAt, strategy: .iso8601) {
            family("scan_timestamp_seconds", "When the scan ran, in seconds since the Unix epoch.", [([], date.timeIntervalSince1970.rounded())])
        }
        // A score that does not apply (nothing judged) has no sample: absent, never a made-up 100 or 0.
        family("scan_complete", "1 when every kind the controls need was read, 0 when the scan is incomplete.", [([], report.isComplete ? 1 : 0)])
        family("risk_score", "Overall risk score, 0 (no risk) to 100.", summary.riskScore.map { [([], $0)] } ?? [])
        family("compliance_score", "Overall compliance score, 0 to 100 (all passed).", summary.complianceScore.map { [([], $0)] } ?? [])
        family("controls", "Controls by status.", [
            ([("status", "passed")], Double(summary.controls.passed)), ([("status", "failed")], Double(summary.controls.failed)),
            ([("status", ControlStatus.notApplicable.rawValue)], Double(summary.controls.notApplicable)),
            ([("status", "skipped")], Double(summary.controls.skipped)),
        ])
        family("resources_scanned", "Distinct resources evaluated by any control.", [([], Double(summary.resources.total))])
        family("resources_failed", "Distinct resources failed by at least one control.", [([], Double(summary.resources.failed))])
        family("collection_errors", "Resource kinds that could not be read.", [([], Double(report.errors.count))])

        family("framework_risk_score", "Risk score of a framework, 0 to 100.", summary.frameworks.compactMap { framework in
            framework.riskScore.map { ([("framework", framework.name)], $0) }
        })
        family("framework_compliance_score", "Compliance score of a framework, 0 to 100.", summary.frameworks.compactMap { framework in
            framework.complianceScore.map { ([("framework", framework.name)], $0) }
        })
        family("framework_controls", "Controls of a framework by status.", summary.frameworks.flatMap { framework in
            let members = report.controls.filter { $0.frameworks.contains(framework.name) }
            return [ControlStatus.passed, .failed, .notApplicable, .skipped].map { status in
                ([("framework", framework.name), ("status", status.rawValue)], Double(members.count { $0.status == status }))
            }
        })

        let controls = report.controls
        func labels(_ control: ScanReport.ControlEntry) -> [(String, String)] {
            [("control_id", control.id), ("control_name", control.name), ("severity", control.severity.rawValue)]
        }
        family("control_status", "Constant 1; the status label says whether the control passed, failed, was not applicable or skipped.",
               controls.map { (labels($0) + [("status", $0.status.rawValue)], 1) })
        let evaluated = controls.filter { $0.status != .skipped }
        family("control_failed_resources", "Resources a control failed.", evaluated.map { (labels($0), Double($0.failedResources)) })
        family("control_resources", "Resources a control evaluated.", evaluated.map { (labels($0), Double($0.allResources)) })
        family("control_risk_score", "Risk score of a control, 0 to 100.", controls.compactMap { control in
            control.riskScore.map { (labels(control), $0) }
        })
        family("control_compliance_score", "Compliance score of a control, 0 to 100.", controls.compactMap { control in
            control.complianceScore.map { (labels(control), $0) }
        })

        family("severity_failed_controls", "Failed controls by severity.", Severity.allCases.reversed().map { severity in
            ([("severity", severity.rawValue)], Double(controls.count { $0.status == .failed && $0.severity == severity }))
        })
        family("severity_failed_resources", "Failed findings by severity.", report.failuresBySeverity.map {
            ([("severity", $0.severity.rawValue)], Double($0.count))
        })

        // Per control and namespace, so dashboards can slice by team; cluster-scoped objects have namespace="".
        var perNamespace: [String: (control: ScanReport.ControlEntry, namespace: String, count: Int)] = [:]
        let byID = Dictionary(controls.map { ($0.id, $0) }) { first, _ in first }
        for finding in report.failedFindings {
            guard let control = byID[finding.controlID] else { continue }
            let namespace = finding.resource.namespace ?? ""
            perNamespace["\(control.id)\u{1f}\(namespace)", default: (control, namespace, 0)].count += 1
        }
        family("namespace_failed_resources", "Failed findings of a control in a namespace.",
               perNamespace.values.sorted { ($0.control.id, $0.namespace) < ($1.control.id, $1.namespace) }.map {
                   ([("control_id", $0.control.id), ("severity", $0.control.severity.rawValue), ("namespace", $0.namespace)], Double($0.count))
               })

        if let baseline = report.baseline {
            family("baseline_findings", "Findings compared with the baseline report.", [
                ([("state", "new")], Double(baseline.new)), ([("state", "unchanged")], Double(baseline.unchanged)),
                ([("state", "resolved")], Double(baseline.resolved.count)),
            ])
        }
        return out
    }

    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func escapeHelp(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
