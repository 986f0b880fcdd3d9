import Foundation
import Reports
import Testing

/// Issue 11 defects that need the real API server (the fault-injected ones are in FaultIntegrationTests).
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct HardeningIntegrationTests {
    /// The admin kubeconfig with `namespace` as the context's namespace (where the report ConfigMap goes).
    func kubeconfig(_ cluster: TestCluster, namespace: String, in folder: TempDirectory) throws -> String {
        let admin = try String(contentsOfFile: cluster.kubeconfig, encoding: .utf8)
        let path = folder.path + "/config"
        try admin.replacingOccurrences(of: "user: lookout-realapi-admin}", with: "user: lookout-realapi-admin, namespace: \(namespace)}")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Defect 10: --report-configmap merge-patched whatever ConfigMap had the name and took over its labels.
    @Test func reportConfigMapRefusesAConfigMapLookoutDidNotCreate() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("report-guard")
        try cluster.apply("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: coredns, namespace: \(namespace), labels: {k8s-app: kube-dns}}
            data: {Corefile: ".:53 { forward . /etc/resolv.conf }"}
            """)
        let folder = try TempDirectory()
        let config = try kubeconfig(cluster, namespace: namespace, in: folder)
        let refused = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", config, "--report-configmap", "coredns"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("was not created by Lookout"), "\(refused.stderr)")
        let untouched = try cluster.kubectl(["-n", namespace, "get", "configmap", "coredns", "-o", "json"])
        #expect(untouched.contains("forward . /etc/resolv.conf") && untouched.contains("kube-dns"))
        #expect(!untouched.contains("summary.json") && !untouched.contains("app.kubernetes.io/name"))

        // A new name is created with Lookout's labels, and the next run may write it again.
        for _ in 0..<2 {
            let stored = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", config, "--report-configmap", "lookout-report"])
            #expect(stored.status == 0, "\(stored.stderr)")
        }
        #expect(try cluster.kubectl(["-n", namespace, "get", "configmap", "lookout-report", "-o", "json"]).contains("summary.json"))
    }

    /// Deliverable 4: known secret values in a Pod's env and a ConfigMap, and the known token of the
    /// scan's own credentials, appear in no output of any command and format, nor in the report ConfigMap.
    @Test func knownSecretsReachNoOutput() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("leak")
        let envSecret = "leak-env-9f3b27c1d0"
        let configMapSecret = "leak-cm-5e8a41b7f2"
        try cluster.apply("""
            apiVersion: v1
            kind: Pod
            metadata: {name: app, namespace: \(namespace)}
            spec:
              containers:
              - name: app
                image: nginx:1.25
                env: [{name: DB_PASSWORD, value: \(envSecret)}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: \(namespace)}
            data: {db-password: \(configMapSecret)}
            """)
        try cluster.bindServiceAccount("scanner", namespace: namespace, clusterRole: "cluster-admin")
        let token = try cluster.token(namespace: namespace, serviceAccount: "scanner")
        let folder = try TempDirectory()
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "config",
            cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)", user: "    token: \(token)")
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
            .replacingOccurrences(of: "context: {cluster: test, user: test}", with: "context: {cluster: test, user: test, namespace: \(namespace)}")
        try config.write(toFile: kubeconfig, atomically: true, encoding: .utf8)

        let base = ["--kubeconfig", kubeconfig]
        let runs = [
            ["scan", "framework", "all", "--format", "json,html,junit,sarif,prometheus", "--output", folder.path + "/report",
             "--report-configmap", "lookout-report"] + base,
            ["scan", "control", "C-0012", "--verbose"] + base,
            ["scan", "control", "C-0012", "--log-format", "json", "--format", "json", "--output", folder.path + "/report-log.json"] + base,
            ["check-permissions"] + base,
            ["collect", "--output", folder.path + "/snapshot.json"] + base,
        ]
        var outputs: [(String, String)] = []
        for arguments in runs {
            let result = try Run.lookout(arguments)
            #expect([0, 1].contains(result.status), "\(arguments): \(result.stderr)")
            outputs += [("stdout of \(arguments[0])", result.stdout), ("stderr of \(arguments[0])", result.stderr)]
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("report") {
            outputs.append((file, try String(contentsOfFile: folder.path + "/" + file, encoding: .utf8)))
        }
        let stored = try cluster.kubectl(["-n", namespace, "get", "configmap", "lookout-report", "-o", "json"])
        outputs.append(("report ConfigMap", stored))
        struct Stored: Decodable { var binaryData: [String: Data] }
        let report = try JSONDecoder().decode(Stored.self, from: Data(stored.utf8)).binaryData["report.json.gz"]
        outputs.append(("report ConfigMap report.json.gz", String(decoding: try Gzip.decompress(try #require(report)), as: UTF8.self)))
        #expect(outputs.count >= 16)
        // The secrets were seen and judged, so their absence from the outputs means something.
        let judged = try ScanReport.decode(Data(contentsOf: URL(fileURLWithPath: folder.path + "/report.json")))
        #expect(judged.findings.contains { $0.controlID == "C-0012" && $0.resource.namespace == namespace && $0.resource.name == "app" })
        #expect(judged.findings.contains { $0.controlID == "C-0012" && $0.resource.namespace == namespace && $0.resource.name == "settings" })
        for (name, text) in outputs {
            for secret in [envSecret, configMapSecret, token] {
                #expect(!text.contains(secret), "\(name) holds a known secret")
            }
        }
        let snapshot = try String(contentsOfFile: folder.path + "/snapshot.json", encoding: .utf8)
        #expect(!snapshot.contains(token))
        // Defect 3, second part, is not built: snapshots still hold env and ConfigMap values (0600 only).
        withKnownIssue("collect stores secret-looking values in clear (issue 11 defect 3)") {
            #expect(!snapshot.contains(envSecret) && !snapshot.contains(configMapSecret))
        }
    }
}
