import Foundation
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
}
