import Inventory

/// Controls over what a workload's containers may do on the host, what they run as, and what
/// credentials and data they can reach. Split by topic into `WorkloadPrivilegeControls+*.swift`.
package enum WorkloadPrivilegeControls {
    static let all: [Control] = [
        privilegedContainer, insecureCapabilities, sudoInEntrypoint,
        // +Host
        hostPathMount, writableHostPathMount, runtimeSocketMounted, mountServicePrincipal,
        hostNetworkAccess, hostPIDIPCPrivileges, hostPIDNamespace, hostIPCNamespace, containerHostPort,
        // +SecurityContext
        nonRootContainers, allowPrivilegeEscalation, immutableFilesystem, linuxHardening,
        seccompRuntimeDefault, securityContextApplied, cgroupsContainerEscape,
        // +Identity
        automountServiceAccount, serviceAccountTokensMountedWhereNecessary, serviceAccountTokenMounted,
        clusterTakeoverRoles, workloadAdministrativeRoles,
        // +Credentials
        credentialsInConfiguration, credentialsInEnvironment, secretsInEnvironment,
        // +Volumes
        secretAccess, persistentVolumeClaimAccess, configMapAccess,
    ]

    /// The entries of `capabilities.add` that name one of `wanted` (compared canonically), as written.
    static func addedCapabilities(_ container: Container, in wanted: [String]) -> [String] {
        let wanted = Set(wanted.map(LinuxCapability.canonical))
        return (container.securityContext?.capabilities?.add ?? []).filter { wanted.contains(LinuxCapability.canonical($0)) }
    }

    static let privilegedContainer = Control(
        id: "C-0057", name: "Privileged container", baseScore: 8,
        frameworks: ["NSA", "MITRE", "ClusterScan", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container (init and ephemeral ones included) that runs privileged or adds the SYS_ADMIN capability.",
        rationale: "A privileged container has every capability and every host device: it can load kernel modules, mount the host's disks and escape to the node, and from the node reach every pod on it.",
        remediation: "Remove `securityContext.privileged: true` and `SYS_ADMIN` from `capabilities.add`; grant the narrow capabilities the process needs instead.",
        example: "securityContext:\n  privileged: false\n  capabilities:\n    drop: [ALL]",
        reads: workloadKinds,
        notes: "Capability names are compared as the container runtime reads them: `CAP_SYS_ADMIN` and `sys_admin` count as SYS_ADMIN."
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) runs a privileged container") { path, container in
                var evidence: [String] = []
                if container.securityContext?.privileged == true {
                    evidence.append("\(workload.path(path, "securityContext.privileged"))=true")
                }
                for added in addedCapabilities(container, in: ["SYS_ADMIN"]) {
                    evidence.append("\(workload.path(path, "securityContext.capabilities.add")) contains \(added)")
                }
                return evidence
            }
        }
    }

    static let insecureCapabilities = Control(
        id: "C-0046", name: "Insecure capabilities", baseScore: 7,
        frameworks: ["NSA", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container whose `securityContext.capabilities.add` names a capability of the controls configuration's `insecureCapabilities` list (SETPCAP, NET_ADMIN, NET_RAW, SYS_MODULE, SYS_RAWIO, SYS_PTRACE, SYS_ADMIN, SYS_BOOT, MAC_OVERRIDE, MAC_ADMIN, PERFMON, ALL, BPF by default).",
        rationale: "These capabilities lift the kernel's guard rails around a container: SYS_MODULE loads kernel code, SYS_PTRACE reads other processes' memory, NET_ADMIN and NET_RAW rewrite and spoof the node's traffic, SYS_ADMIN mounts file systems. Each is a known first step of a container escape.",
        remediation: "Drop every capability and add back only the ones the process needs and that are not on the list; NET_BIND_SERVICE is usually all a server needs.",
        example: "securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]",
        reads: workloadKinds,
        notes: "Capability names are compared as the container runtime reads them (case-insensitive, with or without `CAP_`); Kubescape compares the exact string."
    ) { context in
        let insecure = context.config.insecureCapabilities
        return context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) adds insecure capabilities") { path, container in
                addedCapabilities(container, in: insecure).map {
                    "\(workload.path(path, "securityContext.capabilities.add")) contains \($0)"
                }
            }
        }
    }

    /// Whether a command-line word is `sudo` (also as `/usr/bin/sudo` or inside a shell script), not a
    /// longer word such as `pseudo` or `sudoers`.
    static func invokesSudo(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let word = Array("sudo".utf8)
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
        var index = 0
        while index + word.count <= bytes.count {
            if bytes[index..<index + word.count].elementsEqual(word) {
                let before = index == 0 ? nil : bytes[index - 1]
                let after = index + word.count < bytes.count ? bytes[index + word.count] : nil
                if !(before.map(isWordByte) ?? false) && !(after.map(isWordByte) ?? false) { return true }
            }
            index += 1
        }
        return false
    }

    static let sudoInEntrypoint = Control(
        id: "C-0062", name: "Sudo in container entrypoint", baseScore: 5,
        frameworks: ["ArmoBest"],
        description: "Fails a workload with a container whose `command` or `args` runs `sudo`.",
        rationale: "A container that needs sudo runs with a sudo binary, a sudoers file and usually a root account inside: anyone who gets a shell in it can become root in the container, one step from the node.",
        remediation: "Build the image so the process starts as the user it needs; remove sudo from the image and the entrypoint.",
        example: "command: [\"/app/server\"]\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001",
        reads: workloadKinds,
        notes: "Kubescape looks for the substring `sudo` in `command` only. Lookout also reads `args` (a `sh -c` script is usually there) and matches `sudo` as a word, so `pseudo-server` or `/etc/sudoers` are not findings."
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) runs sudo in a container entrypoint") { path, container in
                let command = (container.command ?? []).enumerated().filter { invokesSudo($0.element) }
                    .map { "\(workload.path(path, "command[\($0.offset)]")) runs sudo" }
                let args = (container.args ?? []).enumerated().filter { invokesSudo($0.element) }
                    .map { "\(workload.path(path, "args[\($0.offset)]")) runs sudo" }
                return command + args
            }
        }
    }
}
