import Inventory

/// Controls over how workloads are built and wired rather than what they may do on the host:
/// resources, probes, labels and placement, images, dangling references, and known-vulnerable
/// versions. One file per topic: `WorkloadHygieneControls+<Topic>.swift`.
enum WorkloadHygieneControls {
    static let all: [Control] =
        resourceControls + probeControls + placementControls + imageControls + referenceControls
        + versionControls + storageControls

    /// Verdicts for a subset of the workloads, for controls that judge only some kinds (probes only
    /// make sense for long-running ones, selectors only exist on controllers).
    static func evaluate(_ workloads: [Workload], _ check: (Workload) -> Failure?) -> ControlOutcome {
        .evaluated(workloads.map { ResourceVerdict(resource: $0.ref, weight: $0.weight, failure: check($0)) })
    }

    /// `apps/v1`, `v1`…: the version Lookout decodes first, which is what the API serves on every
    /// supported cluster.
    static func apiVersion(of kind: ResourceKind) -> String {
        let version = kind.versions.first ?? "v1"
        return kind.group.isEmpty ? version : "\(kind.group)/\(version)"
    }

    /// The report identity of a collected object.
    static func ref(_ object: some KubeObject, _ kind: ResourceKind) -> ResourceRef {
        ResourceRef(apiVersion: apiVersion(of: kind), kind: kind.kind, namespace: kind.namespace(of: object), name: object.name)
    }

    /// Where a workload's pod-template labels sit: `spec.template.metadata.labels`, or a Pod's own
    /// `metadata.labels`.
    static func podLabelsPath(of workload: Workload) -> String {
        guard workload.podSpecPath.hasSuffix(".spec") else { return "metadata.labels" }
        return "\(workload.podSpecPath.dropLast(".spec".count)).metadata.labels"
    }

    /// `app=web, tier in (a, b), !canary`: a selector the way kubectl prints one, keys sorted so the
    /// text (and the fingerprints built from it) is stable.
    static func describe(_ selector: LabelSelector) -> String {
        var parts = (selector.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts += (selector.matchExpressions ?? []).map(describe)
        return parts.isEmpty ? "(empty: every pod)" : parts.joined(separator: ", ")
    }

    static func describe(_ requirement: LabelSelectorRequirement) -> String {
        let values = (requirement.values ?? []).joined(separator: ", ")
        switch requirement.operator {
        case "In": return "\(requirement.key) in (\(values))"
        case "NotIn": return "\(requirement.key) notin (\(values))"
        case "Exists": return requirement.key
        case "DoesNotExist": return "!\(requirement.key)"
        default: return "\(requirement.key) \(requirement.operator) (\(values))"
        }
    }

}
