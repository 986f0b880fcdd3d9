import Audit

/// JUnit XML for CI test-report importers (GitLab, Jenkins, Azure DevOps, GitHub test reporters):
/// one `testsuite` per scanned framework, one `testcase` per control, a `failure` per failed control
/// carrying its failing resources and a `skipped` element with the reason for skipped and not-applicable
/// controls.
///
/// A control belongs to several frameworks: its failing resources are listed in the first suite that
/// holds it, and its failures in later suites point there, so the file grows with the findings once,
/// not once per framework (at 10,000 pods the repeats made most of 12 MB). Past `listingLimit` bytes of
/// listed resources, later failures give only their counts and point at the JSON report, so the file
/// stays within what CI importers take.
///
/// Controls that belong to no scanned framework (`lookout scan control …`) form one suite, "controls".
public struct JUnitRenderer: Sendable {
    public init() {}

    public var listingLimit = 8_000_000

    public func render(_ report: ScanReport) -> String {
        let suites = Self.suites(report)
        let findingsByControl = Dictionary(grouping: report.failedFindings, by: \.controlID)
        let timestamp = Self.timestamp(report.scannedAt)
        var listedIn: [String: String] = [:]
        var listed = 0
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
                let firstSuite = listedIn[control.id]
                let findings = findingsByControl[control.id] ?? []
                var listing = ""
                if firstSuite == nil, listed < listingLimit {
                    listing = Self.listing(findings)
                    listed += listing.utf8.count
                    listedIn[control.id] = suite.name
                }
                let leftOut = firstSuite == nil && listing.isEmpty && !findings.isEmpty
                out += testcase(control, suite: suite.name, listing: listing, listedIn: firstSuite, leftOut: leftOut)
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

    /// Each failing resource with its message and evidence, a line each.
    static func listing(_ findings: [ScanReport.FindingEntry]) -> String {
        var text = ""
        for finding in findings {
            text += "\(finding.resource.displayName): \(finding.message)\n"
            for evidence in finding.evidence { text += "  evidence: \(evidence)\n" }
        }
        return text
    }

    /// `listing` lists the failing resources, unless `listedIn` names the suite that already lists them
    /// or they were `leftOut` for size.
    func testcase(
        _ control: ScanReport.ControlEntry, suite: String, listing: String, listedIn: String?, leftOut: Bool
    ) -> String {
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
            var text = listing
            if let listedIn {
                text = "The failing resources are listed under testsuite \(listedIn).\n"
            } else if leftOut {
                text = "The failing resources are not listed: this file reached its size limit. The JSON report lists them.\n"
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
