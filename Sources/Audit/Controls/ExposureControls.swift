import Inventory

/// Admin UIs: which ones traffic from outside the cluster reaches, and which run without authentication.
enum ExposureControls {
    static let all: [Control] = [exposedDashboard, dashboardWithoutAuthentication]

    // MARK: - LO-001

    /// An admin UI with its patterns lower-cased once, not once per workload.
    struct DashboardPatterns: Sendable {
        let dashboard: AdminDashboard
        let names: [String]
        let images: [String]

        init(_ dashboard: AdminDashboard) {
            self.dashboard = dashboard
            names = dashboard.names.map { $0.lowercased() }
            images = dashboard.images.map { $0.lowercased() }
        }
    }

    /// The admin UI the workload is, with the evidence line that recognises it: its name contains one of
    /// the UI's name patterns, or a container's image repository (registry and path, without tag or
    /// digest) contains one of its image patterns. Case-insensitive.
    static func adminDashboard(_ workload: Workload, among dashboards: [DashboardPatterns], in context: AuditContext)
        -> (dashboard: AdminDashboard, evidence: String)?
    {
        let name = workload.name.lowercased()
        // Each image's repository found once, not once per dashboard.
        let images = workload.podSpec.allContainers.compactMap { path, container in
            container.image.map { (path: path, image: $0, repository: (context.imageReference($0)?.name ?? $0).lowercased()) }
        }
        for patterns in dashboards {
            let dashboard = patterns.dashboard
            if let index = patterns.names.firstIndex(where: name.containsSubstring) {
                return (dashboard, "metadata.name contains \"\(dashboard.names[index])\" (\(dashboard.name))")
            }
            if let match = images.first(where: { image in patterns.images.contains(where: image.repository.containsSubstring) }) {
                return (dashboard, "\(workload.path(match.path, "image"))=\(match.image) (\(dashboard.name))")
            }
        }
        return nil
    }

    static let exposedDashboard = Control(
        id: "LO-001", name: "Admin dashboard exposed outside the cluster", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a workload that is a known admin UI (controls-config `adminDashboards`: Kubernetes Dashboard, Headlamp, Octant, Weave Scope, Argo CD and Argo Workflows servers, Kubeflow, Jupyter, Grafana, Prometheus, Alertmanager, Kibana, Jenkins, Rancher, Portainer, …, matched by workload name or image) when traffic from outside the cluster reaches it: a NodePort or LoadBalancer Service (or one with externalIPs), an Ingress, a Gateway API route or an Istio VirtualService on a public gateway, a container hostPort, or hostNetwork.",
        rationale: "Admin UIs hold cluster credentials or run code by design: an exposed Kubernetes Dashboard, Argo or Jenkins is a direct path to cluster takeover, and scanners find them on the internet within hours. Many ship with weak or no authentication.",
        remediation: "Make the UI's Service ClusterIP, remove hostPort and hostNetwork, and reach it through `kubectl port-forward`, a VPN, or an Ingress with single sign-on in front of it.",
        example: "kubectl -n kubernetes-dashboard patch service kubernetes-dashboard -p '{\"spec\":{\"type\":\"ClusterIP\"}}'\nkubectl -n kubernetes-dashboard port-forward svc/kubernetes-dashboard 8443:443",
        reads: workloadKinds + [.services, .ingresses], optionalReads: exposureKinds,
        notes: "Broader than Kubescape's C-0021, which matches workload names only and counts NodePort/LoadBalancer Services only: Lookout also matches images, follows Ingresses, Gateway API routes and Istio VirtualServices on a public Istio Gateway, and counts host ports and hostNetwork. Skipped when the cluster serves Gateway API routes or Istio kinds that the credentials may not list."
    ) { context in
        let dashboards = context.config.adminDashboards.map(DashboardPatterns.init)
        return context.evaluateWorkloads { workload in
            guard let match = adminDashboard(workload, among: dashboards, in: context) else { return nil }
            let reach = context.externalReach(of: workload)
            guard !reach.evidence.isEmpty else { return nil }
            return Failure(
                message: "\(workload.kind) \(workload.name) is an admin UI (\(match.dashboard.name)) reachable from outside the cluster",
                evidence: [match.evidence] + reach.evidence, related: reach.related)
        }
    }

    // MARK: - LO-002

    /// The Kubernetes Dashboard, whose flags LO-002 reads. Not taken from the configurable list: the
    /// flags are this project's own.
    static let kubernetesDashboard = DashboardPatterns(AdminDashboard(
        name: "Kubernetes Dashboard", images: ["kubernetesui/dashboard", "kubernetes-dashboard"],
        names: ["kubernetes-dashboard"]))

    /// Boolean flags that switch authentication off when set (alone or `=true`).
    static let authenticationBypassFlags = ["--enable-skip-login", "--disable-settings-authorizer", "--enable-insecure-login"]

    /// Evidence lines for each command or argument of the container that turns the dashboard's
    /// authentication off.
    static func authenticationBypass(_ container: Container, path: String, in workload: Workload) -> [String] {
        var evidence: [String] = []
        for (field, values) in [("command", container.command ?? []), ("args", container.args ?? [])] {
            for (index, value) in values.enumerated() {
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                guard let flag = parts.first else { continue }
                let setting = parts.count > 1 ? parts[1].lowercased() : nil
                let bypasses: Bool
                if authenticationBypassFlags.contains(flag) {
                    bypasses = setting == nil || setting == "true"
                } else if flag == "--authentication-mode" {
                    bypasses = (setting ?? "").split(separator: ",").contains("basic")
                } else {
                    bypasses = false
                }
                if bypasses { evidence.append("\(workload.path(path, "\(field)[\(index)]"))=\(value)") }
            }
        }
        return evidence
    }

    static let dashboardWithoutAuthentication = Control(
        id: "LO-002", name: "Dashboard with authentication disabled", baseScore: 10,
        frameworks: ["lookout"],
        description: "Fails a Kubernetes Dashboard (image kubernetesui/dashboard or name kubernetes-dashboard) whose arguments contain `--enable-skip-login`, `--disable-settings-authorizer`, `--enable-insecure-login` or `--authentication-mode=basic`, or whose ServiceAccount is bound to cluster-admin or an equivalent wildcard role.",
        rationale: "With skip-login anyone who reaches the dashboard uses it as the dashboard's own ServiceAccount, and with insecure login or basic authentication credentials travel or are checked weakly. When that ServiceAccount is cluster-admin, every visitor is cluster-admin.",
        remediation: "Remove the flags, keep token (or OIDC-proxy) login only, and bind the dashboard's ServiceAccount to the minimal role it ships with (kubernetes-dashboard), never cluster-admin.",
        example: "containers:\n- name: kubernetes-dashboard\n  image: kubernetesui/dashboard:v2.7.0\n  args: [--auto-generate-certificates, --namespace=kubernetes-dashboard]   # no --enable-skip-login",
        reads: workloadKinds + rbacKinds,
        notes: "A flag counts when given alone or as `=true` (`--enable-skip-login=false` passes); `--authentication-mode` fails when its list contains basic. The cluster-admin check uses the C-0035 rule (wildcard verbs and resources) on the grants of the pod's ServiceAccount, through ClusterRoleBindings and RoleBindings alike."
    ) { context in
        context.evaluateWorkloads { workload in
            guard adminDashboard(workload, among: [kubernetesDashboard], in: context) != nil else { return nil }
            var evidence = workload.podSpec.allContainers.flatMap { authenticationBypass($0.container, path: $0.path, in: workload) }
            var related: [RelatedObject] = []
            let account = workload.podSpec.effectiveServiceAccountName
            if let admin = context.subjectFailure(
                "", grants: context.grants(of: workload).filter { $0.rule.isAdministrative })
            {
                evidence += admin.evidence.map { "ServiceAccount \(workload.namespace)/\(account): \($0)" }
                related = admin.related
            }
            return evidence.isEmpty
                ? nil
                : Failure(
                    message: "\(workload.kind) \(workload.name) is a Kubernetes Dashboard with authentication weakened or bypassed",
                    evidence: evidence, related: related)
        }
    }
}
