import Inventory

/// Controls over network segmentation. Cilium policies count as well as NetworkPolicies when the
/// cluster serves them (Kubescape ignores them and reports segmented namespaces as open).
package enum NetworkControls {
    static let all: [Control] = [
        clusterInternalNetworking, networkMapping, allNamespacesHaveNetworkPolicies, ingressAndEgressBlocked,
        missingNetworkPolicy, cniSupportsNetworkPolicies,
        externalFacing, exposedSensitiveInterfaces, sshServerRunning, ingressUsesTLS, gatewayAPIExposure,
    ]

    static let ciliumKinds: [ResourceKind] = [.ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies]

    // MARK: - Namespace segmentation (C-0054, C-0049, C-0206)

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

    /// The one rule behind C-0054, C-0049 and C-0206: every namespace needs a network policy.
    static func evaluateNamespaceSegmentation(_ context: AuditContext) -> ControlOutcome {
        let segmented = segmentedNamespaces(in: context.snapshot)
        return context.evaluateNamespaces { namespace in
            segmented.contains(namespace.name)
                ? nil
                : Failure(
                    message: "Namespace \(namespace.name) has no network policy",
                    evidence: ["no NetworkPolicy or CiliumNetworkPolicy in namespace \(namespace.name)"])
        }
    }

    static let segmentationReads: [ResourceKind] = [.namespaces, .networkpolicies]
    static let segmentationNotes =
        "Counts CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy when the cluster serves them; Kubescape counts NetworkPolicy only. Skipped (not failed) when the cluster serves Cilium policies that the credentials may not list."
    static let defaultDenyExample =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}"

    static let clusterInternalNetworking = Control(
        id: "C-0054", name: "Cluster internal networking", baseScore: 4,
        frameworks: ["NSA", "MITRE", "ArmoBest"],
        description: "Fails a namespace that no NetworkPolicy or CiliumNetworkPolicy covers, unless a CiliumClusterwideNetworkPolicy selects every endpoint with ingress or egress rules.",
        rationale: "Without a network policy every pod accepts traffic from every other pod in the cluster: one compromised pod can reach databases, internal APIs and the cloud metadata service of every namespace.",
        remediation: "Add a default-deny NetworkPolicy to each namespace, then allow the flows the applications need.",
        example: defaultDenyExample,
        reads: segmentationReads, optionalReads: ciliumKinds,
        notes: segmentationNotes,
        evaluate: evaluateNamespaceSegmentation)

    static let networkMapping = Control(
        id: "C-0049", name: "Network mapping", baseScore: 3,
        frameworks: ["ArmoBest"],
        description: "Fails a namespace that no network policy covers (the C-0054 rule): without one, any pod can map every service in the cluster.",
        rationale: "An attacker in one pod discovers the rest of the cluster by scanning pod and service IPs; with no network policy every scan gets an answer, which turns one foothold into a map of every target.",
        remediation: "Add a default-deny NetworkPolicy to each namespace so pods answer only the peers they serve.",
        example: defaultDenyExample,
        reads: segmentationReads, optionalReads: ciliumKinds,
        notes: segmentationNotes,
        evaluate: evaluateNamespaceSegmentation)

    static let allNamespacesHaveNetworkPolicies = Control(
        id: "C-0206", name: "Ensure that all Namespaces have Network Policies defined", baseScore: 4,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.3.2: fails a namespace that no network policy covers (the C-0054 rule).",
        rationale: "A namespace without a network policy lets every pod in the cluster talk to its pods, and its pods talk to everything: no segmentation limits what a compromised workload can reach.",
        remediation: "Create at least one NetworkPolicy (ideally default-deny) in every namespace.",
        example: defaultDenyExample,
        reads: segmentationReads, optionalReads: ciliumKinds,
        notes: segmentationNotes,
        evaluate: evaluateNamespaceSegmentation)

    // MARK: - Workload segmentation (C-0030, C-0260)

    static let policyReads: [ResourceKind] = workloadKinds + [.networkpolicies]

    /// `app=web,tier=front`, for messages.
    static func describe(_ labels: [String: String]) -> String {
        labels.isEmpty ? "none" : labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    static func unselectedFailure(_ workload: Workload) -> Failure {
        Failure(
            message: "\(workload.kind) \(workload.name) is not selected by any network policy (pod labels: \(describe(workload.podLabels)))",
            evidence: ["no NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy selects its pods"])
    }

    static let ingressAndEgressBlocked = Control(
        id: "C-0030", name: "Ingress and Egress blocked", baseScore: 6,
        frameworks: ["NSA", "ArmoBest"],
        description: "Fails a workload that no NetworkPolicy or Cilium policy selects, or whose selecting policies restrict neither ingress nor egress traffic. Restricting either direction passes.",
        rationale: "Pods that no policy restricts accept connections from anywhere in the cluster and connect anywhere: a compromised pod can move laterally and exfiltrate data freely.",
        remediation: "Select the workload's pods with a NetworkPolicy whose policyTypes include Ingress and Egress, and allow only the flows it needs.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]\n  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}]}]",
        reads: policyReads, optionalReads: ciliumKinds,
        notes: "Selectors are evaluated with matchExpressions as well as matchLabels, and CiliumNetworkPolicy/CiliumClusterwideNetworkPolicy count when served; Kubescape compares matchLabels of NetworkPolicies only and reports segmented workloads as open. A policy restricting one direction passes, as in the catalogue."
    ) { context in
        context.evaluateWorkloads { workload in
            let policies = context.networkPolicies(selecting: workload)
            if policies.isEmpty { return unselectedFailure(workload) }
            guard !policies.contains(where: { $0.restrictsIngress || $0.restrictsEgress }) else { return nil }
            return Failure(
                message: "\(workload.kind) \(workload.name) is selected only by network policies that restrict neither ingress nor egress",
                evidence: policies.map {
                    "\($0.object.displayName) restricts neither ingress nor egress"
                },
                related: policies.map(\.object))
        }
    }

    static let missingNetworkPolicy = Control(
        id: "C-0260", name: "Missing network policy", baseScore: 5,
        frameworks: ["SOC2", "ClusterScan", "security", "WorkloadScan"],
        description: "Fails a workload whose pods no NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy selects.",
        rationale: "A pod that no policy selects is open to every pod of the cluster and may connect anywhere; one compromised neighbour can reach it directly.",
        remediation: "Add a NetworkPolicy whose podSelector matches the workload's pod labels (or a namespace-wide default-deny with `podSelector: {}`).",
        example: defaultDenyExample,
        reads: policyReads, optionalReads: ciliumKinds,
        notes: "Selectors are evaluated with matchExpressions as well as matchLabels, and Cilium policies count when served; Kubescape compares matchLabels only and reports workloads selected by matchExpressions as unprotected."
    ) { context in
        context.evaluateWorkloads { workload in
            context.networkPolicies(selecting: workload).isEmpty ? unselectedFailure(workload) : nil
        }
    }

    // MARK: - CNI (C-0205)

    /// A CNI plugin or policy agent, recognised by the names and images of its DaemonSet.
    struct NetworkPlugin: Sendable {
        var name: String
        var daemonSetNames: [String]
        var images: [String]

        func matches(_ daemonSet: DaemonSet) -> Bool {
            daemonSetNames.contains(daemonSet.name)
                || daemonSet.spec.template.spec.allContainers.contains { entry in
                    let image = entry.container.image ?? ""
                    return images.contains { image.contains($0) }
                }
        }
    }

    static let policyCapablePlugins: [NetworkPlugin] = [
        NetworkPlugin(name: "Calico", daemonSetNames: ["calico-node", "canal"], images: ["calico/node"]),
        // GKE Dataplane V2 runs Cilium as `anetd`.
        NetworkPlugin(name: "Cilium", daemonSetNames: ["cilium", "anetd"], images: ["cilium/cilium"]),
        NetworkPlugin(name: "Weave Net", daemonSetNames: ["weave-net"], images: ["weaveworks/weave-kube"]),
        NetworkPlugin(name: "Antrea", daemonSetNames: ["antrea-agent"], images: ["antrea/antrea-agent", "antrea/antrea-ubuntu"]),
        NetworkPlugin(name: "kube-router", daemonSetNames: ["kube-router"], images: ["cloudnativelabs/kube-router"]),
        NetworkPlugin(name: "Kube-OVN", daemonSetNames: ["kube-ovn-cni"], images: ["kubeovn/kube-ovn"]),
        NetworkPlugin(name: "OVN-Kubernetes", daemonSetNames: ["ovnkube-node"], images: ["ovn-kubernetes"]),
        NetworkPlugin(name: "Azure Network Policy Manager", daemonSetNames: ["azure-npm"], images: ["azure-npm"]),
        NetworkPlugin(name: "kube-network-policies", daemonSetNames: ["kube-network-policies"], images: ["kube-network-policies"]),
    ]

    /// CNIs that route pod traffic but do not enforce NetworkPolicy by themselves, named in evidence so the
    /// user sees what was found.
    static let policyBlindPlugins: [NetworkPlugin] = [
        NetworkPlugin(name: "flannel", daemonSetNames: ["kube-flannel-ds", "kube-flannel"], images: ["flannel"]),
        NetworkPlugin(name: "AWS VPC CNI", daemonSetNames: ["aws-node"], images: ["amazon-k8s-cni"]),
        NetworkPlugin(name: "kindnet", daemonSetNames: ["kindnet"], images: ["kindest/kindnetd"]),
    ]

    /// The AWS VPC CNI enforces policies only when its policy agent runs with `--enable-network-policy=true`.
    static func enforcesAWSNetworkPolicy(_ daemonSet: DaemonSet) -> Bool {
        daemonSet.spec.template.spec.allContainers.contains { entry in
            guard (entry.container.image ?? "").contains("aws-network-policy-agent") else { return false }
            return CommandLineFlags(entry.container, path: entry.path).value(of: "enable-network-policy") == "true"
        }
    }

    static func daemonSetLabel(_ daemonSet: DaemonSet) -> String { "DaemonSet \(daemonSet.namespace)/\(daemonSet.name)" }

    static let cniSupportsNetworkPolicies = Control(
        id: "C-0205", name: "Ensure that the CNI in use supports Network Policies", baseScore: 4,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.3.1: fails the cluster when no DaemonSet of a CNI or policy agent that enforces NetworkPolicy (Calico, Cilium, Weave Net, Antrea, kube-router, Kube-OVN, OVN-Kubernetes, Azure NPM, kube-network-policies, the AWS VPC CNI policy agent when enabled) is found, by DaemonSet name or image.",
        rationale: "NetworkPolicy objects are enforced by the network plugin, not by the API server. With a plugin that ignores them (flannel, kindnet, the AWS VPC CNI without its agent) every policy is silently void and all pods can reach each other.",
        remediation: "Run a CNI that enforces NetworkPolicy, or add a policy engine next to the current one (e.g. Calico in policy-only mode with flannel as Canal, or enable the AWS VPC CNI network policy agent).",
        example: "kubectl get daemonsets -A -o wide | grep -Ei 'calico|cilium|antrea|weave|kube-router'",
        reads: [.daemonsets],
        notes: "Kubescape reads the CNI from its host sensor; Lookout recognises the plugin's DaemonSet through the API. DaemonSets are searched in every namespace in scope, not only kube-system, because the Tigera operator installs Calico in calico-system and Helm installs of Cilium often use their own namespace. kindnet is not counted even though recent versions enforce policies: its image tags do not tell which do. Skipped when kube-system is outside the scan scope and no plugin was found elsewhere, and on manifests (`scan --from` files), which describe what they deploy, not the cluster's network plugin."
    ) { context in
        if let reason = context.wholeClusterUnknown { return .skipped(reason: reason) }
        let daemonSets = context.snapshot.daemonSets
        let found = daemonSets.filter { daemonSet in
            policyCapablePlugins.contains { $0.matches(daemonSet) } || enforcesAWSNetworkPolicy(daemonSet)
        }
        if found.isEmpty, !context.snapshot.scope.contains("kube-system") {
            return .skipped(reason: "kube-system is outside the scan scope: the CNI cannot be detected")
        }
        var evidence: [String] = []
        for daemonSet in daemonSets {
            if let plugin = policyBlindPlugins.first(where: { $0.matches(daemonSet) }) {
                evidence.append("\(daemonSetLabel(daemonSet)) runs \(plugin.name), which does not enforce NetworkPolicy")
            }
        }
        if evidence.isEmpty {
            evidence.append("no DaemonSet of a CNI or policy agent that enforces NetworkPolicy was found")
        }
        return .evaluated([
            ResourceVerdict(
                resource: .cluster,
                failure: found.isEmpty
                    ? Failure(message: "No network plugin that enforces NetworkPolicy is running", evidence: evidence) : nil)
        ])
    }
}

extension ResourceRef {
    /// The cluster as a whole, for controls whose finding belongs to no single object (the CNI in use).
    static let cluster = ResourceRef(apiVersion: "lookout/v1", kind: "Cluster", namespace: nil, name: "cluster")
}
