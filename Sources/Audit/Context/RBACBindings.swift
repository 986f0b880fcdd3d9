import Inventory

/// A RoleBinding or ClusterRoleBinding with the names a report gives it and its role. Bindings are walked
/// here only: RBAC grants, the subjects of the audit and the controls about who is bound start from `all(in:)`.
struct BindingObject: Sendable {
    var object: RoleBinding
    var kind: String
    /// The namespace it grants in; nil for a ClusterRoleBinding.
    var namespace: String?

    /// ClusterRoleBindings, then RoleBindings.
    static func all(in snapshot: ClusterSnapshot) -> [BindingObject] {
        snapshot.clusterRoleBindings.map { BindingObject(object: $0, kind: "ClusterRoleBinding", namespace: nil) }
            + snapshot.roleBindings.map { BindingObject(object: $0, kind: "RoleBinding", namespace: $0.namespace) }
    }

    var ref: ResourceRef {
        ResourceRef(apiVersion: "rbac.authorization.k8s.io/v1", kind: kind, namespace: namespace, name: object.name)
    }
    var related: RelatedObject { RelatedObject(kind: kind, namespace: namespace, name: object.name) }
    /// The role it references, which may not exist.
    var role: RelatedObject {
        RelatedObject(
            kind: object.roleRef.kind, namespace: object.roleRef.kind == "Role" ? namespace : nil, name: object.roleRef.name)
    }

    /// Its subjects, each as one identity whatever the binding wrote.
    var subjects: [Subject] { (object.subjects ?? []).map { $0.normalized(bindingNamespace: namespace) } }
}

/// One subject named by one binding, whether or not the role it references exists or grants
/// anything: the controls about who is bound read these, the ones about powers read `Grant`s.
struct BoundSubject: Sendable, Hashable {
    var subject: Subject
    var role: RelatedObject
    var binding: RelatedObject
    /// The namespace the binding grants in; nil for a ClusterRoleBinding.
    var namespace: String?

    /// Every subject of every binding, in `BindingObject.all(in:)` order.
    static func all(in snapshot: ClusterSnapshot) -> [BoundSubject] {
        BindingObject.all(in: snapshot).flatMap { binding in
            binding.subjects.map { BoundSubject(subject: $0, role: binding.role, binding: binding.related, namespace: binding.namespace) }
        }
    }

    var related: [RelatedObject] { [role, binding] }

    var evidence: String {
        let scope = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
        return "bound to \(role.displayName) via \(binding.displayName) (\(scope))"
    }

    /// The roles and bindings behind `bindings`, each once, in order.
    static func relatedObjects(of bindings: [BoundSubject]) -> [RelatedObject] {
        var related: [RelatedObject] = []
        for object in bindings.flatMap(\.related) where !related.contains(object) { related.append(object) }
        return related
    }
}

/// The Roles and ClusterRoles that exist, filed once: whether a binding's role exists is asked per
/// binding, and per workload for the bindings of every ServiceAccount.
struct ExistingRoles: Sendable {
    private let clusterRoles: Set<String>
    private let roles: Set<ObjectKey>

    init(_ snapshot: ClusterSnapshot) {
        clusterRoles = Set(snapshot.clusterRoles.map(\.name))
        roles = Set(snapshot.roles.map { ObjectKey(kind: "Role", namespace: $0.namespace, name: $0.name) })
    }

    /// Whether the role a binding references (`BindingObject.role`) exists. A Role outside any namespace
    /// (referenced by a ClusterRoleBinding) never does; references of unknown kinds are not judged.
    func contains(_ role: RelatedObject) -> Bool {
        switch role.kind {
        case "ClusterRole": return clusterRoles.contains(role.name)
        case "Role":
            guard let namespace = role.namespace else { return false }
            return roles.contains(ObjectKey(kind: "Role", namespace: namespace, name: role.name))
        default: return true
        }
    }
}
