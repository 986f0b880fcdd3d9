import ConsumerSupport
import Foundation
import ManifestFixtures
import Reports
import Testing

/// Every report format from one real scan, each checked by a real consumer; baselines across a
/// cluster that changes between two scans; offline audits of saved snapshots and kubectl dumps.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct ReportsIntegrationTests {
    /// A namespace with a privileged Deployment, a host-network Pod and a ServiceAccount bound to
    /// cluster-admin, and no network policy.
    func makeWorkloads(_ cluster: TestCluster) throws -> String {
        let namespace = try cluster.makeNamespace("reports")
        try cluster.apply(TestCluster.privilegedDeployment(namespace: namespace) + """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sniffer, namespace: \(namespace)}
            spec:
              hostNetwork: true
              containers: [{name: tcpdump, image: "busybox:1.36"}]
            """)
        try cluster.bindServiceAccount("deployer", namespace: namespace, clusterRole: "cluster-admin")
        return namespace
    }

    func lookout(_ arguments: [String]) throws -> Subprocess.Result {
        try Run.lookout(arguments)
    }

    @Test func everyFormatFromOneScanPassesItsConsumer() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeWorkloads(cluster)
        let folder = try TempDirectory()
        let base = folder.path + "/report"
        let result = try lookout([
            "scan", "framework", "all", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace,
            "--format", "pretty,json,junit,sarif,html,prometheus", "--output", base,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "everything went to files")
        for ext in ["txt", "json", "xml", "sarif", "html", "prom"] {
            #expect(FileManager.default.fileExists(atPath: "\(base).\(ext)"), "report.\(ext) missing")
        }
        let report = try ScanReport.decode(try Data(contentsOf: URL(fileURLWithPath: base + ".json")))
        let privileged = try #require(report.findings.first { $0.controlID == "C-0057" && $0.resource.namespace == namespace })
        #expect(privileged.resource.kind == "Deployment" && privileged.resource.name == "web")

        _ = try Consumer.check(.json, file: base + ".json")

        if let junit = try Consumer.check(.junit, file: base + ".xml") {
            let suites = try #require(junit["suites"] as? [[String: Any]])
            // One suite per framework, plus "controls" for controls that belong to none of them.
            let names = Set(suites.compactMap { $0["name"] as? String })
            #expect(names.subtracting(["controls"]) == Set(report.summary.frameworks.map(\.name)))
            let failures = suites.compactMap { $0["failures"] as? [String: String] }.flatMap { $0 }
            #expect(failures.contains { $0.key.hasPrefix("C-0057 ") && $0.value.contains("Deployment \(namespace)/web") })
        }

        if let sarif = try Consumer.check(.sarif, file: base + ".sarif") {
            #expect((sarif["rules"] as? [String])?.count == report.controls.count)
            let results = try #require(sarif["results"] as? [[String: Any]])
            #expect(results.count == report.findings.count)
            #expect(results.contains {
                $0["ruleId"] as? String == "C-0057" && $0["location"] as? String == "\(report.clusterName)/\(namespace)/Deployment/web"
            })
        }

        if let page = try Consumer.check(.html, file: base + ".html", fragment: "#sort=id") {
            let cards = try #require(page["cards"] as? [String: String])
            #expect(cards["compliance-score"] == NumberText.percent(report.summary.complianceScore))
            #expect(cards["risk-score"] == NumberText.percent(report.summary.riskScore))
            let rows = try #require(page["rows"] as? [String])
            #expect(rows.count == report.controls.count)
            #expect(rows == rows.sorted(), "sorted by control ID after the heading click")
            let bars = try #require(page["bars"] as? [String: [String: Int]])
            #expect(bars["chart-namespace"]?[namespace] == report.failedFindings.count { $0.resource.namespace == namespace })
        }

        if let metrics = try Consumer.check(.prometheus, file: base + ".prom") {
            let families = try #require(metrics["families"] as? [String: [[String: Any]]])
            #expect(families["lookout_compliance_score"]?.first?["value"] as? Double == report.summary.complianceScore)
            #expect(families["lookout_namespace_failed_resources"]?.contains {
                ($0["labels"] as? [String: String])?["namespace"] == namespace && ($0["labels"] as? [String: String])?["control_id"] == "C-0057"
            } == true)
        }

        let pretty = try String(contentsOfFile: base + ".txt", encoding: .utf8)
        #expect(pretty.contains("Top failing resources"))
        #expect(!pretty.contains("\u{1b}["), "no colour in a file")
        for line in pretty.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
    }

    @Test func pushgatewayReceivesTheMetrics() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeWorkloads(cluster)
        let folder = try TempDirectory()
        guard let sink = try Consumer.pushgatewaySink(in: folder.path) else { return }
        defer { sink.stop() }
        let result = try lookout([
            "scan", "control", "C-0057,C-0041", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace,
            "--format", "json", "--output", folder.path + "/report.json", "--pushgateway", "http://127.0.0.1:\(sink.port)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let request = try sink.received()
        #expect(request["method"] == "PUT")
        #expect(request["path"] == "/metrics/job/lookout")
        #expect(request["contentType"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = folder.path + "/pushed.prom"
        try (request["body"] ?? "").write(toFile: body, atomically: true, encoding: .utf8)
        if let metrics = try Consumer.check(.prometheus, file: body) {
            #expect((metrics["families"] as? [String: Any])?["lookout_control_failed_resources"] != nil)
        }

        let refused = try lookout([
            "scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace,
            "--format", "json", "--output", folder.path + "/again.json", "--pushgateway", "http://127.0.0.1:1",
        ])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("127.0.0.1:1"))
    }

    /// Between two scans one problem is fixed, one appears, and the Deployment scales and restarts:
    /// only the appeared problem is new.
    @Test func baselineAcrossAChangingCluster() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeWorkloads(cluster)
        let folder = try TempDirectory()
        let controls = "C-0057,C-0041,C-0035,C-0054"
        func scan(_ extra: [String]) throws -> Subprocess.Result {
            try lookout(["scan", "control", controls, "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace] + extra)
        }
        let first = folder.path + "/first.json"
        #expect(try scan(["--format", "json", "--output", first]).status == 0)

        try cluster.kubectl(["-n", namespace, "delete", "pod", "sniffer", "--wait=false"])
        try cluster.kubectl(["-n", namespace, "scale", "deployment", "web", "--replicas=3"])
        try cluster.kubectl(["-n", namespace, "delete", "pods", "-l", "app=web", "--wait=false"])
        try cluster.apply(Manifest.workload(
            "DaemonSet", name: "agent", namespace: namespace,
            podSpec: #"containers: [{name: agent, image: "busybox:1.36", securityContext: {privileged: true}}]"#))

        let second = folder.path + "/second.json"
        let compared = try scan(["--format", "json", "--output", second, "--baseline", first])
        #expect(compared.status == 0, "\(compared.stderr)")
        let report = try ScanReport.decode(try Data(contentsOf: URL(fileURLWithPath: second)))
        // ClusterRoleBindings are cluster-scoped, so subjects that parallel tests bind in their own
        // namespaces show up too: judge this namespace's findings.
        let new = report.findings.filter { $0.baseline == .new && $0.resource.namespace == namespace }
        #expect(new.map { "\($0.controlID) \($0.resource.kind)/\($0.resource.name)" } == ["C-0057 DaemonSet/agent"])
        #expect(report.findings.contains { $0.controlID == "C-0057" && $0.resource.name == "web" && $0.baseline == .unchanged })
        #expect(report.findings.contains { $0.controlID == "C-0035" && $0.resource.name == "deployer" && $0.baseline == .unchanged })
        let resolved = try #require(report.baseline?.resolved)
        #expect(resolved.map { "\($0.controlID) \($0.resource.name)" } == ["C-0041 sniffer"])
        _ = try Consumer.check(.json, file: second)

        // --fail-on-new fails on the new critical finding, and passes when only unchanged ones remain.
        let gate = try scan(["--format", "json", "--output", folder.path + "/gate.json", "--baseline", first, "--fail-on-new", "--severity-threshold", "high"])
        #expect(gate.status == 1)
        #expect(gate.stderr.contains("1 new failed resource(s)"))
        let quiet = try scan([
            "--format", "json", "--output", folder.path + "/quiet.json", "--baseline", second, "--fail-on-new", "--severity-threshold", "high",
        ])
        #expect(quiet.status == 0, "\(quiet.stderr)")

        let diff = try lookout(["diff", first, second])
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("New findings ("))
        #expect(diff.stdout.contains("DaemonSet \(namespace)/agent"))
        #expect(diff.stdout.contains("resolved C-0041 Pod \(namespace)/sniffer"))
        let diffJSON = try lookout(["diff", first, second, "--format", "json", "--fail-on-new", "--severity-threshold", "high"])
        #expect(diffJSON.status == 1)
        let diffReport = try ScanReport.decode(Data(diffJSON.stdout.utf8))
        #expect(diffReport.findings.filter { $0.baseline == .new && $0.resource.namespace == namespace }.map(\.resource.name) == ["agent"])
    }

    @Test func offlineAuditOfASavedSnapshotMatchesTheLiveScan() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeWorkloads(cluster)
        let folder = try TempDirectory()
        let snapshot = folder.path + "/snapshot.json"
        let collected = try lookout(["collect", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace, "--output", snapshot])
        #expect(collected.status == 0, "\(collected.stderr)")
        let live = try lookout(["scan", "framework", "all", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", namespace, "--format", "json"])
        let offline = try lookout(["scan", "framework", "all", "--from", snapshot, "--format", "json"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let liveReport = try ScanReport.decode(Data(live.stdout.utf8))
        let offlineReport = try ScanReport.decode(Data(offline.stdout.utf8))
        // Tests running in parallel change cluster-scoped objects between the two reads: compare this
        // namespace's findings, which only this test touches.
        func ours(_ report: ScanReport) -> Set<String> {
            Set(report.findings.filter { $0.resource.namespace == namespace }.map(\.fingerprint))
        }
        #expect(!ours(liveReport).isEmpty)
        #expect(ours(offlineReport) == ours(liveReport))
        #expect(offlineReport.controls.map(\.id) == liveReport.controls.map(\.id))
        #expect(offlineReport.cluster.server == liveReport.cluster.server && offlineReport.cluster.version == liveReport.cluster.version)
        // The snapshot holds what the cluster holds (kube-root-ca.crt included), never the credentials used to read it.
        let saved = try String(contentsOfFile: snapshot, encoding: .utf8)
        let clientCertificate = try String(contentsOfFile: cluster.environment["LOOKOUT_REALAPI_CLIENT_CERT"] ?? "", encoding: .utf8)
        let certificateBody = clientCertificate.split(separator: "\n").dropFirst().first.map(String.init) ?? "unlikely"
        #expect(!saved.contains(certificateBody))
        let clientKey = try String(contentsOfFile: cluster.environment["LOOKOUT_REALAPI_CLIENT_KEY"] ?? "", encoding: .utf8)
        #expect(!saved.contains(clientKey.split(separator: "\n").dropFirst().first.map(String.init) ?? "unlikely"))
        // A PEM key's armour; the snapshot names the "PRIVATE KEY" patterns its redaction checked.
        #expect(!saved.contains("PRIVATE KEY-----"))
    }

    @Test func offlineAuditOfKubectlDumpsAndManifests() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeWorkloads(cluster)
        let folder = try TempDirectory()
        let dump = try cluster.kubectl(["-n", namespace, "get", "deployments,pods,serviceaccounts", "-o", "json"])
        try dump.write(toFile: folder.path + "/dump.json", atomically: true, encoding: .utf8)
        let result = try lookout(["scan", "control", "C-0057,C-0054,C-0041", "--from", folder.path + "/dump.json", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try ScanReport.decode(Data(result.stdout.utf8))
        #expect(report.findings.contains { $0.controlID == "C-0057" && $0.resource.kind == "Deployment" && $0.resource.name == "web" })
        #expect(report.findings.contains { $0.controlID == "C-0041" && $0.resource.name == "sniffer" })
        // A dump is judged like manifests: no Namespace in it is no namespace to judge, not an unknown.
        let networkControl = try #require(report.controls.first { $0.id == "C-0054" })
        #expect(networkControl.status == .notApplicable, "\(networkControl.skipReason ?? "")")
        #expect(report.source?.mode == .manifests)

        // The same objects as YAML manifests in nested folders.
        let yaml = try cluster.kubectl(["-n", namespace, "get", "deployments,pods", "-o", "yaml"])
        try FileManager.default.createDirectory(atPath: folder.path + "/manifests/apps", withIntermediateDirectories: true)
        try yaml.write(toFile: folder.path + "/manifests/apps/all.yaml", atomically: true, encoding: .utf8)
        let fromFolder = try lookout(["scan", "control", "C-0057", "--from", folder.path + "/manifests", "--format", "json"])
        #expect(fromFolder.status == 0, "\(fromFolder.stderr)")
        #expect(try ScanReport.decode(Data(fromFolder.stdout.utf8)).findings.contains { $0.resource.name == "web" })

        try "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: 7\n".write(
            toFile: folder.path + "/manifests/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try lookout(["scan", "--from", folder.path + "/manifests"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yaml:5"))
        #expect(bad.stderr.contains("spec.containers"))
    }
}
