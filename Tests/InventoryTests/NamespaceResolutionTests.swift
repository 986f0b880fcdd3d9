import Foundation
@testable import Inventory
import Testing

/// Namespaces are resolved once, when objects are stored: a namespaced object without one is in
/// kubectl's `default`, a cluster-scoped object keeps none, whatever the input.
@Suite struct NamespaceResolutionTests {
    @Test func storedObjectsOfNamespacedKindsGetTheDefaultAndClusterScopedOnesNone() {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        let scope = NamespaceScope()
        snapshot.roleBindings = scope.stored(
            [RoleBinding(metadata: ObjectMeta(name: "plain"), roleRef: RoleRef(kind: "Role", name: "r"), subjects: nil),
             RoleBinding(metadata: ObjectMeta(name: "given", namespace: "shop"), roleRef: RoleRef(kind: "Role", name: "r"), subjects: nil)],
            of: .rolebindings)
        snapshot.clusterRoleBindings = scope.stored(
            [RoleBinding(metadata: ObjectMeta(name: "admins"), roleRef: RoleRef(kind: "ClusterRole", name: "admin"), subjects: nil)],
            of: .clusterrolebindings)
        snapshot.serviceAccounts = scope.stored([ServiceAccount(metadata: ObjectMeta(name: "builder"))], of: .serviceaccounts)
        #expect(snapshot.roleBindings.map(\.metadata.namespace) == ["default", "shop"])
        #expect(snapshot.clusterRoleBindings.map(\.metadata.namespace) == [nil])
        #expect(snapshot.serviceAccounts.map(\.metadata.namespace) == ["default"])
    }

    /// Objects built in memory never went through a load: their accessor still answers kubectl's default.
    @Test func namespacedModelsAnswerTheDefaultAndKindsSayWhichAreScoped() {
        let account = ServiceAccount(metadata: ObjectMeta(name: "builder"))
        #expect(account.namespace == "default")
        #expect(ResourceKind.serviceaccounts.namespace(of: account) == "default")
        let role = Role(metadata: ObjectMeta(name: "admin", namespace: "ignored"), rules: nil)
        #expect(ResourceKind.clusterroles.namespace(of: role) == nil)
        #expect(ResourceKind.roles.namespace(of: Role(metadata: ObjectMeta(name: "r"), rules: nil)) == "default")
    }

    @Test func manifestsAndSavedSnapshotsAreResolvedTheSameWay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-ns-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manifests = folder + "/rbac.yaml"
        try """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: read}
            roleRef: {kind: Role, name: reader}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: admins}
            roleRef: {kind: ClusterRole, name: admin}
            """.write(toFile: manifests, atomically: true, encoding: .utf8)
        let fromManifests = try ManifestLoader.load(path: manifests).snapshot
        #expect(fromManifests.roleBindings.map(\.metadata.namespace) == ["default"])
        #expect(fromManifests.clusterRoleBindings.map(\.metadata.namespace) == [nil])

        // A saved snapshot edited by hand: its RoleBinding lost its namespace.
        var saved = ClusterSnapshot(cluster: ClusterInfo(server: "https://c:6443"))
        saved.roleBindings = [RoleBinding(metadata: ObjectMeta(name: "read"), roleRef: RoleRef(kind: "Role", name: "reader"), subjects: nil)]
        saved.roles = [Role(metadata: ObjectMeta(name: "reader"), rules: nil)]
        saved.clusterRoles = [Role(metadata: ObjectMeta(name: "admin"), rules: nil)]
        let path = folder + "/snapshot.json"
        try JSONEncoder().encode(saved).write(to: URL(fileURLWithPath: path))
        let fromSnapshot = try ManifestLoader.load(path: path).snapshot
        #expect(fromSnapshot.roleBindings.map(\.metadata.namespace) == ["default"])
        #expect(fromSnapshot.roles.map(\.metadata.namespace) == ["default"])
        #expect(fromSnapshot.clusterRoles.map(\.metadata.namespace) == [nil])
    }
}
