import Inventory

/// The snapshot plus the views that many controls share, computed once per audit: top-level workloads
/// and the RBAC grants of every subject.
public struct AuditContext: Sendable {
    public let snapshot: ClusterSnapshot
    public let config: ControlsConfig
    public let workloads: [Workload]
    public let grants: [Grant]
    public let grantsBySubject: [Subject: [Grant]]
    /// Every subject named by a binding in scope, including those whose role does not exist, except
    /// ServiceAccounts of namespaces outside the scope.
    public let subjects: [Subject]
    /// ServiceAccounts by key: workload controls look one up per workload.
    let serviceAccountsByKey: [ObjectKey: ServiceAccount]
    /// Istio Gateways reachable from outside the cluster, which exposure checks ask about per workload.
    let publicIstioGateways: Set<ObjectKey>
    /// Services, exposures and policies grouped for the relation look-ups of Relations.swift.
    let relations: RelationIndex

    public init(snapshot: ClusterSnapshot, config: ControlsConfig = ControlsConfig()) {
        var snapshot = snapshot
        // What controls see of a kind that was not collected is nothing, whatever a hand-edited snapshot holds:
        // the reads contract (Control.run) then decides whether they may judge without it.
        for kind in ResourceKind.allCases where !snapshot.collected.contains(kind) && !snapshot.objects(of: kind).isEmpty {
            snapshot.store([], as: kind)
        }
        self.snapshot = snapshot
        self.config = config
        let workloads = Workload.topLevel(in: snapshot)
        self.workloads = workloads
        self.publicIstioGateways = Self.publicIstioGateways(in: snapshot, workloads: workloads)
        let grants = Grant.all(in: snapshot)
        self.grants = grants
        self.grantsBySubject = Dictionary(grouping: grants, by: \.subject)
        let subjects = Set(BindingObject.all(in: snapshot).flatMap(\.subjects))
        // A ServiceAccount lives in its namespace and leaves the scan with it (users exclude kube-system to
        // hide its controllers' accounts); Users and Groups belong to no namespace and stay.
        self.subjects = subjects.filter { $0.kind != "ServiceAccount" || snapshot.scope.contains($0.namespace) }.sorted()
        self.relations = RelationIndex(snapshot)
        self.serviceAccountsByKey = Dictionary(
            snapshot.serviceAccounts.map { (ObjectKey(.serviceaccounts, $0), $0) }, uniquingKeysWith: { first, _ in first })
    }
}

extension AuditContext {
    /// Why a control that judges the cluster as a whole (its network plugin, its admission chain) cannot
    /// judge manifests: files describe what they deploy, not the cluster it lands in. Nil otherwise.
    public var wholeClusterUnknown: String? {
        snapshot.source == .manifests ? "manifests describe what they deploy, not the cluster it runs in" : nil
    }

    /// Runs `check` on every top-level workload; a non-nil failure fails that workload.
    public func evaluateWorkloads(_ check: (Workload) -> Failure?) -> ControlOutcome {
        .evaluated(workloads.map { ResourceVerdict(resource: $0.ref, weight: $0.weight, failure: check($0)) })
    }

    /// Runs `check` on every subject with the grants it holds (possibly none).
    public func evaluateSubjects(_ check: (Subject, [Grant]) -> Failure?) -> ControlOutcome {
        .evaluated(subjects.map { ResourceVerdict(resource: $0.ref, failure: check($0, grantsBySubject[$0] ?? [])) })
    }

    /// Runs `check` on every namespace, or only on those that run a workload.
    public func evaluateNamespaces(onlyWithWorkloads: Bool = false, _ check: (Namespace) -> Failure?) -> ControlOutcome {
        let withWorkloads = onlyWithWorkloads ? namespacesWithWorkloads : []
        let namespaces = onlyWithWorkloads ? snapshot.namespaces.filter { withWorkloads.contains($0.name) } : snapshot.namespaces
        return .evaluated(namespaces.map {
            ResourceVerdict(
                resource: ResourceRef(apiVersion: "v1", kind: "Namespace", namespace: nil, name: $0.name),
                failure: check($0))
        })
    }

    /// Runs `check` on the Nodes that report `status.nodeInfo.<field>`, with its value; skipped when Nodes
    /// exist and none reports it (a snapshot written by hand), since nothing could be judged.
    public func evaluateNodes(field: String, value: (Node) -> String?, check: (Node, String) -> Failure?) -> ControlOutcome {
        let reporting = snapshot.nodes.compactMap { node in value(node).map { (node, $0) } }
        if reporting.isEmpty, !snapshot.nodes.isEmpty { return .skipped(reason: "no Node reports status.nodeInfo.\(field)") }
        return .evaluated(reporting.map {
            ResourceVerdict(resource: ResourceRef(apiVersion: "v1", kind: "Node", namespace: nil, name: $0.0.name), failure: check($0.0, $0.1))
        })
    }

    /// A failure for a subject from the grants that give it a power: one evidence line per rule, the
    /// roles and bindings in `related`. Nil when no grant matches.
    public func subjectFailure(_ message: String, grants: [Grant]) -> Failure? {
        guard !grants.isEmpty else { return nil }
        var related: [RelatedObject] = []
        for grant in grants {
            for object in grant.related where !related.contains(object) { related.append(object) }
        }
        let evidence = grants.map { grant in
            let scope = grant.namespace.map { "in namespace \($0)" } ?? "cluster-wide"
            return "\(grant.role.displayName) rules[\(grant.ruleIndex)] \(grant.rule.summary) via \(grant.binding.displayName) (\(scope))"
        }
        return Failure(message: message, evidence: evidence, related: related)
    }
}

extension Workload {
    /// Collects evidence lines from every container (init and ephemeral too); a failure when any.
    public func failure(_ message: String, check: (_ path: String, _ container: Container) -> [String]) -> Failure? {
        let evidence = podSpec.allContainers.flatMap { check($0.path, $0.container) }
        return evidence.isEmpty ? nil : Failure(message: message, evidence: evidence)
    }
}

extension AuditContext {
    /// The labels of a reported object, for exceptions that match on labels.
    func labels(of resource: ResourceRef) -> [String: String] {
        if let workload = workloads.first(where: { $0.ref == resource }) { return workload.metadata.labels ?? [:] }
        guard let kind = ResourceKind(kind: resource.kind) else { return [:] }
        return snapshot.objects(of: kind).first { ObjectKey(kind, $0) == resource.key }?.labels ?? [:]
    }
}
