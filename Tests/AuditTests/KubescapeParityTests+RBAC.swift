@testable import Audit
import Inventory
import Testing

/// C-0261 (serviceaccount-token-mount): a ServiceAccount has RBAC permissions when a binding names it or
/// its namespace's group; the bootstrap bindings every cluster gives all ServiceAccounts do not count.
@Suite struct ServiceAccountPermissionsParityTests {
    static let control = WorkloadPrivilegeControls.serviceAccountTokenMounted

    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: test-pod, namespace: default}
        spec:
          containers: [{name: app, image: 'nginx:1.25'}]
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: default, namespace: default}
        """

    /// A ClusterRole with `rules` (YAML flow sequence) bound cluster-wide to `group`, under one name.
    static func boundClusterRole(_ name: String, rules: String, group: String) -> String {
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: '\(name)'}
        rules: \(rules)
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: '\(name)'}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: '\(name)'}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: '\(group)'}]
        """
    }

    /// The bootstrap ClusterRoles every cluster binds to every ServiceAccount / authenticated caller.
    static let bootstrap = [
        boundClusterRole(
            "system:service-account-issuer-discovery",
            rules: "[{nonResourceURLs: [/.well-known/openid-configuration, /openid/v1/jwks], verbs: [get]}]",
            group: "system:serviceaccounts"),
        boundClusterRole(
            "system:basic-user",
            rules: "[{apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews, selfsubjectrulesreviews], verbs: [create]}, {apiGroups: [authentication.k8s.io], resources: [selfsubjectreviews], verbs: [create]}]",
            group: "system:authenticated"),
        boundClusterRole(
            "system:discovery",
            rules: "[{nonResourceURLs: [/api, /api/*, /apis, /apis/*, /healthz, /livez, /openapi, /openapi/*, /readyz, /version, /version/], verbs: [get]}]",
            group: "system:authenticated"),
    ].joined(separator: "\n---\n")

    static func binding(_ subject: String, role: String = "my-role", namespace: String = "default") -> String {
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: my-role-binding, namespace: \(namespace)}
        subjects: [\(subject)]
        roleRef: {kind: Role, name: \(role), apiGroup: rbac.authorization.k8s.io}
        """
    }

    static func run(_ documents: String...) throws -> (failed: [String], evidence: [String]?) {
        let result = try KubescapeInput.run(control, documents.joined(separator: "\n---\n"))
        return (result.failed.map(\.name), result.verdicts.first { $0.failure != nil }?.failure?.evidence)
    }

    /// Kubescape's `pod-mount-and-rb-bind`: the binding's role is not in the input, the ServiceAccount is bound.
    @Test func bindingNamingTheAccountCountsWithoutItsRole() throws {
        let result = try Self.run(Self.pod, Self.binding("{kind: ServiceAccount, name: default, namespace: default}"))
        #expect(result.failed == ["test-pod"])
        #expect(result.evidence == [
            "spec.automountServiceAccountToken is unset and ServiceAccount default does not set automountServiceAccountToken",
            "bound to Role default/my-role via RoleBinding default/my-role-binding (in namespace default): the role does not exist (yet)",
        ])
    }

    @Test func bootstrapBindingsToEveryAccountDoNotCount() throws {
        #expect(try Self.run(Self.pod, Self.bootstrap).failed.isEmpty)
    }

    @Test func namespaceGroupCountsOtherNamespacesDoNot() throws {
        #expect(try Self.run(Self.pod, Self.binding("{kind: Group, name: 'system:serviceaccounts:default'}")).failed == ["test-pod"])
        #expect(try Self.run(Self.pod, Self.binding("{kind: Group, name: 'system:serviceaccounts:other'}", namespace: "other")).failed.isEmpty)
        #expect(try Self.run(Self.pod, Self.binding("{kind: ServiceAccount, name: builder, namespace: default}")).failed.isEmpty)
    }

    /// A binding of every ServiceAccount to a role with real permissions, or to a role not in the input,
    /// gives this one permissions too.
    @Test func everyAccountGroupWithRealPermissionsCounts() throws {
        let podReader = Self.boundClusterRole(
            "all-read-pods", rules: "[{apiGroups: [''], resources: [pods], verbs: [get, list]}]", group: "system:serviceaccounts")
        let result = try Self.run(Self.pod, Self.bootstrap, podReader)
        #expect(result.failed == ["test-pod"])
        #expect(result.evidence?.last
            == "ClusterRole all-read-pods rules[0] verbs=[get,list] apiGroups=[\"\"] resources=[pods] via ClusterRoleBinding all-read-pods (cluster-wide) to Group system:serviceaccounts")
        let missingRole = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: all-authenticated}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-yet-created}
            subjects: [{kind: Group, name: 'system:authenticated'}]
            """
        #expect(try Self.run(Self.pod, missingRole).failed == ["test-pod"])
    }

    @Test func noTokenNoFailure() throws {
        let pod = Self.pod.replacingOccurrences(of: "spec:\n", with: "spec:\n  automountServiceAccountToken: false\n")
        #expect(try Self.run(pod, Self.binding("{kind: ServiceAccount, name: default, namespace: default}")).failed.isEmpty)
    }
}
