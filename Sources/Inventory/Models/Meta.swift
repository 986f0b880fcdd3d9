import Documents
import FoundationEssentials

/// The part of `metadata` that controls read. `managedFields` is never declared: the decoder would
/// materialise every key of it, which is most of a large LIST's cost.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var creationTimestamp: String?

    public init(
        name: String, namespace: String? = nil, uid: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, labels, annotations, ownerReferences, creationTimestamp
    }

    /// As synthesised, except that the last-applied configuration annotation keeps only what controls read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = LastAppliedConfiguration.pruning(try container.decodeIfPresent([String: String].self, forKey: .annotations))
        ownerReferences = try container.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences)
        creationTimestamp = try container.decodeIfPresent(String.self, forKey: .creationTimestamp)
    }
}

public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String
    public var name: String
    public var uid: String?
    public var controller: Bool?

    public init(apiVersion: String? = nil, kind: String, name: String, uid: String? = nil, controller: Bool? = true) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

/// Every object the collector keeps: its metadata is what findings, exclusions and indexes key on.
public protocol KubeObject: Codable, Sendable {
    /// Settable so that objects read from files can be given the namespace kubectl would give them.
    var metadata: ObjectMeta { get set }
}

extension KubeObject {
    public var name: String { metadata.name }
    public var labels: [String: String] { metadata.labels ?? [:] }
}

public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: String
    public var values: [String]?

    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

extension LabelSelector {
    /// Kubernetes semantics: an empty selector matches everything; every requirement must hold.
    /// Unknown operators match nothing, as the API server would reject them anyway.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] where !requirement.matches(labels) { return false }
        return true
    }

    public var isEmpty: Bool { (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty }
}

extension LabelSelectorRequirement {
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch `operator` {
        case "In": return value.map { (values ?? []).contains($0) } ?? false
        case "NotIn": return value.map { !(values ?? []).contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        default: return false
        }
    }
}

/// `intstr.IntOrString`: Service target ports and similar fields take either form.
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }

    public var description: String {
        switch self {
        case .int(let number): String(number)
        case .string(let text): text
        }
    }
}

/// Decodes any JSON value and keeps only that it was present: probes, rules and other objects whose
/// content no control reads, so the decoder skips their keys.
public struct Present: Codable, Sendable, Hashable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EmptyKey.self)
    }
    private struct EmptyKey: CodingKey {
        var stringValue: String { "" }
        var intValue: Int? { nil }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }
}

// Read directly by the direct JSON decoder: each mirrors its type's `Decodable` conformance.

extension ObjectMeta: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decode(String.self, forKey: CodingKeys.name)
        namespace = try object.decodeIfPresent(String.self, forKey: CodingKeys.namespace)
        uid = try object.decodeIfPresent(String.self, forKey: CodingKeys.uid)
        labels = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.labels)
        annotations = LastAppliedConfiguration.pruning(try object.decodeIfPresent([String: String].self, forKey: CodingKeys.annotations))
        ownerReferences = try object.decodeIfPresent([OwnerReference].self, forKey: CodingKeys.ownerReferences)
        creationTimestamp = try object.decodeIfPresent(String.self, forKey: CodingKeys.creationTimestamp)
    }
}

extension OwnerReference: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        apiVersion = try object.decodeIfPresent(String.self, forKey: CodingKeys.apiVersion)
        kind = try object.decode(String.self, forKey: CodingKeys.kind)
        name = try object.decode(String.self, forKey: CodingKeys.name)
        uid = try object.decodeIfPresent(String.self, forKey: CodingKeys.uid)
        controller = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.controller)
    }
}

extension LabelSelector: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        matchLabels = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.matchLabels)
        matchExpressions = try object.decodeIfPresent([LabelSelectorRequirement].self, forKey: CodingKeys.matchExpressions)
    }
}

extension LabelSelectorRequirement: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        key = try object.decode(String.self, forKey: CodingKeys.key)
        `operator` = try object.decode(String.self, forKey: CodingKeys.operator)
        values = try object.decodeIfPresent([String].self, forKey: CodingKeys.values)
    }
}
