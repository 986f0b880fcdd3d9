import Inventory

/// The namespace and name of a collected object, for "does it exist" lookups.
struct ObjectKey: Hashable {
    var namespace: String
    var name: String

    init(_ namespace: String?, _ name: String) {
        self.namespace = namespace ?? "default"
        self.name = name
    }

    init(_ object: some NamespacedObject) { self.init(object.namespace, object.name) }
}
