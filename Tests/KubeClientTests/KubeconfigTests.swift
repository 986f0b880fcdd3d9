import Foundation
@testable import Documents
@testable import KubeClient
import Testing

/// A temporary folder with files, removed when the test ends.
final class TempFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

let pemCA = "-----BEGIN CERTIFICATE-----\nTEST-CA\n-----END CERTIFICATE-----\n"

@Suite struct KubeconfigLoadingTests {
    @Test func readsClusterUserAndContextWithRelativePaths() throws {
        let folder = try TempFolder()
        try folder.write("certs/ca.crt", pemCA)
        try folder.write("certs/client.crt", "CERT")
        try folder.write("certs/client.key", "KEY")
        let path = try folder.write("config", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: dev
              cluster:
                server: https://10.1.2.3:6443/
                certificate-authority: certs/ca.crt
                tls-server-name: api.dev.internal
                proxy-url: http://proxy:3128
            users:
            - name: dev-admin
              user:
                client-certificate: certs/client.crt
                client-key: certs/client.key
            contexts:
            - name: dev
              context: {cluster: dev, user: dev-admin, namespace: shop}
            current-context: dev
            """)
        let connection = try ConfigLoader.load(kubeconfigPath: path, context: nil, environment: [:])
        #expect(connection.server == "https://10.1.2.3:6443")
        #expect(connection.contextName == "dev")
        #expect(connection.namespace == "shop")
        #expect(connection.tls.certificateAuthorityPEM == Data(pemCA.utf8))
        #expect(connection.tls.clientCertificatePEM == Data("CERT".utf8))
        #expect(connection.tls.clientKeyPEM == Data("KEY".utf8))
        #expect(connection.tls.serverName == "api.dev.internal")
        #expect(connection.proxyURL == "http://proxy:3128")
    }

    @Test func mergesKubeconfigListFirstWins() throws {
        let folder = try TempFolder()
        let first = try folder.write("a", """
            clusters: [{name: shared, cluster: {server: "https://first"}}]
            users: [{name: u, user: {token: first-token}}]
            contexts: [{name: one, context: {cluster: shared, user: u}}]
            """)
        let second = try folder.write("b", """
            clusters: [{name: shared, cluster: {server: "https://second"}}, {name: other, cluster: {server: "https://other"}}]
            users: [{name: u, user: {token: second-token}}]
            contexts: [{name: two, context: {cluster: other, user: u}}]
            current-context: two
            """)
        let env = ["KUBECONFIG": "\(first)::\(folder.path)/missing:\(second)"]
        let current = try ConfigLoader.load(kubeconfigPath: nil, context: nil, environment: env)
        #expect(current.server == "https://other")
        guard case .token(let token) = current.credentials else { Issue.record("expected a token"); return }
        #expect(token == "first-token")
        #expect(try ConfigLoader.load(kubeconfigPath: nil, context: "one", environment: env).server == "https://first")
    }

    @Test func fallsBackToHomeThenInCluster() throws {
        let folder = try TempFolder()
        try folder.write("home/.kube/config", """
            clusters: [{name: c, cluster: {server: "https://home"}}]
            contexts: [{name: c, context: {cluster: c}}]
            current-context: c
            """)
        #expect(try ConfigLoader.load(kubeconfigPath: nil, context: nil, environment: ["HOME": folder.path + "/home"]).server == "https://home")
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(kubeconfigPath: nil, context: nil, environment: ["HOME": folder.path])
        }
    }

    @Test func inClusterReadsServiceAccountFiles() throws {
        let folder = try TempFolder()
        try folder.write("sa/token", "abc.def\n")
        try folder.write("sa/ca.crt", pemCA)
        try folder.write("sa/namespace", "lookout")
        let connection = try ConfigLoader.load(
            kubeconfigPath: nil, context: nil,
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: folder.path + "/sa")
        #expect(connection.server == "https://[fd00::1]:443")
        #expect(connection.namespace == "lookout")
        #expect(connection.origin == "in-cluster")
        guard case .tokenFile(let path) = connection.credentials else { Issue.record("expected a token file"); return }
        #expect(path == folder.path + "/sa/token")
    }

    @Test(arguments: [
        ("clusters: oops\n", "clusters", 1, "expected a list"),
        ("clusters:\n- name: a\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: maybe\n",
         "clusters[0].cluster.insecure-skip-tls-verify", 5, "expected true or false"),
        ("users:\n- name: u\n  user:\n    client-certificate-data: '***'\n", "users[0].user.client-certificate-data", 4, "not valid base64"),
        ("users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x\n",
         "users[0].user.exec.apiVersion", 5, "unsupported exec apiVersion"),
        ("contexts:\n- context: {cluster: a}\n", "contexts[0].name", 2, "needs a name"),
    ])
    func badFieldsNameFileLineAndField(text: String, field: String, line: Int, message: String) throws {
        let folder = try TempFolder()
        let path = try folder.write("config", text)
        do {
            _ = try Kubeconfig.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.field == field)
            #expect(error.line == line)
            #expect(error.description.contains(message))
        }
    }

    @Test func yamlSyntaxErrorsCarryPosition() throws {
        let folder = try TempFolder()
        let path = try folder.write("config", "clusters:\n- name: a\n  cluster: {server: \"https://x\"\n")
        do {
            _ = try Kubeconfig.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.line != nil)
        }
    }

    @Test func authProviderIsRejectedWithAHint() throws {
        let folder = try TempFolder()
        let path = try folder.write("config", """
            clusters: [{name: c, cluster: {server: "https://x"}}]
            users: [{name: u, user: {auth-provider: {name: gcp}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """)
        do {
            _ = try ConfigLoader.load(kubeconfigPath: path, context: nil, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("auth-provider \"gcp\" is not supported"))
            #expect(error.description.contains("exec"))
        }
    }

    /// The mode decides the plugin's time limit (60 s unless it may prompt), so a typo is an error.
    @Test func execInteractiveModeIsReadAndChecked() throws {
        let folder = try TempFolder()
        func load(_ mode: String) throws -> ConnectionConfig {
            let path = try folder.write("config", """
                clusters: [{name: c, cluster: {server: "https://x"}}]
                users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: p, interactiveMode: \(mode)}}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """)
            return try ConfigLoader.load(kubeconfigPath: path, context: nil, environment: [:])
        }
        guard case .exec(let exec) = try load("Never").credentials else { Issue.record("no exec credentials"); return }
        #expect(exec.interactiveMode == "Never")
        #expect { try load("Sometimes") } throws: { error in
            "\(error)".contains("interactiveMode") && "\(error)".contains(":2")
        }
    }

    @Test func unknownContextListsKnownOnes() throws {
        let folder = try TempFolder()
        let path = try folder.write("config", "clusters: [{name: c, cluster: {server: \"https://x\"}}]\ncontexts: [{name: c, context: {cluster: c}}]\n")
        #expect { try ConfigLoader.load(kubeconfigPath: path, context: "nope", environment: [:]) } throws: { error in
            "\(error)".contains("context \"nope\" does not exist (known: c)")
        }
    }
}

@Suite struct CredentialTests {
    func execConfig(_ folder: TempFolder, script: String, apiVersion: String = "client.authentication.k8s.io/v1",
                    hint: String? = nil) throws -> ConnectionConfig {
        try folder.write("plugin.sh", script, executable: true)
        var exec = Kubeconfig.ExecConfig(apiVersion: apiVersion, command: "./plugin.sh", baseDirectory: folder.path)
        exec.env = [("PLUGIN_GREETING", "hello")]
        exec.installHint = hint
        exec.args = ["--flag"]
        return ConnectionConfig(server: "https://x", credentials: .exec(exec), origin: "test")
    }

    @Test func execPluginTokenIsCachedUntilExpiry() async throws {
        let folder = try TempFolder()
        let counter = folder.path + "/count"
        let config = try execConfig(folder, script: """
            #!/bin/sh
            echo run >> \(counter)
            [ "$1" = --flag ] && [ "$PLUGIN_GREETING" = hello ] || exit 7
            case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) exit 8;; esac
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-1","expirationTimestamp":"2999-01-01T00:00:00Z"}}'
            """)
        let provider = CredentialProvider(config: config, environment: ["PATH": "/usr/bin:/bin"])
        #expect(try await provider.authorization(refresh: false) == "Bearer tok-1")
        #expect(try await provider.authorization(refresh: false) == "Bearer tok-1")
        #expect(try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count == 1)
        _ = try await provider.authorization(refresh: true)
        #expect(try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count == 2)
    }

    func expiredPlugin(_ folder: TempFolder) throws -> (ConnectionConfig, runs: () throws -> Int) {
        let counter = folder.path + "/count"
        let config = try execConfig(folder, script: """
            #!/bin/sh
            echo run >> \(counter)
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2000-01-01T00:00:00Z"}}'
            """)
        return (config, { try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count })
    }

    @Test func expiredExecCredentialIsRefreshed() async throws {
        let folder = try TempFolder()
        let (config, runs) = try expiredPlugin(folder)
        let provider = CredentialProvider(config: config, environment: [:], minimumReuse: .zero)
        _ = try await provider.authorization(refresh: false)
        _ = try await provider.authorization(refresh: false)
        #expect(try runs() == 2)
    }

    /// Issue 11 defect 11: a credential that arrives already expired ran the plugin for every request.
    @Test func credentialExpiredOnArrivalIsReusedInsteadOfRespawningThePlugin() async throws {
        let folder = try TempFolder()
        let (config, runs) = try expiredPlugin(folder)
        let provider = CredentialProvider(config: config, environment: [:])
        for _ in 0..<5 { #expect(try await provider.authorization(refresh: false) == "Bearer t") }
        #expect(try runs() == 1)
        _ = try await provider.authorization(refresh: true)
        #expect(try runs() == 2)
    }

    @Test func missingPluginShowsInstallHint() async throws {
        let folder = try TempFolder()
        var exec = Kubeconfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin-missing", baseDirectory: folder.path)
        exec.installHint = "Install gke-gcloud-auth-plugin for use with kubectl"
        let provider = CredentialProvider(
            config: ConnectionConfig(server: "https://x", credentials: .exec(exec), origin: "test"), environment: ["PATH": folder.path])
        await #expect { try await provider.authorization(refresh: false) } throws: { error in
            "\(error)".contains("was not found. Install gke-gcloud-auth-plugin")
        }
    }

    @Test(arguments: [
        ("exit 3", "exited with status 3"),
        ("echo not-json", "did not print an ExecCredential"),
        ("echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'", "apiVersion"),
        ("echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'", "neither a token"),
    ])
    func badPluginOutputIsAClearError(body: String, message: String) async throws {
        let folder = try TempFolder()
        let config = try execConfig(folder, script: "#!/bin/sh\n\(body)\n")
        let provider = CredentialProvider(config: config, environment: [:])
        await #expect { try await provider.authorization(refresh: false) } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("\"t\"")
        }
    }

    @Test func execPluginClientCertificateIsOffered() async throws {
        let folder = try TempFolder()
        let config = try execConfig(folder, script: """
            #!/bin/sh
            printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'
            """)
        let provider = CredentialProvider(config: config, environment: [:])
        let pair = try await provider.clientCertificate()
        #expect(pair?.certificate == Data("CERT".utf8))
        #expect(pair?.key == Data("KEY".utf8))
        #expect(try await provider.authorization(refresh: false) == nil)
    }

    @Test func tokenFileIsReReadWhenItChanges() async throws {
        let folder = try TempFolder()
        let path = try folder.write("token", "first\n")
        let provider = CredentialProvider(
            config: ConnectionConfig(server: "https://x", credentials: .tokenFile(path), origin: "test"), environment: [:])
        #expect(try await provider.authorization(refresh: false) == "Bearer first")
        try await Task.sleep(for: .milliseconds(20))
        try "second".write(toFile: path, atomically: true, encoding: .utf8)
        let modified = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        #expect(try await provider.authorization(refresh: false) == "Bearer second")
    }
}
