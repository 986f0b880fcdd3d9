import Inventory

/// Controls over what subjects may do, aggregated per subject across all bindings.
enum RBACControls {
    static let all: [Control] = [administrativeRoles]

    static let rbacKinds: [ResourceKind] = [.roles, .clusterroles, .rolebindings, .clusterrolebindings]

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
        reads: rbacKinds
    ) { context in
        context.evaluateSubjects { subject, grants in
            context.subjectFailure(
                "\(subject.kind) \(subject.name) has administrative (wildcard) permissions",
                grants: grants.filter { isAdministrative($0.rule) })
        }
    }
}
