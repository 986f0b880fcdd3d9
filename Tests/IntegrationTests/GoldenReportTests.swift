import Foundation
import Testing

/// Restructuring the code must not change a byte of what Lookout reports. These tests compare the
/// reports of the demo — scanned as manifests in all six formats, and applied to a fresh API server of
/// its own, scanned live and from a `collect` snapshot — with the files in Golden/, which the code
/// before the restructuring wrote. Only the scan time and the server's port are masked.
///
/// After an intended change of output, rewrite them with
/// `LOOKOUT_UPDATE_GOLDEN=1 LOOKOUT_TEST_CLUSTER=… swift test --filter GoldenReportTests` and review
/// the diff like code.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct GoldenReportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden"
    static let demoManifests = repository + "/Tests/cluster/demo"
    static let updating = ProcessInfo.processInfo.environment["LOOKOUT_UPDATE_GOLDEN"] == "1"

    @Test func demoManifestsInEveryFormat() throws {
        let folder = try TempDirectory()
        let run = try Run.lookout([
            "scan", "framework", "all", "--from", Self.demoManifests,
            "--format", "json,pretty,html,junit,sarif,prometheus", "--output", folder.path + "/report",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try String(contentsOfFile: folder.path + "/report.json", encoding: .utf8)
        let masks = try Masks(json: json, source: Self.demoManifests)
        for fileExtension in ["json", "txt", "html", "xml", "sarif", "prom"] {
            let text = try String(contentsOfFile: folder.path + "/report." + fileExtension, encoding: .utf8)
            try compare(masks.apply(to: text), golden: "demo-manifests." + fileExtension)
        }
    }

    /// `make demo`'s cluster: the scan it runs, the pipeline use (all frameworks, system namespaces
    /// excluded) and the same from a snapshot. The shared test cluster holds other tests' objects, so
    /// this one starts an API server of its own.
    @Test func demoClusterScans() throws {
        let dedicated = try DedicatedCluster()
        defer { dedicated.stop() }
        let cluster = dedicated.cluster
        try cluster.kubectl(["apply", "-f", Self.demoManifests])
        try dedicated.waitUntilControllersSettle()
        // This cluster's own LIST pages (pods the controllers made included) decode to the same models
        // directly as with JSONDecoder; checked here so as not to start another API server.
        let compared = try DirectDecodingPages.compare(in: cluster)
        #expect(compared[.pods, default: 0] > 0 && compared[.replicasets, default: 0] > 0 && compared[.deployments, default: 0] > 0, "\(compared)")
        let folder = try TempDirectory()
        let connection = ["--kubeconfig", cluster.kubeconfig]
        let scope = ["--exclude-namespaces", "kube-system,kube-public"]
        let pipeline = ["framework", "all", "--compliance-threshold", "90"]

        let demo = try Run.lookout(["scan"] + connection + ["--format", "json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        try compare(Masks(json: demo.stdout, server: cluster.url).apply(to: demo.stdout), golden: "demo-cluster.json")

        let live = try Run.lookout(["scan"] + pipeline + scope + connection + ["--format", "json"])
        #expect(live.status == 1, "\(live.stderr)")
        try compare(Masks(json: live.stdout, server: cluster.url).apply(to: live.stdout), golden: "demo-cluster-pipeline.json")

        let snapshot = folder.path + "/snapshot.json"
        let collect = try Run.lookout(["collect"] + scope + connection + ["--output", snapshot])
        #expect(collect.status == 0, "\(collect.stderr)")
        let offline = try Run.lookout(["scan"] + pipeline + ["--from", snapshot, "--format", "json"])
        #expect(offline.status == 1, "\(offline.stderr)")
        try compare(Masks(json: offline.stdout, server: cluster.url).apply(to: offline.stdout), golden: "demo-snapshot-pipeline.json")
    }

    func compare(_ actual: String, golden name: String) throws {
        let path = Self.goldenFolder + "/" + name
        if Self.updating {
            try FileManager.default.createDirectory(atPath: Self.goldenFolder, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "LOOKOUT_UPDATE_GOLDEN is set in CI")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        guard actual != expected else { return }
        let actualPath = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-golden-" + name).path
        try actual.write(toFile: actualPath, atomically: true, encoding: .utf8)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        Issue.record("""
            \(name) differs from Golden/\(name) from line \(line + 1) (diff \(path) \(actualPath)):
            expected: \(line < expectedLines.count ? String(expectedLines[line].prefix(300)) : "<end of file>")
            actual:   \(line < actualLines.count ? String(actualLines[line].prefix(300)) : "<end of file>")
            """)
    }
}

/// The parts of a report that differ between two runs of the same scan: the scan time (in the forms
/// the six formats write it), the test API server's random port and where the clone lives.
struct Masks {
    var replacements: [(String, String)] = []

    init(json: String, server: String? = nil, source: String? = nil) throws {
        let scannedAt = try #require(
            json.firstMatch(of: #/"scannedAt" : "([^"]+)"/#).map { String($0.output.1) },
            "no scannedAt in the JSON report")
        replacements.append((scannedAt, "SCANNED-AT"))
        replacements.append((String(scannedAt.dropLast()), "SCANNED-AT"))  // JUnit's timestamp has no zone
        if let date = try? Date(scannedAt, strategy: .iso8601) {
            replacements.append(("lookout_scan_timestamp_seconds \(Int(date.timeIntervalSince1970))", "lookout_scan_timestamp_seconds SCANNED-AT"))
        }
        if let server { replacements.append((server, "https://API-SERVER")) }
        if let source { replacements.append((source, "DEMO")) }
    }

    func apply(to text: String) -> String {
        replacements.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}
