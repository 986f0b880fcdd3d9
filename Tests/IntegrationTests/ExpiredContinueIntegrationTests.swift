import ConsumerSupport
import Foundation
import Reports
import Testing

/// Issue 11: a 410 Gone on a real continue page. The shared test cluster holds fewer objects of a kind
/// than one page (500) and compacts etcd every 5 minutes, so this suite starts an API server of its own
/// that compacts every second, seeds a kind past one page, and delays a continue request at the fault
/// proxy until its token is older than the compacted revision: the real server then answers 410.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct ExpiredContinueIntegrationTests {
    static let configMaps = 520

    /// ConfigMaps past one page; some hold a password, on both pages, so C-0012 has findings to lose.
    static func seed(_ cluster: TestCluster) throws -> String {
        let namespace = try cluster.makeNamespace("gone")
        let items = (0..<configMaps).map { index in
            let data = index % 50 == 10 ? #"{"password": "p"}"# : #"{"color": "blue"}"#
            return #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-\#(String(format: "%04d", index))", "namespace": "\#(namespace)"}, "data": \#(data)}"#
        }
        try cluster.kubectl(["create", "-f", "-"], input: #"{"apiVersion": "v1", "kind": "List", "items": [\#(items.joined(separator: ","))]}"#)
        return namespace
    }

    static func scan(_ kubeconfig: String, _ namespace: String) throws -> (Subprocess.Result, ScanReport?) {
        let result = try Run.lookout(["scan", "control", "C-0012", "--kubeconfig", kubeconfig, "--include-namespaces", namespace, "--format", "json"])
        return (result, try? ScanReport.decode(Data(result.stdout.utf8)))
    }

    /// As the docs say (docs/security.md): a 410 on a continue page restarts the LIST from its first page
    /// and gives the clean run's findings; a continuation that expires on every try (3 restarts) makes
    /// the scan incomplete, naming the kind, with exit 3, never a silently partial list.
    @Test func anExpiredContinueTokenRestartsTheListOrMakesTheScanIncomplete() throws {
        let dedicated = try DedicatedCluster(apiServerArguments: "--etcd-compaction-interval=1s")
        defer { dedicated.stop() }
        let cluster = dedicated.cluster
        let namespace = try Self.seed(cluster)
        let (clean, cleanReport) = try Self.scan(cluster.kubeconfig, namespace)
        #expect(clean.status == 0, "\(clean.stderr)")
        let findings = try #require(cleanReport).findings.map(\.fingerprint).sorted()
        #expect(findings.count == Self.configMaps / 50 + 1)

        // The first continue page waits 4 s: its token is then 2 compactions old.
        let once = try FaultProxy(cluster, spec: #"{"fault": "delay", "seconds": 4, "continue": true, "path": "/configmaps", "times": 1}"#)
        let (restarted, restartedReport) = try Self.scan(once.kubeconfig, namespace)
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restartedReport?.complete == true)
        #expect(restartedReport?.findings.map(\.fingerprint).sorted() == findings)
        let log = try once.log().filter { $0.path.contains("/configmaps") }
        #expect(log.filter { $0.fault == "delay" }.map(\.upstream) == [410], "\(log)")
        // Page one, the expired page two, then the whole list again from page one.
        #expect(log.filter { !$0.path.contains("continue=") }.count >= 2, "\(log)")

        let always = try FaultProxy(cluster, spec: #"{"fault": "delay", "seconds": 4, "continue": true, "path": "/configmaps"}"#)
        let (expired, expiredReport) = try Self.scan(always.kubeconfig, namespace)
        #expect(expired.status == 3, "\(expired.stderr)")
        #expect(expiredReport?.complete == false)
        #expect(expiredReport?.incompleteReasons?.contains { $0.hasPrefix("cannot read configmaps: ") && $0.contains("410 Gone") } == true,
                "\(expiredReport?.incompleteReasons ?? [])")
        #expect(expiredReport?.controls.first { $0.id == "C-0012" }?.skipReason == "failed: configmaps")
        #expect(expired.stderr.contains("incomplete scan: cannot read configmaps"), "\(expired.stderr)")
        #expect(try always.log().filter { $0.fault == "delay" }.map(\.upstream) == [410, 410, 410, 410])
    }
}
