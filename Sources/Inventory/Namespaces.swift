/// Where an object's namespace comes from, decided once for every input. The API server always sets
/// `metadata.namespace` on namespaced objects; manifests and hand-built snapshots may leave it out, and
/// `kubectl apply` then puts the object into its context's namespace, `default` when nothing says otherwise.
/// Collector and ManifestLoader resolve it when they store objects, so Audit never supplies a default.
extension ObjectMeta {
    public static let defaultNamespace = "default"
}

/// The metadata of an object of a kind that always lives in a namespace (the object, or a view of it such
/// as Audit's Workload): its namespace is never absent.
public protocol Namespaced {
    var metadata: ObjectMeta { get }
}

extension Namespaced {
    public var namespace: String { metadata.namespace ?? ObjectMeta.defaultNamespace }
}

public protocol NamespacedObject: KubeObject, Namespaced {}

/// A model shared by a namespaced and a cluster-scoped kind (Role and ClusterRole, RoleBinding and
/// ClusterRoleBinding, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy): nil is cluster-wide. The
/// objects of the namespaced kind have their namespace resolved at load, so nil there never means "default".
public protocol ScopedObject: KubeObject {}

extension ScopedObject {
    public var namespace: String? { metadata.namespace }
}

extension ResourceKind {
    /// The namespace of an object of this kind: nil when the kind is cluster-scoped.
    public func namespace(of object: some KubeObject) -> String? {
        isNamespaced ? object.metadata.namespace ?? ObjectMeta.defaultNamespace : nil
    }

    /// Makes `object` what is stored: an object of a namespaced kind without a namespace gets kubectl's
    /// default. Others are only read, in place: the collector resolves every listed object this way.
    func resolveNamespace<Object: KubeObject>(of object: inout Object) {
        if isNamespaced, object.metadata.namespace == nil { object.metadata.namespace = ObjectMeta.defaultNamespace }
    }

    /// `object` as it is stored (`resolveNamespace(of:)`).
    func resolvingNamespace<Object: KubeObject>(_ object: Object) -> Object {
        var resolved = object
        resolveNamespace(of: &resolved)
        return resolved
    }
}

extension ClusterSnapshot {
    /// Resolves the namespaces of a snapshot decoded whole (a saved one, which may have been edited by
    /// hand). Objects of NamespacedObject models resolve through their accessor; the namespaced lists of
    /// the shared models are the ones whose nil would read as cluster-wide.
    mutating func resolveNamespaces() {
        func resolve<Object: ScopedObject>(_ objects: inout [Object]) {
            for index in objects.indices where objects[index].metadata.namespace == nil {
                objects[index].metadata.namespace = ObjectMeta.defaultNamespace
            }
        }
        resolve(&roles)
        resolve(&roleBindings)
        resolve(&ciliumNetworkPolicies)
    }
}

extension Pod: NamespacedObject {}
extension Deployment: NamespacedObject {}
extension ReplicaSet: NamespacedObject {}
extension StatefulSet: NamespacedObject {}
extension DaemonSet: NamespacedObject {}
extension Job: NamespacedObject {}
extension CronJob: NamespacedObject {}
extension ReplicationController: NamespacedObject {}
extension Service: NamespacedObject {}
extension Ingress: NamespacedObject {}
extension NetworkPolicy: NamespacedObject {}
extension ServiceAccount: NamespacedObject {}
extension ConfigMap: NamespacedObject {}
extension PersistentVolumeClaim: NamespacedObject {}
extension NamespacePolicyObject: NamespacedObject {}
extension HorizontalPodAutoscaler: NamespacedObject {}
extension Route: NamespacedObject {}
extension IstioGateway: NamespacedObject {}
extension VirtualService: NamespacedObject {}
extension VulnerabilityReport: NamespacedObject {}

extension Role: ScopedObject {}
extension RoleBinding: ScopedObject {}
extension CiliumPolicy: ScopedObject {}
