import Audit
import ConsumerSupport
import Foundation
import Reports
import Testing

/// Kubescape-parity behaviours end to end through the binary on files (`scan --from`): the controls
/// configuration shapes, and kinds Lookout added for parity read from manifests.
@Suite struct ParityCLITests {
    static let pod = OfflineScanTests.pod

    func scan(_ arguments: [String], files: [String: String]) throws -> (Subprocess.Result, ScanReport?) {
        let folder = try TempDirectory()
        for (name, text) in files { try text.write(toFile: folder.path + "/" + name, atomically: true, encoding: .utf8) }
        let result = try Run.lookout(["scan"] + arguments.map { $0.replacingOccurrences(of: "$DIR", with: folder.path) }
            + ["--from", folder.path + "/input", "--format", "json"])
        return (result, result.status == 0 ? try ScanReport.decode(Data(result.stdout.utf8)) : nil)
    }

    /// Kubescape's `{"postureControlInputs": …}` is read: C-0078 judges instead of skipping.
    @Test func postureControlInputsShapeConfiguresControls() throws {
        let (result, report) = try scan(
            ["control", "C-0078", "--controls-config", "$DIR/config.json"],
            files: ["input": Self.pod, "config.json": #"{"postureControlInputs": {"imageRepositoryAllowList": ["registry.example/"]}}"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report?.controls.first?.status == .failed)
        #expect(report?.controls.first?.failedResources == 1)
    }

    /// A key no shape knows exits 2 with the file, line and key.
    @Test func unknownControlsConfigKeyExitsTwo() throws {
        let (result, _) = try scan(
            ["control", "C-0078", "--controls-config", "$DIR/config.yaml"],
            files: ["input": Self.pod, "config.yaml": "postureControlInputs:\n  imageRepositoryAlowList: [registry.example/]\n"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("config.yaml:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("postureControlInputs.imageRepositoryAlowList"), "\(result.stderr)")
    }

    /// A ReplicationController in the files is a workload: C-0296 judges its selector.
    @Test func replicationControllerManifestIsJudged() throws {
        let controller = """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy, namespace: shop}
            spec:
              selector: {app: legacy}
              template:
                metadata: {labels: {app: other}}
                spec:
                  containers: [{name: app, image: "nginx:1.25"}]
            """
        let (result, report) = try scan(["control", "C-0296"], files: ["input": controller])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report?.controls.first?.status == .failed)
        #expect(report?.findings.map(\.resource.kind) == ["ReplicationController"])
    }
}
