import Audit
import FoundationEssentials

/// SARIF 2.1.0 for code-scanning dashboards: one rule per control, one result per finding (a control
/// and a resource, with all its evidence) located by a logical location `cluster/namespace/kind/name`.
/// Excepted findings are results with an external suppression; skipped controls and collection errors
/// are tool notifications.
///
/// GitHub code scanning refuses a run of more than 25,000 results or an upload of more than 10 MB
/// gzipped, so results come most severe first and the least severe are dropped past either limit; the
/// run's properties and a notification say how many.
public struct SARIFRenderer: Sendable {
    public init() {}

    public var resultLimit = 25_000
    public var gzippedLimit = 10 * 1000 * 1000

    /// How many results the limits left out.
    public struct Outcome: Sendable {
        public var totalResults: Int
        public var droppedResults: Int
        /// What the run's properties and stderr say when results were dropped.
        public var note: String? {
            droppedResults == 0 ? nil
                : "SARIF: \(droppedResults) of \(totalResults) results left out (the least severe) to stay within GitHub code "
                + "scanning's limits of 25,000 results and 10 MB gzipped; the JSON report has every finding"
        }
    }

    /// The log at once, with its outcome.
    public struct Rendering: Sendable {
        public var data: Data
        public var outcome: Outcome
    }

    public func render(_ report: ScanReport) throws -> Data { try rendering(report).data }

    public func rendering(_ report: ScanReport) throws -> Rendering {
        var outcome: Outcome?
        let data = try ReportOutput.collected { outcome = try write(report, to: &$0) }
        return Rendering(data: data, outcome: outcome ?? Outcome(totalResults: 0, droppedResults: 0))
    }

    /// Hands the log to `write` in pieces, never whole: at 10,000 pods the encoder's tree of the whole log
    /// and its text were most of the 95 MB the four formats added to a scan.
    public func write(_ report: ScanReport, to write: (Data) throws -> Void) throws -> Outcome {
        var outcome: Outcome?
        try ReportOutput.writing(to: write) { out in outcome = try self.write(report, to: &out) }
        return outcome ?? Outcome(totalResults: 0, droppedResults: 0)
    }

    /// The log is its head (the run without results, encoded whole: its size depends on the catalogue,
    /// not the cluster) with the results written in where it holds the empty array. To know how many
    /// results fit before writing the head that says so, the log is first written to a gzip counter.
    func write(_ report: ScanReport, to out: inout ReportOutput) throws -> Outcome {
        let controls = Dictionary(report.controls.enumerated().map { ($1.id, (entry: $1, ruleIndex: $0)) }) { first, _ in first }
        let order = Self.mostSevereFirst(report.findings.indices.compactMap { index in
            controls[report.findings[index].controlID].map { (index, $0.entry, report.findings[index].exception != nil) }
        })
        var kept = min(order.count, resultLimit)
        while true {
            let outcome = Outcome(totalResults: order.count, droppedResults: order.count - kept)
            let head = try Self.head(report, outcome: outcome)
            func results(_ out: inout ReportOutput) throws {
                for (position, index) in order.prefix(kept).enumerated() {
                    if position > 0 { out.append(",") }
                    let finding = report.findings[index]
                    Self.result(finding, ruleIndex: controls[finding.controlID]?.ruleIndex ?? 0, cluster: report.clusterName, to: &out)
                    try out.checkpoint()
                }
            }
            let counter = try Gzip.SizeCounter()
            var raw = 0
            try ReportOutput.writing(to: { piece in
                raw += piece.count
                try counter.add(piece)
            }) { out in
                out.append(head.before)
                try results(&out)
                out.append(head.after)
            }
            let size = raw <= gzippedLimit ? raw : try counter.finish()
            if size <= gzippedLimit || kept == 0 {
                out.append(head.before)
                try results(&out)
                out.append(head.after)
                return outcome
            }
            // Results are alike in size: keep the share that fits, with a margin for the estimate.
            kept -= max(1, kept - kept * gzippedLimit / size * 9 / 10)
        }
    }

    /// The log without results, split where they go.
    static func head(_ report: ScanReport, outcome: Outcome) throws -> (before: Data, after: Data) {
        var notifications = report.controls.compactMap { control in
            control.skipReason.map {
                Notification(level: "note", message: Message(text: "\(control.id) skipped: \($0)"), descriptor: Reference(id: control.id))
            }
        }
        notifications += report.controls.compactMap { control in
            control.unjudged.map {
                Notification(level: "warning", message: Message(text: "\(control.id): \($0)"), descriptor: Reference(id: control.id))
            }
        }
        notifications += (report.incompleteReasons ?? []).map {
            Notification(level: "error", message: Message(text: "incomplete scan: \($0)"), descriptor: nil)
        }
        notifications += report.errors.map {
            Notification(level: "warning", message: Message(text: "cannot read \($0.resource): \($0.reason): \($0.message)"), descriptor: nil)
        }
        var properties = RunProperties(
            cluster: report.clusterName, kubernetesVersion: report.cluster.version,
            riskScore: report.summary.riskScore, complianceScore: report.summary.complianceScore)
        if let note = outcome.note {
            properties.totalResults = outcome.totalResults
            properties.droppedResults = outcome.droppedResults
            notifications.append(Notification(level: "warning", message: Message(text: note), descriptor: nil))
        }
        let run = Run(
            tool: Tool(driver: Driver(
                name: "lookout", version: report.tool.version, semanticVersion: report.tool.version,
                rules: report.controls.map(Self.rule))),
            invocations: [Invocation(executionSuccessful: report.isComplete, endTimeUtc: report.scannedAt, toolExecutionNotifications: notifications)],
            results: [],
            properties: properties)
        let log = try encode(Log(runs: [run]))
        // Keys are sorted and no text holds an unescaped quote: the first `"results":[]` is the run's.
        guard let splice = log.firstRange(of: Data(#""results":["#.utf8)) else { return (log, Data()) }
        return (log[..<splice.upperBound], log[(splice.upperBound)...])
    }

    static func encode(_ log: Log) throws -> Data {
        let encoder = JSONEncoder()
        // Sorted keys, as in the JSON report: the encoder does not keep declaration order. Not pretty
        // printed: no one reads SARIF as text, and the indentation was a third of its size.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(log)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Severity first (critical first, then the higher base score), findings an exception accepted after
    /// every other; the report's order within those, so the ones dropped past a limit are the least severe.
    static func mostSevereFirst(_ findings: [(index: Int, control: ScanReport.ControlEntry, excepted: Bool)]) -> [Int] {
        findings.sorted { a, b in
            let suppressed = (a.excepted, b.excepted)
            if suppressed.0 != suppressed.1 { return !suppressed.0 }
            if a.control.severity != b.control.severity { return a.control.severity > b.control.severity }
            if a.control.baseScore != b.control.baseScore { return a.control.baseScore > b.control.baseScore }
            return a.index < b.index
        }.map(\.index)
    }

    /// GitHub's mapping: critical and high are errors, medium a warning, low a note.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    static func rule(_ control: ScanReport.ControlEntry) -> Rule {
        Rule(
            id: control.id, name: control.name, shortDescription: Message(text: control.name),
            fullDescription: Message(text: control.description ?? control.name),
            help: Help(
                text: "Remediation: \(control.remediation)",
                markdown: "**Remediation:** \(control.remediation)\n\nSeverity: \(control.severity.rawValue) (base score \(NumberText.decimal(control.baseScore)))."),
            defaultConfiguration: Configuration(level: level(control.severity)),
            properties: RuleProperties(
                securitySeverity: NumberText.decimal(control.baseScore), severity: control.severity.rawValue,
                tags: (["security", "kubernetes"] + control.frameworks).reduce(into: []) { tags, tag in
                    // SARIF tags are a set: frameworks may repeat the generic ones.
                    if !tags.contains(tag) { tags.append(tag) }
                }))
    }

    /// One result, written as `JSONEncoder` wrote the SARIF object model's `Result` (compact, keys
    /// sorted): with 24,000 results at 10,000 pods, its tree was most of the log's cost.
    static func result(_ finding: ScanReport.FindingEntry, ruleIndex: Int, cluster: String, to out: inout ReportOutput) {
        let resource = finding.resource
        out.append("{")
        if let baseline = finding.baseline {
            out.jsonMember("baselineState", baseline.rawValue)
            out.append(",")
        }
        out.jsonMember("level", level(finding.severity))
        out.append(#","locations":[{"logicalLocations":[{"#)
        out.jsonMember("fullyQualifiedName", [cluster, resource.namespace ?? "", resource.kind, resource.name].joined(separator: "/"))
        out.append(#","kind":"object","#)
        out.jsonMember("name", resource.name)
        out.append(#"}]}],"message":{"#)
        out.jsonMember("text", "\(resource.displayName): \(finding.message)")
        out.append(#"},"partialFingerprints":{"#)
        out.jsonMember(Fingerprint.version, finding.fingerprint)
        // The remediation is the rule's help: repeated in every result it was a fifth of the log.
        out.append(#"},"properties":{"evidence":["#)
        for (index, evidence) in finding.evidence.enumerated() {
            if index > 0 { out.append(",") }
            out.jsonString(evidence)
        }
        out.append(#"],"related":["#)
        for (index, related) in finding.related.enumerated() {
            if index > 0 { out.append(",") }
            out.jsonObject(["kind": related.kind, "name": related.name, "namespace": related.namespace])
        }
        out.append(#"],"resource":"#)
        out.jsonObject(["apiVersion": resource.apiVersion, "kind": resource.kind, "name": resource.name, "namespace": resource.namespace])
        out.append("},")
        out.jsonMember("ruleId", finding.controlID)
        out.append(#","ruleIndex":"#)
        out.append(ruleIndex)
        if let exception = finding.exception {
            out.append(#","suppressions":[{"#)
            out.jsonMember("justification", "exception \(exception)")
            out.append(#","kind":"external"}]"#)
        }
        out.append("}")
    }

    // The SARIF object model, only the properties Lookout fills, in the order the spec lists them.

    struct Log: Encodable {
        var schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }
    struct Run: Encodable {
        var tool: Tool
        var invocations: [Invocation]
        /// Always empty: `write` writes the results in.
        var results: [Never]
        var properties: RunProperties
    }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name: String
        var version: String
        var semanticVersion: String
        var rules: [Rule]
    }
    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var endTimeUtc: String
        var toolExecutionNotifications: [Notification]
    }
    struct Notification: Encodable {
        var level: String
        var message: Message
        var descriptor: Reference?
    }
    struct Reference: Encodable { var id: String }
    struct Message: Encodable { var text: String }
    struct Help: Encodable {
        var text: String
        var markdown: String
    }
    struct Configuration: Encodable { var level: String }
    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var help: Help
        var defaultConfiguration: Configuration
        var properties: RuleProperties
    }
    struct RuleProperties: Encodable {
        /// GitHub code scanning reads this CVSS-like number to rank alerts.
        var securitySeverity: String
        var severity: String
        var tags: [String]
        enum CodingKeys: String, CodingKey {
            case securitySeverity = "security-severity", severity, tags
        }
    }
    struct RunProperties: Encodable {
        var cluster: String
        var kubernetesVersion: String?
        @NullWhenNil var riskScore: Double?
        @NullWhenNil var complianceScore: Double?
        /// Set only when results were left out to stay within the limits.
        var totalResults: Int?
        var droppedResults: Int?
    }
}
