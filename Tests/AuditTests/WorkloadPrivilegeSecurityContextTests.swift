@testable import Audit
import Inventory
import Testing

private let c0 = "spec.template.spec.containers[0]"
private let pod = "spec.template.spec"

private func runDeployments(_ control: Control, _ deployments: [Deployment], config: ControlsConfig = ControlsConfig(),
                            _ build: (inout ClusterSnapshot) -> Void = { _ in })
    -> (failed: [ResourceRef], all: [ResourceRef], skipped: String?, verdicts: [ResourceVerdict])
{
    Fixture.run(control, on: Fixture.snapshot {
        $0.deployments = deployments
        build(&$0)
    }, config: config)
}

private func deployment(_ name: String, _ securityContext: SecurityContext?, pod podContext: PodSecurityContext? = nil) -> Deployment {
    PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([Fixture.container(securityContext: securityContext)]) { $0.securityContext = podContext })
}

@Suite struct NonRootContainersTests {
    let control = WorkloadPrivilegeControls.nonRootContainers

    @Test func failsContainerWithoutSecurityContextWithTwoLines() {
        let result = runDeployments(control, [deployment("web", nil)])
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == [
            "\(c0).securityContext.runAsNonRoot is unset and \(c0).securityContext.runAsUser is unset",
            "\(c0).securityContext.runAsGroup is unset",
        ])
    }

    @Test func passesPodLevelNonRootUserAndGroup() {
        let result = runDeployments(control, [deployment("web", nil, pod: PodSecurityContext(runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000))])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The known trap: a non-root user with no runAsGroup still fails, and only the group line says why.
    @Test func runAsGroupIsItsOwnEvidenceLine() {
        let result = runDeployments(control, [deployment("web", SecurityContext(runAsNonRoot: true, runAsUser: 1000))])
        #expect(result.verdicts.evidence(of: "web") == ["\(c0).securityContext.runAsGroup is unset"])
    }

    /// The container's setting overrides the pod's, and evidence names the field that decided.
    @Test func containerOverridesPod() {
        let podContext = PodSecurityContext(runAsNonRoot: true, runAsUser: 1000, runAsGroup: 0)
        let result = runDeployments(control, [
            deployment("override", SecurityContext(runAsNonRoot: false, runAsUser: 0, runAsGroup: 2000), pod: podContext),
            deployment("inherit", nil, pod: podContext),
        ])
        #expect(result.verdicts.evidence(of: "override") == [
            "\(c0).securityContext.runAsNonRoot=false and \(c0).securityContext.runAsUser=0",
        ])
        #expect(result.verdicts.evidence(of: "inherit") == ["\(pod).securityContext.runAsGroup=0"])
    }
}

@Suite struct AllowPrivilegeEscalationTests {
    let control = WorkloadPrivilegeControls.allowPrivilegeEscalation

    @Test func failsUnsetOrTrue() {
        let result = runDeployments(control, [deployment("unset", nil), deployment("true", SecurityContext(allowPrivilegeEscalation: true))])
        #expect(result.failed.map(\.name) == ["true", "unset"])
        #expect(result.verdicts.evidence(of: "unset") == ["\(c0).securityContext.allowPrivilegeEscalation is unset"])
        #expect(result.verdicts.evidence(of: "true") == ["\(c0).securityContext.allowPrivilegeEscalation=true"])
    }

    @Test func passesExplicitFalse() {
        let result = runDeployments(control, [deployment("web", SecurityContext(allowPrivilegeEscalation: false))])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A PodSecurityPolicy forbidding escalation passes everything; one allowing it changes nothing.
    @Test func podSecurityPolicyForbiddingEscalationPasses() throws {
        let forbidding = try PrivilegeFixture.podSecurityPolicy("restricted", allowPrivilegeEscalation: false)
        let allowing = try PrivilegeFixture.podSecurityPolicy("privileged", allowPrivilegeEscalation: true)
        #expect(runDeployments(control, [deployment("web", nil)]) { $0.podSecurityPolicies = [allowing, forbidding] }.failed.isEmpty)
        #expect(runDeployments(control, [deployment("web", nil)]) { $0.podSecurityPolicies = [allowing] }.failed.map(\.name) == ["web"])
    }

    /// PodSecurityPolicies are optional: a cluster that does not serve them still gets the control.
    @Test func evaluatedWhenPodSecurityPoliciesAreNotServed() {
        var snapshot = Fixture.snapshot { $0.deployments = [deployment("web", nil)] }
        snapshot.collected.remove(.podsecuritypolicies)
        let result = Fixture.run(control, on: snapshot)
        #expect(result.skipped == nil)
        #expect(result.failed.map(\.name) == ["web"])
    }
}

@Suite struct ImmutableFilesystemTests {
    let control = WorkloadPrivilegeControls.immutableFilesystem

    @Test func failsUnsetOrFalse() {
        let result = runDeployments(control, [deployment("unset", nil), deployment("false", SecurityContext(readOnlyRootFilesystem: false))])
        #expect(result.failed.map(\.name) == ["false", "unset"])
        #expect(result.verdicts.evidence(of: "unset") == ["\(c0).securityContext.readOnlyRootFilesystem is unset"])
        #expect(result.verdicts.evidence(of: "false") == ["\(c0).securityContext.readOnlyRootFilesystem=false"])
    }

    @Test func passesReadOnlyRoot() {
        #expect(runDeployments(control, [deployment("web", SecurityContext(readOnlyRootFilesystem: true))]).failed.isEmpty)
    }

    @Test func initContainerCounts() {
        let spec = PrivilegeFixture.spec([Fixture.container(securityContext: SecurityContext(readOnlyRootFilesystem: true))]) {
            $0.initContainers = [Fixture.container("migrate")]
        }
        let result = runDeployments(control, [PrivilegeFixture.deployment("web", spec: spec)])
        #expect(result.verdicts.evidence(of: "web") == ["\(pod).initContainers[0].securityContext.readOnlyRootFilesystem is unset"])
    }
}

@Suite struct SeccompControlsTests {
    @Test func linuxHardeningFailsWithoutProfile() {
        let result = runDeployments(WorkloadPrivilegeControls.linuxHardening, [deployment("web", nil)])
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == ["\(c0).securityContext.seccompProfile.type is unset"])
    }

    @Test func linuxHardeningPassesPodLevelRuntimeDefaultOrContainerLocalhost() {
        var localhost = SeccompProfile(type: "Localhost")
        localhost.localhostProfile = "profiles/app.json"
        let result = runDeployments(WorkloadPrivilegeControls.linuxHardening, [
            deployment("pod-level", nil, pod: PodSecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault"))),
            deployment("localhost", SecurityContext(seccompProfile: localhost)),
        ])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// A container's explicit Unconfined overrides the pod's RuntimeDefault.
    @Test func linuxHardeningFailsUnconfinedOverride() {
        let result = runDeployments(WorkloadPrivilegeControls.linuxHardening, [
            deployment("web", SecurityContext(seccompProfile: SeccompProfile(type: "Unconfined")),
                       pod: PodSecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault"))),
        ])
        #expect(result.verdicts.evidence(of: "web") == ["\(c0).securityContext.seccompProfile.type=Unconfined"])
    }

    @Test func runtimeDefaultNeedsEveryContainerWithoutPodLevel() {
        let confined = Fixture.container("a", securityContext: SecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault")))
        let every = PrivilegeFixture.deployment("every", spec: PrivilegeFixture.spec([confined, Fixture.container("b", securityContext: confined.securityContext)]))
        let one = PrivilegeFixture.deployment("one", spec: PrivilegeFixture.spec([confined, Fixture.container("b")]))
        let result = runDeployments(WorkloadPrivilegeControls.seccompRuntimeDefault, [every, one])
        #expect(result.failed.map(\.name) == ["one"])
        #expect(result.verdicts.evidence(of: "one") == ["\(pod).containers[1].securityContext.seccompProfile.type is unset"])
    }

    @Test func runtimeDefaultNamesAnUnconfinedPod() {
        let result = runDeployments(WorkloadPrivilegeControls.seccompRuntimeDefault, [
            deployment("web", nil, pod: PodSecurityContext(seccompProfile: SeccompProfile(type: "Unconfined"))),
        ])
        #expect(result.verdicts.evidence(of: "web") == ["\(pod).securityContext.seccompProfile.type=Unconfined"])
    }

    @Test func runtimeDefaultPassesPodLevel() {
        let result = runDeployments(WorkloadPrivilegeControls.seccompRuntimeDefault, [
            deployment("web", nil, pod: PodSecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault"))),
        ])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }
}

@Suite struct SecurityContextAppliedTests {
    let control = WorkloadPrivilegeControls.securityContextApplied

    @Test func failsBareContainerOnEveryUnsetField() {
        let result = runDeployments(control, [deployment("web", nil)])
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == [
            "\(c0).securityContext.allowPrivilegeEscalation is unset",
            "\(c0).securityContext.readOnlyRootFilesystem is unset",
            "\(c0).securityContext.runAsNonRoot is unset and \(c0).securityContext.runAsUser is unset",
            "\(c0).securityContext.runAsGroup is unset",
            "\(c0).securityContext.capabilities.drop contains neither NET_RAW nor ALL",
            "\(c0).securityContext.seccompProfile.type is unset",
        ])
    }

    @Test func passesHardenedContainer() {
        var netRawOnly = PrivilegeFixture.hardened
        netRawOnly.capabilities = Capabilities(drop: ["net_raw"])
        let result = runDeployments(control, [deployment("all", PrivilegeFixture.hardened), deployment("netraw", netRawOnly)])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Set-but-wrong fields count too: privileged, an Unmasked procMount.
    @Test func failsPrivilegedAndUnmaskedProcMount() {
        var context = PrivilegeFixture.hardened
        context.privileged = true
        context.procMount = "Unmasked"
        let result = runDeployments(control, [deployment("web", context)])
        #expect(result.verdicts.evidence(of: "web") == [
            "\(c0).securityContext.privileged=true",
            "\(c0).securityContext.procMount=Unmasked",
        ])
    }
}

@Suite struct InsecureCapabilitiesTests {
    let control = WorkloadPrivilegeControls.insecureCapabilities

    @Test func failsInsecureCapabilitiesAsWritten() {
        let result = runDeployments(control, [
            deployment("net", SecurityContext(capabilities: Capabilities(add: ["NET_ADMIN", "CHOWN", "cap_sys_module"]))),
        ])
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "net")])
        #expect(result.verdicts.evidence(of: "net") == [
            "\(c0).securityContext.capabilities.add contains NET_ADMIN",
            "\(c0).securityContext.capabilities.add contains cap_sys_module",
        ])
    }

    @Test func passesHarmlessCapabilities() {
        let result = runDeployments(control, [deployment("web", SecurityContext(capabilities: Capabilities(add: ["NET_BIND_SERVICE"], drop: ["ALL"])))])
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The list comes from the controls configuration.
    @Test func readsTheConfiguredList() {
        var config = ControlsConfig()
        config.insecureCapabilities = ["NET_BIND_SERVICE"]
        let result = runDeployments(control, [
            deployment("web", SecurityContext(capabilities: Capabilities(add: ["NET_BIND_SERVICE"]))),
            deployment("admin", SecurityContext(capabilities: Capabilities(add: ["SYS_ADMIN"]))),
        ], config: config)
        #expect(result.failed.map(\.name) == ["web"])
    }
}

@Suite struct SudoInEntrypointTests {
    let control = WorkloadPrivilegeControls.sudoInEntrypoint

    private func running(_ name: String, command: [String]?, args: [String]? = nil) -> Deployment {
        PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([PrivilegeFixture.container { $0.command = command; $0.args = args }]))
    }

    @Test func failsSudoInCommandOrScriptArgs() {
        let result = runDeployments(control, [
            running("command", command: ["sudo", "-u", "app", "/app/run"]),
            running("script", command: ["/bin/sh", "-c"], args: ["--verbose", "cd /app && /usr/bin/sudo ./run"]),
        ])
        #expect(result.failed.map(\.name) == ["command", "script"])
        #expect(result.verdicts.evidence(of: "command") == ["\(c0).command[0] runs sudo"])
        #expect(result.verdicts.evidence(of: "script") == ["\(c0).args[1] runs sudo"])
    }

    @Test func passesWithoutSudo() {
        #expect(runDeployments(control, [running("web", command: ["/app/server"])]).failed.isEmpty)
    }

    /// `sudo` must be a word: pseudo-servers and sudoers files are not findings.
    @Test func matchesSudoAsAWordOnly() {
        let result = runDeployments(control, [running("pseudo", command: ["/usr/bin/pseudo-server", "cat /etc/sudoers"])])
        #expect(result.failed.isEmpty)
        #expect(WorkloadPrivilegeControls.invokesSudo("exec sudo;"))
        #expect(!WorkloadPrivilegeControls.invokesSudo("sudo.conf"))
    }
}

@Suite struct CgroupsContainerEscapeTests {
    let control = WorkloadPrivilegeControls.cgroupsContainerEscape

    @Test func failsRootContainerWithoutProfilesOnOldKernel() {
        let result = runDeployments(control, [deployment("web", nil)]) {
            $0.nodes = [PrivilegeFixture.node("node-a", kernel: "5.10.0-21-amd64"), PrivilegeFixture.node("node-b", kernel: "6.1.0-18-cloud-amd64")]
        }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        let failure = result.verdicts.failure(of: "web")
        #expect(failure?.evidence == [
            "\(c0) runs as root without seccomp or AppArmor (\(c0).securityContext.runAsNonRoot is unset and \(c0).securityContext.runAsUser is unset; \(c0).securityContext.seccompProfile.type is unset; no AppArmor profile)",
        ])
        #expect(failure?.related == [RelatedObject(kind: "Node", name: "node-a")])
        #expect(failure?.message.contains("5.10.0-21-amd64") == true)
    }

    @Test func passesOnFixedKernels() {
        let result = runDeployments(control, [deployment("web", nil)]) { $0.nodes = [PrivilegeFixture.node("node-a", kernel: "5.17.0")] }
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// An AppArmor profile (annotation or field) or seccomp protects a root container; SYS_ADMIN does
    /// not protect anything, even for a non-root container.
    @Test func profilesProtectButSysAdminFails() {
        let annotated = PrivilegeFixture.deployment("annotated", spec: PrivilegeFixture.spec([Fixture.container()]),
                                           podAnnotations: ["container.apparmor.security.beta.kubernetes.io/app": "runtime/default"])
        let unconfinedAnnotation = PrivilegeFixture.deployment("unconfined", spec: PrivilegeFixture.spec([Fixture.container()]),
                                                      podAnnotations: ["container.apparmor.security.beta.kubernetes.io/app": "unconfined"])
        var appArmorField = SecurityContext()
        appArmorField.appArmorProfile = SeccompProfile(type: "RuntimeDefault")
        let sysAdmin = SecurityContext(runAsNonRoot: true, runAsUser: 1000, capabilities: Capabilities(add: ["SYS_ADMIN"]),
                                       seccompProfile: SeccompProfile(type: "RuntimeDefault"))
        let result = runDeployments(control, [
            annotated, unconfinedAnnotation, deployment("field", appArmorField),
            deployment("seccomp", SecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault"))),
            deployment("sysadmin", sysAdmin),
        ]) { $0.nodes = [PrivilegeFixture.node("old", kernel: "4.19.0-20-amd64")] }
        #expect(result.failed.map(\.name) == ["sysadmin", "unconfined"])
        #expect(result.verdicts.evidence(of: "sysadmin") == ["\(c0).securityContext.capabilities.add contains SYS_ADMIN"])
    }

    /// A Pod bound to a patched node is judged by that node only.
    @Test func boundPodUsesItsNode() {
        let bound = PrivilegeFixture.pod("bound", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.nodeName = "new" })
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.pods = [bound]
            $0.nodes = [PrivilegeFixture.node("old", kernel: "5.4.0-1049-aws"), PrivilegeFixture.node("new", kernel: "6.8.0")]
        })
        #expect(result.failed.isEmpty)
        #expect(result.all == [PrivilegeFixture.ref("Pod", "bound")])
    }

    @Test func skippedWithoutLinuxKernelVersions() {
        let result = runDeployments(control, [deployment("web", nil)]) {
            $0.nodes = [PrivilegeFixture.node("win", kernel: "10.0.17763.2114", operatingSystem: "windows"), PrivilegeFixture.node("blank", kernel: nil)]
        }
        #expect(result.skipped == "no node reports a Linux kernel version (status.nodeInfo.kernelVersion)")
    }

    @Test func skippedWhenNodesForbidden() {
        var snapshot = Fixture.snapshot { $0.deployments = [deployment("web", nil)] }
        snapshot.collected.remove(.nodes)
        snapshot.errors = [CollectionError(resource: "nodes", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: nodes")
    }

    @Test func kernelReleases() {
        #expect(WorkloadPrivilegeControls.kernelRelease("5.10.0-21-amd64").map { [$0.major, $0.minor] } == [5, 10])
        #expect(WorkloadPrivilegeControls.kernelRelease("6.1.55+").map { [$0.major, $0.minor] } == [6, 1])
        #expect(WorkloadPrivilegeControls.kernelRelease("unknown") == nil)
    }
}

@Suite struct PrivilegedContainerCapabilityNamesTests {
    /// C-0057 reads capability names as the runtime does, and reports them as written.
    @Test func sysAdminInAnySpelling() {
        let result = runDeployments(WorkloadPrivilegeControls.privilegedContainer, [
            deployment("prefixed", SecurityContext(capabilities: Capabilities(add: ["CAP_SYS_ADMIN"]))),
            deployment("lower", SecurityContext(capabilities: Capabilities(add: ["sys_admin"]))),
            deployment("other", SecurityContext(capabilities: Capabilities(add: ["SYS_TIME"]))),
        ])
        #expect(result.failed.map(\.name) == ["lower", "prefixed"])
        #expect(result.verdicts.evidence(of: "prefixed") == ["\(c0).securityContext.capabilities.add contains CAP_SYS_ADMIN"])
    }
}
