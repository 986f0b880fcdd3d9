import Inventory

/// What a flag check concludes about one API server.
enum FlagVerdict {
    case pass
    case fail(message: String, evidence: [String])
    /// The answer lives where Lookout cannot read it (a config file on the host).
    case unknown(String)
}

extension ClusterControls {
    static let controlPlaneNotVisible = "control plane not visible (managed cluster?)"

    /// Runs `check` on every visible kube-apiserver: one verdict per apiserver Pod. Skipped when none is
    /// visible (managed control planes), or when a check cannot conclude for one of them.
    static func evaluateAPIServers(_ context: AuditContext, _ check: (APIServerInstance) -> FlagVerdict) -> ControlOutcome {
        let servers = context.apiServers
        guard !servers.isEmpty else {
            return .skipped(
                reason: context.snapshot.scope.contains("kube-system")
                    ? controlPlaneNotVisible : "control plane not visible: kube-system is outside the scan scope")
        }
        var verdicts: [ResourceVerdict] = []
        for server in servers {
            switch check(server) {
            case .pass: verdicts.append(ResourceVerdict(resource: server.ref, failure: nil))
            case .fail(let message, let evidence):
                verdicts.append(ResourceVerdict(resource: server.ref, failure: Failure(message: message, evidence: evidence)))
            case .unknown(let reason): return .skipped(reason: reason)
            }
        }
        return .evaluated(verdicts)
    }

    static let apiServerNotes =
        "Reads the kube-apiserver static Pod in kube-system (flags in `command` and `args`, `--flag=value` and `--flag value`). Managed clusters (EKS, GKE, AKS) do not show it: the control is skipped there, where Kubescape asks the cloud provider's API instead."

    static let insecurePortEnabled = Control(
        id: "C-0005", name: "API server insecure port is enabled", baseScore: 9,
        frameworks: ["NSA", "ClusterScan", "ArmoBest", "security"],
        description: "Fails a kube-apiserver whose `--insecure-port` is non-zero (in any notation the flag library reads: `8080`, `0x1F90`, `'8080'`) or unreadable, or unset on a version before 1.20 (where it defaults to 8080).",
        rationale: "The insecure port serves the whole API over plain HTTP with no authentication and no authorization: any process that reaches it, a hostNetwork pod on the control-plane node included, is cluster-admin.",
        remediation: "Set `--insecure-port=0` (Kubernetes before 1.20) or upgrade: from 1.20 the flag accepts only 0 and it was removed in 1.24.",
        example: "# /etc/kubernetes/manifests/kube-apiserver.yaml\n- --insecure-port=0",
        reads: [.pods],
        notes: apiServerNotes + " Kubescape fails only the literal `--insecure-port=1` in `command`; Lookout fails any non-zero port, and an unset flag on servers older than 1.20."
    ) { context in
        evaluateAPIServers(context) { server in
            let message = "kube-apiserver serves the API without authentication on an insecure port"
            if let flag = server.flags.flag("insecure-port") {
                // A value Lookout cannot read fails: passing it would be a guess.
                if flag.value.flatMap(CommandLineFlags.integer) == 0 { return .pass }
                return .fail(message: message, evidence: [server.flags.evidence(flag)])
            }
            if let version = server.version, version < SemanticVersion(1, 20, 0) {
                return .fail(message: message, evidence: [server.flags.absence("insecure-port", "defaults to 8080 before Kubernetes 1.20")])
            }
            return .pass
        }
    }

    static let secretEncryptionEnabled = Control(
        id: "C-0066", name: "Secret/etcd encryption enabled", baseScore: 6,
        frameworks: ["NSA", "MITRE", "ClusterScan", "ArmoBest", "security"],
        description: "Fails a kube-apiserver started without `--encryption-provider-config`: Secrets are stored in etcd in clear text.",
        rationale: "Anyone who reads etcd's data directory or a backup of it (a stolen snapshot, a compromised control-plane node) reads every Secret: tokens, passwords, TLS keys.",
        remediation: "Write an EncryptionConfiguration (KMS v2 or aescbc/secretbox) for secrets, pass it with `--encryption-provider-config`, then rewrite existing Secrets so they are stored encrypted.",
        example: "- --encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml\n# then: kubectl get secrets -A -o json | kubectl replace -f -",
        reads: [.pods],
        notes: apiServerNotes + " Lookout cannot read the configuration file itself: a file that lists only the `identity` provider passes."
    ) { context in
        evaluateAPIServers(context) { server in
            if let value = server.flags.value(of: "encryption-provider-config"), !value.isEmpty { return .pass }
            return .fail(
                message: "kube-apiserver stores Secrets in etcd without encryption",
                evidence: [server.flags.absence("encryption-provider-config", "Secrets are stored unencrypted")])
        }
    }

    static let auditLogsEnabled = Control(
        id: "C-0067", name: "Audit logs enabled", baseScore: 5,
        frameworks: ["NSA", "MITRE", "SOC2", "ClusterScan", "ArmoBest"],
        description: "Fails a kube-apiserver without `--audit-policy-file`, or with a policy but no backend to write events to (`--audit-log-path` or `--audit-webhook-config-file`).",
        rationale: "Without audit logs there is no record of who read Secrets, exec'd into pods or changed RBAC: an intrusion can be neither detected nor investigated.",
        remediation: "Give the API server an audit policy and a backend: `--audit-policy-file` plus `--audit-log-path` (with rotation flags) or `--audit-webhook-config-file`.",
        example: "- --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n- --audit-log-path=/var/log/kubernetes/audit.log\n- --audit-log-maxage=30",
        reads: [.pods],
        notes: apiServerNotes + " Flags count in `command` and `args` alike, as `--flag=value` or `--flag value` (RKE2 passes them in `args`, minikube may log to standard output with `--audit-log-path -`); a webhook backend (`--audit-webhook-config-file`) counts as a backend. Kubescape checks `--audit-policy-file` only; Lookout also fails a policy with no log or webhook backend: the API server then records nothing."
    ) { context in
        evaluateAPIServers(context) { server in
            let message = "kube-apiserver does not write audit logs"
            guard let policy = server.flags.flag("audit-policy-file"), !(policy.value ?? "").isEmpty else {
                return .fail(message: message, evidence: [server.flags.absence("audit-policy-file", "no audit events are produced")])
            }
            let backends = ["audit-log-path", "audit-webhook-config-file"].filter { !(server.flags.value(of: $0) ?? "").isEmpty }
            guard backends.isEmpty else { return .pass }
            return .fail(
                message: message,
                evidence: [
                    server.flags.evidence(policy),
                    server.flags.absence("audit-log-path", "and no --audit-webhook-config-file: audit events are written nowhere"),
                ])
        }
    }

    static let podSecurityPolicyRemoval = SemanticVersion(1, 25, 0)

    static let pspEnabled = Control(
        id: "C-0068", name: "PSP enabled", baseScore: 1,
        frameworks: ["NSA", "MITRE", "ArmoBest"],
        description: "On Kubernetes before 1.25, fails a kube-apiserver whose admission plugins do not include PodSecurityPolicy. Skipped from 1.25, where PodSecurityPolicy no longer exists.",
        rationale: "Before Pod Security Admission, PodSecurityPolicy was the built-in way to refuse privileged, host-namespace and root pods at admission; without it nothing stops a user who may create pods from creating a node-escaping one.",
        remediation: "Before 1.25: enable PodSecurityPolicy with policies for every ServiceAccount, or better, migrate to Pod Security Admission labels (available from 1.23) and upgrade.",
        example: "kubectl label namespace shop pod-security.kubernetes.io/enforce=baseline",
        reads: [.pods],
        notes: apiServerNotes + " PodSecurityPolicy was removed in Kubernetes 1.25 (the API server refuses to start with the plugin), so the control is skipped on 1.25 and later; Pod Security Admission is judged by C-0192 to C-0204 instead. Before 1.25, an unset `--enable-admission-plugins` fails (the default plugins never include PodSecurityPolicy; Kubescape passes it), as does a plugin listed in `--disable-admission-plugins`."
    ) { context in
        let servers = context.apiServers
        if let version = servers.compactMap(\.version).first ?? context.snapshot.cluster.version.flatMap(SemanticVersion.init),
            version >= podSecurityPolicyRemoval
        {
            return .skipped(reason: "PodSecurityPolicy was removed in Kubernetes 1.25 (this cluster runs \(version.major).\(version.minor)): see the Pod Security Admission controls C-0192 to C-0204")
        }
        return evaluateAPIServers(context) { server in
            let flags = server.flags
            let enabling = flags.flags.filter { $0.name == "enable-admission-plugins" || $0.name == "admission-control" }
            let message = "kube-apiserver does not enforce PodSecurityPolicy"
            if let disabling = flags.flags.first(where: {
                $0.name == "disable-admission-plugins" && ($0.value ?? "").split(separator: ",").contains("PodSecurityPolicy")
            }) {
                return .fail(message: message, evidence: [flags.evidence(disabling)])
            }
            let enabled = flags.list("enable-admission-plugins") + flags.list("admission-control")
            if enabled.contains("PodSecurityPolicy") { return .pass }
            return .fail(
                message: message,
                evidence: enabling.isEmpty
                    ? [flags.absence("enable-admission-plugins", "the default plugins do not include PodSecurityPolicy")]
                    : enabling.map { "\(flags.evidence($0)) (no PodSecurityPolicy)" })
        }
    }

    static let rbacEnabled = Control(
        id: "C-0088", name: "RBAC enabled", baseScore: 7,
        frameworks: ["ClusterScan"],
        description: "Fails a kube-apiserver whose `--authorization-mode` does not include RBAC, or is unset (the default is AlwaysAllow).",
        rationale: "Without the RBAC authorizer, Roles and bindings are ignored: with AlwaysAllow every authenticated identity, every ServiceAccount token included, can do anything in the cluster.",
        remediation: "Start the API server with `--authorization-mode=Node,RBAC` (plus Webhook if the platform needs it).",
        example: "- --authorization-mode=Node,RBAC",
        reads: [.pods],
        notes: apiServerNotes + " Kubescape passes an unset `--authorization-mode`; Lookout fails it, since the server then defaults to AlwaysAllow. Skipped when authorization is configured through `--authorization-config`, a file Lookout cannot read."
    ) { context in
        evaluateAPIServers(context) { server in
            let flags = server.flags
            if flags.flag("authorization-config") != nil {
                return .unknown("kube-apiserver configures authorization through --authorization-config, a file Lookout cannot read")
            }
            let message = "kube-apiserver does not authorize requests with RBAC"
            guard let mode = flags.flag("authorization-mode") else {
                return .fail(message: message, evidence: [flags.absence("authorization-mode", "defaults to AlwaysAllow")])
            }
            return flags.list("authorization-mode").contains("RBAC")
                ? .pass : .fail(message: message, evidence: ["\(flags.evidence(mode)) (no RBAC)"])
        }
    }
}
