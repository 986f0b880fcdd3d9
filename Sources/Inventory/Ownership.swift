/// Who owns whom among pod-creating objects (Pod → ReplicaSet → Deployment, Job → CronJob), read from
/// `metadata.ownerReferences`: the one walk of owner chains, for the audit's top-level workloads and
/// vulnerability reports and for the reports' stable finding identities.
public struct Ownership: Sendable {
    /// The kinds that own pods or are owned on the way to them.
    public static let podOwnerKinds: [ResourceKind] = [
        .deployments, .replicasets, .statefulsets, .daemonsets, .jobs, .cronjobs, .pods, .replicationcontrollers,
    ]

    private let controllers: [ObjectKey: ObjectKey]

    /// Indexes the controllers of the objects of `kinds`.
    public init(_ snapshot: ClusterSnapshot, kinds: [ResourceKind] = Ownership.podOwnerKinds) {
        var controllers: [ObjectKey: ObjectKey] = [:]
        for kind in kinds {
            for object in snapshot.objects(of: kind) {
                let key = ObjectKey(kind, object)
                if let controller = Self.controller(of: object.metadata, in: key.namespace) { controllers[key] = controller }
            }
        }
        self.controllers = controllers
    }

    /// The owner that controls the object: the reference marked as controller, else the first.
    public func controller(of key: ObjectKey) -> ObjectKey? { controllers[key] }

    /// The first object up the controller chain from `key` (`key` itself first) that `accept` takes.
    public func firstController(from key: ObjectKey, where accept: (ObjectKey) -> Bool) -> ObjectKey? {
        var key = key
        // Chains are short (Pod → ReplicaSet → Deployment); the bound guards against cycles.
        for _ in 0..<8 {
            if accept(key) { return key }
            guard let controller = controllers[key] else { return nil }
            key = controller
        }
        return nil
    }

    /// The objects an object names as owners. Owners live in the object's namespace: a reference names
    /// none, as the API server allows no cross-namespace owner.
    public static func owners(of metadata: ObjectMeta, in namespace: String?) -> [ObjectKey] {
        (metadata.ownerReferences ?? []).map { ObjectKey(kind: $0.kind, namespace: namespace, name: $0.name) }
    }

    /// The owner that controls an object given by its metadata: the reference marked as controller, else the first.
    public static func controller(of metadata: ObjectMeta, in namespace: String?) -> ObjectKey? {
        let references = metadata.ownerReferences ?? []
        guard let reference = references.first(where: { $0.controller ?? false }) ?? references.first else { return nil }
        return ObjectKey(kind: reference.kind, namespace: namespace, name: reference.name)
    }
}
