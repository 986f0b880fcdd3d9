@testable import Audit
import Inventory
import Testing

/// The relation index must answer exactly what a search of the whole snapshot answers, in the same order:
/// it changes how fast a look-up is, never its result.
@Suite struct RelationIndexTests {
    /// A deterministic tangle of workloads, Services (with one to three selector pairs, empty or no
    /// selector), Ingresses, routes and policies over three namespaces and a small label alphabet.
    static let snapshot = Fixture.snapshot { snapshot in
        var generator = SplitMix(seed: 7)
        let namespaces = ["a", "b", "c"]
        let pairs = [("app", "web"), ("app", "api"), ("tier", "front"), ("tier", "back"), ("team", "x")]
        func labels(_ count: Int) -> [String: String] {
            Dictionary((0..<count).map { _ in pairs[generator.next(pairs.count)] }, uniquingKeysWith: { first, _ in first })
        }
        for index in 0..<60 {
            let podLabels = labels(1 + generator.next(3))
            snapshot.deployments.append(Deployment(
                metadata: Fixture.meta("app-\(index)", namespace: namespaces[generator.next(3)]),
                spec: ReplicatedWorkloadSpec(
                    replicas: 1, selector: LabelSelector(matchLabels: podLabels),
                    template: PodTemplate(labels: podLabels, spec: PodSpec(containers: [Fixture.container()])))))
        }
        for index in 0..<40 {
            let selector: [String: String]? = switch generator.next(6) {
            case 0: nil
            case 1: [:]
            default: labels(1 + generator.next(3))
            }
            snapshot.services.append(Service(
                metadata: Fixture.meta("svc-\(index % 15)", namespace: namespaces[generator.next(3)]),
                spec: Service.Spec(type: generator.next(3) == 0 ? "NodePort" : nil, selector: selector, ports: [ServicePort(port: 80)])))
        }
        for index in 0..<20 {
            snapshot.ingresses.append(NetFixture.ingress(
                "ingress-\(index)", namespace: namespaces[generator.next(3)], service: "svc-\(generator.next(15))"))
            snapshot.httpRoutes.append(NetFixture.route(
                "route-\(index)", namespace: namespaces[generator.next(3)], backend: "svc-\(generator.next(15))",
                backendNamespace: generator.next(2) == 0 ? namespaces[generator.next(3)] : nil))
            snapshot.networkPolicies.append(NetFixture.policy(
                "policy-\(index)", namespace: namespaces[generator.next(3)], selector: LabelSelector(matchLabels: labels(generator.next(3)))))
        }
    }

    @Test func servicesSelectingAWorkloadAreThoseAFullSearchFinds() {
        let context = AuditContext(snapshot: Self.snapshot)
        var selections = 0
        for workload in context.workloads {
            let expected = Self.snapshot.services.filter { service in
                guard service.namespace == workload.namespace, let selector = service.spec.selector, !selector.isEmpty
                else { return false }
                return selector.allSatisfy { workload.podLabels[$0.key] == $0.value }
            }
            #expect(context.services(selecting: workload).map { ObjectKey(.services, $0) } == expected.map { ObjectKey(.services, $0) }, "\(workload.name)")
            selections += expected.count
        }
        #expect(selections > 20, "the fixture must exercise selection, not only misses")
    }

    @Test func exposuresAndPoliciesAreThoseAFullSearchFinds() {
        let context = AuditContext(snapshot: Self.snapshot)
        var exposed = 0
        for workload in context.workloads {
            let selecting = Set(context.services(selecting: workload).map(\.name))
            let ingresses = Self.snapshot.ingresses.filter {
                $0.namespace == workload.namespace && $0.backendServiceNames.contains(where: selecting.contains)
            }.map { RelatedObject(kind: "Ingress", namespace: $0.namespace, name: $0.name) }
            let routes = Self.snapshot.httpRoutes.filter {
                $0.serviceBackends.contains { $0.namespace == workload.namespace && selecting.contains($0.name) }
            }.map { RelatedObject(kind: "HTTPRoute", namespace: $0.namespace, name: $0.name) }
            let behindServices = context.externalExposures(of: workload).filter { $0.kind != "Service" }
            #expect(behindServices == ingresses + routes, "\(workload.name)")
            exposed += behindServices.count

            let policies = Self.snapshot.networkPolicies.filter {
                $0.namespace == workload.namespace && $0.spec.podSelector.matches(workload.podLabels)
            }.map(\.name)
            #expect(context.networkPolicies(selecting: workload).map(\.object.name) == policies, "\(workload.name)")
        }
        #expect(exposed > 5, "the fixture must exercise Ingresses and routes")
    }
}

/// A small deterministic generator, so the fixture is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
