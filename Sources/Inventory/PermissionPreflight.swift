import KubeClient

/// Asks the API server, before anything is listed, which of the requests a scan makes the credentials
/// may send (one SelfSubjectAccessReview each, in parallel), so that a missing permission is reported
/// up front with the controls it costs instead of being discovered as a 403 in the middle of a scan.
///
/// Access reviews rather than a SelfSubjectRulesReview: the rules review is per namespace and may be
/// incomplete (webhook authorizers), while the collector's LISTs are cluster-wide and an access review
/// asks exactly that question of every authorizer.
public struct PermissionPreflight: Sendable {
    /// One request a scan may make, and what it serves.
    public struct Requirement: Sendable, Hashable {
        public var attributes: ResourceAttributes
        /// The resource kind the collector lists, when this is one of its LISTs.
        public var kind: ResourceKind?
        public var purpose: String
        /// Optional permissions cost some controls when missing but are not expected by default
        /// (`nodes/proxy`, granted only by rbac/optional/).
        public var isOptional: Bool

        public init(attributes: ResourceAttributes, kind: ResourceKind? = nil, purpose: String, isOptional: Bool = false) {
            self.attributes = attributes
            self.kind = kind
            self.purpose = purpose
            self.isOptional = isOptional
        }
    }

    public struct Check: Sendable {
        public var requirement: Requirement
        public var decision: AccessDecision

        public init(requirement: Requirement, decision: AccessDecision) {
            self.requirement = requirement
            self.decision = decision
        }
    }

    public let server: String
    public let checks: [Check]

    /// What the collector does: a cluster-wide LIST of every kind, and GET through the node proxy.
    public static func collectorRequirements(kinds: [ResourceKind] = ResourceKind.allCases) -> [Requirement] {
        kinds.map { kind in
            Requirement(
                attributes: ResourceAttributes(verb: "list", group: kind.group, resource: kind.rawValue), kind: kind,
                purpose: kind.isOptional ? "collect \(kind.kind) (where the cluster serves it)" : "collect \(kind.kind)")
        } + [
            Requirement(
                attributes: ResourceAttributes(verb: "get", resource: "nodes", subresource: "proxy"),
                purpose: "read kubelet configurations (node-config controls; rbac/optional/)", isOptional: true)
        ]
    }

    /// Asks about every requirement, at most `maxInFlight` reviews at once (beside a collection, a few,
    /// so that its LISTs are not queued behind every review). Fails only when the API server cannot answer
    /// access reviews at all.
    public static func run(api: KubeAPI, requirements: [Requirement], maxInFlight: Int = .max) async throws(APIError)
        -> PermissionPreflight
    {
        let answers = await requirements.boundedConcurrentMap(maxInFlight: maxInFlight) { requirement in
            await review(requirement.attributes, api: api)
        }
        var checks: [Check] = []
        for (requirement, answer) in zip(requirements, answers) {
            checks.append(Check(requirement: requirement, decision: try answer.get()))
        }
        return PermissionPreflight(server: api.config.displayServer, checks: checks)
    }

    /// One review as a value. A separate function rather than a do/catch inside the child task: with
    /// that, Swift 6.3's optimizer returned the wrong index from the task in release builds.
    private static func review(_ attributes: ResourceAttributes, api: KubeAPI) async -> Result<AccessDecision, APIError> {
        do {
            return .success(try await api.accessReview(attributes))
        } catch {
            return .failure(error)
        }
    }

    public init(server: String, checks: [Check]) {
        self.server = server
        self.checks = checks
    }

    public var denied: [Check] { checks.filter { !$0.decision.allowed } }

    /// The snapshot a scan with these permissions would collect from an empty cluster: denied kinds are
    /// recorded as forbidden and a denied node proxy as "needs nodes/proxy", exactly as the collector
    /// records them, so running the controls on it tells which ones the permissions alone will skip.
    public var expectedSnapshot: ClusterSnapshot { snapshot { $0.decision.allowed } }

    /// The same with every permission granted: what the controls need besides permissions.
    public var unrestrictedSnapshot: ClusterSnapshot { snapshot { _ in true } }

    private func snapshot(allowed: (Check) -> Bool) -> ClusterSnapshot {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: server))
        var nodeProxyAllowed = true
        for check in checks {
            guard let kind = check.requirement.kind else {
                if check.requirement.attributes.subresource == "proxy" { nodeProxyAllowed = allowed(check) }
                continue
            }
            if allowed(check) {
                snapshot.collected.insert(kind)
            } else {
                snapshot.errors.append(CollectionError(
                    resource: kind.rawValue, reason: "forbidden",
                    message: check.decision.reason ?? "the credentials may not list \(check.requirement.attributes.displayName)"))
            }
        }
        if nodeProxyAllowed {
            snapshot.kubeletConfigurations = []
        } else {
            snapshot.kubeletConfigurationUnavailable = KubeletConfigCollector.needsNodeProxy
        }
        return snapshot
    }
}
