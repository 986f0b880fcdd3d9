@testable import Audit
import Inventory
import Testing

private let automountField = "spec.template.spec.automountServiceAccountToken"

/// Deployment `name` running as ServiceAccount `account` (nil: the default one).
private func runningAs(_ name: String, account: String? = nil, automount: Bool? = nil, namespace: String = "apps") -> Deployment {
    PrivilegeFixture.deployment(name, namespace: namespace, spec: PrivilegeFixture.spec([Fixture.container()]) {
        $0.serviceAccountName = account
        $0.automountServiceAccountToken = automount
    })
}

private func serviceAccountSubject(_ name: String, namespace: String = "apps") -> Subject {
    Subject(kind: "ServiceAccount", name: name, namespace: namespace)
}

@Suite struct AutomountServiceAccountTests {
    let control = WorkloadPrivilegeControls.automountServiceAccount

    @Test func failsWhenServiceAccountDoesNotOptOut() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [runningAs("web")]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("default")]
        })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        let failure = result.verdicts.failure(of: "web")
        #expect(failure?.evidence == ["\(automountField) is unset and ServiceAccount default does not set automountServiceAccountToken"])
        #expect(failure?.related == [RelatedObject(kind: "ServiceAccount", namespace: "apps", name: "default")])
    }

    @Test func passesWhenServiceAccountOptsOut() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [runningAs("web", account: "web")]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("web", automount: false)]
        })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The pod's setting wins over the ServiceAccount's either way; a missing account counts as mounting.
    @Test func podSettingWinsAndMissingAccountMounts() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [
                runningAs("forced", account: "quiet", automount: true), runningAs("disabled", account: "loud", automount: false),
                runningAs("orphan", account: "ghost"), runningAs("explicit", account: "loud"),
            ]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("quiet", automount: false), PrivilegeFixture.serviceAccount("loud", automount: true)]
        })
        #expect(result.failed.map(\.name) == ["explicit", "forced", "orphan"])
        #expect(result.verdicts.evidence(of: "forced") == ["\(automountField)=true"])
        #expect(result.verdicts.evidence(of: "orphan") == ["\(automountField) is unset and ServiceAccount ghost was not found"])
        #expect(result.verdicts.evidence(of: "explicit") == ["\(automountField) is unset and ServiceAccount loud sets automountServiceAccountToken=true"])
    }

    @Test func skippedWhenServiceAccountsForbidden() {
        var snapshot = Fixture.snapshot { $0.deployments = [runningAs("web")] }
        snapshot.collected.remove(.serviceaccounts)
        snapshot.errors = [CollectionError(resource: "serviceaccounts", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: serviceaccounts")
    }
}

@Suite struct ServiceAccountTokensMountedWhereNecessaryTests {
    let control = WorkloadPrivilegeControls.serviceAccountTokensMountedWhereNecessary

    @Test func failsAutomountedToken() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [runningAs("web", automount: true)] })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == ["\(automountField)=true"])
    }

    @Test func passesDisabledToken() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [runningAs("web", automount: false)] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// CIS 5.1.6 is C-0034's check under another ID and score: same verdicts on the same snapshot.
    @Test func sameVerdictsAsC0034() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [runningAs("a"), runningAs("b", account: "b"), runningAs("c", automount: false)]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("b", automount: false)]
        }
        let cis = Fixture.run(control, on: snapshot)
        #expect(cis.failed.map(\.name) == ["a"])
        #expect(cis.verdicts.sorted { $0.resource < $1.resource } == Fixture.run(WorkloadPrivilegeControls.automountServiceAccount, on: snapshot).verdicts.sorted { $0.resource < $1.resource })
        #expect(control.baseScore == 5 && control.frameworks == ["cis-v1.12.0"])
    }
}

@Suite struct ServiceAccountTokenMountedTests {
    let control = WorkloadPrivilegeControls.serviceAccountTokenMounted

    private func reader(_ build: (inout ClusterSnapshot) -> Void = { _ in }) -> ClusterSnapshot {
        Fixture.snapshot {
            $0.roles = [Fixture.role("reader", namespace: "apps", rules: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"])])]
            $0.roleBindings = [Fixture.roleBinding("web-reader", namespace: "apps", role: "reader", subjects: [serviceAccountSubject("web")])]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("web")]
            build(&$0)
        }
    }

    @Test func failsMountedTokenWithBindings() {
        let result = Fixture.run(control, on: reader { $0.deployments = [runningAs("web", account: "web")] })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        let failure = result.verdicts.failure(of: "web")
        #expect(failure?.evidence == [
            "\(automountField) is unset and ServiceAccount web does not set automountServiceAccountToken",
            "Role apps/reader rules[0] verbs=[get] apiGroups=[\"\"] resources=[configmaps] via RoleBinding apps/web-reader (in namespace apps)",
        ])
        #expect(failure?.related == [
            RelatedObject(kind: "ServiceAccount", namespace: "apps", name: "web"),
            RelatedObject(kind: "Role", namespace: "apps", name: "reader"),
            RelatedObject(kind: "RoleBinding", namespace: "apps", name: "web-reader"),
        ])
    }

    @Test func passesWithoutBindingsOrWithoutToken() {
        let result = Fixture.run(control, on: reader {
            $0.deployments = [runningAs("other", account: "other"), runningAs("web", account: "web", automount: false)]
        })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Grants to the groups every ServiceAccount token carries count, and the line names the group.
    @Test func groupGrantsCount() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("viewer", rules: [PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["pods"])])]
            $0.roleBindings = [Fixture.roleBinding("all-sa", namespace: "apps", roleKind: "ClusterRole", role: "viewer",
                                                   subjects: [Subject(kind: "Group", name: "system:serviceaccounts:apps")])]
            $0.deployments = [runningAs("web"), runningAs("elsewhere", namespace: "other")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(result.verdicts.evidence(of: "web")?.last
            == "ClusterRole viewer rules[0] verbs=[list] apiGroups=[\"\"] resources=[pods] via RoleBinding apps/all-sa (in namespace apps) to Group system:serviceaccounts:apps")
    }
}

@Suite struct ClusterTakeoverRolesTests {
    let control = WorkloadPrivilegeControls.clusterTakeoverRoles

    private func granting(_ rules: [PolicyRule], automount: Bool? = nil) -> ClusterSnapshot {
        Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("powers", rules: rules)]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("ci-powers", role: "powers", subjects: [serviceAccountSubject("ci")])]
            $0.deployments = [runningAs("ci", account: "ci", automount: automount)]
        }
    }

    @Test func failsWorkloadCreation() {
        let result = Fixture.run(control, on: granting([
            PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"]),
            PolicyRule(verbs: ["create", "delete"], apiGroups: ["apps"], resources: ["deployments"]),
        ]))
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "ci")])
        #expect(result.verdicts.evidence(of: "ci") == [
            "\(automountField) is unset and ServiceAccount ci was not found",
            "ClusterRole powers rules[1] verbs=[create,delete] apiGroups=[apps] resources=[deployments] via ClusterRoleBinding ci-powers (cluster-wide)",
        ])
    }

    @Test func passesReadOnlyPods() {
        let result = Fixture.run(control, on: granting([PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "services"])]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Reading Secrets alone is takeover (wildcards count); a rule limited to named Secrets is not;
    /// nothing counts when the token is not mounted.
    @Test func secretReadingAndItsLimits() {
        let named = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["app-config"])
        let wildcard = PolicyRule(verbs: ["list"], apiGroups: ["*"], resources: ["*"])
        #expect(Fixture.run(control, on: granting([named])).failed.isEmpty)
        #expect(Fixture.run(control, on: granting([named, wildcard])).verdicts.evidence(of: "ci")?.count == 2)
        #expect(Fixture.run(control, on: granting([wildcard], automount: false)).failed.isEmpty)
    }
}

@Suite struct WorkloadAdministrativeRolesTests {
    let control = WorkloadPrivilegeControls.workloadAdministrativeRoles

    @Test func failsServiceAccountBoundToClusterAdmin() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("ops-admin", role: "cluster-admin", subjects: [serviceAccountSubject("ops")])]
            $0.serviceAccounts = [PrivilegeFixture.serviceAccount("ops", automount: true)]
            $0.deployments = [runningAs("ops", account: "ops")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "ops")])
        #expect(result.verdicts.evidence(of: "ops") == [
            "\(automountField) is unset and ServiceAccount ops sets automountServiceAccountToken=true",
            "ClusterRole cluster-admin rules[0] verbs=[*] apiGroups=[*] resources=[*] via ClusterRoleBinding ops-admin (cluster-wide)",
        ])
    }

    @Test func passesNarrowRole() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("edit-pods", rules: [PolicyRule(verbs: ["*"], apiGroups: [""], resources: ["pods"])])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("b", role: "edit-pods", subjects: [serviceAccountSubject("ops")])]
            $0.deployments = [runningAs("ops", account: "ops")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A same-named ServiceAccount of another namespace is a different identity, and an admin account
    /// whose token is not mounted does not fail the workload.
    @Test func identityIsPerNamespaceAndNeedsAMountedToken() {
        let snapshot = Fixture.snapshot {
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding("b", role: "cluster-admin", subjects: [serviceAccountSubject("ops", namespace: "infra")])]
            $0.deployments = [runningAs("ops", account: "ops"), runningAs("infra-ops", account: "ops", automount: false, namespace: "infra")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    @Test func skippedWhenBindingsForbidden() {
        var snapshot = Fixture.snapshot { $0.deployments = [runningAs("ops")] }
        snapshot.collected.remove(.clusterrolebindings)
        snapshot.errors = [CollectionError(resource: "clusterrolebindings", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: clusterrolebindings")
    }
}
