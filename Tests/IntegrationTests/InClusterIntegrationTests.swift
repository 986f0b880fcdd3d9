import Audit
import ConsumerSupport
import Foundation
import Documents
import LookoutCLI
import Reports
import Testing

/// The in-cluster installation (rbac/) on the real API server: it applies, its permissions make a
/// complete scan that never touches a Secret, a missing rule costs exactly the controls that need it,
/// the CronJob passes Lookout's own controls, and a run with the pod's ServiceAccount persists its
/// report. Serialized: the tests share the `lookout` namespace and its report ConfigMap.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason), .serialized)
struct InClusterIntegrationTests {
    static let repositoryRoot = ScanIntegrationTests.repositoryRoot
    static let serviceAccountUser = "system:serviceaccount:lookout:lookout"

    /// rbac/ installed as docs/in-cluster.md says, the image pinned by digest, once per test run.
    static let installation: Result<String, TestFailure> = {
        guard let cluster = TestCluster.shared else { return .failure(TestFailure("no test API server")) }
        do {
            let manifests = try cluster.lookoutManifests(pinnedDigest: "sha256:" + String(repeating: "0123456789abcdef", count: 4))
            try cluster.apply(manifests)
            return .success(manifests)
        } catch {
            return .failure(TestFailure("applying rbac/ failed: \(error)"))
        }
    }()

    static func installed() throws -> TestCluster {
        let cluster = try TestCluster.require()
        _ = try installation.get()
        return cluster
    }

    func scan(_ arguments: [String], environment: [String: String] = [:]) throws -> (Subprocess.Result, ScanReport?) {
        let result = try Run.lookout(["scan"] + arguments + ["--format", "json"], environment: environment)
        return (result, try? ScanReport.decode(Data(result.stdout.utf8)))
    }

    /// A token kubeconfig for a ServiceAccount whose context is in the ServiceAccount's namespace, as
    /// the pod's own configuration is (the report ConfigMap is looked up there).
    func kubeconfig(_ cluster: TestCluster, folder: TempDirectory, namespace: String, serviceAccount: String) throws -> String {
        let token = try cluster.token(namespace: namespace, serviceAccount: serviceAccount)
        let path = folder.path + "/\(namespace)-\(serviceAccount)"
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: test, cluster: {server: "\(cluster.url)", certificate-authority: "\(cluster.caPath)"}}]
            users: [{name: test, user: {token: "\(token)"}}]
            contexts: [{name: test, context: {cluster: test, user: test, namespace: \(namespace)}}]
            current-context: test
            """.write(toFile: path, atomically: true, encoding: .utf8)
        // Owner-only, as kubectl writes one: a wider file earns a warning the tests would see.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    @Test func rbacManifestsApplyToTheRealAPIServer() throws {
        let cluster = try TestCluster.require()
        let manifests = try cluster.lookoutManifests()
        // A server-side dry run of namespaced objects needs their namespace: it comes first, as in the docs.
        try cluster.kubectl(["apply", "-f", Self.repositoryRoot + "/rbac/namespace.yaml"])
        let dryRun = try cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], input: manifests)
        #expect(dryRun.contains("cronjob.batch/lookout"), "\(dryRun)")
        try cluster.apply(manifests)
        let objects = try cluster.kubectl([
            "-n", "lookout", "get", "serviceaccount/lookout", "role/lookout-report-writer", "rolebinding/lookout-report-writer",
            "configmap/lookout-report", "networkpolicy/lookout-deny-ingress", "cronjob/lookout", "-o", "name",
        ])
        #expect(objects.split(separator: "\n").count == 6, "\(objects)")
        let cronJob = try cluster.kubectl(["-n", "lookout", "get", "cronjob", "lookout", "-o", "jsonpath={.spec.concurrencyPolicy}"])
        #expect(cronJob == "Forbid")
        // Applying again keeps what a scan stored: kubectl manages only the fields the manifest sets.
        try cluster.kubectl(["-n", "lookout", "patch", "configmap", "lookout-report", "--type=merge", "-p", #"{"data":{"probe":"kept"}}"#])
        try cluster.apply(try Self.installation.get())
        #expect(try cluster.kubectl(["-n", "lookout", "get", "configmap", "lookout-report", "-o", "jsonpath={.data.probe}"]) == "kept")
        try cluster.kubectl(["-n", "lookout", "patch", "configmap", "lookout-report", "--type=merge", "-p", #"{"data":{"probe":null}}"#])
    }

    /// The ServiceAccount of rbac/ with nothing but rbac/'s roles: the preflight finds every required
    /// permission, the scan lists every kind, and the audit log shows it never asked for a Secret and
    /// wrote nothing but access reviews and its report ConfigMap.
    @Test func shippedPermissionsGiveACompleteScanThatNeverTouchesSecrets() throws {
        let cluster = try Self.installed()
        let folder = try TempDirectory()
        let kubeconfig = try kubeconfig(cluster, folder: folder, namespace: "lookout", serviceAccount: "lookout")

        let permissions = try Run.lookout(["check-permissions", "--kubeconfig", kubeconfig, "--report-configmap", "lookout-report",
                                           "--baseline-configmap", "lookout-report"])
        #expect(permissions.status == 0, "\(permissions.stdout)\(permissions.stderr)")
        let rows = PermissionTable.rows(permissions.stdout)
        #expect(!rows.contains { $0.first == "NO" }, "\(permissions.stdout)")
        #expect(rows.contains { $0.starts(with: ["no", "(optional)", "get", "nodes/proxy"]) }, "\(permissions.stdout)")
        #expect(rows.contains { $0.starts(with: ["yes", "patch", "configmaps", "lookout/lookout-report"]) }, "\(permissions.stdout)")

        let (result, report) = try scan(["framework", "all", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report?.errors.isEmpty == true, "\(report?.errors ?? [])")
        #expect(report?.controls.contains { ($0.skipReason ?? "").hasPrefix("forbidden") } == false)
        #expect(!result.stderr.contains("warning:"), "\(result.stderr)")
        // Without the optional node-proxy role the node-config controls are announced, then skipped.
        #expect(result.stderr.contains("note: LO-010"), "\(result.stderr)")

        try Self.expectNoSecretsAndNoOtherWrites(cluster)
    }

    /// Everything the rbac/ ServiceAccount has done so far, from the API server's audit log: never a
    /// request for a Secret, and no write but access reviews and patches of its report ConfigMap.
    static func expectNoSecretsAndNoOtherWrites(_ cluster: TestCluster) throws {
        let events = try cluster.auditEvents(user: serviceAccountUser)
        #expect(events.count > 40, "the scan's requests are in the audit log")
        #expect(!events.contains { $0.resource == "secrets" }, "\(events.filter { $0.resource == "secrets" })")
        for event in events where !["get", "list"].contains(event.verb) {
            let allowedWrite = (event.verb == "create" && event.resource == "selfsubjectaccessreviews")
                || (event.verb == "patch" && event.resource == "configmaps" && event.namespace == "lookout" && event.name == "lookout-report")
            #expect(allowedWrite, "unexpected request \(event)")
        }
    }

    /// A copy of the reader role without the networking.k8s.io rule: the preflight, check-permissions
    /// and the scan agree on which controls are skipped and why.
    @Test func aMissingRuleSkipsExactlyTheControlsThatNeedIt() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("narrow")
        let role = "lookout-reader-\(namespace)"
        var rules = try String(contentsOfFile: Self.repositoryRoot + "/rbac/clusterrole.yaml", encoding: .utf8)
            .components(separatedBy: "\n- ")
        let before = rules.count
        rules.removeAll { $0.hasPrefix("apiGroups: [networking.k8s.io]") }
        #expect(rules.count == before - 1)
        try cluster.apply(rules.joined(separator: "\n- ").replacingOccurrences(of: "name: lookout-reader", with: "name: \(role)") + """

            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: auditor, namespace: \(namespace)}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: \(role)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \(role)}
            subjects: [{kind: ServiceAccount, name: auditor, namespace: \(namespace)}]
            """)
        let folder = try TempDirectory()
        let kubeconfig = try kubeconfig(cluster, folder: folder, namespace: namespace, serviceAccount: "auditor")

        let expected = Set(Catalogue.controls.filter { $0.reads.contains(.networkpolicies) || $0.reads.contains(.ingresses) }.map(\.id))
        #expect(expected.contains("C-0054"))

        let permissions = try Run.lookout(["check-permissions", "framework", "all", "--kubeconfig", kubeconfig])
        #expect(permissions.status == 1, "\(permissions.stdout)\(permissions.stderr)")
        let rows = PermissionTable.rows(permissions.stdout)
        #expect(rows.filter { $0.first == "NO" }.map { $0.dropFirst().prefix(2).joined(separator: " ") }.sorted()
            == ["list networking.k8s.io/ingresses", "list networking.k8s.io/networkpolicies"], "\(permissions.stdout)")
        // The skipped-controls section: "  ID  REASON  NAME".
        let listed = rows.compactMap { fields -> (String, String)? in
            guard fields.count >= 3, fields[1] == "forbidden:" else { return nil }
            return (fields[0], "forbidden: \(fields[2])")
        }
        #expect(Set(listed.map(\.0)) == expected, "\(permissions.stdout)")

        let (result, report) = try scan(["framework", "all", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        let skipped = try #require(report).controls.filter { ($0.skipReason ?? "").hasPrefix("forbidden") }
        #expect(Set(skipped.map(\.id)) == expected)
        for control in skipped {
            #expect(listed.contains { $0 == (control.id, control.skipReason ?? "") }, "\(control.id): \(control.skipReason ?? "")")
            #expect(result.stderr.contains("warning: \(control.id) (\(control.name)) will be skipped for lack of permission: \(control.skipReason ?? "")"))
        }
        #expect(Set(skipped.compactMap(\.skipReason)) == ["forbidden: networkpolicies", "forbidden: ingresses"])
    }

    /// Lookout's own workload, ServiceAccounts and namespace, installed as the docs say (the image pinned
    /// by digest), fail none of its controls.
    @Test func theCronJobPassesLookoutsOwnControls() throws {
        let cluster = try Self.installed()
        let (result, scanned) = try scan(["framework", "all", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", "lookout"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(scanned)
        #expect(report.controls.count { $0.status != .skipped } > 50)
        // Informational controls list objects for review (every bound ServiceAccount, every CronJob):
        // they pass or fail no one.
        let reviewLists = Set(report.controls.filter(\.informational).map(\.id))
        let own = report.findings.filter { finding in
            let resource = finding.resource
            let inLookout = resource.namespace == "lookout" || (resource.kind == "Namespace" && resource.name == "lookout")
            return finding.status == "failed" && inLookout && !reviewLists.contains(finding.controlID)
        }
        #expect(own.isEmpty, "\(own.map { "\($0.controlID) \($0.resource.displayName): \($0.message) \($0.evidence)" })")
        // The workload controls did judge the CronJob, the namespace's only workload.
        #expect(report.controls.first { $0.id == "C-0057" }?.allResources == 1)
    }

    /// In-cluster mode for real: the rbac/ ServiceAccount's token and the CA at the standard path in a
    /// private mount namespace, KUBERNETES_SERVICE_HOST/PORT set, no kubeconfig, and the CronJob's own
    /// arguments. The first run finds no baseline and stores its report; the second compares with it.
    @Test func inClusterModeUsesTheMountedServiceAccount() throws {
        let cluster = try Self.installed()
        try cluster.kubectl(["-n", "lookout", "patch", "configmap", "lookout-report", "--type=merge", "-p", #"{"data":null,"binaryData":null}"#])
        let token = try cluster.token(namespace: "lookout", serviceAccount: "lookout")
        let folder = try TempDirectory()
        try token.write(toFile: folder.path + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: cluster.caPath, toPath: folder.path + "/ca.crt")
        try "lookout".write(toFile: folder.path + "/namespace", atomically: true, encoding: .utf8)
        let arguments = try CronJobManifest.arguments()
        #expect(arguments.first == "scan")
        // A private mount namespace puts the files at the standard path without touching the host.
        let script = """
            set -e
            mount -t tmpfs tmpfs /run
            mkdir -p /run/secrets/kubernetes.io/serviceaccount
            cp \(folder.path)/token \(folder.path)/ca.crt \(folder.path)/namespace /run/secrets/kubernetes.io/serviceaccount/
            [ -e /var/run/secrets/kubernetes.io/serviceaccount/token ]
            exec "\(Run.lookoutPath)" "$@"
            """
        let port = cluster.environment["LOOKOUT_REALAPI_PORT"] ?? ""
        func run() throws -> (Subprocess.Result, [JSONLog.Line]) {
            let result = try Subprocess.run(
                "unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh"] + arguments,
                environment: [
                    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/nonexistent",
                    "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port,
                ])
            #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
            return (result, try JSONLog.Line.parse(result.stdout))
        }

        let (first, firstLines) = try run()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.isEmpty, "every diagnostic is a JSON line on stdout: \(first.stderr)")
        #expect(firstLines.contains { $0.level == "info" && $0.msg.hasPrefix("no baseline yet: configmap/lookout/lookout-report") })
        let firstScan = try #require(firstLines.last)
        #expect(firstScan.msg == "scan complete" && firstScan.exitCode == 0 && firstScan.reportConfigMap == "lookout/lookout-report")
        let digest = try #require(firstScan.scan)
        #expect(digest.errors.isEmpty, "a complete scan: \(digest.errors)")
        #expect(digest.cluster.server == "https://127.0.0.1:\(port)")
        #expect(digest.baseline == nil)

        // The ConfigMap holds the summary and the whole report, which `base64 -d | gunzip` would read.
        let stored = try JSONDecoder().decode(
            StoredConfigMap.self, from: Data(try cluster.kubectl(["-n", "lookout", "get", "configmap", "lookout-report", "-o", "json"]).utf8))
        let summary = try JSONDecoder().decode(ReportDigest.self, from: Data(try #require(stored.data["summary.json"]).utf8))
        #expect(summary.scannedAt == digest.scannedAt)
        let report = try #require(try ReportConfigMap.report(from: stored.binaryData))
        #expect(report.scannedAt == digest.scannedAt && report.summary.controls.total == digest.summary.controls.total)
        #expect(stored.metadata.labels["app.kubernetes.io/component"] == "report")

        let (second, secondLines) = try run()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let secondScan = try #require(secondLines.last?.scan)
        let baseline = try #require(secondScan.baseline, "the second run compares with the first")
        #expect(baseline.unchanged > 0)
        try Self.expectNoSecretsAndNoOtherWrites(cluster)
    }
}

/// The output of `lookout check-permissions`, as whitespace-separated fields per indented line.
enum PermissionTable {
    static func rows(_ stdout: String) -> [[String]] {
        stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.split(separator: " ").map(String.init) }
    }
}

extension JSONLog.Line {
    /// The lines of `--log-format json` output.
    static func parse(_ stdout: String) throws -> [Self] {
        try stdout.split(separator: "\n").map { try JSONDecoder().decode(Self.self, from: Data($0.utf8)) }
    }
}

/// The fields of a ConfigMap the tests read.
struct StoredConfigMap: Decodable {
    struct Metadata: Decodable { var labels: [String: String] }
    var metadata: Metadata
    var data: [String: String]
    var binaryData: [String: Data]
}

/// rbac/cronjob.yaml, read with Lookout's own YAML parser.
enum CronJobManifest {
    /// The container's arguments: what every scheduled run executes.
    static func arguments() throws -> [String] {
        let path = InClusterIntegrationTests.repositoryRoot + "/rbac/cronjob.yaml"
        let document = try #require(try YAML.parseDocuments(try String(contentsOfFile: path, encoding: .utf8), file: path).first)
        let container = try #require(document["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?.sequence?.first)
        return container["args"]?.sequence?.compactMap(\.string) ?? []
    }
}

/// One request in the API server's audit log.
struct AuditEvent: Decodable, CustomStringConvertible {
    struct User: Decodable { var username: String }
    struct ObjectRef: Decodable {
        var resource: String?
        var subresource: String?
        var namespace: String?
        var name: String?
    }
    var verb: String
    var requestURI: String
    var user: User
    var objectRef: ObjectRef?

    var resource: String? { objectRef?.resource }
    var namespace: String? { objectRef?.namespace }
    var name: String? { objectRef?.name }
    var description: String { "\(verb) \(requestURI)" }
}

extension TestCluster {
    /// rbac/ as `kubectl apply -k rbac/` sends it, or with the image pinned to a digest through an
    /// overlay, the way docs/in-cluster.md has users point it at their registry. v1.20 serves CronJob
    /// only as batch/v1beta1, whose schema holds every field rbac/ sets; a server that serves batch/v1
    /// gets the manifests unchanged.
    func lookoutManifests(pinnedDigest: String? = nil) throws -> String {
        let rbac = ScanIntegrationTests.repositoryRoot + "/rbac"
        let rendered: String
        if let pinnedDigest {
            let overlay = try TempDirectory()
            // kustomize takes only relative paths to a base.
            let up = String(repeating: "../", count: overlay.path.split(separator: "/").count)
            try """
                resources: ["\(up)\(rbac.dropFirst())"]
                images: [{name: localhost/lookout, newName: registry.example/lookout, digest: "\(pinnedDigest)"}]
                """.write(toFile: overlay.path + "/kustomization.yaml", atomically: true, encoding: .utf8)
            rendered = try kubectl(["kustomize", overlay.path])
        } else {
            rendered = try kubectl(["kustomize", rbac])
        }
        let batchV1 = try kubectl(["get", "--raw", "/apis/batch/v1"])
        if batchV1.contains("\"name\":\"cronjobs\"") { return rendered }
        let converted = rendered.replacingOccurrences(of: "apiVersion: batch/v1\nkind: CronJob", with: "apiVersion: batch/v1beta1\nkind: CronJob")
        guard converted != rendered else { throw TestFailure("no batch/v1 CronJob in the rendered rbac/") }
        return converted
    }

    /// Every request `user` made, from the audit log `make test` has the API server write.
    func auditEvents(user: String) throws -> [AuditEvent] {
        let path = try #require(environment["LOOKOUT_REALAPI_AUDIT_LOG"].flatMap { $0.isEmpty ? nil : $0 },
                                "the test API server runs without an audit log: start it with LOOKOUT_REALAPI_AUDIT=1 (make test does)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(AuditEvent.self, from: Data($0.utf8)) }
            .filter { $0.user.username == user }
    }
}
