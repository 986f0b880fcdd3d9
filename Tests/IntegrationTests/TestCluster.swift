import ConsumerSupport
import Foundation
import ManifestFixtures
import Testing

/// The real kube-apiserver + etcd that `make test` starts once per run (Tests/cluster/apiserver.sh)
/// and shares between tests; each test works in namespaces of its own.
struct TestCluster: Sendable {
    let environment: [String: String]

    var kubeconfig: String { environment["LOOKOUT_REALAPI_KUBECONFIG"] ?? "" }
    var url: String { environment["LOOKOUT_REALAPI_URL"] ?? "" }
    var caPath: String { environment["LOOKOUT_REALAPI_CA"] ?? "" }
    var kubectlPath: String { environment["LOOKOUT_REALAPI_KUBECTL"] ?? "kubectl" }
    var stateDirectory: String { environment["LOOKOUT_REALAPI_STATE_DIR"] ?? "" }

    /// Nil when no cluster was started; `unavailableReason` says why.
    static let shared: TestCluster? = ProcessInfo.processInfo.environment["LOOKOUT_TEST_CLUSTER"].flatMap(load(state:))

    /// The cluster Tests/cluster/apiserver.sh started in `state`, from the env file it wrote there.
    static func load(state: String) -> TestCluster? {
        guard let text = try? String(contentsOfFile: state + "/env", encoding: .utf8) else { return nil }
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.hasPrefix("'") || value.hasPrefix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            environment[String(line[..<equals])] = value
        }
        return TestCluster(environment: environment)
    }

    /// Integration tests run when a cluster is there, and always in CI, where a missing cluster fails.
    static let shouldRun = shared != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    static let skipReason: Comment =
        "no test API server: run `make test` (it starts one and sets LOOKOUT_TEST_CLUSTER)"

    static func require() throws -> TestCluster {
        try #require(shared, "CI=true but no test API server is running (LOOKOUT_TEST_CLUSTER unset or unreadable)")
    }

    @discardableResult
    func kubectl(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try Subprocess.run(kubectlPath, ["--kubeconfig", kubeconfig] + arguments, input: input)
        guard result.status == 0 else {
            throw TestFailure("kubectl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    func apply(_ manifest: String) throws {
        try kubectl(["apply", "-f", "-"], input: manifest)
    }

    /// A one-replica Deployment `web` whose container runs privileged (nginx:1.25).
    static func privilegedDeployment(namespace: String) -> String {
        Manifest.workload(name: "web", namespace: namespace, replicas: 1, podSpec: """
            containers:
            - {name: web, image: "nginx:1.25", securityContext: {privileged: true}}
            """)
    }

    /// A fresh namespace with a unique name, so parallel tests never see each other's objects.
    func makeNamespace(_ prefix: String, labels: [String: String] = [:]) throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        let labelLines = labels.map { "    \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        try apply("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: \(name)
            \(labels.isEmpty ? "" : "  labels:\n" + labelLines)
            """)
        // Pods can only be created once the controller-manager has made the default ServiceAccount.
        for _ in 0..<100 {
            if (try? kubectl(["-n", name, "get", "serviceaccount", "default"])) != nil { return name }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure("namespace \(name) got no default ServiceAccount in 10 s")
    }

    /// A ServiceAccount bound cluster-wide to `clusterRole` by a ClusterRoleBinding named after it.
    func bindServiceAccount(_ name: String, namespace: String, clusterRole: String) throws {
        try apply("""
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: \(name), namespace: \(namespace)}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: \(namespace)-\(name)-\(clusterRole)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \(clusterRole)}
            subjects: [{kind: ServiceAccount, name: \(name), namespace: \(namespace)}]
            """)
    }

    /// A token for a ServiceAccount (TokenRequest API).
    func token(namespace: String, serviceAccount: String) throws -> String {
        try kubectl(["-n", namespace, "create", "token", serviceAccount, "--duration=1h"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A kubeconfig with no user for `server`, which no test cluster answers (e.g. a closed port): for
    /// the ways a scan fails before it reaches an API server.
    static func offlineKubeconfig(in folder: String, server: String) throws -> String {
        let path = folder + "/config"
        try """
            clusters: [{name: c, cluster: {server: "\(server)", insecure-skip-tls-verify: true}}]
            contexts: [{name: c, context: {cluster: c}}]
            current-context: c
            """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    /// A kubeconfig for this cluster with the given user and cluster fields (YAML lines, indented by 4).
    func kubeconfig(in folder: String, name: String, cluster: String, user: String) throws -> String {
        let path = folder + "/" + name
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
            \(cluster)
            users:
            - name: test
              user:
            \(user)
            contexts:
            - name: test
              context: {cluster: test, user: test}
            current-context: test
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        // Owner-only, as kubectl writes one: a wider file earns a warning the tests would see.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Run {
    /// The `lookout` executable built next to the test bundle.
    static var lookoutPath: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("lookout").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return bundle.appendingPathComponent("lookout").path
    }

    /// Runs `lookout` with a clean environment (no KUBECONFIG or HOME leaking in from the developer).
    static func lookout(_ arguments: [String], environment: [String: String] = [:]) throws -> Subprocess.Result {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent"]
        env.merge(environment) { _, new in new }
        return try Subprocess.run(lookoutPath, arguments, environment: env)
    }
}
