import Inventory

/// Kubelet settings, judged from each node's live configuration: what the kubelet serves at `/configz`,
/// read through the API server's node proxy. It is the configuration in force — flags and config file
/// merged — so no agent on the node is needed, only `get nodes/proxy` (an optional, powerful grant).
enum NodeControls {
    static let all: [Control] = [
        anonymousKubeletAccess, kubeletClientTLS, kubeletAnonymousAuthentication, kubeletAlwaysAllow,
        kubeletReadOnlyPort, kubeletClientCA, kubeletHardening,
    ]

    /// Node objects name the nodes and their kubelet versions; the configurations come with the snapshot.
    static let reads: [ResourceKind] = [.nodes]

    /// How many unreadable nodes a skip reason names before it counts the rest.
    static let namedUnreadableNodes = 3

    /// The one evaluation behind every control of the family: `check` turns a kubelet configuration into
    /// evidence lines, and a node with any fails with `problem`. A node whose configuration could not be
    /// read cannot be judged: it is left out and the result names it; when no node has one, the control
    /// is skipped with each node's reason. Without `get nodes/proxy`, or on a snapshot without configurations, it is skipped.
    static func evaluateKubelets(
        _ context: AuditContext, problem: String, check: (KubeletConfiguration) -> [String]
    ) -> ControlOutcome {
        let snapshot = context.snapshot
        if let reason = snapshot.kubeletConfigurationUnavailable { return .skipped(reason: reason) }
        guard let configurations = snapshot.kubeletConfigurations else {
            return .skipped(reason: "kubelet configurations were not collected")
        }
        let byNode = Dictionary(configurations.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        var verdicts: [ResourceVerdict] = []
        var unreadable: [String] = []
        for node in snapshot.nodes {
            guard let configuration = byNode[node.name]?.configuration else {
                unreadable.append("\(node.name): \(byNode[node.name]?.error ?? "not read")")
                continue
            }
            let evidence = check(configuration)
            let version = node.status?.nodeInfo?.kubeletVersion.map { " (kubelet \($0))" } ?? ""
            verdicts.append(ResourceVerdict(
                resource: ResourceRef(apiVersion: "v1", kind: "Node", namespace: nil, name: node.name),
                failure: evidence.isEmpty ? nil : Failure(message: "Node \(node.name)\(version): \(problem)", evidence: evidence)))
        }
        guard !unreadable.isEmpty else { return .evaluated(verdicts) }
        var named = unreadable.prefix(namedUnreadableNodes).joined(separator: "; ")
        if unreadable.count > namedUnreadableNodes { named += "; and \(unreadable.count - namedUnreadableNodes) more" }
        if verdicts.isEmpty { return .skipped(reason: "no kubelet configuration could be read: \(named)") }
        return .partial(verdicts, unjudged: "\(unreadable.count) of \(snapshot.nodes.count) nodes not judged, their kubelet configuration could not be read: \(named)")
    }

    // MARK: - Conditions (each shared by the Kubescape control and Lookout's own)

    /// C-0069 and LO-010. Unset counts as enabled: the kubelet's `--anonymous-auth` flag defaults to true,
    /// and Kubescape fails anything but an explicit false.
    static func anonymousAuthentication(_ configuration: KubeletConfiguration) -> [String] {
        switch configuration.authentication?.anonymous?.enabled {
        case false?: []
        case true?: ["kubeletconfig.authentication.anonymous.enabled=true"]
        case nil: ["kubeletconfig.authentication.anonymous.enabled is not set (the --anonymous-auth flag defaults to true)"]
        }
    }

    /// C-0070 and LO-013.
    static func missingClientCA(_ configuration: KubeletConfiguration) -> [String] {
        let file = configuration.authentication?.x509?.clientCAFile ?? ""
        return file.allSatisfy(\.isWhitespace) ? ["kubeletconfig.authentication.x509.clientCAFile is not set"] : []
    }

    /// LO-011. Unset counts as AlwaysAllow, the `--authorization-mode` flag's default.
    static func alwaysAllowAuthorization(_ configuration: KubeletConfiguration) -> [String] {
        switch configuration.authorization?.mode {
        case "AlwaysAllow"?: ["kubeletconfig.authorization.mode=AlwaysAllow"]
        case nil: ["kubeletconfig.authorization.mode is not set (the --authorization-mode flag defaults to AlwaysAllow)"]
        default: []
        }
    }

    /// LO-012. configz leaves out a zero port, so unset means closed.
    static func openReadOnlyPort(_ configuration: KubeletConfiguration) -> [String] {
        guard let port = configuration.readOnlyPort, port != 0 else { return [] }
        return ["kubeletconfig.readOnlyPort=\(port)"]
    }

    /// LO-014, one line per weak setting. configz leaves out false booleans, so an unset
    /// protectKernelDefaults or rotateCertificates is false; makeIPTablesUtilChains is always served
    /// (unset in a hand-written document means the default, true), and so is the idle timeout
    /// (unset: the default, 4h).
    static func weakHardening(_ configuration: KubeletConfiguration) -> [String] {
        var evidence: [String] = []
        func requireTrue(_ value: Bool?, _ field: String) {
            switch value {
            case true?: break
            case false?: evidence.append("kubeletconfig.\(field)=false")
            case nil: evidence.append("kubeletconfig.\(field) is not set (false)")
            }
        }
        requireTrue(configuration.protectKernelDefaults, "protectKernelDefaults")
        if configuration.makeIPTablesUtilChains == false { evidence.append("kubeletconfig.makeIPTablesUtilChains=false") }
        requireTrue(configuration.rotateCertificates, "rotateCertificates")
        if let timeout = configuration.streamingConnectionIdleTimeout, isZeroDuration(timeout) {
            evidence.append("kubeletconfig.streamingConnectionIdleTimeout=\(timeout)")
        }
        return evidence
    }

    /// A Go duration string ("0s", "0h0m0s", "4h0m0s") is zero when every digit in it is.
    static func isZeroDuration(_ text: String) -> Bool {
        text.contains(where: \.isNumber) && text.allSatisfy { !$0.isNumber || $0 == "0" }
    }

    // MARK: - Shared documentation

    static let liveConfigNotes =
        "Read from the live configuration the kubelet serves at /configz, through the API server's node proxy (flags and config file already merged). Needs `get nodes/proxy`, which is powerful and therefore granted only by the optional rbac/optional/node-config-clusterrole.yaml; without it the control is skipped with \"needs nodes/proxy\". A node whose configuration cannot be read (kubelet down, timed out after 10 s, refusing the API server) is not judged: the result names it (`unjudged`) and the report's errors give its reason; when no node can be read the control is skipped with each node's reason."
    static let hostSensorNotes =
        " Kubescape reads the kubelet's command line and config file with its host sensor (a privileged DaemonSet); Lookout needs no agent on the nodes."
    static let anonymousExample =
        "# /var/lib/kubelet/config.yaml (then restart the kubelet)\nauthentication:\n  anonymous:\n    enabled: false\n  webhook:\n    enabled: true\nauthorization:\n  mode: Webhook"
    static let clientCAExample =
        "# /var/lib/kubelet/config.yaml (then restart the kubelet)\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt"

    static let anonymousRationale =
        "An anonymous request to the kubelet's port (10250) is served as user system:anonymous: with AlwaysAllow authorization, or a bad webhook decision, anyone who reaches the node can list its pods, read their logs and run commands in any container through /exec and /run."
    static let clientCARationale =
        "Without a client CA the kubelet cannot authenticate the API server, or anyone else, by certificate: requests are anonymous or need a bearer token, and an attacker on the node network can talk to the kubelet API without being identified."

    // MARK: - Kubescape controls

    static let anonymousKubeletAccess = Control(
        id: "C-0069", name: "Disable anonymous access to Kubelet service", baseScore: 10,
        frameworks: ["NSA", "MITRE", "ArmoBest", "security"],
        description: "Fails a node whose kubelet accepts anonymous requests: `authentication.anonymous.enabled` is true, or unset, in its live configuration.",
        rationale: anonymousRationale,
        remediation: "Set `authentication.anonymous.enabled: false` in the kubelet configuration file (or `--anonymous-auth=false`), enable webhook authentication and authorization, and restart the kubelet.",
        example: anonymousExample,
        reads: reads,
        notes: liveConfigNotes + hostSensorNotes + " As in Kubescape, anything but an explicit false fails."
    ) { context in
        evaluateKubelets(context, problem: "the kubelet accepts anonymous requests", check: anonymousAuthentication)
    }

    static let kubeletClientTLS = Control(
        id: "C-0070", name: "Enforce Kubelet client TLS authentication", baseScore: 9,
        frameworks: ["NSA", "MITRE", "ArmoBest", "security"],
        description: "Fails a node whose kubelet has no client CA: `authentication.x509.clientCAFile` is empty in its live configuration.",
        rationale: clientCARationale,
        remediation: "Set `authentication.x509.clientCAFile` (or `--client-ca-file`) to the cluster CA and restart the kubelet; the API server then authenticates with its kubelet client certificate.",
        example: clientCAExample,
        reads: reads,
        notes: liveConfigNotes + hostSensorNotes
    ) { context in
        evaluateKubelets(context, problem: "the kubelet does not authenticate clients by certificate", check: missingClientCA)
    }

    // MARK: - Lookout controls

    static let kubeletAnonymousAuthentication = Control(
        id: "LO-010", name: "Kubelet anonymous authentication (from the kubelet's live config)", baseScore: 10,
        frameworks: ["lookout"],
        description: "Fails a node whose kubelet accepts anonymous requests: `authentication.anonymous.enabled` is true, or unset, in the configuration the kubelet serves at /configz. The C-0069 condition.",
        rationale: anonymousRationale,
        remediation: "Set `authentication.anonymous.enabled: false` in the kubelet configuration file (or `--anonymous-auth=false`), enable webhook authentication and authorization, and restart the kubelet.",
        example: anonymousExample,
        reads: reads,
        notes: liveConfigNotes + " An unset value counts as enabled: the --anonymous-auth flag defaults to true."
    ) { context in
        evaluateKubelets(context, problem: "the kubelet accepts anonymous requests", check: anonymousAuthentication)
    }

    static let kubeletAlwaysAllow = Control(
        id: "LO-011", name: "Kubelet authorization mode AlwaysAllow", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a node whose kubelet authorizes every request: `authorization.mode` is AlwaysAllow, or unset, in its live configuration.",
        rationale: "With AlwaysAllow, every request the kubelet authenticates — including anonymous ones when anonymous authentication is on — may run commands in any container on the node, read every pod's logs and port-forward into them: RBAC never gets a say.",
        remediation: "Set `authorization.mode: Webhook` (or `--authorization-mode=Webhook`) so the kubelet asks the API server (SubjectAccessReview) for each request, and restart the kubelet.",
        example: "# /var/lib/kubelet/config.yaml (then restart the kubelet)\nauthorization:\n  mode: Webhook",
        reads: reads,
        notes: liveConfigNotes + " An unset mode counts as AlwaysAllow, the --authorization-mode flag's default."
    ) { context in
        evaluateKubelets(context, problem: "the kubelet authorizes every request (AlwaysAllow)", check: alwaysAllowAuthorization)
    }

    static let kubeletReadOnlyPort = Control(
        id: "LO-012", name: "Kubelet read-only port open", baseScore: 6,
        frameworks: ["lookout"],
        description: "Fails a node whose kubelet serves its unauthenticated read-only port: `readOnlyPort` is non-zero in its live configuration.",
        rationale: "The read-only port (usually 10255) answers without authentication or TLS: anyone who reaches the node can list its pods with their specs, environment variables included, and read metrics that map the workloads.",
        remediation: "Set `readOnlyPort: 0` (or `--read-only-port=0`) and restart the kubelet; scrape metrics from the authenticated port 10250.",
        example: "# /var/lib/kubelet/config.yaml (then restart the kubelet)\nreadOnlyPort: 0",
        reads: reads,
        notes: liveConfigNotes + " configz leaves a zero port out, so an unset port counts as closed."
    ) { context in
        evaluateKubelets(context, problem: "the kubelet serves its unauthenticated read-only port", check: openReadOnlyPort)
    }

    static let kubeletClientCA = Control(
        id: "LO-013", name: "Kubelet client CA not configured", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a node whose kubelet has no client CA: `authentication.x509.clientCAFile` is empty in its live configuration. The C-0070 condition.",
        rationale: clientCARationale,
        remediation: "Set `authentication.x509.clientCAFile` (or `--client-ca-file`) to the cluster CA and restart the kubelet.",
        example: clientCAExample,
        reads: reads,
        notes: liveConfigNotes
    ) { context in
        evaluateKubelets(context, problem: "the kubelet does not authenticate clients by certificate", check: missingClientCA)
    }

    static let kubeletHardening = Control(
        id: "LO-014", name: "Kubelet hardening settings", baseScore: 4,
        frameworks: ["lookout"],
        description: "Fails a node whose kubelet leaves hardening off, one evidence line per setting: `protectKernelDefaults` false, `makeIPTablesUtilChains` false, `rotateCertificates` false, or `streamingConnectionIdleTimeout` 0 (exec and port-forward sessions never time out).",
        rationale: "Each setting closes a path the CIS benchmark names: without protectKernelDefaults pods can run on a node whose kernel settings differ from what the kubelet expects; without makeIPTablesUtilChains the node's iptables can drift from the pods' network needs; without certificate rotation an expiring or stolen kubelet certificate stays in use; an idle timeout of 0 keeps forgotten exec and port-forward sessions open forever.",
        remediation: "In the kubelet configuration set `protectKernelDefaults: true`, `makeIPTablesUtilChains: true`, `rotateCertificates: true` and a non-zero `streamingConnectionIdleTimeout` (e.g. 5m), then restart the kubelet.",
        example: "# /var/lib/kubelet/config.yaml (then restart the kubelet)\nprotectKernelDefaults: true\nmakeIPTablesUtilChains: true\nrotateCertificates: true\nstreamingConnectionIdleTimeout: 5m0s",
        reads: reads,
        notes: liveConfigNotes + " configz leaves false booleans out, so an unset protectKernelDefaults or rotateCertificates counts as false; an unset makeIPTablesUtilChains or idle timeout keeps the kubelet's default (true, 4h) and passes."
    ) { context in
        evaluateKubelets(context, problem: "kubelet hardening settings are off", check: weakHardening)
    }
}
