import Inventory

/// Relations between objects that controls of several families ask about: which Services select a
/// workload, which of them reach outside the cluster, which network policies cover it, which
/// ServiceAccount it runs as.
extension AuditContext {
    /// Same-namespace Services whose non-empty selector is a subset of the workload's pod labels.
    public func services(selecting workload: Workload) -> [Service] {
        relations.services(selecting: workload.podLabels, in: workload.namespace)
    }

    /// Ways traffic from outside the cluster reaches the workload: NodePort/LoadBalancer Services
    /// (or Services with externalIPs) selecting it, and Ingresses, Gateway API routes or Istio
    /// VirtualServices on a public Istio Gateway whose backend Service selects it. Each comes back as the
    /// object that exposes it.
    public func externalExposures(of workload: Workload) -> [RelatedObject] {
        let selecting = services(selecting: workload)
        var exposures = selecting.filter(\.isExternallyReachable).map {
            RelatedObject(kind: "Service", namespace: $0.namespace, name: $0.name)
        }
        let selectingNames = Set(selecting.map(\.name))
        exposures += relations.exposures(behind: selectingNames, in: workload.namespace)
        return exposures + istioExposures(servicesNamed: selectingNames, in: workload.namespace)
    }

    /// Istio VirtualServices bound to a public Istio Gateway that route (HTTP, TLS or TCP) to one of the
    /// named Services of `namespace`.
    func istioExposures(servicesNamed names: Set<String>, in namespace: String) -> [RelatedObject] {
        RelationIndex.lookUp(names, in: namespace, relations.publicVirtualServicesByBackend)
    }

    /// The VirtualServices bound to one of `publicIstioGateways`, by each in-cluster Service they route
    /// to, each with its place in the snapshot.
    static func publicVirtualServicesByBackend(
        in snapshot: ClusterSnapshot, publicIstioGateways: Set<ObjectKey>
    ) -> [ObjectKey: [(rank: Int, object: RelatedObject)]] {
        guard !publicIstioGateways.isEmpty else { return [:] }
        var byBackend: [ObjectKey: [(rank: Int, object: RelatedObject)]] = [:]
        for (rank, service) in snapshot.virtualServices.enumerated() {
            let serviceNamespace = service.namespace
            let boundToPublic = (service.spec?.gateways ?? []).contains { reference in
                guard reference != "mesh" else { return false }
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                let key = parts.count == 2
                    ? ObjectKey(.gateways, namespace: parts[0], name: parts[1]) : ObjectKey(.gateways, namespace: serviceNamespace, name: reference)
                return publicIstioGateways.contains(key)
            }
            guard boundToPublic else { continue }
            let object = RelatedObject(kind: "VirtualService", namespace: service.namespace, name: service.name)
            let backends = Set(service.destinationHosts.compactMap { serviceKey(ofHost: $0.host, defaultNamespace: serviceNamespace) })
            for backend in backends { byBackend[backend, default: []].append((rank, object)) }
        }
        return byBackend
    }

    /// The Service an Istio destination host names: `name` (the VirtualService's namespace), `name.ns`,
    /// `name.ns.svc` or `name.ns.svc.<cluster domain>`; nil for hosts outside the cluster.
    static func serviceKey(ofHost host: String, defaultNamespace: String) -> ObjectKey? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && !$0.contains("*") }) else { return nil }
        switch parts.count {
        case 1: return ObjectKey(.services, namespace: defaultNamespace, name: parts[0])
        case 2: return ObjectKey(.services, namespace: parts[1], name: parts[0])
        default: return parts[2] == "svc" ? ObjectKey(.services, namespace: parts[1], name: parts[0]) : nil
        }
    }

    /// The Istio Gateways whose ingress pods are reachable from outside: a NodePort or LoadBalancer
    /// Service (or one with externalIPs) of the gateway selects them, or selects a workload whose pods the
    /// gateway selects. A Service is the gateway's when its selector, or its own labels as Istio's charts
    /// set them, include the gateway's selector. As in Kubescape, a gateway named `…public` that has such
    /// a Service counts as public whatever the Service's type. Computed once per audit.
    static func publicIstioGateways(in snapshot: ClusterSnapshot, workloads: [Workload]) -> Set<ObjectKey> {
        guard !snapshot.istioGateways.isEmpty else { return [] }
        let external = snapshot.services.filter(\.isExternallyReachable)
        return Set(snapshot.istioGateways.filter { gateway in
            guard let selector = gateway.spec?.selector, !selector.isEmpty else { return false }
            func includesSelector(_ labels: [String: String]?) -> Bool {
                guard let labels else { return false }
                return selector.allSatisfy { labels[$0.key] == $0.value }
            }
            let gatewayServices = snapshot.services.filter { includesSelector($0.spec.selector) || includesSelector($0.metadata.labels) }
            if gatewayServices.contains(where: \.isExternallyReachable) { return true }
            if gateway.name.hasSuffix("public"), !gatewayServices.isEmpty { return true }
            return workloads.contains { workload in
                includesSelector(workload.podLabels)
                    && external.contains { service in
                        guard service.namespace == workload.namespace, let serviceSelector = service.spec.selector,
                            !serviceSelector.isEmpty
                        else { return false }
                        return serviceSelector.allSatisfy { workload.podLabels[$0.key] == $0.value }
                    }
            }
        }.map { ObjectKey(.gateways, $0) })
    }

    /// NetworkPolicies and CiliumNetworkPolicies in the workload's namespace whose selector matches its
    /// pod labels (matchLabels and matchExpressions), and Cilium clusterwide policies whose endpoint
    /// selector does.
    public func networkPolicies(selecting workload: Workload) -> [SelectingPolicy] {
        var policies: [SelectingPolicy] = []
        for policy in relations.networkPoliciesByNamespace[workload.namespace] ?? []
        where policy.spec.podSelector.matches(workload.podLabels) {
            let types = policy.spec.policyTypes ?? (policy.spec.egress == nil ? ["Ingress"] : ["Ingress", "Egress"])
            policies.append(SelectingPolicy(
                object: RelatedObject(kind: "NetworkPolicy", namespace: policy.namespace, name: policy.name),
                restrictsIngress: types.contains("Ingress"), restrictsEgress: types.contains("Egress")))
        }
        let cilium = (relations.ciliumPoliciesByNamespace[workload.namespace] ?? []).map { ("CiliumNetworkPolicy", $0) }
            + snapshot.ciliumClusterwideNetworkPolicies.map { ("CiliumClusterwideNetworkPolicy", $0) }
        for (kind, policy) in cilium {
            let rules = policy.rules.filter { $0.endpointSelector?.matches(workload.podLabels) ?? false }
            guard !rules.isEmpty else { continue }
            policies.append(SelectingPolicy(
                object: RelatedObject(kind: kind, namespace: policy.namespace, name: policy.name),
                restrictsIngress: rules.contains(where: \.hasIngressRules), restrictsEgress: rules.contains(where: \.hasEgressRules)))
        }
        return policies
    }

    /// The ServiceAccount object the workload runs as, when it exists in the snapshot.
    public func serviceAccount(of workload: Workload) -> ServiceAccount? {
        serviceAccountsByKey[ObjectKey(.serviceaccounts, namespace: workload.namespace, name: workload.podSpec.effectiveServiceAccountName)]
    }

    /// Whether the workload's pods get an API token mounted: the pod's own setting wins, else the
    /// ServiceAccount's, else Kubernetes mounts one.
    public func automountsToken(_ workload: Workload) -> Bool {
        if let podSetting = workload.podSpec.automountServiceAccountToken { return podSetting }
        return serviceAccount(of: workload)?.automountServiceAccountToken ?? true
    }

    /// The RBAC grants of the workload's ServiceAccount.
    public func grants(of workload: Workload) -> [Grant] {
        grantsBySubject[Subject(kind: "ServiceAccount", name: workload.podSpec.effectiveServiceAccountName, namespace: workload.namespace)] ?? []
    }
}

/// A network policy that selects a workload, and what traffic directions it restricts.
public struct SelectingPolicy: Sendable, Hashable {
    public var object: RelatedObject
    public var restrictsIngress: Bool
    public var restrictsEgress: Bool
}
