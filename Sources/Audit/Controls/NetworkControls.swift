import Inventory

/// Controls over network segmentation. Cilium policies count as well as NetworkPolicies when the
/// cluster serves them (Kubescape ignores them and reports segmented namespaces as open).
enum NetworkControls {
    static let all: [Control] = [clusterInternalNetworking]

    /// Namespaces that some network policy covers.
    static func segmentedNamespaces(in snapshot: ClusterSnapshot) -> Set<String> {
        var namespaces = Set(snapshot.networkPolicies.compactMap(\.namespace))
        namespaces.formUnion(snapshot.ciliumNetworkPolicies.compactMap(\.namespace))
        let clusterwideCoversAll = snapshot.ciliumClusterwideNetworkPolicies.contains { policy in
            policy.rules.contains { rule in
                (rule.endpointSelector?.isEmpty ?? false) && (rule.hasIngressRules || rule.hasEgressRules)
            }
        }
        if clusterwideCoversAll { namespaces.formUnion(snapshot.namespaces.map(\.name)) }
        return namespaces
    }

    static let clusterInternalNetworking = Control(
        id: "C-0054", name: "Cluster internal networking", baseScore: 4,
        frameworks: ["NSA", "MITRE", "ArmoBest"],
        description: "Fails a namespace that no NetworkPolicy or CiliumNetworkPolicy covers, unless a CiliumClusterwideNetworkPolicy selects every endpoint with ingress or egress rules.",
        rationale: "Without a network policy every pod accepts traffic from every other pod in the cluster: one compromised pod can reach databases, internal APIs and the cloud metadata service of every namespace.",
        remediation: "Add a default-deny NetworkPolicy to each namespace, then allow the flows the applications need.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
        reads: [.namespaces, .networkpolicies],
        notes: "Counts CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy when the cluster serves them; Kubescape counts NetworkPolicy only."
    ) { context in
        let segmented = segmentedNamespaces(in: context.snapshot)
        return context.evaluateNamespaces { namespace in
            segmented.contains(namespace.name)
                ? nil
                : Failure(
                    message: "Namespace \(namespace.name) has no network policy",
                    evidence: ["no NetworkPolicy or CiliumNetworkPolicy in namespace \(namespace.name)"])
        }
    }
}
