import Audit
import FoundationEssentials
import Inventory
import Reports
import Testing
@testable import LookoutCLI

/// The gates of `scan` and `diff`, on a report with one privileged Deployment (C-0057, high, fails) and
/// C-0035 passing.
@Suite struct GatesTests {
    static func report() -> ScanReport {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443"))
        snapshot.collected = Set(ResourceKind.allCases)
        let privileged = Container(name: "app", image: "nginx:1.25", securityContext: SecurityContext(privileged: true))
        snapshot.deployments = [
            Deployment(
                metadata: ObjectMeta(name: "web", namespace: "shop"),
                spec: ReplicatedWorkloadSpec(replicas: 1, template: PodTemplate(spec: PodSpec(containers: [privileged])))),
        ]
        let controls = ["C-0035", "C-0057"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [], in: AuditContext(snapshot: snapshot))
        return ScanReport(result: result, snapshot: snapshot, toolVersion: "0", scannedAt: Date(timeIntervalSince1970: 0))
    }

    private func gates(compliance: Double? = nil, severity: Severity? = nil, risk: Double? = nil, newOnly: Bool = false) -> Gates {
        Gates(GateOptions(complianceThreshold: compliance, severityThreshold: severity, riskThreshold: risk), newOnly: newOnly)
    }

    @Test func noGateNeverFails() {
        #expect(gates().failures(Self.report()).isEmpty)
    }

    @Test func complianceThreshold() throws {
        var report = Self.report()
        report.summary.complianceScore = 79.5
        #expect(gates(compliance: 79.5).failures(report).isEmpty)
        #expect(gates(compliance: 80).failures(report) == ["compliance score 79.50 is below --compliance-threshold 80 by 0.50 points"])
        report.summary.complianceScore = nil
        #expect(gates(compliance: 0).failures(report) == ["compliance score is n/a (no control judged a resource): --compliance-threshold 0 is not met"])
    }

    @Test func riskThreshold() {
        var report = Self.report()
        report.summary.riskScore = 30.25
        #expect(gates(risk: 30.25).failures(report).isEmpty)
        #expect(gates(risk: 30).failures(report) == ["risk score 30.25 is above --fail-threshold 30 by 0.25 points"])
        report.summary.riskScore = nil
        #expect(gates(risk: 100).failures(report) == ["risk score is n/a (no scored control judged a resource): --fail-threshold 100 is not met"])
    }

    @Test func severityThreshold() {
        let report = Self.report()
        #expect(gates(severity: .critical).failures(report).isEmpty)
        #expect(gates(severity: .high).failures(report) == ["1 failed resource(s) at severity high or above (--severity-threshold high)"])
    }

    /// `--fail-on-new` counts only findings the baseline lacks, at any severity without a threshold.
    @Test func failOnNew() {
        let report = Self.report()
        #expect(gates(newOnly: true).severityThreshold == .low)
        #expect(gates(newOnly: true).failures(report.compared(with: report, source: "same")).isEmpty)
        var empty = report
        empty.findings = []
        #expect(gates(newOnly: true).failures(report.compared(with: empty, source: "empty"))
            == ["1 new failed resource(s) at severity low or above (--severity-threshold low, --fail-on-new)"])
        #expect(gates(severity: .critical, newOnly: true).failures(report.compared(with: empty, source: "empty")).isEmpty)
    }

    @Test func allFailuresAreSaid() {
        var report = Self.report()
        report.summary.complianceScore = 10
        report.summary.riskScore = 90
        #expect(gates(compliance: 50, severity: .low, risk: 50).failures(report).count == 3)
    }

    @Test func scoresPrintWithTwoDecimalsAtMost() {
        #expect(Gates.format(80) == "80")
        #expect(Gates.format(79.5) == "79.50")
        #expect(Gates.format(0.05) == "0.05")
        #expect(Gates.format(12.3456) == "12.35")
    }
}
