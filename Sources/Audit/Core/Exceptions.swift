/// Kubescape's posture exception policies: "this failure on these resources is accepted". An excepted
/// resource counts as passed; the report says which exception matched it.
public struct PostureException: Codable, Sendable, Hashable {
    public struct ResourceDesignator: Codable, Sendable, Hashable {
        public var designatorType: String?
        /// `kind`, `name`, `namespace` and `cluster` are regular expressions that must match the whole
        /// value; any other key is a label that must equal the value.
        public var attributes: [String: String]
        public init(attributes: [String: String]) { self.attributes = attributes }
    }

    public struct PosturePolicy: Codable, Sendable, Hashable {
        public var controlID: String?
        public var frameworkName: String?
        public init(controlID: String? = nil, frameworkName: String? = nil) {
            self.controlID = controlID
            self.frameworkName = frameworkName
        }
    }

    public var name: String
    public var policyType: String?
    public var actions: [String]?
    public var resources: [ResourceDesignator]?
    public var posturePolicies: [PosturePolicy]?
    public var reason: String?

    public init(name: String, resources: [ResourceDesignator], posturePolicies: [PosturePolicy]? = nil) {
        self.name = name
        self.resources = resources
        self.posturePolicies = posturePolicies
    }

    package static let patternAttributes: Set<String> = ["kind", "name", "namespace", "cluster"]

    /// Every regular expression of the exception, with the path of the field that holds it, so a loader
    /// can report a bad one with its position.
    public var patterns: [(field: String, pattern: String)] {
        var patterns: [(String, String)] = []
        for (index, designator) in (resources ?? []).enumerated() {
            for (key, value) in designator.attributes.sorted(by: { $0.key < $1.key }) where Self.patternAttributes.contains(key) {
                patterns.append(("resources[\(index)].attributes.\(key)", value))
            }
        }
        for (index, policy) in (posturePolicies ?? []).enumerated() {
            if let id = policy.controlID { patterns.append(("posturePolicies[\(index)].controlID", id)) }
            if let framework = policy.frameworkName { patterns.append(("posturePolicies[\(index)].frameworkName", framework)) }
        }
        return patterns
    }
}

/// Exceptions with their patterns compiled once per audit.
package struct ExceptionMatcher {
    private struct Compiled {
        var exception: PostureException
        var patterns: [String: Regex<AnyRegexOutput>]
    }
    private let compiled: [Compiled]

    /// Patterns that do not compile never match (the loader reports them before an audit starts).
    package init(_ exceptions: [PostureException]) {
        compiled = exceptions.map { exception in
            var patterns: [String: Regex<AnyRegexOutput>] = [:]
            for (_, pattern) in exception.patterns { patterns[pattern] = try? Regex(pattern) }
            return Compiled(exception: exception, patterns: patterns)
        }
    }

    /// The name of the first exception that covers this control on this resource.
    func match(control: Control, resource: ResourceRef, cluster: String?, labels: () -> [String: String]) -> String? {
        for entry in compiled where covers(entry, control: control) {
            for designator in entry.exception.resources ?? [] where matches(designator, entry, resource, cluster, labels) {
                return entry.exception.name
            }
        }
        return nil
    }

    /// The exceptions whose posture policies cover `control`, whatever resources they name: the
    /// admission gate turns their resources into match conditions.
    package func exceptions(covering control: Control) -> [PostureException] {
        compiled.filter { covers($0, control: control) }.map(\.exception)
    }

    /// Whether an exception's whole-value pattern (kind, name, namespace, cluster) matches `value`.
    package static func wholeMatch(_ pattern: String, _ value: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    private func whole(_ pattern: String, _ value: String, _ entry: Compiled) -> Bool {
        guard let regex = entry.patterns[pattern] else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    private func covers(_ entry: Compiled, control: Control) -> Bool {
        let policies = entry.exception.posturePolicies ?? []
        if policies.isEmpty { return true }
        return policies.contains { policy in
            if let id = policy.controlID, !whole(id, control.id, entry) { return false }
            if let framework = policy.frameworkName, !control.frameworks.contains(where: { whole(framework, $0, entry) }) {
                return false
            }
            return policy.controlID != nil || policy.frameworkName != nil
        }
    }

    private func matches(
        _ designator: PostureException.ResourceDesignator, _ entry: Compiled, _ resource: ResourceRef, _ cluster: String?,
        _ labels: () -> [String: String]
    ) -> Bool {
        for (key, value) in designator.attributes {
            switch key {
            case "kind": if !whole(value, resource.kind, entry) { return false }
            case "name": if !whole(value, resource.name, entry) { return false }
            case "namespace": if !whole(value, resource.namespace ?? "", entry) { return false }
            case "cluster": if !whole(value, cluster ?? "", entry) { return false }
            default: if labels()[key] != value { return false }
            }
        }
        return !designator.attributes.isEmpty
    }
}
