@testable import Audit
import Inventory

/// Builders for the admission family's tests.
enum AdmissionFixture {
    static func enforcing(_ level: String?) -> [String: String]? {
        level.map { ["pod-security.kubernetes.io/enforce": $0] }
    }

    /// Namespaces `apps` (with the given labels) and `idle`, and one Deployment running in `apps`.
    static func cluster(appsLabels: [String: String]?, idleLabels: [String: String]? = nil) -> ClusterSnapshot {
        Fixture.snapshot {
            $0.namespaces = [NetFixture.namespace("apps", labels: appsLabels), NetFixture.namespace("idle", labels: idleLabels)]
            $0.deployments = [Fixture.deployment("web", containers: [Fixture.container()])]
        }
    }

    static let apps = ResourceRef(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "apps")
    static let idle = ResourceRef(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "idle")
}
