import Audit

/// JUnit XML for CI test-report importers (GitLab, Jenkins, Azure DevOps, GitHub test reporters):
/// one `testsuite` per scanned framework, one `testcase` per control, a `failure` per failed control
/// carrying its failing resources and a `skipped` element with the reason for skipped and not-applicable
/// controls.
///
/// Controls that belong to no scanned framework (`lookout scan control …`) form one suite, "controls".
public struct JUnitRenderer: Sendable {
    public init() {}

    public func render(_ report: ScanReport) -> String {
        let suites = Self.suites(report)
        let findingsByControl = Dictionary(grouping: report.failedFindings, by: \.controlID)
        let timestamp = Self.timestamp(report.scannedAt)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let cases = suites.flatMap(\.controls)
        out += "<testsuites name=\"lookout\" tests=\"\(cases.count)\" failures=\"\(cases.count { $0.status == .failed })\""
        out += " skipped=\"\(cases.count { !$0.status.isScored })\" errors=\"0\" time=\"0\">\n"
        for suite in suites {
            out += "  <testsuite" + attributes([
                ("name", suite.name), ("tests", String(suite.controls.count)),
                ("failures", String(suite.controls.count { $0.status == .failed })), ("errors", "0"),
                ("skipped", String(suite.controls.count { !$0.status.isScored })), ("time", "0"),
                ("timestamp", timestamp), ("hostname", report.clusterName),
            ]) + ">\n"
            out += "    <properties>\n"
            for (name, value) in suite.properties {
                out += "      <property" + attributes([("name", name), ("value", value)]) + "/>\n"
            }
            out += "    </properties>\n"
            for control in suite.controls {
                out += testcase(control, suite: suite.name, findings: findingsByControl[control.id] ?? [])
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    struct Suite {
        var name: String
        var properties: [(String, String)]
        var controls: [ScanReport.ControlEntry]
    }

    static func suites(_ report: ScanReport) -> [Suite] {
        var suites = report.summary.frameworks.map { framework in
            Suite(
                name: framework.name,
                properties: [
                    ("complianceScore", NumberText.decimal(framework.complianceScore)),
                    ("riskScore", NumberText.decimal(framework.riskScore)), ("complete", String(report.isComplete)),
                ],
                controls: report.controls.filter { $0.frameworks.contains(framework.name) })
        }
        let scanned = Set(report.summary.frameworks.map(\.name))
        let others = report.controls.filter { Set($0.frameworks).isDisjoint(with: scanned) }
        if !others.isEmpty {
            suites.append(Suite(
                name: "controls",
                properties: [
                    ("complianceScore", NumberText.decimal(report.summary.complianceScore)),
                    ("riskScore", NumberText.decimal(report.summary.riskScore)), ("complete", String(report.isComplete)),
                ],
                controls: others))
        }
        return suites
    }

    func testcase(_ control: ScanReport.ControlEntry, suite: String, findings: [ScanReport.FindingEntry]) -> String {
        var out = "    <testcase" + attributes([
            ("classname", "lookout.\(suite)"), ("name", "\(control.id) \(control.name)"), ("time", "0"),
        ])
        switch control.status {
        case .passed:
            return out + "/>\n"
        case .skipped:
            out += ">\n      <skipped" + attributes([("message", control.skipReason ?? "skipped")]) + "/>\n"
        // JUnit has no "not applicable"; reporting it as passed would claim a check that judged nothing.
        case .notApplicable:
            out += ">\n      <skipped" + attributes([("message", Self.notApplicableMessage)]) + "/>\n"
        case .failed:
            let message = "\(control.failedResources) of \(control.allResources) resources failed (\(control.severity.rawValue))"
            out += ">\n      <failure" + attributes([("message", message), ("type", control.severity.rawValue)]) + ">"
            var text = ""
            for finding in findings {
                text += "\(finding.resource.displayName): \(finding.message)\n"
                for evidence in finding.evidence { text += "  evidence: \(evidence)\n" }
            }
            text += "Remediation: \(control.remediation)\n"
            out += Markup.escape(text) + "</failure>\n"
        }
        return out + "    </testcase>\n"
    }

    static let notApplicableMessage = "not applicable: no resource in scope"

    func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
    }

    /// JUnit's XSD wants an ISO 8601 timestamp without zone designator.
    static func timestamp(_ rfc3339: String) -> String {
        rfc3339.hasSuffix("Z") ? String(rfc3339.dropLast()) : rfc3339
    }
}
