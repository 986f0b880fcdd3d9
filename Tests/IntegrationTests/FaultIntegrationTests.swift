import ConsumerSupport
import Foundation
import Reports
import Testing

/// Scans through Tests/cluster/fault-proxy.py in front of the real API server: for each fault, the same
/// findings as a clean run, or exit 3 naming what could not be read — never a hang, never a trap.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct FaultIntegrationTests {
    static let controls = "C-0035,C-0057,C-0054"

    /// The findings about `namespace` (parallel tests add objects elsewhere), as comparable strings.
    static func findings(_ report: ScanReport?, in namespace: String) -> Set<String> {
        Set((report?.findings ?? []).filter { $0.resource.namespace == namespace || $0.resource.name == namespace }
            .map { "\($0.controlID) \($0.resource.kind) \($0.resource.namespace ?? "") \($0.resource.name) \($0.status)" })
    }

    static func scan(_ kubeconfig: String, _ extra: [String] = []) throws -> (Subprocess.Result, ScanReport?) {
        let result = try Run.lookout(
            ["scan", "control", controls, "--kubeconfig", kubeconfig, "--format", "json"] + extra)
        return (result, try? ScanReport.decode(Data(result.stdout.utf8)))
    }

    /// A clean scan and a scan through a proxy with `spec`: both exit 0 with the same findings, and the
    /// proxy did inject the fault (a test whose fault never fired proves nothing).
    func expectSameFindings(spec: String, minimumInjected: Int = 1) throws {
        let cluster = try TestCluster.require()
        let namespace = try ScanIntegrationTests().makeProblems(cluster)
        let (clean, cleanReport) = try Self.scan(cluster.kubeconfig)
        #expect(clean.status == 0, "\(clean.stderr)")
        let expected = Self.findings(cleanReport, in: namespace)
        #expect(expected.count >= 3, "the clean scan must find the namespace's problems")

        let proxy = try FaultProxy(cluster, spec: spec)
        let (faulted, faultedReport) = try Self.scan(proxy.kubeconfig)
        #expect(faulted.status == 0, "\(faulted.stderr)")
        #expect(Self.findings(faultedReport, in: namespace) == expected)
        let log = try proxy.log()
        #expect(log.filter { $0.fault != nil }.count >= minimumInjected, "too few faults injected: \(log.map(\.path))")
    }

    @Test func tooManyRequestsWithRetryAfterGivesTheSameFindings() throws {
        try expectSameFindings(
            spec: #"{"fault": "status", "status": 429, "retryAfter": "1", "path": "^/api/v1/pods\\?", "times": 2}"#,
            minimumInjected: 2)
    }

    /// Issue 11 defect 1: a non-numeric Retry-After reached Int(seconds * 1000) and trapped.
    @Test func hostileRetryAfterValuesGiveTheSameFindings() throws {
        let rules = [("nan", "pods"), ("-inf", "services"), ("-1e300", "namespaces"), ("1e300", "serviceaccounts")]
            .map { #"{"fault": "status", "status": 429, "retryAfter": "\#($0.0)", "path": "^/api/v1/\#($0.1)\\?", "times": 1}"# }
        try expectSameFindings(spec: "[" + rules.joined(separator: ",") + "]", minimumInjected: 4)
    }

    /// Issue 11 defect 4: a server that repeats or cycles continue tokens kept pagination going for ever.
    @Test(arguments: [["again"], ["one", "two"]])
    func repeatedContinueTokensEndTheListNamingTheResource(tokens: [String]) throws {
        let cluster = try TestCluster.require()
        let tokenList = tokens.map { "\"\($0)\"" }.joined(separator: ",")
        let proxy = try FaultProxy(
            cluster, spec: #"{"fault": "continue-loop", "path": "^/api/v1/services\\?", "tokens": [\#(tokenList)]}"#)
        let (result, report) = try Self.scan(proxy.kubeconfig)
        let named = (report?.errors ?? []).contains { $0.resource == "services" && $0.message.contains("continue token") }
            || result.stderr.contains("services") && result.stderr.contains("continue token")
        #expect(named, "exit \(result.status): \(result.stderr)")
        #expect(try proxy.injected().count <= tokens.count + 2)
    }

    /// Issue 11 defect 9: a group version whose discovery failed was dropped, so its optional kinds read
    /// as "not served" (none exist) instead of unknown.
    @Test func failedDiscoveryOfAnOptionalKindIsAnErrorNotAbsence() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "status", "status": 503, "path": "^/apis/policy/v1beta1$"}"#)
        let (result, report) = try Self.scan(proxy.kubeconfig)
        let error = report?.errors.first { $0.resource == "podsecuritypolicies" }
        #expect(error?.message.contains("discovery failed") == true, "exit \(result.status): \(result.stderr)")
        #expect(try proxy.injected().count >= 1)
    }

    /// A body that stalls mid-way: the idle timeout and retries would take minutes; --timeout ends the
    /// scan when its time is up, with exit 3 and no report.
    @Test func aStalledBodyEndsAtTheTimeout() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "slow", "path": "^/api/v1/pods\\?", "seconds": 3600}"#)
        let started = ContinuousClock.now
        let (result, report) = try Self.scan(proxy.kubeconfig, ["--timeout", "8s"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("did not finish within 8s (--timeout)"), "\(result.stderr)")
        #expect(report == nil)
        #expect(ContinuousClock.now - started < .seconds(40))
        #expect(try proxy.injected().count >= 1)
    }

    /// `collect` writes its snapshot while it lists: stopped by --timeout with the Pods' body stalled (the
    /// other kinds already written), it leaves the file it would have replaced as it was and no
    /// temporary file beside it.
    @Test func aCollectStoppedMidwayLeavesNoPartialSnapshot() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "slow", "path": "^/api/v1/pods\\?", "seconds": 3600}"#)
        let folder = try TempDirectory()
        let path = folder.path + "/snapshot.json"
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        let result = try Run.lookout(["collect", "--kubeconfig", proxy.kubeconfig, "--timeout", "8s", "--output", path])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("did not finish within 8s (--timeout)"), "\(result.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["snapshot.json"])
        #expect(try proxy.injected().count >= 1)
    }

    // MARK: The fault matrix (issue 11, deliverable 2)

    /// Transient faults, each injected once on a LIST: retries or the list's restart give the same
    /// findings as a clean run.
    @Test(arguments: [
        #"{"fault": "status", "status": 500, "path": "^/api/v1/pods\\?", "times": 1}"#,
        #"{"fault": "status", "status": 503, "path": "^/api/v1/namespaces\\?", "times": 2}"#,
        #"{"fault": "status", "status": 429, "path": "^/api/v1/serviceaccounts\\?", "times": 1}"#,
        #"{"fault": "status", "status": 410, "path": "^/api/v1/pods\\?", "times": 1}"#,
        #"{"fault": "reset", "path": "^/api/v1/pods\\?", "times": 1}"#,
        #"{"fault": "chunked-cut", "path": "^/apis/rbac.authorization.k8s.io/v1/clusterrolebindings\\?", "times": 1}"#,
    ])
    func transientFaultsGiveTheSameFindings(spec: String) throws {
        try expectSameFindings(spec: spec)
    }

    /// A well-formed answer with half the JSON cannot be retried into the truth: the scan is incomplete
    /// (exit 3) and the report names the kind it could not read.
    @Test func truncatedJSONMakesTheScanIncompleteNamingTheKind() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "truncate", "path": "^/api/v1/pods\\?"}"#)
        let (result, report) = try Self.scan(proxy.kubeconfig)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(report?.errors.contains { $0.resource == "pods" } == true, "\(report?.errors ?? [])")
    }

    /// Issue 9 observation 1: every third LIST answered with half its JSON (a consistent Content-Length)
    /// gave exit 0 with most controls skipped. A page that does not decode is fetched again: the same
    /// findings as a clean run, and a complete scan.
    @Test func everyThirdListTruncatedIsRetriedToTheSameFindings() throws {
        try expectSameFindings(spec: #"{"fault": "truncate", "path": "limit=", "every": 3}"#, minimumInjected: 3)
    }

    /// Truncated on every try: the report is still written, says it is incomplete and why, and
    /// --allow-incomplete returns the gates' code instead of 3.
    @Test func alwaysTruncatedListIsAnIncompleteReportAndAllowIncompleteAcceptsIt() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "truncate", "path": "^/api/v1/pods\\?"}"#)
        let (strict, report) = try Self.scan(proxy.kubeconfig)
        #expect(strict.status == 3, "\(strict.stderr)")
        #expect(report?.complete == false)
        #expect(report?.incompleteReasons?.contains { $0.hasPrefix("cannot read pods: ") } == true, "\(report?.incompleteReasons ?? [])")
        #expect(report?.controls.first { $0.id == "C-0057" }?.skipReason == "failed: pods")
        #expect(strict.stderr.contains("incomplete scan: cannot read pods"), "\(strict.stderr)")
        let (allowed, allowedReport) = try Self.scan(proxy.kubeconfig, ["--allow-incomplete"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowedReport?.complete == false)
    }

    /// `collect` with a kind it cannot read: the snapshot is saved and records the failure, the exit code
    /// is 3 unless --allow-incomplete, and `scan --from` the snapshot is incomplete in turn.
    @Test func alwaysTruncatedListMakesCollectExitThreeWithTheSnapshotSaved() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "truncate", "path": "^/api/v1/pods\\?"}"#)
        let folder = try TempDirectory()
        let strict = try Run.lookout(["collect", "--kubeconfig", proxy.kubeconfig, "--output", folder.path + "/snapshot.json"])
        #expect(strict.status == 3, "\(strict.stderr)")
        #expect(strict.stderr.contains("incomplete collection: cannot read pods"), "\(strict.stderr)")
        let offline = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path + "/snapshot.json", "--format", "json"])
        #expect(offline.status == 3, "\(offline.stderr)")
        #expect(try ScanReport.decode(Data(offline.stdout.utf8)).complete == false)
        let allowed = try Run.lookout(["collect", "--kubeconfig", proxy.kubeconfig, "--allow-incomplete", "--output", folder.path + "/again.json"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    /// A body past the transport's cap ends the request instead of filling memory. That kind is unread,
    /// named with the cap and the path, and the scan is incomplete (exit 3, the report still written):
    /// one oversized answer says nothing about the server's other answers.
    @Test func anOversizedBodyIsRefusedNamingTheKind() throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, spec: #"{"fault": "oversize", "path": "^/api/v1/pods\\?", "bytes": 300000000}"#)
        let (result, report) = try Self.scan(proxy.kubeconfig)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("incomplete scan: cannot read pods: response body over 256 MiB from /api/v1/pods"), "\(result.stderr)")
        #expect(report?.complete == false)
        #expect(report?.controls.first { $0.id == "C-0057" }?.skipReason == "failed: pods")
        #expect(try proxy.injected().count == 1)
    }

    /// A certificate for another name, or from a CA the kubeconfig does not trust: exit 3, a TLS message.
    @Test(arguments: [("wrong-name", "not valid for the name"), ("unknown-ca", "not trusted")])
    func untrustedCertificatesAreRefused(tls: String, message: String) throws {
        let cluster = try TestCluster.require()
        let proxy = try FaultProxy(cluster, tls: tls)
        let (result, report) = try Self.scan(proxy.kubeconfig)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("TLS") && result.stderr.contains(message), "\(result.stderr)")
        #expect(report == nil)
    }
}
