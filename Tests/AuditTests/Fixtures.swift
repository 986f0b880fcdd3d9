@testable import Audit
import Foundation
import Inventory

/// Small builders for in-memory snapshots, so each control test states only what matters to it.
enum Fixture {
    static func snapshot(_ build: (inout ClusterSnapshot) -> Void) -> ClusterSnapshot {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        snapshot.collected = Set(ResourceKind.allCases)
        build(&snapshot)
        return snapshot
    }

    static func meta(_ name: String, namespace: String? = "apps", labels: [String: String]? = nil,
                     owner: OwnerReference? = nil) -> ObjectMeta {
        ObjectMeta(name: name, namespace: namespace, labels: labels, ownerReferences: owner.map { [$0] })
    }

    static func pod(_ name: String, namespace: String = "apps", containers: [Container], owner: OwnerReference? = nil,
                    labels: [String: String]? = nil) -> Pod {
        Pod(metadata: meta(name, namespace: namespace, labels: labels, owner: owner), spec: PodSpec(containers: containers))
    }

    static func deployment(_ name: String, namespace: String = "apps", replicas: Int = 1, containers: [Container],
                           labels: [String: String] = ["app": "web"]) -> Deployment {
        Deployment(
            metadata: meta(name, namespace: namespace),
            spec: ReplicatedWorkloadSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplate(labels: labels, spec: PodSpec(containers: containers))))
    }

    static func container(_ name: String = "app", securityContext: SecurityContext? = nil) -> Container {
        Container(name: name, image: "registry.example/app:1.0", securityContext: securityContext)
    }

    static func clusterRole(_ name: String, rules: [PolicyRule]) -> Role {
        Role(metadata: meta(name, namespace: nil), rules: rules)
    }

    static func role(_ name: String, namespace: String, rules: [PolicyRule]) -> Role {
        Role(metadata: meta(name, namespace: namespace), rules: rules)
    }

    static func clusterRoleBinding(_ name: String, role: String, subjects: [Subject]) -> RoleBinding {
        RoleBinding(metadata: meta(name, namespace: nil), roleRef: RoleRef(kind: "ClusterRole", name: role), subjects: subjects)
    }

    static func roleBinding(_ name: String, namespace: String, roleKind: String = "Role", role: String,
                            subjects: [Subject]) -> RoleBinding {
        RoleBinding(metadata: meta(name, namespace: namespace), roleRef: RoleRef(kind: roleKind, name: role), subjects: subjects)
    }

    static let clusterAdminRule = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])

    /// Runs one control and returns its outcome's verdicts, or the skip reason.
    static func run(_ control: Control, on snapshot: ClusterSnapshot, config: ControlsConfig = ControlsConfig())
        -> (failed: [ResourceRef], all: [ResourceRef], skipped: String?, verdicts: [ResourceVerdict])
    {
        FixtureRecorder.current?.record(control.id, snapshot, config)
        switch control.run(in: AuditContext(snapshot: snapshot, config: config)) {
        case .skipped(let reason): return ([], [], reason, [])
        case .evaluated(let verdicts), .partial(let verdicts, _):
            return (verdicts.filter { $0.failure != nil }.map(\.resource).sorted(), verdicts.map(\.resource).sorted(), nil, verdicts)
        }
    }
}

/// Collects the snapshots that control tests run on, so the admission gate can be checked against
/// exactly the fixtures the control's own tests use (AdmissionGateTests).
final class FixtureRecorder: @unchecked Sendable {
    struct Entry {
        var controlID: String
        var snapshot: ClusterSnapshot
        var config: ControlsConfig
    }

    @TaskLocal static var current: FixtureRecorder?

    private let lock = NSLock()
    private var recorded: [Entry] = []

    var entries: [Entry] { lock.withLock { recorded } }

    func record(_ controlID: String, _ snapshot: ClusterSnapshot, _ config: ControlsConfig) {
        lock.withLock { recorded.append(Entry(controlID: controlID, snapshot: snapshot, config: config)) }
    }
}
