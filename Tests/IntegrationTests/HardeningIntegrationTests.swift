import Foundation
import ManifestFixtures
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
    /// scan's own credentials, appear in no output of any command and format (scan live and from the
    /// snapshot, check-permissions, collect, diff, generate), nor in the snapshot or the report ConfigMap.
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
            // What prints cluster data without a cluster: the snapshot, reports compared, policies generated.
            ["scan", "framework", "all", "--from", folder.path + "/snapshot.json", "--verbose"],
            ["scan", "framework", "all", "--from", folder.path + "/snapshot.json", "--format", "json,html,junit,sarif,prometheus",
             "--output", folder.path + "/report-offline"],
            ["diff", folder.path + "/report.json", folder.path + "/report-log.json"],
            ["diff", folder.path + "/report.json", folder.path + "/report-offline.json", "--format", "json"],
            ["generate", "admission-policy", "framework", "all", "--output", folder.path + "/report-policies.yaml"],
        ]
        var outputs: [(String, String)] = []
        for arguments in runs {
            let result = try Run.lookout(arguments)
            #expect([0, 1].contains(result.status), "\(arguments): \(result.stderr)")
            let command = arguments.prefix(2).joined(separator: " ")
            outputs += [("stdout of \(command)", result.stdout), ("stderr of \(command)", result.stderr)]
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("report") {
            outputs.append((file, try String(contentsOfFile: folder.path + "/" + file, encoding: .utf8)))
        }
        let stored = try cluster.kubectl(["-n", namespace, "get", "configmap", "lookout-report", "-o", "json"])
        outputs.append(("report ConfigMap", stored))
        struct Stored: Decodable { var binaryData: [String: Data] }
        let report = try JSONDecoder().decode(Stored.self, from: Data(stored.utf8)).binaryData["report.json.gz"]
        outputs.append(("report ConfigMap report.json.gz", String(decoding: try Gzip.decompress(try #require(report)), as: UTF8.self)))
        #expect(outputs.count >= 31)
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
        for secret in [envSecret, configMapSecret, token] { #expect(!snapshot.contains(secret), "the snapshot holds a known secret") }
    }

    /// Defect 3: the snapshot `collect` saves holds no credential-looking env or ConfigMap value (nor the
    /// copies kubectl keeps in last-applied-configuration), and a scan of it gives the live scan's
    /// findings, evidence included, with the same controls configuration.
    @Test func aSavedSnapshotHoldsNoCredentialAndJudgesAsTheLiveScan() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("redact")
        let secrets = [
            "redact-pw-61c0d9", "s3://AKIAQWERTYUIOPASDFGH@backups", "redact-cm-7e2b44", "MIIEowIBAAKCAQEAredact",
            Data("key id AKIAZXCVBNMASDFGHJKL".utf8).base64EncodedString(), "eyJhbGciOiJIUzI1NiJ9.redact.sig",
        ]
        try cluster.apply("""
            \(Manifest.workload(name: "app", namespace: namespace, replicas: 1, podSpec: """
                serviceAccount: default
                containers:
                - name: app
                  image: nginx:1.25
                  env:
                  - {name: DB_PASSWORD, value: \(secrets[0])}
                  - {name: BACKUP_TARGET, value: "\(secrets[1])"}
                  - {name: SEED, value: "\(secrets[4])"}
                  - {name: LOG_LEVEL, value: debug}
                  - {name: CERT_FILE, value: /etc/tls/tls.crt}
                """))
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: worker, namespace: \(namespace)}
            spec:
              containers:
              - name: worker
                image: nginx:1.25
                env: [{name: HEADER, value: "\(secrets[5])"}, {name: API_KEY, value: "$(FROM_SECRET)"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: \(namespace)}
            data:
              api_token: \(secrets[2])
              tls.pem: "-----BEGIN RSA PRIVATE KEY-----\\n\(secrets[3])\\n-----END RSA PRIVATE KEY-----\\n"
              color: blue
            """)
        let folder = try TempDirectory()
        let config = folder.path + "/controls.yaml"
        try "sensitiveValuesAllowed: ['^s3://AKIA']\n".write(toFile: config, atomically: true, encoding: .utf8)
        let scope = ["--include-namespaces", namespace, "--controls-config", config]
        let collected = try Run.lookout(["collect", "--kubeconfig", cluster.kubeconfig, "--output", folder.path + "/snapshot.json"] + scope)
        #expect(collected.status == 0, "\(collected.stderr)")
        let live = try Run.lookout(["scan", "framework", "all", "--kubeconfig", cluster.kubeconfig, "--format", "json"] + scope)
        let offline = try Run.lookout(["scan", "framework", "all", "--from", folder.path + "/snapshot.json", "--format", "json"] + scope.suffix(2))
        #expect(offline.status == live.status, "\(offline.stderr)")

        let snapshot = try String(contentsOfFile: folder.path + "/snapshot.json", encoding: .utf8)
        for secret in secrets { #expect(!snapshot.contains(secret), "the snapshot holds \(secret)") }
        #expect(snapshot.contains("debug") && snapshot.contains("/etc/tls/tls.crt") && snapshot.contains("blue"))

        // Tests running in parallel change cluster-scoped objects between the two reads: compare this
        // namespace's findings, which only this test touches, and the status of the controls that read values.
        func ours(_ output: String) throws -> (findings: [String], statuses: [String]) {
            let report = try ScanReport.decode(Data(output.utf8))
            let findings = report.findings.filter { $0.resource.namespace == namespace }
                .map { "\($0.controlID) \($0.status) \($0.resource.kind)/\($0.resource.name): \($0.message) \($0.evidence)" }
            let statuses = report.controls.filter { ["C-0012", "C-0259", "C-0294"].contains($0.id) }.map { "\($0.id) \($0.status)" }
            return (findings.sorted(), statuses)
        }
        let (liveFindings, liveStatuses) = try ours(live.stdout)
        let (offlineFindings, offlineStatuses) = try ours(offline.stdout)
        #expect(offlineFindings == liveFindings)
        #expect(offlineStatuses == liveStatuses && liveStatuses.count == 3)
        // The redacted values were judged: by name, by pattern, after base64 decoding, and one excused.
        let credentials = liveFindings.filter { $0.hasPrefix("C-0012 ") }
        #expect(credentials.count == 3, "\(credentials)")
        #expect(credentials.contains { $0.contains("Deployment/app") && $0.contains("DB_PASSWORD") && $0.contains("after base64 decoding") && !$0.contains("BACKUP_TARGET") })
        #expect(credentials.contains { $0.contains("Pod/worker") && $0.contains("eyJhbGciO") })
        #expect(credentials.contains { $0.contains("ConfigMap/settings") && $0.contains("data[api_token]") && $0.contains("data[tls.pem]") })
        // C-0294 still reads the serviceAccount kubectl's last-applied configuration recorded.
        #expect(liveFindings.contains { $0.hasPrefix("C-0294 ") && $0.contains("Deployment/app") })
    }
}
