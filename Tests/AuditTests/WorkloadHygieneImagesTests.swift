@testable import Audit
import Inventory
import Testing

@Suite struct ImageReferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var registry: String
        var repository: String
        var tag: String?
        var digest: String?
        var testDescription: String { text }
    }

    static let digest = "sha256:" + String(repeating: "a", count: 64)

    @Test(arguments: [
        Case(text: "nginx", registry: "docker.io", repository: "library/nginx"),
        Case(text: "nginx:1.25", registry: "docker.io", repository: "library/nginx", tag: "1.25"),
        Case(text: "localhost:5000/a/b:1", registry: "localhost:5000", repository: "a/b", tag: "1"),
        Case(text: "localhost/app", registry: "localhost", repository: "app"),
        Case(text: "registry:5000/app", registry: "registry:5000", repository: "app"),
        Case(text: "nginx@\(ImageReferenceTests.digest)", registry: "docker.io", repository: "library/nginx", digest: ImageReferenceTests.digest),
        Case(text: "a/b:c@\(ImageReferenceTests.digest)", registry: "docker.io", repository: "a/b", tag: "c", digest: ImageReferenceTests.digest),
        Case(text: "index.docker.io/library/redis:7", registry: "docker.io", repository: "library/redis", tag: "7"),
        Case(text: "quay.io/argoproj/argocd:v2.2.3", registry: "quay.io", repository: "argoproj/argocd", tag: "v2.2.3"),
        Case(text: "registry.k8s.io/ingress-nginx/controller:v1.9.4@\(ImageReferenceTests.digest)", registry: "registry.k8s.io",
             repository: "ingress-nginx/controller", tag: "v1.9.4", digest: ImageReferenceTests.digest),
        Case(text: "bitnami/redis", registry: "docker.io", repository: "bitnami/redis"),
        Case(text: "Example.com/team/app:Latest_1", registry: "Example.com", repository: "team/app", tag: "Latest_1"),
    ])
    func parses(_ expected: Case) throws {
        let reference = try #require(ImageReference(expected.text))
        #expect(reference.registry == expected.registry)
        #expect(reference.repository == expected.repository)
        #expect(reference.tag == expected.tag)
        #expect(reference.digest == expected.digest)
    }

    @Test(arguments: ["", "nginx:", "nginx@", "nginx@sha256:", "a//b", "/nginx", "nginx/", "my image", "team/App", "a/b:c:d", "nginx:-x", "a@b@c"])
    func rejects(text: String) {
        #expect(ImageReference(text) == nil)
    }

    @Test func normalizesAndNamesTheImage() throws {
        let reference = try #require(ImageReference("nginx:1.25"))
        #expect(reference.name == "docker.io/library/nginx")
        #expect(reference.description == "docker.io/library/nginx:1.25")
        #expect(reference.imageName == "nginx")
    }
}

@Suite struct ImagePullPolicyOnLatestTagTests {
    let control = WorkloadHygieneControls.imagePullPolicyOnLatestTag

    @Test func failsLatestWithIfNotPresent() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.container(image: "nginx:latest", pullPolicy: "IfNotPresent")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.template.spec.containers[0].imagePullPolicy=IfNotPresent with spec.template.spec.containers[0].image=nginx:latest: tag latest",
        ])
    }

    @Test func passesLatestWithAlwaysAndVersionWithIfNotPresent() {
        let snapshot = Fixture.snapshot {
            $0.pods = [
                Fixture.pod("always", containers: [HygieneFixture.container(image: "nginx:latest", pullPolicy: "Always")]),
                Fixture.pod("pinned", containers: [HygieneFixture.container(image: "nginx:1.27", pullPolicy: "IfNotPresent")]),
                Fixture.pod("defaulted", containers: [HygieneFixture.container(image: "nginx")]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 3)
    }

    /// Untagged images and configured floating tags fail; a digest pins the image whatever its tag.
    @Test func untaggedFloatingTagsAndDigests() {
        var config = ControlsConfig()
        config.floatingImageTags = ["stable"]
        var pod = Fixture.pod("p", containers: [
            HygieneFixture.container("a", image: "nginx", pullPolicy: "Never"),
            HygieneFixture.container("b", image: "nginx:stable", pullPolicy: "IfNotPresent"),
            HygieneFixture.container("c", image: "nginx:latest@\(ImageReferenceTests.digest)", pullPolicy: "IfNotPresent"),
        ])
        pod.spec.initContainers = [HygieneFixture.container("init", image: "busybox", pullPolicy: "IfNotPresent")]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] }, config: config)
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].imagePullPolicy=Never with spec.containers[0].image=nginx: no tag (resolves to latest)",
            "spec.containers[1].imagePullPolicy=IfNotPresent with spec.containers[1].image=nginx:stable: floating tag stable (floatingImageTags)",
            "spec.initContainers[0].imagePullPolicy=IfNotPresent with spec.initContainers[0].image=busybox: no tag (resolves to latest)",
        ])
    }
}

@Suite struct ImagesFromAllowedRegistryTests {
    let control = WorkloadHygieneControls.imagesFromAllowedRegistry

    var config: ControlsConfig {
        var config = ControlsConfig()
        config.imageRepositoryAllowList = ["registry.example.com", "docker.io/library/"]
        return config
    }

    @Test func failsImageFromOtherRegistry() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.image("quay.io/evil/miner:1")])]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.template.spec.containers[0].image=quay.io/evil/miner:1 (quay.io/evil/miner) matches no imageRepositoryAllowList entry",
        ])
    }

    /// Docker Hub official images normalize to docker.io/library/, which the list allows.
    @Test func passesAllowedRegistriesIncludingNormalizedDockerHub() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("registry.example.com/app:1"), HygieneFixture.image("nginx:1.27", "b")])]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A prefix must end at a path boundary: registry.example.com does not allow registry.example.com.evil.io.
    @Test func matchesAtPathBoundaryOnly() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("registry.example.com.evil.io/app:1")])]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].image=registry.example.com.evil.io/app:1 (registry.example.com.evil.io/app) matches no imageRepositoryAllowList entry",
        ])
    }

    @Test func skippedWithoutAllowList() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("nginx")])] }
        #expect(Fixture.run(control, on: snapshot).skipped == "needs imageRepositoryAllowList in controls-config")
    }
}

@Suite struct DeprecatedKubernetesRegistryTests {
    let control = WorkloadHygieneControls.deprecatedKubernetesRegistry

    @Test func failsK8sGcrIo() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("k8s.gcr.io/pause:3.2")])] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == ["spec.containers[0].image=k8s.gcr.io/pause:3.2 comes from k8s.gcr.io"])
    }

    @Test func passesRegistryK8sIo() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("registry.k8s.io/pause:3.9")])] }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// Only the registry counts: a Docker Hub repository named after it does not fail.
    @Test func matchesTheRegistryNotASubstring() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("mirror/k8s.gcr.io-pause:3.2"), HygieneFixture.image("k8s.gcr.io/ingress-nginx/controller:v1.1.1", "b")])]
        }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == [
            "spec.containers[1].image=k8s.gcr.io/ingress-nginx/controller:v1.1.1 comes from k8s.gcr.io",
        ])
    }
}

@Suite struct ImagesNotPinnedToDigestTests {
    let control = WorkloadHygieneControls.imagesNotPinnedToDigest

    @Test func failsTaggedImage() {
        let snapshot = Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.image("nginx:1.27")])] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].image=nginx:1.27 has no digest"])
    }

    @Test func passesDigestPinnedImages() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("nginx:1.27@\(ImageReferenceTests.digest)")])]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    @Test func reportsUnparsableReference() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("nginx:")])] }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == ["spec.containers[0].image=nginx: is not a valid image reference"])
    }
}

@Suite struct ImageSignatureTests {
    @Test func verifyImageSignatureIsSkippedWithReason() {
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.image("nginx")])] }
        #expect(Fixture.run(WorkloadHygieneControls.verifyImageSignature, on: snapshot).skipped
            == "needs registry access and the signing keys to verify image signatures; Lookout reads only the Kubernetes API")
    }

    @Test func checkSignatureExistsIsSkippedWithReason() {
        #expect(Fixture.run(WorkloadHygieneControls.checkSignatureExists, on: Fixture.snapshot { _ in }).skipped
            == "needs registry access to look up image signatures; Lookout reads only the Kubernetes API")
    }
}

@Suite struct IngressNginxEndOfLifeTests {
    let control = WorkloadHygieneControls.ingressNginxEndOfLife

    @Test func failsCommunityController() {
        var daemonSet = DaemonSet(
            metadata: Fixture.meta("ingress-nginx-controller", namespace: "ingress-nginx"),
            spec: DaemonSet.Spec(template: PodTemplate(spec: PodSpec(containers: [HygieneFixture.image("registry.k8s.io/ingress-nginx/controller:v1.11.2")]))))
        daemonSet.status = nil
        let result = Fixture.run(control, on: Fixture.snapshot { $0.daemonSets = [daemonSet] })
        #expect(result.failed == [ResourceRef(apiVersion: "apps/v1", kind: "DaemonSet", namespace: "ingress-nginx", name: "ingress-nginx-controller")])
        #expect(HygieneFixture.evidence(result) == [
            "spec.template.spec.containers[0].image=registry.k8s.io/ingress-nginx/controller:v1.11.2 is the community ingress-nginx controller",
        ])
    }

    @Test func passesNginxIncController() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("ingress", containers: [HygieneFixture.image("nginx/nginx-ingress:3.4.0")])]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// The old image name counts; the project's webhook certificate job image does not.
    @Test func matchesOldControllerNameButNotCertgen() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("old", containers: [HygieneFixture.image("quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.26.1")])]
            $0.jobs = [HygieneFixture.job("admission-create", containers: [HygieneFixture.image("registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["old"])
        #expect(result.all.count == 2)
    }
}
