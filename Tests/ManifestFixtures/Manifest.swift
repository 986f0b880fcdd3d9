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
        lines += spec(podSpec, indent: 4)
        return lines.joined(separator: "\n")
    }

    /// A bare Pod whose spec is `podSpec` (written as for `workload`).
    package static func pod(name: String, namespace: String, podSpec: String) -> String {
        (["apiVersion: v1", "kind: Pod", "metadata: {name: \(name), namespace: \(namespace)}"] + spec(podSpec, indent: 0))
            .joined(separator: "\n")
    }

    /// A CronJob of `apiVersion` (batch/v1, or batch/v1beta1 for the v1.20 test server) running nightly,
    /// whose job's pod spec is `podSpec` (written as for `workload`).
    package static func cronJob(
        _ apiVersion: String = "batch/v1", name: String, namespace: String? = nil, podSpec: String
    ) -> String {
        let metadata = ["name: \(name)"] + (namespace.map { ["namespace: \($0)"] } ?? [])
        let lines = [
            "apiVersion: \(apiVersion)", "kind: CronJob", "metadata: {\(metadata.joined(separator: ", "))}", "spec:",
            "  schedule: \"0 3 * * *\"", "  jobTemplate:", "    spec:", "      template:",
        ]
        return (lines + spec(podSpec, indent: 8)).joined(separator: "\n")
    }

    /// `spec:` at `indent` columns: a flow mapping on its line, or block lines below it.
    private static func spec(_ podSpec: String, indent: Int) -> [String] {
        let margin = String(repeating: " ", count: indent)
        if podSpec.hasPrefix("{") { return ["\(margin)spec: \(podSpec)"] }
        return ["\(margin)spec:"] + podSpec.split(separator: "\n", omittingEmptySubsequences: false).map { margin + "  " + $0 }
    }
}
