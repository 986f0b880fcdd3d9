@testable import Audit
import Inventory
import Testing

private let apiServer = ClusterFixture.apiServerRef

@Suite struct CommandLineFlagsTests {
    @Test func readsBothFormsFromCommandAndArgs() {
        var container = Container(name: "kube-apiserver")
        container.command = ["kube-apiserver", "--authorization-mode=Node,RBAC", "--audit-policy-file", "/etc/audit.yaml"]
        container.args = ["--profiling", "--v=2", "--enable-admission-plugins", "NodeRestriction"]
        let flags = CommandLineFlags(container, path: "spec.containers[0]")
        #expect(flags.flags.map(\.text) == [
            "--authorization-mode=Node,RBAC", "--audit-policy-file=/etc/audit.yaml", "--profiling", "--v=2",
            "--enable-admission-plugins=NodeRestriction",
        ])
        #expect(flags.flags.map(\.path) == [
            "spec.containers[0].command[1]", "spec.containers[0].command[2]", "spec.containers[0].args[0]",
            "spec.containers[0].args[1]", "spec.containers[0].args[2]",
        ])
        #expect(flags.value(of: "profiling") == nil)
        #expect(flags.flag("profiling") != nil)
        #expect(flags.list("authorization-mode") == ["Node", "RBAC"])
    }

    /// The last occurrence wins for a value, list flags accumulate, and a shell wrapper is split into words.
    @Test func repeatedFlagsAndShellWrappers() throws {
        var container = Container(name: "kube-apiserver")
        container.command = ["/bin/sh", "-c", "exec kube-apiserver --insecure-port=0 --enable-admission-plugins=A,B\n--insecure-port=8080"]
        container.args = ["--enable-admission-plugins=C", "--empty="]
        let flags = CommandLineFlags(container, path: "spec.containers[1]")
        #expect(flags.value(of: "insecure-port") == "8080")
        #expect(flags.flag("insecure-port")?.path == "spec.containers[1].command[2]")
        #expect(flags.list("enable-admission-plugins") == ["A", "B", "C"])
        #expect(flags.value(of: "empty") == "")
        let insecurePort = try #require(flags.flag("insecure-port"))
        #expect(flags.evidence(insecurePort) == "spec.containers[1].command[2]=--insecure-port=8080")
        #expect(flags.absence("audit-log-path", "x") == "spec.containers[1]: --audit-log-path is not set (x)")
    }

    @Test func parsesKubernetesVersions() {
        #expect(SemanticVersion("v1.30.2") == SemanticVersion(1, 30, 2))
        #expect(SemanticVersion("v1.27.3-eks-a5565ad") == SemanticVersion(1, 27, 3))
        #expect(SemanticVersion("v1.25+k3s1") == SemanticVersion(1, 25, 0))
        #expect(SemanticVersion("latest") == nil)
        #expect(SemanticVersion(1, 9, 0) < SemanticVersion(1, 19, 0))
        // A minor release compares below any patch of the next one and not below its own patches.
        #expect(SemanticVersion("v1.19.16")! < SemanticVersion(1, 20, 0))
        #expect(!(SemanticVersion("v1.20")! < SemanticVersion(1, 20, 0)))
    }
}

/// Without a reported cluster version, the API server's version is its image tag, read as the runtime
/// reads the reference: a registry port is no tag, a digest after the tag is not part of it.
@Suite struct APIServerImageVersionTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func version(ofImage image: String) -> SemanticVersion? {
        var pod = ClusterFixture.apiServer([])
        pod.spec.containers[0].image = image
        return APIServerInstance.all(in: ClusterFixture.snapshot(version: nil, [pod])).first?.version
    }

    @Test func tagBehindARegistryPortIsRead() {
        #expect(Self.version(ofImage: "registry.local:5000/kube-apiserver:v1.20.2") == SemanticVersion(1, 20, 2))
        #expect(Self.version(ofImage: "registry.local:5000/kube-apiserver") == nil, "the port is not a tag")
    }

    @Test func tagBeforeADigestIsRead() {
        #expect(Self.version(ofImage: "registry.k8s.io/kube-apiserver:v1.19.4@\(Self.digest)") == SemanticVersion(1, 19, 4))
        #expect(Self.version(ofImage: "registry.k8s.io/kube-apiserver@\(Self.digest)") == nil, "a digest names no version")
    }

    /// The version decides C-0005 when --insecure-port is absent: 8080 was the default before 1.20.
    @Test func digestPinnedOldServerFailsInsecurePort() {
        var pod = ClusterFixture.apiServer([])
        pod.spec.containers[0].image = "registry.local:5000/kube-apiserver:v1.19.4@\(Self.digest)"
        let result = Fixture.run(ClusterControls.insecurePortEnabled, on: ClusterFixture.snapshot(version: nil, [pod]))
        #expect(result.failed == [apiServer])
    }
}

@Suite struct APIServerVisibilityTests {
    static let flagControls = [
        ClusterControls.insecurePortEnabled, ClusterControls.secretEncryptionEnabled, ClusterControls.auditLogsEnabled,
        ClusterControls.rbacEnabled,
    ]

    /// Managed control planes show no apiserver pod: skipped, never passed.
    @Test(arguments: NetFixture.cases(flagControls + [ClusterControls.pspEnabled])) func skippedWhenControlPlaneIsNotVisible(_ testCase: NetFixture.Case) {
        let control = testCase.control
        let snapshot = ClusterFixture.snapshot(version: "v1.24.9", [Fixture.pod("web", containers: [Fixture.container()])])
        #expect(Fixture.run(control, on: snapshot).skipped == "control plane not visible (managed cluster?)")
    }

    @Test(arguments: NetFixture.cases(flagControls)) func skippedWhenKubeSystemIsOutOfScope(_ testCase: NetFixture.Case) {
        let control = testCase.control
        var snapshot = ClusterFixture.snapshot([])
        snapshot.scope = NamespaceScope(included: ["apps"])
        #expect(Fixture.run(control, on: snapshot).skipped == "control plane not visible: kube-system is outside the scan scope")
    }

    /// RKE2-style: found by label, flags only in args, the apiserver not the first container.
    @Test func findsAPIServerByLabelWithFlagsInArgs() {
        let pod = ClusterFixture.apiServer([], name: "apiserver-node1", args: ["--authorization-mode=Node"], labels: ["component": "kube-apiserver"], sidecarFirst: true)
        let result = Fixture.run(ClusterControls.rbacEnabled, on: ClusterFixture.snapshot([pod]))
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "kube-system", name: "apiserver-node1")])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[1].args[0]=--authorization-mode=Node (no RBAC)"])
    }

    /// A pod named like the apiserver outside kube-system is not the control plane.
    @Test func ignoresLookalikesOutsideKubeSystem() {
        var pod = ClusterFixture.apiServer(["--authorization-mode=AlwaysAllow"])
        pod.metadata.namespace = "apps"
        #expect(Fixture.run(ClusterControls.rbacEnabled, on: ClusterFixture.snapshot([pod])).skipped == "control plane not visible (managed cluster?)")
    }
}

@Suite struct InsecurePortTests {
    let control = ClusterControls.insecurePortEnabled

    @Test func failsNonZeroInsecurePort() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--insecure-port=8080"])]))
        #expect(result.failed == [apiServer])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0].command[1]=--insecure-port=8080"])
    }

    @Test func passesZeroOrUnsetOnCurrentVersions() {
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--insecure-port=0"])])).failed.isEmpty)
        let unset = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--secure-port=6443"])]))
        #expect(unset.failed.isEmpty)
        #expect(unset.all == [apiServer])
    }

    /// Issue 11 defect 16: hex, octal, underscored and quoted values parsed as nil and the control passed.
    @Test(arguments: ["0x1F90", "0X1f90", "010", "0o17", "0b1", "8_080", "\"8080\"", "'8080'", "+8080", "eighty", ""])
    func everyNonZeroOrUnreadableValueFails(value: String) {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--insecure-port=\(value)"])]))
        #expect(result.failed == [apiServer])
    }

    @Test(arguments: ["0", "00", "0x0", "\"0\"", "'0'", "-0"])
    func zeroInAnyNotationPasses(value: String) {
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--insecure-port=\(value)"])])).failed.isEmpty)
    }

    /// Before 1.20 the insecure port defaults to 8080: an unset flag fails; the `--flag value` form is read.
    @Test func unsetFlagFailsBefore120AndSpaceFormIsRead() {
        let old = Fixture.run(control, on: ClusterFixture.snapshot(version: "v1.19.16", [ClusterFixture.apiServer([])]))
        #expect(NetFixture.evidence(old.verdicts) == ["spec.containers[0]: --insecure-port is not set (defaults to 8080 before Kubernetes 1.20)"])
        let spaced = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer([], args: ["--insecure-port", "1"])]))
        #expect(NetFixture.evidence(spaced.verdicts) == ["spec.containers[0].args[0]=--insecure-port=1"])
    }
}

@Suite struct SecretEncryptionTests {
    let control = ClusterControls.secretEncryptionEnabled

    @Test func failsWithoutEncryptionConfig() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--etcd-servers=https://127.0.0.1:2379"])]))
        #expect(result.failed == [apiServer])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0]: --encryption-provider-config is not set (Secrets are stored unencrypted)"])
    }

    @Test func passesWithEncryptionConfig() {
        let pod = ClusterFixture.apiServer(["--encryption-provider-config=/etc/kubernetes/enc.yaml"])
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([pod])).failed.isEmpty)
    }

    /// An empty value is no configuration; every visible apiserver replica is judged.
    @Test func emptyValueFailsAndEachReplicaIsJudged() {
        let snapshot = ClusterFixture.snapshot([
            ClusterFixture.apiServer(["--encryption-provider-config="]),
            ClusterFixture.apiServer(["--encryption-provider-config=/etc/enc.yaml"], name: "kube-apiserver-cp2"),
        ])
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [apiServer])
        #expect(result.all.count == 2)
    }
}

@Suite struct AuditLogsTests {
    let control = ClusterControls.auditLogsEnabled

    @Test func failsWithoutAuditPolicy() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--audit-log-path=/var/log/audit.log"])]))
        #expect(result.failed == [apiServer])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0]: --audit-policy-file is not set (no audit events are produced)"])
    }

    @Test func passesPolicyWithLogOrWebhookBackend() {
        let log = ClusterFixture.apiServer(["--audit-policy-file=/etc/audit.yaml", "--audit-log-path=-"])
        let webhook = ClusterFixture.apiServer(["--audit-policy-file=/etc/audit.yaml", "--audit-webhook-config-file=/etc/wh.yaml"])
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([log])).failed.isEmpty)
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([webhook])).failed.isEmpty)
    }

    /// A policy with nowhere to write events records nothing.
    @Test func failsPolicyWithoutBackend() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--audit-policy-file=/etc/audit.yaml"])]))
        #expect(NetFixture.evidence(result.verdicts) == [
            "spec.containers[0].command[1]=--audit-policy-file=/etc/audit.yaml",
            "spec.containers[0]: --audit-log-path is not set (and no --audit-webhook-config-file: audit events are written nowhere)",
        ])
    }
}

@Suite struct PSPEnabledTests {
    let control = ClusterControls.pspEnabled

    @Test func failsPluginsWithoutPSPBefore125() {
        let pod = ClusterFixture.apiServer(["--enable-admission-plugins=NodeRestriction"])
        let result = Fixture.run(control, on: ClusterFixture.snapshot(version: "v1.24.17", [pod]))
        #expect(result.failed == [apiServer])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0].command[1]=--enable-admission-plugins=NodeRestriction (no PodSecurityPolicy)"])
    }

    @Test func passesPSPEnabledBefore125() {
        let pod = ClusterFixture.apiServer(["--enable-admission-plugins=NodeRestriction,PodSecurityPolicy"])
        let result = Fixture.run(control, on: ClusterFixture.snapshot(version: "v1.24.17", [pod]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [apiServer])
    }

    /// An unset flag (default plugins) and an explicit disable both fail; Kubescape passes the former.
    @Test func unsetOrDisabledPluginFails() {
        let unset = Fixture.run(control, on: ClusterFixture.snapshot(version: "v1.23.0", [ClusterFixture.apiServer([])]))
        #expect(NetFixture.evidence(unset.verdicts) == ["spec.containers[0]: --enable-admission-plugins is not set (the default plugins do not include PodSecurityPolicy)"])
        let disabled = ClusterFixture.apiServer(["--enable-admission-plugins=PodSecurityPolicy", "--disable-admission-plugins=PodSecurityPolicy"])
        let result = Fixture.run(control, on: ClusterFixture.snapshot(version: "v1.23.0", [disabled]))
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0].command[2]=--disable-admission-plugins=PodSecurityPolicy"])
    }

    /// Obsolete from 1.25: skipped with the reason, even when the apiserver pod is visible; the version
    /// falls back to the apiserver image tag when the cluster did not report one.
    @Test func skippedFrom125() {
        let reason = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer([])])).skipped
        #expect(reason == "PodSecurityPolicy was removed in Kubernetes 1.25 (this cluster runs 1.30): see the Pod Security Admission controls C-0192 to C-0204")
        let fromImage = Fixture.run(control, on: ClusterFixture.snapshot(version: nil, [ClusterFixture.apiServer([])])).skipped
        #expect(fromImage?.hasPrefix("PodSecurityPolicy was removed") == true)
    }
}

@Suite struct RBACEnabledTests {
    let control = ClusterControls.rbacEnabled

    @Test func failsAlwaysAllow() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--authorization-mode=AlwaysAllow"])]))
        #expect(result.failed == [apiServer])
        #expect(NetFixture.evidence(result.verdicts) == ["spec.containers[0].command[1]=--authorization-mode=AlwaysAllow (no RBAC)"])
    }

    @Test func passesNodeAndRBAC() {
        let result = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer(["--authorization-mode", "Node,RBAC"])]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [apiServer])
    }

    /// Unset means AlwaysAllow (fails); a structured authorization file cannot be read (skipped).
    @Test func unsetFailsAndAuthorizationConfigIsUnknown() {
        let unset = Fixture.run(control, on: ClusterFixture.snapshot([ClusterFixture.apiServer([])]))
        #expect(NetFixture.evidence(unset.verdicts) == ["spec.containers[0]: --authorization-mode is not set (defaults to AlwaysAllow)"])
        let structured = ClusterFixture.apiServer(["--authorization-config=/etc/kubernetes/authz.yaml"])
        #expect(Fixture.run(control, on: ClusterFixture.snapshot([structured])).skipped
            == "kube-apiserver configures authorization through --authorization-config, a file Lookout cannot read")
    }
}

@Suite struct KubernetesCronJobTests {
    let control = ClusterControls.kubernetesCronJob

    @Test func reportsEveryCronJob() {
        let snapshot = Fixture.snapshot {
            $0.cronJobs = [ClusterFixture.cronJob("backup", schedule: "0 3 * * *"), ClusterFixture.cronJob("report", namespace: "bi", schedule: "@daily")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [
            ResourceRef(apiVersion: "batch/v1", kind: "CronJob", namespace: "apps", name: "backup"),
            ResourceRef(apiVersion: "batch/v1", kind: "CronJob", namespace: "bi", name: "report"),
        ])
        #expect(NetFixture.evidence(result.verdicts).sorted() == ["spec.schedule=0 3 * * *", "spec.schedule=@daily"])
        #expect(control.informational)
    }

    @Test func passesWithoutCronJobs() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [Fixture.deployment("web", containers: [Fixture.container()])] })
        #expect(result.skipped == nil)
        #expect(result.all.isEmpty)
    }

    /// Informational controls stay out of the risk score even when they fail everything.
    @Test func staysOutOfRiskScore() {
        let snapshot = Fixture.snapshot { $0.cronJobs = [ClusterFixture.cronJob("backup", schedule: nil)] }
        let result = Auditor.run([control], frameworks: [], in: AuditContext(snapshot: snapshot))
        #expect(result.results.first?.status == .failed)
        #expect(result.score.riskScore == nil, "no scored control: risk is n/a")
        #expect(result.score.complianceScore == 0)
        #expect(result.results.first?.verdicts.first?.failure?.evidence == ["spec.schedule="])
    }
}

@Suite struct AdmissionWebhookReviewTests {
    @Test func listsEveryValidatingConfigurationWithItsWebhooks() {
        let snapshot = Fixture.snapshot {
            $0.validatingWebhookConfigurations = [
                ClusterFixture.webhooks("kyverno-resource-validating-webhook-cfg", [
                    Webhook(name: "validate.kyverno.svc-fail", failurePolicy: "Fail"), Webhook(name: "validate.kyverno.svc-ignore", failurePolicy: "Ignore"),
                ])
            ]
        }
        let result = Fixture.run(ClusterControls.validatingAdmissionControllers, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", namespace: nil, name: "kyverno-resource-validating-webhook-cfg")])
        #expect(NetFixture.evidence(result.verdicts) == [
            "webhooks[0].name=validate.kyverno.svc-fail failurePolicy=Fail", "webhooks[1].name=validate.kyverno.svc-ignore failurePolicy=Ignore",
        ])
        #expect(Fixture.run(ClusterControls.mutatingAdmissionControllers, on: snapshot).all.isEmpty)
    }

    /// Mutating configurations are C-0039's, not C-0036's; a missing failurePolicy is the API default, Fail.
    @Test func listsMutatingConfigurationsSeparately() {
        let snapshot = Fixture.snapshot {
            $0.mutatingWebhookConfigurations = [ClusterFixture.webhooks("istio-sidecar-injector", [Webhook(name: "sidecar.istio.io")])]
        }
        #expect(Fixture.run(ClusterControls.validatingAdmissionControllers, on: snapshot).all.isEmpty)
        let result = Fixture.run(ClusterControls.mutatingAdmissionControllers, on: snapshot)
        #expect(result.failed.map(\.kind) == ["MutatingWebhookConfiguration"])
        #expect(NetFixture.evidence(result.verdicts) == ["webhooks[0].name=sidecar.istio.io failurePolicy=Fail"])
    }

    @Test func emptyConfigurationIsStillListedAndBothAreInformational() {
        let snapshot = Fixture.snapshot { $0.validatingWebhookConfigurations = [ClusterFixture.webhooks("leftover", nil)] }
        #expect(NetFixture.evidence(Fixture.run(ClusterControls.validatingAdmissionControllers, on: snapshot).verdicts) == ["webhooks is empty"])
        #expect(ClusterControls.validatingAdmissionControllers.informational)
        #expect(ClusterControls.mutatingAdmissionControllers.informational)
    }

    @Test func skippedWhenForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        NetFixture.forbid(.mutatingwebhookconfigurations, in: &snapshot)
        #expect(Fixture.run(ClusterControls.mutatingAdmissionControllers, on: snapshot).skipped == "forbidden: mutatingwebhookconfigurations")
    }
}

@Suite struct SkippedByDesignClusterTests {
    @Test func instanceMetadataNeedsCloudAPIs() {
        let result = Fixture.run(ClusterControls.instanceMetadataAPI, on: Fixture.snapshot { _ in })
        #expect(result.skipped == "needs the cloud provider's APIs (instance metadata settings), which Lookout does not read")
    }

    @Test func authenticatedServiceNeedsProbing() {
        let result = Fixture.run(ClusterControls.verifyAuthenticatedService, on: Fixture.snapshot { _ in })
        #expect(result.skipped == "needs probing each Service for unauthenticated access; Lookout only reads the API server")
    }
}
