@testable import Audit
import Inventory
import Testing

@Suite struct PodsInDefaultNamespaceTests {
    let control = WorkloadHygieneControls.podsInDefaultNamespace

    @Test func failsWorkloadInDefault() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", namespace: "default", containers: [Fixture.container()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web")])
        #expect(HygieneFixture.evidence(result) == ["metadata.namespace=default"])
    }

    @Test func passesWorkloadElsewhere() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [Fixture.container()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// An object without a namespace (a manifest snapshot) is in `default`.
    @Test func missingNamespaceMeansDefault() {
        let pod = Pod(metadata: Fixture.meta("p", namespace: nil), spec: PodSpec(containers: [Fixture.container()]))
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "default", name: "p")])
    }
}

@Suite struct NakedPodsTests {
    let control = WorkloadHygieneControls.nakedPods

    @Test func failsPodWithoutOwner() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("debug", containers: [Fixture.container()])] })
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "apps", name: "debug")])
        #expect(HygieneFixture.evidence(result) == ["metadata.ownerReferences is empty"])
    }

    @Test func passesOwnedPod() {
        let pod = Fixture.pod("web-1", containers: [Fixture.container()], owner: OwnerReference(kind: "ReplicaSet", name: "web-abc"))
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Pods are judged directly: a Deployment's Pods appear even though workload controls report the
    /// Deployment, and a static pod's mirror (owned by its Node) passes.
    @Test func evaluatesEveryPodNotTheWorkloadView() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])]
            $0.pods = [
                Fixture.pod("web-1", containers: [Fixture.container()], owner: OwnerReference(kind: "ReplicaSet", name: "web-abc")),
                Fixture.pod("kube-apiserver-node1", namespace: "kube-system", containers: [Fixture.container()], owner: OwnerReference(kind: "Node", name: "node1")),
                Fixture.pod("naked", containers: [Fixture.container()]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all.map(\.name) == ["naked", "web-1", "kube-apiserver-node1"])
        #expect(result.failed.map(\.name) == ["naked"])
    }
}

@Suite struct LabelUsageTests {
    let control = WorkloadHygieneControls.labelUsage

    @Test func failsWorkloadAndTemplateWithoutRecommendedLabels() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], labels: ["team": "x"], podLabels: ["name": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == [
            "metadata.labels has none of app, tier, phase, version, owner, env",
            "spec.template.metadata.labels has none of app, tier, phase, version, owner, env",
        ])
    }

    @Test func passesWhenBothCarryOne() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], labels: ["owner": "team-web"], podLabels: ["app": "web"])]
            $0.pods = [Fixture.pod("p", containers: [Fixture.container()], labels: ["env": "prod"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Kubescape's rule: a labelled pod template does not excuse an unlabelled workload.
    @Test func reportsOnlyThePlaceThatLacksALabel() {
        let snapshot = Fixture.snapshot {
            $0.cronJobs = [{
                var cronJob = HygieneFixture.cronJob("nightly", containers: [Fixture.container()])
                cronJob.metadata.labels = ["app": "reports"]
                return cronJob
            }()]
        }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == [
            "spec.jobTemplate.spec.template.metadata.labels has none of app, tier, phase, version, owner, env",
        ])
    }
}

@Suite struct CommonLabelsUsageTests {
    let control = WorkloadHygieneControls.commonLabelsUsage

    @Test func failsWorkloadWithoutAppKubernetesIOLabels() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [Fixture.container()], labels: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result).count == 1)
        #expect(HygieneFixture.evidence(result).first?.hasPrefix("metadata.labels has none of app.kubernetes.io/name, app.kubernetes.io/instance") == true)
    }

    @Test func passesWithOneCommonLabelOnEach() {
        let labels = ["app.kubernetes.io/name": "web"]
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], labels: ["app.kubernetes.io/managed-by": "helm"], podLabels: labels)]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    @Test func readsTheListFromConfig() {
        var config = ControlsConfig()
        config.k8sRecommendedLabels = ["team"]
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], labels: ["team": "a"], podLabels: ["app.kubernetes.io/name": "web"])]
        }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot, config: config)) == ["spec.template.metadata.labels has none of team"])
    }
}

@Suite struct DefaultNamespaceUsedTests {
    let control = WorkloadHygieneControls.defaultNamespaceUsed

    @Test func failsObjectsOfEveryKindInDefault() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", namespace: "default", containers: [Fixture.container()])]
            $0.services = [HygieneFixture.service("web", namespace: "default", selector: ["app": "web"])]
            $0.roles = [Fixture.role("reader", namespace: "default", rules: [])]
            $0.roleBindings = [Fixture.roleBinding("reader", namespace: "default", role: "reader", subjects: [])]
            $0.configMaps = [HygieneFixture.configMap("settings", namespace: "default", data: [:])]
            $0.serviceAccounts = [ServiceAccount(metadata: Fixture.meta("builder", namespace: "default"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.kind) == ["ConfigMap", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"])
        #expect(result.verdicts.allSatisfy { $0.failure?.evidence == ["metadata.namespace=default"] })
    }

    @Test func passesObjectsElsewhere() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])]
            $0.configMaps = [HygieneFixture.configMap("settings", namespace: "apps", data: [:])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Objects Kubernetes creates in `default` itself pass.
    @Test func builtInObjectsPass() {
        let snapshot = Fixture.snapshot {
            $0.services = [HygieneFixture.service("kubernetes", namespace: "default", selector: nil)]
            $0.configMaps = [HygieneFixture.configMap("kube-root-ca.crt", namespace: "default", data: [:])]
            $0.serviceAccounts = [ServiceAccount(metadata: Fixture.meta("default", namespace: "default"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 3)
    }

    @Test func skippedWhenAKindIsForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.configmaps)
        snapshot.errors = [CollectionError(resource: "configmaps", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: configmaps")
    }
}

@Suite struct NamespaceBoundariesTests {
    let control = WorkloadHygieneControls.namespaceBoundaries

    @Test func listsEveryNamespaceForReview() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Namespace(metadata: Fixture.meta("shop", namespace: nil)), Namespace(metadata: Fixture.meta("kube-system", namespace: nil))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["kube-system", "shop"])
        #expect(result.verdicts.map { $0.failure?.evidence ?? [] } == [["namespace shop"], ["namespace kube-system"]])
        #expect(control.informational)
    }

    @Test func noNamespacesNoFindings() {
        let result = Fixture.run(control, on: Fixture.snapshot { _ in })
        #expect(result.skipped == nil)
        #expect(result.all.isEmpty)
    }

    @Test func skippedWhenNamespacesForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.namespaces)
        snapshot.errors = [CollectionError(resource: "namespaces", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: namespaces")
    }
}
