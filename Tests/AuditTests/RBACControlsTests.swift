@testable import Audit
import Inventory
import Testing

private typealias F = RBACFixture

// MARK: - Matching

@Suite struct RBACMatchingTests {
    @Test func subresourcesMatchExactWildcardParentAndStarSlashForms() {
        let exec = RBACControls.execPermission
        #expect(F.rule(["create"], ["pods/exec"]).permits(exec))
        #expect(F.rule(["create"], ["pods/*"]).permits(exec))
        #expect(F.rule(["create"], ["*/exec"]).permits(exec))
        #expect(F.rule(["*"], ["*"]).permits(exec))
        #expect(!F.rule(["create"], ["pods"]).permits(exec))
        #expect(!F.rule(["create"], ["*/attach"]).permits(exec))
        #expect(!F.rule(["create"], ["pods/exec"], groups: ["apps"]).permits(exec))
        #expect(F.rule(["create"], ["pods/exec"], groups: ["*"]).permits(exec))
        #expect(!F.rule(["delete"], ["pods/exec"]).permits(exec))
    }

    @Test func anyVerbAndAnyGroupWhenThePermissionLeavesThemOpen() {
        let anything = Permission(verbs: nil, resources: ["nodes"], apiGroups: nil)
        #expect(F.rule(["list"], ["nodes"], groups: ["whatever.example"]).permits(anything))
        #expect(!F.rule(["list"], ["nodes/status"]).permits(anything))
        #expect(!PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"]).permits(anything))
    }

    /// The one matcher, case by case as rbac/v1 RuleAllows reads a rule (plus `pods/*`, which Lookout counts).
    @Test func ruleAllowsSemantics() {
        let getPods = Permission(verbs: ["get"], resources: ["pods"], apiGroups: [""])
        #expect(F.rule(["*"], ["pods"]).permits(getPods), "verbs *")
        #expect(F.rule(["get"], ["*"]).permits(getPods), "resources *")
        #expect(F.rule(["get"], ["pods"], groups: ["*"]).permits(getPods), "apiGroups *")
        #expect(!F.rule(["get"], ["pods"], groups: ["apps"]).permits(getPods), "another group")
        #expect(!F.rule(["get"], ["pods/*"]).permits(getPods), "pods/* is every subresource, not pods")
        #expect(!F.rule(["get"], ["*/exec"]).permits(getPods), "*/exec is a subresource only")
        let logs = Permission(verbs: ["get"], resources: ["pods/log"], apiGroups: [""])
        #expect(F.rule(["get"], ["*/log"]).permits(logs))
        #expect(F.rule(["get"], ["pods/*"]).permits(logs))
        #expect(!F.rule(["get"], ["deployments/*"]).permits(logs))
        #expect(!F.rule(["get"], ["*/exec"]).permits(logs))

        // resourceNames: a rule limited to names allows only those objects, and never a request that names none.
        let named = F.rule(["update"], ["configmaps"], names: ["coredns"])
        let update = Permission(verbs: ["update"], resources: ["configmaps"], apiGroups: [""])
        #expect(named.permits(update), "Kubescape's reading: names ignored")
        var unnamed = update
        unnamed.objects = .unnamed
        #expect(!named.permits(unnamed))
        #expect(F.rule(["update"], ["configmaps"]).permits(unnamed))
        var coredns = update
        coredns.objects = .named("coredns")
        #expect(named.permits(coredns))
        #expect(F.rule(["update"], ["configmaps"], names: []).permits(coredns), "an empty list limits nothing")
        coredns.objects = .named("other")
        #expect(!named.permits(coredns))

        // nonResourceURLs: exact, `*`, and a prefix ending in `*`; never through resources.
        let metrics = Permission(verbs: ["get"], resources: [], apiGroups: nil, nonResourceURLs: ["/metrics"])
        #expect(PolicyRule(verbs: ["get"], nonResourceURLs: ["/metrics"]).permits(metrics))
        #expect(PolicyRule(verbs: ["get"], nonResourceURLs: ["*"]).permits(metrics))
        #expect(PolicyRule(verbs: ["get"], nonResourceURLs: ["/met*"]).permits(metrics))
        #expect(!PolicyRule(verbs: ["get"], nonResourceURLs: ["/metrics/*"]).permits(metrics))
        #expect(!PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"]).permits(metrics))
        #expect(!PolicyRule(verbs: ["post"], nonResourceURLs: ["/metrics"]).permits(metrics))
        #expect(!F.rule(["*"], ["*"], groups: ["*"]).permits(metrics), "resource rules grant no URL")
    }

    @Test func clusterScopedPowersIgnoreRoleBindingsAndNamespacedOnesRespectTheirNamespace() {
        let rule = F.rule(["*"], ["*"], groups: ["*"])
        func grant(_ namespace: String?) -> Grant {
            Grant(subject: F.alice, rule: rule, ruleIndex: 0, role: RelatedObject(kind: "ClusterRole", name: "r"),
                  binding: RelatedObject(kind: "RoleBinding", namespace: namespace, name: "b"), namespace: namespace)
        }
        #expect(RBACControls.nodesProxyPermission.isGranted(by: grant(nil)))
        #expect(!RBACControls.nodesProxyPermission.isGranted(by: grant("apps")))
        #expect(RBACControls.corednsConfigPermission.isGranted(by: grant("kube-system")))
        #expect(!RBACControls.corednsConfigPermission.isGranted(by: grant("apps")))
        #expect(RBACControls.createPodsPermission.isGranted(by: grant("apps")))
    }

    @Test func catalogueHasEveryRBACControlOnceWithItsFrameworks() {
        let ids = RBACControls.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids) == [
            "C-0035", "C-0187", "C-0185", "C-0188", "C-0002", "C-0015", "C-0186", "C-0063", "C-0065", "C-0031", "C-0037",
            "C-0007", "C-0191", "C-0278", "C-0279", "C-0280", "C-0281", "C-0282", "C-0053", "C-0262", "C-0265", "C-0014",
            "C-0189", "C-0246", "LO-020", "LO-021", "LO-022", "LO-023", "LO-024", "LO-025", "LO-040", "LO-041",
        ])
        let cis = ["C-0185", "C-0186", "C-0187", "C-0188", "C-0189", "C-0191", "C-0246", "C-0278", "C-0279", "C-0280", "C-0281", "C-0282"]
        for control in RBACControls.all {
            #expect(control.frameworks.contains("cis-v1.12.0") == cis.contains(control.id), "\(control.id)")
            #expect(control.frameworks.contains("lookout") == control.id.hasPrefix("LO-"), "\(control.id)")
            #expect(!control.description.isEmpty && !control.rationale.isEmpty && !control.remediation.isEmpty)
        }
        #expect(RBACControls.all.filter(\.informational).map(\.id) == ["C-0053"])
        #expect(Catalogue.control(id: "lo-041")?.baseScore == 2)
    }

    @Test func skippedWithReasonWhenBindingsAreForbidden() {
        var snapshot = F.granting([F.rule(["create"], ["pods"])], to: [F.alice])
        snapshot.collected.remove(.rolebindings)
        snapshot.errors = [CollectionError(resource: "rolebindings", reason: "forbidden", message: "no")]
        for control in [RBACControls.createPods, RBACControls.serviceAccountAccess, RBACControls.danglingBindings] {
            #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: rolebindings")
        }
    }
}

// MARK: - Wildcards and cluster-admin

@Suite struct WildcardRolesTests {
    let control = RBACControls.wildcardRoles

    @Test func failsSubjectWithWildcardRule() {
        let result = Fixture.run(control, on: F.granting([Fixture.clusterAdminRule], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[*] apiGroups=[*] resources=[*]")])
    }

    @Test func passesWildcardVerbsOnNamedResources() {
        let result = Fixture.run(control, on: F.granting([F.rule(["*"], ["pods"])], to: [F.alice]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    /// The core group with wildcards counts, a wildcard in another group does not, and C-0035 gives
    /// exactly the same verdicts.
    @Test func sameVerdictsAsAdministrativeRoles() {
        var snapshot = F.granting([F.rule(["*"], ["*"], groups: [""])], to: [F.alice], role: "core")
        F.add([F.rule(["*"], ["*"], groups: ["apps"])], to: [F.ops], role: "apps", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts == Fixture.run(RBACControls.administrativeRoles, on: snapshot).verdicts)
    }
}

@Suite struct ClusterAdminUsageTests {
    let control = RBACControls.clusterAdminUsage

    func snapshot(_ subjects: [Subject]) -> ClusterSnapshot {
        F.granting([Fixture.clusterAdminRule], to: subjects, role: "cluster-admin")
    }

    @Test func failsServiceAccountButNotSystemMasters() {
        let deployer = F.serviceAccount("deployer", "ci")
        let masters = Subject(kind: "Group", name: "system:masters")
        let result = Fixture.run(control, on: snapshot([masters, deployer]))
        #expect(result.failed == [deployer.ref])
        #expect(result.all.count == 2)
        let failure = F.failure(of: deployer.ref, in: result.verdicts)
        #expect(failure?.message == "ServiceAccount ci/deployer is bound to cluster-admin")
        #expect(failure?.evidence == [F.line("verbs=[*] apiGroups=[*] resources=[*]", role: "cluster-admin", via: "ClusterRoleBinding cluster-admin")])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "cluster-admin"), RelatedObject(kind: "ClusterRoleBinding", name: "cluster-admin")])
    }

    /// cluster-admin through a RoleBinding is a namespace admin, which CIS 5.1.1 does not cover.
    @Test func passesRoleBindingToClusterAdmin() {
        let result = Fixture.run(control, on: F.granting([Fixture.clusterAdminRule], to: [F.alice], role: "cluster-admin", namespace: "apps"))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    @Test func builtInSubjectsAreExactlyTheControlPlaneOnes() {
        let names: [(String, String, Bool)] = [
            ("Group", "system:masters", true), ("User", "system:kube-controller-manager", true),
            ("Group", "system:nodes", true), ("Group", "kubeadm:cluster-admins", true),
            ("Group", "system:authenticated", false), ("Group", "system:unauthenticated", false),
            ("User", "system:anonymous", false), ("Group", "system:serviceaccounts", false),
            ("Group", "system:serviceaccounts:ci", false), ("User", "system:serviceaccount:ci:deployer", false),
            ("User", "alice", false), ("ServiceAccount", "system:thing", false),
        ]
        for (kind, name, builtIn) in names {
            #expect(RBACControls.isBuiltInSystemSubject(Subject(kind: kind, name: name)) == builtIn, "\(kind) \(name)")
        }
        let everyone = Subject(kind: "Group", name: "system:authenticated")
        let controller = Subject(kind: "User", name: "system:kube-controller-manager")
        #expect(Fixture.run(control, on: snapshot([everyone, controller])).failed == [everyone.ref])
    }
}

@Suite struct SystemMastersTests {
    @Test func skippedByDesignWithReason() {
        let result = Fixture.run(RBACControls.systemMasters, on: F.granting([Fixture.clusterAdminRule], to: [F.alice]))
        #expect(result.skipped?.hasPrefix("manual review:") == true)
        #expect(result.skipped?.contains("system:masters") == true)
        #expect(result.all.isEmpty)
    }
}

// MARK: - Single powers

@Suite struct CreatePodsTests {
    let control = RBACControls.createPods

    @Test func failsSubjectThatCreatesPods() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get"], ["pods"]), F.rule(["create"], ["pods"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[create] apiGroups=[""] resources=[pods]"#, rule: 1)])
        #expect(result.verdicts.first?.failure?.message == "User alice can create pods")
    }

    @Test func passesReadersAndDeployers() {
        let snapshot = F.granting([F.rule(["get", "list"], ["pods"]), F.rule(["create"], ["deployments"], groups: ["apps"])], to: [F.alice])
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// A RoleBinding grants in its namespace (and says so); `pods/*` names subresources, not pods.
    @Test func roleBindingScopeAndSubresourceWildcard() {
        var snapshot = F.granting([F.rule(["*"], ["*"])], to: [F.alice], namespace: "team")
        F.add([F.rule(["create"], ["pods/*"])], to: [F.ops], role: "sub", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first { $0.resource == F.alice.ref }?.failure?.evidence
            == [F.line(#"verbs=[*] apiGroups=[""] resources=[*]"#, via: "RoleBinding team/r", scope: "in namespace team")])
    }
}

@Suite struct ExecIntoContainerTests {
    let control = RBACControls.execIntoContainer

    @Test func failsCreateOnPodsExec() {
        let result = Fixture.run(control, on: F.granting([F.rule(["create"], ["pods/exec"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[create] apiGroups=[""] resources=[pods/exec]"#)])
    }

    @Test func passesReadOnlyPodAccess() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get", "list"], ["pods", "pods/log"])], to: [F.alice]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    /// `pods/*`, `*/exec` and `get` (WebSocket exec) all count; a wildcard in another group does not.
    @Test func wildcardFormsAndWebSocketGet() {
        let subjects = (1...4).map { Subject(kind: "User", name: "u\($0)") }
        var snapshot = Fixture.snapshot { _ in }
        F.add([F.rule(["create"], ["pods/*"])], to: [subjects[0]], role: "a", in: &snapshot)
        F.add([F.rule(["create"], ["*/exec"])], to: [subjects[1]], role: "b", in: &snapshot)
        F.add([F.rule(["get"], ["pods/exec"])], to: [subjects[2]], role: "c", in: &snapshot)
        F.add([F.rule(["*"], ["*"], groups: ["apps"])], to: [subjects[3]], role: "d", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed == subjects[0...2].map(\.ref))
    }
}

@Suite struct SecretReadersTests {
    @Test func failsListOnSecrets() {
        let result = Fixture.run(RBACControls.listSecrets, on: F.granting([F.rule(["list"], ["secrets"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.message == "User alice can read Secrets")
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[list] apiGroups=[""] resources=[secrets]"#)])
    }

    @Test func passesCreateOnlyAndOtherGroups() {
        let snapshot = F.granting([F.rule(["create"], ["secrets"]), F.rule(["get"], ["secrets"], groups: ["apps"])], to: [F.alice])
        #expect(Fixture.run(RBACControls.listSecrets, on: snapshot).failed.isEmpty)
        #expect(Fixture.run(RBACControls.secretAccess, on: snapshot).failed.isEmpty)
    }

    /// `watch` on `*` in every group reads Secrets; C-0186 is the same rule as C-0015.
    @Test func wildcardResourcesAndSharedRule() {
        var snapshot = F.granting([F.rule(["watch"], ["*"], groups: ["*"])], to: [F.alice])
        F.add([F.rule(["get"], ["configmaps"])], to: [F.ops], role: "cm", in: &snapshot)
        let result = Fixture.run(RBACControls.secretAccess, on: snapshot)
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts == Fixture.run(RBACControls.listSecrets, on: snapshot).verdicts)
    }
}

@Suite struct PortForwardingTests {
    let control = RBACControls.portForwarding

    @Test func failsCreateOnPortforward() {
        let result = Fixture.run(control, on: F.granting([F.rule(["create"], ["pods/portforward"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[create] apiGroups=[""] resources=[pods/portforward]"#)])
    }

    @Test func passesExecOnly() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["create"], ["pods/exec"])], to: [F.alice])).failed.isEmpty)
    }

    @Test func starSlashPortforwardWithGet() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get"], ["*/portforward"])], to: [F.ops]))
        #expect(result.failed == [F.ops.ref])
    }
}

@Suite struct ImpersonationTests {
    let control = RBACControls.impersonation

    @Test func failsImpersonateUsers() {
        let result = Fixture.run(control, on: F.granting([F.rule(["impersonate"], ["users", "groups"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[impersonate] apiGroups=[""] resources=[users,groups]"#)])
    }

    @Test func passesReadingUsers() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["get", "list"], ["users"])], to: [F.alice])).failed.isEmpty)
    }

    /// uids live in authentication.k8s.io; the same resource name in an unrelated group grants nothing.
    @Test func uidsInAuthenticationGroupButNotInOtherGroups() {
        var snapshot = F.granting([F.rule(["impersonate"], ["uids"], groups: ["authentication.k8s.io"])], to: [F.alice])
        F.add([F.rule(["impersonate"], ["users"], groups: ["apps"])], to: [F.ops], role: "other", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed == [F.alice.ref])
    }
}

@Suite struct DeleteEventsTests {
    let control = RBACControls.deleteEvents

    @Test func failsDeleteOnEventsAPIGroup() {
        let result = Fixture.run(control, on: F.granting([F.rule(["delete"], ["events"], groups: ["events.k8s.io"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[delete] apiGroups=[events.k8s.io] resources=[events]")])
    }

    @Test func passesDeletingPodsOnly() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["delete"], ["pods"])], to: [F.alice])).failed.isEmpty)
    }

    @Test func deletecollectionInCoreGroupThroughRoleBinding() {
        let result = Fixture.run(control, on: F.granting([F.rule(["deletecollection"], ["events"])], to: [F.alice], namespace: "apps"))
        #expect(result.verdicts.first?.failure?.evidence
            == [F.line(#"verbs=[deletecollection] apiGroups=[""] resources=[events]"#, via: "RoleBinding apps/r", scope: "in namespace apps")])
    }
}

@Suite struct CoreDNSPoisoningTests {
    let control = RBACControls.coreDNSPoisoning

    @Test func failsClusterWidePatchOnConfigMaps() {
        let result = Fixture.run(control, on: F.granting([F.rule(["patch"], ["configmaps"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[patch] apiGroups=[""] resources=[configmaps]"#)])
    }

    @Test func passesRuleNamingOtherConfigMaps() {
        let snapshot = F.granting([F.rule(["update"], ["configmaps"], names: ["app-settings"])], to: [F.alice])
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// Only grants that reach kube-system count: a RoleBinding elsewhere cannot touch CoreDNS, one in
    /// kube-system naming coredns can.
    @Test func namespaceAndResourceNames() {
        var snapshot = F.granting([F.rule(["update"], ["configmaps"])], to: [F.ops], namespace: "apps")
        F.add([F.rule(["update"], ["configmaps"], names: ["coredns"])], to: [F.alice], role: "dns", namespace: "kube-system", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.alice.ref])
        #expect(F.failure(of: F.alice.ref, in: result.verdicts)?.evidence == [
            F.line(#"verbs=[update] apiGroups=[""] resources=[configmaps] resourceNames=[coredns]"#, role: "dns",
                   via: "RoleBinding kube-system/dns", scope: "in namespace kube-system"),
        ])
    }
}

@Suite struct DeleteCapabilitiesTests {
    let control = RBACControls.deleteCapabilities

    @Test func failsDeleteOnDeployments() {
        let result = Fixture.run(control, on: F.granting([F.rule(["delete"], ["deployments"], groups: ["apps"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[delete] apiGroups=[apps] resources=[deployments]")])
    }

    @Test func passesDeletingConfigMaps() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["delete"], ["configmaps"])], to: [F.alice])).failed.isEmpty)
    }

    @Test func deletecollectionOnJobsButNotWildcardInOtherGroup() {
        var snapshot = F.granting([F.rule(["deletecollection"], ["jobs"], groups: ["batch"])], to: [F.alice])
        F.add([F.rule(["*"], ["*"], groups: ["networking.k8s.io"])], to: [F.ops], role: "net", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed == [F.alice.ref])
    }
}

@Suite struct BindEscalateImpersonateTests {
    let control = RBACControls.bindEscalateImpersonate

    @Test func failsEscalateOnClusterRoles() {
        let result = Fixture.run(control, on: F.granting([F.rule(["escalate"], ["clusterroles"], groups: ["rbac.authorization.k8s.io"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[escalate] apiGroups=[rbac.authorization.k8s.io] resources=[clusterroles]")])
    }

    @Test func passesCreatingRoles() {
        let snapshot = F.granting([F.rule(["create", "update"], ["roles"], groups: ["rbac.authorization.k8s.io"])], to: [F.alice])
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    /// Impersonation counts as well, and `bind` through a RoleBinding still binds roles of that namespace.
    @Test func impersonateAndNamespacedBind() {
        var snapshot = F.granting([F.rule(["bind"], ["roles"], groups: ["rbac.authorization.k8s.io"])], to: [F.alice], namespace: "apps")
        F.add([F.rule(["impersonate"], ["serviceaccounts"])], to: [F.ops], role: "imp", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed == [F.ops.ref, F.alice.ref].sorted())
    }
}

@Suite struct ClusterScopedPowerTests {
    @Test func createPersistentVolumes() {
        let fail = Fixture.run(RBACControls.createPersistentVolumes, on: F.granting([F.rule(["create"], ["persistentvolumes"])], to: [F.alice]))
        #expect(fail.failed == [F.alice.ref])
        #expect(fail.verdicts.first?.failure?.evidence == [F.line(#"verbs=[create] apiGroups=[""] resources=[persistentvolumes]"#)])
        let claims = F.granting([F.rule(["create"], ["persistentvolumeclaims"])], to: [F.alice])
        #expect(Fixture.run(RBACControls.createPersistentVolumes, on: claims).failed.isEmpty)
        // A namespace admin cannot create cluster-scoped volumes.
        let namespaceAdmin = F.granting([F.rule(["*"], ["*"], groups: ["*"])], to: [F.alice], namespace: "apps")
        #expect(Fixture.run(RBACControls.createPersistentVolumes, on: namespaceAdmin).failed.isEmpty)
    }

    @Test func nodesProxyAnyVerb() {
        let fail = Fixture.run(RBACControls.nodesProxy, on: F.granting([F.rule(["get"], ["nodes/proxy"])], to: [F.alice]))
        #expect(fail.failed == [F.alice.ref])
        #expect(fail.verdicts.first?.failure?.message == "User alice can use nodes/proxy")
        #expect(Fixture.run(RBACControls.nodesProxy, on: F.granting([F.rule(["get"], ["nodes", "nodes/metrics"])], to: [F.alice])).failed.isEmpty)
        #expect(Fixture.run(RBACControls.nodesProxy, on: F.granting([F.rule(["list"], ["nodes/*"])], to: [F.alice])).failed == [F.alice.ref])
        #expect(Fixture.run(RBACControls.nodesProxy, on: F.granting([F.rule(["get"], ["nodes/proxy"])], to: [F.alice], namespace: "apps")).failed.isEmpty)
    }

    @Test func csrApproval() {
        let approve = F.rule(["update"], ["certificatesigningrequests/approval"], groups: ["certificates.k8s.io"])
        let fail = Fixture.run(RBACControls.csrApproval, on: F.granting([approve], to: [F.alice]))
        #expect(fail.failed == [F.alice.ref])
        #expect(fail.verdicts.first?.failure?.evidence == [F.line("verbs=[update] apiGroups=[certificates.k8s.io] resources=[certificatesigningrequests/approval]")])
        let create = F.rule(["create", "get"], ["certificatesigningrequests"], groups: ["certificates.k8s.io"])
        #expect(Fixture.run(RBACControls.csrApproval, on: F.granting([create], to: [F.alice])).failed.isEmpty)
        let patch = F.rule(["patch"], ["certificatesigningrequests/approval"], groups: ["certificates.k8s.io"])
        #expect(Fixture.run(RBACControls.csrApproval, on: F.granting([patch], to: [F.alice])).failed == [F.alice.ref])
        #expect(Fixture.run(RBACControls.csrApproval, on: F.granting([patch], to: [F.alice], namespace: "apps")).failed.isEmpty)
    }

    @Test func webhookConfigurations() {
        let create = F.rule(["create"], ["mutatingwebhookconfigurations"], groups: ["admissionregistration.k8s.io"])
        let fail = Fixture.run(RBACControls.webhookConfigurationAccess, on: F.granting([create], to: [F.alice]))
        #expect(fail.failed == [F.alice.ref])
        #expect(fail.verdicts.first?.failure?.evidence == [F.line("verbs=[create] apiGroups=[admissionregistration.k8s.io] resources=[mutatingwebhookconfigurations]")])
        let read = F.rule(["get", "list", "watch"], ["validatingwebhookconfigurations"], groups: ["admissionregistration.k8s.io"])
        #expect(Fixture.run(RBACControls.webhookConfigurationAccess, on: F.granting([read], to: [F.alice])).failed.isEmpty)
        // Admission policies are LO-024's, not CIS 5.1.12's.
        let policies = F.rule(["delete"], ["validatingadmissionpolicies"], groups: ["admissionregistration.k8s.io"])
        #expect(Fixture.run(RBACControls.webhookConfigurationAccess, on: F.granting([policies], to: [F.alice])).failed.isEmpty)
    }
}

@Suite struct TokenCreationTests {
    let control = RBACControls.tokenCreation

    @Test func failsCreateOnToken() {
        let result = Fixture.run(control, on: F.granting([F.rule(["create"], ["serviceaccounts/token"])], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[create] apiGroups=[""] resources=[serviceaccounts/token]"#)])
    }

    @Test func passesCreatingServiceAccounts() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["create"], ["serviceaccounts"])], to: [F.alice])).failed.isEmpty)
    }

    /// Tokens are namespaced: a RoleBinding grants them in its namespace, and the evidence says where.
    @Test func roleBindingCounts() {
        let result = Fixture.run(control, on: F.granting([F.rule(["create"], ["serviceaccounts/token"])], to: [F.alice], namespace: "kube-system"))
        #expect(result.verdicts.first?.failure?.evidence == [
            F.line(#"verbs=[create] apiGroups=[""] resources=[serviceaccounts/token]"#, via: "RoleBinding kube-system/r", scope: "in namespace kube-system"),
        ])
    }
}

@Suite struct AuthenticatedElevatedRolesTests {
    let control = RBACControls.authenticatedElevatedRoles
    let everyone = Subject(kind: "Group", name: "system:authenticated")

    @Test func failsAuthenticatedGroupThatCanListPods() {
        let result = Fixture.run(control, on: F.granting([F.rule(["list"], ["pods"])], to: [everyone, F.alice]))
        #expect(result.failed == [everyone.ref])
        #expect(result.all.count == 2)
        #expect(result.verdicts.first { $0.resource == everyone.ref }?.failure?.evidence == [F.line(#"verbs=[list] apiGroups=[""] resources=[pods]"#)])
    }

    @Test func passesTheDefaultSelfReviewRoles() {
        let selfReview = F.rule(["create"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], groups: ["authorization.k8s.io"])
        let discovery = PolicyRule(verbs: ["get"], nonResourceURLs: ["/api", "/apis", "/healthz"])
        #expect(Fixture.run(control, on: F.granting([selfReview, discovery], to: [everyone])).failed.isEmpty)
    }

    /// Plural `statefulsets` counts (Kubescape's singular spelling misses it), through a RoleBinding too.
    @Test func pluralControllersThroughRoleBinding() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get"], ["statefulsets"], groups: ["apps"])], to: [everyone], namespace: "apps"))
        #expect(result.failed == [everyone.ref])
    }
}

// MARK: - Who is bound

@Suite struct ServiceAccountAccessTests {
    let control = RBACControls.serviceAccountAccess

    @Test func listsEveryBoundServiceAccountAndNoOtherSubject() {
        let web = F.serviceAccount("web", "apps")
        let snapshot = F.granting([F.rule(["get"], ["configmaps"])], to: [web, F.alice], namespace: "apps")
        let result = Fixture.run(control, on: snapshot)
        #expect(control.informational)
        #expect(result.all == [web.ref])
        #expect(result.failed == [web.ref])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == ["bound to ClusterRole r via RoleBinding apps/r (in namespace apps)"])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "r"), RelatedObject(kind: "RoleBinding", namespace: "apps", name: "r")])
    }

    @Test func nothingToListWithoutServiceAccountSubjects() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get"], ["pods"])], to: [F.alice, F.ops]))
        #expect(result.skipped == nil)
        #expect(result.all.isEmpty)
    }

    /// A RoleBinding subject without namespace is in the binding's namespace, and a binding whose role
    /// is missing still lists the account.
    @Test func defaultsNamespaceAndKeepsBindingsToMissingRoles() {
        let snapshot = Fixture.snapshot {
            $0.roleBindings = [Fixture.roleBinding("ghost", namespace: "apps", role: "gone", subjects: [Subject(kind: "ServiceAccount", name: "web")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.serviceAccount("web", "apps").ref])
        #expect(result.verdicts.first?.failure?.evidence == ["bound to Role apps/gone via RoleBinding apps/ghost (in namespace apps)"])
    }
}

@Suite struct AnonymousBindingsTests {
    let control = RBACControls.anonymousBindings
    let unauthenticated = Subject(kind: "Group", name: "system:unauthenticated")
    let anonymous = Subject(kind: "User", name: "system:anonymous")

    @Test func failsBindingThatGivesViewToUnauthenticated() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get", "list"], ["pods"])], to: [F.alice, unauthenticated], role: "view"))
        #expect(result.all == [F.bindingRef("ClusterRoleBinding", "view")])
        #expect(result.failed == [F.bindingRef("ClusterRoleBinding", "view")])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == ["subjects[1] Group system:unauthenticated"])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "view")])
        #expect(failure?.message == "ClusterRoleBinding view gives ClusterRole view to unauthenticated callers")
    }

    /// Every cluster binds system:public-info-viewer (health and version URLs) to unauthenticated callers.
    @Test func passesPublicInfoViewer() {
        let publicInfo = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])
        let snapshot = F.granting([publicInfo], to: [Subject(kind: "Group", name: "system:authenticated"), unauthenticated], role: "system:public-info-viewer")
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Matching is by kind; a RoleBinding to a missing role still fails (the role may be created later);
    /// a non-resource rule beyond the public endpoints is not exempt.
    @Test func kindsMissingRolesAndOtherURLs() {
        var snapshot = Fixture.snapshot {
            $0.roleBindings = [
                Fixture.roleBinding("later", namespace: "kube-public", role: "gone", subjects: [anonymous]),
                Fixture.roleBinding("misnamed", namespace: "kube-public", role: "gone", subjects: [Subject(kind: "Group", name: "system:anonymous")]),
            ]
        }
        F.add([PolicyRule(verbs: ["get"], nonResourceURLs: ["/metrics"])], to: [unauthenticated], role: "metrics", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.bindingRef("ClusterRoleBinding", "metrics"), F.bindingRef("RoleBinding", "later", namespace: "kube-public")].sorted())
        #expect(F.failure(of: F.bindingRef("RoleBinding", "later", namespace: "kube-public"), in: result.verdicts)?.evidence
            == ["subjects[0] User system:anonymous"])
        #expect(F.failure(of: F.bindingRef("RoleBinding", "later", namespace: "kube-public"), in: result.verdicts)?.related
            == [RelatedObject(kind: "Role", namespace: "kube-public", name: "gone")])
    }
}

@Suite struct DashboardAccessTests {
    let control = RBACControls.dashboardAccess
    let dashboard = RBACFixture.serviceAccount("kubernetes-dashboard", "kubernetes-dashboard")

    @Test func failsOtherSubjectAndImpostorWorkload() {
        let snapshot = Fixture.snapshot {
            F.add([F.rule(["get"], ["pods"])], to: [dashboard, F.alice], role: "kubernetes-dashboard", in: &$0)
            $0.deployments = [F.deployment("metrics", namespace: "kubernetes-dashboard", serviceAccount: "kubernetes-dashboard")]
        }
        let result = Fixture.run(control, on: snapshot)
        let impostor = ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "kubernetes-dashboard", name: "metrics")
        #expect(result.failed == [impostor, F.alice.ref].sorted())
        #expect(result.all.count == 3)
        #expect(F.failure(of: F.alice.ref, in: result.verdicts)?.evidence
            == ["bound to ClusterRole kubernetes-dashboard via ClusterRoleBinding kubernetes-dashboard (cluster-wide)"])
        #expect(F.failure(of: impostor, in: result.verdicts)?.evidence == ["spec.template.spec.serviceAccountName=kubernetes-dashboard"])
    }

    @Test func passesTheDashboardItself() {
        let snapshot = Fixture.snapshot {
            F.add([F.rule(["get"], ["pods"])], to: [dashboard], role: "kubernetes-dashboard", in: &$0)
            $0.deployments = [F.deployment("kubernetes-dashboard-web", namespace: "kubernetes-dashboard", serviceAccount: "kubernetes-dashboard")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// A User named like the dashboard is not its identity, and the deprecated `serviceAccount` field
    /// is read too.
    @Test func userNamedLikeDashboardAndDeprecatedField() {
        let namesake = Subject(kind: "User", name: "kubernetes-dashboard")
        var pod = Fixture.pod("debug", namespace: "kubernetes-dashboard", containers: [Fixture.container()])
        pod.spec.serviceAccount = "kubernetes-dashboard"
        let snapshot = Fixture.snapshot {
            $0.roles = [Fixture.role("kubernetes-dashboard", namespace: "kubernetes-dashboard", rules: [F.rule(["get"], ["secrets"])])]
            $0.roleBindings = [Fixture.roleBinding("kd", namespace: "kubernetes-dashboard", role: "kubernetes-dashboard", subjects: [namesake])]
            $0.pods = [pod]
        }
        let result = Fixture.run(control, on: snapshot)
        let podRef = ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "kubernetes-dashboard", name: "debug")
        #expect(result.failed == [podRef, namesake.ref].sorted())
        #expect(F.failure(of: podRef, in: result.verdicts)?.evidence == ["spec.serviceAccount=kubernetes-dashboard"])
    }
}

@Suite struct DefaultServiceAccountsTests {
    let control = RBACControls.defaultServiceAccounts
    let ref = ResourceRef(apiVersion: "v1", kind: "ServiceAccount", namespace: "apps", name: "default")

    @Test func failsDefaultAccountThatMountsTokens() {
        let snapshot = Fixture.snapshot {
            $0.serviceAccounts = [F.serviceAccountObject("default", "apps"), F.serviceAccountObject("web", "apps")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == [ref])
        #expect(result.failed == [ref])
        #expect(result.verdicts.first?.failure?.evidence == ["automountServiceAccountToken unset (tokens are mounted by default)"])
    }

    @Test func passesDisabledAndUnbound() {
        let snapshot = Fixture.snapshot { $0.serviceAccounts = [F.serviceAccountObject("default", "apps", automount: false)] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [ref])
    }

    /// With tokens disabled, a binding still fails it; an explicit true is reported as such.
    @Test func bindingsFailEvenWithAutomountDisabled() {
        var snapshot = F.granting([F.rule(["get"], ["pods"])], to: [Subject(kind: "ServiceAccount", name: "default")], namespace: "apps")
        snapshot.serviceAccounts = [F.serviceAccountObject("default", "apps", automount: false), F.serviceAccountObject("default", "shop", automount: true)]
        let result = Fixture.run(control, on: snapshot)
        let shop = ResourceRef(apiVersion: "v1", kind: "ServiceAccount", namespace: "shop", name: "default")
        #expect(result.failed == [ref, shop])
        let failure = F.failure(of: ref, in: result.verdicts)
        #expect(failure?.evidence == ["bound to ClusterRole r via RoleBinding apps/r (in namespace apps)"])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "r"), RelatedObject(kind: "RoleBinding", namespace: "apps", name: "r")])
        #expect(F.failure(of: shop, in: result.verdicts)?.evidence == ["automountServiceAccountToken=true"])
    }
}

// MARK: - Lookout attack paths

@Suite struct EscalationThroughRBACTests {
    let control = RBACControls.escalationThroughRBAC
    let rbac = ["rbac.authorization.k8s.io"]

    @Test func failsBindOnClusterRoles() {
        let result = Fixture.run(control, on: F.granting([F.rule(["bind"], ["clusterroles"], groups: rbac)], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[bind] apiGroups=[rbac.authorization.k8s.io] resources=[clusterroles]")])
        #expect(result.verdicts.first?.failure?.related == [RelatedObject(kind: "ClusterRole", name: "r"), RelatedObject(kind: "ClusterRoleBinding", name: "r")])
    }

    @Test func failsBindingWriterThatHoldsSecretsInTheSameNamespace() {
        let rules = [F.rule(["create"], ["rolebindings"], groups: rbac), F.rule(["get"], ["secrets"])]
        let result = Fixture.run(control, on: F.granting(rules, to: [F.alice], namespace: "apps"))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [
            F.line("verbs=[create] apiGroups=[rbac.authorization.k8s.io] resources=[rolebindings]", via: "RoleBinding apps/r", scope: "in namespace apps"),
            F.line(#"verbs=[get] apiGroups=[""] resources=[secrets]"#, rule: 1, via: "RoleBinding apps/r", scope: "in namespace apps"),
        ])
    }

    @Test func passesBindingWriterWithNothingPowerful() {
        let rules = [F.rule(["create", "update"], ["rolebindings"], groups: rbac), F.rule(["get", "list"], ["configmaps"])]
        let result = Fixture.run(control, on: F.granting(rules, to: [F.alice]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    /// Powers in another namespace cannot be handed on; cluster-wide ones can, from any namespace.
    @Test func scopesMustMeet() {
        var apart = F.granting([F.rule(["patch"], ["rolebindings"], groups: rbac)], to: [F.alice], role: "writer", namespace: "a")
        F.add([F.rule(["create"], ["pods"])], to: [F.alice], role: "power", namespace: "b", in: &apart)
        #expect(Fixture.run(control, on: apart).failed.isEmpty)

        var reaching = F.granting([F.rule(["patch"], ["rolebindings"], groups: rbac)], to: [F.alice], role: "writer", namespace: "a")
        F.add([F.rule(["create"], ["pods"])], to: [F.alice], role: "power", in: &reaching)
        let result = Fixture.run(control, on: reaching)
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence.count == 2)
    }
}

@Suite struct MintTokensTests {
    let control = RBACControls.mintTokens

    @Test func failsTokenRequestAndSecretCreation() {
        var snapshot = F.granting([F.rule(["create"], ["serviceaccounts/token"])], to: [F.alice], role: "tokens")
        F.add([F.rule(["create"], ["secrets"])], to: [F.ops], role: "secrets", namespace: "kube-system", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.ops.ref, F.alice.ref].sorted())
        #expect(F.failure(of: F.ops.ref, in: result.verdicts)?.evidence == [
            F.line(#"verbs=[create] apiGroups=[""] resources=[secrets]"#, role: "secrets", via: "RoleBinding kube-system/secrets", scope: "in namespace kube-system"),
        ])
    }

    @Test func passesReadingSecretsAndServiceAccounts() {
        let snapshot = F.granting([F.rule(["get", "list"], ["secrets", "serviceaccounts"])], to: [F.alice])
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }

    @Test func wildcardSubresourceOfServiceAccounts() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["create"], ["serviceaccounts/*"])], to: [F.alice])).failed == [F.alice.ref])
    }
}

@Suite struct KubeletAccessTests {
    let control = RBACControls.kubeletAccess

    @Test func failsGetOnNodesProxy() {
        let result = Fixture.run(control, on: F.granting([F.rule(["get"], ["nodes/proxy"])], to: [F.serviceAccount("agent", "monitoring")]))
        #expect(result.failed == [F.serviceAccount("agent", "monitoring").ref])
        #expect(result.verdicts.first?.failure?.message == "ServiceAccount monitoring/agent can reach kubelets through nodes/proxy")
        #expect(result.verdicts.first?.failure?.evidence == [F.line(#"verbs=[get] apiGroups=[""] resources=[nodes/proxy]"#)])
    }

    @Test func passesMetricsAndStats() {
        #expect(Fixture.run(control, on: F.granting([F.rule(["get"], ["nodes/metrics", "nodes/stats"])], to: [F.alice])).failed.isEmpty)
    }

    @Test func roleBindingCannotGrantNodes() {
        let result = Fixture.run(control, on: F.granting([F.rule(["*"], ["*"], groups: ["*"])], to: [F.alice], namespace: "apps"))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }
}

@Suite struct ApproveCertificatesTests {
    let control = RBACControls.approveCertificates
    let approval = F.rule(["update"], ["certificatesigningrequests/approval"], groups: ["certificates.k8s.io"])
    let signers = F.rule(["approve"], ["signers"], groups: ["certificates.k8s.io"], names: ["kubernetes.io/kube-apiserver-client"])

    @Test func failsWithApprovalAndSigner() {
        let result = Fixture.run(control, on: F.granting([approval, signers], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [
            F.line("verbs=[update] apiGroups=[certificates.k8s.io] resources=[certificatesigningrequests/approval]"),
            F.line("verbs=[approve] apiGroups=[certificates.k8s.io] resources=[signers] resourceNames=[kubernetes.io/kube-apiserver-client]", rule: 1),
        ])
    }

    @Test func passesApprovalWithoutSigner() {
        let result = Fixture.run(control, on: F.granting([approval], to: [F.alice]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    /// A signer granted only through a RoleBinding does not count: signers are cluster-scoped.
    @Test func signerThroughRoleBindingDoesNotCount() {
        var snapshot = F.granting([approval], to: [F.alice], role: "approval")
        F.add([signers], to: [F.alice], role: "signer", namespace: "apps", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed.isEmpty)
    }
}

@Suite struct ChangeAdmissionTests {
    let control = RBACControls.changeAdmission
    let group = ["admissionregistration.k8s.io"]

    @Test func failsDeletingAdmissionPolicies() {
        let result = Fixture.run(control, on: F.granting([F.rule(["delete"], ["validatingadmissionpolicies"], groups: group)], to: [F.alice]))
        #expect(result.failed == [F.alice.ref])
        #expect(result.verdicts.first?.failure?.evidence == [F.line("verbs=[delete] apiGroups=[admissionregistration.k8s.io] resources=[validatingadmissionpolicies]")])
    }

    @Test func passesReadingWebhooks() {
        let rule = F.rule(["get", "list", "watch"], ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], groups: group)
        #expect(Fixture.run(control, on: F.granting([rule], to: [F.alice])).failed.isEmpty)
    }

    @Test func webhookPatchCountsAndWildcardGroup() {
        var snapshot = F.granting([F.rule(["patch"], ["mutatingwebhookconfigurations"], groups: group)], to: [F.alice])
        F.add([F.rule(["deletecollection"], ["*"], groups: ["*"])], to: [F.ops], role: "wide", in: &snapshot)
        #expect(Fixture.run(control, on: snapshot).failed == [F.ops.ref, F.alice.ref].sorted())
    }
}

@Suite struct WorkloadsInKubeSystemTests {
    let control = RBACControls.workloadsInKubeSystem

    @Test func failsClusterWideAndKubeSystemGrants() {
        var snapshot = F.granting([F.rule(["create"], ["deployments"], groups: ["apps"])], to: [F.alice], role: "deploy")
        F.add([F.rule(["create"], ["pods"])], to: [F.ops], role: "pods", namespace: "kube-system", in: &snapshot)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.ops.ref, F.alice.ref].sorted())
        #expect(F.failure(of: F.alice.ref, in: result.verdicts)?.evidence == [F.line("verbs=[create] apiGroups=[apps] resources=[deployments]", role: "deploy", via: "ClusterRoleBinding deploy")])
    }

    @Test func passesGrantsInOtherNamespaces() {
        let result = Fixture.run(control, on: F.granting([F.rule(["create"], ["pods"])], to: [F.alice], namespace: "apps"))
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.alice.ref])
    }

    /// Rewriting an existing DaemonSet's template is as good as creating one.
    @Test func patchOnControllersCounts() {
        let result = Fixture.run(control, on: F.granting([F.rule(["patch"], ["daemonsets"], groups: ["apps"])], to: [F.alice], namespace: "kube-system"))
        #expect(result.failed == [F.alice.ref])
    }
}

@Suite struct DefaultServiceAccountInUseTests {
    let control = RBACControls.defaultServiceAccountInUse
    let web = ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web")

    func snapshot(_ deployment: Deployment, bound: Bool = true, automount: Bool? = nil) -> ClusterSnapshot {
        var snapshot = bound
            ? F.granting([F.rule(["get"], ["secrets"])], to: [Subject(kind: "ServiceAccount", name: "default")], role: "edit", namespace: "apps")
            : Fixture.snapshot { _ in }
        snapshot.serviceAccounts = [F.serviceAccountObject("default", "apps", automount: automount), F.serviceAccountObject("web", "apps")]
        snapshot.deployments = [deployment]
        return snapshot
    }

    @Test func failsWorkloadWithoutServiceAccountWhenDefaultIsBound() {
        let result = Fixture.run(control, on: snapshot(F.deployment("web")))
        #expect(result.failed == [web])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == [
            "spec.template.spec.serviceAccountName unset (runs as default)",
            "the ServiceAccount token is mounted (automountServiceAccountToken is not false on the pod or the ServiceAccount)",
            "bound to ClusterRole edit via RoleBinding apps/edit (in namespace apps)",
        ])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "edit"), RelatedObject(kind: "RoleBinding", namespace: "apps", name: "edit")])
    }

    @Test func passesWorkloadWithItsOwnServiceAccount() {
        let result = Fixture.run(control, on: snapshot(F.deployment("web", serviceAccount: "web")))
        #expect(result.failed.isEmpty)
        #expect(result.all == [web])
    }

    /// An unbound default account passes; naming `default` explicitly with tokens off still fails,
    /// without the token line.
    @Test func unboundDefaultAndExplicitNameWithoutToken() {
        #expect(Fixture.run(control, on: snapshot(F.deployment("web"), bound: false)).failed.isEmpty)
        let result = Fixture.run(control, on: snapshot(F.deployment("web", serviceAccount: "default"), automount: false))
        #expect(result.verdicts.first?.failure?.evidence == [
            "spec.template.spec.serviceAccountName=default",
            "bound to ClusterRole edit via RoleBinding apps/edit (in namespace apps)",
        ])
    }
}

@Suite struct DanglingBindingsTests {
    let control = RBACControls.danglingBindings

    @Test func failsMissingRoleAndMissingServiceAccount() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("old-ci", role: "ci-admin", subjects: [F.alice])]
            $0.roles = [Fixture.role("reader", namespace: "apps", rules: [F.rule(["get"], ["pods"])])]
            $0.roleBindings = [
                Fixture.roleBinding("readers", namespace: "apps", role: "reader",
                                    subjects: [Subject(kind: "ServiceAccount", name: "web"), Subject(kind: "ServiceAccount", name: "gone")])
            ]
            $0.serviceAccounts = [F.serviceAccountObject("web", "apps")]
        }
        let result = Fixture.run(control, on: snapshot)
        let crb = F.bindingRef("ClusterRoleBinding", "old-ci")
        let rb = F.bindingRef("RoleBinding", "readers", namespace: "apps")
        #expect(result.failed == [crb, rb])
        #expect(F.failure(of: crb, in: result.verdicts)?.evidence == ["roleRef ClusterRole ci-admin does not exist"])
        #expect(F.failure(of: rb, in: result.verdicts)?.evidence == ["subjects[1] ServiceAccount apps/gone does not exist"])
        #expect(F.failure(of: rb, in: result.verdicts)?.related == [RelatedObject(kind: "ServiceAccount", namespace: "apps", name: "gone")])
    }

    @Test func passesWhenEverythingExists() {
        var snapshot = F.granting([F.rule(["get"], ["pods"])], to: [F.serviceAccount("web", "apps"), F.alice])
        snapshot.serviceAccounts = [F.serviceAccountObject("web", "apps")]
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [F.bindingRef("ClusterRoleBinding", "r")])
    }

    /// A Role is looked up in the binding's namespace only, and a ServiceAccount in a namespace outside
    /// the scan is not judged.
    @Test func roleNamespaceAndOutOfScopeAccounts() {
        var snapshot = Fixture.snapshot {
            $0.roles = [Fixture.role("reader", namespace: "other", rules: [])]
            $0.roleBindings = [Fixture.roleBinding("readers", namespace: "apps", role: "reader", subjects: [])]
            $0.clusterRoles = [Fixture.clusterRole("view", rules: [])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("v", role: "view", subjects: [F.serviceAccount("agent", "hidden")])]
        }
        snapshot.scope = NamespaceScope(excluded: ["hidden"])
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [F.bindingRef("RoleBinding", "readers", namespace: "apps")])
        #expect(result.verdicts.first { $0.failure != nil }?.failure?.evidence == ["roleRef Role apps/reader does not exist"])
    }
}
