import Audit
import Documents
import Inventory

/// What the API server does with an object a policy rejects (a binding's `validationActions`).
public enum ValidationAction: String, Sendable, CaseIterable {
    case deny = "Deny", warn = "Warn", audit = "Audit"
}

public struct AdmissionPolicyRequest: Sendable {
    public var controls: [Control]
    public var config: ControlsConfig
    public var exceptions: [PostureException]
    public var excludedNamespaces: [String]
    public var action: ValidationAction

    public init(
        controls: [Control], config: ControlsConfig = ControlsConfig(), exceptions: [PostureException] = [],
        excludedNamespaces: [String] = [], action: ValidationAction = .deny
    ) {
        self.controls = controls
        self.config = config
        self.exceptions = exceptions
        self.excludedNamespaces = excludedNamespaces
        self.action = action
    }
}

/// The generated objects: a policy and its binding per control decidable on one object, and the
/// controls left out with the reason.
public struct AdmissionPolicies: Sendable {
    public struct Policy: Sendable {
        public var controlID: String
        public var policy: YAMLValue
        public var binding: YAMLValue
        public var caveat: String?
    }

    public var policies: [Policy]
    public var leftOut: [(controlID: String, reason: String)]

    /// One YAML stream: a header comment listing the controls left out, then policy and binding documents.
    public var yaml: String {
        var header = ["Lookout admission policies: one ValidatingAdmissionPolicy and binding per control."]
        if !leftOut.isEmpty {
            header.append("Not generated (the API server cannot decide them on the object being admitted):")
            header += leftOut.map { "  \($0.controlID): \($0.reason)" }
        }
        var documents: [(comments: [String], value: YAMLValue)] = []
        for (index, policy) in policies.enumerated() {
            var comments = index == 0 ? header + [""] : []
            if let caveat = policy.caveat { comments.append("\(policy.controlID): \(caveat)") }
            documents.append((comments, policy.policy))
            documents.append(([], policy.binding))
        }
        if documents.isEmpty { return header.map { "# \($0)\n" }.joined() }
        return YAMLEmitter.documents(documents)
    }
}

/// A pure function from controls, their configuration, exceptions, excluded namespaces and an action to
/// Kubernetes objects: the gate is built from the same checks and lists the audit runs.
public enum AdmissionPolicyGenerator {
    public static func generate(_ request: AdmissionPolicyRequest) -> AdmissionPolicies {
        let matcher = ExceptionMatcher(request.exceptions)
        var result = AdmissionPolicies(policies: [], leftOut: [])
        for control in request.controls {
            switch AdmissionChecks.check(for: control.id, config: request.config) {
            case .failure(let undecidable):
                result.leftOut.append((control.id, undecidable.reason ?? reason(control)))
            case .success(let check):
                let exceptions = matcher.exceptions(covering: control)
                result.policies.append(AdmissionPolicies.Policy(
                    controlID: control.id,
                    policy: policy(control, check, exceptions: exceptions),
                    binding: binding(control, request),
                    caveat: check.caveat))
            }
        }
        return result
    }

    /// Why a control without an admission check cannot be one, from what it reads.
    static func reason(_ control: Control) -> String {
        let admitted: Set<ResourceKind> = [
            .pods, .deployments, .replicasets, .daemonsets, .statefulsets, .jobs, .cronjobs, .replicationcontrollers, .services,
        ]
        let others = control.reads.filter { !admitted.contains($0) }
        if control.reads.isEmpty { return "not decidable from the Kubernetes API" }
        if control.informational { return "informational: lists objects for review, nothing to deny" }
        if !others.isEmpty { return "decided with other objects (\(others.map(\.kind).joined(separator: ", "))) than the one admitted" }
        return "decided across several objects or not translated to CEL"
    }

    static func name(_ control: Control) -> String { "lookout-\(control.id.lowercased())" }

    static func labels(_ control: Control) -> YAMLValue {
        .object([member(PolicyLabels.managedBy, .string(PolicyLabels.managedByValue)), member(PolicyLabels.controlID, .string(control.id))])
    }

    static func policy(_ control: Control, _ check: AdmissionCheck, exceptions: [PostureException]) -> YAMLValue {
        var spec: [YAMLValue.Member] = [
            member("failurePolicy", .string("Fail")),
            member("matchConstraints", .object([member("resourceRules", .array(resourceRules(check.target)))])),
        ]
        if let condition = ExceptionConditions.expression(exceptions) {
            spec.append(member("matchConditions", .array([.object([
                member("name", .string("lookout-exceptions")), member("expression", .string(condition)),
            ])])))
        }
        if check.target == .podTemplates {
            spec.append(member("variables", .array(podVariables.map { name, expression in
                .object([member("name", .string(name)), member("expression", .string(expression))])
            })))
        }
        let message = "\(control.id) \(control.name): \(control.remediation)".split(whereSeparator: \.isNewline).joined(separator: " ")
        spec.append(member("validations", .array([.object([
            member("expression", .string(check.admits)), member("message", .string(message)), member("reason", .string("Forbidden")),
        ])])))
        return .object([
            member("apiVersion", .string("admissionregistration.k8s.io/v1")),
            member("kind", .string("ValidatingAdmissionPolicy")),
            member("metadata", .object([member("name", .string(name(control))), member("labels", labels(control))])),
            member("spec", .object(spec)),
        ])
    }

    static func binding(_ control: Control, _ request: AdmissionPolicyRequest) -> YAMLValue {
        var spec: [YAMLValue.Member] = [
            member("policyName", .string(name(control))),
            member("validationActions", .array([.string(request.action.rawValue)])),
        ]
        if !request.excludedNamespaces.isEmpty {
            let selector: YAMLValue = .object([member("matchExpressions", .array([.object([
                member("key", .string("kubernetes.io/metadata.name")), member("operator", .string("NotIn")),
                member("values", .array(request.excludedNamespaces.map(YAMLValue.string))),
            ])]))])
            spec.append(member("matchResources", .object([member("namespaceSelector", selector)])))
        }
        return .object([
            member("apiVersion", .string("admissionregistration.k8s.io/v1")),
            member("kind", .string("ValidatingAdmissionPolicyBinding")),
            member("metadata", .object([member("name", .string(name(control))), member("labels", labels(control))])),
            member("spec", .object(spec)),
        ])
    }

    /// The pod spec of every kind that makes pods, and its containers: the checks read only these.
    static let podVariables: [(String, String)] = [
        ("podSpec", "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)"),
        ("resourcedContainers", "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])"),
        ("containers", "variables.resourcedContainers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])"),
    ]

    static func resourceRules(_ target: AdmissionCheck.Target) -> [YAMLValue] {
        let groups: [(group: String, resources: [String])] = switch target {
        case .podTemplates: [
            ("", ["pods", "pods/ephemeralcontainers", "replicationcontrollers"]),
            ("apps", ["deployments", "replicasets", "statefulsets", "daemonsets"]),
            ("batch", ["jobs", "cronjobs"]),
        ]
        case .services: [("", ["services"])]
        }
        return groups.map { group, resources in
            .object([
                member("apiGroups", .array([.string(group)])),
                member("apiVersions", .array([.string("v1")])),
                member("operations", .array([.string("CREATE"), .string("UPDATE")])),
                member("resources", .array(resources.map(YAMLValue.string))),
            ])
        }
    }

    static func member(_ key: String, _ value: YAMLValue) -> YAMLValue.Member { YAMLValue.Member(key: key, value: value) }
}
