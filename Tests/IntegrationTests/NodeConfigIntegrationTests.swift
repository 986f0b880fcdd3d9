@testable import Audit
import ConsumerSupport
import Foundation
@testable import Inventory
import KubeClient
import ManifestFixtures
import Reports
import Testing

/// Tier 2 controls against the real API server: kubelet configurations read through the node proxy from
/// fake kubelets (Tests/cluster/fake-kubelet.py, HTTPS on loopback), exposed dashboards, namespaces and
/// admission webhooks, each on a bad and a good setup.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct NodeConfigIntegrationTests {
    static let repositoryRoot = ScanIntegrationTests.repositoryRoot
    static let nodeControls = ["LO-010", "LO-011", "LO-012", "LO-013", "LO-014", "C-0069", "C-0070"]

    func scan(_ arguments: [String], environment: [String: String] = [:]) throws -> (Subprocess.Result, ScanReport?) {
        let result = try Run.lookout(["scan"] + arguments + ["--format", "json"], environment: environment)
        return (result, try? ScanReport.decode(Data(result.stdout.utf8)))
    }

    /// A snapshot collected in-process with the admin credentials, as `lookout scan` collects it.
    func collect(_ cluster: TestCluster, scope: NamespaceScope = NamespaceScope()) async throws -> ClusterSnapshot {
        let api = try await KubeAPI(config: try ConfigLoader.load(kubeconfigPath: cluster.kubeconfig, context: nil))
        return try await Collector(api: api, scope: scope).collect()
    }

    /// A token kubeconfig for a new ServiceAccount bound to `lookout-reader` (rbac/clusterrole.yaml) and
    /// to the given extra ClusterRoles.
    func readerKubeconfig(_ cluster: TestCluster, folder: TempDirectory, extraRoles: [String] = []) throws -> String {
        try cluster.kubectl(["apply", "-f", Self.repositoryRoot + "/rbac/clusterrole.yaml"])
        let namespace = try cluster.makeNamespace("reader")
        var manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: auditor, namespace: \(namespace)}\n"
        for role in ["lookout-reader"] + extraRoles {
            manifest += """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: \(namespace)-\(role)}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \(role)}
                subjects: [{kind: ServiceAccount, name: auditor, namespace: \(namespace)}]

                """
        }
        try cluster.apply(manifest)
        let token = try cluster.token(namespace: namespace, serviceAccount: "auditor")
        return try cluster.kubeconfig(
            in: folder.path, name: namespace, cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)",
            user: "    token: \(token)")
    }

    /// Two nodes whose kubelets are fake ones on loopback, one per profile: the insecure node fails every
    /// node-config control and the secure one passes; read-only credentials get the controls skipped with
    /// "needs nodes/proxy", and the optional rbac/optional role brings them back.
    @Test func kubeletConfigurationThroughTheNodeProxy() async throws {
        let cluster = try TestCluster.require()
        let id = UUID().uuidString.prefix(8).lowercased()
        let secure = try FakeKubelet(profile: "secure", clientCA: cluster.caPath)
        let insecure = try FakeKubelet(profile: "insecure", clientCA: cluster.caPath)
        let secureNode = "lo-kubelet-secure-\(id)", insecureNode = "lo-kubelet-insecure-\(id)"
        // Nodes go before their kubelets stop, so concurrent scans never meet a node without a kubelet.
        defer {
            _ = try? cluster.kubectl(["delete", "node", secureNode, insecureNode, "--ignore-not-found", "--wait=false"])
            secure.stop()
            insecure.stop()
        }
        try cluster.registerNode(secureNode, kubeletPort: secure.port)
        try cluster.registerNode(insecureNode, kubeletPort: insecure.port)

        let (result, report) = try scan(["control", Self.nodeControls.joined(separator: ","), "--kubeconfig", cluster.kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        let findings = try #require(report).findings
        for control in Self.nodeControls {
            let entry = report?.controls.first { $0.id == control }
            #expect(entry?.status == .failed, "\(control): \(entry?.skipReason ?? "")")
            #expect((entry?.allResources ?? 0) >= 2, "\(control)")
            #expect(findings.contains { $0.controlID == control && $0.resource.kind == "Node" && $0.resource.name == insecureNode }, "\(control)")
            #expect(!findings.contains { $0.controlID == control && $0.resource.name == secureNode }, "\(control)")
        }
        let hardening = findings.first { $0.controlID == "LO-014" && $0.resource.name == insecureNode }
        #expect(hardening?.evidence == [
            "kubeletconfig.protectKernelDefaults is not set (false)", "kubeletconfig.makeIPTablesUtilChains=false",
            "kubeletconfig.rotateCertificates is not set (false)", "kubeletconfig.streamingConnectionIdleTimeout=0s",
        ])
        #expect(findings.first { $0.controlID == "LO-012" && $0.resource.name == insecureNode }?.evidence == ["kubeletconfig.readOnlyPort=10255"])
        #expect(findings.first { $0.controlID == "C-0069" && $0.resource.name == insecureNode }?.message
            == "Node \(insecureNode) (kubelet v1.20.2): the kubelet accepts anonymous requests")

        // In-process, the secure node's verdicts are passes (not merely absent findings).
        let snapshot = try await collect(cluster)
        let secureEntry = snapshot.kubeletConfigurations?.first { $0.node == secureNode }
        #expect(secureEntry?.configuration != nil, "\(secureEntry?.error ?? "no entry")")
        #expect(secureEntry?.configuration?.authorization?.mode == "Webhook")
        let context = AuditContext(snapshot: snapshot)
        for control in NodeControls.all {
            // Partial is fine: nodes that concurrent tests register may have lost their kubelet by now.
            let verdicts: [ResourceVerdict]
            switch control.run(in: context) {
            case .evaluated(let judged), .partial(let judged, _): verdicts = judged
            case .skipped(let reason):
                Issue.record("\(control.id) was skipped: \(reason)")
                continue
            }
            #expect(verdicts.first { $0.resource.name == secureNode }.map { $0.failure == nil } == true, "\(control.id)")
            #expect(verdicts.first { $0.resource.name == insecureNode }.map { $0.failure != nil } == true, "\(control.id)")
        }

        // Read-only credentials: the API server refuses nodes/proxy, the controls say why, nothing else breaks.
        let folder = try TempDirectory()
        let reader = try readerKubeconfig(cluster, folder: folder)
        let (readerResult, readerReport) = try scan(["control", Self.nodeControls.joined(separator: ","), "--kubeconfig", reader])
        #expect(readerResult.status == 0, "\(readerResult.stderr)")
        for control in Self.nodeControls {
            let entry = readerReport?.controls.first { $0.id == control }
            #expect(entry?.status == .skipped, "\(control)")
            #expect(entry?.skipReason == "needs nodes/proxy", "\(control)")
        }
        #expect(readerReport?.errors.isEmpty == true, "\(readerReport?.errors ?? [])")

        // The optional role, as shipped, grants what the controls need.
        try cluster.apply(try Self.optionalNodeConfigRole())
        let withNodeProxy = try readerKubeconfig(cluster, folder: folder, extraRoles: ["lookout-node-config"])
        let (grantedResult, grantedReport) = try scan(["control", "LO-010,C-0070", "--kubeconfig", withNodeProxy])
        #expect(grantedResult.status == 0, "\(grantedResult.stderr)")
        #expect(grantedReport?.controls.allSatisfy { $0.status == .failed } == true)
        #expect(grantedReport?.findings.contains { $0.controlID == "LO-010" && $0.resource.name == insecureNode } == true)
    }

    /// A node whose kubelet cannot be reached (nothing listens on its port): the node proxy's answer is
    /// final at once, the node is in the report's errors and named by the node controls, which judge
    /// the readable node; the scan stays complete (exit 0).
    @Test func unreachableKubeletIsNamedNotHidden() async throws {
        let cluster = try TestCluster.require()
        let id = UUID().uuidString.prefix(8).lowercased()
        let secure = try FakeKubelet(profile: "secure", clientCA: cluster.caPath)
        let upNode = "up-\(id)", downNode = "down-\(id)"
        defer {
            _ = try? cluster.kubectl(["delete", "node", upNode, downNode, "--ignore-not-found", "--wait=false"])
            secure.stop()
        }
        try cluster.registerNode(upNode, kubeletPort: secure.port)
        // Port 1 on loopback: nothing listens, the API server's dial is refused.
        try cluster.registerNode(downNode, kubeletPort: 1)

        let (result, report) = try scan(["control", "LO-010,C-0069", "--kubeconfig", cluster.kubeconfig])
        #expect(result.status == 0, "\(result.stderr)")
        let error = report?.errors.first { $0.resource == "nodes/\(downNode)/proxy/configz" }
        #expect(error?.reason == CollectionError.kubeletUnreadable)
        #expect(error.map { KubeletConfigCollector.saysUnreachable($0.message) } == true, "\(error?.message ?? "no error")")
        for control in ["LO-010", "C-0069"] {
            let entry = report?.controls.first { $0.id == control }
            #expect(entry?.status == .passed || entry?.status == .failed, "\(control): \(entry?.skipReason ?? "")")
            #expect(entry?.unjudged?.contains("not judged") == true, "\(control)")
        }
        #expect(report?.complete == true)
    }

    /// The ClusterRole of rbac/optional/node-config-clusterrole.yaml, without its binding (which names the
    /// in-cluster ServiceAccount lookout/lookout that other tests may use).
    static func optionalNodeConfigRole() throws -> String {
        let text = try String(contentsOfFile: repositoryRoot + "/rbac/optional/node-config-clusterrole.yaml", encoding: .utf8)
        let documents = text.components(separatedBy: "\n---\n")
        let role = try #require(documents.first { $0.contains("\nkind: ClusterRole\n") })
        #expect(role.contains("resources: [nodes/proxy]") && role.contains("verbs: [get]"))
        return role
    }

    /// LO-001, LO-002 (through `lookout scan`), LO-003, LO-030 and LO-031 (collected from the server and
    /// evaluated in-process) on a namespace with an exposed, login-skipping dashboard and no Pod Security
    /// label, next to a hardened one; and a fail-open webhook next to a fail-closed one that exempts
    /// kube-system. The webhooks intercept only a made-up API group, so they never touch other tests.
    @Test func dashboardsNamespacesAndWebhooksOnBadAndGoodSetups() async throws {
        let cluster = try TestCluster.require()
        let bad = try cluster.makeNamespace("tier2-bad")
        let good = try cluster.makeNamespace("tier2-good", labels: ["pod-security.kubernetes.io/enforce": "baseline"])
        func dashboard(_ namespace: String, args: [String], serviceType: String) -> String {
            """
            \(Manifest.workload(name: "kubernetes-dashboard", namespace: namespace, labels: "k8s-app: kubernetes-dashboard", podSpec: """
                containers:
                - name: kubernetes-dashboard
                  image: kubernetesui/dashboard:v2.7.0
                  args: [\(args.joined(separator: ", "))]
                  ports: [{containerPort: 8443}]
                """))
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: kubernetes-dashboard, namespace: \(namespace)}
            spec:
              type: \(serviceType)
              selector: {k8s-app: kubernetes-dashboard}
              ports: [{port: 443, targetPort: 8443}]
            """
        }
        try cluster.apply(dashboard(bad, args: ["--auto-generate-certificates", "--enable-skip-login"], serviceType: "NodePort"))
        try cluster.apply(dashboard(good, args: ["--auto-generate-certificates"], serviceType: "ClusterIP"))

        let open = "\(bad)-fails-open", closed = "\(good)-fails-closed"
        defer { _ = try? cluster.kubectl(["delete", "validatingwebhookconfiguration", open, closed, "--ignore-not-found"]) }
        func webhook(_ name: String, failurePolicy: String, exemptKubeSystem: Bool) -> String {
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: \(name)}
            webhooks:
            - name: check.\(name).lookout-it.example.com
              failurePolicy: \(failurePolicy)
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig: {service: {namespace: \(bad), name: no-such-service}}
              rules: [{apiGroups: [lookout-it.example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}]
            \(exemptKubeSystem ? "  namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]}" : "")
            """
        }
        try cluster.apply(webhook(open, failurePolicy: "Ignore", exemptKubeSystem: false))
        try cluster.apply(webhook(closed, failurePolicy: "Fail", exemptKubeSystem: true))

        let (result, report) = try scan([
            "control", "LO-001,LO-002", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", "\(bad),\(good)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let findings = try #require(report).findings
        let exposed = findings.first { $0.controlID == "LO-001" && $0.resource.namespace == bad }
        #expect(exposed?.resource.kind == "Deployment" && exposed?.resource.name == "kubernetes-dashboard")
        #expect(exposed?.evidence == [
            "metadata.name contains \"kubernetes-dashboard\" (Kubernetes Dashboard)",
            "exposed by Service \(bad)/kubernetes-dashboard (NodePort)",
        ])
        #expect(exposed?.related == [RelatedObject(kind: "Service", namespace: bad, name: "kubernetes-dashboard")])
        let skipLogin = findings.first { $0.controlID == "LO-002" && $0.resource.namespace == bad }
        #expect(skipLogin?.evidence == ["spec.template.spec.containers[0].args[1]=--enable-skip-login"])
        #expect(!findings.contains { $0.resource.namespace == good })
        #expect(report?.controls.first { $0.id == "LO-001" }?.allResources == 2)

        let snapshot = try await collect(cluster, scope: NamespaceScope(included: [bad, good]))
        let context = AuditContext(snapshot: snapshot)
        func verdicts(_ control: Control) -> [ResourceVerdict] {
            guard case .evaluated(let verdicts) = control.run(in: context) else {
                Issue.record("\(control.id) was skipped")
                return []
            }
            return verdicts
        }
        let podSecurity = verdicts(PostureControls.namespaceWithoutPodSecurity)
        #expect(podSecurity.first { $0.resource.name == bad }?.failure?.evidence == ["metadata.labels[pod-security.kubernetes.io/enforce] is not set"])
        #expect(podSecurity.first { $0.resource.name == good }.map { $0.failure == nil } == true)

        let failsOpen = verdicts(PostureControls.webhookFailsOpen)
        #expect(failsOpen.first { $0.resource.name == open }?.failure?.evidence == ["webhooks[0] (check.\(open).lookout-it.example.com).failurePolicy=Ignore"])
        #expect(failsOpen.first { $0.resource.name == closed }.map { $0.failure == nil } == true)
        let blocking = verdicts(PostureControls.webhookCanBlockControlPlane)
        #expect(blocking.first { $0.resource.name == closed }.map { $0.failure == nil } == true)
        #expect(blocking.first { $0.resource.name == open }.map { $0.failure == nil } == true)
    }
}

extension TestCluster {
    /// A Node whose kubelet is 127.0.0.1:`kubeletPort`: the API server's node proxy then reaches it.
    func registerNode(_ name: String, kubeletPort: Int) throws {
        try apply("apiVersion: v1\nkind: Node\nmetadata: {name: \(name), labels: {kubernetes.io/hostname: \(name)}}")
        let status = """
            {"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"\(name)"}],\
            "daemonEndpoints":{"kubeletEndpoint":{"Port":\(kubeletPort)}},\
            "nodeInfo":{"kubeletVersion":"v1.20.2","containerRuntimeVersion":"containerd://1.4.3","kernelVersion":"5.10.0",\
            "osImage":"Debian GNU/Linux 11","operatingSystem":"linux","architecture":"amd64","machineID":"","systemUUID":"",\
            "bootID":"","kubeProxyVersion":"v1.20.2"}}}
            """
        try kubectl(["patch", "node", name, "--subresource=status", "--type=merge", "-p", status])
    }
}

/// Tests/cluster/fake-kubelet.py running in the background; it prints its port once listening.
///
/// The test process hands its children a signal mask that blocks SIGTERM, so the script's graceful
/// shutdown never runs: it is stopped with SIGKILL, and its temporary certificate directory is created
/// under a folder of the test's own (TMPDIR), removed with it.
final class FakeKubelet {
    let port: Int
    private let process: Process
    private let folder: TempDirectory

    init(profile: String, clientCA: String) throws {
        let folder = try TempDirectory()
        let script = NodeConfigIntegrationTests.repositoryRoot + "/Tests/cluster/fake-kubelet.py"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--profile", profile, "--client-ca", clientCA]
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = folder.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        let log = folder.path + "/stderr.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.process = process
        self.folder = folder
        guard let port = Int(text) else {
            let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            self.port = 0
            stop()
            throw TestFailure("fake kubelet (\(profile)) printed no port: \(stderr)")
        }
        self.port = port
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
