import Audit
import Foundation
import Inventory
@testable import Reports
import ConsumerSupport
import Testing

/// A small audit with failing, passing and skipped controls, for the renderers.
enum SampleReport {
    static func make() -> ScanReport {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443", context: "prod", version: "v1.30.2"))
        snapshot.collected = Set(ResourceKind.allCases).subtracting([.clusterroles])
        snapshot.errors = [CollectionError(resource: "clusterroles", reason: "forbidden", message: "clusterroles is forbidden")]
        snapshot.scope = NamespaceScope(excluded: ["kube-system"])
        let privileged = Container(name: "app", image: "nginx:1.25", securityContext: SecurityContext(privileged: true))
        snapshot.deployments = [
            Deployment(
                metadata: ObjectMeta(name: "web", namespace: "shop"),
                spec: ReplicatedWorkloadSpec(replicas: 3, template: PodTemplate(labels: ["app": "web"], spec: PodSpec(containers: [privileged])))),
        ]
        snapshot.namespaces = [Namespace(metadata: ObjectMeta(name: "shop"))]
        let controls = ["C-0035", "C-0057", "C-0054"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [Framework(name: "NSA")], in: AuditContext(snapshot: snapshot))
        return ScanReport(result: result, snapshot: snapshot, toolVersion: "0.0.0-test", scannedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// The sample scan with Pods unreadable (their LIST failed) and one node's kubelet unread.
    static func incomplete() -> ScanReport {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443", context: "prod"))
        snapshot.collected = Set(ResourceKind.allCases).subtracting([.pods])
        snapshot.errors = [
            CollectionError(resource: "pods", reason: CollectionError.failed, message: "cannot decode the response of /api/v1/pods: truncated"),
            CollectionError(resource: "nodes/n2/proxy/configz", reason: CollectionError.kubeletUnreadable, message: "connection refused"),
        ]
        snapshot.nodes = ["n1", "n2"].map { Node(metadata: ObjectMeta(name: $0)) }
        snapshot.kubeletConfigurations = [
            NodeKubeletConfiguration(
                node: "n1",
                configuration: try? JSONDecoder().decode(
                    KubeletConfiguration.self, from: Data(#"{"authentication":{"anonymous":{"enabled":false}}}"#.utf8))),
            NodeKubeletConfiguration(node: "n2", configuration: nil, error: "connection refused"),
        ]
        let controls = ["C-0057", "C-0069"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [], in: AuditContext(snapshot: snapshot))
        return ScanReport(result: result, snapshot: snapshot, toolVersion: "0.0.0-test", scannedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// A scan that judged nothing: C-0057 has no workload in scope (not applicable), C-0035 cannot
    /// read ClusterRoles (skipped). Every score is n/a.
    static func nothingJudged() -> ScanReport {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443", context: "empty"))
        snapshot.collected = Set(ResourceKind.allCases).subtracting([.clusterroles])
        snapshot.errors = [CollectionError(resource: "clusterroles", reason: "forbidden", message: "clusterroles is forbidden")]
        let controls = ["C-0035", "C-0057"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [Framework(name: "NSA")], in: AuditContext(snapshot: snapshot))
        return ScanReport(result: result, snapshot: snapshot, toolVersion: "0.0.0-test", scannedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }
}

@Suite struct JSONReportTests {
    @Test func followsTheDocumentedShapeWithSortedKeys() throws {
        let data = try SampleReport.make().jsonData()
        let text = String(decoding: data, as: UTF8.self)
        let keys = ["\"cluster\"", "\"controls\"", "\"errors\"", "\"findings\"", "\"scannedAt\"", "\"schemaVersion\"", "\"scope\"", "\"summary\"", "\"tool\""]
        let positions = keys.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? String == "1")
        #expect(object["scannedAt"] as? String == "2027-01-15T08:00:00Z")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect((summary["controls"] as? [String: Int]) == ["total": 3, "passed": 0, "failed": 2, "notApplicable": 0, "skipped": 1])
    }

    @Test func roundTripsThroughDecode() throws {
        let report = SampleReport.make()
        let decoded = try ScanReport.decode(try report.jsonData())
        #expect(decoded.findings.map(\.fingerprint) == report.findings.map(\.fingerprint))
        #expect(decoded.controls.map(\.status) == [.skipped, .failed, .failed])
        #expect(decoded.controls[0].skipReason == "forbidden: clusterroles")
    }

    /// Scores that judged nothing are null, never 100: a skipped or not-applicable control, and a
    /// framework or scan without a judged resource.
    @Test func scoresOfNothingJudgedAreNull() throws {
        let data = try SampleReport.nothingJudged().jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["complianceScore"] is NSNull)
        #expect(summary["riskScore"] is NSNull)
        #expect((summary["controls"] as? [String: Int]) == ["total": 2, "passed": 0, "failed": 0, "notApplicable": 1, "skipped": 1])
        let framework = try #require((summary["frameworks"] as? [[String: Any]])?.first)
        #expect(framework["complianceScore"] is NSNull)
        let controls = try #require(object["controls"] as? [[String: Any]])
        #expect(controls.map { $0["status"] as? String } == ["skipped", "notApplicable"])
        for control in controls {
            #expect(control["complianceScore"] is NSNull)
            #expect(control["riskScore"] is NSNull)
        }
        let decoded = try ScanReport.decode(data)
        #expect(decoded.summary.complianceScore == nil)
        #expect(decoded.controls.map(\.status) == [.skipped, .notApplicable])
    }

    @Test func incompleteScanSaysWhyAndNamesUnjudgedNodes() throws {
        let report = SampleReport.incomplete()
        #expect(report.complete == false)
        #expect(report.incompleteReasons == ["cannot read pods: cannot decode the response of /api/v1/pods: truncated"])
        let node = try #require(report.controls.first { $0.id == "C-0069" })
        #expect(node.status == .passed)
        #expect(node.unjudged == "1 of 2 nodes not judged, their kubelet configuration could not be read: n2: connection refused")
        #expect(report.errors.map(\.resource) == ["pods", "nodes/n2/proxy/configz"])
        let text = PrettyRenderer(useColor: false, verbose: false).render(report)
        #expect(text.contains("INCOMPLETE SCAN"))
        #expect(text.contains("cannot read pods: cannot decode"))
        #expect(text.contains("↳ 1 of 2 nodes not judged"))
        #expect(SampleReport.make().complete == true)
        #expect(SampleReport.make().incompleteReasons == [])
    }

    /// An included namespace the cluster does not have is in the report and its pretty header.
    @Test func includedNamespacesThatDoNotExistAreReported() {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443"))
        snapshot.collected = Set(ResourceKind.allCases)
        snapshot.namespaces = [Namespace(metadata: ObjectMeta(name: "shop"))]
        snapshot.scope = NamespaceScope(included: ["shop", "shpo"])
        let controls = ["C-0057"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [], in: AuditContext(snapshot: snapshot))
        let report = ScanReport(result: result, snapshot: snapshot, toolVersion: "0", scannedAt: Date(timeIntervalSince1970: 0))
        #expect(report.scope.notFoundNamespaces == ["shpo"])
        #expect(PrettyRenderer(useColor: false, verbose: false).render(report).contains("warning: included namespaces that do not exist: shpo"))
        snapshot.source = .manifests
        #expect(snapshot.includedNamespacesNotFound.isEmpty, "manifests need no Namespace object")
        #expect(SampleReport.make().scope.notFoundNamespaces == nil)
    }

    /// Reports written before not-applicable existed still load as baselines.
    @Test func readsReportsWithoutNotApplicableCounts() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: SampleReport.make().jsonData()) as? [String: Any])
        var summary = try #require(object["summary"] as? [String: Any])
        var counts = try #require(summary["controls"] as? [String: Any])
        counts.removeValue(forKey: "notApplicable")
        summary["controls"] = counts
        object["summary"] = summary
        let decoded = try ScanReport.decode(try JSONSerialization.data(withJSONObject: object))
        #expect(decoded.summary.controls.notApplicable == 0)
    }

    @Test func fingerprintsIgnoreReplicasButNotEvidence() {
        let resource = ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web")
        let first = Fingerprint.of(controlID: "C-0057", resource: resource, evidence: ["a=true", "b=true"])
        #expect(first == Fingerprint.of(controlID: "C-0057", resource: resource, evidence: ["b=true", "a=true"]))
        #expect(first != Fingerprint.of(controlID: "C-0057", resource: resource, evidence: ["a=true"]))
        #expect(first != Fingerprint.of(controlID: "C-0013", resource: resource, evidence: ["a=true", "b=true"]))
        #expect(first.count == 16)
    }
}

@Suite struct PrettyReportTests {
    @Test func fitsOneHundredColumnsWithoutColour() {
        let text = PrettyRenderer(useColor: false, verbose: true).render(SampleReport.make())
        for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
        #expect(!text.contains("\u{1b}["))
        #expect(text.contains("Deployment shop/web"))
        #expect(text.contains("spec.template.spec.containers[0].securityContext.privileged=true"))
        #expect(text.contains("forbidden: clusterroles"))
        #expect(text.contains("Compliance score: 0.0%"))
    }

    @Test func nothingJudgedShowsNotApplicable() {
        let text = PrettyRenderer(useColor: false, verbose: false).render(SampleReport.nothingJudged())
        #expect(text.contains("Compliance score: n/a   Risk score: n/a"))
        #expect(!text.contains("100.0%"))
        #expect(text.contains("1 not applicable, 1 skipped"))
        let row = text.split(separator: "\n").first { $0.contains("C-0057") }.map(String.init) ?? ""
        #expect(row.hasSuffix("0      0       -        n/a"), "\(row)")
        let framework = text.split(separator: "\n").first { $0.hasPrefix("  NSA") }.map(String.init) ?? ""
        #expect(framework.contains("compliance n/a"), "\(framework)")
    }

    @Test func colourOnlyWhenAsked() {
        #expect(PrettyRenderer(useColor: true, verbose: false).render(SampleReport.make()).contains("\u{1b}[31m"))
    }

    @Test func failedControlsComeFirstBySeverity() {
        let text = PrettyRenderer(useColor: false, verbose: false).render(SampleReport.make())
        let order = ["C-0057", "C-0054", "C-0035"].compactMap { text.range(of: $0)?.lowerBound }
        #expect(order.count == 3)
        #expect(order == order.sorted())
    }
}

@Suite struct ControlsReferenceTests {
    /// docs/controls.md must be regenerated (`make docs`) whenever the catalogue changes.
    @Test func checkedInReferenceIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let checkedIn = try String(contentsOf: root.appendingPathComponent("docs/controls.md"), encoding: .utf8)
        #expect(checkedIn == ControlsReference.markdown(), "docs/controls.md is stale: run `make docs`")
    }

    @Test func everyControlHasItsSection() {
        let text = ControlsReference.markdown()
        for control in Catalogue.controls {
            #expect(text.contains("## \(control.id) — \(control.name)"))
        }
    }
}

/// Each failed workload control says whether the cluster already refuses it at admission: the report
/// is a to-do list in every format.
@Suite struct AdmissionInReportTests {
    /// The sample scan, with `shop` enforcing the baseline Pod Security level when `enforced`.
    static func report(enforced: Bool) -> ScanReport {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443", context: "prod"))
        snapshot.collected = Set(ResourceKind.allCases)
        let privileged = Container(name: "app", image: "nginx:1.25", securityContext: SecurityContext(privileged: true))
        snapshot.deployments = [
            Deployment(
                metadata: ObjectMeta(name: "web", namespace: "shop"),
                spec: ReplicatedWorkloadSpec(replicas: 1, template: PodTemplate(labels: ["app": "web"], spec: PodSpec(containers: [privileged])))),
        ]
        snapshot.namespaces = [Namespace(metadata: ObjectMeta(name: "shop", labels: enforced ? ["pod-security.kubernetes.io/enforce": "baseline"] : nil))]
        let controls = ["C-0035", "C-0057", "C-0017"].compactMap(Catalogue.control(id:))
        let result = Auditor.run(controls, frameworks: [], in: AuditContext(snapshot: snapshot))
        return ScanReport(result: result, snapshot: snapshot, toolVersion: "0.0.0-test", scannedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func jsonCarriesCoverageOfWorkloadControlsOnly() throws {
        let report = Self.report(enforced: true)
        let byID = Dictionary(uniqueKeysWithValues: report.controls.map { ($0.id, $0) })
        #expect(byID["C-0035"]?.admission == nil)
        #expect(byID["C-0057"]?.admission == AdmissionCoverage(state: .enforced, by: ["Pod Security Admission enforce=baseline or restricted in 1 of 1 namespaces"]))
        #expect(byID["C-0017"]?.admission == AdmissionCoverage(state: .none, by: []))
        let path = try SampleVariants.write(try report.jsonData(), suffix: "json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        if let summary = try Consumer.check(.json, file: path) { #expect(summary["valid"] as? Bool == true) }
        let decoded = try JSONDecoder().decode(ScanReport.self, from: report.jsonData())
        #expect(decoded.controls.first { $0.id == "C-0057" }?.admission?.state == .enforced)
    }

    @Test func prettyListsWhatIsEnforcedAndWhatIsLeftToDo() {
        let enforced = PrettyRenderer(useColor: false, verbose: false).render(Self.report(enforced: true))
        #expect(enforced.contains("Admission (what the API server already refuses, for the failed workload controls)\n"))
        #expect(enforced.contains("  enforced   C-0057 Privileged container: Pod Security Admission enforce=baseline or restricted in 1\n             of 1 namespaces\n"))
        #expect(enforced.contains("  to do      C-0017 (`lookout generate admission-policy control C-0017` writes"))
        let open = PrettyRenderer(useColor: false, verbose: false).render(Self.report(enforced: false))
        #expect(open.contains("  to do      C-0057, C-0017 (`lookout generate admission-policy control C-0057,C-0017` writes"))
    }

    @Test func htmlHasAnAdmissionColumnAndLine() {
        let html = HTMLRenderer().render(Self.report(enforced: true))
        #expect(html.contains("<button type=\"button\">At admission</button>"))
        #expect(html.contains("<td data-value=\"enforced\" title=\"Pod Security Admission enforce=baseline or restricted in 1 of 1 namespaces\">enforced</td>"))
        #expect(html.contains("<td data-value=\"none\" title=\"\">not enforced</td>"))
        #expect(html.contains("<p class=\"admission\"><strong>At admission:</strong> enforced — Pod Security Admission enforce=baseline or restricted in 1 of 1 namespaces</p>"))
    }
}
