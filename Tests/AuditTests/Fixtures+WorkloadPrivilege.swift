@testable import Audit
import FoundationEssentials
import Inventory

/// Builders for the workload privilege tests: a Deployment around a pod spec, containers configured
/// in place, and the evidence of one reported resource.
enum PrivilegeFixture {
    static func spec(_ containers: [Container], _ configure: (inout PodSpec) -> Void = { _ in }) -> PodSpec {
        var spec = PodSpec(containers: containers)
        configure(&spec)
        return spec
    }

    static func container(_ name: String = "app", configure: (inout Container) -> Void) -> Container {
        var container = Fixture.container(name)
        configure(&container)
        return container
    }

    static func deployment(_ name: String, namespace: String = "apps", spec: PodSpec, podAnnotations: [String: String]? = nil) -> Deployment {
        var template = PodTemplate(labels: ["app": name], spec: spec)
        template.metadata?.annotations = podAnnotations
        return Deployment(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: ReplicatedWorkloadSpec(replicas: 1, selector: LabelSelector(matchLabels: ["app": name]), template: template))
    }

    static func pod(_ name: String, namespace: String = "apps", spec: PodSpec) -> Pod {
        Pod(metadata: Fixture.meta(name, namespace: namespace), spec: spec)
    }

    /// A container security context that passes every securityContext control.
    static let hardened = SecurityContext(
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001,
        runAsGroup: 10001, capabilities: Capabilities(drop: ["ALL"]), seccompProfile: SeccompProfile(type: "RuntimeDefault"))

    static func hostPathVolume(_ name: String, _ path: String) -> Volume {
        Volume(name: name, hostPath: HostPathSource(path: path))
    }

    static func mount(_ name: String, at path: String = "/mnt", readOnly: Bool? = nil) -> VolumeMount {
        VolumeMount(name: name, mountPath: path, readOnly: readOnly)
    }

    static func serviceAccount(_ name: String, namespace: String = "apps", automount: Bool? = nil) -> ServiceAccount {
        ServiceAccount(metadata: Fixture.meta(name, namespace: namespace), automountServiceAccountToken: automount)
    }

    static func node(_ name: String, kernel: String?, operatingSystem: String? = "linux") -> Node {
        var info = Node.NodeInfo(kernelVersion: kernel)
        info.operatingSystem = operatingSystem
        return Node(metadata: Fixture.meta(name, namespace: nil), status: Node.Status(nodeInfo: info))
    }

    static func podSecurityPolicy(_ name: String, allowPrivilegeEscalation: Bool) throws -> PodSecurityPolicy {
        let json = #"{"metadata":{"name":"\#(name)"},"spec":{"allowPrivilegeEscalation":\#(allowPrivilegeEscalation)}}"#
        return try JSONDecoder().decode(PodSecurityPolicy.self, from: Data(json.utf8))
    }

    static func ref(_ kind: String, _ name: String, namespace: String = "apps") -> ResourceRef {
        let apiVersion = switch kind {
        case "Pod", "ConfigMap", "ServiceAccount": "v1"
        case "Job", "CronJob": "batch/v1"
        default: "apps/v1"
        }
        return ResourceRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)
    }
}

extension Array where Element == ResourceVerdict {
    /// The failure reported for the resource named `name`, if it failed.
    func failure(of name: String) -> Failure? {
        first { $0.resource.name == name }?.failure
    }

    func evidence(of name: String) -> [String]? { failure(of: name)?.evidence }
}
