import Foundation
import Audit
import Reports
import Testing

/// A real scan marks the workload controls a namespace's Pod Security Admission enforce label already
/// covers, and leaves the rest on the to-do list. (The v1.20 test server serves no
/// ValidatingAdmissionPolicy API; bound Lookout policies are covered by the unit tests.)
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct AdmissionIntegrationTests {
    @Test func podSecurityEnforceLabelMarksTheControlsItImplies() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("admission", labels: ["pod-security.kubernetes.io/enforce": "baseline"])
        try cluster.apply(TestCluster.privilegedDeployment(namespace: namespace))
        let result = try Run.lookout([
            "scan", "control", "C-0057,C-0016,C-0017,C-0035", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace,
            "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout.utf8))
        let byID = Dictionary(uniqueKeysWithValues: report.controls.map { ($0.id, $0) })
        #expect(byID["C-0057"]?.status == .failed)
        #expect(byID["C-0057"]?.admission?.state == .enforced)
        #expect(byID["C-0057"]?.admission?.by == ["Pod Security Admission enforce=baseline or restricted in 1 of 1 namespaces"])
        // Escalation needs restricted; a read-only root is in no Pod Security level; RBAC is not a workload control.
        #expect(byID["C-0016"]?.admission?.state == AdmissionCoverage.State.none)
        #expect(byID["C-0017"]?.admission?.state == AdmissionCoverage.State.none)
        #expect(byID["C-0035"] != nil && byID["C-0035"]?.admission == nil)
    }
}
