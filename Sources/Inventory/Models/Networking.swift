import FoundationEssentials

public struct Service: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var type: String?
        public var selector: [String: String]?
        public var ports: [ServicePort]?
        public var externalIPs: [String]?
        public init(type: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil) {
            self.type = type
            self.selector = selector
            self.ports = ports
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// NodePort and LoadBalancer Services are reachable from outside the cluster network.
    public var isExternallyReachable: Bool {
        spec.type == "NodePort" || spec.type == "LoadBalancer" || !(spec.externalIPs ?? []).isEmpty
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?
    public var `protocol`: String?
    public init(port: Int, targetPort: IntOrString? = nil, nodePort: Int? = nil) {
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

/// Decodes both networking.k8s.io/v1 (`service.name`) and the older v1beta1 (`serviceName`) shapes.
public struct IngressBackend: Codable, Sendable, Hashable {
    public struct ServiceBackend: Codable, Sendable, Hashable {
        public var name: String
        public init(name: String) { self.name = name }
    }
    public var service: ServiceBackend?
    public var serviceName: String?
    public init(serviceName: String) { self.service = ServiceBackend(name: serviceName) }

    public var serviceNameAnyVersion: String? { service?.name ?? serviceName }
}

public struct Ingress: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var defaultBackend: IngressBackend?
        /// The v1beta1 name of `defaultBackend`.
        public var backend: IngressBackend?
        public var rules: [Rule]?
        public var tls: [Present]?
        public init(defaultBackend: IngressBackend? = nil, rules: [Rule]? = nil, tls: [Present]? = nil) {
            self.defaultBackend = defaultBackend
            self.rules = rules
            self.tls = tls
        }
    }
    public struct Rule: Codable, Sendable, Hashable {
        public var host: String?
        public var http: HTTPRule?
        public init(host: String? = nil, http: HTTPRule?) {
            self.host = host
            self.http = http
        }
    }
    public struct HTTPRule: Codable, Sendable, Hashable {
        public var paths: [Path]
        public init(paths: [Path]) { self.paths = paths }
    }
    public struct Path: Codable, Sendable, Hashable {
        public var path: String?
        public var backend: IngressBackend
        public init(path: String? = nil, backend: IngressBackend) {
            self.path = path
            self.backend = backend
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Names of the Services this Ingress sends traffic to.
    public var backendServiceNames: [String] {
        var names: [String] = []
        for backend in [spec.defaultBackend, spec.backend].compactMap({ $0 }) {
            if let name = backend.serviceNameAnyVersion { names.append(name) }
        }
        for rule in spec.rules ?? [] {
            for path in rule.http?.paths ?? [] {
                if let name = path.backend.serviceNameAnyVersion { names.append(name) }
            }
        }
        return names
    }
}

public struct NetworkPolicy: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var podSelector: LabelSelector
        public var policyTypes: [String]?
        public var ingress: [Present]?
        public var egress: [Present]?
        public init(podSelector: LabelSelector = LabelSelector(), policyTypes: [String]? = nil) {
            self.podSelector = podSelector
            self.policyTypes = policyTypes
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: `spec` or a list in `specs`.
public struct CiliumPolicy: KubeObject, Hashable {
    public struct Rule: Codable, Sendable, Hashable {
        public var endpointSelector: LabelSelector?
        public var nodeSelector: LabelSelector?
        public var ingress: [Present]?
        public var ingressDeny: [Present]?
        public var egress: [Present]?
        public var egressDeny: [Present]?
        public init(endpointSelector: LabelSelector?, ingress: [Present]? = nil, egress: [Present]? = nil) {
            self.endpointSelector = endpointSelector
            self.ingress = ingress
            self.egress = egress
        }

        public var hasIngressRules: Bool { ingress != nil || ingressDeny != nil }
        public var hasEgressRules: Bool { egress != nil || egressDeny != nil }
    }
    public var metadata: ObjectMeta
    public var spec: Rule?
    public var specs: [Rule]?
    public init(metadata: ObjectMeta, spec: Rule?) {
        self.metadata = metadata
        self.spec = spec
    }

    public var rules: [Rule] { (spec.map { [$0] } ?? []) + (specs ?? []) }
}
