/// Which resources the server serves in which group versions.
public struct Discovery: Sendable {
    /// Group name ("" for core) → versions the server offers, preferred first.
    public var groupVersions: [String: [String]]
    /// "group/version" ("v1" for core) → resource names served there.
    public var resources: [String: Set<String>]
    /// "group/version" → why its resource list could not be read. What it serves is unknown, which is
    /// not the same as serving nothing.
    public var failures: [String: String]

    public init(groupVersions: [String: [String]], resources: [String: Set<String>], failures: [String: String] = [:]) {
        self.groupVersions = groupVersions
        self.resources = resources
        self.failures = failures
    }

    /// Why one of `candidates` of `group` could not be listed, when one could not.
    public func failure(group: String, candidates: [String]) -> String? {
        candidates.lazy.compactMap { failures[Self.key(group: group, version: $0)] }.first
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
    /// in parallel. A group version that fails to answer (a broken aggregated API, a 503) is recorded
    /// in `failures`, so that its kinds read as unknown rather than as not served.
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
        let answers = await withTaskGroup(of: (String, Result<Set<String>, APIError>).self) { taskGroup in
            for (group, version) in targets {
                taskGroup.addTask {
                    let path = Discovery.pathPrefix(group: group, version: version)
                    let key = Discovery.key(group: group, version: version)
                    do throws(APIError) {
                        let list = try self.decode(ResourceList.self, from: try await self.get(path), path: path)
                        return (key, .success(Set(list.resources.map(\.name))))
                    } catch {
                        return (key, .failure(error))
                    }
                }
            }
            var answers: [(String, Result<Set<String>, APIError>)] = []
            for await answer in taskGroup { answers.append(answer) }
            return answers
        }
        var discovery = Discovery(groupVersions: groupVersions, resources: [:])
        for (key, answer) in answers {
            switch answer {
            case .success(let names): discovery.resources[key] = names
            case .failure(let error): discovery.failures[key] = "\(error)"
            }
        }
        return discovery
    }
}
