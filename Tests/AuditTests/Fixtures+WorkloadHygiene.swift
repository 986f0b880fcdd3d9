@testable import Audit
import Foundation
import Inventory

/// Builders for the workload hygiene tests: containers with resources, images and probes, and the
/// objects that reference workloads.
enum HygieneFixture {
    static func container(
        _ name: String = "app", image: String? = "registry.example/app:1.0", limits: [String: String]? = nil,
        requests: [String: String]? = nil, pullPolicy: String? = nil
    ) -> Container {
        var container = Container(name: name, image: image)
        if limits != nil || requests != nil { container.resources = ResourceRequirements(limits: limits, requests: requests) }
        container.imagePullPolicy = pullPolicy
        return container
    }

    /// A container with CPU and memory limits and requests, the passing shape of the resource controls.
    static func resourced(_ name: String = "app") -> Container {
        container(name, limits: ["cpu": "500m", "memory": "256Mi"], requests: ["cpu": "100m", "memory": "128Mi"])
    }

    static func probed(_ name: String = "app") -> Container {
        var container = container(name)
        container.readinessProbe = Present()
        container.livenessProbe = Present()
        return container
    }

    static func image(_ image: String, _ name: String = "app") -> Container { container(name, image: image) }

    static func deployment(
        _ name: String, namespace: String = "apps", containers: [Container], labels: [String: String]? = nil,
        podLabels: [String: String] = ["app": "web"]
    ) -> Deployment {
        var deployment = Fixture.deployment(name, namespace: namespace, containers: containers, labels: podLabels)
        deployment.metadata.labels = labels
        return deployment
    }

    static func job(_ name: String, namespace: String = "apps", containers: [Container]) -> Job {
        Job(metadata: Fixture.meta(name, namespace: namespace), spec: Job.Spec(template: PodTemplate(spec: PodSpec(containers: containers))))
    }

    static func cronJob(_ name: String, namespace: String = "apps", containers: [Container]) -> CronJob {
        CronJob(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: CronJob.Spec(schedule: "* * * * *", jobTemplate: CronJob.JobTemplate(spec: Job.Spec(template: PodTemplate(spec: PodSpec(containers: containers))))))
    }

    static func service(_ name: String, namespace: String = "apps", selector: [String: String]?) -> Service {
        Service(metadata: Fixture.meta(name, namespace: namespace), spec: Service.Spec(selector: selector))
    }

    static func node(_ name: String, kubelet: String? = nil, runtime: String? = nil) -> Node {
        Node(metadata: Fixture.meta(name, namespace: nil), status: Node.Status(nodeInfo: Node.NodeInfo(kubeletVersion: kubelet, containerRuntimeVersion: runtime)))
    }

    static func configMap(_ name: String, namespace: String, data: [String: String]) -> ConfigMap {
        ConfigMap(metadata: Fixture.meta(name, namespace: namespace), data: data)
    }

    /// Kinds without a public memberwise initializer are decoded from the JSON the API server sends.
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func apiService(_ name: String, service: (namespace: String, name: String)?) throws -> APIService {
        let spec = service.map { #"{"service": {"namespace": "\#($0.namespace)", "name": "\#($0.name)"}, "group": "metrics.k8s.io"}"# }
            ?? #"{"group": "apps"}"#
        return try decode(APIService.self, #"{"metadata": {"name": "\#(name)"}, "spec": \#(spec)}"#)
    }

    static func persistentVolume(_ name: String, spec: String) throws -> PersistentVolume {
        try decode(PersistentVolume.self, #"{"metadata": {"name": "\#(name)"}, "spec": \#(spec)}"#)
    }

    /// Evidence of the only failed verdict, for tests that build a single failing resource.
    static func evidence(_ result: (failed: [ResourceRef], all: [ResourceRef], skipped: String?, verdicts: [ResourceVerdict])) -> [String] {
        result.verdicts.compactMap(\.failure).flatMap(\.evidence)
    }
}
