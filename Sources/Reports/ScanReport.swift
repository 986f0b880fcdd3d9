import Audit
import FoundationEssentials
import Inventory

/// The JSON report (schemaVersion "1"). Every other format is rendered from this value, so a saved
/// report can be turned into any of them later.
public struct ScanReport: Codable, Sendable {
    public struct Tool: Codable, Sendable { public var name: String; public var version: String }
    public struct Cluster: Codable, Sendable {
        public var server: String
        public var context: String?
        public var version: String?
    }
    public struct Source: Codable, Sendable {
        public var mode: InputMode
    }
    public struct Scope: Codable, Sendable {
        public var excludedNamespaces: [String]
        public var includedNamespaces: [String]
        /// Included namespaces the cluster does not have; absent when there are none.
        public var notFoundNamespaces: [String]?
    }
    public struct Counts: Codable, Sendable {
        public var total: Int
        public var passed: Int
        public var failed: Int
        public var notApplicable: Int
        public var skipped: Int

        init(_ results: [ControlResult]) {
            total = results.count
            passed = results.count { $0.status == .passed }
            failed = results.count { $0.status == .failed }
            notApplicable = results.count { $0.status == .notApplicable }
            skipped = results.count { $0.status == .skipped }
        }

        /// Reports written before not-applicable existed counted those controls as passed.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            total = try container.decode(Int.self, forKey: .total)
            passed = try container.decode(Int.self, forKey: .passed)
            failed = try container.decode(Int.self, forKey: .failed)
            notApplicable = try container.decodeIfPresent(Int.self, forKey: .notApplicable) ?? 0
            skipped = try container.decode(Int.self, forKey: .skipped)
        }
    }
    public struct ResourceCounts: Codable, Sendable {
        public var total: Int
        public var failed: Int
    }
    public struct FrameworkSummary: Codable, Sendable {
        public var name: String
        @NullWhenNil public var riskScore: Double?
        @NullWhenNil public var complianceScore: Double?
    }
    /// Scores are null ("n/a") when no control judged a resource.
    public struct Summary: Codable, Sendable {
        @NullWhenNil public var riskScore: Double?
        @NullWhenNil public var complianceScore: Double?
        public var controls: Counts
        public var resources: ResourceCounts
        public var frameworks: [FrameworkSummary]
    }
    public struct ControlEntry: Codable, Sendable {
        public var id: String
        public var name: String
        public var severity: Severity
        public var baseScore: Double
        public var frameworks: [String]
        public var informational: Bool
        public var status: ControlStatus
        public var skipReason: String?
        /// What the control should have judged but could not read (nodes whose kubelet did not answer).
        public var unjudged: String?
        public var failedResources: Int
        public var allResources: Int
        /// null unless the control failed or passed.
        @NullWhenNil public var riskScore: Double?
        @NullWhenNil public var complianceScore: Double?
        /// What the control checks; absent in reports written before it was added.
        public var description: String?
        public var remediation: String
        /// Workload controls only: what already refuses at admission what the control fails; absent in
        /// reports written before it was added.
        public var admission: AdmissionCoverage?
    }
    public struct FindingEntry: Codable, Sendable {
        public var controlID: String
        /// "failed", or "excepted" when an exception accepted it (it then counts as passed).
        public var status: String
        /// The exception that accepted it.
        public var exception: String?
        public var severity: Severity
        public var resource: ResourceRef
        public var related: [RelatedObject]
        public var message: String
        public var evidence: [String]
        public var remediation: String
        public var fingerprint: String
        /// Set only when the scan was compared with a baseline report.
        public var baseline: BaselineState?
    }

    public var schemaVersion = "1"
    public var tool: Tool
    public var cluster: Cluster
    public var scannedAt: String
    /// Absent in reports written before it was added.
    public var source: Source?
    public var scope: Scope
    public var summary: Summary
    public var controls: [ControlEntry]
    public var findings: [FindingEntry]
    public var errors: [CollectionError]
    /// False when a kind the selected controls need could not be read (not forbidden: failed); absent in
    /// reports written before it was added.
    public var complete: Bool?
    /// Why the scan is incomplete, one line per unreadable kind; empty when complete.
    public var incompleteReasons: [String]?
    /// The comparison with an earlier report (`--baseline`, `lookout diff`); absent otherwise.
    public var baseline: BaselineComparison?
}

extension ScanReport {
    public init(result: AuditResult, snapshot: ClusterSnapshot, toolVersion: String, scannedAt: Date) {
        tool = Tool(name: "lookout", version: toolVersion)
        source = Source(mode: snapshot.source ?? .cluster)
        cluster = Cluster(server: snapshot.cluster.server, context: snapshot.cluster.context, version: snapshot.cluster.version)
        self.scannedAt = scannedAt.formatted(.iso8601)
        let notFound = snapshot.includedNamespacesNotFound
        scope = Scope(
            excludedNamespaces: snapshot.scope.excluded, includedNamespaces: snapshot.scope.included,
            notFoundNamespaces: notFound.isEmpty ? nil : notFound)
        // The distinct resources (one pass over every verdict) are counted while the Pods' owners are
        // indexed for the fingerprints; then each control's findings (a fingerprint hashes every evidence
        // line) are built on every core.
        let (counts, identity) = concurrently({ result.resourceCounts }, { FingerprintIdentity(snapshot) })
        var perControl = result.results.concurrentMap { Self.findingEntries(of: $0, identity: identity) }
        // Reserved whole: grown by doubling, the array was copied while every control's findings were held
        // too (tens of megabytes more at 100,000 pods).
        findings = []
        findings.reserveCapacity(perControl.reduce(0) { $0 + $1.count })
        for index in perControl.indices {
            findings += perControl[index]
            // Each control's findings are let go once copied: at 100,000 pods they are tens of megabytes.
            perControl[index] = []
        }
        summary = Summary(
            riskScore: Self.rounded(result.score.riskScore), complianceScore: Self.rounded(result.score.complianceScore),
            controls: Counts(result.results),
            resources: ResourceCounts(total: counts.total, failed: counts.failed),
            frameworks: result.frameworks.map {
                FrameworkSummary(
                    name: $0.name, riskScore: Self.rounded($0.score.riskScore),
                    complianceScore: Self.rounded($0.score.complianceScore))
            })
        controls = result.results.map { entry in
            ControlEntry(
                id: entry.control.id, name: entry.control.name, severity: entry.control.severity,
                baseScore: entry.control.baseScore, frameworks: entry.control.frameworks,
                informational: entry.control.informational, status: entry.status, skipReason: entry.skipReason,
                unjudged: entry.unjudged,
                failedResources: entry.failedResources, allResources: entry.allResources,
                riskScore: Self.rounded(entry.riskScore), complianceScore: Self.rounded(entry.complianceScore),
                description: entry.control.description, remediation: entry.control.remediation, admission: entry.admission)
        }
        errors = snapshot.errors
        complete = result.incomplete.isEmpty
        incompleteReasons = result.incomplete.map { "cannot read \($0.resource): \($0.message)" }
    }

    /// A control's failures, excepted ones included, in its verdicts' order.
    private static func findingEntries(of entry: ControlResult, identity: FingerprintIdentity) -> [FindingEntry] {
        entry.verdicts.compactMap { verdict in
            verdict.failure.map { failure in
                FindingEntry(
                    controlID: entry.control.id, status: verdict.exception == nil ? "failed" : "excepted",
                    exception: verdict.exception, severity: entry.control.severity, resource: verdict.resource,
                    related: failure.related, message: failure.message, evidence: failure.evidence,
                    remediation: entry.control.remediation,
                    fingerprint: Fingerprint.of(
                        controlID: entry.control.id, resource: identity.stable(verdict.resource), evidence: failure.evidence))
            }
        }
    }

    /// Reports written before `complete` existed do not say: they are taken as complete.
    public var isComplete: Bool { complete ?? true }

    static func rounded(_ value: Double?) -> Double? { value.map { ($0 * 100).rounded() / 100 } }

    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted keys: the encoder does not keep declaration order, and diffs of saved reports need a
        // stable one.
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The whole report at once; `writeJSON` writes the same bytes in pieces.
    public func jsonData() throws -> Data {
        var data = try Self.jsonEncoder().encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    public static func decode(_ data: Data) throws -> ScanReport {
        try JSONDecoder().decode(ScanReport.self, from: data)
    }
}

/// Encodes nil as an explicit `null` (the synthesized encoder would leave the key out), so a reader
/// sees a score that does not apply rather than a field that is missing.
@propertyWrapper
public struct NullWhenNil<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A stable identity for a finding across scans: control, object identity and evidence, never
/// anything that changes when pods restart or replicas scale.
public enum Fingerprint {
    /// Kept in the SARIF `partialFingerprints` key, so a change of algorithm can get a new key.
    public static let version = "lookout/v1"

    public static func of(controlID: String, resource: ResourceRef, evidence: [String]) -> String {
        let text = ([controlID, resource.kind, resource.namespace ?? "", resource.name] + evidence.sorted())
            .joined(separator: "\u{1f}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Replaces the generated name of a controller-owned Pod by its owner's identity: a Pod is only
/// reported itself when its controller is not scanned, and its name changes on every restart.
struct FingerprintIdentity: Sendable {
    private let ownership: Ownership

    init(_ snapshot: ClusterSnapshot) { ownership = Ownership(snapshot, kinds: [.pods]) }

    func stable(_ resource: ResourceRef) -> ResourceRef {
        guard resource.kind == "Pod", let owner = ownership.controller(of: resource.key) else { return resource }
        return ResourceRef(apiVersion: resource.apiVersion, kind: "Pod", namespace: resource.namespace, name: "\(owner.kind)/\(owner.name)")
    }
}
