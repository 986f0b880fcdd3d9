import Inventory

/// Controls over what subjects may do, aggregated per subject across all bindings.
///
/// Rules are matched the way the RBAC authorizer matches them: `*` in verbs, resources or apiGroups
/// matches anything, and a subresource such as `pods/exec` is also matched by `*/exec`. Lookout counts
/// `pods/*` as well: Kubernetes does not expand it, but Kubescape counts it and a role that says it
/// means to grant every subresource. `resourceNames` are ignored, as Kubescape ignores them, except by
/// C-0037. A RoleBinding to a ClusterRole grants the role only in the binding's namespace, so powers
/// over cluster-scoped resources (nodes, CSRs, webhook configurations, persistent volumes) count only
/// when a ClusterRoleBinding grants them.
enum RBACControls {
    static let all: [Control] = [
        administrativeRoles, wildcardRoles, clusterAdminUsage, createPods, execIntoContainer, listSecrets,
        secretAccess, portForwarding, impersonation, deleteEvents, coreDNSPoisoning, deleteCapabilities,
        bindEscalateImpersonate, createPersistentVolumes, nodesProxy, csrApproval, webhookConfigurationAccess,
        tokenCreation, serviceAccountAccess, anonymousBindings, authenticatedElevatedRoles, dashboardAccess,
        defaultServiceAccounts, systemMasters,
        escalationThroughRBAC, mintTokens, kubeletAccess, approveCertificates, changeAdmission,
        workloadsInKubeSystem, defaultServiceAccountInUse, danglingBindings,
    ]

    static let rbacKinds: [ResourceKind] = [.roles, .clusterroles, .rolebindings, .clusterrolebindings]
    static let bindingKinds: [ResourceKind] = [.rolebindings, .clusterrolebindings]

    /// A rule equal to cluster-admin: every verb on every resource of the core or every group.
    static func isAdministrative(_ rule: PolicyRule) -> Bool {
        rule.verbs.contains("*") && (rule.resources ?? []).contains("*")
            && (rule.apiGroups ?? []).contains { $0 == "*" || $0.isEmpty }
    }

    static let administrativeRoles = Control(
        id: "C-0035", name: "Administrative Roles", baseScore: 6,
        frameworks: ["NSA", "MITRE", "SOC2", "ClusterScan", "ArmoBest", "security"],
        description: "Fails every subject (User, Group or ServiceAccount) bound to a rule that allows every verb on every resource: cluster-admin or an equivalent role.",
        rationale: "A subject with wildcard verbs on wildcard resources controls the whole cluster, or the whole namespace for a RoleBinding: it can read every Secret, run privileged pods and rewrite RBAC. A stolen token of such a subject is a cluster takeover.",
        remediation: "Bind subjects to roles that list the verbs and resources they need. Keep cluster-admin for break-glass accounts; remove bindings of ServiceAccounts and ordinary users to it.",
        example: "kubectl get clusterrolebindings -o wide | grep cluster-admin\nkubectl delete clusterrolebinding ci-deployer-admin",
        reads: rbacKinds,
        evaluate: administrativeSubjects
    )

    static let wildcardRoles = Control(
        id: "C-0187", name: "Minimize wildcard use in Roles and ClusterRoles", baseScore: 7,
        frameworks: ["ClusterScan", "cis-v1.12.0"],
        description: "Fails every subject bound to a rule with wildcard verbs on wildcard resources (CIS 5.1.3); the same rule as C-0035.",
        rationale: "A wildcard rule grants every present and future resource type, including custom resources installed later and subresources such as pods/exec, so the real power of the role grows without anyone editing it.",
        remediation: "Replace `*` in verbs and resources with the explicit verbs and resources the subject needs; keep wildcards only in cluster-admin.",
        example: "rules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, watch, update, patch]",
        reads: rbacKinds,
        evaluate: administrativeSubjects
    )

    /// C-0035 and C-0187 are one condition under two names.
    @Sendable static func administrativeSubjects(_ context: AuditContext) -> ControlOutcome {
        context.evaluateSubjects { subject, grants in
            context.subjectFailure(
                "\(subject.kind) \(subject.name) has administrative (wildcard) permissions",
                grants: grants.filter { isAdministrative($0.rule) })
        }
    }

    /// Identities the control plane gives itself: `system:masters` and the other `system:` users and
    /// groups of components (kube-controller-manager, kube-scheduler, system:nodes), and kubeadm's
    /// `kubeadm:cluster-admins` group (the admin.conf identity since kubeadm 1.29). The `system:` names
    /// that stand for whole classes of callers — system:authenticated, system:unauthenticated,
    /// system:anonymous, system:serviceaccounts[:ns] and ServiceAccounts written as users
    /// (system:serviceaccount:ns:name) — are not built in: binding them to cluster-admin is the finding.
    static func isBuiltInSystemSubject(_ subject: Subject) -> Bool {
        guard subject.kind == "User" || subject.kind == "Group" else { return false }
        if subject.kind == "Group" && subject.name == "kubeadm:cluster-admins" { return true }
        guard subject.name.hasPrefix("system:") else { return false }
        let classes = ["system:authenticated", "system:unauthenticated", "system:anonymous", "system:serviceaccounts"]
        return !classes.contains(subject.name) && !subject.name.hasPrefix("system:serviceaccounts:")
            && !subject.name.hasPrefix("system:serviceaccount:")
    }

    static let clusterAdminUsage = Control(
        id: "C-0185", name: "cluster-admin role only used where required", baseScore: 8,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject, other than the control plane's own system identities, that a ClusterRoleBinding binds to the cluster-admin ClusterRole (CIS 5.1.1).",
        rationale: "cluster-admin is every permission on every object in every namespace. Each extra holder is a credential whose theft is a full cluster takeover, and such bindings are rarely reviewed once created.",
        remediation: "Bind each such subject to a role with the permissions it needs (or a namespaced RoleBinding), then delete its ClusterRoleBinding to cluster-admin.",
        example: "kubectl get clusterrolebindings -o json | jq -r '.items[] | select(.roleRef.name==\"cluster-admin\") | .metadata.name'\nkubectl delete clusterrolebinding ci-admin",
        reads: rbacKinds,
        notes: "Built-in subjects are exempt: Group system:masters, other users and groups named `system:…` except system:authenticated, system:unauthenticated, system:anonymous, system:serviceaccounts[:ns] and system:serviceaccount:… users, and kubeadm's Group kubeadm:cluster-admins. Kubescape's rule exempts nobody, so it fails every cluster on the system:masters binding the API server creates itself."
    ) { context in
        context.evaluateSubjects { subject, grants in
            guard !isBuiltInSystemSubject(subject) else { return nil }
            return context.subjectFailure(
                "\(subject.ref.displayName) is bound to cluster-admin",
                grants: grants.filter {
                    $0.binding.kind == "ClusterRoleBinding" && $0.role.kind == "ClusterRole" && $0.role.name == "cluster-admin"
                        && isAdministrative($0.rule)
                })
        }
    }

    static let systemMasters = Control(
        id: "C-0246", name: "Avoid use of system:masters", baseScore: 8,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.1.7: no user should be a member of the system:masters group. Manual review: reported as skipped.",
        rationale: "Members of system:masters bypass RBAC and admission webhooks entirely and cannot be revoked by editing RBAC: only rotating the cluster CA removes a leaked certificate.",
        remediation: "Issue ordinary users certificates or OIDC tokens without O=system:masters and grant them RBAC roles; keep the system:masters credential offline for break-glass use.",
        example: "openssl x509 -in admin.crt -noout -subject   # O = system:masters marks a member",
        reads: [],
        notes: "Skipped by design, as in Kubescape (`actionRequired: manual review`): group membership is carried in client certificates and authenticator tokens, which the API does not list."
    ) { _ in
        .skipped(reason: "manual review: system:masters membership is written in client certificates (O=system:masters) and authenticator tokens, which the Kubernetes API does not expose; review who holds such credentials")
    }
}

// MARK: - Matching rules against the powers controls look for

extension RBACControls {
    /// A power an RBAC control looks for.
    struct Permission: Sendable {
        /// Any of these verbs; nil: any verb at all.
        var verbs: [String]?
        /// Any of these resources; subresources are written `pods/exec`.
        var resources: [String]
        /// Any of these API groups ("" is the core group); nil: any group.
        var apiGroups: [String]?
        /// The resources are cluster-scoped: a RoleBinding cannot grant them, only a ClusterRoleBinding.
        var clusterScoped = false
        /// The power matters only in this namespace: grants that reach it (ClusterRoleBindings and
        /// RoleBindings there) count, others do not.
        var namespace: String? = nil

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

    /// Fails every subject that holds `permission`, one evidence line per granting rule.
    static func subjectsHolding(_ permission: Permission, _ power: String) -> @Sendable (AuditContext) -> ControlOutcome {
        { context in
            context.evaluateSubjects { subject, grants in
                context.subjectFailure("\(subject.ref.displayName) \(power)", grants: grants.filter(permission.isGranted))
            }
        }
    }

    /// Verdicts of several evaluations over different resources, as one outcome.
    static func merged(_ outcomes: [ControlOutcome]) -> ControlOutcome {
        var verdicts: [ResourceVerdict] = []
        for case .evaluated(let part) in outcomes { verdicts += part }
        return .evaluated(verdicts)
    }

    /// `Kind namespace/name`, or `Kind name` for cluster-scoped objects.
    static func describe(_ object: RelatedObject) -> String {
        object.namespace.map { "\(object.kind) \($0)/\(object.name)" } ?? "\(object.kind) \(object.name)"
    }
}

extension PolicyRule {
    /// Whether this rule grants `permission`, with the authorizer's wildcards and the subresource forms
    /// described on `RBACControls`.
    func permits(_ permission: RBACControls.Permission) -> Bool {
        if let wanted = permission.verbs, !verbs.contains("*"), !verbs.contains(where: wanted.contains) { return false }
        if let wanted = permission.apiGroups {
            let granted = apiGroups ?? []
            guard granted.contains("*") || granted.contains(where: wanted.contains) else { return false }
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
}

// MARK: - Who is bound, whatever the binding grants

extension RBACControls {
    /// One subject named by one binding, whether or not the role it references exists or grants
    /// anything: the controls about who is bound read these, the ones about powers read `Grant`s.
    struct BoundSubject: Sendable, Hashable {
        var subject: Subject
        var role: RelatedObject
        var binding: RelatedObject
        /// The namespace the binding grants in; nil for a ClusterRoleBinding.
        var namespace: String?

        var related: [RelatedObject] { [role, binding] }

        var evidence: String {
            let scope = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
            return "bound to \(RBACControls.describe(role)) via \(RBACControls.describe(binding)) (\(scope))"
        }
    }

    /// Every subject of every binding, in `bindings(in:)` order.
    static func boundSubjects(in snapshot: ClusterSnapshot) -> [BoundSubject] {
        bindings(in: snapshot).flatMap { binding in
            (binding.object.subjects ?? []).map { subject in
                BoundSubject(
                    subject: subject.normalized(bindingNamespace: binding.namespace), role: binding.role,
                    binding: binding.related, namespace: binding.namespace)
            }
        }
    }

    /// A RoleBinding or ClusterRoleBinding with the names a report gives it and its role.
    struct BindingObject: Sendable {
        var object: RoleBinding
        var kind: String
        /// The namespace it grants in; nil for a ClusterRoleBinding.
        var namespace: String?

        var ref: ResourceRef {
            ResourceRef(apiVersion: "rbac.authorization.k8s.io/v1", kind: kind, namespace: namespace, name: object.name)
        }
        var related: RelatedObject { RelatedObject(kind: kind, namespace: namespace, name: object.name) }
        /// The role it references, which may not exist.
        var role: RelatedObject {
            RelatedObject(
                kind: object.roleRef.kind, namespace: object.roleRef.kind == "Role" ? namespace : nil, name: object.roleRef.name)
        }
    }

    /// ClusterRoleBindings, then RoleBindings.
    static func bindings(in snapshot: ClusterSnapshot) -> [BindingObject] {
        snapshot.clusterRoleBindings.map { BindingObject(object: $0, kind: "ClusterRoleBinding", namespace: nil) }
            + snapshot.roleBindings.map { BindingObject(object: $0, kind: "RoleBinding", namespace: $0.namespace) }
    }

    /// A failure listing the bindings behind it, roles and bindings in `related`; nil when there are none.
    static func bindingFailure(_ message: String, leading: [String] = [], bindings: [BoundSubject]) -> Failure? {
        guard !bindings.isEmpty else { return nil }
        return Failure(message: message, evidence: leading + bindings.map(\.evidence), related: relatedObjects(of: bindings))
    }

    /// The roles and bindings behind `bindings`, each once, in order.
    static func relatedObjects(of bindings: [BoundSubject]) -> [RelatedObject] {
        var related: [RelatedObject] = []
        for object in bindings.flatMap(\.related) where !related.contains(object) { related.append(object) }
        return related
    }

    /// Whether the role a binding in `namespace` (nil: a ClusterRoleBinding) references exists.
    /// References of unknown kinds are not judged.
    static func roleExists(_ roleRef: RoleRef, bindingNamespace namespace: String?, in snapshot: ClusterSnapshot) -> Bool {
        switch roleRef.kind {
        case "ClusterRole": return snapshot.clusterRoles.contains { $0.name == roleRef.name }
        case "Role":
            guard let namespace else { return false }
            return snapshot.roles.contains { $0.name == roleRef.name && $0.namespace == namespace }
        default: return true
        }
    }
}
