import Inventory

/// A volume that a container mounts: the pair the volume controls report, with evidence paths.
struct MountedVolume {
    var volumeIndex: Int
    var volume: Volume
    /// `containers[0]`, `initContainers[1]`…
    var containerPath: String
    var container: Container
    var mountIndex: Int
    var mount: VolumeMount
}

extension Workload {
    /// Every (volume, mount) pair where a container (init and ephemeral ones included) mounts a volume
    /// of the pod; volumes no container mounts are left out.
    var mountedVolumes: [MountedVolume] {
        let volumes = podSpec.volumes ?? []
        var result: [MountedVolume] = []
        for (containerPath, container) in podSpec.allContainers {
            for (mountIndex, mount) in (container.volumeMounts ?? []).enumerated() {
                guard let volumeIndex = volumes.firstIndex(where: { $0.name == mount.name }) else { continue }
                result.append(MountedVolume(
                    volumeIndex: volumeIndex, volume: volumes[volumeIndex], containerPath: containerPath,
                    container: container, mountIndex: mountIndex, mount: mount))
            }
        }
        return result
    }

    /// Evidence path of a pod-level field, e.g. `spec.template.spec.hostPID`.
    func podPath(_ field: String) -> String { "\(podSpecPath).\(field)" }

    /// `spec.template.spec.volumes[0].hostPath.path=/var/log mounted at spec.template.spec.containers[0].volumeMounts[1]`
    func mountEvidence(_ mounted: MountedVolume, source: String) -> String {
        "\(podPath("volumes[\(mounted.volumeIndex)]")).\(source) mounted at \(path(mounted.containerPath, "volumeMounts[\(mounted.mountIndex)]"))"
    }
}

extension WorkloadPrivilegeControls {
    /// A host path in canonical form: no repeated or trailing slashes, `.` and `..` resolved, so that
    /// `/var/run/` and `/var//run` compare equal to `/var/run`.
    package static func canonicalHostPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `target` or a directory above it (so mounting `path` exposes `target`).
    package static func hostPath(_ path: String, exposes target: String) -> Bool {
        path == target || path == "/" || target.hasPrefix(path + "/")
    }

    /// Mounts of hostPath volumes, with the canonical host path, for the hostPath controls to filter.
    static func hostPathMounts(_ workload: Workload) -> [(mounted: MountedVolume, hostPath: String)] {
        workload.mountedVolumes.compactMap { mounted in
            mounted.volume.hostPath.map { (mounted, canonicalHostPath($0.path)) }
        }
    }

    static func hostPathEvidence(_ workload: Workload, _ mounted: MountedVolume, suffix: String = "") -> String {
        workload.mountEvidence(mounted, source: "hostPath.path=\(mounted.volume.hostPath?.path ?? "")") + suffix
    }

    static let hostPathMount = Control(
        id: "C-0048", name: "HostPath mount", baseScore: 7,
        frameworks: ["MITRE", "ClusterScan", "security", "WorkloadScan"],
        description: "Fails a workload with a container (init and ephemeral ones included) that mounts a hostPath volume.",
        rationale: "A hostPath volume puts a directory of the node inside the container: node credentials, other pods' data, logs and the container runtime's files are one path away, and a writable one lets the container plant files the node will execute.",
        remediation: "Use emptyDir, ConfigMap, Secret or PersistentVolumeClaim volumes instead. Where a node agent truly needs host files, mount the narrowest path read-only and run it in a dedicated, restricted namespace.",
        example: "volumes:\n- name: scratch\n  emptyDir: {}",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            let evidence = hostPathMounts(workload).map { hostPathEvidence(workload, $0.mounted) }
            return evidence.isEmpty
                ? nil : Failure(message: "\(workload.kind) \(workload.name) mounts a hostPath volume", evidence: evidence)
        }
    }

    static let writableHostPathMount = Control(
        id: "C-0045", name: "Writable hostPath mount", baseScore: 8,
        frameworks: ["MITRE", "security", "WorkloadScan"],
        description: "Fails a workload with a container that mounts a hostPath volume without `readOnly: true` on the volume mount.",
        rationale: "A writable host directory lets a compromised container change the node: drop a binary or a cron entry the node runs, replace a static pod manifest, or fill the node's disk.",
        remediation: "Set `readOnly: true` on every volumeMount of a hostPath volume, or replace the hostPath with another volume type.",
        example: "volumeMounts:\n- name: logs\n  mountPath: /host/var/log\n  readOnly: true",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            let evidence = hostPathMounts(workload).filter { $0.mounted.mount.readOnly != true }.map {
                hostPathEvidence(workload, $0.mounted, suffix: $0.mounted.mount.readOnly == false ? " with readOnly=false" : " with readOnly unset")
            }
            return evidence.isEmpty
                ? nil : Failure(message: "\(workload.kind) \(workload.name) mounts a writable hostPath volume", evidence: evidence)
        }
    }

    static let runtimeSocketMounted = Control(
        id: "C-0074", name: "Container runtime socket mounted", baseScore: 5,
        frameworks: ["DevOpsBest", "security"],
        description: "Fails a workload that mounts a container runtime socket (Docker, containerd, CRI-O, cri-dockerd) through a hostPath volume, or a host directory that contains one (`/var/run`, `/run`, `/var`, `/`).",
        rationale: "Whoever can talk to the runtime socket can start a privileged container with the node's root file system mounted: it is root on the node, whatever the pod's own security context says.",
        remediation: "Do not mount the runtime socket. Build images with a daemonless builder (BuildKit rootless, Kaniko), and read container metadata through the Kubernetes API.",
        example: "# remove:\nvolumes:\n- name: docker\n  hostPath: {path: /var/run/docker.sock}",
        reads: workloadKinds,
        notes: "Kubescape matches four exact paths. Lookout compares paths canonically (`/var/run/docker.sock/` counts), knows the sockets' `/run` spellings, k3s' containerd and cri-dockerd, and also fails a mount of a directory that contains a socket, such as `/var/run`."
    ) { context in
        context.evaluateWorkloads { workload in
            let evidence = hostPathMounts(workload).compactMap { mount -> String? in
                guard let socket = ContainerRuntimeSocket.paths.first(where: { hostPath(mount.hostPath, exposes: $0) }) else { return nil }
                return hostPathEvidence(workload, mount.mounted, suffix: mount.hostPath == socket ? "" : " (contains \(socket))")
            }
            return evidence.isEmpty
                ? nil : Failure(message: "\(workload.kind) \(workload.name) mounts the container runtime socket", evidence: evidence)
        }
    }

    /// Kubescape's credential paths of each provider, canonical.
    static let cloudCredentialPaths: [CloudProvider: Set<String>] = [
        .eks: ["/.aws", "/.aws/config", "/.aws/credentials"],
        .aks: ["/etc", "/etc/kubernetes", "/etc/kubernetes/azure.json", "/.azure", "/.azure/credentials"],
        .gke: [
            "/.config", "/.config/gcloud", "/gcloud", "/.config/gcloud/application_default_credentials.json",
            "/gcloud/application_default_credentials.json",
        ],
    ]

    /// Cloud CLI credential locations that live in a home directory (`/root/.aws`, `/home/ubuntu/.azure`).
    static let homeCredentialSuffixes: [CloudProvider: [String]] = [
        .eks: ["/.aws", "/.aws/config", "/.aws/credentials"],
        .aks: ["/.azure", "/.azure/credentials"],
        .gke: ["/.config/gcloud", "/.config/gcloud/application_default_credentials.json"],
    ]

    /// Whether `path` holds the credentials of `provider`'s nodes, or of any provider when it is unknown.
    static func isCloudCredentialPath(_ path: String, provider: CloudProvider?) -> Bool {
        let providers = provider.map { [$0] } ?? CloudProvider.allCases
        return path == "/"
            || providers.contains { provider in
                cloudCredentialPaths[provider, default: []].contains(path)
                    || homeCredentialSuffixes[provider, default: []].contains { path.hasSuffix($0) }
            }
    }

    static let mountServicePrincipal = Control(
        id: "C-0020", name: "Mount service principal", baseScore: 4,
        frameworks: ["MITRE"],
        description: "Fails a workload that mounts, through a hostPath volume, a place where the cluster's provider keeps node cloud credentials (every provider's when it is unknown): EKS `/.aws`, `/.aws/config`, `/.aws/credentials`; AKS `/etc`, `/etc/kubernetes`, `/etc/kubernetes/azure.json`, `/.azure`, `/.azure/credentials`; GKE `/.config`, `/.config/gcloud`, `/gcloud` and their `application_default_credentials.json`; the same CLI folders under any home directory; or the node's root `/`.",
        rationale: "Nodes hold cloud credentials for their own work (AKS keeps a service principal secret in azure.json). A pod that mounts them acts as the node in the cloud account: it can read storage, pull private images or change the network.",
        remediation: "Remove hostPath volumes that reach credential files. Give pods their own narrowly scoped cloud identity (IRSA, Azure Workload Identity, GKE Workload Identity) instead.",
        example: "# remove:\nvolumes:\n- name: azure\n  hostPath: {path: /etc/kubernetes/azure.json}",
        reads: workloadKinds,
        notes: "As in Kubescape, only the cluster's provider's list applies when it is known, and the three lists together when it is not (file scans, clusters on other platforms). Lookout finds the provider from the nodes' `spec.providerID` (`aws://`, `gce://`, `azure://`) or an EKS/GKE server version. It also counts the same CLI folders under home directories (`/root/.aws`) and a mount of `/`, which contains them all, whatever the provider."
    ) { context in
        let provider = context.snapshot.cloudProvider
        return context.evaluateWorkloads { workload in
            let evidence = hostPathMounts(workload).filter { isCloudCredentialPath($0.hostPath, provider: provider) }.map {
                hostPathEvidence(workload, $0.mounted)
            }
            return evidence.isEmpty
                ? nil : Failure(message: "\(workload.kind) \(workload.name) mounts a path that may hold cloud credentials", evidence: evidence)
        }
    }

    /// The host namespaces a pod can share.
    enum HostNamespace: String {
        case network = "hostNetwork", pid = "hostPID", ipc = "hostIPC"

        func isShared(by spec: PodSpec) -> Bool {
            switch self {
            case .network: spec.hostNetwork == true
            case .pid: spec.hostPID == true
            case .ipc: spec.hostIPC == true
            }
        }
    }

    /// The check of C-0041, C-0038, C-0275 and C-0276: the pod shares any of `namespaces` with the node.
    static func hostNamespaceFailure(_ namespaces: [HostNamespace], message: String) -> @Sendable (AuditContext) -> ControlOutcome {
        { context in
            context.evaluateWorkloads { workload in
                let evidence = namespaces.filter { $0.isShared(by: workload.podSpec) }.map { "\(workload.podPath($0.rawValue))=true" }
                return evidence.isEmpty ? nil : Failure(message: "\(workload.kind) \(workload.name) \(message)", evidence: evidence)
            }
        }
    }

    static let hostNetworkAccess = Control(
        id: "C-0041", name: "HostNetwork access", baseScore: 7,
        frameworks: ["NSA", "ClusterScan", "ArmoBest", "security", "WorkloadScan", "cis-v1.12.0"],
        description: "Fails a workload whose pod sets `hostNetwork: true`.",
        rationale: "A pod on the host network sees every interface of the node: it can sniff other pods' traffic, reach services bound to localhost (the kubelet's, etcd's on control-plane nodes) and is not subject to network policies.",
        remediation: "Remove `hostNetwork: true`; expose the workload through a Service. Keep host networking for the few node agents (CNI, kube-proxy) that need it, in system namespaces.",
        example: "spec:\n  hostNetwork: false",
        reads: workloadKinds,
        evaluate: hostNamespaceFailure([.network], message: "uses the host network")
    )

    static let hostPIDIPCPrivileges = Control(
        id: "C-0038", name: "Host PID/IPC privileges", baseScore: 7,
        frameworks: ["NSA", "ClusterScan", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload whose pod sets `hostPID: true` or `hostIPC: true`.",
        rationale: "With the host PID namespace a container sees every process of the node, reads their environment (secrets included) and, with ptrace, enters them; with the host IPC namespace it reads and writes the shared memory of the node's processes.",
        remediation: "Remove `hostPID` and `hostIPC` from the pod spec.",
        example: "spec:\n  hostPID: false\n  hostIPC: false",
        reads: workloadKinds,
        evaluate: hostNamespaceFailure([.pid, .ipc], message: "shares the host's process or IPC namespace")
    )

    static let hostPIDNamespace = Control(
        id: "C-0275", name: "Minimize the admission of containers wishing to share the host process ID namespace", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.11. Fails a workload whose pod sets `hostPID: true`.",
        rationale: "With the host PID namespace a container sees every process of the node, reads their environment and command lines (secrets included) and, with ptrace, can enter them.",
        remediation: "Remove `hostPID: true` from the pod spec, and enforce the Pod Security Standard `baseline` in the namespace so it cannot come back.",
        example: "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline",
        reads: workloadKinds,
        notes: "The hostPID half of C-0038's check. CIS words 5.2.11 as an admission rule; Lookout reports the workloads that break it, and the Pod Security Admission controls (C-0192 and following) report namespaces that would admit them.",
        evaluate: hostNamespaceFailure([.pid], message: "shares the host's process namespace")
    )

    static let hostIPCNamespace = Control(
        id: "C-0276", name: "Minimize the admission of containers wishing to share the host IPC namespace", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.12. Fails a workload whose pod sets `hostIPC: true`.",
        rationale: "With the host IPC namespace a container reads and writes the System V shared memory and message queues of the node's processes.",
        remediation: "Remove `hostIPC: true` from the pod spec, and enforce the Pod Security Standard `baseline` in the namespace so it cannot come back.",
        example: "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline",
        reads: workloadKinds,
        notes: "The hostIPC half of C-0038's check. CIS words 5.2.12 as an admission rule; Lookout reports the workloads that break it, and the Pod Security Admission controls (C-0192 and following) report namespaces that would admit them.",
        evaluate: hostNamespaceFailure([.ipc], message: "shares the host's IPC namespace")
    )

    static let containerHostPort = Control(
        id: "C-0044", name: "Container hostPort", baseScore: 4,
        frameworks: ["NSA", "DevOpsBest", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container port that sets a `hostPort`.",
        rationale: "A hostPort opens the port on the node's address, outside Services, network policies' usual view and the cluster's load balancers; it also pins the pod to nodes where the port is free.",
        remediation: "Remove `hostPort` and expose the port through a Service (NodePort or LoadBalancer if it must be reachable from outside).",
        example: "ports:\n- containerPort: 8080",
        reads: workloadKinds,
        notes: "A `hostPort: 0` means no host port and passes."
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) opens a host port", check: workload.hostPortEvidence)
        }
    }
}
