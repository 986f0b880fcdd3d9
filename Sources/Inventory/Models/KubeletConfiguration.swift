/// The kubelet's live configuration as `/api/v1/nodes/<name>/proxy/configz` serves it (the
/// `kubeletconfig` member), limited to the settings controls read.
public struct KubeletConfiguration: Codable, Sendable, Hashable {
    public struct Authentication: Codable, Sendable, Hashable {
        public struct Anonymous: Codable, Sendable, Hashable { public var enabled: Bool? }
        public struct Webhook: Codable, Sendable, Hashable { public var enabled: Bool? }
        public struct X509: Codable, Sendable, Hashable { public var clientCAFile: String? }
        public var anonymous: Anonymous?
        public var webhook: Webhook?
        public var x509: X509?
    }
    public struct Authorization: Codable, Sendable, Hashable { public var mode: String? }

    public var authentication: Authentication?
    public var authorization: Authorization?
    public var readOnlyPort: Int?
    public var protectKernelDefaults: Bool?
    public var makeIPTablesUtilChains: Bool?
    public var rotateCertificates: Bool?
    public var serverTLSBootstrap: Bool?
    public var streamingConnectionIdleTimeout: String?
    public var eventRecordQPS: Int?
    public var tlsCipherSuites: [String]?
    public var tlsMinVersion: String?

    public init() {}
}

/// One node's kubelet configuration, or why it could not be read.
public struct NodeKubeletConfiguration: Codable, Sendable, Hashable {
    public var node: String
    public var configuration: KubeletConfiguration?
    public var error: String?

    public init(node: String, configuration: KubeletConfiguration?, error: String? = nil) {
        self.node = node
        self.configuration = configuration
        self.error = error
    }
}
