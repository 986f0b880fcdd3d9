import FoundationEssentials

public struct PolicyRule: Codable, Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]?
    public var resources: [String]?
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(
        verbs: [String], apiGroups: [String]? = nil, resources: [String]? = nil, resourceNames: [String]? = nil,
        nonResourceURLs: [String]? = nil
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }
}

public struct AggregationRule: Codable, Sendable, Hashable {
    public var clusterRoleSelectors: [LabelSelector]?
    public init(clusterRoleSelectors: [LabelSelector]?) { self.clusterRoleSelectors = clusterRoleSelectors }
}

/// Role and ClusterRole; only a ClusterRole carries an aggregation rule.
public struct Role: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    public var aggregationRule: AggregationRule?
    public init(metadata: ObjectMeta, rules: [PolicyRule]?, aggregationRule: AggregationRule? = nil) {
        self.metadata = metadata
        self.rules = rules
        self.aggregationRule = aggregationRule
    }
}

public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String?
    public var kind: String
    public var name: String
    public init(kind: String, name: String) {
        self.apiGroup = "rbac.authorization.k8s.io"
        self.kind = kind
        self.name = name
    }
}

public struct Subject: Codable, Sendable, Hashable, Comparable {
    public var kind: String
    public var name: String
    public var namespace: String?
    public var apiGroup: String?
    public init(kind: String, name: String, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    public static func < (lhs: Subject, rhs: Subject) -> Bool {
        (lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.kind, rhs.namespace ?? "", rhs.name)
    }
}

/// RoleBinding and ClusterRoleBinding.
public struct RoleBinding: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var roleRef: RoleRef
    public var subjects: [Subject]?
    public init(metadata: ObjectMeta, roleRef: RoleRef, subjects: [Subject]?) {
        self.metadata = metadata
        self.roleRef = roleRef
        self.subjects = subjects
    }
}

public struct ServiceAccount: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var automountServiceAccountToken: Bool?
    public init(metadata: ObjectMeta, automountServiceAccountToken: Bool? = nil) {
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}
