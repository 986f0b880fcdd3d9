import FoundationEssentials
import Inventory

/// References between objects that point at nothing, or at the wrong thing: Services, Ingresses,
/// routes, policies and autoscalers without a target, selectors that miss their own pods.
extension WorkloadHygieneControls {
    static let referenceControls: [Control] = [
        serviceWithNoWorkload, deprecatedServiceAccountField, duplicateEnvironmentVariable, mismatchingSelector,
        danglingIngressBackend, danglingNetworkPolicy, danglingHPATarget, danglingGatewayBackend, noRollingUpdateStrategy,
        nonExistentServiceAccount,
    ]

    static func workloadsByNamespace(_ context: AuditContext) -> [String: [Workload]] {
        Dictionary(grouping: context.workloads, by: \.namespace)
    }

    static let serviceWithNoWorkload = Control(
        id: "C-0293", name: "Service with no workload", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a Service whose selector matches the pod labels of no workload in its namespace.",
        rationale: "A Service that selects nothing is dead configuration: it hides a broken rollout or a label typo, and a pod later created with matching labels silently starts receiving its traffic.",
        remediation: "Fix the selector to match the workload's pod labels, or delete the Service.",
        example: "kubectl get endpoints -n shop   # a Service with <none> endpoints selects no pod",
        reads: [.services] + workloadKinds,
        notes: "A Service without a selector (ExternalName, or endpoints managed by hand or by an operator) is not failed: it is not meant to select pods."
    ) { context in
        let workloads = workloadsByNamespace(context)
        return .evaluated(context.snapshot.services.map { service in
            let resource = ref(service, .services)
            guard let selector = service.spec.selector, !selector.isEmpty else { return ResourceVerdict(resource: resource, failure: nil) }
            let selected = (workloads[service.namespace] ?? []).contains { workload in
                selector.allSatisfy { workload.podLabels[$0.key] == $0.value }
            }
            let text = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            return ResourceVerdict(
                resource: resource,
                failure: selected
                    ? nil
                    : Failure(
                        message: "Service \(service.name) selects no workload",
                        evidence: ["spec.selector (\(text)) matches no workload's pod labels in namespace \(service.namespace)"]))
        })
    }

    static let deprecatedServiceAccountField = Control(
        id: "C-0294", name: "Deprecated serviceAccount field", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a workload whose pod spec sets the deprecated `serviceAccount` field instead of `serviceAccountName`.",
        rationale: "`serviceAccount` is a deprecated alias: manifests that rely on it confuse reviewers and tools that read only `serviceAccountName`, so the identity a pod runs as is easy to misjudge.",
        remediation: "Replace `serviceAccount:` with `serviceAccountName:` in the pod template.",
        example: "spec:\n  serviceAccountName: builder   # not serviceAccount: builder",
        reads: workloadKinds,
        notes: "The API server copies `serviceAccountName` into `serviceAccount` on every object it returns, so Kubescape's check fails every live workload that names an account. Lookout fails a workload only when `serviceAccount` is set without a matching `serviceAccountName` (snapshots from manifests), or when the `kubectl.kubernetes.io/last-applied-configuration` annotation shows the author wrote `serviceAccount`. Workloads applied without that annotation (Helm, server-side apply) cannot be told apart and pass."
    ) { context in
        context.evaluateWorkloads { workload in
            guard let deprecated = workload.podSpec.serviceAccount else { return nil }
            let path = "\(workload.podSpecPath).serviceAccount"
            let evidence: String
            if let name = workload.podSpec.serviceAccountName, name == deprecated {
                guard let applied = workload.metadata.appliedServiceAccount(podSpecPath: workload.podSpecPath) else { return nil }
                evidence = "\(path)=\(applied) in the kubectl.kubernetes.io/last-applied-configuration annotation"
            } else if let name = workload.podSpec.serviceAccountName {
                evidence = "\(path)=\(deprecated) while \(workload.podSpecPath).serviceAccountName=\(name)"
            } else {
                evidence = "\(path)=\(deprecated) without \(workload.podSpecPath).serviceAccountName"
            }
            return Failure(message: "\(workload.kind) \(workload.name) uses the deprecated serviceAccount field", evidence: [evidence])
        }
    }

    static let duplicateEnvironmentVariable = Control(
        id: "C-0295", name: "Duplicate environment variable", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a workload with a container (init and ephemeral ones included) that lists the same environment variable name twice.",
        rationale: "With a duplicated name only the last value wins: a reviewer reads the first one, and a secret reference or a security setting can be silently overridden.",
        remediation: "Keep one entry per name in `env`.",
        example: "env:\n- {name: LOG_LEVEL, value: info}   # and no second LOG_LEVEL",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) has a container with a duplicated environment variable") { path, container in
                var firstIndex: [String: Int] = [:]
                var evidence: [String] = []
                for (index, variable) in (container.env ?? []).enumerated() {
                    if let first = firstIndex[variable.name] {
                        evidence.append("\(workload.path(path, "env[\(index)].name"))=\(variable.name) duplicates env[\(first)]")
                    } else {
                        firstIndex[variable.name] = index
                    }
                }
                return evidence
            }
        }
    }

    static let mismatchingSelector = Control(
        id: "C-0296", name: "Mismatching selector", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob (`spec.jobTemplate.spec.selector`) or ReplicationController whose selector (matchLabels and matchExpressions) does not match its own pod template labels.",
        rationale: "A controller whose selector misses its own pods cannot count them: it keeps creating pods it never adopts, or adopts someone else's.",
        remediation: "Make `spec.selector` match `spec.template.metadata.labels`; the selector is immutable, so recreate the object.",
        example: "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}",
        reads: workloadKinds,
        notes: "As Kubescape: matchExpressions as well as matchLabels, a CronJob's job template selector and a ReplicationController's plain label map. Pods, and controllers whose selector is left out (the API server then defaults it from the template), are not evaluated."
    ) { context in
        evaluate(context.workloads.filter { $0.selector != nil }) { workload in
            guard let selector = workload.selector else { return nil }
            let labelsPath = podLabelsPath(of: workload)
            var evidence: [String] = []
            let selectorPath = workload.selectorLabelsPath
            for (key, value) in (selector.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) where workload.podLabels[key] != value {
                let actual = workload.podLabels[key].map { "\(labelsPath).\(key)=\($0)" } ?? "\(labelsPath) has no \(key)"
                evidence.append("\(selectorPath).\(key)=\(value) but \(actual)")
            }
            let expressionsPath = selectorPath.replacing("matchLabels", with: "matchExpressions")
            for (index, requirement) in (selector.matchExpressions ?? []).enumerated() where !requirement.matches(workload.podLabels) {
                let actual = workload.podLabels[requirement.key].map { "\(labelsPath).\(requirement.key)=\($0)" }
                    ?? "\(labelsPath) has no \(requirement.key)"
                evidence.append("\(expressionsPath)[\(index)] (\(describe(requirement))) does not match: \(actual)")
            }
            return evidence.isEmpty
                ? nil : Failure(message: "\(workload.kind) \(workload.name) selector does not match its pod template", evidence: evidence)
        }
    }

    /// Every Service an Ingress sends to, with the path of the field that names it (v1 and v1beta1 shapes).
    static func serviceBackends(of ingress: Ingress) -> [(path: String, name: String)] {
        func named(_ backend: IngressBackend, at path: String) -> (path: String, name: String)? {
            if let service = backend.service { return ("\(path).service.name", service.name) }
            if let name = backend.serviceName { return ("\(path).serviceName", name) }
            return nil
        }
        var backends: [(path: String, name: String)] = []
        if let backend = ingress.spec.defaultBackend, let found = named(backend, at: "spec.defaultBackend") { backends.append(found) }
        if let backend = ingress.spec.backend, let found = named(backend, at: "spec.backend") { backends.append(found) }
        for (ruleIndex, rule) in (ingress.spec.rules ?? []).enumerated() {
            for (pathIndex, path) in (rule.http?.paths ?? []).enumerated() {
                if let found = named(path.backend, at: "spec.rules[\(ruleIndex)].http.paths[\(pathIndex)].backend") { backends.append(found) }
            }
        }
        return backends
    }

    static let danglingIngressBackend = Control(
        id: "C-0298", name: "Dangling Ingress backend", baseScore: 4, frameworks: ["DevOpsBest"],
        description: "Fails an Ingress with a backend that names a Service that does not exist in the Ingress's namespace.",
        rationale: "A route to a missing Service returns errors today, and whoever later creates a Service of that name (in a namespace others can write to) receives the Ingress's traffic.",
        remediation: "Point the backend at an existing Service, or remove the rule.",
        example: "kubectl get ingress -n shop -o yaml | grep -A2 'service:'\nkubectl get svc -n shop",
        reads: [.ingresses, .services],
        notes: "Resource backends (`backend.resource`) are not Services and are not checked."
    ) { context in
        let services = context.snapshot.keys(of: .services)
        return .evaluated(context.snapshot.ingresses.map { ingress in
            let namespace = ingress.namespace
            let evidence = serviceBackends(of: ingress).filter { !services.contains(ObjectKey(.services, namespace: namespace, name: $0.name)) }.map {
                "\($0.path)=\($0.name): no Service \($0.name) in namespace \(namespace)"
            }
            return ResourceVerdict(
                resource: ref(ingress, .ingresses),
                failure: evidence.isEmpty ? nil : Failure(message: "Ingress \(ingress.name) routes to a missing Service", evidence: evidence))
        })
    }

    static let danglingNetworkPolicy = Control(
        id: "C-0299", name: "Dangling NetworkPolicy", baseScore: 4, frameworks: ["DevOpsBest"],
        description: "Fails a NetworkPolicy whose non-empty `podSelector` matches no workload's pod labels in its namespace.",
        rationale: "A policy that selects nothing protects nothing: the pods it was written for, usually after a label change, run unrestricted while the policy suggests otherwise.",
        remediation: "Fix the podSelector to match the workload's pod labels, or delete the policy.",
        example: "kubectl get netpol -n shop -o wide\nkubectl get pods -n shop --show-labels",
        reads: [.networkpolicies] + workloadKinds,
        notes: "Evaluates matchExpressions as well as matchLabels (Kubescape compares matchLabels only and reports policies that select by expression as dangling). An empty podSelector selects every pod of the namespace and passes."
    ) { context in
        let workloads = workloadsByNamespace(context)
        return .evaluated(context.snapshot.networkPolicies.map { policy in
            let namespace = policy.namespace
            let selector = policy.spec.podSelector
            let selects = selector.isEmpty || (workloads[namespace] ?? []).contains { selector.matches($0.podLabels) }
            return ResourceVerdict(
                resource: ref(policy, .networkpolicies),
                failure: selects
                    ? nil
                    : Failure(
                        message: "NetworkPolicy \(policy.name) selects no workload",
                        evidence: ["spec.podSelector (\(describe(selector))) matches no workload's pod labels in namespace \(namespace)"]))
        })
    }

    static let danglingHPATarget = Control(
        id: "C-0300", name: "Dangling HPA target", baseScore: 4, frameworks: ["DevOpsBest"],
        description: "Fails a HorizontalPodAutoscaler whose `scaleTargetRef` names a Deployment, StatefulSet, ReplicaSet or ReplicationController that does not exist in its namespace.",
        rationale: "An autoscaler without a target does nothing: the workload it was meant to protect from load runs at a fixed size, and a workload later created under that name is scaled by a policy nobody reviewed for it.",
        remediation: "Point `scaleTargetRef` at the existing workload, or delete the autoscaler.",
        example: "kubectl get hpa -A   # TARGETS shows <unknown> for a missing target",
        reads: [.horizontalpodautoscalers, .deployments, .statefulsets, .replicasets, .replicationcontrollers],
        notes: "Autoscalers that target other kinds (custom resources with a scale subresource) are not evaluated: Lookout does not read those kinds."
    ) { context in
        let snapshot = context.snapshot
        let targetKinds: [ResourceKind] = [.deployments, .statefulsets, .replicasets, .replicationcontrollers]
        let existing = targetKinds.reduce(into: Set<ObjectKey>()) { $0.formUnion(snapshot.keys(of: $1)) }
        return .evaluated(snapshot.horizontalPodAutoscalers.compactMap { autoscaler in
            let target = autoscaler.spec.scaleTargetRef
            guard let kind = targetKinds.first(where: { $0.kind == target.kind }) else { return nil }
            let namespace = autoscaler.namespace
            return ResourceVerdict(
                resource: ref(autoscaler, .horizontalpodautoscalers),
                failure: existing.contains(ObjectKey(kind, namespace: namespace, name: target.name))
                    ? nil
                    : Failure(
                        message: "HorizontalPodAutoscaler \(autoscaler.name) targets a missing \(target.kind)",
                        evidence: ["spec.scaleTargetRef=\(target.kind)/\(target.name): no \(target.kind) \(target.name) in namespace \(namespace)"]))
        })
    }


    static let danglingGatewayBackend = Control(
        id: "C-0302", name: "Dangling Gateway API backend", baseScore: 4, frameworks: ["DevOpsBest"],
        description: "Fails a Gateway API route (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute) with a backendRef that names a Service that does not exist; skipped when the cluster does not serve the Gateway API.",
        rationale: "A route to a missing Service fails its traffic today, and a Service later created under that name receives it without anyone reviewing the exposure.",
        remediation: "Point the backendRef at an existing Service, or remove the rule.",
        example: "kubectl get httproutes -A -o yaml | grep -A3 backendRefs",
        reads: [.services], optionalReads: routeKinds, noneServedReason: "Gateway API not served",
        notes: "Checks GRPCRoute and TLSRoute as well as Kubescape's HTTPRoute, TCPRoute and UDPRoute, for the route kinds the cluster serves. When a route kind the cluster serves could not be read (forbidden, failed), the control is skipped with that reason rather than judging only the other kinds, as the exposure controls do: a pass would hide the routes it never saw. Backends of other kinds (custom resources) are not checked; cross-namespace backends are checked in their own namespace."
    ) { context in
        let snapshot = context.snapshot
        let services = snapshot.keys(of: .services)
        var verdicts: [ResourceVerdict] = []
        // A kind the cluster does not serve has no routes.
        for kind in routeKinds {
            for route in snapshot.routes(of: kind) {
                var evidence: [String] = []
                for (ruleIndex, rule) in (route.spec?.rules ?? []).enumerated() {
                    for (refIndex, backend) in (rule.backendRefs ?? []).enumerated()
                    where (backend.kind ?? "Service") == "Service" && (backend.group ?? "").isEmpty {
                        let namespace = backend.namespace ?? route.namespace
                        guard !services.contains(ObjectKey(.services, namespace: namespace, name: backend.name)) else { continue }
                        evidence.append("spec.rules[\(ruleIndex)].backendRefs[\(refIndex)].name=\(backend.name): no Service \(backend.name) in namespace \(namespace)")
                    }
                }
                verdicts.append(ResourceVerdict(
                    resource: ref(route, kind),
                    failure: evidence.isEmpty ? nil : Failure(message: "\(kind.kind) \(route.name) routes to a missing Service", evidence: evidence)))
            }
        }
        return .evaluated(verdicts)
    }

    static let noRollingUpdateStrategy = Control(
        id: "C-0305", name: "No rolling update strategy", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a Deployment whose `spec.strategy.type` is `Recreate`.",
        rationale: "Recreate stops every pod before starting the new ones: each rollout, including an urgent security fix, is an outage.",
        remediation: "Use the RollingUpdate strategy (the default) unless the application cannot run two versions at once.",
        example: "spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}",
        reads: [.deployments]
    ) { context in
        let recreating = Set(context.snapshot.deployments.filter { $0.spec.strategy?.type == "Recreate" }.map { ObjectKey(.deployments, $0) })
        return evaluate(context.workloads.filter { $0.kind == "Deployment" }) { workload in
            recreating.contains(workload.key)
                ? Failure(message: "Deployment \(workload.name) recreates all pods on every rollout", evidence: ["spec.strategy.type=Recreate"])
                : nil
        }
    }

    static let nonExistentServiceAccount = Control(
        id: "C-0307", name: "Non-existent service account", baseScore: 5, frameworks: ["DevOpsBest"],
        description: "Fails a workload whose pod spec names (in `serviceAccountName`, or the deprecated `serviceAccount`) a ServiceAccount that does not exist in its namespace.",
        rationale: "Pods of such a workload cannot be created; and whoever creates a ServiceAccount of that name decides which RBAC permissions the workload runs with.",
        remediation: "Create the ServiceAccount, or fix the name in the pod template.",
        example: "kubectl -n ci create serviceaccount builder",
        reads: workloadKinds + [.serviceaccounts],
        notes: "Only names written in the pod spec are checked. `default`, named or not, always exists: Kubernetes creates it in every namespace (and recreates it when deleted), so manifests that name it explicitly pass even when the input holds no ServiceAccounts."
    ) { context in
        let accounts = context.snapshot.keys(of: .serviceaccounts)
        return context.evaluateWorkloads { workload in
            let spec = workload.podSpec
            let field = spec.serviceAccountName != nil ? "serviceAccountName" : "serviceAccount"
            guard let name = spec.serviceAccountName ?? spec.serviceAccount, !name.isEmpty, name != "default",
                  !accounts.contains(ObjectKey(.serviceaccounts, namespace: workload.namespace, name: name))
            else { return nil }
            return Failure(
                message: "\(workload.kind) \(workload.name) runs as a ServiceAccount that does not exist",
                evidence: ["\(workload.podSpecPath).\(field)=\(name): no ServiceAccount \(name) in namespace \(workload.namespace)"])
        }
    }
}
