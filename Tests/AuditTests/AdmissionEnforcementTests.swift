@testable import Audit
import Inventory
import Testing

/// What a scan reports as already enforced at admission, per workload control.
@Suite struct AdmissionEnforcementTests {
    static let enforce = "pod-security.kubernetes.io/enforce"

    /// A privileged Deployment in each of `shop` and `web`, with namespace labels and admission objects as given.
    static func coverage(
        _ control: Control, labels: [String: [String: String]] = [:], policies: [ValidatingAdmissionPolicy] = [],
        bindings: [ValidatingAdmissionPolicyBinding] = [], webhooks: [WebhookConfiguration] = [], config: ControlsConfig = ControlsConfig()
    ) -> AdmissionCoverage? {
        let privileged = Fixture.container(securityContext: SecurityContext(privileged: true))
        let snapshot = Fixture.snapshot {
            $0.namespaces = ["shop", "web", "empty"].map { Namespace(metadata: Fixture.meta($0, namespace: nil, labels: labels[$0])) }
            $0.deployments = ["shop", "web"].map { Fixture.deployment("app", namespace: $0, containers: [privileged]) }
            $0.validatingAdmissionPolicies = policies
            $0.validatingAdmissionPolicyBindings = bindings
            $0.validatingWebhookConfigurations = webhooks
        }
        let result = Auditor.run([control], frameworks: [], in: AuditContext(snapshot: snapshot, config: config))
        return result.results.first?.admission
    }

    static func lookoutPolicy(_ id: String) -> ValidatingAdmissionPolicy {
        ValidatingAdmissionPolicy(metadata: Fixture.meta("lookout-\(id.lowercased())", namespace: nil, labels: [
            "app.kubernetes.io/managed-by": "lookout", "lookout/control-id": id,
        ]))
    }

    static func binding(_ id: String, actions: [String], excluding: [String]? = nil) -> ValidatingAdmissionPolicyBinding {
        let selector = excluding.map {
            LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "kubernetes.io/metadata.name", operator: "NotIn", values: $0)])
        }
        return ValidatingAdmissionPolicyBinding(
            metadata: Fixture.meta("lookout-\(id.lowercased())", namespace: nil),
            spec: .init(policyName: "lookout-\(id.lowercased())", validationActions: actions, matchResources: selector.map { .init(namespaceSelector: $0) }))
    }

    let privileged = WorkloadPrivilegeControls.privilegedContainer

    @Test func boundLookoutPolicyEnforcesItsControlInTheNamespacesItSelects() {
        let everywhere = Self.coverage(privileged, policies: [Self.lookoutPolicy("C-0057")], bindings: [Self.binding("C-0057", actions: ["Deny"])])
        #expect(everywhere == AdmissionCoverage(state: .enforced, by: ["ValidatingAdmissionPolicy lookout-c-0057 bound with Deny by lookout-c-0057 in 2 of 2 namespaces"]))
        let partly = Self.coverage(
            privileged, policies: [Self.lookoutPolicy("C-0057")], bindings: [Self.binding("C-0057", actions: ["Deny"], excluding: ["web"])])
        #expect(partly?.state == .partial)
        #expect(partly?.uncovered == ["web"])
    }

    /// Warn and Audit bindings refuse nothing; a policy of another control, or not Lookout's, does not count.
    @Test func warnOnlyOtherControlsAndForeignPoliciesDoNotCount() {
        let warn = Self.coverage(privileged, policies: [Self.lookoutPolicy("C-0057")], bindings: [Self.binding("C-0057", actions: ["Warn", "Audit"])])
        #expect(warn == AdmissionCoverage(state: .none, by: []))
        let other = Self.coverage(privileged, policies: [Self.lookoutPolicy("C-0017")], bindings: [Self.binding("C-0017", actions: ["Deny"])])
        #expect(other?.state == AdmissionCoverage.State.none)
        var foreign = Self.lookoutPolicy("C-0057")
        foreign.metadata.labels?["app.kubernetes.io/managed-by"] = "someone-else"
        #expect(Self.coverage(privileged, policies: [foreign], bindings: [Self.binding("C-0057", actions: ["Deny"])])?.state == AdmissionCoverage.State.none)
    }

    /// Baseline implies the host and privilege controls, restricted also escalation and seccomp; no
    /// level implies C-0013 (runAsGroup) or C-0017 (read-only root). Namespaces without workloads do not count.
    @Test func podSecurityLevelsImplyTheirControls() {
        let baseline = ["shop": [Self.enforce: "baseline"], "web": [Self.enforce: "restricted"]]
        #expect(Self.coverage(privileged, labels: baseline) == AdmissionCoverage(
            state: .enforced, by: ["Pod Security Admission enforce=baseline or restricted in 2 of 2 namespaces"]))
        #expect(Self.coverage(WorkloadPrivilegeControls.hostPathMount, labels: baseline)?.state == .enforced)
        let escalation = Self.coverage(WorkloadPrivilegeControls.allowPrivilegeEscalation, labels: baseline)
        #expect(escalation?.state == .partial)
        #expect(escalation?.uncovered == ["shop"])
        let restricted = ["shop": [Self.enforce: "restricted"], "web": [Self.enforce: "restricted"]]
        #expect(Self.coverage(WorkloadPrivilegeControls.linuxHardening, labels: restricted)?.state == .enforced)
        #expect(Self.coverage(WorkloadPrivilegeControls.nonRootContainers, labels: restricted)?.state == AdmissionCoverage.State.none)
        #expect(Self.coverage(WorkloadPrivilegeControls.immutableFilesystem, labels: restricted)?.state == AdmissionCoverage.State.none)
        #expect(Self.coverage(privileged, labels: ["shop": [Self.enforce: "privileged"]])?.state == AdmissionCoverage.State.none)
    }

    /// Baseline lets a container add SETPCAP, which the default insecure list names: only restricted
    /// covers C-0046, unless the list leaves out every capability baseline allows.
    @Test func insecureCapabilitiesFollowTheConfiguredList() {
        let baseline = ["shop": [Self.enforce: "baseline"], "web": [Self.enforce: "baseline"]]
        #expect(Self.coverage(WorkloadPrivilegeControls.insecureCapabilities, labels: baseline)?.state == AdmissionCoverage.State.none)
        var config = ControlsConfig()
        config.insecureCapabilities = ["SYS_ADMIN", "cap_net_raw"]
        #expect(Self.coverage(WorkloadPrivilegeControls.insecureCapabilities, labels: baseline, config: config)?.state == .enforced)
    }

    /// A known engine may enforce anything: its rules live in resources Lookout does not read.
    @Test func policyEngineIsUnverifiedAndNonWorkloadControlsHaveNoCoverage() {
        let kyverno = WebhookConfiguration(
            metadata: Fixture.meta("kyverno-resource-validating-webhook-cfg", namespace: nil), webhooks: [Tier2Fixture.webhook("v.kyverno.svc")])
        #expect(Self.coverage(privileged, webhooks: [kyverno]) == AdmissionCoverage(
            state: .unverified, by: ["Kyverno (webhook kyverno-resource-validating-webhook-cfg; its policies are not read)"]))
        #expect(Self.coverage(RBACControls.administrativeRoles) == nil)
    }
}
