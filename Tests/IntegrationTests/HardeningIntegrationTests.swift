import Foundation
import Testing

/// Issue 11 defects that need the real API server (the fault-injected ones are in FaultIntegrationTests).
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct HardeningIntegrationTests {
    /// The admin kubeconfig with `namespace` as the context's namespace (where the report ConfigMap goes).
    func kubeconfig(_ cluster: TestCluster, namespace: String, in folder: TempDirectory) throws -> String {
        let admin = try String(contentsOfFile: cluster.kubeconfig, encoding: .utf8)
        let path = folder.path + "/config"
        try admin.replacingOccurrences(of: "user: lookout-realapi-admin}", with: "user: lookout-realapi-admin, namespace: \(namespace)}")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Defect 10: --report-configmap merge-patched whatever ConfigMap had the name and took over its labels.
    @Test func reportConfigMapRefusesAConfigMapLookoutDidNotCreate() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("report-guard")
        try cluster.apply("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: coredns, namespace: \(namespace), labels: {k8s-app: kube-dns}}
            data: {Corefile: ".:53 { forward . /etc/resolv.conf }"}
            """)
        let folder = try TempDirectory()
        let config = try kubeconfig(cluster, namespace: namespace, in: folder)
        let refused = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", config, "--report-configmap", "coredns"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("was not created by Lookout"), "\(refused.stderr)")
        let untouched = try cluster.kubectl(["-n", namespace, "get", "configmap", "coredns", "-o", "json"])
        #expect(untouched.contains("forward . /etc/resolv.conf") && untouched.contains("kube-dns"))
        #expect(!untouched.contains("summary.json") && !untouched.contains("app.kubernetes.io/name"))

        // A new name is created with Lookout's labels, and the next run may write it again.
        for _ in 0..<2 {
            let stored = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", config, "--report-configmap", "lookout-report"])
            #expect(stored.status == 0, "\(stored.stderr)")
        }
        #expect(try cluster.kubectl(["-n", namespace, "get", "configmap", "lookout-report", "-o", "json"]).contains("summary.json"))
    }
}
