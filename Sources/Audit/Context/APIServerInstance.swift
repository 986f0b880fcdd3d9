import Inventory

/// A kube-apiserver as its static (mirror) Pod in kube-system shows it.
struct APIServerInstance: Sendable {
    var pod: Pod
    var flags: CommandLineFlags
    /// The server's version: the cluster's reported version, else the image tag.
    var version: SemanticVersion?

    var ref: ResourceRef { ResourceRef(apiVersion: "v1", kind: "Pod", namespace: pod.namespace, name: pod.name) }

    /// Pods in kube-system named `kube-apiserver…` or labelled `component=kube-apiserver` (kubeadm, kind,
    /// RKE2 and most self-managed installs). Managed control planes show none. Found once per audit
    /// (`AuditContext.apiServers`); the pods are read in place, since copying each cost more than the test.
    static func all(in snapshot: ClusterSnapshot) -> [APIServerInstance] {
        snapshot.pods.indices.compactMap { position in
            guard snapshot.pods[position].namespace == "kube-system",
                snapshot.pods[position].name.hasPrefix("kube-apiserver") || snapshot.pods[position].labels["component"] == "kube-apiserver"
            else { return nil }
            let pod = snapshot.pods[position]
            let containers = Array(pod.spec.containers.enumerated())
            guard let (index, container) = containers.first(where: { $0.element.name == "kube-apiserver" }) ?? containers.first
            else { return nil }
            let imageTag = container.image.flatMap(ImageReference.init)?.tag
            return APIServerInstance(
                pod: pod, flags: CommandLineFlags(container, path: "spec.containers[\(index)]"),
                version: snapshot.cluster.version.flatMap(SemanticVersion.init) ?? imageTag.flatMap(SemanticVersion.init))
        }
    }
}
