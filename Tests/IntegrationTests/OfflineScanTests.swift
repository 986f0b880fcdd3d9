import Foundation
import Inventory
import Reports
import Testing

/// `lookout scan --from` on files: the binary end to end, no API server needed, so these run wherever
/// the integration tests run.
@Suite struct OfflineScanTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers: [{name: web, image: "nginx:1.25"}]
        """

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A control that judged nothing gives no score: "n/a", JSON null, and a compliance gate that fails
    /// instead of passing on 100%.
    @Test func nothingJudgedIsNotApplicableAndFailsTheComplianceGate() throws {
        let folder = try TempDirectory()
        try write(Self.pod, to: folder.path + "/pod.yaml")
        let pretty = try Run.lookout(["scan", "control", "C-0035", "--from", folder.path, "--compliance-threshold", "50"])
        #expect(pretty.status == 1, "\(pretty.stderr)")
        #expect(pretty.stdout.contains("Compliance score: n/a"), "\(pretty.stdout)")
        #expect(!pretty.stdout.contains("100.0%"))
        #expect(pretty.stderr.contains("gate failed: compliance score is n/a"), "\(pretty.stderr)")

        let json = try Run.lookout(["scan", "control", "C-0035", "--from", folder.path, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try ScanReport.decode(Data(json.stdout.utf8))
        #expect(report.summary.complianceScore == nil)
        #expect(report.controls.first?.complianceScore == nil)
        #expect(json.stdout.contains("\"complianceScore\" : null"))
    }

    /// A saved snapshot in which Pods failed to load: a control that needs them makes the scan
    /// incomplete — the report is written and says why, the exit code is 3 — unless --allow-incomplete.
    @Test func incompleteSnapshotExitsThreeUnlessAllowed() throws {
        let folder = try TempDirectory()
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443", version: "v1.30.2"))
        snapshot.collected = Set(ResourceKind.allCases).subtracting([.pods])
        snapshot.errors = [CollectionError(resource: "pods", reason: CollectionError.failed, message: "cannot decode the response of /api/v1/pods")]
        let path = folder.path + "/snapshot.json"
        try JSONEncoder().encode(snapshot).write(to: URL(fileURLWithPath: path))

        let strict = try Run.lookout(["scan", "control", "C-0057", "--from", path, "--format", "json", "--output", folder.path + "/report.json"])
        #expect(strict.status == 3, "\(strict.stderr)")
        #expect(strict.stderr.contains("incomplete scan: cannot read pods: cannot decode the response of /api/v1/pods"), "\(strict.stderr)")
        let report = try ScanReport.decode(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/report.json")))
        #expect(report.complete == false)
        #expect(report.incompleteReasons == ["cannot read pods: cannot decode the response of /api/v1/pods"])

        let allowed = try Run.lookout(["scan", "control", "C-0057", "--from", path, "--allow-incomplete"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("INCOMPLETE SCAN"))
        let gated = try Run.lookout(["scan", "control", "C-0057", "--from", path, "--allow-incomplete", "--compliance-threshold", "1"])
        #expect(gated.status == 1, "the gates' code: the compliance score is n/a")

        // Forbidden is a documented skip, not an incomplete scan; so is a kind no selected control reads.
        snapshot.errors = [CollectionError(resource: "pods", reason: "forbidden", message: "pods is forbidden")]
        try JSONEncoder().encode(snapshot).write(to: URL(fileURLWithPath: path))
        #expect(try Run.lookout(["scan", "control", "C-0057", "--from", path]).status == 0)
        snapshot.errors = [CollectionError(resource: "pods", reason: CollectionError.failed, message: "HTTP 500")]
        try JSONEncoder().encode(snapshot).write(to: URL(fileURLWithPath: path))
        #expect(try Run.lookout(["scan", "control", "C-0035", "--from", path]).status == 0)
    }
}
