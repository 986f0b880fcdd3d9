/// The identity of an object: its kind, its namespace (nil for cluster-scoped kinds) and its name. Look-ups
/// between objects (a route's Services, a workload's ConfigMaps, owner chains), the objects a finding
/// names and the identity a fingerprint is computed from all key on this one type.
public struct ObjectKey: Codable, Sendable, Hashable {
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(kind: String, namespace: String? = nil, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// An object of `kind` as the snapshot holds it.
    public init(_ kind: ResourceKind, _ object: some KubeObject) {
        self.init(kind: kind.kind, namespace: kind.namespace(of: object), name: object.name)
    }

    /// The object of `kind` named `name` in `namespace` (none for a cluster-scoped kind).
    public init(_ kind: ResourceKind, namespace: String, name: String) {
        self.init(kind: kind.kind, namespace: kind.isNamespaced ? namespace : nil, name: name)
    }
}

extension ClusterSnapshot {
    /// The keys of every object of `kind`, for "does it exist" look-ups.
    public func keys(of kind: ResourceKind) -> Set<ObjectKey> {
        Set(objects(of: kind).map { ObjectKey(kind, $0) })
    }
}
