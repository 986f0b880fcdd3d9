import Inventory

/// One rule granted to one subject through one binding. RBAC controls aggregate these per subject.
public struct Grant: Sendable, Hashable {
    public var subject: Subject
    public var rule: PolicyRule
    /// Index of the rule in the role, for evidence.
    public var ruleIndex: Int
    public var role: RelatedObject
    public var binding: RelatedObject
    /// The namespace the power applies in; nil for cluster-wide (ClusterRoleBinding).
    public var namespace: String?

    public var related: [RelatedObject] { [role, binding] }
}

extension PolicyRule {
    /// A rule equal to cluster-admin: every verb on every resource of the core or every group.
    public var isAdministrative: Bool {
        verbs.contains("*") && (resources ?? []).contains("*") && (apiGroups ?? []).contains { $0 == "*" || $0.isEmpty }
    }

    /// Whether the rule lets a caller learn only about the API and itself: non-resource URLs (discovery,
    /// health, OIDC), or creating self-reviews (SelfSubjectAccessReview, SelfSubjectRulesReview,
    /// SelfSubjectReview). The bootstrap roles every cluster binds to all authenticated callers grant
    /// nothing else.
    public var isSelfDiscovery: Bool {
        let resources = self.resources ?? []
        if resources.isEmpty { return true }
        let selfReviews: Set<String> = ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]
        return resources.allSatisfy(selfReviews.contains) && verbs.allSatisfy { $0 == "create" }
            && (apiGroups ?? []).allSatisfy { ["authorization.k8s.io", "authentication.k8s.io"].contains($0) }
    }

    /// `verbs=[…] apiGroups=[…] resources=[…]` for evidence lines.
    public var summary: String {
        var parts = ["verbs=[\(verbs.joined(separator: ","))]"]
        if let apiGroups { parts.append("apiGroups=[\(apiGroups.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ","))]") }
        if let resources { parts.append("resources=[\(resources.joined(separator: ","))]") }
        if let resourceNames, !resourceNames.isEmpty { parts.append("resourceNames=[\(resourceNames.joined(separator: ","))]") }
        if let nonResourceURLs { parts.append("nonResourceURLs=[\(nonResourceURLs.joined(separator: ","))]") }
        return parts.joined(separator: " ")
    }
}

extension Grant {
    /// Every rule every subject holds, resolving RoleBindings to Roles or ClusterRoles (a RoleBinding to a
    /// ClusterRole grants it only in the binding's namespace) and aggregated ClusterRoles to the rules of
    /// the roles their selectors pick (for snapshots taken from manifests, where no controller filled them).
    static func all(in snapshot: ClusterSnapshot) -> [Grant] {
        let clusterRoles = Dictionary(snapshot.clusterRoles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        struct RoleKey: Hashable { var namespace: String?, name: String }
        let roles = Dictionary(
            snapshot.roles.map { (RoleKey(namespace: $0.namespace, name: $0.name), $0) },
            uniquingKeysWith: { first, _ in first })

        func effectiveRules(of clusterRole: Role) -> [PolicyRule] {
            var rules = clusterRole.rules ?? []
            for selector in clusterRole.aggregationRule?.clusterRoleSelectors ?? [] {
                for candidate in snapshot.clusterRoles
                where candidate.name != clusterRole.name && candidate.aggregationRule == nil
                    && selector.matches(candidate.labels)
                {
                    for rule in candidate.rules ?? [] where !rules.contains(rule) { rules.append(rule) }
                }
            }
            return rules
        }

        var grants: [Grant] = []
        for binding in BindingObject.all(in: snapshot) {
            let rules: [PolicyRule]
            switch binding.role.kind {
            case "ClusterRole":
                guard let role = clusterRoles[binding.role.name] else { continue }
                rules = effectiveRules(of: role)
            case "Role":
                guard let namespace = binding.namespace, let role = roles[RoleKey(namespace: namespace, name: binding.role.name)] else {
                    continue
                }
                rules = role.rules ?? []
            default: continue
            }
            for subject in binding.subjects {
                for (index, rule) in rules.enumerated() {
                    grants.append(
                        Grant(subject: subject, rule: rule, ruleIndex: index, role: binding.role, binding: binding.related,
                              namespace: binding.namespace))
                }
            }
        }
        return grants
    }
}

extension Subject {
    /// One identity per subject whatever the binding wrote: a ServiceAccount's namespace defaults to the
    /// binding's, other kinds have none, and apiGroup is left out.
    func normalized(bindingNamespace: String?) -> Subject {
        var subject = Subject(kind: kind, name: name, namespace: kind == "ServiceAccount" ? (namespace ?? bindingNamespace) : nil)
        subject.apiGroup = nil
        return subject
    }

    /// Subjects are reported as resources of their own kind.
    public var ref: ResourceRef {
        ResourceRef(
            apiVersion: kind == "ServiceAccount" ? "v1" : "rbac.authorization.k8s.io/v1", kind: kind,
            namespace: kind == "ServiceAccount" ? namespace : nil, name: name)
    }
}
