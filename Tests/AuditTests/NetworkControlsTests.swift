@testable import Audit
import Inventory
import Testing

private let web = Fixture.deployment("web", containers: [Fixture.container()])
private let webRef = ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web")
private let unselected = ["no NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy selects its pods"]

/// C-0054, C-0049 and C-0206 are one rule: each case runs on all three.
@Suite struct NamespaceSegmentationTests {
    static let controls = [
        NetworkControls.clusterInternalNetworking, NetworkControls.networkMapping, NetworkControls.allNamespacesHaveNetworkPolicies,
    ]

    @Test(arguments: NetFixture.cases(controls)) func failsNamespaceWithoutPolicy(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let snapshot = Fixture.snapshot {
            $0.namespaces = [NetFixture.namespace("open"), NetFixture.namespace("closed")]
            $0.networkPolicies = [NetFixture.policy("deny", namespace: "closed")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "open")])
        #expect(result.all.count == 2)
        #expect(NetFixture.evidence(result.verdicts) == ["no NetworkPolicy or CiliumNetworkPolicy in namespace open"])
    }

    /// A CiliumNetworkPolicy counts like a NetworkPolicy.
    @Test(arguments: NetFixture.cases(controls)) func passesNamespaceCoveredByCiliumPolicy(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let snapshot = Fixture.snapshot {
            $0.namespaces = [NetFixture.namespace("a")]
            $0.ciliumNetworkPolicies = [NetFixture.ciliumPolicy("l7", namespace: "a", selector: LabelSelector())]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// When Cilium policies exist but may not be listed, a namespace without NetworkPolicy might be covered:
    /// skipped with the collection error rather than failed.
    @Test(arguments: NetFixture.cases(controls)) func skippedWhenCiliumPoliciesForbidden(_ testCase: NetFixture.Case) {
        let control = testCase.control
        var snapshot = Fixture.snapshot { $0.namespaces = [NetFixture.namespace("a")] }
        NetFixture.forbid(.ciliumnetworkpolicies, in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: ciliumnetworkpolicies")
    }

    @Test func sharesMetadataWhereTheRuleIsShared() {
        #expect(Self.controls.map(\.reads) == Array(repeating: [.namespaces, .networkpolicies], count: 3))
        #expect(NetworkControls.allNamespacesHaveNetworkPolicies.frameworks == ["cis-v1.12.0"])
        #expect(NetworkControls.networkMapping.frameworks == ["ArmoBest"])
        #expect(NetworkControls.networkMapping.baseScore == 3)
    }
}

@Suite struct IngressAndEgressBlockedTests {
    let control = NetworkControls.ingressAndEgressBlocked

    @Test func failsWorkloadNoPolicySelects() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.networkPolicies = [NetFixture.policy("db", selector: LabelSelector(matchLabels: ["app": "db"]))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [webRef])
        #expect(NetFixture.evidence(result.verdicts) == unselected)
        #expect(result.verdicts.first?.failure?.message.contains("pod labels: app=web") == true)
    }

    /// The known trap: a policy that selects through matchExpressions counts; restricting Egress alone passes.
    @Test func passesWorkloadSelectedThroughMatchExpressions() {
        let selector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: "In", values: ["web", "api"])])
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.networkPolicies = [NetFixture.policy("egress", selector: selector, types: ["Egress"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [webRef])
    }

    /// Selected, but only by a policy with empty policyTypes and a Cilium policy without rules: both restrict
    /// nothing, so the workload fails with one evidence line per policy and the policies in `related`.
    @Test func failsWorkloadSelectedOnlyByPoliciesRestrictingNothing() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.networkPolicies = [NetFixture.policy("noop", types: [])]
            $0.ciliumClusterwideNetworkPolicies = [
                NetFixture.ciliumPolicy("audit", namespace: nil, selector: LabelSelector(matchLabels: ["app": "web"]), ingress: false)
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [webRef])
        #expect(NetFixture.evidence(result.verdicts) == [
            "NetworkPolicy apps/noop restricts neither ingress nor egress",
            "CiliumClusterwideNetworkPolicy audit restricts neither ingress nor egress",
        ])
        #expect(result.verdicts.first?.failure?.related == [
            RelatedObject(kind: "NetworkPolicy", namespace: "apps", name: "noop"),
            RelatedObject(kind: "CiliumClusterwideNetworkPolicy", name: "audit"),
        ])
    }

    /// A policy of another namespace never selects the workload, and NotIn excludes its label value.
    @Test func ignoresPoliciesOfOtherNamespacesAndExcludingExpressions() {
        let notWeb = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: "NotIn", values: ["web"])])
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.networkPolicies = [NetFixture.policy("elsewhere", namespace: "other"), NetFixture.policy("not-web", selector: notWeb)]
        }
        #expect(Fixture.run(control, on: snapshot).failed == [webRef])
    }
}

@Suite struct MissingNetworkPolicyTests {
    let control = NetworkControls.missingNetworkPolicy

    @Test func failsWorkloadWithoutPolicy() {
        let pod = Fixture.pod("naked", containers: [Fixture.container()], labels: ["app": "naked"])
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.pods = [pod]
            $0.networkPolicies = [NetFixture.policy("web", selector: LabelSelector(matchLabels: ["app": "web"]))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "apps", name: "naked")])
        #expect(result.all.count == 2)
        #expect(NetFixture.evidence(result.verdicts) == unselected)
    }

    @Test func passesWorkloadSelectedByExistsExpression() {
        let selector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: "Exists")])
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.networkPolicies = [NetFixture.policy("all-apps", selector: selector)]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// A Cilium clusterwide policy selecting the pods counts; without it the workload fails; and a forbidden
    /// Cilium list skips the control.
    @Test func countsCiliumClusterwidePolicyAndSkipsWhenForbidden() {
        let covered = Fixture.snapshot {
            $0.deployments = [web]
            $0.ciliumClusterwideNetworkPolicies = [NetFixture.ciliumPolicy("web", namespace: nil, selector: LabelSelector(matchLabels: ["app": "web"]))]
        }
        #expect(Fixture.run(control, on: covered).failed.isEmpty)
        #expect(Fixture.run(control, on: Fixture.snapshot { $0.deployments = [web] }).failed == [webRef])
        var forbidden = Fixture.snapshot { $0.deployments = [web] }
        NetFixture.forbid(.ciliumclusterwidenetworkpolicies, in: &forbidden)
        #expect(Fixture.run(control, on: forbidden).skipped == "forbidden: ciliumclusterwidenetworkpolicies")
    }

    @Test func optionalCiliumKindsAreNeverRequired() {
        for control in NetworkControls.all {
            let optional = control.reads.filter { $0.isOptional }
            #expect(optional.isEmpty, "\(control.id) reads an optional kind")
        }
        var snapshot = Fixture.snapshot { $0.deployments = [web] }
        snapshot.collected.subtract(NetworkControls.ciliumKinds)
        #expect(Fixture.run(control, on: snapshot).failed == [webRef])
    }
}

@Suite struct CNISupportsNetworkPoliciesTests {
    let control = NetworkControls.cniSupportsNetworkPolicies

    @Test func failsClusterRunningOnlyFlannel() {
        let snapshot = Fixture.snapshot {
            $0.daemonSets = [
                NetFixture.daemonSet("kube-flannel-ds", images: ["docker.io/flannel/flannel:v0.25.1"]),
                NetFixture.daemonSet("kube-proxy", images: ["registry.k8s.io/kube-proxy:v1.30.2"]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [.cluster])
        #expect(NetFixture.evidence(result.verdicts) == ["DaemonSet kube-system/kube-flannel-ds runs flannel, which does not enforce NetworkPolicy"])
    }

    /// Calico installed by the Tigera operator lives in calico-system, not kube-system.
    @Test func passesCalicoOutsideKubeSystem() {
        let snapshot = Fixture.snapshot {
            $0.daemonSets = [NetFixture.daemonSet("calico-node", namespace: "calico-system", images: ["docker.io/calico/node:v3.28.0"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == [.cluster])
        #expect(result.failed.isEmpty)
    }

    /// GKE Dataplane V2 (Cilium named anetd) is recognised by image; the AWS VPC CNI passes only when its
    /// policy agent is enabled.
    @Test func recognisesManagedPluginsByImageAndFlag() {
        let anetd = NetFixture.daemonSet("anetd", images: ["gke.gcr.io/cilium/cilium:v1.14.5-gke"])
        #expect(Fixture.run(control, on: Fixture.snapshot { $0.daemonSets = [anetd] }).failed.isEmpty)

        let images = ["602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.1", "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.1.1"]
        let enabled = NetFixture.daemonSet("aws-node", images: images, args: ["--enable-network-policy=true"])
        let disabled = NetFixture.daemonSet("aws-node", images: images, args: ["--enable-network-policy=false"])
        #expect(Fixture.run(control, on: Fixture.snapshot { $0.daemonSets = [enabled] }).failed.isEmpty)
        let result = Fixture.run(control, on: Fixture.snapshot { $0.daemonSets = [disabled] })
        #expect(NetFixture.evidence(result.verdicts) == ["DaemonSet kube-system/aws-node runs AWS VPC CNI, which does not enforce NetworkPolicy"])
    }

    @Test func evidenceWhenNothingIsRecognisedAndSkipWhenKubeSystemIsOutOfScope() {
        let result = Fixture.run(control, on: Fixture.snapshot { _ in })
        #expect(result.failed == [.cluster])
        #expect(NetFixture.evidence(result.verdicts) == ["no DaemonSet of a CNI or policy agent that enforces NetworkPolicy was found"])

        var scoped = Fixture.snapshot { _ in }
        scoped.scope = NamespaceScope(excluded: ["kube-system"])
        #expect(Fixture.run(control, on: scoped).skipped == "kube-system is outside the scan scope: the CNI cannot be detected")
    }

    @Test func skippedWhenDaemonSetsForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        NetFixture.forbid(.daemonsets, in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: daemonsets")
    }
}

@Suite struct ExternalFacingTests {
    let control = NetworkControls.externalFacing

    @Test func failsWorkloadBehindLoadBalancer() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web-lb", type: "LoadBalancer"), NetFixture.service("web")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [webRef])
        #expect(NetFixture.evidence(result.verdicts) == ["exposed by Service apps/web-lb (LoadBalancer)"])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "Service", namespace: "apps", name: "web-lb")])
    }

    @Test func passesWorkloadBehindClusterIPOnly() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web"), NetFixture.service("other-lb", type: "NodePort", selector: ["app": "other"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [webRef])
    }

    /// A ClusterIP Service becomes external through an Ingress or a Gateway API route that sends to it.
    @Test func failsWorkloadReachedThroughIngressAndRoute() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web")]
            $0.ingresses = [NetFixture.ingress("shop")]
            $0.httpRoutes = [NetFixture.route("web", namespace: "gateway", backend: "web", backendNamespace: "apps")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(NetFixture.evidence(result.verdicts) == ["exposed by Ingress apps/shop", "exposed by HTTPRoute gateway/web"])
    }
}

@Suite struct ExposedSensitiveInterfacesTests {
    let control = NetworkControls.exposedSensitiveInterfaces
    let jenkins = Fixture.deployment("ci-jenkins", containers: [Fixture.container()], labels: ["app": "jenkins"])
    let jenkinsRef = ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "ci-jenkins")

    @Test func failsJenkinsOnNodePort() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [jenkins]
            $0.services = [NetFixture.service("jenkins", type: "NodePort", selector: ["app": "jenkins"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [jenkinsRef])
        #expect(NetFixture.evidence(result.verdicts) == ["metadata.name contains \"jenkins\"", "exposed by Service apps/jenkins (NodePort)"])
    }

    @Test func passesJenkinsBehindClusterIPAndOrdinaryNodePortWorkload() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [jenkins, web]
            $0.services = [
                NetFixture.service("jenkins", selector: ["app": "jenkins"]), NetFixture.service("web", type: "NodePort"),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// The list comes from controls-config and is matched case-insensitively.
    @Test func readsInterfacesFromConfig() {
        var config = ControlsConfig()
        config.sensitiveInterfaces = ["Web"]
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web", type: "LoadBalancer")]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(result.failed == [webRef])
        #expect(result.verdicts.first?.failure?.evidence.first == "metadata.name contains \"Web\"")
    }
}

@Suite struct SSHServerRunningTests {
    let control = NetworkControls.sshServerRunning

    @Test func failsWorkloadBehindPort22() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("ssh", ports: [NetFixture.port(80), NetFixture.port(22)])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [webRef])
        #expect(NetFixture.evidence(result.verdicts) == ["Service apps/ssh spec.ports[1].port=22"])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "Service", namespace: "apps", name: "ssh")])
    }

    @Test func passesWebPorts() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web", ports: [NetFixture.port(80, target: .int(8080))])]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// A named targetPort resolves through the containers' ports; a Service of another namespace does not
    /// select the workload.
    @Test func resolvesNamedTargetPort() {
        var deployment = web
        var container = Fixture.container()
        container.ports = [ContainerPort(containerPort: 2222)]
        container.ports?[0].name = "ssh"
        deployment.spec.template.spec.containers = [container]
        let snapshot = Fixture.snapshot {
            $0.deployments = [deployment]
            $0.services = [
                NetFixture.service("admin", ports: [NetFixture.port(443, target: .string("ssh"))]),
                NetFixture.service("ssh", namespace: "other", ports: [NetFixture.port(22)]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(NetFixture.evidence(result.verdicts) == ["Service apps/admin spec.ports[0].targetPort=ssh (containerPort 2222)"])
    }
}

@Suite struct IngressUsesTLSTests {
    let control = NetworkControls.ingressUsesTLS

    @Test func failsIngressWithoutTLS() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.ingresses = [NetFixture.ingress("shop")] })
        #expect(result.failed == [ResourceRef(apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: "apps", name: "shop")])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.tls is not set"])
    }

    @Test func passesIngressWithTLS() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.ingresses = [NetFixture.ingress("shop", tls: [Present()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// An empty `tls: []` is no TLS.
    @Test func failsEmptyTLSList() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.ingresses = [NetFixture.ingress("shop", tls: [])] })
        #expect(result.failed.map(\.name) == ["shop"])
    }
}

@Suite struct GatewayAPIExposureTests {
    let control = NetworkControls.gatewayAPIExposure

    @Test func failsRouteBackend() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web")]
            $0.httpRoutes = [NetFixture.route("shop", backend: "web")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [webRef])
        #expect(NetFixture.evidence(result.verdicts) == ["exposed by HTTPRoute apps/shop"])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "HTTPRoute", namespace: "apps", name: "shop")])
    }

    /// Only routes count here: a LoadBalancer is C-0256's business.
    @Test func passesWorkloadExposedOtherwise() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web", type: "LoadBalancer")]
            $0.ingresses = [NetFixture.ingress("shop")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [webRef])
    }

    /// A route's backendRef without namespace means the route's own namespace, not the workload's.
    @Test func resolvesBackendNamespaceFromTheRoute() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [web]
            $0.services = [NetFixture.service("web")]
            $0.tcpRoutes = [NetFixture.route("db", namespace: "gateway", backend: "web")]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    @Test func skippedWhenGatewayAPIIsNotServedOrForbidden() {
        let absent = NetFixture.withoutGatewayAPI { $0.deployments = [web] }
        #expect(Fixture.run(control, on: absent).skipped
            == "neither Gateway API routes (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute) nor Istio Gateways and VirtualServices are served by this cluster")
        var forbidden = Fixture.snapshot { $0.deployments = [web] }
        NetFixture.forbid(.httproutes, in: &forbidden)
        #expect(Fixture.run(control, on: forbidden).skipped == "forbidden: httproutes")
        #expect(control.notes?.contains("Istio") == true)
    }
}
