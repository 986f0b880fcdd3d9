import Foundation
@testable import Inventory
import Documents
import ManifestFixtures
import Testing

@Suite struct ManifestLoaderTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-manifests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/nested/deeper", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let manifests = """
        \(Manifest.workload(name: "web", namespace: "shop", replicas: 2, podSpec: "containers: [{name: web, image: nginx, securityContext: {privileged: true}}]"))
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: token, namespace: shop}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: builder}
        """

    @Test func multiDocumentYAMLFillsTheKindsItHoldsAndIgnoresOthers() throws {
        let loaded = try ManifestLoader.load(path: try write("app.yaml", Self.manifests))
        let snapshot = loaded.snapshot
        #expect(snapshot.deployments.map(\.name) == ["web"])
        #expect(snapshot.deployments.first?.spec.replicas == 2)
        #expect(snapshot.serviceAccounts.first?.metadata.namespace == "default", "kubectl's namespace for objects without one")
        #expect(snapshot.source == .manifests)
        #expect(loaded.ignored == ["Secret": 1])
        // Kinds absent from manifests are empty, not unknown: the controls judge what is there.
        #expect(snapshot.collected == Set(ResourceKind.allCases))
        #expect(snapshot.unavailableReason(.networkpolicies) == nil)
        #expect(snapshot.networkPolicies.isEmpty)
        #expect(snapshot.kubeletConfigurationUnavailable == ManifestLoader.noKubeletConfiguration)
    }

    @Test func kubectlListsAreUnwrappedIncludingTypedLists() throws {
        let list = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}, "spec": {"containers": []}},
              {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "admin"}, "rules": []}
            ]}
            """
        let typed = """
            apiVersion: v1
            kind: NamespaceList
            items:
            - metadata: {name: shop}
            """
        let snapshot = try ManifestLoader.load(path: try write("dump.json", list)).snapshot
        #expect(snapshot.pods.map(\.name) == ["a"])
        #expect(snapshot.clusterRoles.map(\.name) == ["admin"])
        #expect(snapshot.clusterRoles.first?.namespace == nil, "cluster-scoped kinds get no namespace")
        let namespaces = try ManifestLoader.load(path: try write("ns.yaml", typed)).snapshot
        #expect(namespaces.namespaces.map(\.name) == ["shop"])
    }

    @Test func directoriesAreReadRecursivelyAndDuplicatesKeepTheLastCopy() throws {
        _ = try write("a.yaml", Self.manifests)
        _ = try write("nested/deeper/b.yml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {replicas: 5, template: {spec: {containers: []}}}
            """)
        _ = try write("nested/notes.txt", "not a manifest")
        let loaded = try ManifestLoader.load(path: folder, scope: NamespaceScope(excluded: ["default"]))
        #expect(loaded.snapshot.deployments.map(\.spec.replicas) == [5])
        #expect(loaded.snapshot.serviceAccounts.isEmpty, "excluded by scope")
        #expect(loaded.snapshot.collected.contains(.serviceaccounts))
    }

    @Test func savedSnapshotsLoadAsThemselves() throws {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://c:6443", context: "prod", version: "v1.30.2"))
        snapshot.collected = [.pods]
        snapshot.errors = [
            CollectionError(resource: "roles", reason: "forbidden", message: "no"),
            CollectionError(resource: "deployments", reason: CollectionError.failed, message: "HTTP 500"),
        ]
        let path = folder + "/snapshot.json"
        try JSONEncoder().encode(snapshot).write(to: URL(fileURLWithPath: path))
        let file = try ManifestLoader.load(path: path)
        #expect(file.snapshot.source == .snapshot)
        let loaded = file.snapshot
        #expect(loaded.cluster.context == "prod")
        #expect(loaded.collected == [.pods], "a snapshot keeps what it recorded")
        #expect(loaded.unavailableReason(.nodes) == "not collected: nodes")
        #expect(loaded.unavailableReason(.roles) == "forbidden: roles")
        #expect(loaded.unavailableReason(.deployments) == "failed: deployments")
        #expect(throws: ConfigError.self) { try ManifestLoader.load(path: path, scope: NamespaceScope(excluded: ["x"])) }
    }

    /// Issue 11 defect 7: an apiVersion of "/" (or "/v1") trapped while finding its group.
    @Test(arguments: ["/", "/v1", "apps/", "//"])
    func apiVersionsWithEmptyPartsAreReadNotTrapped(apiVersion: String) throws {
        let path = try write("odd.yaml", "apiVersion: \"\(apiVersion)\"\nkind: ServiceAccount\nmetadata: {name: odd, namespace: x}\n")
        _ = try? ManifestLoader.load(path: path)
        #expect(ResourceKind.of(kind: "ServiceAccount", apiVersion: apiVersion) == (apiVersion.hasPrefix("/") ? .serviceaccounts : nil))
    }

    @Test func badInputNamesFileLineAndField() throws {
        let path = try write("bad.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: many
              template: {spec: {containers: []}}
            """)
        let error = try #require(throws: ConfigError.self) { try ManifestLoader.load(path: path) }
        #expect(error.file == path)
        #expect(error.line == 5)
        #expect(error.field == "spec.replicas")

        let noKind = try write("nokind.json", #"{"apiVersion": "v1", "metadata": {"name": "x"}}"#)
        let missing = try #require(throws: ConfigError.self) { try ManifestLoader.load(path: noKind) }
        #expect(missing.description.contains("kind"))
        #expect(missing.line == 1)

        let broken = try write("broken.json", "{\"kind\": \"List\", \"items\": [\n  {\"apiVersion\": \"v1\",, }\n]}")
        let syntax = try #require(throws: ConfigError.self) { try ManifestLoader.load(path: broken) }
        #expect(syntax.line == 2)

        #expect(throws: ConfigError.self) { try ManifestLoader.load(path: folder + "/missing.yaml") }
    }
}
