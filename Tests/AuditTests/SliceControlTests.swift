@testable import Audit
import Inventory
import Testing

@Suite struct AdministrativeRolesTests {
    let control = RBACControls.administrativeRoles

    @Test func failsServiceAccountBoundToClusterAdmin() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.clusterRoleBindings = [
                Fixture.clusterRoleBinding("ci", role: "cluster-admin", subjects: [Subject(kind: "ServiceAccount", name: "deployer", namespace: "ci")])
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "ServiceAccount", namespace: "ci", name: "deployer")])
        let failure = result.verdicts.first?.failure
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "cluster-admin"), RelatedObject(kind: "ClusterRoleBinding", name: "ci")])
        #expect(failure?.evidence.first?.contains("verbs=[*]") == true)
    }

    @Test func passesNarrowRole() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("viewer", rules: [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"])])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("v", role: "viewer", subjects: [Subject(kind: "User", name: "alice")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A RoleBinding to cluster-admin is still administrative (in its namespace), and one subject bound
    /// twice is one finding with both bindings in evidence.
    @Test func aggregatesPerSubjectAcrossBindingKinds() {
        let alice = Subject(kind: "User", name: "alice")
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.roleBindings = [Fixture.roleBinding("ns-admin", namespace: "team", roleKind: "ClusterRole", role: "cluster-admin", subjects: [alice])]
            $0.roles = [Fixture.role("all", namespace: "team", rules: [PolicyRule(verbs: ["*"], apiGroups: [""], resources: ["*"])])]
            $0.roleBindings.append(Fixture.roleBinding("all", namespace: "team", role: "all", subjects: [alice]))
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.count == 1)
        #expect(result.verdicts.first?.failure?.evidence.count == 2)
        #expect(result.verdicts.first?.failure?.evidence.allSatisfy { $0.contains("in namespace team") } == true)
    }

    @Test func followsAggregatedClusterRoles() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [
                Role(metadata: Fixture.meta("aggregate", namespace: nil), rules: nil,
                     aggregationRule: AggregationRule(clusterRoleSelectors: [LabelSelector(matchLabels: ["agg": "true"])])),
                Role(metadata: Fixture.meta("part", namespace: nil, labels: ["agg": "true"]), rules: [Fixture.clusterAdminRule]),
            ]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("b", role: "aggregate", subjects: [Subject(kind: "Group", name: "ops")])]
        }
        #expect(Fixture.run(control, on: snapshot).failed.map(\.name) == ["ops"])
    }

    @Test func skippedWhenRolesForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.clusterroles)
        snapshot.errors = [CollectionError(resource: "clusterroles", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: clusterroles")
    }
}

@Suite struct PrivilegedContainerTests {
    let control = WorkloadPrivilegeControls.privilegedContainer

    @Test func failsPrivilegedDeploymentAndReportsItNotItsPods() {
        let deployment = Fixture.deployment("web", replicas: 3, containers: [Fixture.container(securityContext: SecurityContext(privileged: true))])
        let replicaSet = ReplicaSet(
            metadata: Fixture.meta("web-abc", owner: OwnerReference(kind: "Deployment", name: "web")), spec: deployment.spec)
        let pod = Fixture.pod("web-abc-1", containers: deployment.spec.template.spec.containers,
                              owner: OwnerReference(kind: "ReplicaSet", name: "web-abc"))
        let snapshot = Fixture.snapshot {
            $0.deployments = [deployment]
            $0.replicaSets = [replicaSet]
            $0.pods = [pod]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all.map(\.kind) == ["Deployment"])
        #expect(result.failed.map(\.name) == ["web"])
        #expect(result.verdicts.first?.weight == 3 * 1.1)
        #expect(result.verdicts.first?.failure?.evidence == ["spec.template.spec.containers[0].securityContext.privileged=true"])
    }

    @Test func passesUnprivilegedPod() {
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [Fixture.container(securityContext: SecurityContext(privileged: false))])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// SYS_ADMIN in an init container counts, and a Pod owned by an unscanned kind is reported itself.
    @Test func initContainerWithSysAdminInOperatorOwnedPod() {
        var pod = Fixture.pod("db-0", containers: [Fixture.container()], owner: OwnerReference(kind: "PostgresCluster", name: "db"))
        pod.spec.initContainers = [Fixture.container("init", securityContext: SecurityContext(capabilities: Capabilities(add: ["SYS_ADMIN"])))]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.failed.map(\.name) == ["db-0"])
        #expect(result.verdicts.first?.failure?.evidence == ["spec.initContainers[0].securityContext.capabilities.add contains SYS_ADMIN"])
    }
}

@Suite struct ClusterInternalNetworkingTests {
    let control = NetworkControls.clusterInternalNetworking

    @Test func failsNamespaceWithoutPolicy() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Namespace(metadata: Fixture.meta("open", namespace: nil)), Namespace(metadata: Fixture.meta("closed", namespace: nil))]
            $0.networkPolicies = [NetworkPolicy(metadata: Fixture.meta("deny", namespace: "closed"), spec: .init())]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["open"])
        #expect(result.all.count == 2)
    }

    @Test func passesWhenEveryNamespaceHasAPolicy() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Namespace(metadata: Fixture.meta("a", namespace: nil))]
            $0.networkPolicies = [NetworkPolicy(metadata: Fixture.meta("deny", namespace: "a"), spec: .init())]
        }
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// A Cilium clusterwide policy that selects every endpoint with rules covers every namespace;
    /// one without rules does not.
    @Test func countsCiliumClusterwidePolicies() {
        let namespaces = [Namespace(metadata: Fixture.meta("a", namespace: nil))]
        let covering = CiliumPolicy(
            metadata: Fixture.meta("all", namespace: nil),
            spec: CiliumPolicy.Rule(endpointSelector: LabelSelector(), ingress: [Present()]))
        let empty = CiliumPolicy(metadata: Fixture.meta("none", namespace: nil), spec: CiliumPolicy.Rule(endpointSelector: LabelSelector()))
        #expect(Fixture.run(control, on: Fixture.snapshot { $0.namespaces = namespaces; $0.ciliumClusterwideNetworkPolicies = [covering] }).failed.isEmpty)
        #expect(Fixture.run(control, on: Fixture.snapshot { $0.namespaces = namespaces; $0.ciliumClusterwideNetworkPolicies = [empty] }).failed.count == 1)
    }
}

@Suite struct ScoringTests {
    @Test func complianceAndRiskFollowKubescapeFormulas() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [
                Fixture.deployment("bad", replicas: 2, containers: [Fixture.container(securityContext: SecurityContext(privileged: true))]),
                Fixture.deployment("good", containers: [Fixture.container()]),
            ]
            $0.namespaces = [Namespace(metadata: Fixture.meta("apps", namespace: nil))]
        }
        let result = Auditor.run(
            [WorkloadPrivilegeControls.privilegedContainer, NetworkControls.clusterInternalNetworking],
            frameworks: [Framework(name: "NSA")], in: AuditContext(snapshot: snapshot))
        let privileged = result.results[0]
        #expect(privileged.status == .failed)
        #expect(privileged.complianceScore == 50)
        // weights: 2 replicas → 2.2, 1 replica → 1: risk = 2.2 / 3.2
        #expect(abs((privileged.riskScore ?? -1) - 100 * 2.2 / 3.2) < 1e-9)
        let network = result.results[1]
        #expect(network.complianceScore == 0)
        #expect(result.score.complianceScore == 25)
        // base-score weighted: (8·2.2 + 4·1) / (8·3.2 + 4·1)
        #expect(abs((result.score.riskScore ?? -1) - 100 * (8 * 2.2 + 4) / (8 * 3.2 + 4)) < 1e-9)
        #expect(result.frameworks.first?.score == result.score)
    }

    /// A control with nothing in scope is not applicable, a skipped one has no score, and neither
    /// counts: a framework or scan that judged nothing is n/a, never 100%.
    @Test func notApplicableAndSkippedCountInNoScore() {
        let empty = Fixture.snapshot { $0.namespaces = [Namespace(metadata: Fixture.meta("apps", namespace: nil))] }
        var forbidden = empty
        forbidden.collected.remove(.clusterroles)
        forbidden.errors = [CollectionError(resource: "clusterroles", reason: "forbidden", message: "no")]
        let controls = [WorkloadPrivilegeControls.privilegedContainer, RBACControls.clusterAdminUsage]
        let result = Auditor.run(controls, frameworks: [Framework(name: "NSA")], in: AuditContext(snapshot: forbidden))
        #expect(result.results.map(\.status) == [.notApplicable, .skipped])
        #expect(result.results.allSatisfy { $0.complianceScore == nil && $0.riskScore == nil })
        #expect(result.score.complianceScore == nil)
        #expect(result.score.riskScore == nil)
        #expect(result.frameworks.first?.score.complianceScore == nil)

        // One failing control beside them: the score is its own, not diluted by the others.
        var failing = forbidden
        failing.deployments = [Fixture.deployment("bad", containers: [Fixture.container(securityContext: SecurityContext(privileged: true))])]
        let scored = Auditor.run(controls + [NetworkControls.clusterInternalNetworking], frameworks: [], in: AuditContext(snapshot: failing))
        #expect(scored.results.map(\.status) == [.failed, .skipped, .failed])
        #expect(scored.score.complianceScore == 0)
    }

    /// A kind that failed to load makes the scan incomplete when a selected control needs it; forbidden
    /// and unserved kinds are documented skips, and kinds no selected control reads do not matter.
    @Test func failedKindsTheControlsNeedMakeTheScanIncomplete() {
        var snapshot = Fixture.snapshot { $0.namespaces = [Namespace(metadata: Fixture.meta("apps", namespace: nil))] }
        snapshot.collected.subtract([.pods, .clusterroles, .ingresses])
        snapshot.errors = [
            CollectionError(resource: "pods", reason: CollectionError.failed, message: "cannot decode the response of /api/v1/pods"),
            CollectionError(resource: "clusterroles", reason: "forbidden", message: "no"),
            CollectionError(resource: "ingresses", reason: CollectionError.failed, message: "HTTP 500"),
            CollectionError(resource: "nodes/n1/proxy/configz", reason: CollectionError.kubeletUnreadable, message: "connection refused"),
        ]
        let context = AuditContext(snapshot: snapshot)
        let workload = Auditor.run([WorkloadPrivilegeControls.privilegedContainer], frameworks: [], in: context)
        #expect(workload.incomplete.map(\.resource) == ["pods"])
        #expect(workload.results[0].skipReason == "failed: pods")
        let rbac = Auditor.run([RBACControls.clusterAdminUsage], frameworks: [], in: context)
        #expect(rbac.incomplete.isEmpty, "forbidden is a documented skip")
        #expect(rbac.results[0].status == .skipped)
        let network = Auditor.run([NetworkControls.clusterInternalNetworking], frameworks: [], in: context)
        #expect(network.incomplete.isEmpty, "no selected control reads pods or ingresses")
    }

    /// A best-effort kind that failed to load leaves the control judging without it: the scan is incomplete
    /// too, while a forbidden one stays the documented gap the control reports itself.
    @Test func failedBestEffortKindsMakeTheScanIncomplete() {
        let control = WorkloadHygieneControls.ingressNginxSnippetCVE
        #expect(control.bestEffortReads == [.configmaps])
        for (reason, incomplete) in [(CollectionError.failed, ["configmaps"]), ("forbidden", [])] {
            var snapshot = Fixture.snapshot { _ in }
            snapshot.collected.remove(.configmaps)
            snapshot.errors = [CollectionError(resource: "configmaps", reason: reason, message: "HTTP 500")]
            let audit = Auditor.run([control], frameworks: [], in: AuditContext(snapshot: snapshot))
            #expect(audit.incomplete.map(\.resource) == incomplete, "\(reason)")
            #expect(audit.results[0].status != .skipped)
        }
    }

    /// On manifests, absent kinds are empty, but the controls that judge the cluster as a whole (its
    /// network plugin, its admission chain) have no cluster to judge: skipped, never failed.
    @Test func wholeClusterControlsSkipOnManifests() {
        var snapshot = Fixture.snapshot { $0.namespaces = [Namespace(metadata: Fixture.meta("apps", namespace: nil))] }
        snapshot.source = .manifests
        for control in [NetworkControls.cniSupportsNetworkPolicies, PostureControls.noAdmissionPolicy] {
            #expect(Fixture.run(control, on: snapshot).skipped == "manifests describe what they deploy, not the cluster it runs in", "\(control.id)")
        }
        snapshot.source = .snapshot
        #expect(Fixture.run(PostureControls.noAdmissionPolicy, on: snapshot).failed.count == 1)
    }

    /// ServiceAccounts of namespaces outside the scope leave the RBAC controls with their namespace, even
    /// when a ClusterRoleBinding binds them; Users and Groups stay.
    @Test func subjectsOfExcludedNamespacesAreOutOfScope() {
        var snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.clusterRoleBindings = [
                Fixture.clusterRoleBinding("admins", role: "cluster-admin", subjects: [
                    Subject(kind: "ServiceAccount", name: "generic-garbage-collector", namespace: "kube-system"),
                    Subject(kind: "ServiceAccount", name: "deployer", namespace: "apps"),
                    Subject(kind: "User", name: "alice"),
                ]),
            ]
        }
        func flagged(_ scope: NamespaceScope) -> [String] {
            snapshot.scope = scope
            return Fixture.run(RBACControls.administrativeRoles, on: snapshot).failed.map(\.displayName)
        }
        #expect(flagged(NamespaceScope()) == ["User alice", "ServiceAccount apps/deployer", "ServiceAccount kube-system/generic-garbage-collector"])
        #expect(flagged(NamespaceScope(excluded: ["kube-system"])) == ["User alice", "ServiceAccount apps/deployer"])
        #expect(flagged(NamespaceScope(included: ["shop"])) == ["User alice"])
    }

    @Test func severityBuckets() {
        #expect(Severity(baseScore: 10) == .critical)
        #expect(Severity(baseScore: 9) == .critical)
        #expect(Severity(baseScore: 8.9) == .high)
        #expect(Severity(baseScore: 7) == .high)
        #expect(Severity(baseScore: 4) == .medium)
        #expect(Severity(baseScore: 3.9) == .low)
    }
}
