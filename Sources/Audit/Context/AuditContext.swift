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
    /// Services, exposures and policies grouped for the relation look-ups of Relations.swift.
    let relations: RelationIndex
    let existingRoles: ExistingRoles
    /// Namespaces where at least one top-level workload runs: every workload control's admission
    /// coverage and the namespace controls ask.
    public let namespacesWithWorkloads: Set<String>
    /// Each workload's index in `workloads`, identity and weight, in report order (ResourceRef's): the
    /// verdicts of a workload control come out sorted, so the result does not sort them again for every
    /// control, nor build the same identities.
    let workloadsInReportOrder: [(index: Int, ref: ResourceRef, weight: Double)]
    /// Every workload container's image parsed once (nil when it does not parse): a dozen controls read
    /// each image, and parsing is most of what the cheaper ones do.
    let imageReferences: [String: ImageReference?]
    /// The visible kube-apiservers, which six controls judge.
    let apiServers: [APIServerInstance]

    public init(snapshot: ClusterSnapshot, config: ControlsConfig = ControlsConfig()) {
        var snapshot = snapshot
        // What controls see of a kind that was not collected is nothing, whatever a hand-edited snapshot holds:
        // the reads contract (Control.run) then decides whether they may judge without it.
        for kind in ResourceKind.allCases where !snapshot.collected.contains(kind) && !snapshot.objects(of: kind).isEmpty {
            snapshot.removeObjects(of: kind)
        }
        self.snapshot = snapshot
        self.config = config
        let workloads = Workload.topLevel(in: snapshot)
        self.workloads = workloads
        // The workloads' views and the bindings' and relations' views read different objects: built at once.
        let (workloadViews, clusterViews) = concurrently(
            { Self.workloadViews(workloads) }, { [snapshot] in Self.clusterViews(snapshot, workloads: workloads) })
        (namespacesWithWorkloads, workloadsInReportOrder, imageReferences) = workloadViews
        (grants, grantsBySubject, subjects, relations, existingRoles, serviceAccountsByKey, apiServers) = clusterViews
    }

    private static func workloadViews(_ workloads: [Workload]) -> (
        namespaces: Set<String>, reportOrder: [(index: Int, ref: ResourceRef, weight: Double)], images: [String: ImageReference?]
    ) {
        // Stable like the result's sort, so equal references keep their order.
        let reportOrder = workloads.enumerated().map { (index: $0, ref: $1.ref, weight: $1.weight) }.sorted { $0.ref < $1.ref }
        var images: [String: ImageReference?] = [:]
        for index in workloads.indices {
            for (_, container) in workloads[index].podSpec.allContainers {
                if let image = container.image, images[image] == nil { images[image] = .some(ImageReference(image)) }
            }
        }
        return (Set(workloads.lazy.map(\.namespace)), reportOrder, images)
    }

    private static func clusterViews(_ snapshot: ClusterSnapshot, workloads: [Workload]) -> (
        grants: [Grant], grantsBySubject: [Subject: [Grant]], subjects: [Subject], relations: RelationIndex,
        existingRoles: ExistingRoles, serviceAccountsByKey: [ObjectKey: ServiceAccount], apiServers: [APIServerInstance]
    ) {
        let grants = Grant.all(in: snapshot)
        let subjects = Set(BindingObject.all(in: snapshot).flatMap(\.subjects))
        // Istio Gateways reachable from outside the cluster, which the relation index files VirtualServices by.
        let publicIstioGateways = Self.publicIstioGateways(in: snapshot, workloads: workloads)
        return (
            grants, Dictionary(grouping: grants, by: \.subject),
            // A ServiceAccount lives in its namespace and leaves the scan with it (users exclude kube-system to
            // hide its controllers' accounts); Users and Groups belong to no namespace and stay.
            subjects.filter { $0.kind != "ServiceAccount" || snapshot.scope.contains($0.namespace) }.sorted(),
            RelationIndex(snapshot, publicIstioGateways: publicIstioGateways), ExistingRoles(snapshot),
            Dictionary(snapshot.serviceAccounts.map { (ObjectKey(.serviceaccounts, $0), $0) }, uniquingKeysWith: { first, _ in first }),
            APIServerInstance.all(in: snapshot))
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
        let failures = workloads.map(check)
        return .evaluated(workloadsInReportOrder.map { ResourceVerdict(resource: $0.ref, weight: $0.weight, failure: failures[$0.index]) })
    }

    /// The image parsed as `ImageReference` does, from the parse of every workload image done once.
    func imageReference(_ image: String) -> ImageReference? {
        if let parsed = imageReferences[image] { return parsed }
        return ImageReference(image)
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
    /// Collects evidence lines from every container (init and ephemeral too); a failure when any. The
    /// message is only built for a failure: most workloads pass most controls.
    public func failure(_ message: @autoclosure () -> String, check: (_ path: String, _ container: Container) -> [String]) -> Failure? {
        let evidence = podSpec.allContainers.flatMap { check($0.path, $0.container) }
        return evidence.isEmpty ? nil : Failure(message: message(), evidence: evidence)
    }
}

/// The labels of reported objects, for exceptions that match on labels: asked once per failure, so
/// the objects are filed by identity on first use rather than searched each time.
struct ReportedLabels {
    let context: AuditContext
    private var workloads: [ResourceRef: [String: String]]?
    private var objects: [ResourceKind: [ObjectKey: [String: String]]] = [:]

    init(_ context: AuditContext) { self.context = context }

    /// A workload's own labels (the first of duplicates), else those of the first object of its kind
    /// with its key; none when there is no such object.
    mutating func labels(of resource: ResourceRef) -> [String: String] {
        if workloads == nil {
            workloads = Dictionary(context.workloads.map { ($0.ref, $0.metadata.labels ?? [:]) }, uniquingKeysWith: { first, _ in first })
        }
        if let labels = workloads?[resource] { return labels }
        guard let kind = ResourceKind(kind: resource.kind) else { return [:] }
        if objects[kind] == nil {
            objects[kind] = Dictionary(
                context.snapshot.objects(of: kind).map { (ObjectKey(kind, $0), $0.labels) }, uniquingKeysWith: { first, _ in first })
        }
        return objects[kind]?[resource.key] ?? [:]
    }
}
