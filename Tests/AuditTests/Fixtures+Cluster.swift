@testable import Audit
import Inventory

/// Builders for the cluster family's tests: kube-apiserver mirror pods, CronJobs, webhook configurations.
enum ClusterFixture {
    /// A kubeadm-style kube-apiserver mirror pod with `flags` after the binary in `command`.
    static func apiServer(
        _ flags: [String], name: String = "kube-apiserver-cp1", args: [String]? = nil, labels: [String: String]? = nil,
        sidecarFirst: Bool = false
    ) -> Pod {
        var container = Container(name: "kube-apiserver", image: "registry.k8s.io/kube-apiserver:v1.30.2")
        container.command = ["kube-apiserver"] + flags
        container.args = args
        let containers = sidecarFirst ? [Container(name: "proxy", image: "envoy:1"), container] : [container]
        return Pod(
            metadata: Fixture.meta(name, namespace: "kube-system", labels: labels, owner: OwnerReference(kind: "Node", name: "cp1")),
            spec: PodSpec(containers: containers))
    }

    static let apiServerRef = ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "kube-system", name: "kube-apiserver-cp1")

    static func snapshot(version: String? = "v1.30.2", _ pods: [Pod]) -> ClusterSnapshot {
        var snapshot = Fixture.snapshot { $0.pods = pods }
        snapshot.cluster.version = version
        return snapshot
    }

    static func cronJob(_ name: String, namespace: String = "apps", schedule: String?) -> CronJob {
        CronJob(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: CronJob.Spec(
                schedule: schedule,
                jobTemplate: CronJob.JobTemplate(spec: Job.Spec(template: PodTemplate(spec: PodSpec(containers: [Fixture.container()]))))))
    }

    static func webhooks(_ name: String, _ webhooks: [Webhook]?) -> WebhookConfiguration {
        WebhookConfiguration(metadata: Fixture.meta(name, namespace: nil), webhooks: webhooks)
    }
}
