import Documents
import Foundation
import Inventory

/// The seeds the fuzzers mutate: real inputs from the repository (kubeconfig fixtures, the demo
/// workloads, the rbac/ manifests) and the shapes Lookout derives from them (dumps, a snapshot, LIST pages).
public enum Corpus {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(in folder: String, extensions: Set<String> = ["yaml", "yml", "json"]) -> [String] {
        let directory = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { extensions.contains(($0 as NSString).pathExtension) }.sorted()
            .compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }

    public static let yamlSnippets = [
        "base: &b {image: nginx, ports: [80, 443]}\nweb:\n  <<: *b\n  name: web\n",
        "text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n",
        "%YAML 1.1\n---\n!!map {? a : b, c: !!str 1}\n...\n---\n- 'q''s'\n- \"\\u00e9\\x41\"\n",
        "list:\n- a\n-   - b\n    - c\n- {k: v}\n",
    ]

    /// `--exceptions`: Kubescape's exception format, as a YAML list, several documents, and JSON.
    public static let exceptions = [
        """
        - name: system-agents
          policyType: postureExceptionPolicy
          actions: [alertOnly]
          resources:
          - designatorType: Attributes
            attributes: {namespace: kube-system, kind: DaemonSet, name: "kube-proxy|calico-node"}
          posturePolicies:
          - controlID: C-0057        # or frameworkName: NSA
        """,
        """
        name: team-a
        policyType: postureExceptionPolicy
        resources:
        - designatorType: Attributes
          attributes: {cluster: "prod-.*", app: web}
        posturePolicies:
        - frameworkName: NSA
        ---
        - name: all-controls
          resources: [{designatorType: Attributes, attributes: {namespace: "team-.*"}}]
        """,
        #"[{"name": "json", "policyType": "postureExceptionPolicy", "actions": ["alertOnly"], "resources": [{"designatorType": "Attributes", "attributes": {"kind": "Deployment", "name": "web-[0-9]+"}}], "posturePolicies": [{"controlID": "C-0017"}, {"frameworkName": "MITRE"}]}]"#,
    ]

    /// `--controls-config`: the three shapes it accepts.
    public static let controlsConfigs = [
        "imageRepositoryAllowList: [registry.example.com/, ghcr.io/acme/]\ninsecureCapabilities: [SYS_ADMIN, NET_ADMIN, NET_RAW, ALL]\n",
        #"{"postureControlInputs": {"sensitiveValues": ["AKIA[0-9A-Z]{16}"], "memory_request_max": ["512Mi"], "cpu_limit_min": ["0.5"], "publicRegistries": []}}"#,
        """
        name: default
        attributes: {}
        scope: {}
        settings:
          postureControlInputs:
            wlKnownNames: [coredns]
            adminDashboards:
            - {name: grafana, images: ["grafana/grafana"], names: ["grafana"]}
            systemNamespaces: [kube-system]
        """,
    ]

    public static let kubeconfigs = files(in: "Tests/KubeClientTests/Fixtures/kubeconfigs")

    /// Manifests as people write them: several documents a file, comments, flow and block style.
    public static let manifests = files(in: "Tests/cluster/demo") + files(in: "rbac") + files(in: "rbac/optional")

    /// Every manifest document as a value.
    public static let objects: [YAMLValue] = manifests.flatMap { text in
        ((try? YAML.parseDocuments(text)) ?? []).map { $0.resolved() }
    }.filter { $0 != .null }

    /// What `kubectl get … -o json` and `-o yaml` write: a `List`, and typed lists whose items leave out their kind.
    public static let dumps: [String] = {
        let list = YAMLValue.object([.init(key: "apiVersion", value: .string("v1")), .init(key: "kind", value: .string("List")),
                                     .init(key: "items", value: .array(objects))])
        let typed = Dictionary(grouping: objects, by: { $0.member("kind") ?? "" }).sorted { $0.key < $1.key }.map { kind, items in
            YAMLValue.object([.init(key: "apiVersion", value: .string(items[0].member("apiVersion") ?? "v1")),
                              .init(key: "kind", value: .string(kind + "List")),
                              .init(key: "items", value: .array(items.map { $0.removing(["apiVersion", "kind"]) }))])
        }
        return [list.jsonText, YAMLEmitter.emit(list)] + typed.map(\.jsonText)
    }()

    /// A snapshot as `lookout collect` saves it, of the demo workloads.
    public static let snapshots: [String] = {
        guard let loaded = try? ManifestLoader.load(path: root.appendingPathComponent("Tests/cluster/demo").path),
              let data = try? JSONEncoder().encode(loaded.snapshot)
        else { return [] }
        return [String(decoding: data, as: UTF8.self)]
    }()

    /// LIST pages of each kind: the manifests' objects of that kind, or a bare object for kinds no
    /// manifest holds (the JSON mutator then adds fields real objects have).
    public static func pages(of kind: ResourceKind) -> [YAMLValue] {
        let group = { (apiVersion: String) in apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : "" }
        var items = objects.filter { $0.member("kind") == kind.kind && group($0.member("apiVersion") ?? "") == kind.group }
        if items.isEmpty, let standIn = standIn(for: kind) {
            items = [standIn]
        }
        if items.isEmpty {
            let apiVersion = kind.group.isEmpty ? kind.versions[0] : "\(kind.group)/\(kind.versions[0])"
            items = [.object([
                .init(key: "apiVersion", value: .string(apiVersion)), .init(key: "kind", value: .string(kind.kind)),
                .init(key: "metadata", value: .object([.init(key: "name", value: .string("seed")), .init(key: "namespace", value: .string("default"))])),
                .init(key: "spec", value: .object([])), .init(key: "status", value: .object([])),
            ])]
        }
        return items.map { .object([.init(key: "items", value: .array([$0]))]) }
    }
}

extension Corpus {
    /// Kinds no manifest holds whose model needs a spec: made from a relative that has the same one.
    static func standIn(for kind: ResourceKind) -> YAMLValue? {
        func first(_ kind: String) -> YAMLValue? { objects.first { $0.member("kind") == kind } }
        switch kind {
        case .replicasets, .statefulsets:
            return first("Deployment")?.replacing("kind", with: .string(kind.kind))
        case .jobs:
            guard let cronJob = first("CronJob"), let template = cronJob.value(at: ["spec", "jobTemplate", "spec"]) else { return nil }
            return cronJob.replacing("kind", with: .string("Job")).replacing("apiVersion", with: .string("batch/v1")).replacing("spec", with: template)
        case .horizontalpodautoscalers:
            return try? YAML.parseDocuments("""
                {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: web, namespace: shop},
                 spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 5}}
                """).first?.resolved()
        default:
            return nil
        }
    }
}

extension YAMLValue {
    func value(at path: [String]) -> YAMLValue? {
        path.reduce(self as YAMLValue?) { value, key in
            guard case .object(let members)? = value else { return nil }
            return members.first { $0.key == key }?.value
        }
    }

    func replacing(_ key: String, with value: YAMLValue) -> YAMLValue {
        guard case .object(var members) = self, let index = members.firstIndex(where: { $0.key == key }) else { return self }
        members[index].value = value
        return .object(members)
    }

    func member(_ key: String) -> String? {
        guard case .object(let members) = self, case .string(let value)? = members.first(where: { $0.key == key })?.value else { return nil }
        return value
    }

    func removing(_ keys: Set<String>) -> YAMLValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { !keys.contains($0.key) })
    }
}
