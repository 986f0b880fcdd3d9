@testable import Audit
import Inventory

/// Builders for RBAC control tests: subjects, and snapshots where subjects hold rules through one role
/// and one binding.
enum RBACFixture {
    static let alice = Subject(kind: "User", name: "alice")
    static let ops = Subject(kind: "Group", name: "ops")

    static func serviceAccount(_ name: String, _ namespace: String) -> Subject {
        Subject(kind: "ServiceAccount", name: name, namespace: namespace)
    }

    /// The report identity of a subject.
    static func ref(_ subject: Subject) -> ResourceRef { subject.ref }

    /// A snapshot where `subjects` hold `rules` through ClusterRole `role`: bound by a ClusterRoleBinding
    /// of the same name, or, with `namespace`, by a RoleBinding of that name in that namespace.
    static func granting(_ rules: [PolicyRule], to subjects: [Subject], role: String = "r", namespace: String? = nil)
        -> ClusterSnapshot
    {
        Fixture.snapshot { add(rules, to: subjects, role: role, namespace: namespace, in: &$0) }
    }

    /// Adds ClusterRole `role` with `rules` and a binding of the same name, as `granting` does.
    static func add(_ rules: [PolicyRule], to subjects: [Subject], role: String, namespace: String? = nil,
                    in snapshot: inout ClusterSnapshot)
    {
        snapshot.clusterRoles.append(Fixture.clusterRole(role, rules: rules))
        if let namespace {
            snapshot.roleBindings.append(
                Fixture.roleBinding(role, namespace: namespace, roleKind: "ClusterRole", role: role, subjects: subjects))
        } else {
            snapshot.clusterRoleBindings.append(Fixture.clusterRoleBinding(role, role: role, subjects: subjects))
        }
    }

    static func rule(_ verbs: [String], _ resources: [String], groups: [String] = [""], names: [String]? = nil) -> PolicyRule {
        PolicyRule(verbs: verbs, apiGroups: groups, resources: resources, resourceNames: names)
    }

    static func serviceAccountObject(_ name: String, _ namespace: String, automount: Bool? = nil) -> ServiceAccount {
        ServiceAccount(metadata: Fixture.meta(name, namespace: namespace), automountServiceAccountToken: automount)
    }

    static func bindingRef(_ kind: String, _ name: String, namespace: String? = nil) -> ResourceRef {
        ResourceRef(apiVersion: "rbac.authorization.k8s.io/v1", kind: kind, namespace: namespace, name: name)
    }

    static func deployment(_ name: String, namespace: String = "apps", serviceAccount: String? = nil,
                           automount: Bool? = nil) -> Deployment
    {
        var deployment = Fixture.deployment(name, namespace: namespace, containers: [Fixture.container()])
        deployment.spec.template.spec.serviceAccountName = serviceAccount
        deployment.spec.template.spec.automountServiceAccountToken = automount
        return deployment
    }

    /// An evidence line of `AuditContext.subjectFailure` for rule `index` of ClusterRole `role`.
    static func line(_ summary: String, role: String = "r", rule index: Int = 0, via binding: String = "ClusterRoleBinding r",
                     scope: String = "cluster-wide") -> String
    {
        "ClusterRole \(role) rules[\(index)] \(summary) via \(binding) (\(scope))"
    }

    /// The failure of the verdict on `resource`, if it failed.
    static func failure(of resource: ResourceRef, in verdicts: [ResourceVerdict]) -> Failure? {
        verdicts.first { $0.resource == resource }?.failure
    }
}
