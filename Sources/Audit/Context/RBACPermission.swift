import Inventory

/// A power a control looks for, and the one place RBAC rules are matched against it. Matching follows
/// Kubernetes' RBAC authorizer (rbac/v1 `RuleAllows`): `*` in verbs, apiGroups or resources matches
/// anything, a subresource such as `pods/exec` is also matched by `*/exec`, and a non-resource URL by
/// `*` or a prefix ending in `*`. Lookout also counts `pods/*` for every subresource of pods: Kubernetes
/// does not expand it, but Kubescape counts it and a role that says it means to grant them all.
/// A RoleBinding to a ClusterRole grants the role only in the binding's namespace, so powers over
/// cluster-scoped resources (nodes, CSRs, webhook configurations, persistent volumes) count only when
/// a ClusterRoleBinding grants them.
struct Permission: Sendable {
    /// Any of these verbs; nil: any verb at all.
    var verbs: [String]?
    /// Any of these resources; subresources are written `pods/exec`.
    var resources: [String]
    /// Any of these API groups ("" is the core group); nil: any group.
    var apiGroups: [String]?
    /// Which objects of the resources the power is over, against a rule's `resourceNames`.
    var objects: Objects = .anyRule
    /// Any of these non-resource URLs (`/metrics`), instead of or besides resources.
    var nonResourceURLs: [String] = []
    /// The resources are cluster-scoped: a RoleBinding cannot grant them, only a ClusterRoleBinding.
    var clusterScoped = false
    /// The power matters only in this namespace: grants that reach it (ClusterRoleBindings and
    /// RoleBindings there) count, others do not.
    var namespace: String? = nil

    /// How a rule limited to named objects (`resourceNames`) counts.
    enum Objects: Sendable, Hashable {
        /// As if it were not limited: Kubescape ignores resourceNames, and so do the controls that follow it.
        case anyRule
        /// It does not count: the power is over objects a caller cannot name in advance (create, list).
        case unnamed
        /// It counts when it names this object.
        case named(String)
    }

    func isGranted(by grant: Grant) -> Bool {
        if let granted = grant.namespace {
            if clusterScoped { return false }
            if let namespace, granted != namespace { return false }
        }
        return grant.rule.permits(self)
    }

    /// The same verbs and groups on more resources.
    func adding(resources more: [String]) -> Permission {
        var copy = self
        copy.resources += more
        return copy
    }
}

extension PolicyRule {
    /// Whether this rule grants `permission`.
    func permits(_ permission: Permission) -> Bool {
        if let wanted = permission.verbs, !verbs.contains("*"), !verbs.contains(where: wanted.contains) { return false }
        let urls = nonResourceURLs ?? []
        if permission.nonResourceURLs.contains(where: { wanted in urls.contains { Self.url($0, covers: wanted) } }) { return true }
        if let wanted = permission.apiGroups {
            let granted = apiGroups ?? []
            guard granted.contains("*") || granted.contains(where: wanted.contains) else { return false }
        }
        let names = resourceNames ?? []
        switch permission.objects {
        case .anyRule: break
        case .unnamed: guard names.isEmpty else { return false }
        case .named(let name): guard names.isEmpty || names.contains(name) else { return false }
        }
        let granted = resources ?? []
        return permission.resources.contains { wanted in granted.contains { Self.resource($0, covers: wanted) } }
    }

    static func resource(_ granted: String, covers wanted: String) -> Bool {
        if granted == "*" || granted == wanted { return true }
        guard let slash = wanted.firstIndex(of: "/") else { return false }
        let parent = wanted[..<slash]
        let subresource = wanted[wanted.index(after: slash)...]
        return granted == "*/\(subresource)" || granted == "\(parent)/*"
    }

    static func url(_ granted: String, covers wanted: String) -> Bool {
        if granted == "*" || granted == wanted { return true }
        return granted.hasSuffix("*") && wanted.hasPrefix(granted.dropLast())
    }
}
