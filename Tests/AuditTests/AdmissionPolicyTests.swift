@testable import Admission
@testable import Audit
import ConsumerSupport
import Foundation
import Documents
import Testing

/// The generator's output as kubectl and the API server would read it: YAML that PyYAML reads back
/// to the same objects, objects valid for Kubernetes v1.36, exceptions and excluded namespaces applied.
@Suite struct AdmissionPolicyTests {
    static let exception = PostureException(
        name: "legacy", resources: [.init(attributes: ["kind": "Deployment", "name": "legacy", "namespace": "apps"])],
        posturePolicies: [.init(controlID: "C-0057")])

    static func write(_ text: String, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func json(_ value: YAMLValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): flag
        case .int(let number): number
        case .double(let number): number
        case .string(let text): text
        case .array(let items): items.map(json)
        case .object(let members): Dictionary(members.map { ($0.key, json($0.value)) }, uniquingKeysWith: { $1 })
        }
    }

    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func yamlReadsBackThroughPyYAMLAsTheSameObjects() throws {
        let generated = AdmissionPolicyGenerator.generate(AdmissionPolicyRequest(
            controls: Catalogue.controls, exceptions: [Self.exception], excludedNamespaces: ["kube-system", "yes", "0123"], action: .warn))
        let file = try Self.write(generated.yaml, "all.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        guard let summary = try Consumer.check(.yaml, file: file.path) else { return }
        let expected = generated.policies.flatMap { [Self.json($0.policy), Self.json($0.binding)] }
        #expect(expected.count > 40)
        #expect(try Self.canonical(summary["documents"] ?? []) == Self.canonical(expected))
    }

    /// Strings YAML readers would take for something else, or that need escapes, come back unchanged.
    @Test func emitterQuotesWhatAReaderWouldMisread() throws {
        let texts = ["yes", "No", "on", "null", "~", "", "0123", "1e3", "0x1F", "1:30", "a: b", "a #b", "#x", "- x", "[x]", "{x}", "*x", "&x", "!x",
                     "%x", "@x", "`x", "'x'", "\"x\"", " lead", "trail ", "line\nbreak", "tab\there", "back\\slash", "sep\u{2028}x", "nel\u{85}x", "ünï", "C-0057", "/var/run"]
        let value = YAMLValue.object(texts.enumerated().map { .init(key: "k\($0.offset) \($0.element)", value: .string($0.element)) })
        let file = try Self.write(YAMLEmitter.emit(.array([value, .int(7), .bool(false), .null, .array([]), .object([])])), "quoting.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        guard let summary = try Consumer.check(.yaml, file: file.path) else { return }
        let documents = summary["documents"] as? [Any] ?? []
        #expect(try Self.canonical(documents.first ?? []) == Self.canonical(Self.json(.array([value, .int(7), .bool(false), .null, .array([]), .object([])]))))
    }

    @Test(arguments: ValidationAction.allCases)
    func everyObjectValidatesAgainstKubernetes136(action: ValidationAction) throws {
        var config = ControlsConfig()
        config.imageRepositoryAllowList = ["registry.example.com/", "docker.io/library"]
        let generated = AdmissionPolicyGenerator.generate(AdmissionPolicyRequest(
            controls: Catalogue.controls, config: config, exceptions: [Self.exception], excludedNamespaces: ["kube-system"], action: action))
        let file = try Self.write(generated.yaml, "policies.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        guard let summary = try Consumer.check(.kubernetesSchema, file: file.path) else { return }
        let objects = summary["objects"] as? [[String: Any]] ?? []
        #expect(objects.count == 2 * generated.policies.count)
        #expect(objects.filter { $0["kind"] as? String == "ValidatingAdmissionPolicyBinding" }.count == generated.policies.count)
    }

    /// `kubectl apply -k rbac/` on a current cluster: every manifest, the CronJob as batch/v1, is valid for v1.36.
    @Test func rbacManifestsValidateAgainstKubernetes136() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folders = [root.appendingPathComponent("rbac"), root.appendingPathComponent("rbac/optional")]
        var kinds: [String] = []
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where name.hasSuffix(".yaml") && name != "kustomization.yaml" {
                guard let summary = try Consumer.check(.kubernetesSchema, file: folder.appendingPathComponent(name).path) else { return }
                kinds += (summary["objects"] as? [[String: Any]] ?? []).map { "\($0["apiVersion"] ?? "") \($0["kind"] ?? "")" }
            }
        }
        #expect(kinds.contains("batch/v1 CronJob"))
        #expect(kinds.contains("rbac.authorization.k8s.io/v1 ClusterRole"))
    }

    /// An excepted Deployment is admitted, and so are the ReplicaSet and Pods its controller creates;
    /// excluded namespaces are not matched; everything else privileged is denied.
    @Test func exceptionsAndExcludedNamespacesAreHonoured() throws {
        let generated = AdmissionPolicyGenerator.generate(AdmissionPolicyRequest(
            controls: [WorkloadPrivilegeControls.privilegedContainer], exceptions: [Self.exception], excludedNamespaces: ["kube-system"]))
        let policies = try Self.write(generated.yaml, "policies.yaml")
        let privileged: [String: Any] = ["containers": [["name": "app", "image": "app:1", "securityContext": ["privileged": true]]]]
        func object(_ kind: String, _ name: String, owner: (String, String)? = nil) -> [String: Any] {
            var metadata: [String: Any] = ["name": name, "namespace": "apps"]
            if let owner { metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": owner.0, "name": owner.1, "uid": "u"]] }
            let template: [String: Any] = ["metadata": ["labels": ["app": "x"]], "spec": privileged]
            return kind == "Pod"
                ? ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": privileged]
                : ["apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": ["selector": ["matchLabels": ["app": "x"]], "template": template]]
        }
        let cases: [(String, [String: Any], String, String)] = [
            ("excepted", object("Deployment", "legacy"), "apps", "not-matched"),
            ("its replicaset", object("ReplicaSet", "legacy-5d9f7c", owner: ("Deployment", "legacy")), "apps", "not-matched"),
            ("its pod", object("Pod", "legacy-5d9f7c-x2b9q", owner: ("ReplicaSet", "legacy-5d9f7c")), "apps", "not-matched"),
            ("other name", object("Deployment", "legacy2"), "apps", "denied"),
            ("other namespace", object("Deployment", "legacy"), "shop", "denied"),
            ("lookalike pod", object("Pod", "legacy2-abc-x", owner: ("ReplicaSet", "legacy2-abc")), "apps", "denied"),
            ("excluded namespace", object("Deployment", "web"), "kube-system", "not-matched"),
        ]
        let casesFile = try Self.write("", "cases.json")
        try JSONSerialization.data(withJSONObject: cases.map { ["id": $0.0, "policy": "lookout-c-0057", "object": $0.1, "namespace": $0.2] })
            .write(to: casesFile)
        defer { [policies, casesFile].forEach { try? FileManager.default.removeItem(at: $0) } }
        guard let summary = try Consumer.check(.cel, file: policies.path, fragment: casesFile.path) else { return }
        let results = summary["results"] as? [String: String] ?? [:]
        for (id, _, _, expected) in cases { #expect(results[id] == expected, "\(id)") }
    }

    @Test func controlsLeftOutAreListedWithTheReason() {
        let generated = AdmissionPolicyGenerator.generate(AdmissionPolicyRequest(controls: [
            WorkloadPrivilegeControls.automountServiceAccount, WorkloadHygieneControls.imagesFromAllowedRegistry, WorkloadPrivilegeControls.privilegedContainer,
        ]))
        #expect(generated.policies.map(\.controlID) == ["C-0057"])
        #expect(generated.yaml.hasPrefix("# Lookout admission policies"))
        #expect(generated.yaml.contains("#   C-0034: decided with other objects (ServiceAccount) than the one admitted\n"))
        #expect(generated.yaml.contains("#   C-0078: needs imageRepositoryAllowList in controls-config\n"))
        #expect(generated.yaml.contains("validationActions:\n    - Deny\n"))
    }

    /// Patterns RE2 cannot compile are refused before they reach a match condition (which would then
    /// fail, and a failing policy refuses everything it matches); escaped and bracketed look-alikes pass.
    @Test func exceptionPatternsRE2CannotRunAreNamed() {
        let refused = [
            "web(?!-canary)": "a negative lookahead", "(?=a)b": "a lookahead", "(?<=x)y": "a lookbehind", "(?<!x)y": "a negative lookbehind",
            "(?>ab)": "an atomic group", "(a)\\1": "a backreference (\\1)", "(?<n>a)\\k<n>": "a named backreference (\\k)", "a++": "a possessive quantifier (++)",
            "a{2}+": "a possessive quantifier (}+)",
        ]
        for (pattern, reason) in refused { #expect(RE2.unsupported(pattern) == reason, "\(pattern)") }
        for pattern in ["web-.*", "(?i)web", "a+b+", "[(?!]x", "\\(\\?!x\\)", "[+]+", "a\\+", "(?:a|b)+", "^legacy-[0-9]+$", "\\0"] {
            #expect(RE2.unsupported(pattern) == nil, "\(pattern)")
        }
    }
}
