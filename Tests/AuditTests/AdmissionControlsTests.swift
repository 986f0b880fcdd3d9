@testable import Audit
import Inventory
import Testing

private typealias Level = PodSecurityLevel

/// C-0193 … C-0204: one rule parameterised by the level each control needs; every case runs on every control.
@Suite struct PodSecurityEnforcementTests {
    static let baselineControls = [
        AdmissionControls.privilegedContainers, AdmissionControls.netRawCapability, AdmissionControls.windowsHostProcess,
        AdmissionControls.hostPathVolumes, AdmissionControls.hostPorts,
    ]
    static let restrictedControls = [
        AdmissionControls.allowPrivilegeEscalation, AdmissionControls.rootContainers, AdmissionControls.addedCapabilities,
        AdmissionControls.capabilitiesAssigned,
    ]
    static let all = baselineControls + restrictedControls

    @Test(arguments: NetFixture.cases(all)) func failsNamespaceWithWorkloadsAndNoEnforceLabel(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let result = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: ["pod-security.kubernetes.io/warn": "restricted"]))
        #expect(result.failed == [AdmissionFixture.apps])
        #expect(NetFixture.evidence(result.verdicts) == ["metadata.labels[pod-security.kubernetes.io/enforce] is not set"])
    }

    /// Restricted satisfies every control; namespaces without workloads are not evaluated.
    @Test(arguments: NetFixture.cases(all)) func passesRestrictedNamespace(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let result = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("restricted")))
        #expect(result.failed.isEmpty)
        #expect(result.all == [AdmissionFixture.apps])
    }

    @Test(arguments: NetFixture.cases(baselineControls)) func baselineSatisfiesBaselineControls(_ testCase: NetFixture.Case) {
        let control = testCase.control
        #expect(Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("baseline"))).failed.isEmpty)
    }

    @Test(arguments: NetFixture.cases(restrictedControls)) func baselineFailsRestrictedControls(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let result = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("baseline")))
        #expect(NetFixture.evidence(result.verdicts) == ["metadata.labels[pod-security.kubernetes.io/enforce]=baseline"])
        #expect(result.verdicts.first?.failure?.message == "Namespace apps runs workloads without Pod Security Admission enforcing restricted")
    }

    /// `privileged` is no enforcement and a typo is not a level: both fail, with the value in evidence.
    @Test(arguments: NetFixture.cases(all)) func privilegedOrInvalidLevelFails(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let privileged = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("privileged")))
        #expect(NetFixture.evidence(privileged.verdicts) == ["metadata.labels[pod-security.kubernetes.io/enforce]=privileged"])
        let typo = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("Restricted")))
        #expect(NetFixture.evidence(typo.verdicts) == ["metadata.labels[pod-security.kubernetes.io/enforce]=Restricted (not a Pod Security level)"])
    }

    @Test func levelsAndMetadata() {
        #expect(Level.baseline.satisfiedBy == "baseline or restricted")
        #expect(Level.privileged < Level.baseline && Level.baseline < Level.restricted)
        #expect(Self.all.allSatisfy { $0.frameworks == ["cis-v1.12.0"] && $0.reads.contains(.namespaces) && $0.reads.contains(.pods) })
        #expect(Self.all.map(\.id) == ["C-0193", "C-0199", "C-0202", "C-0203", "C-0204", "C-0197", "C-0198", "C-0200", "C-0201"])
    }

    @Test func skippedWhenNamespacesForbidden() {
        var snapshot = AdmissionFixture.cluster(appsLabels: nil)
        NetFixture.forbid(.namespaces, in: &snapshot)
        #expect(Fixture.run(AdmissionControls.privilegedContainers, on: snapshot).skipped == "forbidden: namespaces")
    }
}

@Suite struct ActivePolicyControlMechanismTests {
    let control = AdmissionControls.activePolicyControlMechanism

    @Test func failsEveryNamespaceWhenNothingIsActive() {
        let result = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: ["team": "shop"]))
        #expect(result.failed == [AdmissionFixture.apps, AdmissionFixture.idle])
        #expect(result.verdicts.first?.failure?.evidence == [
            "metadata.labels has no pod-security.kubernetes.io/enforce, warn or audit label (nor does any namespace)",
            "no Kyverno, Gatekeeper or Kubewarden ValidatingWebhookConfiguration",
        ])
    }

    /// One namespace with a warn (or audit) label is an active mechanism for the cluster.
    @Test func passesWhenAnyNamespaceHasAModeLabel() {
        let result = Fixture.run(control, on: AdmissionFixture.cluster(appsLabels: nil, idleLabels: ["pod-security.kubernetes.io/audit": "baseline"]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Engines are recognised by configuration name (Kyverno, Gatekeeper) or webhook name (Kubewarden names
    /// configurations after policies); an unrelated webhook does not count.
    @Test func recognisesPolicyEngines() {
        for configuration in [
            ClusterFixture.webhooks("kyverno-resource-validating-webhook-cfg", nil),
            ClusterFixture.webhooks("gatekeeper-validating-webhook-configuration", [Webhook(name: "validation.gatekeeper.sh")]),
            ClusterFixture.webhooks("clusterwide-no-privileged", [Webhook(name: "clusterwide-no-privileged.kubewarden.admission")]),
        ] {
            var snapshot = AdmissionFixture.cluster(appsLabels: nil)
            snapshot.validatingWebhookConfigurations = [configuration]
            #expect(Fixture.run(control, on: snapshot).failed.isEmpty, "\(configuration.name)")
        }
        var unrelated = AdmissionFixture.cluster(appsLabels: nil)
        unrelated.validatingWebhookConfigurations = [ClusterFixture.webhooks("cert-manager-webhook", [Webhook(name: "webhook.cert-manager.io")])]
        #expect(Fixture.run(control, on: unrelated).failed.count == 2)
        #expect(AdmissionControls.detectedPolicyEngines(in: Fixture.snapshot {
            $0.validatingWebhookConfigurations = [ClusterFixture.webhooks("kyverno-policy-validating-webhook-cfg", nil)]
        }) == ["Kyverno (ValidatingWebhookConfiguration kyverno-policy-validating-webhook-cfg)"])
    }

    /// Without labels the answer depends on the webhooks: skipped when they may not be listed; with a label
    /// the webhooks are not needed.
    @Test func webhooksNeededOnlyWithoutLabels() {
        var unlabelled = AdmissionFixture.cluster(appsLabels: nil)
        NetFixture.forbid(.validatingwebhookconfigurations, in: &unlabelled)
        #expect(Fixture.run(control, on: unlabelled).skipped == "forbidden: validatingwebhookconfigurations")
        var labelled = AdmissionFixture.cluster(appsLabels: AdmissionFixture.enforcing("baseline"))
        NetFixture.forbid(.validatingwebhookconfigurations, in: &labelled)
        #expect(Fixture.run(control, on: labelled).failed.isEmpty)
        #expect(Fixture.run(control, on: labelled).all.count == 2)
    }
}

@Suite struct SkippedByDesignAdmissionTests {
    @Test func imagePolicyWebhookIsManualReview() {
        let result = Fixture.run(AdmissionControls.imagePolicyWebhook, on: Fixture.snapshot { _ in })
        #expect(result.skipped == "manual review: image provenance policy lives in the API server's admission configuration and the verifying backend, which the API does not show")
        #expect(AdmissionControls.imagePolicyWebhook.frameworks == ["cis-v1.12.0"])
    }
}

/// The three families' controls as the catalogue holds them: present once, scored as controls.md says.
@Suite struct NetworkClusterAdmissionCatalogueTests {
    static let families = NetworkControls.all + ClusterControls.all + AdmissionControls.all

    @Test func everyControlIsCataloguedOnce() {
        let ids = Self.families.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids { #expect(Catalogue.controls.filter { $0.id == id }.count == 1, "\(id)") }
        #expect(ids.count == 32)
        #expect(!ids.contains("C-0069") && !ids.contains("C-0070"))
    }

    @Test func baseScoresAndInformationalFlags() {
        let expected: [String: Double] = [
            "C-0054": 4, "C-0049": 3, "C-0206": 4, "C-0030": 6, "C-0260": 5, "C-0205": 4, "C-0256": 7, "C-0021": 6,
            "C-0042": 3, "C-0263": 7, "C-0266": 7, "C-0005": 9, "C-0066": 6, "C-0067": 5, "C-0068": 1, "C-0088": 7,
            "C-0052": 7, "C-0026": 1, "C-0036": 3, "C-0039": 4, "C-0274": 7, "C-0192": 4, "C-0193": 8, "C-0197": 6,
            "C-0198": 6, "C-0199": 6, "C-0200": 5, "C-0201": 5, "C-0202": 7, "C-0203": 6, "C-0204": 4, "C-0289": 7,
        ]
        #expect(Dictionary(uniqueKeysWithValues: Self.families.map { ($0.id, $0.baseScore) }) == expected)
        #expect(Self.families.filter(\.informational).map(\.id).sorted() == ["C-0026", "C-0036", "C-0039"])
        #expect(Self.families.allSatisfy { !$0.description.isEmpty && !$0.rationale.isEmpty && !$0.remediation.isEmpty && !$0.example.isEmpty })
    }
}
