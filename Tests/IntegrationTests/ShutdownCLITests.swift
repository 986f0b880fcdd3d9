import Foundation
import ManifestFixtures
import Testing

/// Lookout joins its transfer threads and ends with a plain `exit` (it used `_exit` while they were
/// detached: exit's handlers, OpenSSL's cleanup among them, raced threads still freeing their
/// connections and crashed with "double free or corruption" after the output was complete). That
/// `shutdown` joins every thread is proven in KubeClientTests (`shutdownJoinsEveryTransferThread`);
/// this checks the whole process: the API server's requests and a Pushgateway push share the threads,
/// and every run ends with its documented code, never with a signal.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct ShutdownCLITests {
    @Test func scansThatUseTheTransferThreadsExitCleanly() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("shutdown")
        try cluster.apply(Manifest.pod(name: "root-shell", namespace: namespace, podSpec: """
            containers: [{name: shell, image: busybox:1.36, securityContext: {privileged: true}}]
            """))
        let scan = ["scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace, "--format", "json"]
        for run in 0..<6 {
            let clean = try Run.lookout(scan + ["--severity-threshold", "critical"])
            #expect(clean.status == 0, "run \(run): \(clean.stderr)")
            #expect(clean.stdout.contains("\"root-shell\""), "run \(run): the report is complete")
            let gate = try Run.lookout(scan + ["--severity-threshold", "high"])
            #expect(gate.status == 1, "run \(run): \(gate.stderr)")
            // Nothing listens on port 1: the push fails on the threads that read the cluster (exit 3).
            let push = try Run.lookout(scan + ["--pushgateway", "http://127.0.0.1:1"])
            #expect(push.status == 3, "run \(run): \(push.stderr)")
            #expect(push.stderr.contains("cannot push to http://127.0.0.1:1"), "run \(run): \(push.stderr)")
            for result in [clean, gate, push] {
                #expect(!result.stderr.contains("double free") && !result.stderr.contains("corruption"), "\(result.stderr)")
            }
        }
    }
}
