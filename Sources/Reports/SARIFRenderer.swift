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

    /// The rendered log, and how many results the limits left out.
    public struct Rendering: Sendable {
        public var data: Data
        public var totalResults: Int
        public var droppedResults: Int
        /// What the run's properties and stderr say when results were dropped.
        public var note: String? {
            droppedResults == 0 ? nil
                : "SARIF: \(droppedResults) of \(totalResults) results left out (the least severe) to stay within GitHub code "
                + "scanning's limits of 25,000 results and 10 MB gzipped; the JSON report has every finding"
        }
    }

    public func render(_ report: ScanReport) throws -> Data { try rendering(report).data }

    public func rendering(_ report: ScanReport) throws -> Rendering {
        let ruleIndex = Dictionary(report.controls.enumerated().map { ($1.id, $0) }) { first, _ in first }
        let controls = Dictionary(report.controls.map { ($0.id, $0) }) { first, _ in first }
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
        let results = Self.mostSevereFirst(report.findings.compactMap { finding in
            guard let control = controls[finding.controlID], let index = ruleIndex[finding.controlID] else { return nil }
            return (control, Self.result(finding, control: control, ruleIndex: index, cluster: report.clusterName))
        })
        var run = Run(
            tool: Tool(driver: Driver(
                name: "lookout", version: report.tool.version, semanticVersion: report.tool.version,
                rules: report.controls.map(Self.rule))),
            invocations: [Invocation(executionSuccessful: report.isComplete, endTimeUtc: report.scannedAt, toolExecutionNotifications: notifications)],
            results: Array(results.prefix(resultLimit)),
            properties: RunProperties(
                cluster: report.clusterName, kubernetesVersion: report.cluster.version,
                riskScore: report.summary.riskScore, complianceScore: report.summary.complianceScore))
        while true {
            var rendering = Rendering(data: Data(), totalResults: results.count, droppedResults: results.count - run.results.count)
            if let note = rendering.note {
                run.properties.totalResults = rendering.totalResults
                run.properties.droppedResults = rendering.droppedResults
                run.invocations[0].toolExecutionNotifications = notifications + [Notification(level: "warning", message: Message(text: note), descriptor: nil)]
            }
            rendering.data = try Self.encode(Log(runs: [run]))
            let gzipped = rendering.data.count <= gzippedLimit ? rendering.data.count : try Gzip.compress(rendering.data, level: .fastest).count
            if gzipped <= gzippedLimit || run.results.isEmpty { return rendering }
            // Results are alike in size: keep the share that fits, with a margin for the estimate.
            run.results.removeLast(max(1, run.results.count - run.results.count * gzippedLimit / gzipped * 9 / 10))
        }
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
    static func mostSevereFirst(_ results: [(control: ScanReport.ControlEntry, result: Result)]) -> [Result] {
        results.enumerated().sorted { first, second in
            let (a, b) = (first.element, second.element)
            let suppressed = (a.result.suppressions != nil, b.result.suppressions != nil)
            if suppressed.0 != suppressed.1 { return !suppressed.0 }
            if a.control.severity != b.control.severity { return a.control.severity > b.control.severity }
            if a.control.baseScore != b.control.baseScore { return a.control.baseScore > b.control.baseScore }
            return first.offset < second.offset
        }.map(\.element.result)
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

    static func result(_ finding: ScanReport.FindingEntry, control: ScanReport.ControlEntry, ruleIndex: Int, cluster: String) -> Result {
        let resource = finding.resource
        let path = [cluster, resource.namespace ?? "", resource.kind, resource.name]
        return Result(
            ruleId: finding.controlID, ruleIndex: ruleIndex, level: level(finding.severity),
            message: Message(text: "\(resource.displayName): \(finding.message)"),
            locations: [Location(logicalLocations: [
                LogicalLocation(name: resource.name, fullyQualifiedName: path.joined(separator: "/"), kind: "object"),
            ])],
            partialFingerprints: [Fingerprint.version: finding.fingerprint],
            baselineState: finding.baseline?.rawValue,
            suppressions: finding.exception.map { [Suppression(kind: "external", justification: "exception \($0)")] },
            // The remediation is the rule's help: repeated in every result it was a fifth of the log.
            properties: ResultProperties(resource: resource, evidence: finding.evidence, related: finding.related))
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
        var results: [Result]
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
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
        var partialFingerprints: [String: String]
        var baselineState: String?
        var suppressions: [Suppression]?
        var properties: ResultProperties
    }
    struct Location: Encodable { var logicalLocations: [LogicalLocation] }
    struct LogicalLocation: Encodable {
        var name: String
        var fullyQualifiedName: String
        var kind: String
    }
    struct Suppression: Encodable {
        var kind: String
        var justification: String
    }
    struct ResultProperties: Encodable {
        var resource: ResourceRef
        var evidence: [String]
        var related: [RelatedObject]
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
