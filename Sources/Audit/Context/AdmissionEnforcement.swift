import Inventory

/// The labels that mark the ValidatingAdmissionPolicies `lookout generate admission-policy` writes, so
/// a scan can recognise them.
public enum PolicyLabels {
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let managedByValue = "lookout"
    public static let controlID = "lookout/control-id"
}

/// Whether the cluster already refuses, at admission, what a workload control fails, so the report is a
/// to-do list: `enforced` where a verified mechanism covers every namespace that runs workloads,
/// `partial` where it covers some, `unverified` where only a policy engine whose rules Lookout cannot
/// read is installed, `none` otherwise.
public struct AdmissionCoverage: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        case enforced, partial, unverified, none
    }

    public var state: State
    /// One line per mechanism that applies, e.g. `Pod Security Admission enforce=baseline in 3 of 4 namespaces`.
    public var by: [String]
    /// Namespaces running workloads that no verified mechanism covers (when some are covered).
    public var uncovered: [String]?

    public init(state: State, by: [String], uncovered: [String]? = nil) {
        self.state = state
        self.by = by
        self.uncovered = uncovered
    }
}

/// What the cluster enforces at admission: ValidatingAdmissionPolicies bound with the Deny action
/// (Lookout's own recognised by label), Pod Security Admission `enforce` labels, and policy engines'
/// webhooks. The report's per-control coverage and LO-032 read the same facts.
struct AdmissionEnforcement {
    let context: AuditContext
    /// Policies that a binding puts to work with Deny (an alpha binding without validationActions
    /// denies), with the bindings that do it.
    let denyingBindings: [(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding)]
    let policyEngines: [(engine: String, webhook: String)]
    /// The namespaces a coverage is judged over: those that run workloads, or every namespace when none does.
    let judgedNamespaces: [Namespace]

    // The facts are the cluster's, not a control's: found once, then read for every workload control.
    init(context: AuditContext) {
        self.context = context
        denyingBindings = Self.denyingBindings(in: context.snapshot)
        policyEngines = Self.policyEngines(in: context.snapshot)
        let running = context.namespacesWithWorkloads
        let namespaces = context.snapshot.namespaces.filter { running.contains($0.name) }
        judgedNamespaces = namespaces.isEmpty ? context.snapshot.namespaces : namespaces
    }

    static func denyingBindings(in snapshot: ClusterSnapshot) -> [(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding)] {
        let policies = Dictionary(snapshot.validatingAdmissionPolicies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return snapshot.validatingAdmissionPolicyBindings.compactMap { binding in
            guard let name = binding.spec?.policyName, let policy = policies[name],
                binding.spec?.validationActions.map({ $0.contains("Deny") }) ?? true
            else { return nil }
            return (policy, binding)
        }
    }

    /// Known policy engines, by the name of their validating webhook configuration.
    static let engines = [("kyverno", "Kyverno"), ("gatekeeper", "Gatekeeper"), ("kubewarden", "Kubewarden")]

    static func policyEngines(in snapshot: ClusterSnapshot) -> [(engine: String, webhook: String)] {
        snapshot.validatingWebhookConfigurations.filter { !($0.webhooks ?? []).isEmpty }.compactMap { configuration in
            let name = configuration.name.lowercased()
            return Self.engines.first { name.contains($0.0) }.map { ($0.1, configuration.name) }
        }
    }

    /// The Pod Security Standard level whose `enforce` label refuses everything the control fails; nil
    /// when no level does (runAsGroup, read-only root, resources and images are not in the standards).
    static func impliedLevel(_ control: Control, config: ControlsConfig) -> PodSecurityLevel? {
        switch control.id {
        // Baseline forbids privileged containers, capabilities beyond its default set (SYS_ADMIN is not
        // in it), hostPath volumes, host namespaces and host ports.
        case "C-0057", "C-0048", "C-0045", "C-0074", "C-0020", "C-0038", "C-0041", "C-0275", "C-0276", "C-0044": return .baseline
        // Restricted also requires allowPrivilegeEscalation false and a RuntimeDefault or Localhost seccomp profile.
        case "C-0016", "C-0055", "C-0210": return .restricted
        case "C-0046":
            let listed = Set(config.insecureCapabilities.map(LinuxCapability.canonical))
            if listed.isDisjoint(with: baselineCapabilities) { return .baseline }
            return listed.contains("NET_BIND_SERVICE") ? nil : .restricted
        default: return nil
        }
    }

    /// The capabilities the baseline standard lets a container add.
    static let baselineCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
        "SETPCAP", "SETUID", "SYS_CHROOT",
    ]

    /// Coverage of a workload control (one that reads Pods and is not informational); nil otherwise.
    func coverage(of control: Control) -> AdmissionCoverage? {
        guard control.reads.contains(.pods), !control.informational else { return nil }
        let namespaces = judgedNamespaces
        var covered = Set<String>()
        var by: [String] = []
        for (policy, binding) in denyingBindings
        where policy.labels[PolicyLabels.managedBy] == PolicyLabels.managedByValue && policy.labels[PolicyLabels.controlID] == control.id {
            let selector = binding.spec?.matchResources?.namespaceSelector
            let selected = namespaces.filter { namespace in
                // The API server labels every namespace with its name; manifests and old snapshots may not.
                selector?.matches(namespace.labels.merging(["kubernetes.io/metadata.name": namespace.name]) { own, _ in own }) ?? true
            }
            covered.formUnion(selected.map(\.name))
            by.append("ValidatingAdmissionPolicy \(policy.name) bound with Deny by \(binding.name) in \(selected.count) of \(namespaces.count) namespaces")
        }
        if let level = Self.impliedLevel(control, config: context.config) {
            let enforcing = namespaces.filter { $0.enforcementGap(required: level) == nil }
            if !enforcing.isEmpty {
                covered.formUnion(enforcing.map(\.name))
                by.append("Pod Security Admission enforce=\(level.satisfiedBy) in \(enforcing.count) of \(namespaces.count) namespaces")
            }
        }
        for (engine, webhook) in policyEngines {
            by.append("\(engine) (webhook \(webhook); its policies are not read)")
        }
        let uncovered = namespaces.map(\.name).filter { !covered.contains($0) }.sorted()
        // Without namespaces to judge (manifests, or namespaces not readable), a binding that selects
        // every namespace still covers them all.
        if namespaces.isEmpty, by.contains(where: { $0.hasPrefix("ValidatingAdmissionPolicy") }),
            denyingBindings.contains(where: { $0.policy.labels[PolicyLabels.controlID] == control.id && $0.binding.spec?.matchResources?.namespaceSelector == nil })
        {
            return AdmissionCoverage(state: .enforced, by: by)
        }
        if !covered.isEmpty {
            return uncovered.isEmpty ? AdmissionCoverage(state: .enforced, by: by) : AdmissionCoverage(state: .partial, by: by, uncovered: uncovered)
        }
        return AdmissionCoverage(state: policyEngines.isEmpty ? .none : .unverified, by: by)
    }
}
