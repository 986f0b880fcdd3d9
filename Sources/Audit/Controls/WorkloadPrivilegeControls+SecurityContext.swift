import Inventory

/// A container setting that the pod's securityContext supplies unless the container sets its own.
struct EffectiveSetting<Value> {
    var value: Value?
    /// The field that decided: the container's, else the pod's; the container's when neither sets it,
    /// since that is where the fix usually goes.
    var path: String

    /// `…securityContext.runAsUser=0` or `…securityContext.runAsUser is unset`.
    var evidence: String { value.map { "\(path)=\($0)" } ?? "\(path) is unset" }
}

extension Workload {
    /// The value of a securityContext field as the kubelet applies it to the container: the container's
    /// own setting wins over the pod's.
    func effective<Value>(
        _ field: String, of containerPath: String, _ container: Container,
        _ containerValue: KeyPath<SecurityContext, Value?>, _ podValue: KeyPath<PodSecurityContext, Value?>
    ) -> EffectiveSetting<Value> {
        let containerField = path(containerPath, "securityContext.\(field)")
        if let value = container.securityContext?[keyPath: containerValue] {
            return EffectiveSetting(value: value, path: containerField)
        }
        if let value = podSpec.securityContext?[keyPath: podValue] {
            return EffectiveSetting(value: value, path: podPath("securityContext.\(field)"))
        }
        return EffectiveSetting(value: nil, path: containerField)
    }
}

extension WorkloadPrivilegeControls {
    /// The user half of C-0013: `runAsNonRoot` is not true and `runAsUser` is unset or 0. Nil when the
    /// container cannot run as root.
    static func rootUserEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        let nonRoot = workload.effective("runAsNonRoot", of: path, container, \.runAsNonRoot, \.runAsNonRoot)
        let user = workload.effective("runAsUser", of: path, container, \.runAsUser, \.runAsUser)
        guard nonRoot.value != true, (user.value ?? 0) == 0 else { return nil }
        return "\(nonRoot.evidence) and \(user.evidence)"
    }

    /// The group half of C-0013: `runAsGroup` unset or 0 (the root group owns most of an image's files).
    static func rootGroupEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        let group = workload.effective("runAsGroup", of: path, container, \.runAsGroup, \.runAsGroup)
        return (group.value ?? 0) == 0 ? group.evidence : nil
    }

    static func privilegeEscalationEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        switch container.securityContext?.allowPrivilegeEscalation {
        case false?: nil
        case true?: "\(workload.path(path, "securityContext.allowPrivilegeEscalation"))=true"
        case nil: "\(workload.path(path, "securityContext.allowPrivilegeEscalation")) is unset"
        }
    }

    static func writableRootFilesystemEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        switch container.securityContext?.readOnlyRootFilesystem {
        case true?: nil
        case false?: "\(workload.path(path, "securityContext.readOnlyRootFilesystem"))=false"
        case nil: "\(workload.path(path, "securityContext.readOnlyRootFilesystem")) is unset"
        }
    }

    /// The check of C-0055 and C-0210 (and part of C-0211 and C-0086): the seccomp profile the container
    /// gets is neither RuntimeDefault nor a Localhost profile. Nil when it is confined.
    static func seccompEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        let profile = workload.effective("seccompProfile.type", of: path, container, \.seccompProfile?.type, \.seccompProfile?.type)
        switch profile.value {
        case "RuntimeDefault"?, "Localhost"?: return nil
        default: return profile.evidence
        }
    }

    static func netRawEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        let dropped = Set((container.securityContext?.capabilities?.drop ?? []).map(LinuxCapability.canonical))
        guard dropped.isDisjoint(with: ["NET_RAW", "ALL"]) else { return nil }
        return "\(workload.path(path, "securityContext.capabilities.drop")) contains neither NET_RAW nor ALL"
    }

    static func procMountEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        guard let procMount = container.securityContext?.procMount, procMount != "Default" else { return nil }
        return "\(workload.path(path, "securityContext.procMount"))=\(procMount)"
    }

    static func privilegedEvidence(_ workload: Workload, _ path: String, _ container: Container) -> String? {
        container.securityContext?.privileged == true ? "\(workload.path(path, "securityContext.privileged"))=true" : nil
    }

    static let nonRootContainers = Control(
        id: "C-0013", name: "Non-root containers", baseScore: 6,
        frameworks: ["NSA", "ClusterScan", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container that may run as root: with the container's securityContext overriding the pod's, `runAsNonRoot` is not true and `runAsUser` is unset or 0; or `runAsGroup` is unset or 0. Each half is its own evidence line.",
        rationale: "Root in a container is root on the node's kernel: any escape (a kernel bug, a writable host mount, a runtime flaw) lands as root. A root group gives write access to every group-writable file of the image.",
        remediation: "Run as a dedicated user and group: set `runAsNonRoot: true`, `runAsUser` and `runAsGroup` to non-zero IDs in the pod's securityContext (containers inherit them), and build the image with a matching `USER`.",
        example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001",
        reads: workloadKinds,
        notes: "As in Kubescape, a container that leaves `runAsGroup` unset fails even when it runs as a non-root user. Lookout reports that part as its own evidence line (`…runAsGroup is unset`) so the cause is visible; Kubescape folds it into one finding that looks like a false positive."
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) has containers that may run as root") { path, container in
                [rootUserEvidence(workload, path, container), rootGroupEvidence(workload, path, container)].compactMap { $0 }
            }
        }
    }

    static let allowPrivilegeEscalation = Control(
        id: "C-0016", name: "Allow privilege escalation", baseScore: 6,
        frameworks: ["NSA", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container whose `securityContext.allowPrivilegeEscalation` is not explicitly false, unless a PodSecurityPolicy with `allowPrivilegeEscalation: false` exists.",
        rationale: "Unless it is false, a process can gain more privileges than its parent through setuid binaries or file capabilities: a foothold as an unprivileged user becomes root inside the container.",
        remediation: "Set `allowPrivilegeEscalation: false` in every container's securityContext.",
        example: "securityContext:\n  allowPrivilegeEscalation: false",
        reads: workloadKinds,
        notes: "PodSecurityPolicies are read only when the cluster still serves them (removed in Kubernetes 1.25); like Kubescape, any PSP that forbids escalation passes every workload, whichever PSP actually admits them."
    ) { context in
        let pspForbidsEscalation = context.snapshot.podSecurityPolicies.contains { $0.spec?.allowPrivilegeEscalation == false }
        return context.evaluateWorkloads { workload in
            guard !pspForbidsEscalation else { return nil }
            return workload.failure("\(workload.kind) \(workload.name) allows privilege escalation") { path, container in
                [privilegeEscalationEvidence(workload, path, container)].compactMap { $0 }
            }
        }
    }

    static let immutableFilesystem = Control(
        id: "C-0017", name: "Immutable container filesystem", baseScore: 3,
        frameworks: ["NSA", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container whose `securityContext.readOnlyRootFilesystem` is not true.",
        rationale: "A writable root file system lets an intruder drop tools and binaries, change the application's code or configuration, and persist until the container restarts.",
        remediation: "Set `readOnlyRootFilesystem: true` and mount an emptyDir where the application needs to write (/tmp, caches).",
        example: "securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n- {name: tmp, mountPath: /tmp}",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) has containers with a writable root file system") { path, container in
                [writableRootFilesystemEvidence(workload, path, container)].compactMap { $0 }
            }
        }
    }

    static let seccompNotes = "A container's own `seccompProfile` overrides the pod's. `Unconfined` counts as no profile; a `Localhost` profile counts as confined, since CIS and the Pod Security Standards accept a custom profile in place of the runtime's default. Only the securityContext fields are read: the seccomp annotations were retired in Kubernetes 1.27."

    @Sendable static func seccompOutcome(_ context: AuditContext) -> ControlOutcome {
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) has containers without a seccomp profile") { path, container in
                [seccompEvidence(workload, path, container)].compactMap { $0 }
            }
        }
    }

    static let linuxHardening = Control(
        id: "C-0055", name: "Linux hardening", baseScore: 4,
        frameworks: ["NSA", "ArmoBest", "WorkloadScan"],
        description: "Fails a workload with a container that gets no seccomp profile: neither the container's nor the pod's securityContext sets `seccompProfile` to RuntimeDefault or Localhost.",
        rationale: "Without seccomp a container can call every system call of the node's kernel, including the rarely used ones where kernel escapes are found (unshare, keyctl, bpf…). The runtime's default profile blocks them at no cost to ordinary applications.",
        remediation: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext.",
        example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault",
        reads: workloadKinds,
        notes: "Kubescape's rule checks seccomp only, and passes an explicit `Unconfined`; Lookout fails it. " + seccompNotes,
        evaluate: seccompOutcome
    )

    static let seccompRuntimeDefault = Control(
        id: "C-0210", name: "Ensure that the seccomp profile is set to RuntimeDefault in pod definitions", baseScore: 4,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.7.2. Fails a workload unless the pod's securityContext, or every container's, sets `seccompProfile` to RuntimeDefault (or a Localhost profile).",
        rationale: "Kubernetes runs containers unconfined by default: every system call of the node's kernel is reachable, including those kernel escapes use. RuntimeDefault blocks them.",
        remediation: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext, or enable the kubelet's `seccompDefault` on every node.",
        example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault",
        reads: workloadKinds,
        notes: "Same check as C-0055. " + seccompNotes + " Kubescape accepts RuntimeDefault only.",
        evaluate: seccompOutcome
    )

    /// The fields C-0211 requires, in evidence order.
    static let hardeningChecks: [@Sendable (Workload, String, Container) -> String?] = [
        privilegedEvidence, privilegeEscalationEvidence, writableRootFilesystemEvidence, rootUserEvidence,
        rootGroupEvidence, netRawEvidence, seccompEvidence, procMountEvidence,
    ]

    static let securityContextApplied = Control(
        id: "C-0211", name: "Apply security context to pods and containers", baseScore: 8,
        frameworks: ["security", "cis-v1.12.0"],
        description: "CIS 5.7.3. Fails a workload with a container whose effective security context (the container's over the pod's) misses any of these hardening settings, one evidence line each: `privileged` not true; `allowPrivilegeEscalation: false`; `readOnlyRootFilesystem: true`; `runAsNonRoot: true` or a non-zero `runAsUser`; a non-zero `runAsGroup`; `capabilities.drop` containing NET_RAW or ALL; `seccompProfile` RuntimeDefault or Localhost; `procMount` unset or Default.",
        rationale: "Each of these settings closes a step of a container escape or of privilege escalation inside the container; a container that sets none of them runs with the runtime's loosest defaults.",
        remediation: "Give every pod a securityContext with the settings above; the Pod Security Standard `restricted` profile requires the same.",
        example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n      capabilities: {drop: [ALL]}",
        reads: workloadKinds,
        notes: "Kubescape's rule set also requires `seLinuxOptions`, `fsGroup`, `fsGroupChangePolicy`, `sysctls` and `supplementalGroups` to be set. Lookout leaves them out: SELinux options mean nothing on nodes without SELinux, sysctls loosen rather than harden, and the group settings concern file ownership, not isolation. Privileged containers are counted, and NET_RAW is satisfied by dropping ALL."
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) has containers without a hardened security context") { path, container in
                hardeningChecks.compactMap { $0(workload, path, container) }
            }
        }
    }

    /// Major and minor of a Linux kernel release such as `5.10.0-1057-aws`.
    static func kernelRelease(_ version: String) -> (major: Int, minor: Int)? {
        let numbers = version.split(separator: ".", maxSplits: 2).prefix(2).map { Int($0.prefix(while: \.isNumber)) }
        guard numbers.count == 2, let major = numbers[0], let minor = numbers[1] else { return nil }
        return (major, minor)
    }

    static let appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"

    /// Whether the container runs under an AppArmor profile: the pod annotation for the container,
    /// else `appArmorProfile` (container over pod), anything but unconfined.
    static func hasAppArmor(_ workload: Workload, _ container: Container) -> Bool {
        if let annotation = workload.podAnnotations[appArmorAnnotationPrefix + container.name] {
            return annotation != "unconfined"
        }
        let type = container.securityContext?.appArmorProfile?.type ?? workload.podSpec.securityContext?.appArmorProfile?.type
        return type.map { $0 != "Unconfined" } ?? false
    }

    /// Containers that can use the cgroups v1 release_agent escape: they hold SYS_ADMIN (added, or
    /// privileged), or run as root with neither seccomp nor AppArmor to block `unshare`.
    static func cgroupsEscapeEvidence(_ workload: Workload, _ path: String, _ container: Container) -> [String] {
        var evidence = [privilegedEvidence(workload, path, container)].compactMap { $0 }
        evidence += addedCapabilities(container, in: ["SYS_ADMIN"]).map {
            "\(workload.path(path, "securityContext.capabilities.add")) contains \($0)"
        }
        if let root = rootUserEvidence(workload, path, container), let seccomp = seccompEvidence(workload, path, container),
            !hasAppArmor(workload, container)
        {
            evidence.append("\(workload.podPath(path)) runs as root without seccomp or AppArmor (\(root); \(seccomp); no AppArmor profile)")
        }
        return evidence
    }

    static let cgroupsContainerEscape = Control(
        id: "C-0086", name: "CVE-2022-0492 cgroups container escape", baseScore: 4,
        frameworks: [],
        description: "Fails a workload when a node runs a Linux kernel older than 5.17 (the mainline fix) and one of the workload's containers has SYS_ADMIN (added, or privileged), or runs as root with neither a seccomp nor an AppArmor profile. A Pod bound to a node is judged by that node's kernel.",
        rationale: "CVE-2022-0492: on unpatched kernels a root process that can mount cgroup v1 (directly with SYS_ADMIN, or after `unshare` when no seccomp or AppArmor profile blocks it) sets a release_agent that the node runs as root outside the container.",
        remediation: "Upgrade node kernels to a fixed release. Until then, give containers the RuntimeDefault seccomp profile, run them as non-root and never add SYS_ADMIN.",
        example: "kubectl get nodes -o custom-columns=NAME:.metadata.name,KERNEL:.status.nodeInfo.kernelVersion",
        reads: workloadKinds + [.nodes],
        notes: "Kubescape removed this control in 2023 and never read the kernel version; Lookout keeps it and only fails when a node's kernel predates 5.17. Distribution kernels older than 5.17 often carry the backported fix (e.g. 5.10.97, 5.15.20 upstream): check your vendor's advisory before acting. Unlike Kubescape, SYS_ADMIN and privileged containers fail here, since they need no unshare at all. Skipped when no node reports a Linux kernel version."
    ) { context in
        let linuxNodes = context.snapshot.nodes.compactMap { node -> (node: Node, vulnerable: Bool)? in
            guard node.status?.nodeInfo?.operatingSystem.map({ $0 == "linux" }) ?? true,
                let kernel = node.status?.nodeInfo?.kernelVersion, let release = kernelRelease(kernel)
            else { return nil }
            return (node, release.major < 5 || (release.major == 5 && release.minor < 17))
        }
        guard !linuxNodes.isEmpty else {
            return .skipped(reason: "no node reports a Linux kernel version (status.nodeInfo.kernelVersion)")
        }
        let vulnerable = linuxNodes.filter(\.vulnerable).map(\.node)
        let nodesByName = Dictionary(linuxNodes.map { ($0.node.name, $0) }, uniquingKeysWith: { first, _ in first })
        return context.evaluateWorkloads { workload in
            let nodes: [Node]
            if let name = workload.podSpec.nodeName, let bound = nodesByName[name] {
                nodes = bound.vulnerable ? [bound.node] : []
            } else {
                nodes = vulnerable
            }
            guard !nodes.isEmpty,
                var failure = workload.failure("", check: { cgroupsEscapeEvidence(workload, $0, $1) })
            else { return nil }
            let kernels = Set(nodes.compactMap { $0.status?.nodeInfo?.kernelVersion }).sorted()
            failure.message = "\(workload.kind) \(workload.name) can escape through CVE-2022-0492 on \(nodes.count) node(s) with kernel \(kernels.joined(separator: ", "))"
            failure.related = nodes.sorted { $0.name < $1.name }.prefix(5).map { RelatedObject(kind: "Node", name: $0.name) }
            return failure
        }
    }
}
