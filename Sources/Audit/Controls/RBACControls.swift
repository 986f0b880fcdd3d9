import Inventory

/// Controls over what subjects may do, aggregated per subject across all bindings. Rules are matched by
/// `PolicyRule.permits` (Context/RBACPermission.swift).
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

    static let bindingKinds: [ResourceKind] = [.rolebindings, .clusterrolebindings]

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
                grants: grants.filter { $0.rule.isAdministrative })
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
                        && $0.rule.isAdministrative
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

// MARK: - Subjects holding a power

extension RBACControls {
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
}

// MARK: - Who is bound, whatever the binding grants

extension RBACControls {
    /// A failure listing the bindings behind it, roles and bindings in `related`; nil when there are none.
    static func bindingFailure(_ message: String, leading: [String] = [], bindings: [BoundSubject]) -> Failure? {
        guard !bindings.isEmpty else { return nil }
        return Failure(message: message, evidence: leading + bindings.map(\.evidence), related: BoundSubject.relatedObjects(of: bindings))
    }
}
