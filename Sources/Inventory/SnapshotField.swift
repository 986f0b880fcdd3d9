/// Where the objects of one kind live in a ClusterSnapshot, with their model type: the one table that
/// lets the collector, the snapshot reader and writer and the manifest loader handle every kind through
/// generic code on the concrete type (no `any KubeObject` box per object, no `as?` cast per object).
public struct SnapshotField<Object: KubeObject>: Sendable {
    public let kind: ResourceKind
    /// The field's key in a saved snapshot.
    public let key: String
    public let path: WritableKeyPath<ClusterSnapshot, [Object]> & Sendable
}

/// Work done on one kind with its concrete model type; `ResourceKind.visitField` calls `visit` with the
/// kind's field and returns what it returns.
public protocol SnapshotFieldVisitor {
    associatedtype Output = Void
    associatedtype Failure: Error = Never
    mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) throws(Failure) -> Output
}

extension ResourceKind {
    public func visitField<Visitor: SnapshotFieldVisitor>(_ visitor: inout Visitor) throws(Visitor.Failure) -> Visitor.Output {
        func field<Object: KubeObject>(_ key: String, _ path: WritableKeyPath<ClusterSnapshot, [Object]> & Sendable)
            throws(Visitor.Failure) -> Visitor.Output
        {
            try visitor.visit(SnapshotField(kind: self, key: key, path: path))
        }
        return switch self {
        case .namespaces: try field("namespaces", \.namespaces)
        case .nodes: try field("nodes", \.nodes)
        case .pods: try field("pods", \.pods)
        case .deployments: try field("deployments", \.deployments)
        case .replicasets: try field("replicaSets", \.replicaSets)
        case .daemonsets: try field("daemonSets", \.daemonSets)
        case .statefulsets: try field("statefulSets", \.statefulSets)
        case .jobs: try field("jobs", \.jobs)
        case .cronjobs: try field("cronJobs", \.cronJobs)
        case .replicationcontrollers: try field("replicationControllers", \.replicationControllers)
        case .persistentvolumeclaims: try field("persistentVolumeClaims", \.persistentVolumeClaims)
        case .gateways: try field("istioGateways", \.istioGateways)
        case .virtualservices: try field("virtualServices", \.virtualServices)
        case .services: try field("services", \.services)
        case .ingresses: try field("ingresses", \.ingresses)
        case .networkpolicies: try field("networkPolicies", \.networkPolicies)
        case .serviceaccounts: try field("serviceAccounts", \.serviceAccounts)
        case .configmaps: try field("configMaps", \.configMaps)
        case .roles: try field("roles", \.roles)
        case .rolebindings: try field("roleBindings", \.roleBindings)
        case .clusterroles: try field("clusterRoles", \.clusterRoles)
        case .clusterrolebindings: try field("clusterRoleBindings", \.clusterRoleBindings)
        case .resourcequotas: try field("resourceQuotas", \.resourceQuotas)
        case .limitranges: try field("limitRanges", \.limitRanges)
        case .validatingwebhookconfigurations: try field("validatingWebhookConfigurations", \.validatingWebhookConfigurations)
        case .mutatingwebhookconfigurations: try field("mutatingWebhookConfigurations", \.mutatingWebhookConfigurations)
        case .apiservices: try field("apiServices", \.apiServices)
        case .ciliumnetworkpolicies: try field("ciliumNetworkPolicies", \.ciliumNetworkPolicies)
        case .ciliumclusterwidenetworkpolicies: try field("ciliumClusterwideNetworkPolicies", \.ciliumClusterwideNetworkPolicies)
        case .horizontalpodautoscalers: try field("horizontalPodAutoscalers", \.horizontalPodAutoscalers)
        case .persistentvolumes: try field("persistentVolumes", \.persistentVolumes)
        case .podsecuritypolicies: try field("podSecurityPolicies", \.podSecurityPolicies)
        case .validatingadmissionpolicies: try field("validatingAdmissionPolicies", \.validatingAdmissionPolicies)
        case .validatingadmissionpolicybindings: try field("validatingAdmissionPolicyBindings", \.validatingAdmissionPolicyBindings)
        case .httproutes: try field("httpRoutes", \.httpRoutes)
        case .grpcroutes: try field("grpcRoutes", \.grpcRoutes)
        case .tcproutes: try field("tcpRoutes", \.tcpRoutes)
        case .udproutes: try field("udpRoutes", \.udpRoutes)
        case .tlsroutes: try field("tlsRoutes", \.tlsRoutes)
        case .vulnerabilityreports: try field("vulnerabilityReports", \.vulnerabilityReports)
        }
    }

    /// The kind whose objects a saved snapshot keeps under `key`.
    static let bySnapshotKey: [String: ResourceKind] = {
        struct Key: SnapshotFieldVisitor {
            func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> String { field.key }
        }
        var key = Key()
        return Dictionary(uniqueKeysWithValues: allCases.map { ($0.visitField(&key), $0) })
    }()
}
