import Inventory

/// Health probes of long-running workloads.
extension WorkloadHygieneControls {
    static let probeControls: [Control] = [readinessProbe, livenessProbe]

    /// Workloads meant to run until stopped: Jobs and CronJobs run to completion, and so do Pods a
    /// Job created, so none of them is judged on probes.
    static func longRunning(_ workloads: [Workload]) -> [Workload] {
        workloads.filter { workload in
            guard workload.kind != "Job", workload.kind != "CronJob" else { return false }
            return !(workload.metadata.ownerReferences ?? []).contains { $0.kind == "Job" }
        }
    }

    /// Regular containers without the probe; init containers run to completion before the pod is
    /// ready, and ephemeral containers may not have probes at all.
    static func probeFailure(_ workload: Workload, probe: String, has: (Container) -> Bool) -> Failure? {
        let evidence = workload.podSpec.containers.enumerated().compactMap { index, container in
            has(container) ? nil : "\(workload.path("containers[\(index)]", probe)) is not set"
        }
        return evidence.isEmpty
            ? nil : Failure(message: "\(workload.kind) \(workload.name) has a container without a \(probe)", evidence: evidence)
    }

    static let probeNotes = "Only long-running workloads are judged: Deployments, ReplicaSets, StatefulSets, DaemonSets and Pods not created by a Job. Jobs and CronJobs run to completion and are left out (Kubescape fails them). Init and ephemeral containers need no probe: they run to completion or may not have one."

    static let readinessProbe = Control(
        id: "C-0018", name: "Configured readiness probe", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a long-running workload with a container that has no `readinessProbe`.",
        rationale: "Without a readiness probe a pod receives traffic as soon as its process starts, before it can serve, and keeps receiving it while it is broken: errors reach users during every rollout.",
        remediation: "Add a `readinessProbe` that checks the container can serve requests.",
        example: "readinessProbe:\n  httpGet: {path: /ready, port: 8080}\n  periodSeconds: 5",
        reads: workloadKinds, notes: probeNotes
    ) { context in
        evaluate(longRunning(context.workloads)) { probeFailure($0, probe: "readinessProbe") { $0.readinessProbe != nil } }
    }

    static let livenessProbe = Control(
        id: "C-0056", name: "Configured liveness probe", baseScore: 4, frameworks: ["DevOpsBest"],
        description: "Fails a long-running workload with a container that has no `livenessProbe`.",
        rationale: "Without a liveness probe a deadlocked or wedged process is never restarted: the pod stays Running and the outage lasts until someone notices.",
        remediation: "Add a `livenessProbe` that fails only when the process cannot recover by itself.",
        example: "livenessProbe:\n  httpGet: {path: /healthz, port: 8080}\n  periodSeconds: 10\n  failureThreshold: 3",
        reads: workloadKinds, notes: probeNotes
    ) { context in
        evaluate(longRunning(context.workloads)) { probeFailure($0, probe: "livenessProbe") { $0.livenessProbe != nil } }
    }
}
