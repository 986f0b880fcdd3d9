import ConsumerSupport
import Foundation
import ManifestFixtures
import Reports
import Testing

/// End-to-end scans with the real `lookout` binary against the real API server, one per way of
/// authenticating, plus the failure modes users hit first.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct ScanIntegrationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A namespace with the three slice problems: a privileged pod, a ServiceAccount bound to
    /// cluster-admin, and no network policy.
    func makeProblems(_ cluster: TestCluster) throws -> String {
        let namespace = try cluster.makeNamespace("slice")
        try cluster.bindServiceAccount("deployer", namespace: namespace, clusterRole: "cluster-admin")
        try cluster.apply(Manifest.pod(name: "root-shell", namespace: namespace, podSpec: """
            containers: [{name: shell, image: busybox:1.36, securityContext: {privileged: true}}]
            """))
        return namespace
    }

    func scan(_ arguments: [String], environment: [String: String] = [:]) throws -> (Subprocess.Result, ScanReport?) {
        let result = try Run.lookout(["scan"] + arguments + ["--format", "json"], environment: environment)
        return (result, try? ScanReport.decode(Data(result.stdout.utf8)))
    }

    @Test func clientCertificateScanFindsTheSliceProblems() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeProblems(cluster)
        let (result, report) = try scan(["control", "C-0035,C-0057,C-0054", "--kubeconfig", cluster.kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        let findings = try #require(report).findings
        #expect(findings.contains { $0.controlID == "C-0035" && $0.resource.kind == "ServiceAccount" && $0.resource.namespace == namespace && $0.resource.name == "deployer" && $0.related.contains { $0.kind == "ClusterRoleBinding" && $0.name == "\(namespace)-deployer-cluster-admin" } })
        #expect(findings.contains { $0.controlID == "C-0057" && $0.resource.kind == "Pod" && $0.resource.namespace == namespace && $0.resource.name == "root-shell" && $0.evidence == ["spec.containers[0].securityContext.privileged=true"] })
        #expect(findings.contains { $0.controlID == "C-0054" && $0.resource.kind == "Namespace" && $0.resource.name == namespace })
        #expect(report?.cluster.version == "v1.20.2")
        #expect(report?.errors.isEmpty == true)
    }

    /// Excluded namespaces take their objects and their ServiceAccounts out of the scan, even those a
    /// ClusterRoleBinding binds (kube-system's controllers); a User bound cluster-wide stays.
    @Test func excludeNamespacesDropsNamespacedFindingsAndTheirServiceAccounts() throws {
        let cluster = try TestCluster.require()
        let namespace = try makeProblems(cluster)
        let user = "\(namespace)-operator"
        try cluster.apply("""
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: \(user), namespace: kube-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: \(user)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
            subjects:
            - {kind: User, name: \(user), apiGroup: rbac.authorization.k8s.io}
            - {kind: ServiceAccount, name: \(user), namespace: kube-system}
            """)
        defer { _ = try? cluster.kubectl(["delete", "clusterrolebinding", user, "--ignore-not-found"]) }
        defer { _ = try? cluster.kubectl(["-n", "kube-system", "delete", "serviceaccount", user, "--ignore-not-found"]) }
        let everything = try scan(["control", "C-0035,C-0057,C-0054", "--kubeconfig", cluster.kubeconfig]).1
        #expect(everything?.findings.contains { $0.resource.namespace == "kube-system" && $0.resource.name == user } == true)
        let (result, report) = try scan([
            "control", "C-0035,C-0057,C-0054", "--kubeconfig", cluster.kubeconfig,
            "--exclude-namespaces", "kube-system,kube-public,\(namespace)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let findings = try #require(report).findings
        #expect(!findings.contains { [namespace, "kube-system", "kube-public"].contains($0.resource.namespace ?? "") })
        #expect(!findings.contains { $0.resource.kind == "Namespace" && [namespace, "kube-public"].contains($0.resource.name) })
        // Users belong to no namespace: the cluster-scoped binding's power is still reported.
        #expect(findings.contains { $0.controlID == "C-0035" && $0.resource.kind == "User" && $0.resource.name == user })
        #expect(report?.scope.excludedNamespaces == ["kube-system", "kube-public", namespace])
    }

    /// An included namespace that does not exist is a warning, in the report too, and judges nothing:
    /// the score is n/a, never 100%.
    @Test func includedNamespaceThatDoesNotExistIsAWarning() throws {
        let cluster = try TestCluster.require()
        let missing = "absent-\(UUID().uuidString.prefix(8).lowercased())"
        let (result, report) = try scan(["control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", missing])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: --include-namespaces names namespaces that do not exist: \(missing)"))
        #expect(report?.scope.notFoundNamespaces == [missing])
        #expect(report?.summary.complianceScore == nil)
    }

    @Test func readOnlyServiceAccountTokenScanIsComplete() throws {
        let cluster = try TestCluster.require()
        try cluster.kubectl(["apply", "-f", Self.repositoryRoot + "/rbac/clusterrole.yaml"])
        let namespace = try cluster.makeNamespace("reader")
        try cluster.bindServiceAccount("auditor", namespace: namespace, clusterRole: "lookout-reader")
        let token = try cluster.token(namespace: namespace, serviceAccount: "auditor")
        let folder = try TempDirectory()
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "token", cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)",
            user: "    token: \(token)")
        let (result, report) = try scan(["framework", "all", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report?.errors.isEmpty == true, "\(report?.errors ?? [])")
        #expect(report?.controls.contains { $0.status == .skipped && ($0.skipReason ?? "").hasPrefix("forbidden") } == false)
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }

    @Test func execPluginKubeconfigAuthenticates() throws {
        let cluster = try TestCluster.require()
        let namespace = try cluster.makeNamespace("exec")
        try cluster.bindServiceAccount("viewer", namespace: namespace, clusterRole: "cluster-admin")
        let token = try cluster.token(namespace: namespace, serviceAccount: "viewer")
        let folder = try TempDirectory()
        let plugin = folder.path + "/bin/token-plugin"
        try FileManager.default.createDirectory(atPath: folder.path + "/bin", withIntermediateDirectories: true)
        try """
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"\(token)"}}'
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "exec", cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)",
            user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ./bin/token-plugin\n      interactiveMode: Never")
        let (result, report) = try scan(["control", "C-0035", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report?.findings.contains { $0.resource.name == "viewer" && $0.resource.namespace == namespace } == true)

        let missing = try cluster.kubeconfig(
            in: folder.path, name: "missing", cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)",
            user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: no-such-plugin\n      installHint: install no-such-plugin from your vendor")
        let (failed, _) = try scan(["--kubeconfig", missing])
        #expect(failed.status == 3)
        #expect(failed.stderr.contains("install no-such-plugin from your vendor"))
    }

    @Test func insecureSkipTLSVerifyConnectsAndWarns() throws {
        let cluster = try TestCluster.require()
        let folder = try TempDirectory()
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "insecure", cluster: "    server: \(cluster.url)\n    insecure-skip-tls-verify: true",
            user: try cluster.adminUserFields())
        let (result, report) = try scan(["control", "C-0054", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report != nil)
        #expect(result.stderr.contains("TLS verification is disabled"))
    }

    /// The serving certificate names 127.0.0.1 and kubernetes.default.svc. With tls-server-name set,
    /// verification uses that name instead of the URL's host: a name outside the certificate fails even
    /// though the URL's address alone would verify, and a name inside it succeeds.
    @Test func tlsServerNameVerifiesAgainstTheGivenName() throws {
        let cluster = try TestCluster.require()
        let folder = try TempDirectory()
        func kubeconfig(_ name: String, serverName: String) throws -> String {
            try cluster.kubeconfig(
                in: folder.path, name: name,
                cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)\n    tls-server-name: \(serverName)",
                user: try cluster.adminUserFields())
        }
        let (goodResult, goodReport) = try scan(["control", "C-0054", "--kubeconfig", try kubeconfig("good", serverName: "kubernetes.default.svc")])
        let (badResult, _) = try scan(["control", "C-0054", "--kubeconfig", try kubeconfig("bad", serverName: "not-in-the-certificate.example")])
        #expect(goodResult.status == 0, "\(goodResult.stderr)")
        #expect(goodReport != nil)
        #expect(badResult.status == 3)
        #expect(badResult.stderr.contains("TLS"))
    }

    @Test func wrongCertificateAuthorityIsAClearTLSError() throws {
        let cluster = try TestCluster.require()
        let folder = try TempDirectory()
        let otherCA = folder.path + "/other-ca.crt"
        let openssl = try Subprocess.run("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder.path + "/other-ca.key", "-out", otherCA,
            "-days", "1", "-subj", "/CN=other-ca",
        ])
        #expect(openssl.status == 0)
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "wrong-ca", cluster: "    server: \(cluster.url)\n    certificate-authority: \(otherCA)",
            user: try cluster.adminUserFields())
        let (result, _) = try scan(["--kubeconfig", kubeconfig])
        #expect(result.status == 3)
        #expect(result.stderr.contains("TLS"))
        #expect(!result.stderr.contains("BEGIN"))
    }

    @Test func unreachableServerExitsThree() throws {
        let folder = try TempDirectory()
        let kubeconfig = try TestCluster.offlineKubeconfig(in: folder.path, server: "https://127.0.0.1:1")
        let (result, _) = try scan(["--kubeconfig", kubeconfig])
        #expect(result.status == 3)
        #expect(result.stderr.contains("127.0.0.1:1"))
    }

    @Test func badKubeconfigExitsTwoWithFileAndLine() throws {
        let folder = try TempDirectory()
        let kubeconfig = folder.path + "/config"
        try "clusters:\n- name: c\n  cluster:\n\tserver: x\n".write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let (result, _) = try scan(["--kubeconfig", kubeconfig])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(kubeconfig):4"))
    }
    // In-cluster mode is tested with the rbac/ installation: InClusterIntegrationTests.
}

/// A temporary folder removed when the value goes away.
final class TempDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-it-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension TestCluster {
    /// The admin client certificate as kubeconfig user fields.
    func adminUserFields() throws -> String {
        let cert = environment["LOOKOUT_REALAPI_CLIENT_CERT"] ?? ""
        let key = environment["LOOKOUT_REALAPI_CLIENT_KEY"] ?? ""
        return "    client-certificate: \(cert)\n    client-key: \(key)"
    }
}
