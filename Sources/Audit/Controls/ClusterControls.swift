import Inventory

/// Controls over the cluster as a whole: the API server's configuration (ClusterControls+APIServer.swift),
/// objects listed for review, and the checks that need data the API does not hold.
enum ClusterControls {
    static let all: [Control] = [
        insecurePortEnabled, secretEncryptionEnabled, auditLogsEnabled, pspEnabled, rbacEnabled,
        instanceMetadataAPI, kubernetesCronJob, validatingAdmissionControllers, mutatingAdmissionControllers,
        verifyAuthenticatedService,
    ]

    // MARK: - Listed for review (informational)

    static let kubernetesCronJob = Control(
        id: "C-0026", name: "Kubernetes CronJob", baseScore: 1,
        frameworks: ["MITRE"],
        description: "Lists every CronJob for review, with its schedule.",
        rationale: "A CronJob is a classic persistence mechanism: an attacker who can create one gets code re-run on a schedule, surviving pod deletion and restarts. Unknown CronJobs deserve a look.",
        remediation: "Review the listed CronJobs; delete those nobody owns, and restrict `create` on cronjobs to the accounts that need it.",
        example: "kubectl get cronjobs -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,SCHEDULE:.spec.schedule,IMAGE:.spec.jobTemplate.spec.template.spec.containers[*].image",
        reads: [.cronjobs],
        informational: true
    ) { context in
        .evaluated(context.snapshot.cronJobs.map { cronJob in
            let namespace = cronJob.namespace
            return ResourceVerdict(
                resource: ResourceRef(apiVersion: "batch/v1", kind: "CronJob", namespace: namespace, name: cronJob.name),
                failure: Failure(
                    message: "CronJob \(namespace)/\(cronJob.name) runs on a schedule: review that it is expected",
                    evidence: ["spec.schedule=\(cronJob.spec.schedule ?? "")"]))
        })
    }

    /// One finding per webhook configuration, one evidence line per webhook in it.
    static func reviewWebhookConfigurations(_ configurations: [WebhookConfiguration], kind: String) -> ControlOutcome {
        .evaluated(configurations.map { configuration in
            let webhooks = configuration.webhooks ?? []
            let evidence = webhooks.isEmpty
                ? ["webhooks is empty"]
                : webhooks.enumerated().map { index, webhook in
                    "webhooks[\(index)].name=\(webhook.name) failurePolicy=\(webhook.failurePolicy ?? "Fail")"
                }
            return ResourceVerdict(
                resource: ResourceRef(apiVersion: "admissionregistration.k8s.io/v1", kind: kind, namespace: nil, name: configuration.name),
                failure: Failure(
                    message: "\(kind) \(configuration.name) receives admission requests: review that it is expected",
                    evidence: evidence))
        })
    }

    static let validatingAdmissionControllers = Control(
        id: "C-0036", name: "Validate admission controller (validating)", baseScore: 3,
        frameworks: ["MITRE", "ClusterScan"],
        description: "Lists every ValidatingWebhookConfiguration for review, with its webhooks.",
        rationale: "A validating webhook sees every object it matches, Secrets included, and can block changes: a malicious one exfiltrates data or denies service to the control plane. Each should be known and owned.",
        remediation: "Review the listed configurations: remove those nobody owns and check where their webhooks send requests (`clientConfig`).",
        example: "kubectl get validatingwebhookconfigurations -o yaml",
        reads: [.validatingwebhookconfigurations],
        informational: true
    ) { context in
        reviewWebhookConfigurations(context.snapshot.validatingWebhookConfigurations, kind: "ValidatingWebhookConfiguration")
    }

    static let mutatingAdmissionControllers = Control(
        id: "C-0039", name: "Validate admission controller (mutating)", baseScore: 4,
        frameworks: ["MITRE", "ClusterScan"],
        description: "Lists every MutatingWebhookConfiguration for review, with its webhooks.",
        rationale: "A mutating webhook can rewrite any object it matches: a malicious one injects a sidecar, a privileged container or a host mount into every new pod without anybody changing a manifest.",
        remediation: "Review the listed configurations: remove those nobody owns and check where their webhooks send requests (`clientConfig`).",
        example: "kubectl get mutatingwebhookconfigurations -o yaml",
        reads: [.mutatingwebhookconfigurations],
        informational: true
    ) { context in
        reviewWebhookConfigurations(context.snapshot.mutatingWebhookConfigurations, kind: "MutatingWebhookConfiguration")
    }

    // MARK: - Not evaluable through the API

    static let instanceMetadataAPI = Control(
        id: "C-0052", name: "Instance Metadata API", baseScore: 7,
        frameworks: ["MITRE"],
        description: "Whether pods can reach the cloud instance metadata API (and the node's cloud credentials through it). Needs the cloud provider's API: always skipped.",
        rationale: "The metadata endpoint (169.254.169.254) hands out the node's cloud credentials; a pod that reaches it can act as the node in the cloud account.",
        remediation: "Require IMDSv2 with a hop limit of 1 (AWS), enable Workload Identity / metadata concealment (GKE) or block 169.254.169.254/32 with an egress NetworkPolicy.",
        example: "aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens required --http-put-response-hop-limit 1",
        reads: [],
        notes: "Kubescape reads this from the cloud provider's API; Lookout reads only the Kubernetes API, so the control is reported as skipped."
    ) { _ in
        .skipped(reason: "needs the cloud provider's APIs (instance metadata settings), which Lookout does not read")
    }

    static let verifyAuthenticatedService = Control(
        id: "C-0274", name: "Verify Authenticated Service", baseScore: 7,
        frameworks: ["security"],
        description: "Whether Services answer without authentication. Needs probing each Service over the network: always skipped.",
        rationale: "An internal service without authentication trusts the network: any compromised pod that reaches it can use it.",
        remediation: "Require authentication on every service (mTLS through a mesh, tokens, or client certificates), and restrict who reaches it with NetworkPolicies.",
        example: "kubectl run probe --rm -it --image=curlimages/curl -- curl -sS http://orders.shop.svc:8080/",
        reads: [],
        notes: "Kubescape probes services from inside the cluster; Lookout is read-only towards the cluster and never connects to workloads, so the control is reported as skipped."
    ) { _ in
        .skipped(reason: "needs probing each Service for unauthenticated access; Lookout only reads the API server")
    }
}
