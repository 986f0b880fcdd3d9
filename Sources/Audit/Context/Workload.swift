import Inventory

/// A pod-creating object seen through its pod template: Pod, Deployment, ReplicaSet, DaemonSet,
/// StatefulSet, Job, CronJob or ReplicationController. Workload controls evaluate these, never the raw kinds.
public struct Workload: Namespaced, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var podSpec: PodSpec
    /// The labels pods get: the template's, or a Pod's own.
    public var podLabels: [String: String]
    public var podAnnotations: [String: String]
    /// Where the pod spec sits in the object, for evidence paths ("spec.template.spec").
    public var podSpecPath: String
    public var replicas: Int
    public var desiredNumberScheduled: Int?
    public var selector: LabelSelector?
    /// Where the selector's label map sits, for evidence: `spec.selector.matchLabels`, a CronJob's
    /// `spec.jobTemplate.spec.selector.matchLabels`, a ReplicationController's plain `spec.selector`.
    public var selectorLabelsPath = "spec.selector.matchLabels"

    public var name: String { metadata.name }

    public var ref: ResourceRef {
        ResourceRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)
    }

    public var key: ObjectKey { ObjectKey(kind: kind, namespace: namespace, name: name) }

    /// Kubescape's weight: replicas × 1.1 when there is more than one, times the nodes of a DaemonSet.
    public var weight: Double {
        var weight = replicas > 1 ? Double(replicas) * 1.1 : 1
        if kind == "DaemonSet", let nodes = desiredNumberScheduled, nodes > 0 { weight *= Double(nodes) }
        return weight
    }

    /// Evidence path of a container field, e.g. `spec.template.spec.containers[0].securityContext.privileged`.
    public func path(_ containerPath: String, _ field: String) -> String {
        "\(podSpecPath).\(containerPath).\(field)"
    }
}

extension Workload {
    init(pod: Pod) {
        self.init(
            apiVersion: "v1", kind: "Pod", metadata: pod.metadata, podSpec: pod.spec, podLabels: pod.labels,
            podAnnotations: pod.metadata.annotations ?? [:], podSpecPath: "spec", replicas: 1,
            desiredNumberScheduled: nil, selector: nil)
    }

    init(apiVersion: String, kind: String, metadata: ObjectMeta, spec: ReplicatedWorkloadSpec, defaultReplicas: Int) {
        self.init(
            apiVersion: apiVersion, kind: kind, metadata: metadata, podSpec: spec.template.spec,
            podLabels: spec.template.metadata?.labels ?? [:], podAnnotations: spec.template.metadata?.annotations ?? [:],
            podSpecPath: "spec.template.spec", replicas: spec.replicas ?? defaultReplicas,
            desiredNumberScheduled: nil, selector: spec.selector)
    }

    /// Every workload in the snapshot, with owned objects removed when their owner is itself scanned:
    /// a Deployment is reported rather than its ReplicaSets and Pods, a CronJob rather than its Jobs.
    /// A Pod owned by a kind Lookout does not scan (an operator's custom resource) is reported itself.
    static func topLevel(in snapshot: ClusterSnapshot) -> [Workload] {
        // Appended and filtered in place: a Workload holds a dozen references, and the arrays of each kind
        // concatenated, then filtered into a new array, retained and released every one of them twice.
        var all: [Workload] = []
        all.reserveCapacity(
            snapshot.deployments.count + snapshot.replicaSets.count + snapshot.statefulSets.count + snapshot.daemonSets.count
                + snapshot.jobs.count + snapshot.cronJobs.count + snapshot.replicationControllers.count + snapshot.pods.count)
        for deployment in snapshot.deployments {
            all.append(Workload(apiVersion: "apps/v1", kind: "Deployment", metadata: deployment.metadata, spec: deployment.spec, defaultReplicas: 1))
        }
        for replicaSet in snapshot.replicaSets {
            all.append(Workload(apiVersion: "apps/v1", kind: "ReplicaSet", metadata: replicaSet.metadata, spec: replicaSet.spec, defaultReplicas: 1))
        }
        for statefulSet in snapshot.statefulSets {
            all.append(Workload(apiVersion: "apps/v1", kind: "StatefulSet", metadata: statefulSet.metadata, spec: statefulSet.spec, defaultReplicas: 1))
        }
        for daemonSet in snapshot.daemonSets {
            all.append(Workload(
                apiVersion: "apps/v1", kind: "DaemonSet", metadata: daemonSet.metadata, podSpec: daemonSet.spec.template.spec,
                podLabels: daemonSet.spec.template.metadata?.labels ?? [:],
                podAnnotations: daemonSet.spec.template.metadata?.annotations ?? [:], podSpecPath: "spec.template.spec",
                replicas: 1, desiredNumberScheduled: daemonSet.status?.desiredNumberScheduled, selector: daemonSet.spec.selector))
        }
        for job in snapshot.jobs {
            all.append(Workload(
                apiVersion: "batch/v1", kind: "Job", metadata: job.metadata, podSpec: job.spec.template.spec,
                podLabels: job.spec.template.metadata?.labels ?? [:],
                podAnnotations: job.spec.template.metadata?.annotations ?? [:], podSpecPath: "spec.template.spec",
                replicas: 1, desiredNumberScheduled: nil, selector: job.spec.selector))
        }
        for cronJob in snapshot.cronJobs {
            let template = cronJob.spec.jobTemplate.spec.template
            var workload = Workload(
                apiVersion: "batch/v1", kind: "CronJob", metadata: cronJob.metadata, podSpec: template.spec,
                podLabels: template.metadata?.labels ?? [:], podAnnotations: template.metadata?.annotations ?? [:],
                podSpecPath: "spec.jobTemplate.spec.template.spec", replicas: 1, desiredNumberScheduled: nil,
                selector: cronJob.spec.jobTemplate.spec.selector)
            workload.selectorLabelsPath = "spec.jobTemplate.spec.selector.matchLabels"
            all.append(workload)
        }
        // A ReplicationController without a template creates no pods: there is nothing to judge.
        for controller in snapshot.replicationControllers {
            guard let template = controller.spec.template else { continue }
            var workload = Workload(
                apiVersion: "v1", kind: "ReplicationController", metadata: controller.metadata, podSpec: template.spec,
                podLabels: template.metadata?.labels ?? [:], podAnnotations: template.metadata?.annotations ?? [:],
                podSpecPath: "spec.template.spec", replicas: controller.spec.replicas ?? 1, desiredNumberScheduled: nil,
                selector: controller.spec.selector.map { LabelSelector(matchLabels: $0) })
            workload.selectorLabelsPath = "spec.selector"
            all.append(workload)
        }
        for pod in snapshot.pods { all.append(Workload(pod: pod)) }

        var scanned = Set<ObjectKey>(minimumCapacity: all.count)
        for index in all.indices { scanned.insert(all[index].key) }
        // Kept ones moved forward in order by index (`removeAll(where:)` handed the test a copy of each).
        var kept = 0
        for index in all.indices where !Ownership.owners(of: all[index].metadata, in: all[index].namespace).contains(where: scanned.contains) {
            all.swapAt(kept, index)
            kept += 1
        }
        all.removeSubrange(kept...)
        return all
    }
}
