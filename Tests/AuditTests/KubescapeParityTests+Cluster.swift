@testable import Audit
import Inventory
import ManifestFixtures
import Testing

/// C-0020 (alert-mount-potential-credentials-paths): the provider's paths only, every provider's when unknown.
@Suite struct CloudCredentialPathParityTests {
    static func pod(_ path: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: test-pd}
        spec:
          containers:
          - image: registry.k8s.io/test-webserver
            name: test-container
            volumeMounts: [{mountPath: /test-pd, name: test-volume}]
          volumes:
          - name: test-volume
            hostPath: {path: '\(path)'}
        """
    }

    static func run(_ path: String, provider: String?) throws -> [String] {
        var snapshot = try KubescapeInput.snapshot(Self.pod(path))
        if let provider {
            var node = Node(metadata: Fixture.meta("n1", namespace: nil))
            node.spec = Node.Spec(providerID: provider)
            snapshot.nodes = [node]
        }
        return Fixture.run(WorkloadPrivilegeControls.mountServicePrincipal, on: snapshot).failed.map(\.name)
    }

    @Test(arguments: ["/.aws/config/", "/.aws/credentials", "/etc/kubernetes/azure.json", "/.config/gcloud", "/root/.aws"])
    func unknownProviderJudgesEveryProvidersPaths(path: String) throws {
        #expect(try Self.run(path, provider: nil) == ["test-pd"])
    }

    @Test func knownProviderJudgesItsOwnPathsOnly() throws {
        #expect(try Self.run("/.aws/config/", provider: "aws:///eu-west-1a/i-0abc") == ["test-pd"])
        #expect(try Self.run("/etc/kubernetes/azure.json", provider: "aws:///eu-west-1a/i-0abc").isEmpty)
        #expect(try Self.run("/etc/kubernetes/azure.json", provider: "azure:///subscriptions/x/vm-0") == ["test-pd"])
        #expect(try Self.run("/.aws", provider: "gce://project/zone/node-1").isEmpty)
        #expect(try Self.run("/", provider: "gce://project/zone/node-1") == ["test-pd"])
    }

    /// A file under a credential folder is not the folder (Kubescape's `pod_eks_passed`).
    @Test func pathBelowACredentialFilePasses() throws {
        #expect(try Self.run("/.aws/config/good", provider: nil).isEmpty)
    }

    @Test func providerComesFromNodesOrVersion() {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "s", version: "v1.29.1-eks-508b6b3"))
        #expect(snapshot.cloudProvider == .eks)
        snapshot.cluster.version = "v1.29.1-gke.1589018"
        #expect(snapshot.cloudProvider == .gke)
        snapshot.cluster.version = "v1.29.1"
        #expect(snapshot.cloudProvider == nil)
        var node = Node(metadata: Fixture.meta("n", namespace: nil))
        node.spec = Node.Spec(providerID: "azure:///subscriptions/x")
        snapshot.nodes = [node]
        #expect(snapshot.cloudProvider == .aks)
        snapshot.cluster.version = "v1.29.1-eks-508b6b3"
        #expect(snapshot.cloudProvider == nil)
    }
}

/// C-0021 (exposed-sensitive-interfaces-v1, test filter-multi-service): one external Service among
/// several selecting the workload exposes it.
@Suite struct SensitiveInterfaceServicesParityTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: kubernetes-dashboard
          namespace: repro-c0021
          labels: {app: kubernetes-dashboard}
        spec:
          containers: [{name: dashboard, image: 'nginx:alpine'}]
        """

    static func service(_ name: String, _ type: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata: {name: \(name), namespace: repro-c0021}
        spec:
          type: \(type)
          selector: {app: kubernetes-dashboard}
          ports: [{port: 443, targetPort: 8443}]
        """
    }

    @Test func oneExternalServiceAmongSeveralFails() throws {
        let result = try KubescapeInput.run(
            NetworkControls.exposedSensitiveInterfaces,
            [Self.pod, Self.service("dashboard-svc-a", "LoadBalancer"), Self.service("dashboard-svc-b", "ClusterIP")].joined(separator: "\n---\n"))
        #expect(result.failed.map(\.name) == ["kubernetes-dashboard"])
        let failure = try #require(result.verdicts.first?.failure)
        #expect(failure.related == [RelatedObject(kind: "Service", namespace: "repro-c0021", name: "dashboard-svc-a")])
        #expect(failure.evidence == [
            "metadata.name contains \"kubernetes-dashboard\"", "exposed by Service repro-c0021/dashboard-svc-a (LoadBalancer)",
        ])
    }

    @Test func onlyInternalServicesPass() throws {
        let result = try KubescapeInput.run(
            NetworkControls.exposedSensitiveInterfaces,
            [Self.pod, Self.service("dashboard-svc-b", "ClusterIP"), Self.service("dashboard-svc-c", "ClusterIP")].joined(separator: "\n---\n"))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }
}

/// C-0067 (k8s-audit-logs-enabled-native, tests rke2-args and rke2-args-fail): flags in `args` count.
@Suite struct AuditFlagsParityTests {
    static func apiServer(args: [String]) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          labels: {component: kube-apiserver, tier: control-plane}
          name: kube-apiserver-rke2-server
          namespace: kube-system
        spec:
          containers:
          - command: [kube-apiserver]
            args: [\(args.map { "'\($0)'" }.joined(separator: ", "))]
            image: index.docker.io/rancher/hardened-kubernetes:v1.32.11-rke2r1
            name: kube-apiserver
          hostNetwork: true
        """
    }

    @Test(arguments: [
        ["--advertise-address=10.0.4.1", "--audit-policy-file=/etc/rancher/rke2/audit-policy.yaml", "--audit-log-path=/var/lib/rancher/rke2/server/logs/audit.log"],
        ["--audit-policy-file", "/etc/ssl/certs/audit-policy.yaml", "--audit-log-path", "-"],
        ["--audit-policy-file=/etc/audit/policy.yaml", "--audit-webhook-config-file=/etc/audit/webhook.yaml"],
    ])
    func policyWithABackendPasses(args: [String]) throws {
        let result = try KubescapeInput.run(ClusterControls.auditLogsEnabled, Self.apiServer(args: args))
        #expect(result.skipped == nil)
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty)
    }

    @Test func noPolicyFailsNamingTheContainer() throws {
        let result = try KubescapeInput.run(ClusterControls.auditLogsEnabled, Self.apiServer(args: ["--advertise-address=10.0.4.1"]))
        #expect(result.failed.map(\.name) == ["kube-apiserver-rke2-server"])
        #expect(result.verdicts.first?.failure?.evidence == [
            "spec.containers[0]: --audit-policy-file is not set (no audit events are produced)"
        ])
    }

    /// Deliberate difference: a policy with no backend records nothing (Kubescape passes it).
    @Test func policyWithoutBackendFails() throws {
        let result = try KubescapeInput.run(
            ClusterControls.auditLogsEnabled, Self.apiServer(args: ["--audit-policy-file=/etc/rancher/rke2/audit-policy.yaml"]))
        #expect(result.failed.map(\.name) == ["kube-apiserver-rke2-server"])
    }
}

/// C-0059: the controller's ConfigMap (named by `--configmap`) mitigates; other images are not judged.
@Suite struct IngressNginxMitigationParityTests {
    static func controller(_ image: String, setting: String?) -> String {
        var yaml = Manifest.workload(name: "ingress-nginx-controller", namespace: "ingress-nginx", labels: "app: ingress-nginx", podSpec: """
            containers:
            - name: controller
              image: '\(image)'
              args: [/nginx-ingress-controller, '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller']
            """)
        if let setting {
            yaml += "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\ndata: {allow-snippet-annotations: '\(setting)'}\n"
        }
        return yaml
    }

    @Test func configMapDisablingSnippetsPasses() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.ingressNginxSnippetCVE, Self.controller("registry.k8s.io/ingress-nginx/controller:v1.1.0", setting: "false"))
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty)
    }

    @Test(arguments: [Optional("true"), nil])
    func configMapAllowingOrSilentFails(setting: String?) throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.ingressNginxSnippetCVE, Self.controller("registry.k8s.io/ingress-nginx/controller:v1.1.0", setting: setting))
        #expect(result.failed.map(\.name) == ["ingress-nginx-controller"])
    }

    /// NGINX Inc's controller, look-alike names and references that do not parse are not ingress-nginx.
    @Test(arguments: [
        "nginx/nginx-ingress:1.12.0", "registry.example/ingress-nginx-controller-helper:v1.0.0",
        "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.0", "Registry.k8s.io/ingress-nginx/CONTROLLER:v1.0.0",
    ])
    func otherImagesAreNotJudged(image: String) throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.ingressNginxSnippetCVE, Self.controller(image, setting: nil))
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty)
    }
}
