/// Which resources the server serves in which group versions.
public struct Discovery: Sendable {
    /// Group name ("" for core) → versions the server offers, preferred first.
    public var groupVersions: [String: [String]]
    /// "group/version" ("v1" for core) → resource names served there.
    public var resources: [String: Set<String>]

    public init(groupVersions: [String: [String]], resources: [String: Set<String>]) {
        self.groupVersions = groupVersions
        self.resources = resources
    }

    /// The first of `candidates` in which the server serves `resource` of `group`.
    public func version(of resource: String, group: String, candidates: [String]) -> String? {
        candidates.first { resources[Self.key(group: group, version: $0)]?.contains(resource) ?? false }
    }

    public static func key(group: String, version: String) -> String {
        group.isEmpty ? version : "\(group)/\(version)"
    }

    /// The URL path prefix of a group version: `/api/v1` or `/apis/apps/v1`.
    public static func pathPrefix(group: String, version: String) -> String {
        group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    }
}

extension KubeAPI {
    /// Reads the group list, then the resource lists of the versions of `groups` (all groups when nil)
    /// in parallel. A group version that fails to answer (a broken aggregated API) is left out.
    public func discover(groups wanted: Set<String>? = nil) async throws(APIError) -> Discovery {
        struct GroupList: Decodable {
            struct Group: Decodable {
                struct Version: Decodable { var version: String }
                var name: String
                var versions: [Version]
                var preferredVersion: Version?
            }
            var groups: [Group]
        }
        struct CoreVersions: Decodable { var versions: [String] }
        struct ResourceList: Decodable {
            struct Resource: Decodable { var name: String }
            var resources: [Resource]
        }

        var groupVersions: [String: [String]] = [:]
        groupVersions[""] = try decode(CoreVersions.self, from: try await get("/api"), path: "/api").versions
        for group in try decode(GroupList.self, from: try await get("/apis"), path: "/apis").groups {
            var versions = group.versions.map(\.version)
            if let preferred = group.preferredVersion?.version, let index = versions.firstIndex(of: preferred) {
                versions.remove(at: index)
                versions.insert(preferred, at: 0)
            }
            groupVersions[group.name] = versions
        }

        let targets = groupVersions.filter { wanted?.contains($0.key) ?? true }
            .flatMap { group, versions in versions.map { (group, $0) } }
        let resources = await withTaskGroup(of: (String, Set<String>)?.self) { taskGroup in
            for (group, version) in targets {
                taskGroup.addTask {
                    let path = Discovery.pathPrefix(group: group, version: version)
                    guard let data = try? await self.get(path),
                        let list = try? self.decode(ResourceList.self, from: data, path: path)
                    else { return nil }
                    return (Discovery.key(group: group, version: version), Set(list.resources.map(\.name)))
                }
            }
            var resources: [String: Set<String>] = [:]
            for await entry in taskGroup {
                if let (key, names) = entry { resources[key] = names }
            }
            return resources
        }
        return Discovery(groupVersions: groupVersions, resources: resources)
    }
}
