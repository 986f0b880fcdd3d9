import Inventory

public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    /// Kubescape's buckets: ≥9 critical, ≥7 high, ≥4 medium, else low.
    public init(baseScore: Double) {
        switch baseScore {
        case 9...: self = .critical
        case 7..<9: self = .high
        case 4..<7: self = .medium
        default: self = .low
        }
    }

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One entry of the catalogue: metadata and logic side by side, so the docs, the report and the
/// evaluation can never disagree about what a control is.
public struct Control: Sendable {
    public let id: String
    public let name: String
    public let baseScore: Double
    public let frameworks: [String]
    /// What the control checks, one or two sentences.
    public let description: String
    /// Why it matters: the attack or failure it prevents.
    public let rationale: String
    public let remediation: String
    /// A manifest fragment or command that shows a failing and a fixed shape.
    public let example: String
    /// Kinds without which the control cannot be evaluated: it is skipped when one was not collected.
    public let reads: [ResourceKind]
    /// Kinds the control reads when the cluster has them (CRDs, newer APIs): one the cluster does not serve
    /// has no objects, one it serves that could not be read (forbidden, failed) skips the control with
    /// that reason — an unread policy or route would turn into a false verdict.
    public let optionalReads: [ResourceKind]
    /// Set for a control that has nothing to judge unless the cluster serves one of `optionalReads` (routes,
    /// Istio's kinds): when it serves none, the control is skipped with this reason.
    public let noneServedReason: String?
    /// Kinds the control judges without when they could not be read, saying so in its result (evidence, a
    /// skip of its own): the engine neither skips for them nor hides their absence, and one that failed
    /// makes the scan incomplete.
    public let bestEffortReads: [ResourceKind]
    /// "List everything for review" controls: reported, never part of the risk score.
    public let informational: Bool
    /// How Lookout differs from Kubescape's rule, when it does.
    public let notes: String?
    let evaluate: @Sendable (AuditContext) -> ControlOutcome

    public init(
        id: String, name: String, baseScore: Double, frameworks: [String], description: String,
        rationale: String, remediation: String, example: String = "", reads: [ResourceKind],
        optionalReads: [ResourceKind] = [], noneServedReason: String? = nil, bestEffortReads: [ResourceKind] = [],
        informational: Bool = false, notes: String? = nil,
        evaluate: @escaping @Sendable (AuditContext) -> ControlOutcome
    ) {
        self.id = id
        self.name = name
        self.baseScore = baseScore
        self.frameworks = frameworks
        self.description = description
        self.rationale = rationale
        self.remediation = remediation
        self.example = example
        self.reads = reads
        self.optionalReads = optionalReads
        self.noneServedReason = noneServedReason
        self.bestEffortReads = bestEffortReads
        self.informational = informational
        self.notes = notes
        self.evaluate = evaluate
    }

    public var severity: Severity { Severity(baseScore: baseScore) }

    /// Every kind the control may look at. It reads no other (a catalogue-wide test removes the rest from
    /// a rich snapshot and expects the same outcome).
    public var declaredReads: [ResourceKind] { reads + optionalReads + bestEffortReads }

    /// Evaluates the control, or skips it with the reason when a kind it needs was not collected, an
    /// optional kind the cluster serves could not be read, or none it must have one of is served.
    public func run(in context: AuditContext) -> ControlOutcome {
        for kind in reads {
            if let reason = context.snapshot.unavailableReason(kind) { return .skipped(reason: reason) }
        }
        if let reason = context.snapshot.unreadableReason(ofOptional: optionalReads) { return .skipped(reason: reason) }
        // Past the check above, an optional kind that was not collected is one the cluster does not serve.
        if let reason = noneServedReason, !optionalReads.contains(where: context.snapshot.collected.contains) {
            return .skipped(reason: reason)
        }
        return evaluate(context)
    }
}

public enum ControlOutcome: Sendable {
    case evaluated([ResourceVerdict])
    /// Judged these resources, but others it should judge could not be read: `unjudged` names them and
    /// says why, so a pass is never mistaken for a pass of everything.
    case partial([ResourceVerdict], unjudged: String)
    case skipped(reason: String)

    public var isSkipped: Bool {
        if case .skipped = self { return true }
        return false
    }
}

/// An object named the way people name it in text: `Kind namespace/name`, or `Kind name` when it is
/// cluster-scoped. Findings, evidence and every report format use this one spelling.
public protocol DisplayNamed {
    var kind: String { get }
    var namespace: String? { get }
    var name: String { get }
}

extension DisplayNamed {
    public var displayName: String {
        if let namespace { return "\(kind) \(namespace)/\(name)" }
        return "\(kind) \(name)"
    }
}

/// The identity of a reported object, as the JSON report names it.
public struct ResourceRef: DisplayNamed, Codable, Sendable, Hashable, Comparable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String?, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// By namespace (cluster-scoped first), kind, then name. Field by field rather than as a tuple: every
    /// control's verdicts are sorted with it, and the tuple copied three Strings per comparison.
    public static func < (lhs: ResourceRef, rhs: ResourceRef) -> Bool {
        let lhsNamespace = lhs.namespace ?? "", rhsNamespace = rhs.namespace ?? ""
        if lhsNamespace != rhsNamespace { return lhsNamespace < rhsNamespace }
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        return lhs.name < rhs.name
    }

    /// The object without its version, as look-ups and exceptions key on it.
    public var key: ObjectKey { ObjectKey(kind: kind, namespace: namespace, name: name) }
}

/// An object that explains a finding: the role and binding behind an RBAC power, the Service that
/// exposes a workload.
public typealias RelatedObject = ObjectKey

extension ObjectKey: DisplayNamed {}

public struct Failure: Sendable, Hashable {
    public var message: String
    public var evidence: [String]
    public var related: [RelatedObject]
    public init(message: String, evidence: [String], related: [RelatedObject] = []) {
        self.message = message
        self.evidence = evidence
        self.related = related
    }
}

/// The verdict of one control on one resource; `failure == nil` means it passed. A failure that an
/// exception accepts keeps its evidence for the report but counts as passed.
public struct ResourceVerdict: Sendable, Hashable {
    public var resource: ResourceRef
    /// Kubescape's risk weight: 1, or replicas × 1.1 for replicated workloads (× nodes for DaemonSets).
    public var weight: Double
    public var failure: Failure?
    /// Name of the exception that accepted the failure.
    public var exception: String?

    public var isFailed: Bool { failure != nil && exception == nil }

    public init(resource: ResourceRef, weight: Double = 1, failure: Failure?) {
        self.resource = resource
        self.weight = weight
        self.failure = failure
    }
}
