import Audit

/// Exceptions as a policy's match condition: the policy does not apply to an object an exception names.
///
/// The audit excepts the top-level workload (a Deployment); at admission its ReplicaSets and Pods are
/// admitted one by one, so an object also counts as excepted when its owner matches the designator, or,
/// for a Deployment's Pods and a CronJob's Pods, when its owning ReplicaSet or Job carries the name the
/// controller derives (`<deployment>-<hash>`, `<cronjob>-<time>`). Labels are read from the object
/// being admitted (Pods carry their template's). A `cluster` attribute is not checked: the policies
/// are applied to one cluster, the one the user chooses.
enum ExceptionConditions {
    /// CEL that is true when no exception covers the object; nil when there is no exception.
    static func expression(_ exceptions: [PostureException]) -> String? {
        let designators = exceptions.flatMap { $0.resources ?? [] }.filter { !$0.attributes.isEmpty }.map(condition)
        guard !designators.isEmpty else { return nil }
        return "!(\(CEL.any(designators)))"
    }

    static func condition(_ designator: PostureException.ResourceDesignator) -> String {
        let attributes = designator.attributes
        let kind = attributes["kind"], name = attributes["name"]
        func whole(_ pattern: String) -> String { CEL.string("^(?:\(pattern))$") }

        var own: [String] = []
        var owner: [String] = []
        if let kind {
            own.append("object.kind.matches(\(whole(kind)))")
            owner.append("o.kind.matches(\(whole(kind)))")
        }
        if let name {
            own.append("object.metadata.name.matches(\(whole(name)))")
            owner.append("o.name.matches(\(whole(name)))")
        }
        var identity = [own.isEmpty ? "true" : CEL.all(own)]
        let owners = "has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, "
        if !owner.isEmpty { identity.append(owners + CEL.all(owner) + ")") }
        let derived: [(controller: String, owned: String, suffix: String)] = [("Deployment", "ReplicaSet", "-[a-z0-9]+"), ("CronJob", "Job", "-[0-9]+")]
        for (controller, owned, suffix) in derived where kind.map({ ExceptionMatcher.wholeMatch($0, controller) }) ?? true {
            let ownedName = CEL.string("^(?:\(name ?? ".*"))\(suffix)$")
            identity.append(owners + "o.kind == '\(owned)' && o.name.matches(\(ownedName)))")
        }

        var parts = [CEL.any(identity)]
        if let namespace = attributes["namespace"] { parts.append("request.namespace.matches(\(whole(namespace)))") }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) where !PostureException.patternAttributes.contains(key) {
            parts.append("has(object.metadata.labels) && \(CEL.string(key)) in object.metadata.labels && object.metadata.labels[\(CEL.string(key))] == \(CEL.string(value))")
        }
        return CEL.all(parts)
    }
}
