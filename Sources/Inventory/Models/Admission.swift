import FoundationEssentials

/// ValidatingWebhookConfiguration and MutatingWebhookConfiguration.
public struct WebhookConfiguration: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var webhooks: [Webhook]?
    public init(metadata: ObjectMeta, webhooks: [Webhook]?) {
        self.metadata = metadata
        self.webhooks = webhooks
    }
}

public struct Webhook: Codable, Sendable, Hashable {
    public struct Rule: Codable, Sendable, Hashable {
        public var operations: [String]?
        public var apiGroups: [String]?
        public var apiVersions: [String]?
        public var resources: [String]?
        public var scope: String?
    }
    public var name: String
    public var failurePolicy: String?
    public var namespaceSelector: LabelSelector?
    public var objectSelector: LabelSelector?
    public var rules: [Rule]?
    public var timeoutSeconds: Int?
    public init(name: String, failurePolicy: String? = nil, namespaceSelector: LabelSelector? = nil) {
        self.name = name
        self.failurePolicy = failurePolicy
        self.namespaceSelector = namespaceSelector
    }
}
