import Inventory

/// Where objects live and how they are labelled.
extension WorkloadHygieneControls {
    static let placementControls: [Control] = [
        podsInDefaultNamespace, nakedPods, labelUsage, commonLabelsUsage, defaultNamespaceUsed, namespaceBoundaries,
    ]

    /// Kubescape's label rule: the workload's own labels and its pod template's labels must each carry
    /// at least one of `wanted`; a Pod has only its own. One evidence line per place that carries none.
    static func labelFailure(_ workload: Workload, wanted: [String], message: String) -> Failure? {
        let list = wanted.joined(separator: ", ")
        var evidence: [String] = []
        let own = workload.metadata.labels ?? [:]
        if !wanted.contains(where: { own[$0] != nil }) { evidence.append("metadata.labels has none of \(list)") }
        if workload.kind != "Pod", !wanted.contains(where: { workload.podLabels[$0] != nil }) {
            evidence.append("\(podLabelsPath(of: workload)) has none of \(list)")
        }
        return evidence.isEmpty ? nil : Failure(message: "\(workload.kind) \(workload.name) \(message)", evidence: evidence)
    }

    static let podsInDefaultNamespace = Control(
        id: "C-0061", name: "Pods in default namespace", baseScore: 3, frameworks: ["DevOpsBest", "ArmoBest"],
        description: "Fails a workload that runs in the `default` namespace.",
        rationale: "The default namespace is where everything lands by accident: RBAC, network policies and quotas written for real namespaces rarely cover it, so workloads there get the loosest boundaries in the cluster.",
        remediation: "Create a namespace per application or team and move the workload there.",
        example: "kubectl create namespace shop\nkubectl -n shop apply -f deployment.yaml",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            workload.namespace == "default"
                ? Failure(message: "\(workload.kind) \(workload.name) runs in the default namespace", evidence: ["metadata.namespace=default"])
                : nil
        }
    }

    static let nakedPods = Control(
        id: "C-0073", name: "Naked pods", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a Pod that no controller owns (no `metadata.ownerReferences`).",
        rationale: "A naked Pod is not rescheduled when its node fails, not rolled when its image is fixed, and often a leftover of a manual `kubectl run` with nobody owning it.",
        remediation: "Run the Pod through a Deployment, StatefulSet, DaemonSet or Job, or delete it.",
        example: "kubectl create deployment debug --image=busybox:1.36 -- sleep 3600   # instead of kubectl run",
        reads: [.pods],
        notes: "Evaluates every Pod directly, not the top-level workload view. Mirror pods of static pods are owned by their Node and pass."
    ) { context in
        .evaluated(context.snapshot.pods.map { pod in
            let owned = !(pod.metadata.ownerReferences ?? []).isEmpty
            return ResourceVerdict(
                resource: ref(pod, .pods),
                failure: owned ? nil : Failure(message: "Pod \(pod.name) has no owning controller", evidence: ["metadata.ownerReferences is empty"]))
        })
    }

    static let labelUsage = Control(
        id: "C-0076", name: "Label usage for resources", baseScore: 2, frameworks: ["DevOpsBest"],
        description: "Fails a workload whose own labels, or whose pod template's labels, carry none of the `recommendedLabels` of the controls configuration (app, tier, phase, version, owner, env).",
        rationale: "Without labels nobody can tell who owns a workload or what it belongs to, and label-based network policies, monitoring and incident response miss it.",
        remediation: "Label the workload and its pod template with at least one of the recommended labels.",
        example: "metadata:\n  labels: {app: shop, owner: team-web}\nspec:\n  template:\n    metadata:\n      labels: {app: shop}",
        reads: workloadKinds,
        notes: "As Kubescape's rule does, the workload and its pod template must each carry one; the evidence names the place that lacks it."
    ) { context in
        let wanted = context.config.recommendedLabels
        return context.evaluateWorkloads { labelFailure($0, wanted: wanted, message: "carries none of the recommended labels") }
    }

    static let commonLabelsUsage = Control(
        id: "C-0077", name: "K8s common labels usage", baseScore: 2, frameworks: ["DevOpsBest"],
        description: "Fails a workload whose own labels, or whose pod template's labels, carry none of the `k8sRecommendedLabels` of the controls configuration (`app.kubernetes.io/name`, `instance`, `version`, `component`, `part-of`, `managed-by`, `created-by`).",
        rationale: "The well-known `app.kubernetes.io/*` labels let tools and people find what an object belongs to and who manages it; without them, ownership and blast radius are guesswork during an incident.",
        remediation: "Add the `app.kubernetes.io/*` labels to the workload and its pod template (Helm charts and kustomize commonLabels do this).",
        example: "metadata:\n  labels:\n    app.kubernetes.io/name: shop\n    app.kubernetes.io/managed-by: helm",
        reads: workloadKinds,
        notes: "As Kubescape's rule does, the workload and its pod template must each carry one; the evidence names the place that lacks it."
    ) { context in
        let wanted = context.config.k8sRecommendedLabels
        return context.evaluateWorkloads { labelFailure($0, wanted: wanted, message: "carries none of the app.kubernetes.io labels") }
    }

    static let defaultNamespaceUsed = Control(
        id: "C-0212", name: "The default namespace should not be used", baseScore: 4, frameworks: ["cis-v1.12.0"],
        description: "Fails workloads, Services, Roles, RoleBindings, ConfigMaps, ServiceAccounts and PersistentVolumeClaims that live in the `default` namespace, except the objects Kubernetes puts there itself.",
        rationale: "Objects in `default` usually got there by omission, and the namespace rarely gets the RBAC, network policies and quotas that real namespaces have: it becomes the place where boundaries are weakest.",
        remediation: "Create namespaces for applications and move their objects out of `default`.",
        example: "kubectl get all,cm,sa,role,rolebinding -n default",
        reads: workloadKinds + [.services, .roles, .rolebindings, .configmaps, .serviceaccounts, .persistentvolumeclaims],
        notes: "The `kubernetes` Service, the `kube-root-ca.crt` ConfigMap and the `default` ServiceAccount are created by Kubernetes in every cluster and pass. Endpoints, EndpointSlices and PodTemplates, which Kubescape also lists, are not collected by Lookout. Every kind listed must be readable: a pass means none of them is in `default`."
    ) { context in
        let snapshot = context.snapshot
        var verdicts: [ResourceVerdict] = []
        func judge(_ resource: ResourceRef, weight: Double = 1, builtIn: Bool = false) {
            let inDefault = resource.namespace == "default" && !builtIn
            verdicts.append(ResourceVerdict(
                resource: resource, weight: weight,
                failure: inDefault
                    ? Failure(message: "\(resource.kind) \(resource.name) is in the default namespace", evidence: ["metadata.namespace=default"])
                    : nil))
        }
        for workload in context.workloads { judge(workload.ref, weight: workload.weight) }
        for service in snapshot.services { judge(ref(service, .services), builtIn: service.name == "kubernetes") }
        for role in snapshot.roles { judge(ref(role, .roles)) }
        for binding in snapshot.roleBindings { judge(ref(binding, .rolebindings)) }
        for configMap in snapshot.configMaps { judge(ref(configMap, .configmaps), builtIn: configMap.name == "kube-root-ca.crt") }
        for account in snapshot.serviceAccounts { judge(ref(account, .serviceaccounts), builtIn: account.name == "default") }
        for claim in snapshot.persistentVolumeClaims { judge(ref(claim, .persistentvolumeclaims)) }
        return .evaluated(verdicts)
    }

    static let namespaceBoundaries = Control(
        id: "C-0209", name: "Create administrative boundaries between resources using namespaces", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Lists every namespace for review: check that applications, teams and trust levels are separated by namespaces.",
        rationale: "Namespaces are the unit RBAC, network policies, quotas and Pod Security Admission apply to: applications that share one cannot be isolated from each other.",
        remediation: "Give each application or team its own namespace, with its own RoleBindings, NetworkPolicies and Pod Security level.",
        example: "kubectl get namespaces --show-labels",
        reads: [.namespaces], informational: true,
        notes: "Informational (CIS 5.7.1 is a manual check): every namespace is listed and none counts towards the risk score."
    ) { context in
        context.evaluateNamespaces { namespace in
            Failure(message: "Namespace \(namespace.name): review what it separates", evidence: ["namespace \(namespace.name)"])
        }
    }
}
