import Inventory

/// Relations between objects that controls of several families ask about: which Services select a
/// workload, which of them reach outside the cluster, which network policies cover it, which
/// ServiceAccount it runs as.
extension AuditContext {
    /// Same-namespace Services whose non-empty selector is a subset of the workload's pod labels.
    public func services(selecting workload: Workload) -> [Service] {
        snapshot.services.filter { service in
            guard (service.namespace ?? "default") == workload.namespace, let selector = service.spec.selector,
                !selector.isEmpty
            else { return false }
            return selector.allSatisfy { workload.podLabels[$0.key] == $0.value }
        }
    }

    /// Ways traffic from outside the cluster reaches the workload: NodePort/LoadBalancer Services
    /// (or Services with externalIPs) selecting it, and Ingresses or Gateway API routes whose backend
    /// Service selects it. Each comes back as the object that exposes it.
    public func externalExposures(of workload: Workload) -> [RelatedObject] {
        let selecting = services(selecting: workload)
        var exposures = selecting.filter(\.isExternallyReachable).map {
            RelatedObject(kind: "Service", namespace: $0.namespace, name: $0.name)
        }
        let selectingNames = Set(selecting.map(\.name))
        for ingress in snapshot.ingresses
        where (ingress.namespace ?? "default") == workload.namespace
            && ingress.backendServiceNames.contains(where: selectingNames.contains)
        {
            exposures.append(RelatedObject(kind: "Ingress", namespace: ingress.namespace, name: ingress.name))
        }
        let routes = [
            ("HTTPRoute", snapshot.httpRoutes), ("GRPCRoute", snapshot.grpcRoutes), ("TCPRoute", snapshot.tcpRoutes),
            ("UDPRoute", snapshot.udpRoutes), ("TLSRoute", snapshot.tlsRoutes),
        ]
        for (kind, list) in routes {
            for route in list
            where route.serviceBackends.contains(where: { $0.namespace == workload.namespace && selectingNames.contains($0.name) }) {
                exposures.append(RelatedObject(kind: kind, namespace: route.namespace, name: route.name))
            }
        }
        return exposures
    }

    /// NetworkPolicies and CiliumNetworkPolicies in the workload's namespace whose selector matches its
    /// pod labels (matchLabels and matchExpressions), and Cilium clusterwide policies whose endpoint
    /// selector does.
    public func networkPolicies(selecting workload: Workload) -> [SelectingPolicy] {
        var policies: [SelectingPolicy] = []
        for policy in snapshot.networkPolicies
        where (policy.namespace ?? "default") == workload.namespace && policy.spec.podSelector.matches(workload.podLabels) {
            let types = policy.spec.policyTypes ?? (policy.spec.egress == nil ? ["Ingress"] : ["Ingress", "Egress"])
            policies.append(SelectingPolicy(
                object: RelatedObject(kind: "NetworkPolicy", namespace: policy.namespace, name: policy.name),
                restrictsIngress: types.contains("Ingress"), restrictsEgress: types.contains("Egress")))
        }
        let cilium = snapshot.ciliumNetworkPolicies.filter { ($0.namespace ?? "default") == workload.namespace }
            .map { ("CiliumNetworkPolicy", $0) }
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
        serviceAccountsByKey["\(workload.namespace)/\(workload.podSpec.effectiveServiceAccountName)"]
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

    /// Namespaces where at least one top-level workload runs.
    public var namespacesWithWorkloads: Set<String> { Set(workloads.map(\.namespace)) }
}

/// A network policy that selects a workload, and what traffic directions it restricts.
public struct SelectingPolicy: Sendable, Hashable {
    public var object: RelatedObject
    public var restrictsIngress: Bool
    public var restrictsEgress: Bool
}
