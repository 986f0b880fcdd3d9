import Inventory

/// Lookout's own posture controls: namespaces left without admission or resource policy, admission
/// webhooks that fail open or can lock the control plane out, a cluster with no admission policy at all,
/// and exposed workloads with critical vulnerabilities (from the Trivy Operator's reports).
enum PostureControls {
    static let all: [Control] = [
        namespaceWithoutPodSecurity, namespaceWithoutResourcePolicy, webhookFailsOpen, webhookCanBlockControlPlane,
        noAdmissionPolicy, exposedCriticalVulnerabilities,
    ]

    static let webhookKinds: [ResourceKind] = [.validatingwebhookconfigurations, .mutatingwebhookconfigurations]
    static let admissionPolicyKinds: [ResourceKind] = [.validatingadmissionpolicies, .validatingadmissionpolicybindings]

    // MARK: - LO-003

    static let namespaceWithoutPodSecurity = Control(
        id: "LO-003", name: "Namespace without Pod Security Admission enforcement", baseScore: 5,
        frameworks: ["lookout"],
        description: "Fails a namespace that runs workloads and has no `pod-security.kubernetes.io/enforce` label, or enforces `privileged` (or an invalid level). Namespaces listed in controls-config `systemNamespaces` (kube-system, kube-public, kube-node-lease) are evaluated but never failed.",
        rationale: "Without an enforced Pod Security level, anyone who may create pods in the namespace — a user, a CI job, a compromised controller — can start privileged, host-network or hostPath pods and take over the node they land on.",
        remediation: "Label the namespace with an enforce level after checking its pods against it with a server-side dry run; `restricted` where the workloads allow it, `baseline` at least.",
        example: "kubectl label --dry-run=server --overwrite namespace shop pod-security.kubernetes.io/enforce=baseline\nkubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=baseline",
        reads: [.namespaces] + workloadKinds,
        notes: "The C-0193 condition (enforce baseline or stricter) with the system namespaces exempted, since kube-system runs privileged components by design. They count as passed resources: the report has no verdict that shows a finding without failing it. Only the enforce label counts; warn and audit do not block."
    ) { context in
        let system = Set(context.config.systemNamespaces)
        return context.evaluateNamespaces(onlyWithWorkloads: true) { namespace in
            guard !system.contains(namespace.name),
                let evidence = namespace.enforcementGap(required: .baseline)
            else { return nil }
            return Failure(
                message: "Namespace \(namespace.name) runs workloads without Pod Security Admission enforcement", evidence: evidence)
        }
    }

    // MARK: - LO-004

    static let namespaceWithoutResourcePolicy = Control(
        id: "LO-004", name: "Namespace without ResourceQuota or LimitRange", baseScore: 3,
        frameworks: ["lookout"],
        description: "Fails a namespace that runs workloads and has neither a ResourceQuota nor a LimitRange.",
        rationale: "With no quota and no default limits, one runaway or compromised workload can take every CPU, memory and pod slot the nodes have, starving the other tenants and the cluster's own components (a denial of service from inside).",
        remediation: "Add a ResourceQuota that caps the namespace's total requests and limits, and a LimitRange that gives containers default requests and limits.",
        example: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: shop}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 256Mi}\n    defaultRequest: {cpu: 100m, memory: 128Mi}",
        reads: [.namespaces, .resourcequotas, .limitranges] + workloadKinds,
        notes: "Either object passes the namespace: a LimitRange alone bounds each container, a ResourceQuota alone bounds the namespace."
    ) { context in
        let withQuota = Set(context.snapshot.resourceQuotas.map { $0.namespace })
        let withLimits = Set(context.snapshot.limitRanges.map { $0.namespace })
        return context.evaluateNamespaces(onlyWithWorkloads: true) { namespace in
            guard !withQuota.contains(namespace.name), !withLimits.contains(namespace.name) else { return nil }
            return Failure(
                message: "Namespace \(namespace.name) runs workloads with no ResourceQuota and no LimitRange",
                evidence: ["no ResourceQuota in namespace \(namespace.name)", "no LimitRange in namespace \(namespace.name)"])
        }
    }

    // MARK: - Webhooks (LO-030, LO-031)

    /// Runs `check` on every webhook of every validating and mutating webhook configuration; a
    /// configuration fails with the evidence lines of its webhooks.
    static func evaluateWebhooks(
        _ context: AuditContext, message: (String, String) -> String, check: (_ path: String, Webhook) -> String?
    ) -> ControlOutcome {
        let configurations = [("ValidatingWebhookConfiguration", context.snapshot.validatingWebhookConfigurations),
                              ("MutatingWebhookConfiguration", context.snapshot.mutatingWebhookConfigurations)]
        return .evaluated(configurations.flatMap { kind, list in
            list.map { configuration in
                let evidence = (configuration.webhooks ?? []).enumerated().compactMap { index, webhook in
                    check("webhooks[\(index)] (\(webhook.name))", webhook)
                }
                return ResourceVerdict(
                    resource: ResourceRef(apiVersion: "admissionregistration.k8s.io/v1", kind: kind, namespace: nil, name: configuration.name),
                    failure: evidence.isEmpty ? nil : Failure(message: message(kind, configuration.name), evidence: evidence))
            }
        })
    }

    /// The API's default for admissionregistration/v1 (v1beta1 defaulted to Ignore, but the API server
    /// stores the defaulted value, so only hand-written manifests leave it out).
    static func failurePolicy(of webhook: Webhook) -> String { webhook.failurePolicy ?? "Fail" }

    static let webhookFailsOpen = Control(
        id: "LO-030", name: "Admission webhook fails open", baseScore: 5,
        frameworks: ["lookout"],
        description: "Fails a validating or mutating webhook configuration with a webhook whose `failurePolicy` is Ignore: when the webhook is down, slow or unreachable, the API server admits the request unchecked.",
        rationale: "A policy that fails open can be switched off by whoever can make it time out or crash — flooding it, deleting its pods, breaking its network path — and every request admitted meanwhile skips the policy: the bad workload it exists to stop gets in.",
        remediation: "Set `failurePolicy: Fail` on security webhooks, run them highly available (several replicas, a PodDisruptionBudget), and exempt kube-system with a namespaceSelector so a webhook outage cannot block the control plane.",
        example: "webhooks:\n- name: validate.policy.example.com\n  failurePolicy: Fail\n  namespaceSelector:\n    matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]",
        reads: webhookKinds,
        notes: "An unset failurePolicy counts as Fail, the admissionregistration/v1 default. Mutating webhooks count too: a mutation that injects a security setting is skipped as silently as a validation."
    ) { context in
        evaluateWebhooks(context, message: { kind, name in "\(kind) \(name) has a webhook that fails open" }) { path, webhook in
            failurePolicy(of: webhook) == "Ignore" ? "\(path).failurePolicy=Ignore" : nil
        }
    }

    /// The labels kube-system is matched with: its own, plus the name label the API server sets on every
    /// namespace from Kubernetes 1.21.
    static func kubeSystemLabels(in snapshot: ClusterSnapshot) -> [String: String] {
        var labels = snapshot.namespaces.first { $0.name == "kube-system" }?.labels ?? [:]
        labels["kubernetes.io/metadata.name"] = "kube-system"
        return labels
    }

    static let webhookCanBlockControlPlane = Control(
        id: "LO-031", name: "Admission webhook can block the control plane", baseScore: 4,
        frameworks: ["lookout"],
        description: "Fails a webhook configuration with a `failurePolicy: Fail` webhook that kube-system is not exempt from: its namespaceSelector matches kube-system's labels, and its objectSelector matches objects without labels.",
        rationale: "When a Fail webhook is down, every request it intercepts is refused. If that includes kube-system, the control plane's own components cannot restart, update their leases or be repaired — the outage of one webhook becomes an outage of the cluster, and recovering it needs the webhook first.",
        remediation: "Exempt kube-system (and the webhook's own namespace) with a namespaceSelector, or select only opted-in objects with an objectSelector.",
        example: "namespaceSelector:\n  matchExpressions:\n  - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}",
        reads: webhookKinds,
        notes: "kube-system is matched with its labels plus `kubernetes.io/metadata.name: kube-system`, which the API server sets from 1.21. An objectSelector exempts it when it needs a label (objects without labels do not match it); a selector that only excludes some labels does not. An unset failurePolicy counts as Fail. The webhook's rules are not considered."
    ) { context in
        let kubeSystem = kubeSystemLabels(in: context.snapshot)
        return evaluateWebhooks(context, message: { kind, name in "\(kind) \(name) can block requests in kube-system" }) { path, webhook in
            guard failurePolicy(of: webhook) == "Fail",
                (webhook.namespaceSelector ?? LabelSelector()).matches(kubeSystem),
                (webhook.objectSelector ?? LabelSelector()).matches([:])
            else { return nil }
            return "\(path).failurePolicy=Fail and no namespaceSelector or objectSelector exempts kube-system"
        }
    }

    // MARK: - LO-032

    static let noAdmissionPolicy = Control(
        id: "LO-032", name: "No admission-time policy at all", baseScore: 6,
        frameworks: ["lookout"],
        description: "Fails the cluster when nothing checks workloads at admission: no ValidatingWebhookConfiguration, no ValidatingAdmissionPolicy bound with the Deny action, and no namespace that enforces a Pod Security level stricter than privileged.",
        rationale: "Admission is the only point where a bad pod can be refused before it runs. With no policy there, every other control is detective only: a privileged or host-mounting pod is found by the next scan, after it has run.",
        remediation: "Enforce Pod Security Admission levels on namespaces, or install a policy engine (Kyverno, Gatekeeper, Kubewarden), or bind ValidatingAdmissionPolicies with the Deny action.",
        example: "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline",
        reads: [.namespaces, .validatingwebhookconfigurations], optionalReads: admissionPolicyKinds,
        notes: "Any validating webhook counts (what it checks is not visible), but an enforce label of privileged does not, and neither does a policy binding that only warns or audits. ValidatingAdmissionPolicies count when the cluster serves them; the control is skipped when it serves them but the credentials may not list them. Cluster-wide Pod Security defaults in the API server's AdmissionConfiguration file are not visible through the API. Skipped on manifests (`scan --from` files): they describe what they deploy, not the cluster's admission chain."
    ) { context in
        let snapshot = context.snapshot
        if let reason = context.wholeClusterUnknown {
            return .skipped(reason: reason)
        }
        let webhooks = snapshot.validatingWebhookConfigurations.filter { !($0.webhooks ?? []).isEmpty }
        let policies = AdmissionEnforcement(context: context).denyingBindings
        let enforcing = snapshot.namespaces.filter { $0.enforcementGap(required: .baseline) == nil }
        let active = !webhooks.isEmpty || !policies.isEmpty || !enforcing.isEmpty
        let policyLine = snapshot.collected.contains(.validatingadmissionpolicybindings)
            ? "no ValidatingAdmissionPolicy is bound with the Deny action"
            : "ValidatingAdmissionPolicy is not served by this cluster"
        return .evaluated([
            ResourceVerdict(
                resource: .cluster,
                failure: active
                    ? nil
                    : Failure(
                        message: "Nothing checks workloads at admission: any pod the RBAC rules allow is admitted",
                        evidence: [
                            "no ValidatingWebhookConfiguration with a webhook", policyLine,
                            "no namespace has pod-security.kubernetes.io/enforce=baseline or restricted",
                        ]))
        ])
    }

    // MARK: - LO-050

    /// The label keys the Trivy Operator puts on a report to name the object it scanned.
    static let trivyKindLabel = "trivy-operator.resource.kind"
    static let trivyNameLabel = "trivy-operator.resource.name"
    static let trivyContainerLabel = "trivy-operator.container.name"

    /// Reports with critical vulnerabilities, by the top-level workload they belong to. Trivy reports on
    /// the object that owns the pods (a ReplicaSet, not its Deployment; a Job, not its CronJob), named by
    /// its labels or, failing those, its owner: the owner chain is followed up to the workload Lookout
    /// reports.
    static func criticalReportsByWorkload(in context: AuditContext) -> [ResourceRef: [VulnerabilityReport]] {
        let snapshot = context.snapshot
        let critical = snapshot.vulnerabilityReports.filter { ($0.report?.summary?.criticalCount ?? 0) > 0 }
        guard !critical.isEmpty else { return [:] }
        let topLevel = Dictionary(context.workloads.map { ($0.key, $0.ref) }, uniquingKeysWith: { first, _ in first })
        let ownership = Ownership(snapshot)
        var result: [ResourceRef: [VulnerabilityReport]] = [:]
        for report in critical {
            let namespace = report.namespace
            let scanned: ObjectKey
            if let kind = report.labels[trivyKindLabel], let name = report.labels[trivyNameLabel] {
                scanned = ObjectKey(kind: kind, namespace: namespace, name: name)
            } else if let owner = Ownership.controller(of: report.metadata, in: namespace) {
                scanned = owner
            } else {
                continue
            }
            guard let workload = ownership.firstController(from: scanned, where: { topLevel[$0] != nil }) else { continue }
            result[topLevel[workload]!, default: []].append(report)
        }
        return result
    }

    static let exposedCriticalVulnerabilities = Control(
        id: "LO-050", name: "Workloads with critical image vulnerabilities exposed externally", baseScore: 8,
        frameworks: ["lookout"],
        description: "Fails a workload that traffic from outside the cluster reaches (as in LO-001: NodePort/LoadBalancer Service, Ingress, Gateway API route, hostPort, hostNetwork) when a Trivy Operator VulnerabilityReport of one of its containers counts critical vulnerabilities. Skipped when the cluster does not serve the VulnerabilityReport API.",
        rationale: "A critical vulnerability in an internet-facing image is the shortest path into a cluster: exploits for them are published and scanned for, and the exposed pod hands the attacker its ServiceAccount token and network position.",
        remediation: "Rebuild the image on a patched base or upgrade the vulnerable package, redeploy, and keep workloads that cannot be patched off the internet until they are.",
        example: "kubectl get vulnerabilityreports -n shop -o wide\nkubectl set image deployment/web web=registry.example/web:1.4.2   # the patched build",
        reads: workloadKinds + [.services, .ingresses, .vulnerabilityreports], optionalReads: exposureKinds,
        notes: "Reads the VulnerabilityReports the Trivy Operator writes (aquasecurity.github.io/v1alpha1); Lookout scans no image itself. A report is tied to its workload by its trivy-operator.resource labels (or owner), following ReplicaSet → Deployment and Job → CronJob. Vulnerability counts go in the message, not the evidence, so a finding keeps its fingerprint while the vulnerability database changes. Skipped, as LO-001, when the cluster serves Gateway API routes or Istio kinds that the credentials may not list."
    ) { context in
        let reports = criticalReportsByWorkload(in: context)
        return context.evaluateWorkloads { workload in
            guard let vulnerable = reports[workload.ref], !vulnerable.isEmpty else { return nil }
            let reach = context.externalReach(of: workload)
            guard !reach.evidence.isEmpty else { return nil }
            let sorted = vulnerable.sorted { $0.name < $1.name }
            // Counts come from objects anyone with create rights can write: saturate, never overflow.
            let critical = sorted.reduce(0) { sum, report in
                let (total, overflow) = sum.addingReportingOverflow(max(0, report.report?.summary?.criticalCount ?? 0))
                return overflow ? Int.max : total
            }
            let evidence = sorted.map { report in
                let container = report.labels[trivyContainerLabel].map { "container \($0)" } ?? "a container"
                let artifact = report.report?.artifact
                let image = artifact?.repository.map { $0 + (artifact?.tag.map { ":\($0)" } ?? "") } ?? "its image"
                return "\(container) runs \(image), which has critical vulnerabilities"
            }
            return Failure(
                message: "\(workload.kind) \(workload.name) is reachable from outside the cluster and runs images with \(critical) critical vulnerabilities",
                evidence: evidence + reach.evidence,
                related: sorted.map { RelatedObject(kind: "VulnerabilityReport", namespace: $0.namespace, name: $0.name) } + reach.related)
        }
    }
}
