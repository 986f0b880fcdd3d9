@testable import Audit
import Inventory
import Testing

@Suite struct ServiceWithNoWorkloadTests {
    let control = WorkloadHygieneControls.serviceWithNoWorkload

    @Test func failsServiceSelectingNothing() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "web"])]
            $0.services = [HygieneFixture.service("api", selector: ["tier": "api", "app": "shop"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Service", namespace: "apps", name: "api")])
        #expect(HygieneFixture.evidence(result) == ["spec.selector (app=shop, tier=api) matches no workload's pod labels in namespace apps"])
    }

    @Test func passesServiceSelectingAWorkload() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "web", "tier": "fe"])]
            $0.services = [HygieneFixture.service("web", selector: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A Service without selector is not meant to select pods; a matching workload in another
    /// namespace does not count.
    @Test func selectorlessPassesAndNamespacesDoNotMix() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", namespace: "other", containers: [Fixture.container()], podLabels: ["app": "web"])]
            $0.services = [HygieneFixture.service("external", selector: nil), HygieneFixture.service("web", selector: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(result.all.count == 2)
    }
}

@Suite struct DeprecatedServiceAccountFieldTests {
    let control = WorkloadHygieneControls.deprecatedServiceAccountField

    @Test func failsDeprecatedFieldAlone() {
        var deployment = HygieneFixture.deployment("web", containers: [Fixture.container()])
        deployment.spec.template.spec.serviceAccount = "builder"
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [deployment] })
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.serviceAccount=builder without spec.template.spec.serviceAccountName"])
    }

    /// The API server mirrors serviceAccountName into serviceAccount: that alone is not a finding.
    @Test func passesServerMirroredField() {
        var pod = Fixture.pod("p", containers: [Fixture.container()])
        pod.spec.serviceAccountName = "builder"
        pod.spec.serviceAccount = "builder"
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// kubectl's last-applied annotation shows what the author wrote, even when the server mirrored it.
    @Test func readsLastAppliedConfiguration() {
        var written = HygieneFixture.deployment("written", containers: [Fixture.container()])
        written.spec.template.spec.serviceAccountName = "builder"
        written.spec.template.spec.serviceAccount = "builder"
        written.metadata.annotations = [
            "kubectl.kubernetes.io/last-applied-configuration":
                #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"serviceAccount":"builder","containers":[{"name":"app"}]}}}}"#,
        ]
        var modern = written
        modern.metadata.name = "modern"
        modern.metadata.annotations = [
            "kubectl.kubernetes.io/last-applied-configuration": #"{"spec":{"template":{"spec":{"serviceAccountName":"builder"}}}}"#,
        ]
        var garbled = written
        garbled.metadata.name = "garbled"
        garbled.metadata.annotations = ["kubectl.kubernetes.io/last-applied-configuration": "{not json"]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [written, modern, garbled] })
        #expect(result.failed.map(\.name) == ["written"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.serviceAccount=builder in the kubectl.kubernetes.io/last-applied-configuration annotation"])
    }
}

@Suite struct DuplicateEnvironmentVariableTests {
    let control = WorkloadHygieneControls.duplicateEnvironmentVariable

    @Test func failsDuplicatedName() {
        var container = Fixture.container()
        container.env = [EnvVar(name: "LOG_LEVEL", value: "info"), EnvVar(name: "PORT", value: "80"), EnvVar(name: "LOG_LEVEL", value: "debug")]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("web", containers: [container])] })
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].env[2].name=LOG_LEVEL duplicates env[0]"])
    }

    @Test func passesDistinctNamesAndSameNameInTwoContainers() {
        var first = Fixture.container("a")
        first.env = [EnvVar(name: "PORT", value: "80")]
        var second = Fixture.container("b")
        second.env = [EnvVar(name: "PORT", value: "81")]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [first, second])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    @Test func checksInitContainersAndReportsEveryRepeat() {
        var pod = Fixture.pod("p", containers: [Fixture.container()])
        var initContainer = Fixture.container("init")
        initContainer.env = [EnvVar(name: "A"), EnvVar(name: "A"), EnvVar(name: "A")]
        pod.spec.initContainers = [initContainer]
        #expect(HygieneFixture.evidence(Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })) == [
            "spec.initContainers[0].env[1].name=A duplicates env[0]", "spec.initContainers[0].env[2].name=A duplicates env[0]",
        ])
    }
}

@Suite struct MismatchingSelectorTests {
    let control = WorkloadHygieneControls.mismatchingSelector

    @Test func failsMatchLabelsMismatch() {
        var deployment = HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "api"])
        deployment.spec.selector = LabelSelector(matchLabels: ["app": "web", "tier": "fe"])
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [deployment] })
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.selector.matchLabels.app=web but spec.template.metadata.labels.app=api",
            "spec.selector.matchLabels.tier=fe but spec.template.metadata.labels has no tier",
        ])
    }

    /// Pods and CronJobs have no selector and are not evaluated.
    @Test func passesMatchingSelector() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])]
            $0.pods = [Fixture.pod("p", containers: [Fixture.container()])]
            $0.cronJobs = [HygieneFixture.cronJob("c", containers: [Fixture.container()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.kind) == ["Deployment"])
    }

    @Test func evaluatesMatchExpressions() {
        var matching = HygieneFixture.deployment("ok", containers: [Fixture.container()], podLabels: ["app": "web", "tier": "fe"])
        matching.spec.selector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "In", values: ["fe", "be"])])
        var failing = HygieneFixture.deployment("bad", containers: [Fixture.container()], podLabels: ["app": "web", "tier": "db"])
        failing.spec.selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "In", values: ["fe", "be"])])
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [matching, failing] })
        #expect(result.failed.map(\.name) == ["bad"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.selector.matchExpressions[0] (tier in (fe, be)) does not match: spec.template.metadata.labels.tier=db",
        ])
    }
}

@Suite struct DanglingIngressBackendTests {
    let control = WorkloadHygieneControls.danglingIngressBackend

    @Test func failsBackendWithoutService() {
        let ingress = Ingress(
            metadata: Fixture.meta("shop"),
            spec: Ingress.Spec(rules: [Ingress.Rule(host: "shop.example", http: Ingress.HTTPRule(paths: [
                Ingress.Path(path: "/", backend: IngressBackend(serviceName: "web")),
                Ingress.Path(path: "/api", backend: IngressBackend(serviceName: "api")),
            ]))]))
        let snapshot = Fixture.snapshot {
            $0.ingresses = [ingress]
            $0.services = [HygieneFixture.service("web", selector: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: "apps", name: "shop")])
        #expect(HygieneFixture.evidence(result) == ["spec.rules[0].http.paths[1].backend.service.name=api: no Service api in namespace apps"])
    }

    @Test func passesExistingBackends() {
        let snapshot = Fixture.snapshot {
            $0.ingresses = [Ingress(metadata: Fixture.meta("shop"), spec: Ingress.Spec(defaultBackend: IngressBackend(serviceName: "web")))]
            $0.services = [HygieneFixture.service("web", selector: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The v1beta1 `backend.serviceName` shape, and a Service of that name in another namespace does not count.
    @Test func readsV1beta1BackendInItsOwnNamespace() throws {
        let ingress = try HygieneFixture.decode(Ingress.self, #"{"metadata": {"name": "old", "namespace": "apps"}, "spec": {"backend": {"serviceName": "web", "servicePort": 80}}}"#)
        let snapshot = Fixture.snapshot {
            $0.ingresses = [ingress]
            $0.services = [HygieneFixture.service("web", namespace: "other", selector: ["app": "web"])]
        }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == ["spec.backend.serviceName=web: no Service web in namespace apps"])
    }
}

@Suite struct DanglingNetworkPolicyTests {
    let control = WorkloadHygieneControls.danglingNetworkPolicy

    @Test func failsPolicySelectingNothing() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "web"])]
            $0.networkPolicies = [NetworkPolicy(metadata: Fixture.meta("db-only"), spec: .init(podSelector: LabelSelector(matchLabels: ["app": "db"])))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: "apps", name: "db-only")])
        #expect(HygieneFixture.evidence(result) == ["spec.podSelector (app=db) matches no workload's pod labels in namespace apps"])
    }

    @Test func passesPolicySelectingAWorkloadAndEmptySelector() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "web"])]
            $0.networkPolicies = [
                NetworkPolicy(metadata: Fixture.meta("web"), spec: .init(podSelector: LabelSelector(matchLabels: ["app": "web"]))),
                NetworkPolicy(metadata: Fixture.meta("deny-all", namespace: "empty"), spec: .init()),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// A selector by expression is evaluated (Kubescape reports it as dangling).
    @Test func evaluatesMatchExpressions() {
        let selecting = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: "In", values: ["web", "api"])])
        let missing = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "canary", operator: "Exists")])
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()], podLabels: ["app": "web"])]
            $0.networkPolicies = [
                NetworkPolicy(metadata: Fixture.meta("by-expression"), spec: .init(podSelector: selecting)),
                NetworkPolicy(metadata: Fixture.meta("canary"), spec: .init(podSelector: missing)),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["canary"])
        #expect(HygieneFixture.evidence(result) == ["spec.podSelector (canary) matches no workload's pod labels in namespace apps"])
    }
}

@Suite struct DanglingHPATargetTests {
    let control = WorkloadHygieneControls.danglingHPATarget

    func autoscaler(_ name: String, kind: String, target: String) -> HorizontalPodAutoscaler {
        HorizontalPodAutoscaler(metadata: Fixture.meta(name), spec: .init(scaleTargetRef: .init(kind: kind, name: target)))
    }

    @Test func failsMissingTarget() {
        let snapshot = Fixture.snapshot { $0.horizontalPodAutoscalers = [autoscaler("web", kind: "Deployment", target: "web")] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "apps", name: "web")])
        #expect(HygieneFixture.evidence(result) == ["spec.scaleTargetRef=Deployment/web: no Deployment web in namespace apps"])
    }

    @Test func passesExistingTargets() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])]
            $0.statefulSets = [StatefulSet(metadata: Fixture.meta("db"), spec: ReplicatedWorkloadSpec(template: PodTemplate(spec: PodSpec(containers: []))))]
            $0.horizontalPodAutoscalers = [autoscaler("web", kind: "Deployment", target: "web"), autoscaler("db", kind: "StatefulSet", target: "db")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Targets of kinds Lookout does not read cannot be judged and are left out; the kind must match.
    @Test func unknownKindsLeftOutAndKindMatters() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])]
            $0.horizontalPodAutoscalers = [autoscaler("rollout", kind: "Rollout", target: "web"), autoscaler("sts", kind: "StatefulSet", target: "web")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all.map(\.name) == ["sts"])
        #expect(result.failed.map(\.name) == ["sts"])
    }
}

@Suite struct DanglingGatewayBackendTests {
    let control = WorkloadHygieneControls.danglingGatewayBackend

    func route(_ name: String, backends: [Route.Spec.BackendRef]) -> Route {
        Route(metadata: Fixture.meta(name), spec: Route.Spec(rules: [Route.Spec.Rule(backendRefs: backends)]))
    }

    @Test func failsMissingService() {
        let snapshot = Fixture.snapshot {
            $0.httpRoutes = [route("shop", backends: [.init(name: "web"), .init(name: "api")])]
            $0.services = [HygieneFixture.service("web", selector: ["app": "web"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "apps", name: "shop")])
        #expect(HygieneFixture.evidence(result) == ["spec.rules[0].backendRefs[1].name=api: no Service api in namespace apps"])
    }

    /// Cross-namespace backends resolve in their own namespace; non-Service backends are not checked.
    @Test func passesExistingAndNonServiceBackends() {
        var custom = Route.Spec.BackendRef(name: "bucket")
        custom.group = "storage.example.com"
        custom.kind = "Bucket"
        let snapshot = Fixture.snapshot {
            $0.tcpRoutes = [route("db", backends: [.init(name: "db", namespace: "data"), custom])]
            $0.services = [HygieneFixture.service("db", namespace: "data", selector: ["app": "db"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.kind) == ["TCPRoute"])
    }

    @Test func skippedWhenGatewayAPIIsNotServed() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.subtract(routeKinds)
        #expect(Fixture.run(control, on: snapshot).skipped == "Gateway API not served")
        snapshot.errors = [CollectionError(resource: "httproutes", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: httproutes")
    }

    /// A served route kind that could not be read skips the control: judging only the GRPCRoutes would
    /// pass with the HTTPRoutes unseen. With every kind readable, the same routes are judged.
    @Test func skippedWhenAServedRouteKindCannotBeRead() {
        var snapshot = Fixture.snapshot { $0.grpcRoutes = [route("rpc", backends: [.init(name: "gone")])] }
        #expect(Fixture.run(control, on: snapshot).failed.map(\.name) == ["rpc"])
        snapshot.grpcRoutes = [route("rpc", backends: [])]
        #expect(Fixture.run(control, on: snapshot).all.map(\.name) == ["rpc"])
        for reason in ["forbidden", CollectionError.failed] {
            var unread = snapshot
            unread.collected.remove(.httproutes)
            unread.errors = [CollectionError(resource: "httproutes", reason: reason, message: "no")]
            let result = Auditor.run([control], frameworks: [], in: AuditContext(snapshot: unread)).results[0]
            #expect(result.status == .skipped)
            #expect(result.skipReason == "\(reason): httproutes")
        }
    }

    /// Route kinds the cluster does not serve (the experimental channel's) are ignored, not skipped.
    @Test func evaluatesTheServedKindsOnly() {
        var snapshot = Fixture.snapshot { $0.httpRoutes = [route("shop", backends: [.init(name: "gone")])] }
        snapshot.collected.subtract([.tcproutes, .udproutes, .tlsroutes])
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["shop"])
    }
}

@Suite struct NoRollingUpdateStrategyTests {
    let control = WorkloadHygieneControls.noRollingUpdateStrategy

    @Test func failsRecreate() throws {
        var deployment = HygieneFixture.deployment("db", containers: [Fixture.container()])
        deployment.spec.strategy = try HygieneFixture.decode(DeploymentStrategy.self, #"{"type": "Recreate"}"#)
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [deployment] })
        #expect(result.failed.map(\.name) == ["db"])
        #expect(HygieneFixture.evidence(result) == ["spec.strategy.type=Recreate"])
    }

    @Test func passesRollingUpdateAndDefault() throws {
        var rolling = HygieneFixture.deployment("web", containers: [Fixture.container()])
        rolling.spec.strategy = try HygieneFixture.decode(DeploymentStrategy.self, #"{"type": "RollingUpdate"}"#)
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [rolling, HygieneFixture.deployment("api", containers: [Fixture.container()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Only Deployments have a strategy of this kind; other workloads are not resources of the control.
    @Test func evaluatesDeploymentsOnly() throws {
        var deployment = Fixture.deployment("db", replicas: 3, containers: [Fixture.container()])
        deployment.spec.strategy = try HygieneFixture.decode(DeploymentStrategy.self, #"{"type": "Recreate"}"#)
        let snapshot = Fixture.snapshot {
            $0.deployments = [deployment]
            $0.pods = [Fixture.pod("p", containers: [Fixture.container()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all.map(\.kind) == ["Deployment"])
        #expect(result.verdicts.first?.weight == 3 * 1.1)
    }
}

@Suite struct NonExistentServiceAccountTests {
    let control = WorkloadHygieneControls.nonExistentServiceAccount

    @Test func failsMissingAccount() {
        var deployment = HygieneFixture.deployment("build", containers: [Fixture.container()])
        deployment.spec.template.spec.serviceAccountName = "builder"
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [deployment] })
        #expect(result.failed.map(\.name) == ["build"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.serviceAccountName=builder: no ServiceAccount builder in namespace apps"])
    }

    @Test func passesExistingAccountAndUnnamedDefault() {
        var pod = Fixture.pod("p", containers: [Fixture.container()])
        pod.spec.serviceAccountName = "builder"
        let snapshot = Fixture.snapshot {
            $0.pods = [pod, Fixture.pod("q", containers: [Fixture.container()])]
            $0.serviceAccounts = [ServiceAccount(metadata: Fixture.meta("builder"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// The deprecated field names an account too, and an account of that name elsewhere does not count.
    @Test func readsDeprecatedFieldInItsNamespace() {
        var pod = Fixture.pod("p", containers: [Fixture.container()])
        pod.spec.serviceAccount = "builder"
        let snapshot = Fixture.snapshot {
            $0.pods = [pod]
            $0.serviceAccounts = [ServiceAccount(metadata: Fixture.meta("builder", namespace: "ci"))]
        }
        #expect(HygieneFixture.evidence(Fixture.run(control, on: snapshot)) == ["spec.serviceAccount=builder: no ServiceAccount builder in namespace apps"])
    }
}
