import FoundationEssentials

public struct HorizontalPodAutoscaler: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct Target: Codable, Sendable, Hashable {
            public var kind: String
            public var name: String
            public var apiVersion: String?
            public init(kind: String, name: String) {
                self.kind = kind
                self.name = name
            }
        }
        public var scaleTargetRef: Target
        public init(scaleTargetRef: Target) { self.scaleTargetRef = scaleTargetRef }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Only the fields that tell whether a volume's storage is encrypted at rest.
public struct PersistentVolume: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct CSI: Codable, Sendable, Hashable {
            public var driver: String
            public var volumeAttributes: [String: String]?
        }
        public struct AWSElasticBlockStore: Codable, Sendable, Hashable {
            public var volumeID: String?
        }
        public var storageClassName: String?
        public var csi: CSI?
        public var awsElasticBlockStore: AWSElasticBlockStore?
        public var hostPath: HostPathSource?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
}

public struct PodSecurityPolicy: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var privileged: Bool?
        public var allowPrivilegeEscalation: Bool?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
}

public struct ValidatingAdmissionPolicy: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct ValidatingAdmissionPolicyBinding: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct MatchResources: Codable, Sendable, Hashable {
            public var namespaceSelector: LabelSelector?
            public init(namespaceSelector: LabelSelector?) { self.namespaceSelector = namespaceSelector }
        }
        public var policyName: String?
        public var validationActions: [String]?
        /// Which namespaces the binding applies the policy in; nil means all.
        public var matchResources: MatchResources?
        public init(policyName: String?, validationActions: [String]? = nil, matchResources: MatchResources? = nil) {
            self.policyName = policyName
            self.validationActions = validationActions
            self.matchResources = matchResources
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public init(metadata: ObjectMeta, spec: Spec?) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Gateway API routes (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute): the Services they send to.
public struct Route: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct Rule: Codable, Sendable, Hashable {
            public var backendRefs: [BackendRef]?
            public init(backendRefs: [BackendRef]?) { self.backendRefs = backendRefs }
        }
        public struct BackendRef: Codable, Sendable, Hashable {
            public var group: String?
            public var kind: String?
            public var name: String
            public var namespace: String?
            public init(name: String, namespace: String? = nil) {
                self.name = name
                self.namespace = namespace
            }
        }
        public var rules: [Rule]?
        public init(rules: [Rule]?) { self.rules = rules }
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public init(metadata: ObjectMeta, spec: Spec?) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Backends that are Services (the default kind), with their namespace resolved.
    public var serviceBackends: [(namespace: String, name: String)] {
        (spec?.rules ?? []).flatMap { $0.backendRefs ?? [] }
            .filter { ($0.kind ?? "Service") == "Service" && ($0.group ?? "").isEmpty }
            .map { ($0.namespace ?? namespace, $0.name) }
    }
}

/// Trivy Operator's per-workload report; the summary counts are all a control needs.
public struct VulnerabilityReport: KubeObject, Hashable {
    public struct Report: Codable, Sendable, Hashable {
        public struct Summary: Codable, Sendable, Hashable {
            public var criticalCount: Int?
            public var highCount: Int?
            public init(criticalCount: Int?, highCount: Int? = nil) {
                self.criticalCount = criticalCount
                self.highCount = highCount
            }
        }
        public struct Artifact: Codable, Sendable, Hashable {
            public var repository: String?
            public var tag: String?
        }
        public var summary: Summary?
        public var artifact: Artifact?
        public init(summary: Summary?) { self.summary = summary }
    }
    public var metadata: ObjectMeta
    public var report: Report?
    public init(metadata: ObjectMeta, report: Report?) {
        self.metadata = metadata
        self.report = report
    }
}

/// Controls only ask whether a claim exists in a namespace.
public struct PersistentVolumeClaim: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

/// Istio's Gateway (networking.istio.io): the ingress gateway pods its selector picks serve its listeners.
public struct IstioGateway: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var selector: [String: String]?
        public init(selector: [String: String]?) { self.selector = selector }
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public init(metadata: ObjectMeta, spec: Spec?) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Istio's VirtualService: the gateways it is bound to and the hosts its HTTP, TLS and TCP routes send to.
public struct VirtualService: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var gateways: [String]?
        public var http: [Route]?
        public var tls: [Route]?
        public var tcp: [Route]?
        public init(gateways: [String]?, http: [Route]?) {
            self.gateways = gateways
            self.http = http
        }
    }
    public struct Route: Codable, Sendable, Hashable {
        public var route: [RouteDestination]?
        public init(route: [RouteDestination]?) { self.route = route }
    }
    public struct RouteDestination: Codable, Sendable, Hashable {
        public var destination: Destination?
        public init(host: String) { self.destination = Destination(host: host) }
    }
    public struct Destination: Codable, Sendable, Hashable {
        public var host: String
        public init(host: String) { self.host = host }
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public init(metadata: ObjectMeta, spec: Spec?) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Every destination host with the path of its field.
    public var destinationHosts: [(path: String, host: String)] {
        [("http", spec?.http), ("tls", spec?.tls), ("tcp", spec?.tcp)].flatMap { field, routes in
            (routes ?? []).enumerated().flatMap { routeIndex, route in
                (route.route ?? []).enumerated().compactMap { destinationIndex, destination in
                    destination.destination.map { ("spec.\(field)[\(routeIndex)].route[\(destinationIndex)].destination.host", $0.host) }
                }
            }
        }
    }
}
