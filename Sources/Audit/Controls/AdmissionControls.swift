import Inventory

/// CIS 5.2 (Pod Security) and 5.5: what stops a dangerous pod at admission. Pod Security Admission is read
/// from the namespace labels; third-party policy engines from their webhook configurations.
enum AdmissionControls {
    static let all: [Control] = [
        activePolicyControlMechanism, privilegedContainers, allowPrivilegeEscalation, rootContainers, netRawCapability,
        addedCapabilities, capabilitiesAssigned, windowsHostProcess, hostPathVolumes, hostPorts, imagePolicyWebhook,
    ]

    // MARK: - Pod Security Admission levels (C-0193 … C-0204)

    static let modeLabels = ["enforce", "warn", "audit"].map { "pod-security.kubernetes.io/\($0)" }

    /// The one rule behind C-0193 to C-0204: each namespace that runs workloads must enforce `required`
    /// (or a stricter level) through its Pod Security Admission label. Namespaces without workloads are
    /// not evaluated.
    static func namespacesLacking(_ required: PodSecurityLevel, in context: AuditContext) -> ControlOutcome {
        context.evaluateNamespaces(onlyWithWorkloads: true) { namespace in
            namespace.enforcementGap(required: required).map {
                Failure(
                    message: "Namespace \(namespace.name) runs workloads without Pod Security Admission enforcing \(required.satisfiedBy)",
                    evidence: $0)
            }
        }
    }

    static let enforcementReads: [ResourceKind] = [.namespaces] + workloadKinds
    static let enforcementNotes =
        "Judges the namespace's `pod-security.kubernetes.io/enforce` label only (warn and audit do not block); namespaces without workloads are not evaluated. An invalid level fails. Kubescape, when a namespaced admission webhook exists, lists the webhooks for review instead; Lookout cannot read third-party policies, and cluster-wide defaults set in the API server's AdmissionConfiguration file are not visible either."
    static let baselineExample = "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline"
    static let restrictedExample = "kubectl label namespace shop pod-security.kubernetes.io/enforce=restricted"

    static let privilegedContainers = Control(
        id: "C-0193", name: "Minimize the admission of privileged containers", baseScore: 8,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.2: fails a namespace that runs workloads without a Pod Security Admission `enforce` level of baseline or restricted, which refuses privileged containers.",
        rationale: "A privileged container has every capability and every host device; nothing in the namespace stops a user or compromised controller that may create pods from running one and escaping to the node.",
        remediation: "Label each application namespace with `pod-security.kubernetes.io/enforce=baseline` (or restricted) after checking its pods with `--dry-run=server`.",
        example: baselineExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.baseline, in: context) }

    static let allowPrivilegeEscalation = Control(
        id: "C-0197", name: "Minimize the admission of containers with allowPrivilegeEscalation", baseScore: 6,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.3: fails a namespace that runs workloads without Pod Security Admission `enforce: restricted`, the only level that requires `allowPrivilegeEscalation: false`.",
        rationale: "With privilege escalation allowed, a setuid binary or file capability in the image lets a process gain more privileges than its container started with.",
        remediation: "Set `allowPrivilegeEscalation: false` in the containers, then label the namespace `pod-security.kubernetes.io/enforce=restricted`.",
        example: restrictedExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.restricted, in: context) }

    static let rootContainers = Control(
        id: "C-0198", name: "Minimize the admission of root containers", baseScore: 6,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.4: fails a namespace that runs workloads without Pod Security Admission `enforce: restricted`, the only level that requires `runAsNonRoot`.",
        rationale: "A process running as root in a container is root on the node if it escapes, and can modify everything the container mounts.",
        remediation: "Run containers as a non-root user (`runAsNonRoot: true`, `runAsUser`), then label the namespace `pod-security.kubernetes.io/enforce=restricted`.",
        example: restrictedExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.restricted, in: context) }

    static let netRawCapability = Control(
        id: "C-0199", name: "Minimize the admission of containers with the NET_RAW capability", baseScore: 6,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.5: fails a namespace that runs workloads without a Pod Security Admission `enforce` level of baseline or restricted, which refuse added capabilities outside the default set (restricted also requires dropping ALL, NET_RAW included).",
        rationale: "NET_RAW lets a container craft raw packets: ARP and DNS spoofing of its neighbours on the node's network.",
        remediation: "Drop NET_RAW (or ALL) in the containers, then label the namespace with a baseline or restricted enforce level.",
        example: baselineExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.baseline, in: context) }

    static let addedCapabilities = Control(
        id: "C-0200", name: "Minimize the admission of containers with added capabilities", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.6: fails a namespace that runs workloads without Pod Security Admission `enforce: restricted`, the only level that refuses every added capability except NET_BIND_SERVICE.",
        rationale: "Each added capability is a slice of root: SYS_ADMIN, NET_ADMIN or SYS_PTRACE open paths out of the container.",
        remediation: "Remove `capabilities.add` entries the application does not need, then label the namespace `pod-security.kubernetes.io/enforce=restricted`.",
        example: restrictedExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.restricted, in: context) }

    static let capabilitiesAssigned = Control(
        id: "C-0201", name: "Minimize the admission of containers with capabilities assigned", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.7: fails a namespace that runs workloads without Pod Security Admission `enforce: restricted`, the only level that requires containers to drop ALL capabilities.",
        rationale: "The container runtime's default capabilities (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID, …) are more than most applications need, and each one widens what an attacker can do in the container.",
        remediation: "Set `capabilities.drop: [ALL]` in every container, then label the namespace `pod-security.kubernetes.io/enforce=restricted`.",
        example: restrictedExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.restricted, in: context) }

    static let windowsHostProcess = Control(
        id: "C-0202", name: "Minimize the admission of Windows HostProcess Containers", baseScore: 7,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.8: fails a namespace that runs workloads without a Pod Security Admission `enforce` level of baseline or restricted, which refuse Windows HostProcess containers.",
        rationale: "A Windows HostProcess container runs directly on the host with the host's privileges: it is the Windows equivalent of a privileged container.",
        remediation: "Label each application namespace with `pod-security.kubernetes.io/enforce=baseline` (or restricted).",
        example: baselineExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.baseline, in: context) }

    static let hostPathVolumes = Control(
        id: "C-0203", name: "Minimize the admission of HostPath volumes", baseScore: 6,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.9: fails a namespace that runs workloads without a Pod Security Admission `enforce` level of baseline or restricted, which refuse hostPath volumes.",
        rationale: "A hostPath volume exposes the node's file system to the pod: mounting `/`, the kubelet's directory or the runtime socket is a direct node takeover.",
        remediation: "Replace hostPath volumes with PersistentVolumeClaims, emptyDir or ConfigMaps, then label the namespace with a baseline or restricted enforce level.",
        example: baselineExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.baseline, in: context) }

    static let hostPorts = Control(
        id: "C-0204", name: "Minimize the admission of containers which use HostPorts", baseScore: 4,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.10: fails a namespace that runs workloads without a Pod Security Admission `enforce` level of baseline or restricted, which refuse host ports.",
        rationale: "A host port binds the node's network interface: it bypasses Services and NetworkPolicies and exposes the pod on the node's address.",
        remediation: "Expose pods through Services instead of `hostPort`, then label the namespace with a baseline or restricted enforce level.",
        example: baselineExample, reads: enforcementReads, notes: enforcementNotes
    ) { context in namespacesLacking(.baseline, in: context) }

    // MARK: - Any policy mechanism (C-0192)

    /// A third-party admission policy engine, recognised by a marker in its webhook configuration's name or
    /// in one of its webhooks' names (Kubewarden names configurations after policies, its webhooks end in
    /// `.kubewarden.admission`).
    static let policyEngines: [(name: String, marker: String)] = [
        ("Kyverno", "kyverno"), ("Gatekeeper", "gatekeeper"), ("Kubewarden", "kubewarden"),
    ]

    /// `Kyverno (ValidatingWebhookConfiguration kyverno-resource-validating-webhook-cfg)` for each engine found.
    static func detectedPolicyEngines(in snapshot: ClusterSnapshot) -> [String] {
        snapshot.validatingWebhookConfigurations.compactMap { configuration in
            let names = [configuration.name] + (configuration.webhooks ?? []).map(\.name)
            guard let engine = policyEngines.first(where: { engine in names.contains { $0.lowercased().contains(engine.marker) } })
            else { return nil }
            return "\(engine.name) (ValidatingWebhookConfiguration \(configuration.name))"
        }
    }

    static let activePolicyControlMechanism = Control(
        id: "C-0192", name: "Ensure that the cluster has at least one active policy control mechanism in place", baseScore: 4,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.2.1: fails every namespace when no namespace carries a Pod Security Admission enforce, warn or audit label and no policy engine (Kyverno, Gatekeeper, Kubewarden) is installed.",
        rationale: "Without any admission policy, nothing checks pods before they run: a user or controller that may create pods can create privileged, host-mounting ones, and nobody is even warned.",
        remediation: "Label namespaces with Pod Security Admission levels (`enforce`, or at least `warn`/`audit` while migrating), or install a policy engine with pod security policies.",
        example: "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted",
        reads: [.namespaces], bestEffortReads: [.validatingwebhookconfigurations],
        notes: "Policy engines are recognised by the names of their ValidatingWebhookConfigurations and webhooks; Kubescape counts any namespaced webhook. ValidatingAdmissionPolicies are not counted: nothing tells whether they cover pod security. Skipped when no namespace is labelled and webhook configurations could not be read."
    ) { context in
        let snapshot = context.snapshot
        let labelled = snapshot.namespaces.contains { namespace in modeLabels.contains { namespace.labels[$0] != nil } }
        if !labelled, let reason = snapshot.unavailableReason(.validatingwebhookconfigurations) {
            return .skipped(reason: reason)
        }
        let active = labelled || !detectedPolicyEngines(in: snapshot).isEmpty
        return context.evaluateNamespaces { namespace in
            active
                ? nil
                : Failure(
                    message: "No admission policy is active in the cluster: namespace \(namespace.name) admits any pod",
                    evidence: [
                        "metadata.labels has no pod-security.kubernetes.io/enforce, warn or audit label (nor does any namespace)",
                        "no Kyverno, Gatekeeper or Kubewarden ValidatingWebhookConfiguration",
                    ])
        }
    }

    // MARK: - Manual review (C-0289)

    static let imagePolicyWebhook = Control(
        id: "C-0289", name: "Configure Image Provenance using ImagePolicyWebhook admission controller", baseScore: 7,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.5.1: whether images are checked for provenance at admission. A manual review in the benchmark: always skipped.",
        rationale: "Without image provenance checks, any image from any registry runs, including a typosquatted or tampered one.",
        remediation: "Enable the ImagePolicyWebhook admission plugin with a backend that verifies signatures, or verify images with a policy engine (Kyverno verifyImages, Sigstore policy-controller).",
        example: "- --enable-admission-plugins=NodeRestriction,ImagePolicyWebhook\n- --admission-control-config-file=/etc/kubernetes/admission/config.yaml",
        reads: [],
        notes: "Kubescape marks it `manual review` and reports it skipped; so does Lookout."
    ) { _ in
        .skipped(reason: "manual review: image provenance policy lives in the API server's admission configuration and the verifying backend, which the API does not show")
    }
}
