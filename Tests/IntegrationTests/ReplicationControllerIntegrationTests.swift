import Foundation
import Reports
import Testing

/// ReplicationControllers are collected from the real API server and judged as workloads; the pods the
/// controller manager creates for them are not reported a second time.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct ReplicationControllerIntegrationTests {
    @Test func replicationControllerIsAWorkload() throws {
        let cluster = try TestCluster.require()
        let ns = try cluster.makeNamespace("rc")
        try cluster.apply("""
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy, namespace: \(ns)}
            spec:
              replicas: 2
              selector: {app: legacy}
              template:
                metadata: {labels: {app: legacy}}
                spec:
                  hostNetwork: true
                  containers: [{name: app, image: "nginx:1.25"}]
            """)
        // The controller manager creates the pods; they must exist for the test to show they are not reported.
        var pods = 0
        for _ in 0..<40 where pods < 2 {
            pods = try cluster.kubectl(["get", "pods", "-n", ns, "-l", "app=legacy", "-o", "name"]).split(separator: "\n").count
            if pods < 2 { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(pods == 2)
        let result = try Run.lookout([
            "scan", "control", "C-0041", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try ScanReport.decode(Data(result.stdout.utf8))
        let failed = report.findings.filter { $0.status == "failed" && $0.resource.namespace == ns }
        #expect(failed.map { "\($0.resource.kind)/\($0.resource.name)" } == ["ReplicationController/legacy"])
        #expect(failed.first?.resource.apiVersion == "v1")
    }
}
