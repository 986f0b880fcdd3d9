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

    func save(_ snapshot: ClusterSnapshot, to path: String) throws {
        try JSONEncoder().encode(snapshot).write(to: URL(fileURLWithPath: path))
    }

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
        try save(snapshot, to: path)

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
        try save(snapshot, to: path)
        #expect(try Run.lookout(["scan", "control", "C-0057", "--from", path]).status == 0)
        snapshot.errors = [CollectionError(resource: "pods", reason: CollectionError.failed, message: "HTTP 500")]
        try save(snapshot, to: path)
        #expect(try Run.lookout(["scan", "control", "C-0035", "--from", path]).status == 0)
    }

    /// Manifests are judged like Kubescape's file scan: kinds absent from the files are empty. A folder
    /// with only a Role and a RoleBinding is judged by C-0035; a Pod alone by C-0012 (no ConfigMaps is
    /// no ConfigMap, not an unknown).
    @Test func manifestsJudgeWhatIsThere() throws {
        let folder = try TempDirectory()
        try write("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: everything, namespace: shop}
            rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
            """, to: folder.path + "/rbac/role.yaml")
        try write("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: alice-everything, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: everything}
            subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
            """, to: folder.path + "/rbac/binding.yaml")
        let rbac = try Run.lookout(["scan", "control", "C-0035", "--from", folder.path + "/rbac", "--format", "json"])
        let report = try ScanReport.decode(Data(rbac.stdout.utf8))
        #expect(rbac.status == 0, "\(rbac.stderr)")
        #expect(report.source?.mode == .manifests)
        #expect(report.controls.first?.status == .failed, "\(report.controls.first?.skipReason ?? "")")
        #expect(report.findings.map(\.resource.name) == ["alice"])

        try write("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop}
            spec:
              containers:
              - name: web
                image: nginx:1.25
                env: [{name: AWS_SECRET_ACCESS_KEY, value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]
            """, to: folder.path + "/pod/pod.yaml")
        let pod = try Run.lookout(["scan", "control", "C-0012,C-0054", "--from", folder.path + "/pod", "--format", "json"])
        let podReport = try ScanReport.decode(Data(pod.stdout.utf8))
        #expect(podReport.controls.allSatisfy { $0.status != .skipped }, "\(podReport.controls.map { "\($0.id): \($0.skipReason ?? "")" })")
        #expect(podReport.findings.contains { $0.controlID == "C-0012" && $0.resource.name == "web" })

        // A saved snapshot keeps what it recorded: a kind it did not collect stays unknown.
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://cluster.example:6443"))
        snapshot.collected = [.pods]
        try save(snapshot, to: folder.path + "/collected.json")
        let fromSnapshot = try Run.lookout(["scan", "control", "C-0035", "--from", folder.path + "/collected.json", "--format", "json"])
        let snapshotReport = try ScanReport.decode(Data(fromSnapshot.stdout.utf8))
        #expect(snapshotReport.source?.mode == .snapshot)
        #expect(snapshotReport.controls.first?.status == .skipped)
    }
}
