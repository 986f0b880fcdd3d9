import FoundationEssentials
import Inventory

/// The credential test of C-0012 and C-0259, built once per evaluation from the controls
/// configuration: a value is a credential when its name contains a `sensitiveKeyNames` entry or the
/// value matches a `sensitiveValues` pattern, and neither allow-list excuses it.
struct CredentialDetector {
    struct InvalidPattern: Error, CustomStringConvertible {
        var field: String
        var pattern: String
        var description: String { "invalid regular expression in controls config \(field): \"\(pattern)\"" }
    }

    /// Why a value counts as a credential.
    enum Finding: Equatable {
        case keyName(String)
        case value(pattern: String, base64: Bool)
    }

    struct ValuePattern {
        var source: String
        var regex: Regex<AnyRegexOutput>
        /// Lower-case ASCII text every match starts with. A byte scan finds where it occurs and the
        /// regex is tried only there: Swift's Regex searches a few MB/s, too slow for every byte of
        /// every ConfigMap (dashboards alone can be megabytes).
        var leadingLiteral: [UInt8]?
    }

    /// Lower-cased, as bytes: the standard library's `String.contains` is too slow for a check that
    /// runs on every env var of every container.
    let keyNames: [[UInt8]]
    let allowedKeyNames: [[UInt8]]
    let valuePatterns: [ValuePattern]
    let allowedValues: [Regex<AnyRegexOutput>]

    init(_ config: ControlsConfig) throws(InvalidPattern) {
        keyNames = config.sensitiveKeyNames.map(Self.lowercasedBytes).filter { !$0.isEmpty }
        allowedKeyNames = config.sensitiveKeyNamesAllowed.map(Self.lowercasedBytes).filter { !$0.isEmpty }
        var patterns: [ValuePattern] = []
        for source in config.sensitiveValues {
            guard let regex = try? Regex(source) else { throw InvalidPattern(field: "sensitiveValues", pattern: source) }
            patterns.append(ValuePattern(source: source, regex: regex.ignoresCase(), leadingLiteral: Self.leadingLiteral(of: source)))
        }
        valuePatterns = patterns
        var allowed: [Regex<AnyRegexOutput>] = []
        for source in config.sensitiveValuesAllowed {
            guard let regex = try? Regex(source) else { throw InvalidPattern(field: "sensitiveValuesAllowed", pattern: source) }
            allowed.append(regex)
        }
        allowedValues = allowed
    }

    /// The literal prefix a pattern's matches must start with, lower-cased; nil when the pattern has
    /// none that is certain (it starts with a metacharacter, or uses alternation anywhere).
    static func leadingLiteral(of pattern: String) -> [UInt8]? {
        guard !pattern.contains("|") else { return nil }
        let metacharacters = Set("\\.^$|?*+()[]{}".utf8)
        let optionalQuantifiers = Set("?*{".utf8)
        var literal: [UInt8] = []
        for byte in pattern.utf8 {
            if metacharacters.contains(byte) || byte >= 0x80 {
                // `ab?` does not require the `b`.
                if optionalQuantifiers.contains(byte), !literal.isEmpty { literal.removeLast() }
                break
            }
            literal.append(asciiLowercased(byte))
        }
        return literal.isEmpty ? nil : literal
    }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    static func lowercasedBytes(_ text: String) -> [UInt8] { text.utf8.map(asciiLowercased) }

    /// UTF-8 offsets where `needle` (lower-case ASCII) occurs in `text`, ignoring ASCII case, up to
    /// `limit` of them. Scans the string's own storage: this runs on every env var and ConfigMap value.
    static func occurrences(of needle: [UInt8], in text: String, limit: Int = .max) -> [Int] {
        guard let first = needle.first else { return [] }
        var text = text
        return text.withUTF8 { haystack in
            var offsets: [Int] = []
            guard haystack.count >= needle.count else { return offsets }
            var index = 0
            while index <= haystack.count - needle.count, offsets.count < limit {
                if asciiLowercased(haystack[index]) == first {
                    var matched = 1
                    while matched < needle.count, asciiLowercased(haystack[index + matched]) == needle[matched] { matched += 1 }
                    if matched == needle.count { offsets.append(index) }
                }
                index += 1
            }
            return offsets
        }
    }

    static func contains(_ needle: [UInt8], in text: String) -> Bool {
        !occurrences(of: needle, in: text, limit: 1).isEmpty
    }

    static let certificateBegin = lowercasedBytes("-----BEGIN CERTIFICATE-----")
    static let certificateEnd = lowercasedBytes("-----END CERTIFICATE-----")

    /// `text` without the base64 bodies of its PEM certificates. A certificate is public, and its random
    /// base64 contains short patterns such as "JWT" or "Bearer" by chance (the CA bundle in every
    /// namespace's kube-root-ca.crt did in about one cluster in ten); private key blocks are kept.
    static func withoutCertificateBodies(_ text: String) -> String {
        let begins = occurrences(of: certificateBegin, in: text)
        guard !begins.isEmpty else { return text }
        let ends = occurrences(of: certificateEnd, in: text)
        var kept: [UInt8] = []
        let bytes = Array(text.utf8)
        var position = 0
        for begin in begins where begin >= position {
            guard let end = ends.first(where: { $0 > begin }) else { break }
            kept += bytes[position..<begin + certificateBegin.count]
            position = end
        }
        kept += bytes[position...]
        return String(decoding: kept, as: UTF8.self)
    }

    /// The first configured pattern that matches somewhere in `text`, outside certificate bodies.
    func matchingPattern(in text: String) -> String? {
        let text = Self.withoutCertificateBodies(text)
        for pattern in valuePatterns {
            if let literal = pattern.leadingLiteral {
                for offset in Self.occurrences(of: literal, in: text) {
                    let start = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
                    if (try? pattern.regex.prefixMatch(in: text[start...])) != nil { return pattern.source }
                }
            } else if (try? pattern.regex.firstMatch(in: text)) != nil {
                return pattern.source
            }
        }
        return nil
    }

    /// `text` decoded when it looks like base64 of UTF-8 text (as Kubescape tries for ConfigMaps).
    static func base64Decoded(_ text: String) -> String? {
        guard text.utf8.count >= 16, text.utf8.count % 4 == 0,
            text.utf8.allSatisfy({ $0.isBase64Character }),
            let data = Data(base64Encoded: text)
        else { return nil }
        return String(validating: data, as: UTF8.self)
    }

    /// Why `value`, stored under `name`, is a credential; nil when it is not, or is excused. Empty
    /// values, file paths and `$(VAR)` references hold no secret themselves.
    func finding(name: String, value: String) -> Finding? {
        guard !value.isEmpty, !value.hasPrefix("/"), !Self.isVariableReference(value) else { return nil }
        let finding: Finding
        if let key = keyNames.first(where: { Self.contains($0, in: name) }) {
            finding = .keyName(String(decoding: key, as: UTF8.self))
        } else if let pattern = matchingPattern(in: value) {
            finding = .value(pattern: pattern, base64: false)
        } else if let decoded = Self.base64Decoded(value), let pattern = matchingPattern(in: decoded) {
            finding = .value(pattern: pattern, base64: true)
        } else {
            return nil
        }
        if allowedKeyNames.contains(where: { Self.contains($0, in: name) }) { return nil }
        if allowedValues.contains(where: { (try? $0.firstMatch(in: value)) != nil }) { return nil }
        return finding
    }

    static func isVariableReference(_ value: String) -> Bool {
        value.hasPrefix("$(") && value.hasSuffix(")") && !value.contains(" ")
    }
}

extension UInt8 {
    fileprivate var isBase64Character: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || (self >= 0x30 && self <= 0x39)
            || self == 0x2B || self == 0x2F || self == 0x3D
    }
}

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
                guard env.valueFrom == nil, let value = env.value,
                    let finding = detector.finding(name: env.name, value: value)
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

    static func configMapCredentialFailure(_ detector: CredentialDetector, _ configMap: ConfigMap) -> Failure? {
        let evidence = (configMap.data ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
            detector.finding(name: key, value: value).map {
                $0.evidence(nameField: "data[\(key)]", valueField: "data[\(key)]")
            }
        }
        return evidence.isEmpty
            ? nil : Failure(message: "ConfigMap \(configMap.name) has credentials in its data", evidence: evidence)
    }

    static let credentialNotes = "A container that loads a whole Secret with `envFrom.secretRef` fails, as in Kubescape (containers and init containers of every workload kind; Lookout checks ephemeral containers too); `envFrom.configMapRef` does not. Values are matched case-insensitively, as Kubescape's environment rule does (its ConfigMap rule is case-sensitive); values that are file paths, empty or `$(VAR)` references are not credentials, for ConfigMaps as for env. Base64-encoded values are decoded and matched too. An invalid regular expression in `sensitiveValues` or `sensitiveValuesAllowed` skips the control with the pattern named, rather than silently checking less. Evidence names the field and the rule that matched, never the value."

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
        let detector: CredentialDetector
        do throws(CredentialDetector.InvalidPattern) {
            detector = try CredentialDetector(context.config)
        } catch {
            return .skipped(reason: error.description)
        }
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
        let detector: CredentialDetector
        do throws(CredentialDetector.InvalidPattern) {
            detector = try CredentialDetector(context.config)
        } catch {
            return .skipped(reason: error.description)
        }
        return context.evaluateWorkloads { envCredentialFailure(detector, $0) }
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
