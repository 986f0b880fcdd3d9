/// YAML fixtures the tests of several targets share, so that a workload's Kubernetes boilerplate (its
/// selector and the pod template's labels, which must agree) is written once.
package enum Manifest {
    /// A workload of `kind` (Deployment, StatefulSet, DaemonSet, ReplicaSet) whose selector and pod
    /// labels are `labels` (a flow mapping's entries, `app: <name>` when nil), also on the object itself
    /// when `labelledObject`. `podSpec` is the pod's spec: a flow mapping (`{containers: […]}`) or block
    /// lines written from column 0.
    package static func workload(
        _ kind: String = "Deployment", name: String, namespace: String? = nil, labels: String? = nil,
        labelledObject: Bool = false, replicas: Int? = nil, podSpec: String
    ) -> String {
        let labels = "{\(labels ?? "app: \(name)")}"
        let metadata = ["name: \(name)"] + (namespace.map { ["namespace: \($0)"] } ?? []) + (labelledObject ? ["labels: \(labels)"] : [])
        var lines = ["apiVersion: apps/v1", "kind: \(kind)", "metadata: {\(metadata.joined(separator: ", "))}", "spec:"]
        if let replicas { lines.append("  replicas: \(replicas)") }
        lines += ["  selector: {matchLabels: \(labels)}", "  template:", "    metadata: {labels: \(labels)}"]
        if podSpec.hasPrefix("{") {
            lines.append("    spec: \(podSpec)")
        } else {
            lines.append("    spec:")
            lines += podSpec.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
