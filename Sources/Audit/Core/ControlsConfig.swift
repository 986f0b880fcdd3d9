import Documents

/// Lists and limits that some controls read. The defaults are Kubescape's (its default
/// `postureControlInputs`), plus Lookout's own lists; `--controls-config` overrides any field.
public struct ControlsConfig: Codable, Sendable, Hashable {
    public var imageRepositoryAllowList: [String] = []
    public var floatingImageTags: [String] = []
    /// Repositories whose images need no digest (C-0306), matched at a path boundary.
    public var imageDigestExemptRepositories: [String] = []
    public var insecureCapabilities = [
        "SETPCAP", "NET_ADMIN", "NET_RAW", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "SYS_ADMIN", "SYS_BOOT",
        "MAC_OVERRIDE", "MAC_ADMIN", "PERFMON", "ALL", "BPF",
    ]
    public var sensitiveInterfaces = [
        "nifi", "argo-server", "weave-scope-app", "kubeflow", "kubernetes-dashboard", "jenkins",
        "prometheus-deployment", "ollama", "vllm", "kserve", "triton-inference-server", "ray-dashboard", "ray-head",
        "mlflow", "jupyterhub", "seldon", "bentoml",
    ]
    public var sensitiveKeyNames = [
        "aws_secret_access_key", "azure_batchai_storage_key", "azure_batch_key", "secret", "key", "password", "pwd",
        "token", "jwt", "bearer", "credential",
    ]
    /// Regular expressions (standard library `Regex` syntax).
    public var sensitiveValues = [
        "BEGIN \\w+ PRIVATE KEY", "PRIVATE KEY", "eyJhbGciO", "JWT", "Bearer", "_key_", "_secret_", "AKIA[0-9A-Z]{16}",
        "ghp_[0-9A-Za-z]{36}", "AIza[0-9A-Za-z\\-_]{35}", "xox[baprs]-[0-9A-Za-z]{10,48}",
    ]
    public var sensitiveKeyNamesAllowed: [String] = []
    public var sensitiveValuesAllowed: [String] = []
    public var servicesNames = [
        "nifi-service", "argo-server", "minio", "postgres", "workflow-controller-metrics", "weave-scope-app",
        "kubernetes-dashboard",
    ]
    /// Quantities as Kubernetes writes them ("512Mi", "0.5"); empty means no bound.
    public var memoryRequestMax: [String] = []
    public var memoryRequestMin = ["0"]
    public var memoryLimitMax: [String] = []
    public var memoryLimitMin = ["0"]
    public var cpuRequestMax: [String] = []
    public var cpuRequestMin = ["0"]
    public var cpuLimitMax: [String] = []
    public var cpuLimitMin = ["0"]
    public var wlKnownNames = [
        "coredns", "kube-proxy", "event-exporter-gke", "kube-dns", "17-default-backend", "metrics-server",
    ]
    public var recommendedLabels = ["app", "tier", "phase", "version", "owner", "env"]
    public var k8sRecommendedLabels = [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
        "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
        "app.kubernetes.io/created-by",
    ]
    /// Lookout: admin UIs that must not be reachable from outside (LO-001); matched against image
    /// repositories and workload names.
    public var adminDashboards: [AdminDashboard] = AdminDashboard.defaults
    /// Lookout: namespaces whose Pod Security posture is reported, not failed (LO-003).
    public var systemNamespaces = ["kube-system", "kube-public", "kube-node-lease"]

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imageRepositoryAllowList, floatingImageTags, imageDigestExemptRepositories, insecureCapabilities, sensitiveInterfaces, sensitiveKeyNames
        case sensitiveValues, sensitiveKeyNamesAllowed, sensitiveValuesAllowed, servicesNames
        case memoryRequestMax = "memory_request_max", memoryRequestMin = "memory_request_min"
        case memoryLimitMax = "memory_limit_max", memoryLimitMin = "memory_limit_min"
        case cpuRequestMax = "cpu_request_max", cpuRequestMin = "cpu_request_min"
        case cpuLimitMax = "cpu_limit_max", cpuLimitMin = "cpu_limit_min"
        case wlKnownNames, recommendedLabels, k8sRecommendedLabels, adminDashboards, systemNamespaces
    }

    /// Every field is optional in a file: what it leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try container.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.imageRepositoryAllowList, &imageRepositoryAllowList)
        try read(.floatingImageTags, &floatingImageTags)
        try read(.imageDigestExemptRepositories, &imageDigestExemptRepositories)
        try read(.insecureCapabilities, &insecureCapabilities)
        try read(.sensitiveInterfaces, &sensitiveInterfaces)
        try read(.sensitiveKeyNames, &sensitiveKeyNames)
        try read(.sensitiveValues, &sensitiveValues)
        try read(.sensitiveKeyNamesAllowed, &sensitiveKeyNamesAllowed)
        try read(.sensitiveValuesAllowed, &sensitiveValuesAllowed)
        try read(.servicesNames, &servicesNames)
        try read(.memoryRequestMax, &memoryRequestMax)
        try read(.memoryRequestMin, &memoryRequestMin)
        try read(.memoryLimitMax, &memoryLimitMax)
        try read(.memoryLimitMin, &memoryLimitMin)
        try read(.cpuRequestMax, &cpuRequestMax)
        try read(.cpuRequestMin, &cpuRequestMin)
        try read(.cpuLimitMax, &cpuLimitMax)
        try read(.cpuLimitMin, &cpuLimitMin)
        try read(.wlKnownNames, &wlKnownNames)
        try read(.recommendedLabels, &recommendedLabels)
        try read(.k8sRecommendedLabels, &k8sRecommendedLabels)
        try read(.adminDashboards, &adminDashboards)
        try read(.systemNamespaces, &systemNamespaces)
    }
}

extension ControlsConfig {
    /// Inputs Kubescape defines that no Lookout control reads: accepted so that Kubescape's files load,
    /// and otherwise ignored.
    static let kubescapeOnlyInputs: Set<String> = [
        "trustedCosignPublicKeys", "publicRegistries", "untrustedRegistries", "max_critical_vulnerabilities",
        "max_high_vulnerabilities", "hardenedSandboxRuntimeClasses",
    ]
    /// The keys around `settings` in Kubescape's full configuration object (`default-config-inputs.json`).
    static let kubescapeEnvelope: Set<String> = ["name", "attributes", "scope", "settings"]

    /// Reads a controls configuration in any of the shapes people have: Lookout's flat object, the
    /// `{"postureControlInputs": {…}}` of Kubescape's rule tests and exported inputs, or Kubescape's
    /// full configuration with `settings.postureControlInputs`. A key none of these shapes knows is an
    /// error naming it: a misspelt input silently ignored would leave a control judging with defaults.
    public static func load(root: YAMLNode, file: String) throws(ConfigError) -> ControlsConfig {
        if root.isNull { return ControlsConfig() }
        guard root.pairs != nil else {
            throw ConfigError(file: file, line: root.mark.line, column: root.mark.column, message: "expected a mapping of control inputs")
        }
        let inputs: YAMLNode
        let inputsField: String
        if let wrapped = root["postureControlInputs"] {
            try rejectUnknown(in: root, allowed: ["postureControlInputs"], field: nil, file: file)
            (inputs, inputsField) = (wrapped, "postureControlInputs")
        } else if let settings = root["settings"] {
            try rejectUnknown(in: root, allowed: kubescapeEnvelope, field: nil, file: file)
            try rejectUnknown(in: settings, allowed: ["postureControlInputs"], field: "settings", file: file)
            (inputs, inputsField) = (settings["postureControlInputs"] ?? settings, "settings.postureControlInputs")
        } else {
            (inputs, inputsField) = (root, "")
        }
        if !inputs.isNull {
            let known = Set(CodingKeys.allCases.map(\.rawValue)).union(kubescapeOnlyInputs)
            try rejectUnknown(in: inputs, allowed: known, field: inputsField.isEmpty ? nil : inputsField, file: file)
        }
        let config = inputs.isNull ? ControlsConfig() : try DocumentDecoder.decode(ControlsConfig.self, node: inputs, file: file)
        for (index, pattern) in (config.sensitiveValues + config.sensitiveValuesAllowed).enumerated()
        where (try? Regex(pattern)) == nil {
            let name = index < config.sensitiveValues.count ? "sensitiveValues" : "sensitiveValuesAllowed"
            let at = inputs[name]?.mark ?? inputs.mark
            throw ConfigError(
                file: file, line: at.line, column: at.column, field: inputsField.isEmpty ? name : "\(inputsField).\(name)",
                message: "\"\(pattern)\" is not a valid regular expression")
        }
        return config
    }

    private static func rejectUnknown(in node: YAMLNode, allowed: Set<String>, field: String?, file: String) throws(ConfigError) {
        guard let pairs = node.pairs else {
            throw ConfigError(file: file, line: node.mark.line, column: node.mark.column, field: field, message: "expected a mapping")
        }
        for pair in pairs {
            let key = pair.key.string ?? ""
            guard !allowed.contains(key) else { continue }
            throw ConfigError(
                file: file, line: pair.key.mark.line, column: pair.key.mark.column,
                field: field.map { "\($0).\(key)" } ?? key,
                message: "unknown controls-config key \"\(key)\" (expected Lookout's inputs, postureControlInputs or settings.postureControlInputs; see docs/scoring.md)")
        }
    }
}

/// A known admin UI: a workload is one when its name contains a name pattern or a container image
/// repository contains an image pattern.
public struct AdminDashboard: Codable, Sendable, Hashable {
    public var name: String
    public var images: [String]
    public var names: [String]

    public init(name: String, images: [String], names: [String]) {
        self.name = name
        self.images = images
        self.names = names
    }

    public static let defaults: [AdminDashboard] = [
        AdminDashboard(name: "Kubernetes Dashboard", images: ["kubernetesui/dashboard", "kubernetes-dashboard"], names: ["kubernetes-dashboard"]),
        AdminDashboard(name: "Headlamp", images: ["headlamp"], names: ["headlamp"]),
        AdminDashboard(name: "Octant", images: ["octant"], names: ["octant"]),
        AdminDashboard(name: "Weave Scope", images: ["weaveworks/scope"], names: ["weave-scope"]),
        AdminDashboard(name: "Argo CD server", images: ["argoproj/argocd"], names: ["argocd-server"]),
        AdminDashboard(name: "Argo Workflows server", images: ["argoproj/argocli"], names: ["argo-server"]),
        AdminDashboard(name: "Kubeflow", images: ["kubeflow"], names: ["kubeflow", "centraldashboard"]),
        AdminDashboard(name: "Jupyter", images: ["jupyter/", "jupyterhub"], names: ["jupyter"]),
        AdminDashboard(name: "Grafana", images: ["grafana/grafana"], names: ["grafana"]),
        AdminDashboard(name: "Prometheus", images: ["prom/prometheus", "prometheus/prometheus"], names: ["prometheus-server", "prometheus-k8s"]),
        AdminDashboard(name: "Alertmanager", images: ["prom/alertmanager", "prometheus/alertmanager"], names: ["alertmanager"]),
        AdminDashboard(name: "Kibana", images: ["kibana"], names: ["kibana"]),
        AdminDashboard(name: "Jenkins", images: ["jenkins/jenkins"], names: ["jenkins"]),
        AdminDashboard(name: "Rancher", images: ["rancher/rancher"], names: ["rancher"]),
        AdminDashboard(name: "Portainer", images: ["portainer/portainer"], names: ["portainer"]),
    ]
}
