import Documents
import FoundationEssentials

/// Builds a ClusterSnapshot from files, for audits without a cluster (`lookout scan --from PATH`).
///
/// PATH is a snapshot saved by `lookout collect`, a `kubectl get … -o json|yaml` dump (a `List`),
/// a file of manifests (YAML documents or JSON), or a directory searched recursively for `.json`,
/// `.yaml` and `.yml` files. Objects are dispatched by `kind` (and the group of `apiVersion`) to the
/// models the collector fills. Manifests describe what they deploy, as Kubescape's file scan reads them:
/// a kind absent from the files is empty, not unknown, so a folder with a Role and a RoleBinding is
/// judged by the RBAC controls. A saved snapshot keeps what it recorded (collected, forbidden, failed).
public enum ManifestLoader {
    public struct Loaded: Sendable {
        public var snapshot: ClusterSnapshot
        /// Objects of kinds Lookout does not read (Secrets, CRDs …), counted by kind: reported, not fatal.
        public var ignored: [String: Int]
    }

    /// Why node-config controls skip on files: live kubelet settings are no object of a manifest.
    public static let noKubeletConfiguration = "not in the input files: kubelet configuration (read from live nodes only)"

    public static func load(path: String, scope: NamespaceScope = NamespaceScope()) throws(ConfigError) -> Loaded {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, message: "no such file or directory")
        }
        let files: [String]
        if isDirectory {
            let subpaths: [String]
            do {
                subpaths = try FileManager.default.subpathsOfDirectory(atPath: path)
            } catch {
                throw ConfigError(file: path, message: "cannot list the directory: \(error)")
            }
            files = subpaths.filter { file in [".json", ".yaml", ".yml"].contains { file.lowercased().hasSuffix($0) } }.sorted()
                .map { (path.hasSuffix("/") ? path : path + "/") + $0 }
            guard !files.isEmpty else { throw ConfigError(file: path, message: "no .json, .yaml or .yml files in this directory") }
        } else {
            files = [path]
        }

        if files.count == 1, let snapshot = SnapshotFile.read(path: files[0]) {
            return try saved(snapshot, file: files[0], scope: scope)
        }
        var objects = ObjectSet()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigError(file: file, message: "cannot read the file (missing or not readable)")
            }
            let contents = try DocumentDecoder.decodeAll(Content.self, data: data, file: file)
            for content in contents {
                switch content {
                case .snapshot(let snapshot):
                    // A saved snapshot is the whole input: combining it with other files would mix two clusters.
                    guard files.count == 1, contents.count == 1 else {
                        throw ConfigError(file: file, message: "a saved snapshot cannot be combined with other input; pass it alone to --from")
                    }
                    return try saved(snapshot, file: file, scope: scope)
                case .document(let document):
                    objects.add(document)
                }
            }
        }

        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: path))
        snapshot.scope = scope
        snapshot.source = .manifests
        snapshot.kubeletConfigurationUnavailable = noKubeletConfiguration
        snapshot.collected = Set(ResourceKind.allCases)
        for (kind, items) in objects.byKind {
            var store = Store(snapshot: snapshot, objects: items, scope: scope)
            kind.visitField(&store)
            snapshot = store.snapshot
        }
        return Loaded(snapshot: snapshot, ignored: objects.ignored)
    }

    /// A saved snapshot as the whole input. Its namespace filters were applied when it was collected.
    static func saved(_ snapshot: ClusterSnapshot, file: String, scope: NamespaceScope) throws(ConfigError) -> Loaded {
        guard scope == NamespaceScope() || scope == snapshot.scope else {
            throw ConfigError(
                file: file,
                message: "namespace filters apply when collecting: run `lookout collect` with --include-namespaces/--exclude-namespaces")
        }
        var saved = snapshot
        saved.source = .snapshot
        saved.resolveNamespaces()
        return Loaded(snapshot: saved, ignored: [:])
    }

    /// One document of a file: a saved snapshot when it has `cluster` and no `kind`, else an object or List.
    enum Content: Decodable {
        case snapshot(ClusterSnapshot)
        case document(Document)

        init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: Document.Key.self)
            if !keys.contains(.kind), keys.contains(.cluster) {
                self = .snapshot(try ClusterSnapshot(from: decoder))
            } else {
                self = .document(try Document(from: decoder))
            }
        }
    }

    /// One decoded object, the objects of a List, or an object of a kind Lookout does not read.
    enum Document: Decodable {
        case object(ResourceKind, any KubeObject)
        case list([Document])
        case ignored(String)

        enum Key: String, CodingKey {
            case apiVersion, kind, items, cluster
        }

        init(from decoder: any Decoder) throws {
            try self.init(from: decoder, listKind: nil)
        }

        /// `listKind` is the kind of a typed list's items (`PodList` → `Pod`), which the API server
        /// leaves out of each item.
        init(from decoder: any Decoder, listKind: (kind: String, apiVersion: String)?) throws {
            let keys = try decoder.container(keyedBy: Key.self)
            let apiVersion = try keys.decodeIfPresent(String.self, forKey: .apiVersion) ?? listKind?.apiVersion
            guard let kind = try keys.decodeIfPresent(String.self, forKey: .kind) ?? listKind?.kind else {
                throw DecodingError.keyNotFound(
                    Key.kind, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "every object needs a kind"))
            }
            if kind.hasSuffix("List"), keys.contains(.items) {
                let itemKind = kind == "List" ? nil : (String(kind.dropLast(4)), apiVersion ?? "v1")
                var items = try keys.nestedUnkeyedContainer(forKey: .items)
                var documents: [Document] = []
                while !items.isAtEnd {
                    documents.append(try Document(from: try items.superDecoder(), listKind: itemKind))
                }
                self = .list(documents)
                return
            }
            guard let apiVersion else {
                throw DecodingError.keyNotFound(
                    Key.apiVersion, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "every object needs an apiVersion"))
            }
            guard let resource = ResourceKind.of(kind: kind, apiVersion: apiVersion) else {
                self = .ignored(kind)
                return
            }
            // Resolved before an object given twice is recognised by its namespace.
            var decoding = ObjectDecoding(decoder: decoder)
            self = .object(resource, resource.resolvingNamespace(try resource.visitField(&decoding)))
        }
    }

    /// Decodes an object as the model of the visited kind.
    struct ObjectDecoding: SnapshotFieldVisitor {
        let decoder: any Decoder

        func visit<Object: KubeObject>(_ field: SnapshotField<Object>) throws(any Error) -> any KubeObject {
            try Object(from: decoder)
        }
    }

    /// Puts the objects of the visited kind that are within the scope into its field of the snapshot.
    struct Store: SnapshotFieldVisitor {
        var snapshot: ClusterSnapshot
        let objects: [any KubeObject]
        let scope: NamespaceScope

        mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) {
            snapshot[keyPath: field.path] = scope.stored(objects.compactMap { $0 as? Object }, of: field.kind)
        }
    }

    /// The objects read so far; an object given twice (same kind, namespace and name) keeps the last copy.
    struct ObjectSet {
        var byKind: [ResourceKind: [any KubeObject]] = [:]
        var ignored: [String: Int] = [:]
        private var positions: [ObjectKey: Int] = [:]

        mutating func add(_ document: Document) {
            switch document {
            case .list(let documents):
                for document in documents { add(document) }
            case .ignored(let kind):
                ignored[kind, default: 0] += 1
            case .object(let kind, let object):
                let identity = ObjectKey(kind, object)
                if let position = positions[identity] {
                    byKind[kind]?[position] = object
                } else {
                    positions[identity] = byKind[kind, default: []].count
                    byKind[kind, default: []].append(object)
                }
            }
        }
    }
}

extension ResourceKind {
    /// The kind an object of `kind` in `apiVersion` is read as, when Lookout reads it. The group must
    /// match too: a CRD may reuse a built-in kind's name (`Route` …) for something else entirely.
    static func of(kind: String, apiVersion: String) -> ResourceKind? {
        let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
        return allCases.first { $0.kind == kind && ($0.group == group || Self.legacyGroups[$0, default: []].contains(group)) }
    }

    /// Groups that older manifests still use for the same objects (removed in Kubernetes 1.16–1.22).
    static let legacyGroups: [ResourceKind: [String]] = [
        .deployments: ["extensions"], .replicasets: ["extensions"], .daemonsets: ["extensions"],
        .ingresses: ["extensions"], .networkpolicies: ["extensions"], .podsecuritypolicies: ["extensions"],
    ]
}
