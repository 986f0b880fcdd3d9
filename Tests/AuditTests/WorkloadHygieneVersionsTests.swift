@testable import Audit
import Inventory
import Testing

@Suite struct SemanticVersionTests {
    @Test(arguments: [
        ("v1.21.2", 1, 21, 2, true), ("1.6.0", 1, 6, 0, true), ("v1.21.2-eks-0389ca3", 1, 21, 2, true),
        ("v1.28.3+k3s1", 1, 28, 3, true), ("9.2.3-ubuntu", 9, 2, 3, true), ("1.6.6-0ubuntu1~22.04.1", 1, 6, 6, true),
        ("v1.27.8-gke.1067004", 1, 27, 8, true), ("9.2", 9, 2, 0, false), ("V2", 2, 0, 0, false), ("1.0.0-rc.1", 1, 0, 0, true),
    ] as [(text: String, major: Int, minor: Int, patch: Int, complete: Bool)])
    func parses(_ example: (text: String, major: Int, minor: Int, patch: Int, complete: Bool)) throws {
        let version = try #require(SemanticVersion(example.text))
        #expect(version.major == example.major && version.minor == example.minor && version.patch == example.patch)
        #expect(version.isComplete == example.complete)
    }

    @Test(arguments: ["", "v", "latest", "1.2.3.4", "1..2", "1.2.", "v1.2.3a", "stable-1.2", "99999999999999999999.1.1", ".1"])
    func rejects(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test func comparesNumericallyIgnoringSuffixes() throws {
        #expect(SemanticVersion(1, 9, 0) < SemanticVersion(1, 19, 0))
        #expect(SemanticVersion(1, 20, 10) < SemanticVersion(1, 20, 11))
        #expect(try #require(SemanticVersion("v1.21.4-eks-1")) == SemanticVersion(1, 21, 4))
        #expect(try #require(SemanticVersion("9.2")) == SemanticVersion(9, 2, 0))
        let affected = [SemanticVersion(0, 0, 0)..<SemanticVersion(2, 1, 9), SemanticVersion(2, 2, 0)..<SemanticVersion(2, 2, 4)]
        #expect(SemanticVersion(2, 1, 8).isIn(affected))
        #expect(!SemanticVersion(2, 1, 9).isIn(affected))
        #expect(SemanticVersion(2, 2, 3).isIn(affected))
        #expect(!SemanticVersion(2, 2, 4).isIn(affected))
        #expect(!SemanticVersion(2, 3, 0).isIn(affected))
    }
}

@Suite struct SubPathSymlinkCVETests {
    let control = WorkloadHygieneControls.subPathSymlinkCVE

    func subPathPod(_ name: String) -> Pod {
        var container = Fixture.container()
        var mount = VolumeMount(name: "data", mountPath: "/data")
        mount.subPath = "app"
        container.volumeMounts = [mount]
        return Fixture.pod(name, containers: [container])
    }

    @Test func failsSubPathWithAffectedKubelet() {
        let snapshot = Fixture.snapshot {
            $0.nodes = [HygieneFixture.node("n1", kubelet: "v1.21.2-eks-0389ca3"), HygieneFixture.node("n2", kubelet: "v1.21.5")]
            $0.pods = [subPathPod("p")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].volumeMounts[0].subPath=app", "kubelet v1.21.2-eks-0389ca3 is affected by CVE-2021-25741",
        ])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "Node", name: "n1")])
    }

    @Test func passesWithFixedKubelets() {
        let snapshot = Fixture.snapshot {
            $0.nodes = [HygieneFixture.node("n1", kubelet: "v1.22.2"), HygieneFixture.node("n2", kubelet: "v1.19.15")]
            $0.pods = [subPathPod("p")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// v1.9.0 is older than v1.19.14 (a string comparison says otherwise); workloads without subPath pass.
    @Test func comparesVersionsNumericallyAndNeedsSubPath() {
        var pod = subPathPod("expr")
        pod.spec.containers[0].volumeMounts?[0].subPath = nil
        pod.spec.containers[0].volumeMounts?[0].subPathExpr = "$(POD_NAME)"
        let snapshot = Fixture.snapshot {
            $0.nodes = [HygieneFixture.node("old", kubelet: "v1.9.0")]
            $0.pods = [pod, Fixture.pod("plain", containers: [Fixture.container()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["expr"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].volumeMounts[0].subPathExpr=$(POD_NAME)", "kubelet v1.9.0 is affected by CVE-2021-25741",
        ])
    }

    @Test func skippedWhenNodesForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.nodes)
        snapshot.errors = [CollectionError(resource: "nodes", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: nodes")
    }
}

@Suite struct IngressNginxSnippetCVETests {
    let control = WorkloadHygieneControls.ingressNginxSnippetCVE

    func controller(_ tag: String, configMap: String? = "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller") -> Deployment {
        var container = HygieneFixture.image("registry.k8s.io/ingress-nginx/controller:\(tag)", "controller")
        container.args = ["/nginx-ingress-controller"] + (configMap.map { [$0] } ?? [])
        return HygieneFixture.deployment("ingress-nginx-controller", namespace: "ingress-nginx", containers: [container])
    }

    func settings(_ value: String) -> ConfigMap {
        HygieneFixture.configMap("ingress-nginx-controller", namespace: "ingress-nginx", data: ["allow-snippet-annotations": value])
    }

    @Test func failsVersionWithoutTheOptionWhateverTheConfigMap() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [controller("v0.49.0")]
            $0.configMaps = [settings("false")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["ingress-nginx-controller"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.template.spec.containers[0].image=registry.k8s.io/ingress-nginx/controller:v0.49.0: ingress-nginx 0.49.0 cannot disable snippet annotations (fixed in v0.49.1 and v1.0.1)",
        ])
    }

    @Test func passesFixedVersionWithSnippetsDisabled() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [controller("v1.5.1")]
            $0.configMaps = [settings("false")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Before v1.9 snippets are allowed unless the ConfigMap says otherwise; from v1.9 they are not,
    /// unless it turns them on.
    @Test func followsTheDefaultAndTheControllersConfigMap() {
        let unset = Fixture.snapshot { $0.deployments = [controller("v1.8.4")] }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: unset)) == [
            "spec.template.spec.containers[0].image=registry.k8s.io/ingress-nginx/controller:v1.8.4: ConfigMap ingress-nginx/ingress-nginx-controller does not exist, and allow-snippet-annotations defaults to true in 1.8.4",
        ])
        let modern = Fixture.snapshot { $0.deployments = [controller("v1.9.0", configMap: nil)] }
        #expect(Fixture.run(control, on: modern).failed.isEmpty)
        let enabled = Fixture.snapshot {
            $0.deployments = [controller("v1.11.2")]
            $0.configMaps = [settings("True")]
        }
        let result = Fixture.run(control, on: enabled)
        #expect(HygieneFixture.evidence(result) == [
            "spec.template.spec.containers[0].image=registry.k8s.io/ingress-nginx/controller:v1.11.2: ConfigMap ingress-nginx/ingress-nginx-controller data.allow-snippet-annotations=True",
        ])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "ConfigMap", namespace: "ingress-nginx", name: "ingress-nginx-controller")])
    }

    @Test func unreadableConfigMapsAreNamedInEvidence() {
        var snapshot = Fixture.snapshot { $0.deployments = [controller("v1.2.0")] }
        snapshot.collected.remove(.configmaps)
        snapshot.errors = [CollectionError(resource: "configmaps", reason: "forbidden", message: "no")]
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == [
            "spec.template.spec.containers[0].image=registry.k8s.io/ingress-nginx/controller:v1.2.0: ConfigMap ingress-nginx/ingress-nginx-controller could not be read (forbidden: configmaps), and allow-snippet-annotations defaults to true in 1.2.0",
        ])
    }
}

@Suite struct LinuxKernelContainerEscapeCVETests {
    @Test func skippedWithReason() {
        let snapshot = Fixture.snapshot { $0.nodes = [HygieneFixture.node("n1", kubelet: "v1.30.0")] }
        #expect(Fixture.run(WorkloadHygieneControls.linuxKernelContainerEscapeCVE, on: snapshot).skipped
            == "needs the host sensor's kernel variables (unprivileged_userns_clone), which the Kubernetes API does not expose")
    }
}

/// C-0081, C-0090 and C-0091 share one rule: an affected version in the image tag.
@Suite struct VulnerableImageCVETests {
    struct Case: Sendable, CustomTestStringConvertible {
        var control: Control
        var affected: String
        var fixed: String
        var line: String
        var testDescription: String { control.id }
    }

    static let cases = [
        Case(control: WorkloadHygieneControls.argoCDDirectoryTraversalCVE, affected: "quay.io/argoproj/argocd:v2.2.3", fixed: "quay.io/argoproj/argocd:v2.2.4",
             line: "Argo CD 2.2.3 is affected by CVE-2022-24348 (fixed in v2.1.9, v2.2.4)"),
        Case(control: WorkloadHygieneControls.grafanaAuthBypassCVE, affected: "grafana/grafana:9.2.3-ubuntu", fixed: "grafana/grafana:9.2.4",
             line: "Grafana 9.2.3 is affected by CVE-2022-39328 (fixed in 9.2.4)"),
        Case(control: WorkloadHygieneControls.kyvernoSignatureBypassCVE, affected: "ghcr.io/kyverno/kyverno:v1.8.3", fixed: "ghcr.io/kyverno/kyverno:v1.8.5",
             line: "Kyverno 1.8.3 is affected by CVE-2022-47633 (fixed in v1.8.5)"),
    ]

    @Test(arguments: VulnerableImageCVETests.cases)
    func failsAffectedImage(_ test: Case) {
        let snapshot = Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("tool", containers: [HygieneFixture.image(test.affected)])] }
        let result = Fixture.run(test.control, on: snapshot)
        #expect(result.failed.map(\.name) == ["tool"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].image=\(test.affected): \(test.line)"])
    }

    @Test(arguments: VulnerableImageCVETests.cases)
    func passesFixedImage(_ test: Case) {
        let snapshot = Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("tool", containers: [HygieneFixture.image(test.fixed)])] }
        let result = Fixture.run(test.control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A StatefulSet counts (Kubescape checks Deployments only); a digest-only or incomplete tag
    /// names no version and passes.
    @Test(arguments: VulnerableImageCVETests.cases)
    func checksEveryKindAndNeedsAVersion(_ test: Case) {
        let repository = test.affected.split(separator: ":").dropLast().joined(separator: ":")
        let tag = test.affected.split(separator: ":").last.map(String.init) ?? ""
        let partial = tag.split(separator: ".").prefix(2).joined(separator: ".")
        let snapshot = Fixture.snapshot {
            $0.statefulSets = [StatefulSet(metadata: Fixture.meta("set"), spec: ReplicatedWorkloadSpec(template: PodTemplate(spec: PodSpec(containers: [HygieneFixture.image(test.affected)]))))]
            $0.pods = [
                Fixture.pod("digest", containers: [HygieneFixture.image("\(repository)@\(ImageReferenceTests.digest)")]),
                Fixture.pod("partial", containers: [HygieneFixture.image("\(repository):\(partial)")]),
            ]
        }
        let result = Fixture.run(test.control, on: snapshot)
        #expect(result.failed.map(\.name) == ["set"])
    }

    @Test func argoCDBefore219IsAffected() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("quay.io/argoproj/argocd:v1.8.7")])] }
        #expect(Fixture.run(WorkloadHygieneControls.argoCDDirectoryTraversalCVE, on: snapshot).failed.map(\.name) == ["p"])
    }
}

@Suite struct ContainerdFilesystemEscapeCVETests {
    let control = WorkloadHygieneControls.containerdFilesystemEscapeCVE

    @Test func failsAffectedContainerd() {
        let snapshot = Fixture.snapshot { $0.nodes = [HygieneFixture.node("n1", runtime: "containerd://1.6.0"), HygieneFixture.node("n2", runtime: "containerd://1.6.1")] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Node", namespace: nil, name: "n1")])
        #expect(HygieneFixture.evidence(result) == ["status.nodeInfo.containerRuntimeVersion=containerd://1.6.0"])
    }

    @Test func passesFixedContainerdAndOtherRuntimes() {
        let snapshot = Fixture.snapshot {
            $0.nodes = [
                HygieneFixture.node("a", runtime: "containerd://1.5.10"), HygieneFixture.node("b", runtime: "containerd://1.4.12"),
                HygieneFixture.node("c", runtime: "cri-o://1.20.0"), HygieneFixture.node("d", runtime: "docker://19.3.1"),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 4)
    }

    /// Nodes that report no runtime are not judged; when none reports one the control is skipped.
    @Test func nodesWithoutRuntimeVersion() {
        let mixed = Fixture.snapshot { $0.nodes = [HygieneFixture.node("bare"), HygieneFixture.node("old", runtime: "containerd://1.3.9-k3s1")] }
        let result = Fixture.run(control, on: mixed)
        #expect(result.all.map(\.name) == ["old"])
        #expect(result.failed.map(\.name) == ["old"])
        let bare = Fixture.snapshot { $0.nodes = [HygieneFixture.node("bare")] }
        #expect(Fixture.run(control, on: bare).skipped == "no Node reports status.nodeInfo.containerRuntimeVersion")
    }
}

@Suite struct AggregatedAPIServerRedirectCVETests {
    let control = WorkloadHygieneControls.aggregatedAPIServerRedirectCVE

    func snapshot(version: String?) throws -> ClusterSnapshot {
        let services = try [
            HygieneFixture.apiService("v1beta1.metrics.k8s.io", service: ("kube-system", "metrics-server")),
            HygieneFixture.apiService("v1.apps", service: nil),
        ]
        var snapshot = Fixture.snapshot { $0.apiServices = services }
        snapshot.cluster.version = version
        return snapshot
    }

    @Test func failsServiceBackedAPIOnAffectedVersion() throws {
        let result = try Fixture.run(control, on: snapshot(version: "v1.24.3"))
        #expect(result.failed == [ResourceRef(apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", namespace: nil, name: "v1beta1.metrics.k8s.io")])
        #expect(HygieneFixture.evidence(result) == ["spec.service=kube-system/metrics-server", "kube-apiserver v1.24.3 is affected by CVE-2022-3172"])
        #expect(result.verdicts.compactMap(\.failure).first?.related == [RelatedObject(kind: "Service", namespace: "kube-system", name: "metrics-server")])
        #expect(result.all.count == 2)
    }

    @Test func passesFixedVersion() throws {
        let result = try Fixture.run(control, on: snapshot(version: "v1.24.5"))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// An unknown version is treated as affected, as Kubescape does.
    @Test func unknownVersionIsAffected() throws {
        let result = try Fixture.run(control, on: snapshot(version: nil))
        #expect(HygieneFixture.evidence(result) == ["spec.service=kube-system/metrics-server", "kube-apiserver version unknown (not reported): treated as affected"])
    }
}

@Suite struct OutdatedKubernetesVersionTests {
    let control = WorkloadHygieneControls.outdatedKubernetesVersion

    @Test func failsUnsupportedMinor() {
        let snapshot = Fixture.snapshot { $0.nodes = [HygieneFixture.node("old", kubelet: "v1.30.2"), HygieneFixture.node("new", kubelet: "v1.35.1")] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["old"])
        #expect(HygieneFixture.evidence(result) == ["status.nodeInfo.kubeletVersion=v1.30.2"])
    }

    @Test func passesSupportedMinorsWithVendorSuffixes() {
        let snapshot = Fixture.snapshot {
            $0.nodes = [HygieneFixture.node("a", kubelet: "v1.34.0-eks-1"), HygieneFixture.node("b", kubelet: "v1.36.2+k3s1")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// "v1.340.0" is not v1.34 (a prefix test says it is), and an unparsable version fails.
    @Test func comparesMinorsNotPrefixes() {
        let snapshot = Fixture.snapshot { $0.nodes = [HygieneFixture.node("a", kubelet: "v1.340.0"), HygieneFixture.node("b", kubelet: "unknown")] }
        #expect(Fixture.run(control, on: snapshot).failed.map(\.name) == ["a", "b"])
    }
}
