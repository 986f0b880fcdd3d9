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
        var all: [Workload] = []
        all += snapshot.deployments.map {
            Workload(apiVersion: "apps/v1", kind: "Deployment", metadata: $0.metadata, spec: $0.spec, defaultReplicas: 1)
        }
        all += snapshot.replicaSets.map {
            Workload(apiVersion: "apps/v1", kind: "ReplicaSet", metadata: $0.metadata, spec: $0.spec, defaultReplicas: 1)
        }
        all += snapshot.statefulSets.map {
            Workload(apiVersion: "apps/v1", kind: "StatefulSet", metadata: $0.metadata, spec: $0.spec, defaultReplicas: 1)
        }
        all += snapshot.daemonSets.map {
            Workload(
                apiVersion: "apps/v1", kind: "DaemonSet", metadata: $0.metadata, podSpec: $0.spec.template.spec,
                podLabels: $0.spec.template.metadata?.labels ?? [:],
                podAnnotations: $0.spec.template.metadata?.annotations ?? [:], podSpecPath: "spec.template.spec",
                replicas: 1, desiredNumberScheduled: $0.status?.desiredNumberScheduled, selector: $0.spec.selector)
        }
        all += snapshot.jobs.map {
            Workload(
                apiVersion: "batch/v1", kind: "Job", metadata: $0.metadata, podSpec: $0.spec.template.spec,
                podLabels: $0.spec.template.metadata?.labels ?? [:],
                podAnnotations: $0.spec.template.metadata?.annotations ?? [:], podSpecPath: "spec.template.spec",
                replicas: 1, desiredNumberScheduled: nil, selector: $0.spec.selector)
        }
        all += snapshot.cronJobs.map {
            let template = $0.spec.jobTemplate.spec.template
            var workload = Workload(
                apiVersion: "batch/v1", kind: "CronJob", metadata: $0.metadata, podSpec: template.spec,
                podLabels: template.metadata?.labels ?? [:], podAnnotations: template.metadata?.annotations ?? [:],
                podSpecPath: "spec.jobTemplate.spec.template.spec", replicas: 1, desiredNumberScheduled: nil,
                selector: $0.spec.jobTemplate.spec.selector)
            workload.selectorLabelsPath = "spec.jobTemplate.spec.selector.matchLabels"
            return workload
        }
        // A ReplicationController without a template creates no pods: there is nothing to judge.
        all += snapshot.replicationControllers.compactMap { controller in
            guard let template = controller.spec.template else { return nil }
            var workload = Workload(
                apiVersion: "v1", kind: "ReplicationController", metadata: controller.metadata, podSpec: template.spec,
                podLabels: template.metadata?.labels ?? [:], podAnnotations: template.metadata?.annotations ?? [:],
                podSpecPath: "spec.template.spec", replicas: controller.spec.replicas ?? 1, desiredNumberScheduled: nil,
                selector: controller.spec.selector.map { LabelSelector(matchLabels: $0) })
            workload.selectorLabelsPath = "spec.selector"
            return workload
        }
        all += snapshot.pods.map(Workload.init(pod:))

        let scanned = Set(all.map(\.key))
        return all.filter { workload in
            !Ownership.owners(of: workload.metadata, in: workload.namespace).contains(where: scanned.contains)
        }
    }
}
