import FoundationEssentials

/// A value `lookout collect` kept out of its snapshot because it looks like a credential (an env var or
/// ConfigMap key whose name contains a sensitive key name, or a value matching a sensitive pattern). It
/// keeps what the credential controls (C-0012, C-0259) learn from the value, so `scan --from` gives the
/// findings a live scan gives, without the value in the file.
public struct RedactedValue: Codable, Sendable, Hashable {
    /// The `sensitiveValues` patterns the value matches, in the order they were checked.
    public var matches: [String]
    /// Those its base64 decoding matches, when it decodes to text.
    public var base64Matches: [String]
    /// The `sensitiveValuesAllowed` patterns that match it.
    public var allowedBy: [String]

    public init(matches: [String] = [], base64Matches: [String] = [], allowedBy: [String] = []) {
        self.matches = matches
        self.base64Matches = base64Matches
        self.allowedBy = allowedBy
    }
}

/// The patterns every redacted value of a snapshot was checked against: a scan whose controls
/// configuration names another one cannot judge those values, and says so rather than pass them.
public struct RedactionRules: Codable, Sendable, Hashable {
    public var sensitiveValues: [String]
    public var sensitiveValuesAllowed: [String]

    public init(sensitiveValues: [String], sensitiveValuesAllowed: [String]) {
        self.sensitiveValues = sensitiveValues
        self.sensitiveValuesAllowed = sensitiveValuesAllowed
    }
}

extension ClusterSnapshot {
    /// Applies `body` to the pod spec of every workload object, templates included.
    public mutating func updatePodSpecs(_ body: (inout PodSpec) -> Void) {
        for index in pods.indices { body(&pods[index].spec) }
        for index in deployments.indices { body(&deployments[index].spec.template.spec) }
        for index in replicaSets.indices { body(&replicaSets[index].spec.template.spec) }
        for index in statefulSets.indices { body(&statefulSets[index].spec.template.spec) }
        for index in daemonSets.indices { body(&daemonSets[index].spec.template.spec) }
        for index in jobs.indices { body(&jobs[index].spec.template.spec) }
        for index in cronJobs.indices { body(&cronJobs[index].spec.jobTemplate.spec.template.spec) }
        for index in replicationControllers.indices where replicationControllers[index].spec.template != nil {
            body(&replicationControllers[index].spec.template!.spec)
        }
    }
}

extension PodSpec {
    /// Applies `body` to every container: regular, init and ephemeral.
    public mutating func updateContainers(_ body: (inout Container) -> Void) {
        for index in containers.indices { body(&containers[index]) }
        for index in (initContainers ?? []).indices { body(&initContainers![index]) }
        for index in (ephemeralContainers ?? []).indices { body(&ephemeralContainers![index]) }
    }
}
