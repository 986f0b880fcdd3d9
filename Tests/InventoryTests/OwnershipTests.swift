import Inventory
import Testing

/// The one walk of owner chains: Pod → ReplicaSet → Deployment, Job → CronJob, owners in the object's
/// namespace, the controller reference preferred, cycles bounded.
@Suite struct OwnershipTests {
    static func meta(_ name: String, owners: [OwnerReference] = []) -> ObjectMeta {
        ObjectMeta(name: name, namespace: "shop", ownerReferences: owners.isEmpty ? nil : owners)
    }

    static func spec() -> ReplicatedWorkloadSpec {
        ReplicatedWorkloadSpec(replicas: 1, selector: LabelSelector(), template: PodTemplate(labels: [:], spec: PodSpec(containers: [])))
    }

    static let snapshot: ClusterSnapshot = {
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        snapshot.deployments = [Deployment(metadata: meta("web"), spec: spec())]
        snapshot.replicaSets = [ReplicaSet(metadata: meta("web-1", owners: [OwnerReference(kind: "Deployment", name: "web")]), spec: spec())]
        snapshot.pods = [
            // A non-controller owner listed first: the controller is the one followed.
            Pod(metadata: meta("web-1-a", owners: [
                OwnerReference(kind: "ConfigMap", name: "pinned", controller: false), OwnerReference(kind: "ReplicaSet", name: "web-1"),
            ]), spec: PodSpec(containers: [])),
            // No reference marked controller: the first is followed.
            Pod(metadata: meta("loop-a", owners: [OwnerReference(kind: "Pod", name: "loop-b", controller: nil)]), spec: PodSpec(containers: [])),
            Pod(metadata: meta("loop-b", owners: [OwnerReference(kind: "Pod", name: "loop-a", controller: nil)]), spec: PodSpec(containers: [])),
            Pod(metadata: meta("bare"), spec: PodSpec(containers: [])),
        ]
        return snapshot
    }()

    static func key(_ kind: ResourceKind, _ name: String) -> ObjectKey { ObjectKey(kind, namespace: "shop", name: name) }

    @Test func followsTheControllerChainToTheFirstAcceptedOwner() {
        let ownership = Ownership(Self.snapshot)
        #expect(ownership.controller(of: Self.key(.pods, "web-1-a")) == Self.key(.replicasets, "web-1"))
        #expect(ownership.controller(of: Self.key(.pods, "bare")) == nil)
        let deployment = ownership.firstController(from: Self.key(.pods, "web-1-a")) { $0.kind == "Deployment" }
        #expect(deployment == Self.key(.deployments, "web"))
        #expect(ownership.firstController(from: Self.key(.pods, "bare")) { $0.kind == "Deployment" } == nil)
    }

    @Test func aCycleEndsTheWalk() {
        let ownership = Ownership(Self.snapshot)
        #expect(ownership.controller(of: Self.key(.pods, "loop-a")) == Self.key(.pods, "loop-b"))
        #expect(ownership.firstController(from: Self.key(.pods, "loop-a")) { $0.kind == "Deployment" } == nil)
    }

    /// Only the kinds asked for are indexed (the reports index Pods alone).
    @Test func indexesOnlyTheKindsAskedFor() {
        let ownership = Ownership(Self.snapshot, kinds: [.pods])
        #expect(ownership.controller(of: Self.key(.pods, "web-1-a")) == Self.key(.replicasets, "web-1"))
        #expect(ownership.controller(of: Self.key(.replicasets, "web-1")) == nil)
    }

    @Test func ownersAreAllTheReferencesInTheObjectsNamespace() {
        let pod = Self.snapshot.pods[0]
        #expect(Ownership.owners(of: pod.metadata, in: "shop") == [
            ObjectKey(kind: "ConfigMap", namespace: "shop", name: "pinned"), Self.key(.replicasets, "web-1"),
        ])
    }

    @Test func objectKeysOfClusterScopedKindsHaveNoNamespace() {
        #expect(ObjectKey(.clusterroles, namespace: "shop", name: "admin") == ObjectKey(kind: "ClusterRole", name: "admin"))
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        snapshot.nodes = [Node(metadata: ObjectMeta(name: "n1"))]
        #expect(snapshot.keys(of: .nodes) == [ObjectKey(kind: "Node", name: "n1")])
        #expect(ResourceKind(kind: "Node") == .nodes)
        #expect(ResourceKind(kind: "Database") == nil)
    }
}
