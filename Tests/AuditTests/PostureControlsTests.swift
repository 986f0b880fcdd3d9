@testable import Audit
import Inventory
import Testing

private let enforce = "pod-security.kubernetes.io/enforce"

@Suite struct NamespaceWithoutPodSecurityTests {
    let control = PostureControls.namespaceWithoutPodSecurity

    @Test func failsUnlabelledAndPrivilegedNamespaces() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [
                Tier2Fixture.namespace("open"), Tier2Fixture.namespace("wide", labels: [enforce: "privileged"]),
                Tier2Fixture.namespace("closed", labels: [enforce: "baseline"]),
            ]
            $0.deployments = ["open", "wide", "closed"].map { Tier2Fixture.deployment("web", namespace: $0) }
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == ["closed", "open", "wide"].map(Tier2Fixture.namespaceRef))
        #expect(result.failed == [Tier2Fixture.namespaceRef("open"), Tier2Fixture.namespaceRef("wide")])
        #expect(result.verdicts.first { $0.resource.name == "open" }?.failure?.evidence == ["metadata.labels[\(enforce)] is not set"])
        #expect(result.verdicts.first { $0.resource.name == "wide" }?.failure?.evidence == ["metadata.labels[\(enforce)]=privileged"])
    }

    @Test func passesRestrictedNamespace() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("shop", labels: [enforce: "restricted"])]
            $0.pods = [Fixture.pod("p", namespace: "shop", containers: [Fixture.container()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [Tier2Fixture.namespaceRef("shop")])
    }

    /// System namespaces are evaluated but never failed; a namespace without workloads is not evaluated;
    /// an invalid level fails; the system list comes from controls-config.
    @Test func systemNamespacesEmptyNamespacesAndInvalidLevel() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [
                Tier2Fixture.namespace("kube-system"), Tier2Fixture.namespace("empty"),
                Tier2Fixture.namespace("typo", labels: [enforce: "baselin"]), Tier2Fixture.namespace("platform"),
            ]
            $0.daemonSets = [DaemonSet(
                metadata: Fixture.meta("kube-proxy", namespace: "kube-system"),
                spec: DaemonSet.Spec(template: PodTemplate(labels: ["k8s-app": "kube-proxy"], spec: PodSpec(containers: [Fixture.container()]))))]
            $0.deployments = [Tier2Fixture.deployment("web", namespace: "typo"), Tier2Fixture.deployment("agent", namespace: "platform")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == ["kube-system", "platform", "typo"].map(Tier2Fixture.namespaceRef))
        #expect(result.failed == [Tier2Fixture.namespaceRef("platform"), Tier2Fixture.namespaceRef("typo")])
        #expect(result.verdicts.first { $0.resource.name == "typo" }?.failure?.evidence == ["metadata.labels[\(enforce)]=baselin (not a Pod Security level)"])

        var config = ControlsConfig()
        config.systemNamespaces.append("platform")
        #expect(Fixture.run(control, on: snapshot, config: config).failed == [Tier2Fixture.namespaceRef("typo")])
    }
}

@Suite struct NamespaceWithoutResourcePolicyTests {
    let control = PostureControls.namespaceWithoutResourcePolicy

    @Test func failsNamespaceWithNeither() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("shop")]
            $0.deployments = [Tier2Fixture.deployment("web", namespace: "shop")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.namespaceRef("shop")])
        #expect(Tier2Fixture.evidence(result.verdicts) == ["no ResourceQuota in namespace shop", "no LimitRange in namespace shop"])
    }

    /// Either object is enough.
    @Test func passesWithQuotaOrLimitRange() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("a"), Tier2Fixture.namespace("b")]
            $0.deployments = [Tier2Fixture.deployment("web", namespace: "a"), Tier2Fixture.deployment("web", namespace: "b")]
            $0.resourceQuotas = [NamespacePolicyObject(metadata: Fixture.meta("quota", namespace: "a"))]
            $0.limitRanges = [NamespacePolicyObject(metadata: Fixture.meta("limits", namespace: "b"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// A namespace without workloads is not evaluated; a quota elsewhere does not count.
    @Test func emptyNamespaceIsNotJudgedAndQuotaIsPerNamespace() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("empty"), Tier2Fixture.namespace("busy")]
            $0.pods = [Fixture.pod("p", namespace: "busy", containers: [Fixture.container()])]
            $0.resourceQuotas = [NamespacePolicyObject(metadata: Fixture.meta("quota", namespace: "empty"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == [Tier2Fixture.namespaceRef("busy")])
        #expect(result.failed == [Tier2Fixture.namespaceRef("busy")])
    }

    @Test func skippedWhenLimitRangesAreForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.limitranges)
        snapshot.errors = [CollectionError(resource: "limitranges", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: limitranges")
    }
}

@Suite struct WebhookFailsOpenTests {
    let control = PostureControls.webhookFailsOpen

    @Test func failsIgnoreWebhooksInBothKinds() {
        let snapshot = Fixture.snapshot {
            $0.validatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("policy", [
                Tier2Fixture.webhook("strict.policy.example.com"), Tier2Fixture.webhook("lenient.policy.example.com", failurePolicy: "Ignore"),
            ])]
            $0.mutatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("inject", [
                Tier2Fixture.webhook("sidecar.example.com", failurePolicy: "Ignore"),
            ])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.mutatingRef("inject"), Tier2Fixture.validatingRef("policy")])
        #expect(result.verdicts.first { $0.resource.name == "policy" }?.failure?.evidence == ["webhooks[1] (lenient.policy.example.com).failurePolicy=Ignore"])
        #expect(result.verdicts.first { $0.resource.name == "policy" }?.failure?.message == "ValidatingWebhookConfiguration policy has a webhook that fails open")
    }

    @Test func passesFailWebhooks() {
        let snapshot = Fixture.snapshot {
            $0.validatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("policy", [Tier2Fixture.webhook("a.example.com")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [Tier2Fixture.validatingRef("policy")])
    }

    /// An unset failurePolicy is v1's default, Fail; a configuration without webhooks passes.
    @Test func unsetPolicyAndEmptyConfiguration() {
        let snapshot = Fixture.snapshot {
            $0.validatingWebhookConfigurations = [
                Tier2Fixture.webhookConfiguration("unset", [Tier2Fixture.webhook("a.example.com", failurePolicy: nil)]),
                WebhookConfiguration(metadata: Fixture.meta("empty", namespace: nil), webhooks: nil),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }
}

@Suite struct WebhookCanBlockControlPlaneTests {
    let control = PostureControls.webhookCanBlockControlPlane

    @Test func failsFailWebhookWithoutSelectors() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("kube-system")]
            $0.validatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("gate", [Tier2Fixture.webhook("gate.example.com")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.validatingRef("gate")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "webhooks[0] (gate.example.com).failurePolicy=Fail and no namespaceSelector or objectSelector exempts kube-system"
        ])
    }

    /// Exempt by the name label (set by the API server from 1.21, even when the snapshot's namespace
    /// lacks it), by a label kube-system carries, or by an opt-in objectSelector; Ignore webhooks
    /// cannot block anything.
    @Test func passesExemptingSelectorsAndIgnoreWebhooks() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("kube-system", labels: ["control-plane": "true"])]
            $0.validatingWebhookConfigurations = [
                Tier2Fixture.webhookConfiguration("by-name", [Tier2Fixture.webhook(
                    "a.example.com",
                    namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"])]))]),
                Tier2Fixture.webhookConfiguration("by-label", [Tier2Fixture.webhook(
                    "b.example.com", namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "control-plane", operator: "DoesNotExist")]))]),
                Tier2Fixture.webhookConfiguration("opt-in", [Tier2Fixture.webhook("c.example.com", objectSelector: LabelSelector(matchLabels: ["policy": "on"]))]),
                Tier2Fixture.webhookConfiguration("lenient", [Tier2Fixture.webhook("d.example.com", failurePolicy: "Ignore")]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 4)
    }

    /// A selector that matches kube-system anyway (an opt-out label it does not carry, an objectSelector
    /// that only excludes) does not exempt it; an unset failurePolicy is Fail.
    @Test func selectorsThatStillMatchKubeSystem() {
        let snapshot = Fixture.snapshot {
            $0.mutatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("inject", [
                Tier2Fixture.webhook("opt-out.example.com", failurePolicy: nil,
                                     namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "inject", operator: "NotIn", values: ["off"])])),
                Tier2Fixture.webhook("exclude.example.com",
                                     objectSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "skip", operator: "DoesNotExist")])),
            ])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.mutatingRef("inject")])
        #expect(Tier2Fixture.evidence(result.verdicts).count == 2)
    }
}

@Suite struct NoAdmissionPolicyTests {
    let control = PostureControls.noAdmissionPolicy

    @Test func failsClusterWithNothingAtAdmission() {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("shop", labels: [enforce: "privileged", "pod-security.kubernetes.io/warn": "restricted"])]
            $0.mutatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("inject", [Tier2Fixture.webhook("a.example.com")])]
            $0.validatingAdmissionPolicies = [ValidatingAdmissionPolicy(metadata: Fixture.meta("audit-only", namespace: nil))]
            $0.validatingAdmissionPolicyBindings = [ValidatingAdmissionPolicyBinding(
                metadata: Fixture.meta("audit-only", namespace: nil), spec: .init(policyName: "audit-only", validationActions: ["Warn", "Audit"]))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [.cluster])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "no ValidatingWebhookConfiguration with a webhook", "no ValidatingAdmissionPolicy is bound with the Deny action",
            "no namespace has pod-security.kubernetes.io/enforce=baseline or restricted",
        ])
    }

    @Test(arguments: ["webhook", "policy", "namespace"])
    func passesWithAnyOneMechanism(mechanism: String) {
        let snapshot = Fixture.snapshot {
            $0.namespaces = [Tier2Fixture.namespace("shop", labels: mechanism == "namespace" ? [enforce: "baseline"] : nil)]
            if mechanism == "webhook" {
                $0.validatingWebhookConfigurations = [Tier2Fixture.webhookConfiguration("kyverno", [Tier2Fixture.webhook("v.kyverno.svc")])]
            }
            if mechanism == "policy" {
                $0.validatingAdmissionPolicies = [ValidatingAdmissionPolicy(metadata: Fixture.meta("no-privileged", namespace: nil))]
                $0.validatingAdmissionPolicyBindings = [ValidatingAdmissionPolicyBinding(
                    metadata: Fixture.meta("no-privileged", namespace: nil), spec: .init(policyName: "no-privileged", validationActions: ["Deny"]))]
            }
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [.cluster])
    }

    /// On a cluster without ValidatingAdmissionPolicy (before 1.26) the evidence says so; when the API is
    /// served but forbidden, the control is skipped; a binding to a missing policy does not count.
    @Test func admissionPolicyAPINotServedForbiddenOrDangling() {
        var old = Fixture.snapshot {
            $0.validatingAdmissionPolicyBindings = [ValidatingAdmissionPolicyBinding(
                metadata: Fixture.meta("dangling", namespace: nil), spec: .init(policyName: "gone"))]
        }
        #expect(Fixture.run(control, on: old).failed == [.cluster])
        #expect(Tier2Fixture.evidence(Fixture.run(control, on: old).verdicts).contains("no ValidatingAdmissionPolicy is bound with the Deny action"))
        old.collected.subtract(PostureControls.admissionPolicyKinds)
        #expect(Tier2Fixture.evidence(Fixture.run(control, on: old).verdicts).contains("ValidatingAdmissionPolicy is not served by this cluster"))

        var forbidden = Fixture.snapshot { _ in }
        forbidden.collected.remove(.validatingadmissionpolicies)
        forbidden.errors = [CollectionError(resource: "validatingadmissionpolicies", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: forbidden).skipped == "forbidden: validatingadmissionpolicies")
    }
}

@Suite struct ExposedCriticalVulnerabilitiesTests {
    let control = PostureControls.exposedCriticalVulnerabilities

    /// Trivy reports on the ReplicaSet; the finding is the Deployment's, with the report and Service related.
    @Test func failsExposedDeploymentThroughItsReplicaSetReport() {
        let deployment = Tier2Fixture.deployment("web", image: "nginx:1.14")
        let replicaSet = ReplicaSet(metadata: Fixture.meta("web-5d8f", owner: OwnerReference(kind: "Deployment", name: "web")), spec: deployment.spec)
        let snapshot = Fixture.snapshot {
            $0.deployments = [deployment]
            $0.replicaSets = [replicaSet]
            $0.services = [Tier2Fixture.service("web", type: "LoadBalancer")]
            $0.vulnerabilityReports = [Tier2Fixture.vulnerabilityReport("replicaset-web-5d8f-app", kind: "ReplicaSet", object: "web-5d8f", critical: 3)]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all == [Tier2Fixture.deploymentRef("web")])
        #expect(result.failed == [Tier2Fixture.deploymentRef("web")])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == ["container app runs library/nginx:1.14, which has critical vulnerabilities", "exposed by Service apps/web (LoadBalancer)"])
        #expect(failure?.message == "Deployment web is reachable from outside the cluster and runs images with 3 critical vulnerabilities")
        #expect(failure?.related == [
            RelatedObject(kind: "VulnerabilityReport", namespace: "apps", name: "replicaset-web-5d8f-app"),
            RelatedObject(kind: "Service", namespace: "apps", name: "web"),
        ])
    }

    /// Issue 11 defect 6: hostile reports whose counts add past Int.max trapped the audit.
    @Test func criticalCountsThatOverflowSaturate() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [Tier2Fixture.deployment("web", image: "nginx:1.14")]
            $0.services = [Tier2Fixture.service("web", type: "LoadBalancer")]
            $0.vulnerabilityReports = ["a", "b", "c"].map {
                Tier2Fixture.vulnerabilityReport("deployment-web-\($0)", kind: "Deployment", object: "web", container: $0, critical: Int.max)
            }
        }
        let failure = Fixture.run(control, on: snapshot).verdicts.first?.failure
        #expect(failure?.message == "Deployment web is reachable from outside the cluster and runs images with \(Int.max) critical vulnerabilities")
    }

    /// Critical but internal, and exposed but with no critical vulnerability: both pass.
    @Test func passesInternalOrClean() {
        let snapshot = Fixture.snapshot {
            $0.statefulSets = [StatefulSet(metadata: Fixture.meta("db"), spec: Tier2Fixture.deployment("db", labels: ["app": "db"]).spec)]
            $0.deployments = [Tier2Fixture.deployment("web")]
            $0.services = [Tier2Fixture.service("db", selector: ["app": "db"]), Tier2Fixture.service("web", type: "NodePort")]
            $0.vulnerabilityReports = [
                Tier2Fixture.vulnerabilityReport("statefulset-db-app", kind: "StatefulSet", object: "db", critical: 5),
                Tier2Fixture.vulnerabilityReport("deployment-web-app", kind: "Deployment", object: "web", critical: 0),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// A Job's report reaches its CronJob; a hostPort is exposure; without the Trivy API the control is
    /// skipped, never passed.
    @Test func cronJobThroughJobReportAndSkippedWithoutTrivy() {
        var container = Container(name: "app", image: "registry.example/batch:1")
        container.ports = [ContainerPort(containerPort: 9000, hostPort: 9000)]
        let template = PodTemplate(labels: ["app": "batch"], spec: PodSpec(containers: [container]))
        var snapshot = Fixture.snapshot {
            $0.cronJobs = [CronJob(metadata: Fixture.meta("nightly"), spec: CronJob.Spec(schedule: "@daily", jobTemplate: CronJob.JobTemplate(spec: Job.Spec(template: template))))]
            $0.jobs = [Job(metadata: Fixture.meta("nightly-2900", owner: OwnerReference(kind: "CronJob", name: "nightly")), spec: Job.Spec(template: template))]
            $0.vulnerabilityReports = [Tier2Fixture.vulnerabilityReport("job-nightly-2900-app", kind: "Job", object: "nightly-2900", critical: 1)]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "batch/v1", kind: "CronJob", namespace: "apps", name: "nightly")])
        #expect(Tier2Fixture.evidence(result.verdicts).last == "spec.jobTemplate.spec.template.spec.containers[0].ports[0].hostPort=9000")

        snapshot.collected.remove(.vulnerabilityreports)
        #expect(Fixture.run(control, on: snapshot).skipped == "not served by this cluster: vulnerabilityreports")
    }

    @Test func postureFamilyMetadata() {
        #expect(PostureControls.all.map(\.id) == ["LO-003", "LO-004", "LO-030", "LO-031", "LO-032", "LO-050"])
        #expect(PostureControls.all.map(\.baseScore) == [5, 3, 5, 4, 6, 8])
        #expect(PostureControls.all.allSatisfy { $0.frameworks == ["lookout"] && !$0.example.isEmpty && !$0.rationale.isEmpty && !$0.informational })
    }
}
