import Inventory

/// The objects that relation look-ups search, grouped once per audit so that a look-up costs what one
/// namespace holds rather than what the cluster holds: no control is quadratic in workloads × Services,
/// × Ingresses or × policies.
struct RelationIndex: Sendable {
    /// Services with a selector, by namespace and by one `key=value` pair of their selector (the smallest):
    /// a workload can only be selected by a Service filed under one of its own pod labels.
    /// Each with its position in the snapshot, which keeps look-ups in snapshot order.
    private let servicesBySelectorPair: [String: [LabelPair: [(position: Int, service: Service)]]]
    /// Ingresses, then Gateway API routes kind by kind, by the Service they send traffic to; `rank` is the
    /// object's place in that order, so that look-ups can keep it.
    let exposuresByBackend: [ObjectKey: [(rank: Int, object: RelatedObject)]]
    /// Istio VirtualServices on a public gateway, the same way (Relations.swift finds them).
    let publicVirtualServicesByBackend: [ObjectKey: [(rank: Int, object: RelatedObject)]]
    let networkPoliciesByNamespace: [String: [NetworkPolicy]]
    /// Every Service by namespace and name (the first of duplicates), which evidence describes.
    let servicesByKey: [ObjectKey: Service]
    let ciliumPoliciesByNamespace: [String?: [CiliumPolicy]]

    private struct LabelPair: Hashable, Sendable {
        var key: String
        var value: String
    }

    init(_ snapshot: ClusterSnapshot, publicIstioGateways: Set<ObjectKey>) {
        var services: [String: [LabelPair: [(position: Int, service: Service)]]] = [:]
        for (position, service) in snapshot.services.enumerated() {
            guard let selector = service.spec.selector, let first = selector.min(by: { $0.key < $1.key }) else { continue }
            services[service.namespace, default: [:]][LabelPair(key: first.key, value: first.value), default: []]
                .append((position, service))
        }
        servicesBySelectorPair = services
        servicesByKey = Dictionary(
            snapshot.services.map { (ObjectKey(kind: "Service", namespace: $0.namespace, name: $0.name), $0) },
            uniquingKeysWith: { first, _ in first })

        var exposures: [ObjectKey: [(rank: Int, object: RelatedObject)]] = [:]
        var rank = 0
        for ingress in snapshot.ingresses {
            let exposure = RelatedObject(kind: "Ingress", namespace: ingress.namespace, name: ingress.name)
            for name in Set(ingress.backendServiceNames) {
                exposures[ObjectKey(.services, namespace: ingress.namespace, name: name), default: []].append((rank, exposure))
            }
            rank += 1
        }
        // The Gateway API route kinds, HTTPRoute first, in the order of ResourceKind.
        for kind in ResourceKind.allCases where kind.group == "gateway.networking.k8s.io" {
            for route in snapshot.routes(of: kind) {
                let exposure = ObjectKey(kind, route)
                for backend in Set(route.serviceBackends.map { ObjectKey(.services, namespace: $0.namespace, name: $0.name) }) {
                    exposures[backend, default: []].append((rank, exposure))
                }
                rank += 1
            }
        }
        exposuresByBackend = exposures
        publicVirtualServicesByBackend = AuditContext.publicVirtualServicesByBackend(in: snapshot, publicIstioGateways: publicIstioGateways)
        networkPoliciesByNamespace = Dictionary(grouping: snapshot.networkPolicies) { $0.namespace }
        ciliumPoliciesByNamespace = Dictionary(grouping: snapshot.ciliumNetworkPolicies) { $0.namespace }
    }

    /// Ingresses and routes that send traffic to any of the named Services of `namespace`, each once, in
    /// the index's order.
    func exposures(behind serviceNames: Set<String>, in namespace: String) -> [RelatedObject] {
        Self.lookUp(serviceNames, in: namespace, exposuresByBackend)
    }

    /// The objects filed under any of the named Services of `namespace`, each once, by rank.
    static func lookUp(
        _ serviceNames: Set<String>, in namespace: String, _ byBackend: [ObjectKey: [(rank: Int, object: RelatedObject)]]
    ) -> [RelatedObject] {
        var byRank: [Int: RelatedObject] = [:]
        for name in serviceNames {
            for exposure in byBackend[ObjectKey(.services, namespace: namespace, name: name)] ?? [] { byRank[exposure.rank] = exposure.object }
        }
        return byRank.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Same-namespace Services whose non-empty selector is a subset of `podLabels`, in snapshot order.
    func services(selecting podLabels: [String: String], in namespace: String) -> [Service] {
        guard let byPair = servicesBySelectorPair[namespace] else { return [] }
        var selecting: [(position: Int, service: Service)] = []
        for (key, value) in podLabels {
            for candidate in byPair[LabelPair(key: key, value: value)] ?? []
            where (candidate.service.spec.selector ?? [:]).allSatisfy({ podLabels[$0.key] == $0.value }) {
                selecting.append(candidate)
            }
        }
        return selecting.sorted { $0.position < $1.position }.map(\.service)
    }
}
