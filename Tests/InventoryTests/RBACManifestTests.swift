import Foundation
import Inventory
import Documents
import Testing

/// The rbac/ manifests against the code: the reader role grants exactly what the collector lists, and
/// nothing in rbac/ can read Secrets or write anything but the report ConfigMap.
@Suite struct RBACManifestTests {
    static let rbac = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("rbac").path

    static func documents(_ file: String) throws -> [YAMLNode] {
        let path = rbac + "/" + file
        return try YAML.parseDocuments(try String(contentsOfFile: path, encoding: .utf8), file: path).filter { !$0.isNull }
    }

    static func strings(_ node: YAMLNode?) -> [String] { node?.sequence?.compactMap(\.string) ?? [] }

    /// Every (group, resource, verb) a role document grants.
    static func grants(_ role: YAMLNode) -> [(group: String, resource: String, verb: String, names: [String])] {
        (role["rules"]?.sequence ?? []).flatMap { rule in
            strings(rule["apiGroups"]).flatMap { group in
                strings(rule["resources"]).flatMap { resource in
                    strings(rule["verbs"]).map { (group, resource, $0, strings(rule["resourceNames"])) }
                }
            }
        }
    }

    @Test func readerRoleListsExactlyTheKindsTheCollectorReads() throws {
        let role = try #require(try Self.documents("clusterrole.yaml").first)
        #expect(role["kind"]?.string == "ClusterRole")
        let grants = Self.grants(role)
        let granted = Set(grants.map { "\($0.group)/\($0.resource)" })
        let listed = Set(ResourceKind.allCases.map { "\($0.group)/\($0.rawValue)" })
        #expect(granted.subtracting(listed).isEmpty, "granted but never listed: \(granted.subtracting(listed).sorted())")
        #expect(listed.subtracting(granted).isEmpty, "listed but not granted: \(listed.subtracting(granted).sorted())")
        for resource in listed {
            #expect(Set(grants.filter { "\($0.group)/\($0.resource)" == resource }.map(\.verb)) == ["get", "list"], "\(resource)")
        }
        // Discovery and /version, which every authenticated user may read anyway.
        let nonResource = (role["rules"]?.sequence ?? []).flatMap { Self.strings($0["nonResourceURLs"]) }
        #expect(Set(nonResource) == ["/version", "/api", "/api/*", "/apis", "/apis/*"])
    }

    /// What `kubectl apply -k rbac/` installs: no Secret access, no wildcard, and the only write verb is
    /// `patch` on the one report ConfigMap, in Lookout's namespace.
    @Test func installedRolesCannotReadSecretsOrWriteAnythingElse() throws {
        let kustomization = try #require(try Self.documents("kustomization.yaml").first)
        let files = Self.strings(kustomization["resources"])
        #expect(!files.contains { $0.hasPrefix("optional") }, "the node-proxy role is opt-in")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.rbac).filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        #expect(Set(files) == Set(onDisk), "every manifest in rbac/ is installed")

        var roles = 0
        for document in try files.flatMap(Self.documents) where ["Role", "ClusterRole"].contains(document["kind"]?.string) {
            roles += 1
            for grant in Self.grants(document) {
                #expect(grant.resource != "secrets" && grant.group != "*" && grant.resource != "*" && grant.verb != "*", "\(grant)")
                if !["get", "list"].contains(grant.verb) {
                    #expect(document["kind"]?.string == "Role" && document["metadata"]?["namespace"]?.string == "lookout")
                    #expect(grant.resource == "configmaps" && grant.verb == "patch" && grant.names == ["lookout-report"], "\(grant)")
                }
            }
        }
        #expect(roles == 2)
    }

    @Test func optionalNodeConfigRoleGrantsOnlyTheNodeProxy() throws {
        let role = try #require(try Self.documents("optional/node-config-clusterrole.yaml").first { $0["kind"]?.string == "ClusterRole" })
        let grants = Self.grants(role)
        #expect(grants.map { "\($0.group)/\($0.resource):\($0.verb)" } == ["/nodes/proxy:get"])
        // The preflight asks about the same permission.
        let proxy = PermissionPreflight.collectorRequirements().filter { $0.attributes.subresource != nil }
        #expect(proxy.map { "\($0.attributes.resource)/\($0.attributes.subresource ?? ""):\($0.attributes.verb)" } == ["nodes/proxy:get"])
        #expect(proxy.allSatisfy { $0.isOptional })
    }
}
