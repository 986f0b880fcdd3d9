/// The API resources Lookout reads. Each names the group, the versions it can decode in order of
/// preference (discovery picks the first one the server serves) and whether it is namespaced.
public enum ResourceKind: String, CaseIterable, Codable, Sendable, Comparable {
    case namespaces, nodes, pods, deployments, replicasets, daemonsets, statefulsets, jobs, cronjobs, replicationcontrollers
    case services, ingresses, networkpolicies, serviceaccounts, configmaps, persistentvolumeclaims
    case roles, rolebindings, clusterroles, clusterrolebindings
    case resourcequotas, limitranges
    case validatingwebhookconfigurations, mutatingwebhookconfigurations, apiservices
    case ciliumnetworkpolicies, ciliumclusterwidenetworkpolicies
    case horizontalpodautoscalers, persistentvolumes, podsecuritypolicies
    case validatingadmissionpolicies, validatingadmissionpolicybindings
    case httproutes, grpcroutes, tcproutes, udproutes, tlsroutes
    /// Istio's Gateway and VirtualService (networking.istio.io); Gateway API gateways are not read.
    case gateways, virtualservices
    case vulnerabilityreports

    public var group: String {
        switch self {
        case .namespaces, .nodes, .pods, .services, .serviceaccounts, .configmaps, .resourcequotas, .limitranges,
            .replicationcontrollers, .persistentvolumeclaims:
            ""
        case .deployments, .replicasets, .daemonsets, .statefulsets: "apps"
        case .jobs, .cronjobs: "batch"
        case .ingresses, .networkpolicies: "networking.k8s.io"
        case .roles, .rolebindings, .clusterroles, .clusterrolebindings: "rbac.authorization.k8s.io"
        case .validatingwebhookconfigurations, .mutatingwebhookconfigurations: "admissionregistration.k8s.io"
        case .apiservices: "apiregistration.k8s.io"
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies: "cilium.io"
        case .horizontalpodautoscalers: "autoscaling"
        case .persistentvolumes: ""
        case .podsecuritypolicies: "policy"
        case .validatingadmissionpolicies, .validatingadmissionpolicybindings: "admissionregistration.k8s.io"
        case .httproutes, .grpcroutes, .tcproutes, .udproutes, .tlsroutes: "gateway.networking.k8s.io"
        case .gateways, .virtualservices: "networking.istio.io"
        case .vulnerabilityreports: "aquasecurity.github.io"
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
        case .horizontalpodautoscalers: ["v2", "v1"]
        case .podsecuritypolicies: ["v1beta1"]
        case .validatingadmissionpolicies, .validatingadmissionpolicybindings: ["v1", "v1beta1"]
        case .httproutes, .grpcroutes: ["v1", "v1beta1", "v1alpha2"]
        case .tcproutes, .udproutes, .tlsroutes: ["v1alpha2"]
        case .gateways, .virtualservices: ["v1", "v1beta1", "v1alpha3"]
        case .vulnerabilityreports: ["v1alpha1"]
        default: ["v1"]
        }
    }

    public var isNamespaced: Bool {
        switch self {
        case .namespaces, .nodes, .clusterroles, .clusterrolebindings, .validatingwebhookconfigurations,
            .mutatingwebhookconfigurations, .apiservices, .ciliumclusterwidenetworkpolicies, .persistentvolumes,
            .podsecuritypolicies, .validatingadmissionpolicies, .validatingadmissionpolicybindings:
            false
        default: true
        }
    }

    /// APIs that only some clusters serve (CRDs, removed or newer built-ins) are skipped quietly when
    /// absent; controls that need them say so in their skip reason.
    public var isOptional: Bool {
        switch self {
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies, .podsecuritypolicies,
            .validatingadmissionpolicies, .validatingadmissionpolicybindings, .httproutes, .grpcroutes, .tcproutes,
            .udproutes, .tlsroutes, .gateways, .virtualservices, .vulnerabilityreports:
            true
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
        case .replicationcontrollers: "ReplicationController"
        case .services: "Service"
        case .ingresses: "Ingress"
        case .networkpolicies: "NetworkPolicy"
        case .serviceaccounts: "ServiceAccount"
        case .configmaps: "ConfigMap"
        case .persistentvolumeclaims: "PersistentVolumeClaim"
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
        case .horizontalpodautoscalers: "HorizontalPodAutoscaler"
        case .persistentvolumes: "PersistentVolume"
        case .podsecuritypolicies: "PodSecurityPolicy"
        case .validatingadmissionpolicies: "ValidatingAdmissionPolicy"
        case .validatingadmissionpolicybindings: "ValidatingAdmissionPolicyBinding"
        case .httproutes: "HTTPRoute"
        case .grpcroutes: "GRPCRoute"
        case .tcproutes: "TCPRoute"
        case .udproutes: "UDPRoute"
        case .tlsroutes: "TLSRoute"
        case .gateways: "Gateway"
        case .virtualservices: "VirtualService"
        case .vulnerabilityreports: "VulnerabilityReport"
        }
    }

    /// The resource whose objects are of `kind` ("Pod" → pods); nil for a kind Lookout does not read.
    public init?(kind: String) {
        guard let resource = Self.allCases.first(where: { $0.kind == kind }) else { return nil }
        self = resource
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
