import FoundationEssentials

public struct ClusterInfo: Codable, Sendable, Hashable {
    public var server: String
    public var context: String?
    public var version: String?
    public init(server: String, context: String? = nil, version: String? = nil) {
        self.server = server
        self.context = context
        self.version = version
    }
}

/// Why a resource kind is missing from a snapshot; controls that need it are skipped with this reason.
public struct CollectionError: Codable, Sendable, Hashable {
    public var resource: String
    public var reason: String
    public var message: String
    public init(resource: String, reason: String, message: String) {
        self.resource = resource
        self.reason = reason
        self.message = message
    }

    /// The reason of a kind whose LIST failed after retries: the scan is incomplete when a control needs
    /// it. "forbidden" and "not served" are not failures: the cluster says what it does not show.
    public static let failed = "failed"
    /// The reason of a node whose kubelet configuration could not be read through the node proxy.
    public static let kubeletUnreadable = "kubelet unreadable"

    /// How a control that needs the kind names it when skipped: `forbidden: roles`.
    public var skipReason: String { "\(reason): \(resource)" }
}

/// Everything one scan read from the cluster. Controls are pure functions of this value, and it is
/// `Codable` so a scan can be saved and audited again offline.
public struct ClusterSnapshot: Codable, Sendable {
    public var cluster: ClusterInfo
    public var namespaces: [Namespace] = []
    public var nodes: [Node] = []
    public var pods: [Pod] = []
    public var deployments: [Deployment] = []
    public var replicaSets: [ReplicaSet] = []
    public var daemonSets: [DaemonSet] = []
    public var statefulSets: [StatefulSet] = []
    public var jobs: [Job] = []
    public var cronJobs: [CronJob] = []
    public var replicationControllers: [ReplicationController] = []
    public var services: [Service] = []
    public var ingresses: [Ingress] = []
    public var networkPolicies: [NetworkPolicy] = []
    public var serviceAccounts: [ServiceAccount] = []
    public var configMaps: [ConfigMap] = []
    public var persistentVolumeClaims: [PersistentVolumeClaim] = []
    public var roles: [Role] = []
    public var roleBindings: [RoleBinding] = []
    public var clusterRoles: [Role] = []
    public var clusterRoleBindings: [RoleBinding] = []
    public var resourceQuotas: [NamespacePolicyObject] = []
    public var limitRanges: [NamespacePolicyObject] = []
    public var validatingWebhookConfigurations: [WebhookConfiguration] = []
    public var mutatingWebhookConfigurations: [WebhookConfiguration] = []
    public var apiServices: [APIService] = []
    public var ciliumNetworkPolicies: [CiliumPolicy] = []
    public var ciliumClusterwideNetworkPolicies: [CiliumPolicy] = []
    public var horizontalPodAutoscalers: [HorizontalPodAutoscaler] = []
    public var persistentVolumes: [PersistentVolume] = []
    public var podSecurityPolicies: [PodSecurityPolicy] = []
    public var validatingAdmissionPolicies: [ValidatingAdmissionPolicy] = []
    public var validatingAdmissionPolicyBindings: [ValidatingAdmissionPolicyBinding] = []
    public var httpRoutes: [Route] = []
    public var grpcRoutes: [Route] = []
    public var tcpRoutes: [Route] = []
    public var udpRoutes: [Route] = []
    public var tlsRoutes: [Route] = []
    public var istioGateways: [IstioGateway] = []
    public var virtualServices: [VirtualService] = []
    public var vulnerabilityReports: [VulnerabilityReport] = []
    /// Kubelet configurations read through the API server's node proxy; nil when not collected.
    public var kubeletConfigurations: [NodeKubeletConfiguration]?
    /// Why kubelet configurations are missing (e.g. "needs nodes/proxy"); node-config controls skip with it.
    public var kubeletConfigurationUnavailable: String?
    /// Kinds that were listed completely. A kind absent here was forbidden, failed or is not served.
    public var collected: Set<ResourceKind> = []
    public var errors: [CollectionError] = []
    public var scope: NamespaceScope = NamespaceScope()
    /// Set when the snapshot was read from files (`ManifestLoader`): a saved snapshot or manifests. Nil for
    /// a live collection, and in snapshots written before it existed.
    public var source: InputMode?
    /// Set by `lookout collect` when it redacted credential-looking values: the patterns it checked them against.
    public var redaction: RedactionRules?

    public init(cluster: ClusterInfo) { self.cluster = cluster }

    /// `--include-namespaces` names the cluster does not have (a typo scans nothing); empty when the
    /// namespaces were not listed, and for manifests, whose namespaces need no Namespace object.
    public var includedNamespacesNotFound: [String] {
        guard source != .manifests, collected.contains(.namespaces) else { return [] }
        let existing = Set(namespaces.map(\.name))
        return scope.included.filter { !existing.contains($0) }
    }

    /// Why `kind` is missing, or nil when it was collected.
    public func unavailableReason(_ kind: ResourceKind) -> String? {
        if collected.contains(kind) { return nil }
        if let error = errors.first(where: { $0.resource == kind.rawValue }) { return error.skipReason }
        return kind.isOptional ? "not served by this cluster: \(kind.rawValue)" : "not collected: \(kind.rawValue)"
    }

    /// Why one of `kinds` is served but could not be read (forbidden, failed), or nil when each was read or
    /// is simply not served by this cluster (then it has no objects).
    public func unreadableReason(ofOptional kinds: [ResourceKind]) -> String? {
        for kind in kinds where !collected.contains(kind) {
            if let error = errors.first(where: { $0.resource == kind.rawValue }) { return error.skipReason }
        }
        return nil
    }
}

extension ClusterSnapshot {
    /// The objects of one kind, so that code which goes over several kinds needs no table of its own.
    public func objects(of kind: ResourceKind) -> [any KubeObject] {
        struct Objects: SnapshotFieldVisitor {
            let snapshot: ClusterSnapshot
            func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> [any KubeObject] { snapshot[keyPath: field.path] }
        }
        var objects = Objects(snapshot: self)
        return kind.visitField(&objects)
    }

    /// Leaves the snapshot without objects of `kind`.
    public mutating func removeObjects(of kind: ResourceKind) {
        struct Remove: SnapshotFieldVisitor {
            var snapshot: ClusterSnapshot
            mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) { snapshot[keyPath: field.path] = [] }
        }
        var remove = Remove(snapshot: self)
        kind.visitField(&remove)
        self = remove.snapshot
    }

    /// The Gateway API routes of one route kind (the five share one model).
    public func routes(of kind: ResourceKind) -> [Route] {
        objects(of: kind).compactMap { $0 as? Route }
    }
}

/// What a scan judged: a live cluster, a snapshot saved by `lookout collect` (which keeps what it could
/// and could not read), or manifests and `kubectl get` dumps (where an absent kind is an empty one).
public enum InputMode: String, Codable, Sendable {
    case cluster, snapshot, manifests
}

/// `--include-namespaces` / `--exclude-namespaces`. They filter namespaced objects only: cluster-scoped
/// objects and cluster-level controls stay in the scan.
public struct NamespaceScope: Codable, Sendable, Hashable {
    public var included: [String]
    public var excluded: [String]
    public init(included: [String] = [], excluded: [String] = []) {
        self.included = included
        self.excluded = excluded
    }

    public func contains(_ namespace: String?) -> Bool {
        guard let namespace else { return true }
        if excluded.contains(namespace) { return false }
        return included.isEmpty || included.contains(namespace)
    }
}
