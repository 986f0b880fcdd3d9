import Inventory

/// Controls over what a workload's containers may do on the host.
enum WorkloadPrivilegeControls {
    static let all: [Control] = [privilegedContainer]

    static let workloadKinds: [ResourceKind] = [.pods, .deployments, .replicasets, .daemonsets, .statefulsets, .jobs, .cronjobs]

    static let privilegedContainer = Control(
        id: "C-0057", name: "Privileged container", baseScore: 8,
        frameworks: ["NSA", "MITRE", "ClusterScan", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container (init and ephemeral ones included) that runs privileged or adds the SYS_ADMIN capability.",
        rationale: "A privileged container has every capability and every host device: it can load kernel modules, mount the host's disks and escape to the node, and from the node reach every pod on it.",
        remediation: "Remove `securityContext.privileged: true` and `SYS_ADMIN` from `capabilities.add`; grant the narrow capabilities the process needs instead.",
        example: "securityContext:\n  privileged: false\n  capabilities:\n    drop: [ALL]",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) runs a privileged container") { path, container in
                var evidence: [String] = []
                if container.securityContext?.privileged == true {
                    evidence.append("\(workload.path(path, "securityContext.privileged"))=true")
                }
                if (container.securityContext?.capabilities?.add ?? []).contains("SYS_ADMIN") {
                    evidence.append("\(workload.path(path, "securityContext.capabilities.add")) contains SYS_ADMIN")
                }
                return evidence
            }
        }
    }
}
