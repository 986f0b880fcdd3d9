import Audit
import FoundationEssentials

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

    /// The whole document at once.
    public func render(_ report: ScanReport) -> String {
        // Collecting in memory cannot fail.
        String(decoding: (try? ReportOutput.collected { try write(report, to: &$0) }) ?? Data(), as: UTF8.self)
    }

    /// Hands the document to `write` in pieces, never whole.
    public func write(_ report: ScanReport, to write: (Data) throws -> Void) throws {
        try ReportOutput.writing(to: write) { out in try self.write(report, to: &out) }
    }

    func write(_ report: ScanReport, to out: inout ReportOutput) throws {
        let suites = Self.suites(report)
        let findingsByControl = Dictionary(grouping: report.failedFindings, by: \.controlID)
        let timestamp = Self.timestamp(report.scannedAt)
        var listedIn: [String: String] = [:]
        var listed = 0
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        let cases = suites.flatMap(\.controls)
        out.append("<testsuites name=\"lookout\" tests=\"\(cases.count)\" failures=\"\(cases.count { $0.status == .failed })\"")
        out.append(" skipped=\"\(cases.count { !$0.status.isScored })\" errors=\"0\" time=\"0\">\n")
        for suite in suites {
            out.append("  <testsuite")
            attributes([
                ("name", suite.name), ("tests", String(suite.controls.count)),
                ("failures", String(suite.controls.count { $0.status == .failed })), ("errors", "0"),
                ("skipped", String(suite.controls.count { !$0.status.isScored })), ("time", "0"),
                ("timestamp", timestamp), ("hostname", report.clusterName),
            ], to: &out)
            out.append(">\n    <properties>\n")
            for (name, value) in suite.properties {
                out.append("      <property")
                attributes([("name", name), ("value", value)], to: &out)
                out.append("/>\n")
            }
            out.append("    </properties>\n")
            for control in suite.controls {
                let firstSuite = listedIn[control.id]
                let findings = findingsByControl[control.id] ?? []
                let listing = firstSuite == nil && listed < listingLimit ? findings : nil
                if listing != nil {
                    listed += Self.listingSize(findings)
                    listedIn[control.id] = suite.name
                }
                let leftOut = firstSuite == nil && (listing ?? []).isEmpty && !findings.isEmpty
                try testcase(control, suite: suite.name, listing: listing ?? [], listedIn: firstSuite, leftOut: leftOut, to: &out)
            }
            out.append("  </testsuite>\n")
        }
        out.append("</testsuites>\n")
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

    /// The bytes of the listing of `findings`: each failing resource with its message and evidence, a
    /// line each.
    static func listingSize(_ findings: [ScanReport.FindingEntry]) -> Int {
        findings.reduce(0) { size, finding in
            size + finding.resource.displayName.utf8.count + 2 + finding.message.utf8.count + 1
                + finding.evidence.reduce(0) { $0 + "  evidence: ".utf8.count + $1.utf8.count + 1 }
        }
    }

    /// `listing` lists the failing resources, unless `listedIn` names the suite that already lists them
    /// or they were `leftOut` for size.
    func testcase(
        _ control: ScanReport.ControlEntry, suite: String, listing: [ScanReport.FindingEntry], listedIn: String?, leftOut: Bool,
        to out: inout ReportOutput
    ) throws {
        out.append("    <testcase")
        attributes([("classname", "lookout.\(suite)"), ("name", "\(control.id) \(control.name)"), ("time", "0")], to: &out)
        switch control.status {
        case .passed:
            return out.append("/>\n")
        case .skipped:
            out.append(">\n      <skipped")
            attributes([("message", control.skipReason ?? "skipped")], to: &out)
            out.append("/>\n")
        // JUnit has no "not applicable"; reporting it as passed would claim a check that judged nothing.
        case .notApplicable:
            out.append(">\n      <skipped")
            attributes([("message", Self.notApplicableMessage)], to: &out)
            out.append("/>\n")
        case .failed:
            let message = "\(control.failedResources) of \(control.allResources) resources failed (\(control.severity.rawValue))"
            out.append(">\n      <failure")
            attributes([("message", message), ("type", control.severity.rawValue)], to: &out)
            out.append(">")
            if let listedIn {
                out.markup("The failing resources are listed under testsuite \(listedIn).\n")
            } else if leftOut {
                out.markup("The failing resources are not listed: this file reached its size limit. The JSON report lists them.\n")
            } else {
                for finding in listing {
                    out.markup(finding.resource.displayName)
                    out.append(": ")
                    out.markup(finding.message)
                    out.append("\n")
                    for evidence in finding.evidence {
                        out.append("  evidence: ")
                        out.markup(evidence)
                        out.append("\n")
                    }
                    try out.checkpoint()
                }
            }
            out.markup("Remediation: \(control.remediation)\n")
            out.append("</failure>\n")
        }
        out.append("    </testcase>\n")
    }

    static let notApplicableMessage = "not applicable: no resource in scope"

    func attributes(_ pairs: [(String, String)], to out: inout ReportOutput) {
        for (name, value) in pairs {
            out.append(" \(name)=\"")
            out.markup(value)
            out.append("\"")
        }
    }

    /// JUnit's XSD wants an ISO 8601 timestamp without zone designator.
    static func timestamp(_ rfc3339: String) -> String {
        rfc3339.hasSuffix("Z") ? String(rfc3339.dropLast()) : rfc3339
    }
}
