/// The API resources Lookout reads. Each names the group, the versions it can decode in order of
/// preference (discovery picks the first one the server serves) and whether it is namespaced.
public enum ResourceKind: String, CaseIterable, Codable, Sendable, Comparable {
    case namespaces, nodes, pods, deployments, replicasets, daemonsets, statefulsets, jobs, cronjobs
    case services, ingresses, networkpolicies, serviceaccounts, configmaps
    case roles, rolebindings, clusterroles, clusterrolebindings
    case resourcequotas, limitranges
    case validatingwebhookconfigurations, mutatingwebhookconfigurations, apiservices
    case ciliumnetworkpolicies, ciliumclusterwidenetworkpolicies

    public var group: String {
        switch self {
        case .namespaces, .nodes, .pods, .services, .serviceaccounts, .configmaps, .resourcequotas, .limitranges: ""
        case .deployments, .replicasets, .daemonsets, .statefulsets: "apps"
        case .jobs, .cronjobs: "batch"
        case .ingresses, .networkpolicies: "networking.k8s.io"
        case .roles, .rolebindings, .clusterroles, .clusterrolebindings: "rbac.authorization.k8s.io"
        case .validatingwebhookconfigurations, .mutatingwebhookconfigurations: "admissionregistration.k8s.io"
        case .apiservices: "apiregistration.k8s.io"
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies: "cilium.io"
        }
    }

    /// Versions whose shape the models decode, best first. CronJob is batch/v1 from Kubernetes 1.21
    /// and only batch/v1beta1 before; Ingress v1beta1 is decoded through the same model.
    public var versions: [String] {
        switch self {
        case .cronjobs: ["v1", "v1beta1"]
        case .ingresses: ["v1", "v1beta1"]
        case .validatingwebhookconfigurations, .mutatingwebhookconfigurations: ["v1", "v1beta1"]
        case .apiservices: ["v1", "v1beta1"]
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies: ["v2"]
        default: ["v1"]
        }
    }

    public var isNamespaced: Bool {
        switch self {
        case .namespaces, .nodes, .clusterroles, .clusterrolebindings, .validatingwebhookconfigurations,
            .mutatingwebhookconfigurations, .apiservices, .ciliumclusterwidenetworkpolicies:
            false
        default: true
        }
    }

    /// Optional APIs (CRDs) are skipped quietly when the cluster does not serve them.
    public var isOptional: Bool {
        switch self {
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies: true
        default: false
        }
    }

    public var kind: String {
        switch self {
        case .namespaces: "Namespace"
        case .nodes: "Node"
        case .pods: "Pod"
        case .deployments: "Deployment"
        case .replicasets: "ReplicaSet"
        case .daemonsets: "DaemonSet"
        case .statefulsets: "StatefulSet"
        case .jobs: "Job"
        case .cronjobs: "CronJob"
        case .services: "Service"
        case .ingresses: "Ingress"
        case .networkpolicies: "NetworkPolicy"
        case .serviceaccounts: "ServiceAccount"
        case .configmaps: "ConfigMap"
        case .roles: "Role"
        case .rolebindings: "RoleBinding"
        case .clusterroles: "ClusterRole"
        case .clusterrolebindings: "ClusterRoleBinding"
        case .resourcequotas: "ResourceQuota"
        case .limitranges: "LimitRange"
        case .validatingwebhookconfigurations: "ValidatingWebhookConfiguration"
        case .mutatingwebhookconfigurations: "MutatingWebhookConfiguration"
        case .apiservices: "APIService"
        case .ciliumnetworkpolicies: "CiliumNetworkPolicy"
        case .ciliumclusterwidenetworkpolicies: "CiliumClusterwideNetworkPolicy"
        }
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
