import FoundationEssentials

public struct Namespace: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct Node: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var taints: [Taint]?
        public var unschedulable: Bool?
        /// `aws:///…`, `gce://…`, `azure://…`: the cloud the node runs in.
        public var providerID: String?
        public init(providerID: String? = nil) { self.providerID = providerID }
    }
    public struct Taint: Codable, Sendable, Hashable {
        public var key: String
        public var value: String?
        public var effect: String?
    }
    public struct Status: Codable, Sendable, Hashable {
        public var nodeInfo: NodeInfo?
        public var addresses: [Address]?
        public var daemonEndpoints: DaemonEndpoints?
        public init(nodeInfo: NodeInfo? = nil) { self.nodeInfo = nodeInfo }
    }
    public struct NodeInfo: Codable, Sendable, Hashable {
        public var kubeletVersion: String?
        public var containerRuntimeVersion: String?
        public var kernelVersion: String?
        public var osImage: String?
        public var operatingSystem: String?
        public var architecture: String?
        public init(kubeletVersion: String? = nil, containerRuntimeVersion: String? = nil, kernelVersion: String? = nil) {
            self.kubeletVersion = kubeletVersion
            self.containerRuntimeVersion = containerRuntimeVersion
            self.kernelVersion = kernelVersion
        }
    }
    public struct Address: Codable, Sendable, Hashable {
        public var type: String
        public var address: String
    }
    public struct DaemonEndpoints: Codable, Sendable, Hashable {
        public struct Endpoint: Codable, Sendable, Hashable { public var Port: Int? }
        public var kubeletEndpoint: Endpoint?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?
    public init(metadata: ObjectMeta, status: Status? = nil) {
        self.metadata = metadata
        self.status = status
    }
}

public struct ConfigMap: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// The entries a snapshot saved by `lookout collect` holds in place of `data` values that look like credentials.
    public var redactedData: [String: RedactedValue]?
    public init(metadata: ObjectMeta, data: [String: String]?) {
        self.metadata = metadata
        self.data = data
    }
}

/// ResourceQuota and LimitRange: controls only ask whether a namespace has one.
public struct NamespacePolicyObject: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct APIService: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct ServiceReference: Codable, Sendable, Hashable {
            public var namespace: String?
            public var name: String?
        }
        public var service: ServiceReference?
        public var group: String?
        public var version: String?
        public var insecureSkipTLSVerify: Bool?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
}
