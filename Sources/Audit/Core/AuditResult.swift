import Inventory

/// Only failed and passed controls judged something: they alone count in scores. A not-applicable
/// control ran and found nothing in scope (Kubescape's "irrelevant"); a skipped one could not run.
public enum ControlStatus: String, Codable, Sendable {
    case passed, failed, notApplicable, skipped

    public var isScored: Bool { self == .passed || self == .failed }
}

public struct ControlResult: Sendable {
    public let control: Control
    public let status: ControlStatus
    public let skipReason: String?
    /// What the control could not judge although it should have (unreadable kubelets), and why.
    public let unjudged: String?
    public let verdicts: [ResourceVerdict]
    /// For workload controls: whether the cluster already refuses at admission what the control fails.
    public let admission: AdmissionCoverage?

    // Counted once: the scores, the framework summaries and every report read them.
    public let failedResources: Int
    public var allResources: Int { verdicts.count }

    /// 100 when passed, else the share of resources that passed (Kubescape's formula); nil when the
    /// control judged nothing.
    public var complianceScore: Double? {
        guard status.isScored else { return nil }
        return 100 * Double(allResources - failedResources) / Double(allResources)
    }

    /// Σ weight of failed resources and of all resources, each times the base score.
    public let weightedFailed: Double
    public let weightedAll: Double

    /// nil when the control judged nothing.
    public var riskScore: Double? {
        guard status.isScored else { return nil }
        return weightedAll == 0 ? 0 : 100 * weightedFailed / weightedAll
    }

    /// The control's verdicts in report order, counted, without exceptions (`excepting` applies them).
    init(control: Control, outcome: ControlOutcome, admission: AdmissionCoverage? = nil) {
        switch outcome {
        case .skipped(let reason):
            self.init(control: control, admission: admission, skipReason: reason, unjudged: nil, verdicts: [])
        case .evaluated(var verdicts):
            verdicts.sort { $0.resource < $1.resource }
            self.init(control: control, admission: admission, skipReason: nil, unjudged: nil, verdicts: verdicts)
        case .partial(var verdicts, let unjudged):
            verdicts.sort { $0.resource < $1.resource }
            self.init(control: control, admission: admission, skipReason: nil, unjudged: unjudged, verdicts: verdicts)
        }
    }

    private init(control: Control, admission: AdmissionCoverage?, skipReason: String?, unjudged: String?, verdicts: [ResourceVerdict]) {
        self.control = control
        self.admission = admission
        self.skipReason = skipReason
        self.unjudged = unjudged
        self.verdicts = verdicts
        failedResources = verdicts.count(where: \.isFailed)
        weightedFailed = control.baseScore * verdicts.reduce(0) { $0 + ($1.isFailed ? $1.weight : 0) }
        weightedAll = control.baseScore * verdicts.reduce(0) { $0 + $1.weight }
        status = skipReason != nil ? .skipped : verdicts.isEmpty ? .notApplicable : failedResources > 0 ? .failed : .passed
    }

    /// The result with each failure that `except` names an exception for accepted by it, asked in
    /// report order.
    func excepting(_ except: (ResourceRef) -> String?) -> ControlResult {
        guard failedResources > 0 else { return self }
        var verdicts = self.verdicts
        for index in verdicts.indices where verdicts[index].failure != nil {
            verdicts[index].exception = except(verdicts[index].resource)
        }
        return ControlResult(control: control, admission: admission, skipReason: skipReason, unjudged: unjudged, verdicts: verdicts)
    }
}

public struct ScoreSummary: Sendable, Hashable {
    /// nil ("n/a") when no scored control judged a resource: nothing seen is never 100% compliant.
    public var riskScore: Double?
    public var complianceScore: Double?

    /// Compliance: unweighted mean over the failed and passed controls. Risk: base-score-weighted share
    /// of failed resource weight, leaving out informational controls. Not-applicable and skipped
    /// controls count in neither.
    init(_ results: [ControlResult]) {
        let evaluated = results.filter(\.status.isScored)
        let compliance = evaluated.compactMap(\.complianceScore)
        complianceScore = compliance.isEmpty ? nil : compliance.reduce(0, +) / Double(compliance.count)
        let scored = evaluated.filter { !$0.control.informational }
        let all = scored.reduce(0) { $0 + $1.weightedAll }
        riskScore = scored.isEmpty ? nil : all == 0 ? 0 : 100 * scored.reduce(0) { $0 + $1.weightedFailed } / all
    }
}

public struct FrameworkScore: Sendable, Hashable {
    public var name: String
    public var score: ScoreSummary
}

public struct AuditResult: Sendable {
    public let results: [ControlResult]
    /// Kinds that failed to load (neither forbidden nor unserved, which are documented skips) and that
    /// the controls run needed: their verdicts may be missing, so the scan is incomplete.
    public let incomplete: [CollectionError]
    public let frameworks: [FrameworkScore]
    public let score: ScoreSummary
    /// Exceptions that matched no failure: probably stale or mistyped.
    public let unusedExceptions: [String]

    /// Distinct resources evaluated by any control, and those failed by at least one.
    public var resourceCounts: (total: Int, failed: Int) {
        var all = Set<ResourceRef>()
        var failed = Set<ResourceRef>()
        // Most controls judge the same workloads in the same order: a list of resources already counted
        // is compared (its Strings mostly share storage, so cheaply) rather than hashed again.
        var countedLists: [Int: [[ResourceVerdict]]] = [:]
        for result in results {
            let verdicts = result.verdicts
            let counted = countedLists[verdicts.count, default: []].contains { list in
                list.elementsEqual(verdicts) { $0.resource == $1.resource }
            }
            if !counted {
                countedLists[verdicts.count, default: []].append(verdicts)
                for verdict in verdicts { all.insert(verdict.resource) }
            }
            for verdict in verdicts where verdict.isFailed { failed.insert(verdict.resource) }
        }
        return (all.count, failed.count)
    }
}

public enum Auditor {
    /// Runs `controls` on the context, applies the exceptions and scores them per framework and overall.
    /// `progress` is told after each control how many have run, out of how many: from the threads that
    /// run them, one call at a time, the count going up by one.
    public static func run(
        _ controls: [Control], frameworks: [Framework], in context: AuditContext, exceptions: [PostureException] = [],
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) -> AuditResult {
        let enforcement = AdmissionEnforcement(context: context)
        // Controls are pure functions of the context: they run on every core, their results in catalogue order.
        let total = controls.count
        var completed: (@Sendable (Int) -> Void)?
        if let progress { completed = { done in progress(done, total) } }
        let evaluated = controls.concurrentMap(completed: completed) { control in
            ControlResult(control: control, outcome: control.run(in: context), admission: enforcement.coverage(of: control))
        }
        // Exceptions after, one control after another in catalogue order: their labels are looked up lazily.
        let matcher = ExceptionMatcher(exceptions)
        var used = Set<String>()
        var reportedLabels = ReportedLabels(context)
        let results = exceptions.isEmpty ? evaluated : evaluated.map { result in
            result.excepting { resource in
                let name = matcher.match(
                    control: result.control, resource: resource, cluster: context.snapshot.cluster.context,
                    labels: { reportedLabels.labels(of: resource) })
                if let name { used.insert(name) }
                return name
            }
        }
        let frameworkScores = frameworks.map { framework in
            FrameworkScore(name: framework.name, score: ScoreSummary(results.filter { framework.contains($0.control) }))
        }
        return AuditResult(
            results: results, incomplete: incompleteInputs(of: controls, results: results, snapshot: context.snapshot),
            frameworks: frameworkScores, score: ScoreSummary(results),
            unusedExceptions: exceptions.map(\.name).filter { !used.contains($0) })
    }

    /// The failed kinds a control declares it reads, required or best-effort (judged without, its verdicts
    /// are not all it should have said), or that a control's skip reason names (controls that look at
    /// optional kinds find out at run time).
    static func incompleteInputs(of controls: [Control], results: [ControlResult], snapshot: ClusterSnapshot) -> [CollectionError] {
        let read = Set(controls.flatMap { $0.reads + $0.bestEffortReads }.map(\.rawValue))
        let skipReasons = Set(results.compactMap(\.skipReason))
        return snapshot.errors.filter { error in
            error.reason == CollectionError.failed && (read.contains(error.resource) || skipReasons.contains(error.skipReason))
        }
    }
}
