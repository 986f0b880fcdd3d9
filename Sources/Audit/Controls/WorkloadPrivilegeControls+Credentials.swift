import FoundationEssentials
import Inventory

extension CredentialDetector.Finding {
    /// `<name field> holds a literal value (name contains "password")` or `<value field> matches
    /// sensitive value pattern "AKIA…"`: never the value itself, which would put the credential into
    /// the report.
    func evidence(nameField: String, valueField: String) -> String {
        switch self {
        case .keyName(let key): "\(nameField) holds a literal value (name contains \"\(key)\")"
        case .value(let pattern, let base64):
            "\(valueField) matches sensitive value pattern \"\(pattern)\"\(base64 ? " after base64 decoding" : "")"
        }
    }
}

extension WorkloadPrivilegeControls {
    /// The check of C-0259 and the workload half of C-0012: literal env values that look like credentials,
    /// and whole Secrets loaded into the environment with `envFrom.secretRef` (every key of the Secret
    /// becomes a variable, so the container's environment holds credentials whatever their names).
    static func envCredentialFailure(_ detector: CredentialDetector, _ workload: Workload) -> Failure? {
        workload.failure("\(workload.kind) \(workload.name) has credentials in environment variables") { path, container in
            let literals = (container.env ?? []).enumerated().compactMap { index, env -> String? in
                guard env.valueFrom == nil, let finding = detector.finding(name: env.name, value: env.value, redacted: env.redacted)
                else { return nil }
                return finding.evidence(
                    nameField: "\(workload.path(path, "env[\(index)].name"))=\(env.name)",
                    valueField: workload.path(path, "env[\(index)].value"))
            }
            let secrets = (container.envFrom ?? []).enumerated().compactMap { index, source -> String? in
                source.secretRef.map {
                    "\(workload.path(path, "envFrom[\(index)].secretRef.name"))=\($0.name ?? ""): every key of the Secret is an environment variable"
                }
            }
            return literals + secrets
        }
    }

    /// `evaluate` with the detector of the controls configuration; skipped, with the reason, when one of
    /// its patterns is invalid or a saved snapshot's redacted values (of ConfigMaps too, with
    /// `configMaps`) were not checked against it.
    static func withCredentialDetector(
        _ context: AuditContext, configMaps: Bool, _ evaluate: (CredentialDetector) -> ControlOutcome
    ) -> ControlOutcome {
        let detector: CredentialDetector
        do throws(CredentialDetector.InvalidPattern) {
            detector = try CredentialDetector(context.config)
        } catch {
            return .skipped(reason: error.description)
        }
        if let reason = context.unjudgedRedactionReason(detector, configMaps: configMaps) { return .skipped(reason: reason) }
        return evaluate(detector)
    }

    static func configMapCredentialFailure(_ detector: CredentialDetector, _ configMap: ConfigMap) -> Failure? {
        let keys = Set((configMap.data ?? [:]).keys).union((configMap.redactedData ?? [:]).keys)
        let evidence = keys.sorted().compactMap { key in
            detector.finding(name: key, value: configMap.data?[key], redacted: configMap.redactedData?[key]).map {
                $0.evidence(nameField: "data[\(key)]", valueField: "data[\(key)]")
            }
        }
        return evidence.isEmpty
            ? nil : Failure(message: "ConfigMap \(configMap.name) has credentials in its data", evidence: evidence)
    }

    static let credentialNotes = "A container that loads a whole Secret with `envFrom.secretRef` fails, as in Kubescape (containers and init containers of every workload kind; Lookout checks ephemeral containers too); `envFrom.configMapRef` does not. Values are matched case-insensitively, as Kubescape's environment rule does (its ConfigMap rule is case-sensitive); values that are file paths, empty or `$(VAR)` references are not credentials, for ConfigMaps as for env. Base64-encoded values are decoded and matched too. An invalid regular expression in `sensitiveValues` or `sensitiveValuesAllowed` skips the control with the pattern named, rather than silently checking less. Evidence names the field and the rule that matched, never the value. A snapshot saved by `lookout collect` holds, in place of each credential-looking value, which patterns it matches: a `scan --from` judges it the same way, and skips the control, naming the pattern, when its controls configuration has a `sensitiveValues` or `sensitiveValuesAllowed` pattern the collect did not check."

    static let credentialsInConfiguration = Control(
        id: "C-0012", name: "Applications credentials in configuration files", baseScore: 8,
        frameworks: ["NSA", "MITRE", "SOC2", "ClusterScan", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container that loads a Secret with `envFrom.secretRef`, or with a container env var, and a ConfigMap with a `data` entry, whose name contains a `sensitiveKeyNames` entry (secret, key, password, pwd, token, jwt, bearer, credential…) and holds a literal value, or whose value matches a `sensitiveValues` pattern (private keys, AWS, GitHub, Google and Slack keys, JWTs…). The `sensitiveKeyNamesAllowed` and `sensitiveValuesAllowed` lists of the controls configuration excuse a match. The bodies of PEM certificates (public, such as the CA bundle in kube-root-ca.crt) are not searched.",
        rationale: "Credentials written into a pod spec or a ConfigMap are readable by everyone who may read those objects (far more people and tools than may read Secrets), end up in Git, Helm values and backups, and cannot be rotated without a redeploy.",
        remediation: "Move the value into a Secret (or an external secret store) and reference it with `valueFrom.secretKeyRef` or a Secret volume.",
        example: "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}",
        reads: workloadKinds + [.configmaps],
        notes: credentialNotes
    ) { context in
        withCredentialDetector(context, configMaps: true) { detector in
            guard case .evaluated(let workloads) = context.evaluateWorkloads({ envCredentialFailure(detector, $0) }) else {
                return .evaluated([])
            }
            let configMaps = context.snapshot.configMaps.map {
                ResourceVerdict(
                    resource: ResourceRef(apiVersion: "v1", kind: "ConfigMap", namespace: $0.namespace, name: $0.name),
                    failure: configMapCredentialFailure(detector, $0))
            }
            return .evaluated(workloads + configMaps)
        }
    }

    static let credentialsInEnvironment = Control(
        id: "C-0259", name: "Workload with credential access", baseScore: 8,
        frameworks: ["security"],
        description: "Fails a workload with a container env var that holds a literal credential, or that loads a Secret into its environment with `envFrom.secretRef`: the environment half of C-0012, with the same test and allow-lists.",
        rationale: "A credential in a pod spec is readable by anyone who can read the workload, and by any process that can read the container's environment; it is the first thing an intruder in the pod collects.",
        remediation: "Reference a Secret with `valueFrom.secretKeyRef`, or better mount it as a file.",
        example: "env:\n- name: API_TOKEN\n  valueFrom:\n    secretKeyRef: {name: api, key: token}",
        reads: workloadKinds,
        notes: credentialNotes
    ) { context in
        withCredentialDetector(context, configMaps: false) { detector in
            context.evaluateWorkloads { envCredentialFailure(detector, $0) }
        }
    }

    static let secretsInEnvironment = Control(
        id: "C-0207", name: "Prefer using secrets as files over secrets as environment variables", baseScore: 4,
        frameworks: ["WorkloadScan", "cis-v1.12.0"],
        description: "CIS 5.4.1. Fails a workload with a container that takes a value from a Secret through `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.",
        rationale: "Environment variables leak: applications print them in crash reports and debug pages, child processes inherit them, and `/proc/<pid>/environ` exposes them to anything that can read the process. Mounted files do not, and are updated when the Secret rotates.",
        remediation: "Mount the Secret as a volume and have the application read the file.",
        example: "volumes:\n- name: db\n  secret: {secretName: db}\ncontainers:\n- name: app\n  volumeMounts:\n  - {name: db, mountPath: /etc/db, readOnly: true}",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) takes Secrets through environment variables") { path, container in
                let env = (container.env ?? []).enumerated().compactMap { index, env -> String? in
                    env.valueFrom?.secretKeyRef.map {
                        "\(workload.path(path, "env[\(index)].valueFrom.secretKeyRef.name"))=\($0.name ?? "")"
                    }
                }
                let envFrom = (container.envFrom ?? []).enumerated().compactMap { index, source -> String? in
                    source.secretRef.map { "\(workload.path(path, "envFrom[\(index)].secretRef.name"))=\($0.name ?? "")" }
                }
                return env + envFrom
            }
        }
    }
}
